package io.icegate.storage.ingest;

import io.icegate.protocol.otlp.OtlpValues;
import io.icegate.protocol.prometheus.PrometheusOtlpNames;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The Prometheus labels of an OTLP data point's series, as Prometheus's OTLP receiver makes them
 * (without {@code __name__}, which is the {@code metric_name} column): every point attribute
 * under its translated label name ({@link PrometheusOtlpNames#labelName}), values as text; when
 * two attributes translate to the same name their values are joined with {@code ;} in the order
 * of the attribute names, as Prometheus does; then {@code job} (service.namespace/service.name)
 * and {@code instance} (service.instance.id) from the resource, which win over point attributes
 * of those names. Empty values are left out: in PromQL an empty label is an absent one.
 */
final class SeriesLabels {
  private SeriesLabels() {}

  /**
   * The label set; throws {@link io.icegate.protocol.ProtocolException} for an attribute name
   * that translates to nothing.
   */
  static SortedMap<String, String> of(List<KeyValue> pointAttributes, List<KeyValue> resource) {
    // Attribute names sorted first, so colliding values join in a stable order.
    SortedMap<String, String> byKey = new TreeMap<>();
    for (KeyValue kv : pointAttributes) {
      byKey.put(kv.getKey(), OtlpValues.asString(kv.getValue()));
    }
    SortedMap<String, String> labels = new TreeMap<>();
    for (Map.Entry<String, String> e : byKey.entrySet()) {
      if (e.getValue().isEmpty()) {
        continue;
      }
      String name = PrometheusOtlpNames.labelName(e.getKey());
      labels.merge(name, e.getValue(), (a, b) -> a + ";" + b);
    }
    put(labels, "job", PrometheusOtlpNames.job(resource));
    put(labels, "instance", PrometheusOtlpNames.instance(resource));
    return labels;
  }

  private static void put(SortedMap<String, String> labels, String name, Optional<String> value) {
    value.filter(v -> !v.isEmpty()).ifPresent(v -> labels.put(name, v));
  }
}
