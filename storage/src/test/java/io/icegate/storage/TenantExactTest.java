package io.icegate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.table.LogsTable;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scan may promise "only the request's tenant" (letting filters skip the per-row tenant
 * comparison) only while every partition spec of the table partitions by the tenant.
 */
class TenantExactTest {
  @TempDir Path dir;

  @Test
  void exactWhileEverySpecPartitionsByTenant() throws Exception {
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1))) {
      for (String table : new String[] {"logs", "spans", "metrics", "events"}) {
        assertThat(lake.scanner().tenantExact(table)).as(table).isTrue();
      }
      Table logs = lake.table(LogsTable.NAME).table();
      logs.updateSpec().removeField(LogsTable.TENANT_ID).commit();
      logs.refresh();
      // Files written under the new spec could mix tenants; old specs still count.
      assertThat(lake.scanner().tenantExact(LogsTable.NAME)).isFalse();
    }
  }
}
