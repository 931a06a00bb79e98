package io.icegate.storage.table;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import org.apache.iceberg.NullOrder;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.types.Types;

/**
 * The {@code logs} table: one row per OTLP LogRecord.
 *
 * <p>Field ids 1–9 and 13–21 are the seed system's (shared/reference/icegate/NOTES.md §1.1) so
 * that its column meanings carry over; ids 10–12 are retired there and never reused. Where the
 * seed loses information we add columns with fresh ids: nanosecond time (Iceberg v3
 * {@code timestamp_ns}, because Loki returns nanoseconds and the seed's microseconds round them),
 * severity number, flags, scope name/version, event name, dropped-attribute count, and the
 * {@code stream_labels} column: the Loki index labels of the row's stream in one canonical string
 * (see {@code LabelSetCodec}), promoted so that stream selection reads one dictionary-encoded
 * column instead of the attribute maps, which the vectorized reader cannot read.
 */
public final class LogsTable {
  public static final String NAME = "logs";

  public static final String TENANT_ID = "tenant_id";
  public static final String SERVICE_NAME = "service_name";
  public static final String TIMESTAMP = "timestamp";
  public static final String OBSERVED_TIMESTAMP = "observed_timestamp";
  public static final String INGESTED_TIMESTAMP = "ingested_timestamp";
  public static final String TRACE_ID = "trace_id";
  public static final String SPAN_ID = "span_id";
  public static final String SEVERITY_TEXT = "severity_text";
  public static final String BODY = "body";
  public static final String RESOURCE_ATTRIBUTES = "resource_attributes";
  public static final String SCOPE_ATTRIBUTES = "scope_attributes";
  public static final String LOG_ATTRIBUTES = "log_attributes";
  public static final String SEVERITY_NUMBER = "severity_number";
  public static final String FLAGS = "flags";
  public static final String SCOPE_NAME = "scope_name";
  public static final String SCOPE_VERSION = "scope_version";
  public static final String EVENT_NAME = "event_name";
  public static final String DROPPED_ATTRIBUTES_COUNT = "dropped_attributes_count";
  public static final String STREAM_LABELS = "stream_labels";

  public static final Schema SCHEMA =
      new Schema(
          required(1, TENANT_ID, Types.StringType.get()),
          optional(2, SERVICE_NAME, Types.StringType.get()),
          required(3, TIMESTAMP, Types.TimestampNanoType.withoutZone()),
          required(4, OBSERVED_TIMESTAMP, Types.TimestampNanoType.withoutZone()),
          required(5, INGESTED_TIMESTAMP, Types.TimestampNanoType.withoutZone()),
          optional(6, TRACE_ID, Types.FixedType.ofLength(16)),
          optional(7, SPAN_ID, Types.FixedType.ofLength(8)),
          optional(8, SEVERITY_TEXT, Types.StringType.get()),
          optional(9, BODY, Types.StringType.get()),
          required(
              13,
              RESOURCE_ATTRIBUTES,
              Types.MapType.ofRequired(14, 15, Types.StringType.get(), Types.StringType.get())),
          required(
              16,
              SCOPE_ATTRIBUTES,
              Types.MapType.ofRequired(17, 18, Types.StringType.get(), Types.StringType.get())),
          required(
              19,
              LOG_ATTRIBUTES,
              Types.MapType.ofRequired(20, 21, Types.StringType.get(), Types.StringType.get())),
          optional(22, SEVERITY_NUMBER, Types.IntegerType.get()),
          optional(23, FLAGS, Types.IntegerType.get()),
          optional(24, SCOPE_NAME, Types.StringType.get()),
          optional(25, SCOPE_VERSION, Types.StringType.get()),
          optional(26, EVENT_NAME, Types.StringType.get()),
          optional(27, DROPPED_ATTRIBUTES_COUNT, Types.IntegerType.get()),
          required(28, STREAM_LABELS, Types.StringType.get()));

  /** Tenant first so every scan prunes to one tenant; days keep partitions few and large. */
  public static final PartitionSpec PARTITION_SPEC = TableDefinition.tenantDay(SCHEMA);

  /** Stream selection filters first, then newest-first time as Loki's default direction reads. */
  public static final SortOrder SORT_ORDER =
      SortOrder.builderFor(SCHEMA)
          .asc(SERVICE_NAME, NullOrder.NULLS_FIRST)
          .asc(STREAM_LABELS, NullOrder.NULLS_FIRST)
          .desc(TIMESTAMP, NullOrder.NULLS_FIRST)
          .build();

  public static final TableDefinition DEFINITION =
      new TableDefinition(
          NAME, SCHEMA, PARTITION_SPEC, SORT_ORDER, TableDefinition.defaultProperties());

  private LogsTable() {}
}
