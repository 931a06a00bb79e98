package io.icegate.storage;

import static io.icegate.storage.LakeRows.bodies;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.servers.ObjectStoreServers;
import io.icegate.storage.wal.RequestFingerprint;
import io.icegate.storage.wal.WalSegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
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
    storage =
        new LakeConfig.Storage.S3(
            ObjectStoreServers.BUCKET, "lake-" + UUID.randomUUID(), servers.s3(), "us-east-1",
            true, ObjectStoreServers.ACCESS_KEY, ObjectStoreServers.SECRET_KEY);
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

  private WalSegment appendAfter(CountDownLatch go, Lake lake, String body, String key) {
    try {
      go.await();
      return append(lake, body, key).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private CompletableFuture<WalSegment> append(Lake lake, String body, String key) {
    VectorSchemaRoot batch =
        LogsBatchBuilder.build(
                OtlpLogs.request("svc", OtlpLogs.line(T0, body)), "fake", T0, allocator)
            .batch();
    return lake.logsWal().append("fake", batch, RequestFingerprint.ofKey("fake", "logs", key));
  }
}
