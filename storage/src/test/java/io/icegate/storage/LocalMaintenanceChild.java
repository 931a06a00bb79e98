package io.icegate.storage;

import io.icegate.storage.table.LogsTable;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A process that maintains the {@code logs} table of a lake on local disk with the embedded
 * catalog once, for {@link ExpiryKillTest} to kill with SIGKILL inside the expiry's commit.
 * Arguments: data dir, how far ahead its clock runs (seconds).
 */
public final class LocalMaintenanceChild {
  private LocalMaintenanceChild() {}

  public static void main(String[] args) throws Exception {
    try (Lake lake = Lake.open(ExpiryKillTest.config(Path.of(args[0])))) {
      System.out.println("maintaining");
      System.out.flush();
      var result =
          lake.maintain(
              LogsTable.NAME,
              MaintenanceFixtures.ahead(Duration.ofSeconds(Long.parseLong(args[1]))));
      System.out.println("done " + result);
    }
  }
}
