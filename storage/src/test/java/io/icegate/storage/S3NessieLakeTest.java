package io.icegate.storage;

import static io.icegate.storage.LakeRows.append;
import static io.icegate.storage.LakeRows.bodies;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.compaction.ObjectStoreLease;
import io.icegate.storage.objectstore.S3Connection;
import io.icegate.storage.scan.ScanPlan;
import io.icegate.storage.servers.ObjectStoreServers;
import io.icegate.storage.table.LakeTable;
import io.icegate.storage.wal.WalSegment;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import org.apache.arrow.memory.RootAllocator;
import org.apache.iceberg.Snapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The lake on real servers: S3 (S3Mock) for data files and the WAL, Nessie as the catalog. Each
 * test gets its own Nessie branch and key prefix, so tests share the servers but nothing else.
 */
@ExtendWith(ObjectStoreServers.class)
class S3NessieLakeTest {
  private static final long DAY = 86_400_000_000_000L;
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final Compactor.Policy NOW =
      new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ZERO);

  private static ObjectStoreServers.Endpoints servers;

  @TempDir Path dir;
  private RootAllocator allocator;
  private String branch;
  private LakeConfig.Storage.S3 storage;

  @BeforeAll
  static void servers(ObjectStoreServers.Endpoints endpoints) {
    servers = endpoints;
  }

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    branch = servers.newBranch("test");
    storage = servers.freshStorage();
  }

  @AfterEach
  void tearDown() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  private LakeConfig config(Compactor.Policy policy, Duration listInterval) {
    return LakeConfig.local(dir)
        .withCatalog(new LakeConfig.Catalog.Nessie(servers.nessieApiV2(), branch, null))
        .withStorage(storage)
        .withWal(Duration.ofMillis(1), listInterval)
        .withCompaction(policy, Duration.ZERO, Duration.ofMinutes(10));
  }

  @Test
  void writeScanCompactScanOnS3WithNessie() throws Exception {
    try (Lake lake = Lake.open(config(NOW, Duration.ofSeconds(1)))) {
      WalSegment first = append(lake, allocator, "fake", "a", T0, "one", null);
      append(lake, allocator, "fake", "b", T0 + DAY, "two (next day)", null);
      append(lake, allocator, "other", "a", T0, "three (other tenant)", null);

      assertThat(first.location())
          .startsWith("s3://" + ObjectStoreServers.BUCKET + "/" + storage.prefix() + "/wal/logs/")
          .endsWith(String.format("%020d.parquet", first.sequence()));
      assertThat(bodies(lake, allocator, "fake")).containsExactlyInAnyOrder("one", "two (next day)");

      Compactor.Result result = lake.compact();

      assertThat(result.segments()).isEqualTo(3);
      assertThat(result.files()).as("one file per (tenant, day)").isEqualTo(3);
      assertThat(bodies(lake, allocator, "fake")).containsExactlyInAnyOrder("one", "two (next day)");
      ScanPlan plan = lake.scanner().plan(LakeRows.everything("fake"));
      assertThat(plan.files()).noneMatch(f -> f.wal()).hasSize(2);
      assertThat(plan.files())
          .allMatch(f -> f.file().location().startsWith("s3://" + ObjectStoreServers.BUCKET
              + "/" + storage.prefix() + "/warehouse/"));

      append(lake, allocator, "fake", "a", T0 + 5, "four (after compaction)", null);
      assertThat(bodies(lake, allocator, "fake"))
          .containsExactlyInAnyOrder("one", "two (next day)", "four (after compaction)");
    }
    // The mark is in the Nessie-committed snapshot: a fresh process sees everything once.
    try (Lake lake = Lake.open(config(NOW, Duration.ofSeconds(1)))) {
      assertThat(bodies(lake, allocator, "fake"))
          .containsExactlyInAnyOrder("one", "two (next day)", "four (after compaction)");
      assertThat(lake.compact().segments()).isEqualTo(1);
      Snapshot current = catalogSnapshot();
      assertThat(current.summary()).containsEntry(LakeTable.COMPACTED_THROUGH, "4");
    }
  }

  @Test
  void restartRecoversTheWalFromTheBucketAndStillRecognisesRetries() throws Exception {
    long firstSequence;
    try (Lake lake = Lake.open(config(Compactor.Policy.DEFAULT, Duration.ofSeconds(1)))) {
      firstSequence = append(lake, allocator, "fake", "svc", T0, "durable", "key-1").sequence();
    }
    var window = config(Compactor.Policy.DEFAULT, Duration.ofSeconds(1))
        .withCompaction(Compactor.Policy.DEFAULT, Duration.ofMinutes(5), Duration.ofMinutes(10));
    try (Lake lake = Lake.open(window)) {
      assertThat(bodies(lake, allocator, "fake")).containsExactly("durable");
      append(lake, allocator, "fake", "svc", T0, "durable", "key-1");
      assertThat(bodies(lake, allocator, "fake"))
          .as("the retry's fingerprint was recovered from the segment footer")
          .containsExactly("durable");
      WalSegment next = append(lake, allocator, "fake", "svc", T0 + 1, "after restart", null);
      assertThat(next.sequence()).isGreaterThan(firstSequence);
    }
  }

  @Test
  void aReplicaSeesWhatAnotherWroteAndEachRowOnceAfterTheOtherCompacted() throws Exception {
    // listInterval 0: every scan plan lists the bucket and reads the catalog.
    try (Lake ingest = Lake.open(config(NOW, Duration.ZERO));
        Lake query = Lake.open(config(NOW, Duration.ZERO))) {
      append(ingest, allocator, "fake", "a", T0, "from the ingest replica", null);
      assertThat(bodies(query, allocator, "fake")).containsExactly("from the ingest replica");

      append(query, allocator, "fake", "a", T0 + 1, "from the query replica", null);
      assertThat(ingest.compact().segments()).isEqualTo(2);

      assertThat(bodies(query, allocator, "fake"))
          .containsExactlyInAnyOrder("from the ingest replica", "from the query replica");
      assertThat(query.scanner().plan(LakeRows.everything("fake")).files())
          .noneMatch(f -> f.wal());
      assertThat(query.compact()).isEqualTo(Compactor.Result.NOTHING);
    }
  }

  @Test
  void compactionRunsOnOneReplicaAtATime() throws Exception {
    try (Lake lake = Lake.open(config(NOW, Duration.ZERO));
        S3Connection s3 = S3Connection.open(storage)) {
      append(lake, allocator, "fake", "a", T0, "waits for the lease", null);
      String leaseKey = storage.key("wal/logs/_compaction.lease");
      var otherReplica = new ObjectStoreLease(s3, leaseKey, Duration.ofMinutes(5), Clock.systemUTC());
      try (var held = otherReplica.tryAcquire()) {
        assertThat(held).isNotNull();
        assertThat(new ObjectStoreLease(s3, leaseKey, Duration.ofMinutes(5), Clock.systemUTC())
            .tryAcquire()).as("a second replica cannot take a held lease").isNull();
        assertThat(lake.compact()).isEqualTo(Compactor.Result.NOTHING);
      }
      assertThat(lake.compact().segments()).as("released: the lake takes it").isEqualTo(1);

      var expired = new ObjectStoreLease(s3, leaseKey, Duration.ZERO, Clock.systemUTC());
      assertThat(expired.tryAcquire()).isNotNull(); // taken, never released, already expired
      append(lake, allocator, "fake", "a", T0 + 1, "after an expired lease", null);
      assertThat(lake.compact().segments()).as("an expired lease is taken over").isEqualTo(1);
    }
  }

  @Test
  void compactedSegmentsBecomeTombstonesThatKeepTheirNumbersTaken() throws Exception {
    try (Lake lake = Lake.open(config(NOW, Duration.ZERO));
        S3Connection s3 = S3Connection.open(storage)) {
      append(lake, allocator, "fake", "a", T0, "one", null);
      append(lake, allocator, "fake", "a", T0 + 1, "two", null);
      lake.compact();
      lake.compact(); // past the (zero) grace period: the sweep replaces them
      Map<Long, Long> sizes = walObjects(s3);
      assertThat(sizes).containsOnlyKeys(1L, 2L).allSatisfy((n, size) -> assertThat(size).isZero());

      WalSegment next = append(lake, allocator, "fake", "a", T0 + 2, "three", null);
      assertThat(next.sequence()).isEqualTo(3);
      assertThat(bodies(lake, allocator, "fake")).containsExactlyInAnyOrder("one", "two", "three");
    }
  }

  @Test
  void everyTableHasItsOwnWalPrefixAndCompactsOnS3() throws Exception {
    var span =
        io.opentelemetry.proto.trace.v1.Span.newBuilder()
            .setTraceId(com.google.protobuf.ByteString.copyFrom(new byte[] {
              1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
            .setSpanId(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
            .setName("GET /")
            .setStartTimeUnixNano(T0)
            .setEndTimeUnixNano(T0 + 10)
            .addEvents(io.opentelemetry.proto.trace.v1.Span.Event.newBuilder()
                .setTimeUnixNano(T0 + 1).setName("ev"))
            .build();
    var traces =
        io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(io.opentelemetry.proto.trace.v1.ResourceSpans.newBuilder()
                .addScopeSpans(io.opentelemetry.proto.trace.v1.ScopeSpans.newBuilder()
                    .addSpans(span)))
            .build();
    var metrics =
        io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest.newBuilder()
            .addResourceMetrics(io.opentelemetry.proto.metrics.v1.ResourceMetrics.newBuilder()
                .addScopeMetrics(io.opentelemetry.proto.metrics.v1.ScopeMetrics.newBuilder()
                    .addMetrics(io.opentelemetry.proto.metrics.v1.Metric.newBuilder()
                        .setName("up")
                        .setGauge(io.opentelemetry.proto.metrics.v1.Gauge.newBuilder()
                            .addDataPoints(io.opentelemetry.proto.metrics.v1.NumberDataPoint
                                .newBuilder().setTimeUnixNano(T0).setAsDouble(1))))))
            .build();
    var logs =
        OtlpLogs.request("svc", OtlpLogs.line(T0, "an event").toBuilder()
            .setEventName("deploy").build());
    try (Lake lake = Lake.open(config(NOW, Duration.ZERO))) {
      Map<String, WalSegment> segments = new TreeMap<>();
      segments.put("spans", lake.spansWal().append("fake",
          io.icegate.storage.ingest.SpansBatchBuilder.build(traces, "fake", T0, allocator)
              .batch()).get());
      segments.put("metrics", lake.metricsWal().append("fake",
          io.icegate.storage.ingest.MetricsBatchBuilder.build(metrics, "fake", T0, allocator)
              .batch()).get());
      segments.put("events", lake.eventsWal().append("fake",
          io.icegate.storage.ingest.EventsBatchBuilder.build(logs, "fake", T0, allocator)
              .batch()).get());
      segments.put("logs", lake.wal("logs").append("fake",
          io.icegate.storage.ingest.LogsBatchBuilder.build(logs, "fake", T0, allocator)
              .batch()).get());
      segments.forEach((table, segment) ->
          assertThat(segment.location())
              .as(table)
              .startsWith("s3://" + ObjectStoreServers.BUCKET + "/" + storage.prefix()
                  + "/wal/" + table + "/")
              .endsWith(String.format("%020d.parquet", 1)));

      Compactor.Result result = lake.compact();
      assertThat(result.segments()).as("one segment of each table").isEqualTo(4);
      assertThat(result.rows()).isEqualTo(4);
      for (String table : segments.keySet()) {
        var rows = ScannedRows.scan(lake, allocator, table, "fake");
        assertThat(rows).as(table).hasSize(1);
        assertThat(lake.scanner().plan(new io.icegate.storage.scan.ScanRequest(
            table, "fake", Long.MIN_VALUE, Long.MAX_VALUE, java.util.List.of("timestamp")))
            .files()).as(table).noneMatch(f -> f.wal()).hasSize(1);
      }
      assertThat(ScannedRows.scan(lake, allocator, "spans", "fake").get(0).get("events"))
          .isEqualTo(java.util.List.of(
              Map.of("timestamp", T0 + 1, "name", "ev", "attributes", Map.of(),
                  "dropped_attributes_count", 0)));
    }
  }

  private Map<Long, Long> walObjects(S3Connection s3) {
    Map<Long, Long> sizes = new TreeMap<>();
    String prefix = storage.key("wal/logs/");
    for (S3Object o :
        s3.client().listObjectsV2Paginator(b -> b.bucket(storage.bucket()).prefix(prefix)).contents()) {
      String name = o.key().substring(prefix.length());
      if (name.endsWith(".parquet")) {
        sizes.put(Long.parseLong(name.substring(0, 20)), o.size());
      }
    }
    return sizes;
  }

  private Snapshot catalogSnapshot() throws Exception {
    try (var s3 = S3Connection.open(storage);
        var catalog = io.icegate.storage.catalog.LakeCatalog.open(
            config(NOW, Duration.ZERO), s3)) {
      return catalog.logs().currentSnapshot();
    }
  }
}
