package io.icegate.bench;

import io.icegate.engine.exec.AggregateFunction;
import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.HashAggregateOperator;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.exec.SortOperator;
import io.icegate.engine.expr.PredicateCompiler;
import io.icegate.engine.expr.VectorPredicate;
import io.icegate.engine.plan.IceGateFunctions;
import java.nio.charset.StandardCharsets;
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
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.type.SqlTypeName;
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
 * JMH: single operators of the engine over Arrow batches already in memory, each beside DuckDB
 * (one thread, an in-memory table of the same values) doing the same work, so each pair of
 * scores is read as a ratio of one run:
 *
 * <ul>
 *   <li>{@code filterContains*}: the substring kernel ({@code CONTAINS_SUBSTRING}, compiled as a
 *       log query's line filter is) over log-like lines, counting matches; DuckDB's
 *       {@code count(*) … WHERE contains(line, 'error')};
 *   <li>{@code topN*}: the newest 1,000 of the rows by timestamp ({@link SortOperator} with a
 *       fetch, as a log query's limit runs); DuckDB's {@code ORDER BY ts DESC LIMIT 1000};
 *   <li>{@code groupCount*}: rows counted per stream label set (50 groups) ({@link
 *       HashAggregateOperator}); DuckDB's {@code GROUP BY labels};
 *   <li>{@code groupTwoKeysSumAvg*}: {@code SUM} and {@code AVG} of a double column per label set
 *       and an integer level (250 groups);
 *   <li>{@code groupMillionKeys*}: rows counted per timestamp, nearly every row its own group.
 * </ul>
 *
 * Run: {@code java -cp … org.openjdk.jmh.Main OperatorBench [-p rows=N]}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "--add-opens=java.base/java.nio=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class OperatorBench {
  private static final int BATCH = 4096;
  private static final String[] WORDS = {
    "request", "handled", "upstream", "cache", "miss", "hit", "retry", "latency", "db", "query",
    "user", "session", "token", "refresh", "queue", "consumer", "offset", "commit", "shard"
  };

  private static final AggregateFunction COUNT_STAR =
      new AggregateFunction(
          AggregateFunction.Kind.COUNT, List.of(), new ArrowType.Int(64, true), false);
  private static final ArrowType DOUBLE =
      new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);

  @Param("1000000")
  public int rows;

  private RootAllocator root;
  private final List<VectorSchemaRoot> batches = new ArrayList<>();
  private VectorPredicate contains;
  private boolean[] selected;
  private Connection duck;
  private Statement sql;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    root = new RootAllocator();
    duck = DriverManager.getConnection("jdbc:duckdb:");
    sql = duck.createStatement();
    sql.execute("SET threads TO 1");
    sql.execute(
        "CREATE TABLE t (ts BIGINT, labels VARCHAR, line VARCHAR, level INTEGER, v DOUBLE)");
    SplittableRandom random = new SplittableRandom(7);
    try (DuckDBAppender appender = ((DuckDBConnection) duck).createAppender("main", "t")) {
      for (int from = 0; from < rows; from += BATCH) {
        int n = Math.min(BATCH, rows - from);
        BigIntVector ts = new BigIntVector("ts", root);
        VarCharVector labels = new VarCharVector("labels", root);
        VarCharVector line = new VarCharVector("line", root);
        IntVector level = new IntVector("level", root);
        Float8Vector value = new Float8Vector("v", root);
        ts.allocateNew(n);
        level.allocateNew(n);
        value.allocateNew(n);
        labels.allocateNew((long) n * 48, n);
        line.allocateNew((long) n * 200, n);
        for (int i = 0; i < n; i++) {
          long time = 1_767_225_600_000_000_000L + random.nextLong(3_600_000_000_000L);
          String stream =
              "{service_name=\"svc-" + random.nextInt(50) + "\", env=\"prod\"}";
          String text = line(random);
          int severity = random.nextInt(5);
          double v = random.nextDouble() * 1000;
          ts.set(i, time);
          level.set(i, severity);
          value.set(i, v);
          labels.setSafe(i, stream.getBytes(StandardCharsets.UTF_8));
          line.setSafe(i, text.getBytes(StandardCharsets.UTF_8));
          appender.beginRow();
          appender.append(time);
          appender.append(stream);
          appender.append(text);
          appender.append(severity);
          appender.append(v);
          appender.endRow();
        }
        ts.setValueCount(n);
        labels.setValueCount(n);
        line.setValueCount(n);
        level.setValueCount(n);
        value.setValueCount(n);
        VectorSchemaRoot batch = new VectorSchemaRoot(List.of(ts, labels, line, level, value));
        batch.setRowCount(n);
        batches.add(batch);
      }
    }
    RexBuilder rex = new RexBuilder(new JavaTypeFactoryImpl());
    RelDataType type =
        rex.getTypeFactory()
            .builder()
            .add("ts", SqlTypeName.BIGINT)
            .add("labels", SqlTypeName.VARCHAR)
            .add("line", SqlTypeName.VARCHAR)
            .build();
    RexNode condition =
        rex.makeCall(
            IceGateFunctions.CONTAINS_SUBSTRING,
            rex.makeInputRef(type.getFieldList().get(2).getType(), 2),
            rex.makeLiteral("error"));
    contains = PredicateCompiler.compile(condition, type, rex);
    selected = new boolean[BATCH];
  }

  private static String line(SplittableRandom random) {
    StringBuilder sb = new StringBuilder(220);
    int words = 20 + random.nextInt(20);
    for (int w = 0; w < words; w++) {
      sb.append(random.nextInt(40) == 0 ? "error" : WORDS[random.nextInt(WORDS.length)])
          .append(random.nextInt(4) == 0 ? '=' : ' ');
    }
    return sb.toString();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    batches.forEach(VectorSchemaRoot::close);
    sql.close();
    duck.close();
    root.close();
  }

  /** The batches as an operator's input: views sharing the buffers, freed by the consumer. */
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
  public long filterContainsOurs() {
    long kept = 0;
    for (VectorSchemaRoot batch : batches) {
      contains.evaluate(batch, selected);
      for (int i = 0; i < batch.getRowCount(); i++) {
        kept += selected[i] ? 1 : 0;
      }
    }
    return kept;
  }

  @Benchmark
  public long filterContainsDuckDb() throws Exception {
    return single("SELECT count(*) FROM t WHERE contains(line, 'error')");
  }

  @Benchmark
  public long topNOurs() {
    RelFieldCollation newest =
        new RelFieldCollation(0, RelFieldCollation.Direction.DESCENDING);
    long last = 0;
    try (Operator sort = new SortOperator(context(), input(), List.of(newest), 0, 1000)) {
      for (VectorSchemaRoot out = sort.next(); out != null; out = sort.next()) {
        try (VectorSchemaRoot batch = out) {
          last = ((BigIntVector) batch.getVector(0)).get(batch.getRowCount() - 1);
        }
      }
    }
    return last;
  }

  @Benchmark
  public long topNDuckDb() throws Exception {
    long last = 0;
    try (ResultSet rs =
        sql.executeQuery("SELECT ts, labels, line FROM t ORDER BY ts DESC LIMIT 1000")) {
      while (rs.next()) {
        last = rs.getLong(1);
      }
    }
    return last;
  }

  @Benchmark
  public long groupCountOurs() {
    return groups(List.of(1), List.of(COUNT_STAR), List.of("labels", "n"));
  }

  @Benchmark
  public long groupCountDuckDb() throws Exception {
    return single("SELECT count(*) FROM (SELECT labels, count(*) FROM t GROUP BY labels)");
  }

  @Benchmark
  public long groupTwoKeysSumAvgOurs() {
    return groups(List.of(1, 3), List.of(sum(4), avg(4)), List.of("labels", "level", "s", "a"));
  }

  @Benchmark
  public long groupTwoKeysSumAvgDuckDb() throws Exception {
    return single(
        "SELECT count(*) FROM (SELECT labels, level, sum(v), avg(v) FROM t GROUP BY labels, level)");
  }

  @Benchmark
  public long groupMillionKeysOurs() {
    return groups(List.of(0), List.of(COUNT_STAR), List.of("ts", "n"));
  }

  @Benchmark
  public long groupMillionKeysDuckDb() throws Exception {
    return single("SELECT count(*) FROM (SELECT ts, count(*) FROM t GROUP BY ts)");
  }

  private long groups(List<Integer> keys, List<AggregateFunction> functions, List<String> names) {
    long groups = 0;
    try (Operator aggregate =
        new HashAggregateOperator(context(), input(), keys, functions, names)) {
      for (VectorSchemaRoot out = aggregate.next(); out != null; out = aggregate.next()) {
        try (VectorSchemaRoot batch = out) {
          groups += batch.getRowCount();
        }
      }
    }
    return groups;
  }

  private static AggregateFunction sum(int column) {
    return new AggregateFunction(AggregateFunction.Kind.SUM, List.of(column), DOUBLE, true);
  }

  private static AggregateFunction avg(int column) {
    return new AggregateFunction(AggregateFunction.Kind.AVG, List.of(column), DOUBLE, true);
  }

  private long single(String query) throws Exception {
    try (ResultSet rs = sql.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
