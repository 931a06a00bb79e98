package io.icegate.storage.table;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import org.apache.iceberg.NullOrder;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.types.Types;

/**
 * The {@code spans} table: one row per OTLP Span, with its events and links nested in it.
 *
 * <p>Field ids follow the seed system's (shared/reference/icegate/NOTES.md §1.2) where a column
 * keeps its meaning; its times are nanoseconds here ({@code timestamp_ns}, since Tempo answers in
 * nanoseconds and durations below a microsecond are common), and its {@code duration_micros}
 * (id 9, retired) becomes {@code duration_nanos} under a fresh id. Added: scope name and version.
 *
 * <p>Ids are raw bytes: {@code trace_id} {@code fixed[16]}, span ids {@code fixed[8]}, as the
 * seed stores them — half the size of hex, min/max statistics and sorting work bytewise, and the
 * APIs hex-encode at their edge. Rows are sorted by trace id, then start time, so the spans of one
 * trace sit together and a trace-by-id lookup reads one narrow range of one row group.
 */
public final class SpansTable {
  public static final String NAME = "spans";

  public static final String TENANT_ID = TableDefinition.TENANT_ID;
  public static final String SERVICE_NAME = "service_name";
  public static final String TRACE_ID = "trace_id";
  public static final String SPAN_ID = "span_id";
  public static final String PARENT_SPAN_ID = "parent_span_id";
  public static final String TIMESTAMP = TableDefinition.TIMESTAMP;
  public static final String END_TIMESTAMP = "end_timestamp";
  public static final String INGESTED_TIMESTAMP = "ingested_timestamp";
  public static final String DURATION_NANOS = "duration_nanos";
  public static final String TRACE_STATE = "trace_state";
  public static final String NAME_COLUMN = "name";
  public static final String KIND = "kind";
  public static final String STATUS_CODE = "status_code";
  public static final String STATUS_MESSAGE = "status_message";
  public static final String RESOURCE_ATTRIBUTES = "resource_attributes";
  public static final String FLAGS = "flags";
  public static final String DROPPED_ATTRIBUTES_COUNT = "dropped_attributes_count";
  public static final String DROPPED_EVENTS_COUNT = "dropped_events_count";
  public static final String DROPPED_LINKS_COUNT = "dropped_links_count";
  public static final String EVENTS = "events";
  public static final String LINKS = "links";
  public static final String SPAN_ATTRIBUTES = "span_attributes";
  public static final String SCOPE_ATTRIBUTES = "scope_attributes";
  public static final String SCOPE_NAME = "scope_name";
  public static final String SCOPE_VERSION = "scope_version";

  /** Fields of an element of {@code events}. */
  public static final String EVENT_TIMESTAMP = "timestamp";
  public static final String EVENT_NAME = "name";
  public static final String EVENT_ATTRIBUTES = "attributes";
  public static final String EVENT_DROPPED_ATTRIBUTES_COUNT = "dropped_attributes_count";

  /** Fields of an element of {@code links}. */
  public static final String LINK_TRACE_ID = "trace_id";
  public static final String LINK_SPAN_ID = "span_id";
  public static final String LINK_TRACE_STATE = "trace_state";
  public static final String LINK_ATTRIBUTES = "attributes";
  public static final String LINK_DROPPED_ATTRIBUTES_COUNT = "dropped_attributes_count";
  public static final String LINK_FLAGS = "flags";

  private static Types.MapType stringMap(int keyId, int valueId) {
    return Types.MapType.ofRequired(keyId, valueId, Types.StringType.get(), Types.StringType.get());
  }

  public static final Schema SCHEMA =
      new Schema(
          required(1, TENANT_ID, Types.StringType.get()),
          optional(2, SERVICE_NAME, Types.StringType.get()),
          required(3, TRACE_ID, Types.FixedType.ofLength(16)),
          required(4, SPAN_ID, Types.FixedType.ofLength(8)),
          optional(5, PARENT_SPAN_ID, Types.FixedType.ofLength(8)),
          required(6, TIMESTAMP, Types.TimestampNanoType.withoutZone()),
          required(7, END_TIMESTAMP, Types.TimestampNanoType.withoutZone()),
          required(8, INGESTED_TIMESTAMP, Types.TimestampNanoType.withoutZone()),
          optional(10, TRACE_STATE, Types.StringType.get()),
          required(11, NAME_COLUMN, Types.StringType.get()),
          optional(12, KIND, Types.IntegerType.get()),
          optional(13, STATUS_CODE, Types.IntegerType.get()),
          optional(14, STATUS_MESSAGE, Types.StringType.get()),
          required(15, RESOURCE_ATTRIBUTES, stringMap(16, 17)),
          optional(18, FLAGS, Types.IntegerType.get()),
          optional(19, DROPPED_ATTRIBUTES_COUNT, Types.IntegerType.get()),
          optional(20, DROPPED_EVENTS_COUNT, Types.IntegerType.get()),
          optional(21, DROPPED_LINKS_COUNT, Types.IntegerType.get()),
          optional(
              22,
              EVENTS,
              Types.ListType.ofRequired(
                  23,
                  Types.StructType.of(
                      required(24, EVENT_TIMESTAMP, Types.TimestampNanoType.withoutZone()),
                      required(25, EVENT_NAME, Types.StringType.get()),
                      required(26, EVENT_ATTRIBUTES, stringMap(27, 28)),
                      required(29, EVENT_DROPPED_ATTRIBUTES_COUNT, Types.IntegerType.get())))),
          optional(
              30,
              LINKS,
              Types.ListType.ofRequired(
                  31,
                  Types.StructType.of(
                      required(32, LINK_TRACE_ID, Types.FixedType.ofLength(16)),
                      required(33, LINK_SPAN_ID, Types.FixedType.ofLength(8)),
                      optional(34, LINK_TRACE_STATE, Types.StringType.get()),
                      required(35, LINK_ATTRIBUTES, stringMap(36, 37)),
                      required(38, LINK_DROPPED_ATTRIBUTES_COUNT, Types.IntegerType.get()),
                      optional(39, LINK_FLAGS, Types.IntegerType.get())))),
          required(40, SPAN_ATTRIBUTES, stringMap(41, 42)),
          required(43, SCOPE_ATTRIBUTES, stringMap(44, 45)),
          required(46, DURATION_NANOS, Types.LongType.get()),
          optional(47, SCOPE_NAME, Types.StringType.get()),
          optional(48, SCOPE_VERSION, Types.StringType.get()));

  public static final PartitionSpec PARTITION_SPEC = TableDefinition.tenantDay(SCHEMA);

  /** The spans of one trace together, in start order. */
  public static final SortOrder SORT_ORDER =
      SortOrder.builderFor(SCHEMA)
          .asc(TRACE_ID, NullOrder.NULLS_FIRST)
          .asc(TIMESTAMP, NullOrder.NULLS_FIRST)
          .build();

  public static final TableDefinition DEFINITION =
      new TableDefinition(
          NAME, SCHEMA, PARTITION_SPEC, SORT_ORDER, TableDefinition.defaultProperties());

  private SpansTable() {}
}
