package io.icegate.storage.table;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import org.apache.iceberg.NullOrder;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.types.Types;

/**
 * The {@code metrics} table: one row per data point, every OTLP point type in one table (the
 * columns a type does not use are null), and Prometheus remote-write samples in the same shape.
 *
 * <p>Field ids follow the seed system's (NOTES.md §1.4), with nanosecond times. Added for PromQL:
 * {@code metric_name} holds the <em>Prometheus</em> name (OTLP names translated as Prometheus's
 * OTLP receiver does; the family name without {@code _bucket}/{@code _sum}/{@code _count} for
 * histograms and summaries), {@code otel_metric_name} the name as sent, {@code series_labels}
 * the series' Prometheus labels (without {@code __name__}) in the canonical form of {@code
 * LabelSetCodec}, and {@code series_id} a stable 64-bit fingerprint of it. A series is
 * {@code (metric_name, series_id)}; rows are sorted by it, then time, so a selector reads each
 * series as one run and the statistics of both columns prune files and row groups. See
 * docs/storage-tables.md for the decisions (temporality, staleness, remote-write mapping).
 */
public final class MetricsTable {
  public static final String NAME = "metrics";

  public static final String TENANT_ID = TableDefinition.TENANT_ID;
  public static final String SERVICE_NAME = "service_name";
  public static final String SERVICE_INSTANCE_ID = "service_instance_id";
  public static final String TIMESTAMP = TableDefinition.TIMESTAMP;
  public static final String START_TIMESTAMP = "start_timestamp";
  public static final String INGESTED_TIMESTAMP = "ingested_timestamp";
  public static final String METRIC_NAME = "metric_name";
  public static final String METRIC_TYPE = "metric_type";
  public static final String DESCRIPTION = "description";
  public static final String UNIT = "unit";
  public static final String AGGREGATION_TEMPORALITY = "aggregation_temporality";
  public static final String IS_MONOTONIC = "is_monotonic";
  public static final String DATA_POINT_ATTRIBUTES = "data_point_attributes";
  public static final String VALUE_DOUBLE = "value_double";
  public static final String VALUE_INT = "value_int";
  public static final String COUNT = "count";
  public static final String SUM = "sum";
  public static final String MIN = "min";
  public static final String MAX = "max";
  public static final String BUCKET_COUNTS = "bucket_counts";
  public static final String EXPLICIT_BOUNDS = "explicit_bounds";
  public static final String SCALE = "scale";
  public static final String ZERO_COUNT = "zero_count";
  public static final String ZERO_THRESHOLD = "zero_threshold";
  public static final String POSITIVE_OFFSET = "positive_offset";
  public static final String POSITIVE_BUCKET_COUNTS = "positive_bucket_counts";
  public static final String NEGATIVE_OFFSET = "negative_offset";
  public static final String NEGATIVE_BUCKET_COUNTS = "negative_bucket_counts";
  public static final String QUANTILE_VALUES = "quantile_values";
  public static final String FLAGS = "flags";
  public static final String EXEMPLARS = "exemplars";
  public static final String METADATA = "metadata";
  public static final String RESOURCE_ATTRIBUTES = "resource_attributes";
  public static final String SCOPE_ATTRIBUTES = "scope_attributes";
  public static final String OTEL_METRIC_NAME = "otel_metric_name";
  public static final String SERIES_LABELS = "series_labels";
  public static final String SERIES_ID = "series_id";
  public static final String SCOPE_NAME = "scope_name";
  public static final String SCOPE_VERSION = "scope_version";

