package io.icegate.storage.wal;

import static io.icegate.storage.OtlpLogs.line;
import static io.icegate.storage.OtlpLogs.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.LakeConfig;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.objectstore.S3Connection;
import io.icegate.storage.parquet.ArrowParquetWriter;
import io.icegate.storage.servers.ObjectStoreServers;
import io.icegate.storage.table.LogsTable;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.parquet.hadoop.ParquetFileReader;
import io.icegate.storage.parquet.IcebergParquetFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Several WAL writers on one bucket, no coordination service: segment numbers are claimed with
 * conditional PUTs against a real S3 API (S3Mock honours {@code If-None-Match: *}).
 */
@ExtendWith(ObjectStoreServers.class)
class ConditionalWalWriteTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static ObjectStoreServers.Endpoints servers;

  private S3Connection s3;
  private S3FileIO io;
  private String prefix;
  private BufferAllocator allocator;

  @BeforeAll
  static void servers(ObjectStoreServers.Endpoints endpoints) {
    servers = endpoints;
  }

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    s3 =
        S3Connection.open(
            new LakeConfig.Storage.S3(
                ObjectStoreServers.BUCKET, "wal-" + UUID.randomUUID(), servers.s3(), "us-east-1",
                true, ObjectStoreServers.ACCESS_KEY, ObjectStoreServers.SECRET_KEY));
    io = new S3FileIO();
    io.initialize(s3.fileIoProperties());
    prefix = s3.settings().key("wal/logs/");
  }

  @AfterEach
  void tearDown() {
    io.close();
    s3.close();
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  private ObjectStoreWal openWal() throws Exception {
    return ObjectStoreWal.open(s3, prefix, io, 0, () -> 0L, Clock.systemUTC());
  }

  /*
   * The writers take turns rather than racing on threads: S3Mock 5.2.0 checks If-None-Match and
   * stores the object without a lock, so two PUTs of one key that overlap in time can both
   * succeed there (measured: 8 overlapping PUTs on each of 5 keys, 20 answered 200). Real S3
   * serialises them — exactly one wins — so every collision below is one S3 would also produce,
   * and each is settled by a 412.
   */
  @Test
  void twoWritersClaimingTheSameNumbersNeverOverwriteEachOther() throws Exception {
    // Both open an empty WAL; neither ever lists it again on its own, so each claim below
    // collides with the other writer's last segment.
    ObjectStoreWal a = openWal();
    ObjectStoreWal b = openWal();
    List<WalSegment> all = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      all.add(write(a, "tenant-a", "a-" + i));
      all.add(write(b, "tenant-b", "b-" + i));
    }

    assertThat(all).extracting(WalSegment::sequence)
        .as("each claim of a taken number got 412 and moved past it")
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L,
            17L, 18L, 19L, 20L);
    for (WalSegment segment : all) {
      assertThat(tenantInFooter(segment))
          .as("segment %d still holds what its writer wrote", segment.sequence())
          .isEqualTo(segment.tenant());
    }
    assertThat(openWal().allSegments()).as("recovery from a listing").hasSize(20);
  }

  @Test
  void aGapIsClosedWithATombstoneAndALateWriterMovesPastIt() throws Exception {
    ObjectStoreWal early = openWal();
    WalSegment first = write(early, "fake", "first");
    ObjectStoreWal late = openWal(); // knows number 1, will claim 2 next
    // A third writer took number 3 and then died without anyone ever taking 2.
    byte[] copy = s3.client().getObjectAsBytes(b -> b.bucket(s3.bucket()).key(early.key(1)))
        .asByteArray();
    s3.client().putObject(b -> b.bucket(s3.bucket()).key(early.key(3)), RequestBody.fromBytes(copy));
    early.refresh(0);

    List<WalSegment> due = early.compactable(Instant.now().plusSeconds(1), Long.MAX_VALUE);

    assertThat(due).extracting(WalSegment::sequence).containsExactly(first.sequence(), 3L);
    assertThat(s3.client().headObject(b -> b.bucket(s3.bucket()).key(early.key(2))).contentLength())
        .as("number 2 is a tombstone now").isZero();
    WalSegment lateOne = write(late, "fake", "late");
    assertThat(lateOne.sequence()).as("the late writer's claim of 2 failed; it moved on").isEqualTo(4);
  }

  @Test
  void aNumberAboveEverythingIsNotAGapYet() throws Exception {
    ObjectStoreWal wal = openWal();
    write(wal, "fake", "one");
    // Number 2 may be in flight at another writer: nothing above it exists, so no tombstone.
    assertThat(wal.compactable(Instant.now().plusSeconds(1), Long.MAX_VALUE)).hasSize(1);
    assertThat(write(wal, "fake", "two").sequence()).isEqualTo(2);
  }

  private WalSegment write(ObjectStoreWal wal, String tenant, String body) throws Exception {
    var built = LogsBatchBuilder.build(request("svc", line(T0, body)), tenant, T0, allocator);
    try (VectorSchemaRoot batch = built.batch()) {
      Map<String, String> footer =
          Map.of(
              WalDirectory.MIN_TS_KEY, Long.toString(T0),
              WalDirectory.MAX_TS_KEY, Long.toString(T0),
              WalDirectory.TENANT_KEY, tenant,
              WalDirectory.FINGERPRINTS_KEY, "");
      return wal.write(
          new WalStore.PendingSegment(tenant, T0, T0, 1),
          out -> ArrowParquetWriter.write(
              LogsTable.SCHEMA, List.of(batch), out, footer, ArrowParquetWriter.Options.WAL));
    }
  }

  private String tenantInFooter(WalSegment segment) throws Exception {
    try (ParquetFileReader reader =
        ParquetFileReader.open(IcebergParquetFiles.input(io.newInputFile(segment.location())))) {
      return reader.getFooter().getFileMetaData().getKeyValueMetaData().get(WalDirectory.TENANT_KEY);
    }
  }

}
