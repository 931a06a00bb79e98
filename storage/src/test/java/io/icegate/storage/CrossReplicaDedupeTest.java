package io.icegate.storage;

import static io.icegate.storage.LakeRows.bodies;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.objectstore.S3Connection;
import io.icegate.storage.servers.ObjectStoreServers;
import io.icegate.storage.table.LakeTable;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.table.TableDefinition;
import io.icegate.storage.wal.ObjectStoreWal;
import io.icegate.storage.wal.RequestFingerprint;
import io.icegate.storage.wal.RowRanges;
import io.icegate.storage.wal.WalSegment;
import io.icegate.storage.wal.WalWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.Table;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server replicas — two {@link Lake}s, as two processes would have them — on one bucket
 * (S3Mock) and one catalog branch (Nessie), each given the same client request: it is stored
 * once. A retry that reaches the second replica after the first stored it is recognised from the
 * first one's segment footer (listed within a second); the same request taken by both at the same
 * moment is written twice, and the later segment is recognised as a copy by scans and left out by
 * compaction.
 */
@ExtendWith(ObjectStoreServers.class)
class CrossReplicaDedupeTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final Duration WINDOW = Duration.ofSeconds(2);
  private static final Compactor.Policy AFTER_WINDOW =
      new Compactor.Policy(WINDOW, 64L << 20, Duration.ZERO);

  private static ObjectStoreServers.Endpoints servers;

  @TempDir Path dirA;
  @TempDir Path dirB;
  @TempDir Path dirC;
  private RootAllocator allocator;
  private LakeConfig.Storage.S3 storage;
  private String branch;

  @BeforeAll
  static void servers(ObjectStoreServers.Endpoints endpoints) {
    servers = endpoints;
  }

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    branch = servers.newBranch("dedupe");
    storage = servers.freshStorage();
  }

  @AfterEach
  void tearDown() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  private LakeConfig config(Path dir) {
    return LakeConfig.local(dir)
        .withCatalog(new LakeConfig.Catalog.Nessie(servers.nessieApiV2(), branch, null))
        .withStorage(storage)
        .withWal(Duration.ofMillis(1), Duration.ZERO)
        .withCompaction(AFTER_WINDOW, WINDOW, Duration.ofMinutes(10));
  }

  @Test
  void aRetryToTheOtherReplicaIsStoredOnce() throws Exception {
    try (Lake a = Lake.open(config(dirA));
        Lake b = Lake.open(config(dirB))) {
      append(a, "sent first to A", "key-1").get();
      // The client's ack was lost; it retries, and the balancer sends it to B.
      Thread.sleep(1100);
      append(b, "sent first to A", "key-1").get();

      assertThat(bodies(a, allocator, "fake")).containsExactly("sent first to A");
      assertThat(bodies(b, allocator, "fake")).containsExactly("sent first to A");
      // B now answers a further retry from its own index, without writing.
      append(b, "sent first to A", "key-1").get();
      assertThat(bodies(b, allocator, "fake")).containsExactly("sent first to A");
    }
  }

  @Test
  void theSameRequestTakenByBothAtOnceIsStoredOnce() throws Exception {
    try (Lake a = Lake.open(config(dirA));
        Lake b = Lake.open(config(dirB))) {
      // Each replica has just listed the bucket (a write of its own), so neither lists again
      // before writing the next request: both write it.
      append(a, "a's own", "own-a").get();
      append(b, "b's own", "own-b").get();
      CountDownLatch go = new CountDownLatch(1);
      CompletableFuture<WalSegment> viaA =
          CompletableFuture.supplyAsync(() -> appendAfter(go, a, "both at once", "key-2"));
      CompletableFuture<WalSegment> viaB =
          CompletableFuture.supplyAsync(() -> appendAfter(go, b, "both at once", "key-2"));
      go.countDown();
      WalSegment wroteA = viaA.get();
      WalSegment wroteB = viaB.get();
      // Normally both wrote it (two segments with the same request); on a machine stalled for
      // over a second one replica learned the other's segment first and wrote nothing (null).
      // Either way the request must be stored once.
      if (wroteA != null && wroteB != null) {
        assertThat(wroteA.sequence()).isNotEqualTo(wroteB.sequence());
      }

      for (Lake lake : new Lake[] {a, b}) {
        assertThat(bodies(lake, allocator, "fake"))
            .containsExactlyInAnyOrder("a's own", "b's own", "both at once");
      }

      // Compaction (after the dedupe window, as always) stores it once in Iceberg.
      Thread.sleep(WINDOW.toMillis() + 200);
      a.compact();
      for (Lake lake : new Lake[] {a, b}) {
        assertThat(bodies(lake, allocator, "fake"))
            .containsExactlyInAnyOrder("a's own", "b's own", "both at once");
      }
    }
  }

  @Test
  void aCopyGroupedWithOtherRequestsIsSkippedRowByRowBeforeAndAfterCompaction() throws Exception {
    try (Lake a = Lake.open(config(dirA));
        Lake b = Lake.open(config(dirB));
        StaleReplica c = new StaleReplica(a)) {
      append(a, "a's own", "own-a").get();
      WalSegment original = append(a, "both", "key-shared").get();
      // C took the same request (the client's retry) and groups it between two of its own: one
      // segment, above A's, with a copy of one request among others.
      List<WalSegment> wrote = c.group("c1", "both", "c2");
      assertThat(wrote.get(1).sequence()).isGreaterThan(original.sequence());
      String[] expected = {"a's own", "c1", "both", "c2"};

      for (Lake lake : new Lake[] {a, b}) {
        assertThat(segment(lake, wrote.get(1).sequence()).excludedRows())
            .as("the request's row in the higher segment")
            .isEqualTo(RowRanges.of(1, 1));
        assertThat(bodies(lake, allocator, "fake")).containsExactlyInAnyOrder(expected);
      }
      Thread.sleep(WINDOW.toMillis() + 200);
      a.compact();
      for (Lake lake : new Lake[] {a, b}) {
        assertThat(lake.table(LogsTable.NAME).view().segments()).as("all compacted").isEmpty();
        assertThat(bodies(lake, allocator, "fake")).containsExactlyInAnyOrder(expected);
      }
    }
  }

  /**
   * The original is compacted first, alone; then the replica that compacts the copy restarts,
   * and a replica that was idle all along (it never listed the original live) is asked: both
   * recognise the copy from the compacted original's footer, still stored for the grace period.
   */
  @Test
  void aCopyIsRecognisedAfterItsOriginalWasCompactedByReplicasThatRestartedOrWereIdle()
      throws Exception {
    String[] expected = {"c1", "both", "c2"};
    try (Lake idle = Lake.open(oneAtATime(dirC))) {
      WalSegment original;
      List<WalSegment> wrote;
      try (Lake a = Lake.open(oneAtATime(dirA));
          Lake b = Lake.open(oneAtATime(dirB));
          StaleReplica c = new StaleReplica(a)) {
        original = append(a, "both", "key-shared").get();
        wrote = c.group("c1", "both", "c2");
        assertThat(bodies(b, allocator, "fake")).containsExactlyInAnyOrder(expected);

        Thread.sleep(WINDOW.toMillis() + 200);
        assertThat(a.compact().compactedThrough()).isEqualTo(original.sequence());
        assertThat(bodies(a, allocator, "fake")).containsExactlyInAnyOrder(expected);
      }
      // B starts again, with nothing in memory: the copy's original is compacted already.
      try (Lake b = Lake.open(oneAtATime(dirB))) {
        assertThat(segment(b, wrote.get(1).sequence()).excludedRows())
            .isEqualTo(RowRanges.of(1, 1));
        assertThat(segment(idle, wrote.get(1).sequence()).excludedRows())
            .isEqualTo(RowRanges.of(1, 1));
        for (Lake lake : new Lake[] {b, idle}) {
          assertThat(bodies(lake, allocator, "fake")).containsExactlyInAnyOrder(expected);
        }
        // The restarted replica compacts the copy: its row of the shared request stays out.
        Thread.sleep(WINDOW.toMillis() + 200);
        while (!b.table(LogsTable.NAME).view().segments().isEmpty()) {
          assertThat(b.compact().segments()).isPositive();
        }
        for (Lake lake : new Lake[] {b, idle}) {
          assertThat(bodies(lake, allocator, "fake")).containsExactlyInAnyOrder(expected);
        }
      }
    }
  }

  /** A replica that compacts one segment a run and keeps compacted ones for ten minutes. */
  private LakeConfig oneAtATime(Path dir) {
    return config(dir)
        .withCompaction(
            new Compactor.Policy(WINDOW, 1, Duration.ofMinutes(10)), WINDOW,
            Duration.ofMinutes(10));
  }

  /**
   * A replica that takes a request less than a second after it last listed the bucket, and so
   * writes it without looking again: here a WAL writer whose clock stands still, so it never
   * lists after opening. (Arranged by timing instead, as in the test above, a loaded machine
   * often lets the second pass: the replica then learns the original and writes no copy.)
   */
  private final class StaleReplica implements AutoCloseable {
    private final S3Connection s3;
    private final S3FileIO io;
    private final WalWriter writer;

    StaleReplica(Lake sameLake) throws Exception {
      s3 = S3Connection.open(storage);
      io = new S3FileIO();
      io.initialize(s3.fileIoProperties());
      Table logs = sameLake.table(LogsTable.NAME).table();
      long mark = LakeTable.compactedThrough(logs, logs.currentSnapshot());
      ObjectStoreWal wal =
          ObjectStoreWal.open(
              s3, s3.settings().key("wal/" + LogsTable.NAME + "/"), io, mark, () -> mark,
              Clock.fixed(Instant.now(), ZoneOffset.UTC));
      // Requests sent together within 50 ms share a segment.
      writer =
          new WalWriter(wal, logs.schema(), TableDefinition.TIMESTAMP, Duration.ofMillis(50),
              65_536, WINDOW);
    }

    /** Three requests sent at once, each with its own key; their segments. */
    List<WalSegment> group(String... bodies) throws Exception {
      List<CompletableFuture<WalSegment>> sent = new java.util.ArrayList<>();
      for (String body : bodies) {
        String key = body.equals("both") ? "key-shared" : "key-" + body;
        sent.add(
            writer.append("fake", batch(body), RequestFingerprint.ofKey("fake", "logs", key)));
      }
      List<WalSegment> wrote = new java.util.ArrayList<>();
      for (CompletableFuture<WalSegment> f : sent) {
        wrote.add(f.get());
      }
      assertThat(wrote)
          .extracting(WalSegment::sequence)
          .as("one segment")
          .containsOnly(wrote.get(0).sequence());
      return wrote;
    }

    @Override
    public void close() {
      writer.close();
      io.close();
      s3.close();
    }
  }

  /** Segment {@code sequence} as the replica's scans see it. */
  private static WalSegment segment(Lake lake, long sequence) {
    return lake.table(LogsTable.NAME).view().segments().stream()
        .filter(s -> s.sequence() == sequence)
        .findFirst()
        .orElseThrow();
  }

  private WalSegment appendAfter(CountDownLatch go, Lake lake, String body, String key) {
    try {
      go.await();
      return append(lake, body, key).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private CompletableFuture<WalSegment> append(Lake lake, String body, String key) {
    return lake.logsWal()
        .append("fake", batch(body), RequestFingerprint.ofKey("fake", "logs", key));
  }

  private VectorSchemaRoot batch(String body) {
    return LogsBatchBuilder.build(
            OtlpLogs.request("svc", OtlpLogs.line(T0, body)), "fake", T0, allocator)
        .batch();
  }
}
