package io.icegate.storage.ingest;

import com.google.protobuf.ByteString;
import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.loki.LabelSetCodec;
import io.icegate.protocol.prometheus.PrometheusOtlpNames;
import io.icegate.protocol.prometheus.RemoteWriteRequest;
import io.icegate.storage.table.ArrowSchemas;
import io.icegate.storage.table.MetricsTable;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Turns an OTLP metrics request into one Arrow batch in the {@code metrics} table's schema: one
 * row per data point of every type (gauge, sum, histogram, exponential histogram, summary), with
 * its exemplars, flags and start time, plus the promoted PromQL columns (the Prometheus metric
 * name, the series' label set and fingerprint). Prometheus remote-write requests go into the same
 * shape ({@link #build(RemoteWriteRequest, String, long, BufferAllocator)}).
 *
 * <p>A point that cannot be stored faithfully is rejected whole with its reason, for the OTLP
 * partial-success answer: no value (unless flagged as having none), no timestamp, an unspecified
 * temporality, inconsistent histogram buckets, a quantile outside [0, 1], an exponential scale
 * outside [-10, 20], ids of the wrong length in an exemplar, a name or attribute that translates
 * to nothing. Delta temporality is stored as sent and labelled so; the query layer decides what
 * to do with it (docs/storage-tables.md).
 */
public final class MetricsBatchBuilder {
  /** The metrics table as Arrow sees it; the WAL writes batches of exactly this shape. */
  public static final Schema ARROW_SCHEMA = ArrowSchemas.of(MetricsTable.SCHEMA);

  private static final int NO_RECORDED_VALUE = MetricsTable.FLAG_NO_RECORDED_VALUE;

  private MetricsBatchBuilder() {}

  /** Builds the batch for {@code tenant}; {@code nowNanos} stamps ingested_timestamp. */
  public static BatchResult build(
      ExportMetricsServiceRequest request, String tenant, long nowNanos,
      BufferAllocator allocator) {
    try (RowWriter w = new RowWriter(ARROW_SCHEMA, allocator)) {
      for (ResourceMetrics resourceMetrics : request.getResourceMetricsList()) {
        List<KeyValue> resource = resourceMetrics.getResource().getAttributesList();
        Context resourceContext =
            new Context(
                tenant, nowNanos, resource, AttributeFlattener.flatten(resource),
                AttributeFlattener.stringValue(resource, "service.name"),
                AttributeFlattener.stringValue(resource, "service.instance.id"));
        for (ScopeMetrics scopeMetrics : resourceMetrics.getScopeMetricsList()) {
          InstrumentationScope scope = scopeMetrics.getScope();
          SortedMap<String, String> scopeMap =
              AttributeFlattener.flatten(scope.getAttributesList());
          for (Metric metric : scopeMetrics.getMetricsList()) {
            addMetric(w, resourceContext, scope, scopeMap, metric);
          }
        }
      }
      return w.finish();
    }
  }

  /**
   * Builds the batch of a Prometheus remote-write request for {@code tenant}: float samples as
   * rows with {@code metric_name = __name__} (a staleness marker flagged as no recorded value),
   * native histograms as exponential-histogram rows (custom-bucket ones as
   * histogram rows), exemplars on their series' latest row, and the metadata the sender sent for
   * the metric family (type, unit, help). See {@link RemoteWriteRows}.
   */
  public static BatchResult build(
      RemoteWriteRequest request, String tenant, long nowNanos, BufferAllocator allocator) {
    try (RowWriter w = new RowWriter(ARROW_SCHEMA, allocator)) {
      RemoteWriteRows.write(request, tenant, nowNanos, w);
      return w.finish();
    }
  }

  /** What every row of one resource shares. */
  private record Context(
      String tenant, long nowNanos, List<KeyValue> resource,
      SortedMap<String, String> resourceMap, String service, String instance) {}

  private static void addMetric(
      RowWriter w, Context c, InstrumentationScope scope, SortedMap<String, String> scopeMap,
      Metric metric) {
    int points = pointCount(metric);
    if (metric.getDataCase() == Metric.DataCase.DATA_NOT_SET) {
      w.reject(0, "metric " + quote(metric.getName()) + " has no data (unknown metric type)");
      return;
    }
    String name;
    try {
      name = PrometheusOtlpNames.metricName(metric);
    } catch (ProtocolException e) {
      w.reject(points, e.getMessage());
      return;
    }
    String temporality = null;
    Boolean monotonic = null;
    AggregationTemporality t =
        switch (metric.getDataCase()) {
          case SUM -> metric.getSum().getAggregationTemporality();
          case HISTOGRAM -> metric.getHistogram().getAggregationTemporality();
          case EXPONENTIAL_HISTOGRAM ->
              metric.getExponentialHistogram().getAggregationTemporality();
          default -> null;
        };
    if (t != null) {
      temporality =
          switch (t) {
            case AGGREGATION_TEMPORALITY_DELTA -> MetricsTable.DELTA;
            case AGGREGATION_TEMPORALITY_CUMULATIVE -> MetricsTable.CUMULATIVE;
            default -> null;
          };
      if (temporality == null) {
        w.reject(
            points,
            "metric " + quote(metric.getName()) + " has an unspecified aggregation temporality");
        return;
      }
    }
    if (metric.getDataCase() == Metric.DataCase.SUM) {
      monotonic = metric.getSum().getIsMonotonic();
    }
    Shared shared =
        new Shared(c, scope, scopeMap, metric, name, type(metric), temporality, monotonic,
            metric.getMetadataCount() == 0
                ? null
                : AttributeFlattener.flatten(metric.getMetadataList()));
    switch (metric.getDataCase()) {
      case GAUGE -> metric.getGauge().getDataPointsList().forEach(p -> number(w, shared, p));
      case SUM -> metric.getSum().getDataPointsList().forEach(p -> number(w, shared, p));
      case HISTOGRAM ->
          metric.getHistogram().getDataPointsList().forEach(p -> histogram(w, shared, p));
      case EXPONENTIAL_HISTOGRAM ->
          metric.getExponentialHistogram().getDataPointsList()
              .forEach(p -> exponential(w, shared, p));
      case SUMMARY -> metric.getSummary().getDataPointsList().forEach(p -> summary(w, shared, p));
      case DATA_NOT_SET -> throw new AssertionError("handled above");
    }
  }

  /** What every row of one metric shares. */
  private record Shared(
      Context context, InstrumentationScope scope, SortedMap<String, String> scopeMap,
      Metric metric, String name, String type, String temporality, Boolean monotonic,
      SortedMap<String, String> metadata) {}

  private static void number(RowWriter w, Shared s, NumberDataPoint p) {
    boolean noValue = (p.getFlags() & NO_RECORDED_VALUE) != 0;
    if (p.getValueCase() == NumberDataPoint.ValueCase.VALUE_NOT_SET && !noValue) {
      w.reject(1, pointOf(s) + " has no value");
      return;
    }
    if (!begin(w, s, p.getAttributesList(), p.getTimeUnixNano(), p.getStartTimeUnixNano(),
        p.getFlags(), p.getExemplarsList())) {
      return;
    }
    switch (p.getValueCase()) {
      case AS_DOUBLE -> w.set(MetricsTable.VALUE_DOUBLE, p.getAsDouble());
      case AS_INT -> w.set(MetricsTable.VALUE_INT, p.getAsInt());
      case VALUE_NOT_SET -> { }
    }
    w.endRow();
  }

  private static void histogram(RowWriter w, Shared s, HistogramDataPoint p) {
    String problem = checkBuckets(p);
    if (problem != null) {
      w.reject(1, pointOf(s) + " " + problem);
      return;
    }
    if (!begin(w, s, p.getAttributesList(), p.getTimeUnixNano(), p.getStartTimeUnixNano(),
        p.getFlags(), p.getExemplarsList())) {
      return;
    }
    w.set(MetricsTable.COUNT, p.getCount());
    w.set(MetricsTable.SUM, p.hasSum() ? p.getSum() : null);
    w.set(MetricsTable.MIN, p.hasMin() ? p.getMin() : null);
    w.set(MetricsTable.MAX, p.hasMax() ? p.getMax() : null);
    w.set(MetricsTable.BUCKET_COUNTS, p.getBucketCountsList());
    w.set(MetricsTable.EXPLICIT_BOUNDS, p.getExplicitBoundsList());
    w.endRow();
  }

  private static String checkBuckets(HistogramDataPoint p) {
    List<Double> bounds = p.getExplicitBoundsList();
    for (int i = 0; i < bounds.size(); i++) {
      double b = bounds.get(i);
      if (Double.isNaN(b) || (i > 0 && !(b > bounds.get(i - 1)))) {
        return "has explicit bounds that are not strictly increasing";
      }
    }
    int buckets = p.getBucketCountsCount();
    if (buckets != 0 && buckets != bounds.size() + 1) {
      return "has " + buckets + " bucket counts for " + bounds.size()
          + " explicit bounds; OTLP requires one more count than bounds";
    }
    if (buckets != 0 && (p.getFlags() & NO_RECORDED_VALUE) == 0) {
      long total = 0;
      for (long count : p.getBucketCountsList()) {
        total += count;
      }
      if (total != p.getCount()) {
        return "has bucket counts adding up to " + Long.toUnsignedString(total)
            + " but a count of " + Long.toUnsignedString(p.getCount());
      }
    }
    return null;
  }

  private static void exponential(RowWriter w, Shared s, ExponentialHistogramDataPoint p) {
    String problem = checkExponential(p);
    if (problem != null) {
      w.reject(1, pointOf(s) + " " + problem);
      return;
    }
    if (!begin(w, s, p.getAttributesList(), p.getTimeUnixNano(), p.getStartTimeUnixNano(),
        p.getFlags(), p.getExemplarsList())) {
      return;
    }
    w.set(MetricsTable.COUNT, p.getCount());
    w.set(MetricsTable.SUM, p.hasSum() ? p.getSum() : null);
    w.set(MetricsTable.MIN, p.hasMin() ? p.getMin() : null);
    w.set(MetricsTable.MAX, p.hasMax() ? p.getMax() : null);
    w.set(MetricsTable.SCALE, p.getScale());
    w.set(MetricsTable.ZERO_COUNT, p.getZeroCount());
    w.set(MetricsTable.ZERO_THRESHOLD, p.getZeroThreshold());
    w.set(MetricsTable.POSITIVE_OFFSET, p.getPositive().getOffset());
    w.set(MetricsTable.POSITIVE_BUCKET_COUNTS, p.getPositive().getBucketCountsList());
    w.set(MetricsTable.NEGATIVE_OFFSET, p.getNegative().getOffset());
    w.set(MetricsTable.NEGATIVE_BUCKET_COUNTS, p.getNegative().getBucketCountsList());
    w.endRow();
  }

  private static String checkExponential(ExponentialHistogramDataPoint p) {
    if (p.getScale() < -10 || p.getScale() > 20) {
      return "has scale " + p.getScale() + "; OTLP allows -10 to 20";
    }
    double zeroThreshold = p.getZeroThreshold();
    if (Double.isNaN(zeroThreshold) || zeroThreshold < 0) {
      return "has zero threshold " + zeroThreshold + "; it must be a number >= 0";
    }
    if ((p.getFlags() & NO_RECORDED_VALUE) == 0) {
      long total = p.getZeroCount();
      for (long count : p.getPositive().getBucketCountsList()) {
        total += count;
      }
      for (long count : p.getNegative().getBucketCountsList()) {
        total += count;
      }
      if (total != p.getCount()) {
        return "has zero and bucket counts adding up to " + Long.toUnsignedString(total)
            + " but a count of " + Long.toUnsignedString(p.getCount());
      }
    }
    return null;
  }

  private static void summary(RowWriter w, Shared s, SummaryDataPoint p) {
    List<Object> quantiles = new ArrayList<>(p.getQuantileValuesCount());
    for (SummaryDataPoint.ValueAtQuantile q : p.getQuantileValuesList()) {
      if (!(q.getQuantile() >= 0 && q.getQuantile() <= 1)) {
        w.reject(1, pointOf(s) + " has quantile " + q.getQuantile() + " outside [0, 1]");
        return;
      }
      quantiles.add(RowWriter.struct(q.getQuantile(), q.getValue()));
    }
    if (!begin(w, s, p.getAttributesList(), p.getTimeUnixNano(), p.getStartTimeUnixNano(),
        p.getFlags(), List.of())) {
      return;
    }
    w.set(MetricsTable.COUNT, p.getCount());
    w.set(MetricsTable.SUM, p.getSum());
    w.set(MetricsTable.QUANTILE_VALUES, quantiles);
    w.endRow();
  }

  /**
   * Writes the columns every point type has; false (and the point rejected) if its labels,
   * timestamp or exemplars cannot be stored. Nothing is written before every check passed, so a
   * rejected point leaves no trace in the batch.
   */
  private static boolean begin(
      RowWriter w, Shared s, List<KeyValue> attributes, long time, long start, int flags,
      List<Exemplar> exemplars) {
    if (time == 0) {
      w.reject(1, pointOf(s) + " has no timestamp");
      return false;
    }
    String labels;
    try {
      labels = LabelSetCodec.encode(SeriesLabels.of(attributes, s.context().resource()));
    } catch (ProtocolException e) {
      w.reject(1, pointOf(s) + ": " + e.getMessage());
      return false;
    }
    List<Object> exemplarRows = new ArrayList<>(exemplars.size());
    for (Exemplar e : exemplars) {
      String problem = checkId("trace", e.getTraceId(), 16);
      if (problem == null) {
        problem = checkId("span", e.getSpanId(), 8);
      }
      if (problem != null) {
        w.reject(1, pointOf(s) + " has an exemplar with " + problem);
        return false;
      }
      exemplarRows.add(
          RowWriter.struct(
              e.getTimeUnixNano() == 0 ? null : e.getTimeUnixNano(),
              e.getValueCase() == Exemplar.ValueCase.AS_DOUBLE ? e.getAsDouble() : null,
              e.getValueCase() == Exemplar.ValueCase.AS_INT ? e.getAsInt() : null,
              e.getSpanId().isEmpty() ? null : e.getSpanId().toByteArray(),
              e.getTraceId().isEmpty() ? null : e.getTraceId().toByteArray(),
              AttributeFlattener.flatten(e.getFilteredAttributesList())));
    }
    Context c = s.context();
    Metric metric = s.metric();
    w.set(MetricsTable.TENANT_ID, c.tenant());
    w.set(MetricsTable.SERVICE_NAME, c.service());
    w.set(MetricsTable.SERVICE_INSTANCE_ID, c.instance());
    w.set(MetricsTable.TIMESTAMP, time);
    w.set(MetricsTable.START_TIMESTAMP, start == 0 ? null : start);
    w.set(MetricsTable.INGESTED_TIMESTAMP, c.nowNanos());
    w.set(MetricsTable.METRIC_NAME, s.name());
    w.set(MetricsTable.METRIC_TYPE, s.type());
    w.set(MetricsTable.DESCRIPTION, emptyToNull(metric.getDescription()));
    w.set(MetricsTable.UNIT, emptyToNull(metric.getUnit()));
    w.set(MetricsTable.AGGREGATION_TEMPORALITY, s.temporality());
    w.set(MetricsTable.IS_MONOTONIC, s.monotonic());
    w.set(MetricsTable.DATA_POINT_ATTRIBUTES, AttributeFlattener.flatten(attributes));
    w.set(MetricsTable.FLAGS, flags);
    w.set(MetricsTable.EXEMPLARS, exemplarRows);
    w.set(MetricsTable.METADATA, s.metadata());
    w.set(MetricsTable.RESOURCE_ATTRIBUTES, c.resourceMap());
    w.set(MetricsTable.SCOPE_ATTRIBUTES, s.scopeMap());
    w.set(MetricsTable.OTEL_METRIC_NAME, metric.getName());
    w.set(MetricsTable.SERIES_LABELS, labels);
    w.set(MetricsTable.SERIES_ID, MetricsTable.seriesId(labels));
    w.set(MetricsTable.SCOPE_NAME, emptyToNull(s.scope().getName()));
    w.set(MetricsTable.SCOPE_VERSION, emptyToNull(s.scope().getVersion()));
    return true;
  }

  private static String checkId(String kind, ByteString id, int length) {
    return id.isEmpty() || id.size() == length
        ? null
        : "a " + kind + " id of " + id.size() + " bytes; OTLP requires " + length;
  }

  private static String type(Metric metric) {
    return switch (metric.getDataCase()) {
      case GAUGE -> MetricsTable.GAUGE;
      case SUM -> MetricsTable.SUM_TYPE;
      case HISTOGRAM -> MetricsTable.HISTOGRAM;
      case EXPONENTIAL_HISTOGRAM -> MetricsTable.EXPONENTIAL_HISTOGRAM;
      case SUMMARY -> MetricsTable.SUMMARY;
      case DATA_NOT_SET -> throw new IllegalArgumentException("no data");
    };
  }

  private static int pointCount(Metric metric) {
    return switch (metric.getDataCase()) {
      case GAUGE -> metric.getGauge().getDataPointsCount();
      case SUM -> metric.getSum().getDataPointsCount();
      case HISTOGRAM -> metric.getHistogram().getDataPointsCount();
      case EXPONENTIAL_HISTOGRAM -> metric.getExponentialHistogram().getDataPointsCount();
      case SUMMARY -> metric.getSummary().getDataPointsCount();
      case DATA_NOT_SET -> 0;
    };
  }

  private static String pointOf(Shared s) {
    return "a data point of metric " + quote(s.metric().getName());
  }

  private static String quote(String name) {
    return "\"" + name + "\"";
  }

  private static String emptyToNull(String value) {
    return value.isEmpty() ? null : value;
  }
}
