package io.icegate.protocol.loki;

import io.icegate.protocol.ProtocolException;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.math.BigDecimal;
import java.util.Base64;
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
   * match, but the whole list is kept so its order is Loki's.
   */
  private static final List<String> SERVICE_NAME_DISCOVERY =
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
   * base64. Two deliberate differences, both for attributes no real resource sends as labels:
   * array- and map-valued attributes are skipped (Loki writes arrays as JSON and expands maps into
   * one label per key), and empty values are left out, since in LogQL a label with an empty value
   * is the same as an absent one.
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
    if (name.isEmpty()) {
      throw new ProtocolException("label name is empty");
    }
    boolean reserved = name.length() >= 4 && name.startsWith("__") && name.endsWith("__");
    String inner = reserved ? name.substring(2, name.length() - 2) : name;
    StringBuilder normalized = new StringBuilder(name.length() + 4);
    if (reserved) {
      normalized.append("__");
    }
    boolean previousWasUnderscore = false;
    for (int i = 0; i < inner.length(); ) {
      int c = inner.codePointAt(i);
      i += Character.charCount(c);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        normalized.append((char) c);
        previousWasUnderscore = false;
      } else if (!previousWasUnderscore) {
        normalized.append('_');
        previousWasUnderscore = true;
      }
    }
    if (reserved) {
      normalized.append("__");
    }
    char first = normalized.charAt(0);
    if (first >= '0' && first <= '9') {
      normalized.insert(0, "key_");
    }
    if (normalized.chars().allMatch(c -> c == '_')) {
      throw new ProtocolException(
          "normalization for label name \""
              + name
              + "\" resulted in invalid name \""
              + normalized
              + "\"");
    }
    return normalized.toString();
  }

  private static String discoveredServiceName(SortedMap<String, String> labels) {
    for (String candidate : SERVICE_NAME_DISCOVERY) {
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
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case INT_VALUE -> Long.toString(value.getIntValue());
      case DOUBLE_VALUE -> javaScriptNumber(value.getDoubleValue());
      case BYTES_VALUE -> Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray());
      case VALUE_NOT_SET -> "";
      case ARRAY_VALUE, KVLIST_VALUE -> null;
    };
  }

  /**
   * A double as pdata's {@code float64AsString} writes it: like JavaScript's Number#toString, plain
   * notation for magnitudes in [1e-6, 1e21) and exponent notation ({@code 1e+21}, {@code 1.5e-7})
   * outside. The digits are Java's {@link Double#toString}, which on Java 17 is in rare cases one
   * digit longer than Go's shortest form (JDK-4511638, fixed in Java 19).
   */
  static String javaScriptNumber(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "Infinity" : "-Infinity";
    }
    if (value == 0) {
      return Double.doubleToRawLongBits(value) < 0 ? "-0" : "0";
    }
    BigDecimal decimal = new BigDecimal(Double.toString(value)).stripTrailingZeros();
    double magnitude = Math.abs(value);
    if (magnitude >= 1e-6 && magnitude < 1e21) {
      return decimal.toPlainString();
    }
    String digits = decimal.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - decimal.scale();
    StringBuilder text = new StringBuilder(digits.length() + 8);
    if (value < 0) {
      text.append('-');
    }
    text.append(digits.charAt(0));
    if (digits.length() > 1) {
      text.append('.').append(digits, 1, digits.length());
    }
    return text.append('e').append(exponent < 0 ? '-' : '+').append(Math.abs(exponent)).toString();
  }

  private static Map<String, String> labelNames() {
    Map<String, String> names = new HashMap<>();
    for (String attribute : DEFAULT_INDEX_LABEL_ATTRIBUTES) {
      names.put(attribute, normalizeLabelName(attribute));
    }
    return Map.copyOf(names);
  }
}
