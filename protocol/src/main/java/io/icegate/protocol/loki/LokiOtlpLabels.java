package io.icegate.protocol.loki;

import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.otlp.OtlpValues;
import io.icegate.protocol.prometheus.PrometheusOtlpNames;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Loki 3's default mapping of OTLP resource attributes to stream (index) labels, so that LogQL
 * selectors written against Loki, such as {@code {service_name="checkout"}}, select the same
 * streams here. Follows Loki's {@code pkg/loghttp/push/otlplabels} with its default limits; other
 * resource attributes are not labels (Loki keeps them as structured metadata).
 */
public final class LokiOtlpLabels {
  /**
   * Loki's default {@code distributor.otlp.default_resource_attributes_as_index_labels}, in Loki's
   * order.
   */
  public static final List<String> DEFAULT_INDEX_LABEL_ATTRIBUTES =
      List.of(
          "service.name",
          "service.namespace",
          "service.instance.id",
          "deployment.environment",
          "deployment.environment.name",
          "cloud.region",
          "cloud.availability_zone",
          "k8s.cluster.name",
          "k8s.namespace.name",
          "k8s.pod.name",
          "k8s.container.name",
          "container.name",
          "k8s.replicaset.name",
          "k8s.deployment.name",
          "k8s.statefulset.name",
          "k8s.daemonset.name",
          "k8s.cronjob.name",
          "k8s.job.name");

  /** The label that names the service; every OTLP stream in Loki has it. */
  public static final String SERVICE_NAME_LABEL = "service_name";

  /** Its value when nothing names the service. */
  public static final String UNKNOWN_SERVICE = "unknown_service";

  /**
   * Loki's default {@code discover_service_name}: when {@code service.name} is absent or empty, the
   * first of these labels the stream has gives {@code service_name} its value. Of the default index
   * labels only {@code container_name}, {@code k8s_container_name} and {@code k8s_job_name} can
   * match, but the whole list is kept so its order is Loki's (pushed streams use all of it, see
   * {@link LokiPushDecoder}).
   */
  public static final List<String> DEFAULT_DISCOVER_SERVICE_NAME =
      List.of(
          "service",
          "app",
          "application",
          "app_name",
          "name",
          "app_kubernetes_io_name",
          "container",
          "container_name",
          "k8s_container_name",
          "component",
          "workload",
          "job",
          "k8s_job_name");

  private static final Map<String, String> LABEL_NAMES = labelNames();

  private LokiOtlpLabels() {}

  /**
   * The stream labels Loki gives a resource with these attributes.
   *
   * <p>Values are stringified as Loki does ({@code pcommon.Value.AsString}): integers in decimal,
   * booleans as {@code true}/{@code false}, doubles in the JavaScript number format, bytes in
   * base64 ({@link OtlpValues#asString}). Two deliberate differences, both for attributes no real
   * resource sends as labels: array- and map-valued attributes are skipped (Loki writes arrays as
   * JSON and expands maps into one label per key), and empty values are left out, since in LogQL a
   * label with an empty value is the same as an absent one.
   *
   * @return a new mutable map, sorted by label name, that always contains {@code service_name}
   */
  public static SortedMap<String, String> streamLabels(List<KeyValue> resourceAttributes) {
    SortedMap<String, String> labels = new TreeMap<>();
    for (KeyValue attribute : resourceAttributes) {
      String label = LABEL_NAMES.get(attribute.getKey());
      if (label == null) {
        continue;
      }
      String value = stringValue(attribute.getValue());
      if (value == null || value.isEmpty()) {
        // A later duplicate of the key overrides an earlier one, as in Loki, even when empty.
        labels.remove(label);
      } else {
        labels.put(label, value);
      }
    }
    if (!labels.containsKey(SERVICE_NAME_LABEL)) {
      labels.put(SERVICE_NAME_LABEL, discoveredServiceName(labels));
    }
    return labels;
  }

  /**
   * The Prometheus label name for an OTLP attribute name, by the rule of Prometheus's
   * otlptranslator ({@code LabelNamer} with its defaults), which Loki uses: every run of characters
   * other than ASCII letters and digits becomes one {@code _} (so {@code k8s.pod.name} becomes
   * {@code k8s_pod_name} and {@code a__b} becomes {@code a_b}); a name that then starts with a
   * digit gets the prefix {@code key_}; a reserved name {@code __x__} keeps its double underscores.
   *
   * @throws ProtocolException if the name is empty or normalises to underscores only
   */
  public static String normalizeLabelName(String name) {
    return PrometheusOtlpNames.labelName(name);
  }

  private static String discoveredServiceName(SortedMap<String, String> labels) {
    for (String candidate : DEFAULT_DISCOVER_SERVICE_NAME) {
      String value = labels.get(candidate);
      if (value != null) {
        return value;
      }
    }
    return UNKNOWN_SERVICE;
  }

  /** Loki's {@code AsString} for scalar values; null for arrays and maps. */
  private static String stringValue(AnyValue value) {
    return switch (value.getValueCase()) {
      case ARRAY_VALUE, KVLIST_VALUE -> null;
      default -> OtlpValues.asString(value);
    };
  }

  private static Map<String, String> labelNames() {
    Map<String, String> names = new HashMap<>();
    for (String attribute : DEFAULT_INDEX_LABEL_ATTRIBUTES) {
      names.put(attribute, normalizeLabelName(attribute));
    }
    return Map.copyOf(names);
  }
}
