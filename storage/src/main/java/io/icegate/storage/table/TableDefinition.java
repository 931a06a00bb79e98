package io.icegate.storage.table;

import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.TableProperties;

/**
 * What the catalog needs to create one of the lake's tables: its name, schema, partition spec,
 * sort order and table properties. Every table of the lake has {@code tenant_id} and a
 * {@code timestamp_ns} column named {@code timestamp}, which the WAL, the scan and compaction
 * rely on.
 */
public record TableDefinition(
    String name, Schema schema, PartitionSpec spec, SortOrder sortOrder,
    Map<String, String> properties) {

  /** The column every table is partitioned and pruned by first. */
  public static final String TENANT_ID = "tenant_id";

  /** The nanosecond time column every table is partitioned (by day) and pruned by. */
  public static final String TIMESTAMP = "timestamp";

  /**
   * Properties shared by every table: format v3 (needed for {@code timestamp_ns}), Parquet with
   * ZSTD, and 16 MiB row groups — compacted files are sorted by the columns queries select on
   * (service, stream, metric, series, trace), so small row groups let min/max statistics skip
   * most of a file (Iceberg's default, 128 MiB, makes a file one row group).
   */
  static Map<String, String> defaultProperties() {
    return Map.of(
        TableProperties.FORMAT_VERSION, "3",
        TableProperties.PARQUET_COMPRESSION, "zstd",
        TableProperties.DEFAULT_FILE_FORMAT, "parquet",
        TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, Integer.toString(16 << 20));
  }

  /** {@code identity(tenant_id)} + {@code day(timestamp)}, the seed system's spec. */
  static PartitionSpec tenantDay(Schema schema) {
    return PartitionSpec.builderFor(schema)
        .identity(TENANT_ID)
        .day(TIMESTAMP, "timestamp_day")
        .build();
  }
}