  /**
   * A native histogram's counts when one of them is not a whole number (a Prometheus float
   * histogram: a remote-write {@code FloatHistogram}, a recording rule's {@code rate()}): the
   * exact values, beside the integer columns, which then hold them rounded to the nearest whole
   * number (so readers of the seed's layout see the histogram approximately, and every histogram
   * row keeps a {@code count}). Null on every other row. Added after the seed's layout; a table
   * created before them gets them on open ({@code catalog.SchemaUpgrade}).
   */
  public static final String COUNT_DOUBLE = "count_double";
  public static final String ZERO_COUNT_DOUBLE = "zero_count_double";
  public static final String BUCKET_COUNTS_DOUBLE = "bucket_counts_double";
  public static final String POSITIVE_BUCKET_COUNTS_DOUBLE = "positive_bucket_counts_double";
  public static final String NEGATIVE_BUCKET_COUNTS_DOUBLE = "negative_bucket_counts_double";

  /** Fields of an element of {@code quantile_values}. */
  public static final String QUANTILE = "quantile";
  public static final String QUANTILE_VALUE = "value";

  /** Fields of an element of {@code exemplars}. */
  public static final String EXEMPLAR_TIMESTAMP = "timestamp";
  public static final String EXEMPLAR_VALUE_DOUBLE = "value_double";
  public static final String EXEMPLAR_VALUE_INT = "value_int";
  public static final String EXEMPLAR_SPAN_ID = "span_id";
  public static final String EXEMPLAR_TRACE_ID = "trace_id";
  public static final String EXEMPLAR_ATTRIBUTES = "attributes";

  /** Values of {@code metric_type}. */
  public static final String GAUGE = "gauge";
  public static final String SUM_TYPE = "sum";
  public static final String HISTOGRAM = "histogram";
  public static final String EXPONENTIAL_HISTOGRAM = "exponential_histogram";
  public static final String SUMMARY = "summary";

  /** Values of {@code aggregation_temporality}. */
  public static final String DELTA = "DELTA";
  public static final String CUMULATIVE = "CUMULATIVE";

  /**
   * The bit of {@code flags} that marks a point without a value: OTLP's
   * {@code FLAG_NO_RECORDED_VALUE}, and how a Prometheus staleness marker is stored.
   */
  public static final int FLAG_NO_RECORDED_VALUE = 1;

  private static Types.MapType stringMap(int keyId, int valueId) {
    return Types.MapType.ofRequired(keyId, valueId, Types.StringType.get(), Types.StringType.get());
  }

