package io.icegate.storage.ingest;

import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.loki.LabelSetCodec;
import io.icegate.protocol.loki.LokiOtlpLabels;
import io.icegate.protocol.prometheus.PrometheusOtlpNames;
import io.icegate.protocol.prometheus.PrometheusOtlpNames.MetricType;
import io.icegate.storage.table.MetricsTable;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The columns our ingest derives, computed for a row the seed's Rust IceGate stored, so that the
 * seed's rows select exactly like rows we ingested ourselves (LogQL stream selectors, PromQL
 * series). The seed kept the OTLP attributes as text maps and moved {@code service.name} (and, on
 * metrics, {@code service.instance.id}) out of the resource map into their own columns
 * (shared/reference/icegate/NOTES.md §1); those are put back, every map entry becomes a string
 * attribute, and then the very functions the builders call give the values: {@link
 * LokiOtlpLabels#streamLabels} as {@link LogsBatchBuilder} uses it, {@link SeriesLabels#of},
 * {@link MetricsTable#seriesId} and {@link PrometheusOtlpNames#metricName} as {@link
 * MetricsBatchBuilder} uses them.
 *
 * <p>Where the seed's text differs from the value OTLP sent, the derived value can differ too:
 * the seed wrote bytes as hex (we read base64), doubles in Rust's format, arrays as {@code [a,
 * b]} and nested maps as dotted keys. Stream labels come from a fixed list of well-known
 * resource attributes, which are strings in practice; point attributes of those kinds would
 * label a series differently than we would have.
 */
public final class SeedRows {
  private static final String SERVICE_NAME = "service.name";
  private static final String SERVICE_INSTANCE_ID = "service.instance.id";

  private SeedRows() {}

  /**
   * A seed log row's stream labels (sorted, always with {@code service_name}), from its {@code
   * service_name} column (null without one) and its resource map.
   */
  public static SortedMap<String, String> streamLabels(
      String serviceName, Map<String, String> resourceAttributes) {
    return LokiOtlpLabels.streamLabels(resource(serviceName, null, resourceAttributes));
  }

  /** A metric row's PromQL identity: Prometheus name, labels without the name, fingerprint. */
  public record Series(String metricName, String labels, long id) {}

  /**
   * A seed metric row's series. {@code otlpName} is what the seed stored as {@code
   * metric_name}; {@code unit} may be null (the seed stored an empty unit as null). A name that
   * translates to nothing keeps the name as sent, and attributes whose names translate to
   * nothing are left out of the labels: our ingest would have rejected such a point, the backfill
   * must not drop a row.
   */
  public static Series series(
      String otlpName, String unit, String metricType, Boolean monotonic,
      Map<String, String> pointAttributes, String serviceName, String serviceInstanceId,
      Map<String, String> resourceAttributes) {
    String name;
    try {
      name = PrometheusOtlpNames.metricName(
          otlpName, unit == null ? "" : unit, metricType(metricType, monotonic));
    } catch (ProtocolException e) {
      name = otlpName;
    }
    List<KeyValue> resource = resource(serviceName, serviceInstanceId, resourceAttributes);
    List<KeyValue> points = attributes(pointAttributes);
    SortedMap<String, String> labels;
    try {
      labels = SeriesLabels.of(points, resource);
    } catch (ProtocolException e) {
      points.removeIf(kv -> !translatable(kv.getKey()));
      labels = SeriesLabels.of(points, resource);
    }
    String encoded = LabelSetCodec.encode(labels);
    return new Series(name, encoded, MetricsTable.seriesId(encoded));
  }

  /** The translation type of a stored {@code metric_type} (and {@code is_monotonic} for sums). */
  static MetricType metricType(String metricType, Boolean monotonic) {
    if (metricType == null) {
      return MetricType.UNKNOWN;
    }
    return switch (metricType) {
      case MetricsTable.GAUGE -> MetricType.GAUGE;
      case MetricsTable.SUM_TYPE ->
          Boolean.TRUE.equals(monotonic)
              ? MetricType.MONOTONIC_COUNTER
              : MetricType.NON_MONOTONIC_COUNTER;
      case MetricsTable.HISTOGRAM -> MetricType.HISTOGRAM;
      case MetricsTable.EXPONENTIAL_HISTOGRAM -> MetricType.EXPONENTIAL_HISTOGRAM;
      case MetricsTable.SUMMARY -> MetricType.SUMMARY;
      default -> MetricType.UNKNOWN;
    };
  }

  private static boolean translatable(String attributeName) {
    try {
      PrometheusOtlpNames.labelName(attributeName);
      return true;
    } catch (ProtocolException e) {
      return false;
    }
  }

  /** The resource as ingest saw it: the promoted values first, then the seed's map. */
  private static List<KeyValue> resource(
      String serviceName, String serviceInstanceId, Map<String, String> map) {
    List<KeyValue> out = new ArrayList<>(map.size() + 2);
    if (serviceName != null) {
      out.add(attribute(SERVICE_NAME, serviceName));
    }
    if (serviceInstanceId != null) {
      out.add(attribute(SERVICE_INSTANCE_ID, serviceInstanceId));
    }
    for (Map.Entry<String, String> e : map.entrySet()) {
      // The seed moved these out of the map into the columns above; the column is the value.
      boolean promoted =
          serviceName != null && e.getKey().equals(SERVICE_NAME)
              || serviceInstanceId != null && e.getKey().equals(SERVICE_INSTANCE_ID);
      if (!promoted) {
        out.add(attribute(e.getKey(), e.getValue()));
      }
    }
    return out;
  }

  private static List<KeyValue> attributes(Map<String, String> map) {
    List<KeyValue> out = new ArrayList<>(map.size());
    map.forEach((k, v) -> out.add(attribute(k, v)));
    return out;
  }

  private static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}
