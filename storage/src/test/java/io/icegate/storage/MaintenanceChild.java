package io.icegate.storage;

import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.maintenance.MaintenancePolicy;
import io.icegate.storage.table.LogsTable;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A process that maintains the {@code logs} table of a lake on S3 + Nessie once, for {@link
 * MaintenanceS3NessieTest} to kill with SIGKILL while it works. Arguments: data dir, Nessie API
 * v2 URI, branch, S3 endpoint, bucket, key prefix, how far ahead its clock runs (seconds), the
 * compaction lease's TTL (seconds).
 */
public final class MaintenanceChild {
  private MaintenanceChild() {}

  public static void main(String[] args) throws Exception {
    LakeConfig config =
        LakeConfig.local(Path.of(args[0]))
            .withCatalog(new LakeConfig.Catalog.Nessie(URI.create(args[1]), args[2], null))
            .withStorage(
                new LakeConfig.Storage.S3(
                    args[4], args[5], URI.create(args[3]), "us-east-1", true,
                    io.icegate.storage.servers.ObjectStoreServers.ACCESS_KEY,
                    io.icegate.storage.servers.ObjectStoreServers.SECRET_KEY))
            .withWal(Duration.ofMillis(1), Duration.ZERO)
            .withCompaction(
                new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ZERO), Duration.ZERO,
                Duration.ofSeconds(Long.parseLong(args[7])))
            .withMaintenance(
                new MaintenancePolicy(Duration.ofHours(1), 1, Duration.ofDays(1), 100_000));
    try (Lake lake = Lake.open(config)) {
      System.out.println("maintaining");
      System.out.flush();
      var result =
          lake.maintain(
              LogsTable.NAME,
              MaintenanceFixtures.ahead(Duration.ofSeconds(Long.parseLong(args[6]))));
      System.out.println("done " + result);
    }
  }
}
