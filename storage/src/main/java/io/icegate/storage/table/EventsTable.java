package io.icegate.storage.table;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import org.apache.iceberg.NullOrder;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.types.Types;

/**
 * The {@code events} table: OpenTelemetry events — log records that carry an event name (the
 * LogRecord {@code event_name} field, or the older {@code event.name} attribute). Such a record
 * is stored in {@code logs} too, so LogQL sees every record; this table lets event queries (and,
 * later, alert state changes) read a small table sorted by event name instead of scanning logs.
 *
 * <p>Field ids are the seed system's (NOTES.md §1.3), times in nanoseconds; {@code event_domain}
 * is optional here, since OpenTelemetry dropped {@code event.domain} (it is kept when a record's
 * attributes carry it). Added: severity, body, flags, scope name/version, dropped count.
 */
public final class EventsTable {
  public static final String NAME = "events";

  public static final String TENANT_ID = TableDefinition.TENANT_ID;
  public static final String SERVICE_NAME = "service_name";
  public static final String TIMESTAMP = TableDefinition.TIMESTAMP;
  public static final String OBSERVED_TIMESTAMP = "observed_timestamp";
  public static final String INGESTED_TIMESTAMP = "ingested_timestamp";
  public static final String EVENT_DOMAIN = "event_domain";
  public static final String EVENT_NAME = "event_name";
  public static final String TRACE_ID = "trace_id";
  public static final String SPAN_ID = "span_id";
  public static final String RESOURCE_ATTRIBUTES = "resource_attributes";
  public static final String SCOPE_ATTRIBUTES = "scope_attributes";
  public static final String LOG_ATTRIBUTES = "log_attributes";
  public static final String SEVERITY_NUMBER = "severity_number";
  public static final String SEVERITY_TEXT = "severity_text";
  public static final String BODY = "body";
  public static final String FLAGS = "flags";
  public static final String SCOPE_NAME = "scope_name";
  public static final String SCOPE_VERSION = "scope_version";
  public static final String DROPPED_ATTRIBUTES_COUNT = "dropped_attributes_count";

  private static Types.MapType stringMap(int keyId, int valueId) {
    return Types.MapType.ofRequired(keyId, valueId, Types.StringType.get(), Types.StringType.get());
  }

  public static final Schema SCHEMA =
      new Schema(
          required(1, TENANT_ID, Types.StringType.get()),
          optional(2, SERVICE_NAME, Types.StringType.get()),
          required(3, TIMESTAMP, Types.TimestampNanoType.withoutZone()),
          required(4, OBSERVED_TIMESTAMP, Types.TimestampNanoType.withoutZone()),
          required(5, INGESTED_TIMESTAMP, Types.TimestampNanoType.withoutZone()),
          optional(6, EVENT_DOMAIN, Types.StringType.get()),
          required(7, EVENT_NAME, Types.StringType.get()),
          optional(8, TRACE_ID, Types.FixedType.ofLength(16)),
          optional(9, SPAN_ID, Types.FixedType.ofLength(8)),
          required(13, RESOURCE_ATTRIBUTES, stringMap(14, 15)),
          required(16, SCOPE_ATTRIBUTES, stringMap(17, 18)),
          required(19, LOG_ATTRIBUTES, stringMap(20, 21)),
          optional(22, SEVERITY_NUMBER, Types.IntegerType.get()),
          optional(23, SEVERITY_TEXT, Types.StringType.get()),
          optional(24, BODY, Types.StringType.get()),
          optional(25, FLAGS, Types.IntegerType.get()),
          optional(26, SCOPE_NAME, Types.StringType.get()),
          optional(27, SCOPE_VERSION, Types.StringType.get()),
          optional(28, DROPPED_ATTRIBUTES_COUNT, Types.IntegerType.get()));

  public static final PartitionSpec PARTITION_SPEC = TableDefinition.tenantDay(SCHEMA);

  /** A service's events of one name together, newest first. */
  public static final SortOrder SORT_ORDER =
      SortOrder.builderFor(SCHEMA)
          .asc(SERVICE_NAME, NullOrder.NULLS_FIRST)
          .asc(EVENT_NAME, NullOrder.NULLS_FIRST)
          .desc(TIMESTAMP, NullOrder.NULLS_FIRST)
          .build();

  public static final TableDefinition DEFINITION =
      new TableDefinition(
          NAME, SCHEMA, PARTITION_SPEC, SORT_ORDER, TableDefinition.defaultProperties());

  private EventsTable() {}
}
