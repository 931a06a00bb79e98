package io.icegate.engine.rel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.plan.QueryOptimizer;
import io.icegate.storage.Lake;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.table.LogsTable;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.util.Text;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.tools.RelBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Aggregates planned from Calcite's logical aggregate over a real local lake: split into a
 * partial aggregate per split below the gather and a final one above when every call merges,
 * run on several threads, and giving the hand-computed answer; functions we don't run are
 * refused by name.
 */
class ArrowAggregatePlanTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;

  @TempDir static Path dir;
  private static Lake lake;
  private static RootAllocator root;

  @BeforeAll
  static void loadData() throws Exception {
    root = new RootAllocator();
    lake = Lake.openLocal(dir, Duration.ofMillis(1));
    // checkout: 2 4 4 4 | 5 5 7 9 (mean 5, squared deviations 32); search: 3 and two nulls.
    append("fake", request("checkout", 2, 4, 4, 4));
    append("fake", request("checkout", 5, 5, 7, 9));
    append("fake", request("search", 3, 0));
    append("fake", request("search", 0));
    append("other", request("checkout", 100));
  }

  @AfterAll
  static void close() throws Exception {
    lake.close();
    root.close();
  }

  @AfterEach
  void allocatorIsEmpty() {
    assertThat(root.getAllocatedMemory()).as("Arrow memory left after the query").isZero();
  }

  @Test
  void mergeableCallsRunAsPartialPerSplitAndFinalAboveTheGather() {
    RelBuilder b = builder();
    RelNode logical =
        b.aggregate(
                b.groupKey("service_name"),
                b.count().as("rows"),
                b.count(false, "counted", b.field("severity_number")),
                b.sum(b.field("severity_number")).as("total"),
                b.min(b.field("severity_number")).as("lowest"),
                b.max(b.field("severity_number")).as("highest"),
                b.avg(b.field("severity_number")).as("mean"),
                b.aggregateCall(SqlStdOperatorTable.STDDEV_POP, b.field("severity_number"))
                    .as("sd"),
                b.aggregateCall(SqlStdOperatorTable.VAR_SAMP, b.field("severity_number"))
                    .as("var"))
            .build();

    ArrowRel plan = QueryOptimizer.optimize(logical, b);

    assertThat(plan).isInstanceOf(ArrowAggregate.class);
    assertThat(((ArrowAggregate) plan).phase()).isEqualTo(ArrowAggregate.Phase.FINAL);
    assertThat(plan.getInput(0)).isInstanceOf(ArrowGather.class);
    RelNode partial = plan.getInput(0).getInput(0);
    assertThat(partial).isInstanceOf(ArrowAggregate.class);
    assertThat(((ArrowAggregate) partial).phase()).isEqualTo(ArrowAggregate.Phase.PARTIAL);
    assertThat(plan.getRowType()).isEqualTo(logical.getRowType());
    String explain = QueryOptimizer.explain(plan);
    assertThat(explain)
        .contains("phase=[final]")
        .contains("phase=[partial]")
        .contains("MERGE_AVG")
        .contains("MERGE_STDDEV_POP")
        .contains("PARTIAL_M2");

    List<List<Object>> rows = run(plan);

    // Calcite types AVG, STDDEV_POP and VAR_SAMP of an INTEGER column as INTEGER: truncated.
    assertThat(rows)
        .containsExactly(
            List.of("checkout", 8L, 8L, 40, 2, 9, 5, 2, 4),
            Arrays.asList("search", 3L, 1L, 3, 3, 3, 3, 0, null));
  }

  @Test
  void countDistinctIsNotSplitButStillReadsInParallel() {
    RelBuilder b = builder();
    RelNode logical =
        b.aggregate(
                b.groupKey("service_name"),
                b.count(true, "levels", b.field("severity_number")))
            .build();

    ArrowRel plan = QueryOptimizer.optimize(logical, b);

    assertThat(((ArrowAggregate) plan).phase()).isEqualTo(ArrowAggregate.Phase.SINGLE);
    assertThat(plan.getInput(0)).isInstanceOf(ArrowGather.class);
    assertThat(run(plan)).containsExactly(List.of("checkout", 5L), List.of("search", 1L));
  }

  @Test
  void withoutGroupKeysOneRowMergedFromEverySplit() {
    RelBuilder b = builder();
    RelNode logical =
        b.aggregate(b.groupKey(), b.count().as("rows"), b.sum(b.field("severity_number")))
            .build();

    ArrowRel plan = QueryOptimizer.optimize(logical, b);

    assertThat(((ArrowAggregate) plan).phase()).isEqualTo(ArrowAggregate.Phase.FINAL);
    assertThat(run(plan)).containsExactly(List.of(11L, 43));
  }

  @Test
  void unsupportedCallsAreRefusedNamingTheFunction() {
    assertRefused(
        b -> b.aggregateCall(SqlStdOperatorTable.BIT_AND, b.field("severity_number")),
        "aggregate function BIT_AND is not supported");
    assertRefused(
        b -> b.sum(true, "s", b.field("severity_number")),
        "aggregate function SUM(DISTINCT …) is not supported");
    assertRefused(
        b -> b.min(b.field("body")), "aggregate function MIN over VARCHAR is not supported");
  }

  private static void assertRefused(Function<RelBuilder, RelBuilder.AggCall> call, String message) {
    RelBuilder b = builder();
    RelNode logical = b.aggregate(b.groupKey("service_name"), call.apply(b)).build();
    assertThatThrownBy(() -> QueryOptimizer.optimize(logical, b))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessage(message);
  }

  /** A builder with the logs of tenant "fake" on its stack. */
  private static RelBuilder builder() {
    RelBuilder b = new IceGateCatalog(lake.scanner(), List.of(LogsTable.NAME)).relBuilder();
    b.scan(IceGateCatalog.SCHEMA, LogsTable.NAME);
    return b.filter(b.equals(b.field(LogsTable.TENANT_ID), b.literal("fake")));
  }

  /** The plan's rows on four threads, sorted by their first column. */
  private static List<List<Object>> run(ArrowRel plan) {
    List<List<Object>> rows = new ArrayList<>();
    new PlanRunner(lake.scanner(), root, 64L << 20, Duration.ofSeconds(30), 4)
        .run("test", plan, () -> false, batch -> {
          for (int r = 0; r < batch.getRowCount(); r++) {
            List<Object> row = new ArrayList<>();
            for (FieldVector v : batch.getFieldVectors()) {
              Object value = v.getObject(r);
              row.add(value instanceof Text t ? t.toString() : value);
            }
            rows.add(row);
          }
        });
    rows.sort(Comparator.comparing(row -> String.valueOf(row.get(0))));
    return rows;
  }

  private static void append(String tenant, ExportLogsServiceRequest request) throws Exception {
    var built = LogsBatchBuilder.build(request, tenant, T0, root);
    lake.logsWal().append(tenant, built.batch()).get();
  }

  /** One entry a second per severity number (0: none). */
  private static ExportLogsServiceRequest request(String service, int... severities) {
    List<LogRecord> records = new ArrayList<>();
    for (int i = 0; i < severities.length; i++) {
      records.add(
          LogRecord.newBuilder()
              .setTimeUnixNano(T0 + i * SECOND)
              .setSeverityNumberValue(severities[i])
              .setBody(AnyValue.newBuilder().setStringValue("line " + i))
              .build());
    }
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", service)))
                .addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(records)))
        .build();
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}
