package io.icegate.storage;

import static io.icegate.storage.LakeRows.append;
import static io.icegate.storage.LakeRows.bodies;
import static io.icegate.storage.MaintenanceFixtures.ahead;
import static io.icegate.storage.MaintenanceFixtures.currentFiles;
import static io.icegate.storage.MaintenanceFixtures.exists;
import static io.icegate.storage.MaintenanceFixtures.rewriteAsCopy;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.catalog.LakeCatalog;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.maintenance.MaintenancePolicy;
import io.icegate.storage.maintenance.TableMaintenance;
import io.icegate.storage.servers.ObjectStoreServers;
import io.icegate.storage.table.LogsTable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.arrow.memory.RootAllocator;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StaticTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.projectnessie.client.NessieClientBuilder;
import org.projectnessie.client.api.NessieApiV2;
import org.projectnessie.model.Branch;
import org.projectnessie.model.ContentKey;
import org.projectnessie.model.IcebergTable;
import org.projectnessie.model.Reference;
import org.projectnessie.model.Tag;

/**
 * Maintenance with other Nessie references: a tag and a branch made from the lake's branch keep
 * a snapshot whose data file, manifest list and manifests the lake's branch stops referencing
 * (a rewrite, then expiry). On the real Nessie server and S3Mock, maintenance of the lake's
 * branch expires that snapshot from its own metadata but deletes none of those files while a
 * reference still holds them — the tag's table reads its row — and still deletes a truly
 * orphaned file. Once the tag and the branch are deleted, the next run deletes the files as the
 * orphans they have become.
 */
@ExtendWith(ObjectStoreServers.class)
class NessieReferencesMaintenanceTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final Compactor.Policy NOW =
      new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ZERO);
  private static final MaintenancePolicy KEEP_ONE_FOR_AN_HOUR =
      new MaintenancePolicy(Duration.ofHours(1), 1, Duration.ofDays(1), 10_000);

  private static ObjectStoreServers.Endpoints servers;

  @TempDir Path dir;
  private RootAllocator allocator;
  private String branch;
  private LakeConfig.Storage.S3 storage;
  private NessieApiV2 nessie;

  @BeforeAll
  static void servers(ObjectStoreServers.Endpoints endpoints) {
    servers = endpoints;
  }

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    branch = servers.newBranch("references");
    storage = servers.freshStorage();
    nessie =
        NessieClientBuilder.createClientBuilderFromSystemSettings()
            .withUri(servers.nessieApiV2())
            .build(NessieApiV2.class);
  }

  @AfterEach
  void tearDown() {
    nessie.close();
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  private LakeConfig config() {
    return LakeConfig.local(dir)
        .withCatalog(new LakeConfig.Catalog.Nessie(servers.nessieApiV2(), branch, null))
        .withStorage(storage)
        .withWal(Duration.ofMillis(1), Duration.ZERO)
        .withCompaction(NOW, Duration.ZERO, Duration.ofMinutes(10))
        .withMaintenance(KEEP_ONE_FOR_AN_HOUR);
  }

  @Test
  void filesOtherBranchesAndTagsHoldSurviveMaintenanceUntilTheyAreDeleted() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String tag = "kept-" + suffix;
    String keptBranch = "experiment-" + suffix;
    try (Lake lake = Lake.open(config())) {
      Table table = lake.table(LogsTable.NAME).table();
      append(lake, allocator, "fake", "a", T0, "one", null);
      lake.compact();
      Snapshot first = table.currentSnapshot();
      DataFile one = currentFiles(table).get(0);
      List<String> firstManifests = manifests(table, first);

      // A tag and a branch at this state of the lake's branch.
      String hash = nessie.getReference().refName(branch).get().getHash();
      Reference tagRef =
          nessie.createReference().sourceRefName(branch).reference(Tag.of(tag, hash)).create();
      Reference branchRef =
          nessie.createReference().sourceRefName(branch)
              .reference(Branch.of(keptBranch, hash)).create();

      // The lake's branch moves on: `one` rewritten to a copy, then a new compaction.
      rewriteAsCopy(table, one);
      append(lake, allocator, "fake", "a", T0 + 1, "two", null);
      lake.compact();
      String orphan = table.location() + "/data/killed-run/orphan-" + suffix + ".parquet";
      try (var out = table.io().newOutputFile(orphan).create()) {
        out.write(new byte[] {'P', 'A', 'R', '1'});
      }

      // 1. Both references hold `one`: the first snapshot leaves the branch's metadata, its
      // files stay; the real orphan goes.
      TableMaintenance.Result withBoth = lake.maintain(LogsTable.NAME, ahead(Duration.ofDays(2)));
      assertThat(withBoth.skipped()).isNull();
      assertThat(withBoth.expiredSnapshots()).isGreaterThanOrEqualTo(1);
      assertThat(table.snapshot(first.snapshotId())).isNull();
      assertThat(exists(table, one.location())).isTrue();
      assertThat(exists(table, first.manifestListLocation())).isTrue();
      assertThat(firstManifests).allMatch(m -> exists(table, m));
      assertThat(exists(table, orphan)).isFalse();
      assertThat(bodiesAt(tag, table)).containsExactly("one");
      assertThat(bodiesAt(keptBranch, table)).containsExactly("one");
      assertThat(bodies(lake, allocator, "fake")).containsExactlyInAnyOrder("one", "two");

      // 2. The tag deleted: the branch still holds them.
      nessie.deleteReference().refName(tag).hash(tagRef.getHash()).delete();
      TableMaintenance.Result withBranch =
          lake.maintain(LogsTable.NAME, ahead(Duration.ofDays(2)));
      assertThat(withBranch.orphanFiles()).isZero();
      assertThat(exists(table, one.location())).isTrue();
      assertThat(bodiesAt(keptBranch, table)).containsExactly("one");

      // 3. The branch deleted too: nothing holds them any more, and they go as orphans.
      nessie.deleteReference().refName(keptBranch).hash(branchRef.getHash()).delete();
      TableMaintenance.Result alone = lake.maintain(LogsTable.NAME, ahead(Duration.ofDays(2)));
      assertThat(alone.orphanFiles()).isGreaterThanOrEqualTo(2 + firstManifests.size());
      assertThat(exists(table, one.location())).isFalse();
      assertThat(exists(table, first.manifestListLocation())).isFalse();
      assertThat(firstManifests).noneMatch(m -> exists(table, m));
      assertThat(bodies(lake, allocator, "fake")).containsExactlyInAnyOrder("one", "two");
    }
  }

  /** The manifests of {@code snapshot}. */
  private static List<String> manifests(Table table, Snapshot snapshot) {
    List<String> out = new ArrayList<>();
    snapshot.allManifests(table.io()).forEach(m -> out.add(m.path()));
    return out;
  }

  /** The bodies in the lake's `logs` table at the head of Nessie reference {@code ref}. */
  private List<String> bodiesAt(String ref, Table table) throws Exception {
    ContentKey key = ContentKey.of(LakeCatalog.NAMESPACE.level(0), LogsTable.NAME);
    IcebergTable content =
        nessie.getContent().refName(ref).key(key).get().get(key).unwrap(IcebergTable.class)
            .orElseThrow();
    Table atRef =
        new BaseTable(
            new StaticTableOperations(content.getMetadataLocation(), table.io()), ref);
    List<String> out = new ArrayList<>();
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(atRef).select(LogsTable.BODY).build()) {
      rows.forEach(r -> out.add(String.valueOf(r.getField(LogsTable.BODY))));
    }
    return out;
  }
}
