package io.icegate.bench;

import io.icegate.engine.exec.AggregateFunction;
import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.HashAggregateOperator;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.exec.TopNPerGroupOperator;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: the holistic per-group operators over Arrow batches in memory — {@code rows} rows of
 * (group INT in {@code groups} groups, v DOUBLE uniform, φ = 0.5) — each beside DuckDB (one
 * thread, an in-memory table of the same values) doing the same:
 *
 * <ul>
 *   <li>{@code quantile*}: the median per group ({@code PERCENTILE_CONT(0.5)} in the hash
 *       aggregate); DuckDB's {@code quantile_cont(v, 0.5) … GROUP BY g};
 *   <li>{@code topN*}: the 5 largest values per group ({@link TopNPerGroupOperator}); DuckDB's
 *       {@code ROW_NUMBER() OVER (PARTITION BY g ORDER BY v DESC) <= 5} and its top-N aggregate
 *       {@code max(v, 5) … GROUP BY g};
 *   <li>{@code groupCount*}: rows counted per group, the grouping both of the above pay for.
 * </ul>
 *
 * Run: {@code java -cp … org.openjdk.jmh.Main QuantileTopNBench [-p rows=N -p groups=G]}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx5g", "--add-opens=java.base/java.nio=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 4)
@Measurement(iterations = 4, time = 4)
public class QuantileTopNBench {
  private static final int BATCH = 4096;
  private static final ArrowType DOUBLE =
      new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);

  @Param("10000000")
  public int rows;

  @Param("1000")
  public int groups;

  private RootAllocator root;
  private final List<VectorSchemaRoot> batches = new ArrayList<>();
  private Connection duck;
  private Statement sql;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    root = new RootAllocator();
    duck = DriverManager.getConnection("jdbc:duckdb:");
    sql = duck.createStatement();
    sql.execute("SET threads TO 1");
    sql.execute("CREATE TABLE t (g INTEGER, v DOUBLE)");
    SplittableRandom random = new SplittableRandom(11);
    try (DuckDBAppender appender = ((DuckDBConnection) duck).createAppender("main", "t")) {
      for (int from = 0; from < rows; from += BATCH) {
        int n = Math.min(BATCH, rows - from);
        IntVector group = new IntVector("g", root);
        Float8Vector phi = new Float8Vector("phi", root);
        Float8Vector value = new Float8Vector("v", root);
        group.allocateNew(n);
        phi.allocateNew(n);
        value.allocateNew(n);
        for (int i = 0; i < n; i++) {
          int g = random.nextInt(groups);
          double v = random.nextDouble() * 1000;
          group.set(i, g);
          phi.set(i, 0.5);
          value.set(i, v);
          appender.beginRow();
          appender.append(g);
          appender.append(v);
          appender.endRow();
        }
        group.setValueCount(n);
        phi.setValueCount(n);
        value.setValueCount(n);
        VectorSchemaRoot batch = new VectorSchemaRoot(List.of(group, phi, value));
        batch.setRowCount(n);
        batches.add(batch);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    batches.forEach(VectorSchemaRoot::close);
    sql.close();
    duck.close();
    root.close();
  }

  private Operator input() {
    return new Operator() {
      int next;

      @Override
      public VectorSchemaRoot next() {
        return next < batches.size() ? batches.get(next++).slice(0) : null;
      }

      @Override
      public void close() {}
    };
  }

  private ExecContext context() {
    return new ExecContext(root, null, System.nanoTime() + 3_600_000_000_000L, () -> false, 1);
  }

  @Benchmark
  public double quantileOurs() {
    AggregateFunction median =
        new AggregateFunction(AggregateFunction.Kind.PERCENTILE_CONT, List.of(1, 2), DOUBLE, true);
    double total = 0;
    try (Operator aggregate =
        new HashAggregateOperator(
            context(), input(), List.of(0), List.of(median), List.of("g", "q"))) {
      for (VectorSchemaRoot out = aggregate.next(); out != null; out = aggregate.next()) {
        try (VectorSchemaRoot batch = out) {
          Float8Vector q = (Float8Vector) batch.getVector(1);
          for (int i = 0; i < batch.getRowCount(); i++) {
            total += q.get(i);
          }
        }
      }
    }
    return total;
  }

  @Benchmark
  public double quantileDuckDb() throws Exception {
    return single("SELECT sum(q) FROM (SELECT g, quantile_cont(v, 0.5) AS q FROM t GROUP BY g)");
  }

  @Benchmark
  public double topNOurs() {
    double total = 0;
    try (Operator top =
        new TopNPerGroupOperator(
            context(), input(), List.of(0), 2, true, true,
            TopNPerGroupOperator.NaNOrder.SQL, 5, "rn")) {
      for (VectorSchemaRoot out = top.next(); out != null; out = top.next()) {
        try (VectorSchemaRoot batch = out) {
          Float8Vector v = (Float8Vector) batch.getVector(2);
          BigIntVector rn = (BigIntVector) batch.getVector(3);
          for (int i = 0; i < batch.getRowCount(); i++) {
            total += v.get(i) + rn.get(i);
          }
        }
      }
    }
    return total;
  }

  @Benchmark
  public double topNWindowDuckDb() throws Exception {
    return single("SELECT sum(v + rn) FROM (SELECT g, v, ROW_NUMBER() OVER (PARTITION BY g "
        + "ORDER BY v DESC) AS rn FROM t) WHERE rn <= 5");
  }

  @Benchmark
  public double topNAggregateDuckDb() throws Exception {
    return single("SELECT sum(list_sum(m)) FROM (SELECT g, max(v, 5) AS m FROM t GROUP BY g)");
  }

  /** The floor both operators share: each row's group id from the key table (COUNT(*)). */
  @Benchmark
  public long groupCountOurs() {
    AggregateFunction count =
        new AggregateFunction(
            AggregateFunction.Kind.COUNT, List.of(), new ArrowType.Int(64, true), false);
    long total = 0;
    try (Operator aggregate =
        new HashAggregateOperator(
            context(), input(), List.of(0), List.of(count), List.of("g", "n"))) {
      for (VectorSchemaRoot out = aggregate.next(); out != null; out = aggregate.next()) {
        try (VectorSchemaRoot batch = out) {
          BigIntVector n = (BigIntVector) batch.getVector(1);
          for (int i = 0; i < batch.getRowCount(); i++) {
            total += n.get(i);
          }
        }
      }
    }
    return total;
  }

  @Benchmark
  public double groupCountDuckDb() throws Exception {
    return single("SELECT sum(n) FROM (SELECT g, count(*) AS n FROM t GROUP BY g)");
  }

  private double single(String query) throws Exception {
    try (ResultSet rs = sql.executeQuery(query)) {
      rs.next();
      return rs.getDouble(1);
    }
  }
}