  public static final Schema SCHEMA =
      new Schema(
          required(1, TENANT_ID, Types.StringType.get()),
          optional(2, SERVICE_NAME, Types.StringType.get()),
          optional(3, SERVICE_INSTANCE_ID, Types.StringType.get()),
          required(4, TIMESTAMP, Types.TimestampNanoType.withoutZone()),
          optional(5, START_TIMESTAMP, Types.TimestampNanoType.withoutZone()),
          required(6, INGESTED_TIMESTAMP, Types.TimestampNanoType.withoutZone()),
          required(7, METRIC_NAME, Types.StringType.get()),
          required(8, METRIC_TYPE, Types.StringType.get()),
          optional(9, DESCRIPTION, Types.StringType.get()),
          optional(10, UNIT, Types.StringType.get()),
          optional(11, AGGREGATION_TEMPORALITY, Types.StringType.get()),
          optional(12, IS_MONOTONIC, Types.BooleanType.get()),
          required(13, DATA_POINT_ATTRIBUTES, stringMap(32, 33)),
          optional(14, VALUE_DOUBLE, Types.DoubleType.get()),
          optional(15, VALUE_INT, Types.LongType.get()),
          optional(16, COUNT, Types.LongType.get()),
          optional(17, SUM, Types.DoubleType.get()),
          optional(18, MIN, Types.DoubleType.get()),
          optional(19, MAX, Types.DoubleType.get()),
          optional(20, BUCKET_COUNTS, Types.ListType.ofRequired(44, Types.LongType.get())),
          optional(21, EXPLICIT_BOUNDS, Types.ListType.ofRequired(45, Types.DoubleType.get())),
          optional(22, SCALE, Types.IntegerType.get()),
          optional(23, ZERO_COUNT, Types.LongType.get()),
          optional(24, ZERO_THRESHOLD, Types.DoubleType.get()),
          optional(25, POSITIVE_OFFSET, Types.IntegerType.get()),
          optional(
              26, POSITIVE_BUCKET_COUNTS, Types.ListType.ofRequired(46, Types.LongType.get())),
          optional(27, NEGATIVE_OFFSET, Types.IntegerType.get()),
          optional(
              28, NEGATIVE_BUCKET_COUNTS, Types.ListType.ofRequired(47, Types.LongType.get())),
          optional(
              29,
              QUANTILE_VALUES,
              Types.ListType.ofRequired(
                  48,
                  Types.StructType.of(
                      required(36, QUANTILE, Types.DoubleType.get()),
                      required(37, QUANTILE_VALUE, Types.DoubleType.get())))),
          optional(30, FLAGS, Types.IntegerType.get()),
          optional(
              31,
              EXEMPLARS,
              Types.ListType.ofRequired(
                  49,
                  Types.StructType.of(
                      optional(38, EXEMPLAR_TIMESTAMP, Types.TimestampNanoType.withoutZone()),
                      optional(39, EXEMPLAR_VALUE_DOUBLE, Types.DoubleType.get()),
                      optional(40, EXEMPLAR_VALUE_INT, Types.LongType.get()),
                      optional(41, EXEMPLAR_SPAN_ID, Types.FixedType.ofLength(8)),
                      optional(42, EXEMPLAR_TRACE_ID, Types.FixedType.ofLength(16)),
                      required(43, EXEMPLAR_ATTRIBUTES, stringMap(34, 35))))),
          optional(50, METADATA, stringMap(51, 52)),
          required(53, RESOURCE_ATTRIBUTES, stringMap(54, 55)),
          required(56, SCOPE_ATTRIBUTES, stringMap(57, 58)),
          optional(59, OTEL_METRIC_NAME, Types.StringType.get()),
          required(60, SERIES_LABELS, Types.StringType.get()),
          required(61, SERIES_ID, Types.LongType.get()),
          optional(62, SCOPE_NAME, Types.StringType.get()),
          optional(63, SCOPE_VERSION, Types.StringType.get()),
          // Ids in the order Iceberg's addColumn assigns them (a column, then its element) after
          // 63, so a table upgraded on open gets the same ids as one created with them.
          optional(64, COUNT_DOUBLE, Types.DoubleType.get()),
          optional(65, ZERO_COUNT_DOUBLE, Types.DoubleType.get()),
          optional(
              66, BUCKET_COUNTS_DOUBLE, Types.ListType.ofRequired(67, Types.DoubleType.get())),
          optional(
              68,
              POSITIVE_BUCKET_COUNTS_DOUBLE,
              Types.ListType.ofRequired(69, Types.DoubleType.get())),
          optional(
              70,
              NEGATIVE_BUCKET_COUNTS_DOUBLE,
              Types.ListType.ofRequired(71, Types.DoubleType.get())));

  public static final PartitionSpec PARTITION_SPEC = TableDefinition.tenantDay(SCHEMA);

  /** Each series as one run in time order: what selectors and range windows read. */
  public static final SortOrder SORT_ORDER =
      SortOrder.builderFor(SCHEMA)
          .asc(METRIC_NAME, NullOrder.NULLS_FIRST)
          .asc(SERIES_ID, NullOrder.NULLS_FIRST)
          .asc(TIMESTAMP, NullOrder.NULLS_FIRST)
          .build();

  public static final TableDefinition DEFINITION =
      new TableDefinition(
          NAME, SCHEMA, PARTITION_SPEC, SORT_ORDER, TableDefinition.defaultProperties());

  private MetricsTable() {}

  /**
   * The {@code series_id} of a {@code series_labels} string: 64-bit FNV-1a over its UTF-8 bytes.
   * Stored, so it must never change; a collision only merges two series' sort runs, never their
   * identity, which is {@code series_labels} itself.
   */
  public static long seriesId(String seriesLabels) {
    long hash = 0xcbf29ce484222325L;
    byte[] bytes = seriesLabels.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (byte b : bytes) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }
}
