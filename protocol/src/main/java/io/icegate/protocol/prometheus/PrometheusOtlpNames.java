package io.icegate.protocol.prometheus;

import io.icegate.protocol.GoQuoting;
import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.otlp.OtlpValues;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How OTLP names become Prometheus names, following Prometheus 3's OTLP receiver with its default
 * {@code translation_strategy: UnderscoreEscapingWithSuffixes} (the {@code otlptranslator} package:
 * {@code MetricNamer}, {@code UnitNamer}, {@code LabelNamer}) and its {@code job} / {@code
 * instance} rule, so that PromQL written against Prometheus selects the same series here.
 *
 * <p>Pure functions: no state, no configuration. Errors are {@link ProtocolException}s with
 * Prometheus's words.
 */
public final class PrometheusOtlpNames {
  /**
   * The metric types the name translation distinguishes ({@code otlptranslator.MetricType}). A
   * monotonic sum gets {@code _total}; a gauge with unit {@code 1} gets {@code _ratio}.
   */
  public enum MetricType {
    UNKNOWN,
    NON_MONOTONIC_COUNTER,
    MONOTONIC_COUNTER,
    GAUGE,
    HISTOGRAM,
    EXPONENTIAL_HISTOGRAM,
    SUMMARY
  }

  /** OTLP (UCUM) units and their Prometheus names; {@code 1} (dimensionless) has none. */
  private static final Map<String, String> UNITS =
      Map.ofEntries(
          Map.entry("d", "days"),
          Map.entry("h", "hours"),
          Map.entry("min", "minutes"),
          Map.entry("s", "seconds"),
          Map.entry("ms", "milliseconds"),
          Map.entry("us", "microseconds"),
          Map.entry("ns", "nanoseconds"),
          Map.entry("By", "bytes"),
          Map.entry("KiBy", "kibibytes"),
          Map.entry("MiBy", "mebibytes"),
          Map.entry("GiBy", "gibibytes"),
          Map.entry("TiBy", "tibibytes"),
          Map.entry("KBy", "kilobytes"),
          Map.entry("MBy", "megabytes"),
          Map.entry("GBy", "gigabytes"),
          Map.entry("TBy", "terabytes"),
          Map.entry("m", "meters"),
          Map.entry("V", "volts"),
          Map.entry("A", "amperes"),
          Map.entry("J", "joules"),
          Map.entry("W", "watts"),
          Map.entry("g", "grams"),
          Map.entry("Cel", "celsius"),
          Map.entry("Hz", "hertz"),
          Map.entry("1", ""),
          Map.entry("%", "percent"));

  /** The denominators of {@code x/y} units, singular: {@code By/s} is {@code bytes_per_second}. */
  private static final Map<String, String> PER_UNITS =
      Map.of(
          "s", "second",
          "m", "minute",
          "h", "hour",
          "d", "day",
          "w", "week",
          "mo", "month",
          "y", "year");

  private static final String SERVICE_NAME = "service.name";
  private static final String SERVICE_NAMESPACE = "service.namespace";
  private static final String SERVICE_INSTANCE_ID = "service.instance.id";

  private PrometheusOtlpNames() {}

  /** The translation type of an OTLP metric, by its data case and, for sums, monotonicity. */
  public static MetricType metricType(Metric metric) {
    return switch (metric.getDataCase()) {
      case GAUGE -> MetricType.GAUGE;
      case SUM ->
          metric.getSum().getIsMonotonic()
              ? MetricType.MONOTONIC_COUNTER
              : MetricType.NON_MONOTONIC_COUNTER;
      case HISTOGRAM -> MetricType.HISTOGRAM;
      case EXPONENTIAL_HISTOGRAM -> MetricType.EXPONENTIAL_HISTOGRAM;
      case SUMMARY -> MetricType.SUMMARY;
      case DATA_NOT_SET -> MetricType.UNKNOWN;
    };
  }

  /** {@link #metricName(String, String, MetricType)} of an OTLP metric's name, unit and type. */
  public static String metricName(Metric metric) {
    return metricName(metric.getName(), metric.getUnit(), metricType(metric));
  }

  /**
   * The Prometheus metric family name of an OTLP metric (without the {@code _bucket}, {@code _sum},
   * {@code _count} series suffixes of histograms and summaries):
   *
   * <ol>
   *   <li>the name is split into words at every character other than ASCII letters, digits and
   *       {@code :}, so {@code http.server.request_count} has the words {@code http}, {@code
   *       server}, {@code request}, {@code count};
   *   <li>the unit's Prometheus name is added as a word unless the name already has it ({@code s} →
   *       {@code seconds}, {@code By/s} → {@code bytes_per_second}; units in braces, such as {@code
   *       {request}}, add nothing);
   *   <li>a monotonic counter ends in {@code total}, a gauge of unit {@code 1} in {@code ratio}
   *       (moved to the end if the name has it elsewhere);
   *   <li>the words are joined with {@code _}, and a name that starts with a digit gets a {@code _}
   *       in front.
   * </ol>
   *
   * @throws ProtocolException if nothing of the name is left, with Prometheus's message ({@code
   *     normalization for metric "..." resulted in empty name})
   */
  public static String metricName(String name, String unit, MetricType type) {
    List<String> words = splitMetricName(name);
    String[] suffixes = unitSuffixes(unit);
    addUnitWords(words, cleanUpUnit(suffixes[0]), cleanUpUnit(suffixes[1]));
    if (type == MetricType.MONOTONIC_COUNTER) {
      words.removeIf("total"::equals);
      words.add("total");
    }
    // Only gauges: some receivers wrongly give counters of things the unit "1".
    if (unit.equals("1") && type == MetricType.GAUGE) {
      words.removeIf("ratio"::equals);
      words.add("ratio");
    }
    String normalized = String.join("_", words);
    if (!normalized.isEmpty() && isAsciiDigit(normalized.charAt(0))) {
      normalized = "_" + normalized;
    }
    if (normalized.isEmpty()) {
      throw new ProtocolException(
          "normalization for metric " + GoQuoting.quote(name) + " resulted in empty name");
    }
    if (!normalized.equals(name) && normalized.chars().allMatch(c -> c == '_')) {
      throw new ProtocolException(
          "normalization for metric "
              + GoQuoting.quote(name)
              + " resulted in invalid name "
              + GoQuoting.quote(normalized));
    }
    return normalized;
  }

  /**
   * The Prometheus name of an OTLP unit ({@code otlptranslator.UnitNamer}), as Prometheus writes it
   * into a metric's metadata: {@code s} → {@code seconds}, {@code By/s} → {@code bytes_per_second},
   * {@code 1} and units in braces → empty.
   */
  public static String unitName(String unit) {
    String[] suffixes = unitSuffixes(unit);
    String main = cleanUpUnit(suffixes[0]);
    String per = cleanUpUnit(suffixes[1]);
    String name =
        !main.isEmpty() && !per.isEmpty() ? main + "_" + per : main.isEmpty() ? per : main;
    if (name.startsWith("_")) {
      name = name.substring(1);
    }
    if (name.endsWith("_")) {
      name = name.substring(0, name.length() - 1);
    }
    return name;
  }

  /**
   * The Prometheus label name of an OTLP attribute ({@code otlptranslator.LabelNamer} with its
   * defaults): every run of characters other than ASCII letters and digits becomes one {@code _}
   * (so {@code k8s.pod.name} becomes {@code k8s_pod_name} and {@code a__b} becomes {@code a_b}); a
   * name that then starts with a digit gets the prefix {@code key_}; a reserved name {@code __x__}
   * keeps its double underscores.
   *
   * @throws ProtocolException if the name is empty or normalises to underscores only
   */
  public static String labelName(String name) {
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
      if (isAsciiLetterOrDigit(c)) {
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
    if (isAsciiDigit(normalized.charAt(0))) {
      normalized.insert(0, "key_");
    }
    if (normalized.chars().allMatch(c -> c == '_')) {
      throw new ProtocolException(
          "normalization for label name "
              + GoQuoting.quote(name)
              + " resulted in invalid name "
              + GoQuoting.quote(normalized.toString()));
    }
    return normalized.toString();
  }

  /**
   * The {@code job} label of a resource's series: {@code service.namespace/service.name}, or just
   * {@code service.name} without a namespace; empty when the resource has no {@code service.name}
   * (then Prometheus sets no {@code job}, even with a namespace). Values are stringified as {@link
   * OtlpValues#asString}; of repeated keys the first counts, as {@code pcommon.Map.Get} finds it.
   */
  public static Optional<String> job(List<KeyValue> resourceAttributes) {
    KeyValue name = first(resourceAttributes, SERVICE_NAME);
    if (name == null) {
      return Optional.empty();
    }
    KeyValue namespace = first(resourceAttributes, SERVICE_NAMESPACE);
    String job = OtlpValues.asString(name.getValue());
    return Optional.of(
        namespace == null ? job : OtlpValues.asString(namespace.getValue()) + "/" + job);
  }

  /**
   * The {@code instance} label of a resource's series: its {@code service.instance.id}, if it has
   * one.
   */
  public static Optional<String> instance(List<KeyValue> resourceAttributes) {
    KeyValue instance = first(resourceAttributes, SERVICE_INSTANCE_ID);
    return instance == null
        ? Optional.empty()
        : Optional.of(OtlpValues.asString(instance.getValue()));
  }

  private static KeyValue first(List<KeyValue> attributes, String key) {
    for (KeyValue attribute : attributes) {
      if (attribute.getKey().equals(key)) {
        return attribute;
      }
    }
    return null;
  }

  /** The words of a metric name: runs of {@code [a-zA-Z0-9:]} (Go's {@code strings.FieldsFunc}). */
  private static List<String> splitMetricName(String name) {
    List<String> words = new ArrayList<>();
    int start = -1;
    for (int i = 0; i < name.length(); i++) {
      if (isMetricNameChar(name.charAt(i))) {
        if (start < 0) {
          start = i;
        }
      } else if (start >= 0) {
        words.add(name.substring(start, i));
        start = -1;
      }
    }
    if (start >= 0) {
      words.add(name.substring(start));
    }
    return words;
  }

  /**
   * The main and the per-unit suffix of a unit before clean-up ({@code buildUnitSuffixes}): {@code
   * By/s} gives {@code bytes} and {@code per_second}; a part in braces gives nothing.
   */
  private static String[] unitSuffixes(String unit) {
    int slash = unit.indexOf('/');
    String mainUnit = goTrimSpace(slash < 0 ? unit : unit.substring(0, slash));
    String main = "";
    if (!mainUnit.isEmpty() && !hasBraces(mainUnit)) {
      main = UNITS.getOrDefault(mainUnit, mainUnit);
    }
    String per = "";
    if (slash >= 0) {
      String perUnit = goTrimSpace(unit.substring(slash + 1));
      if (!perUnit.isEmpty() && !hasBraces(perUnit)) {
        per = "per_" + PER_UNITS.getOrDefault(perUnit, perUnit);
      }
    }
    return new String[] {main, per};
  }

  /**
   * {@code addUnitTokens}: a suffix the name already has as a word is not added again; a bare
   * {@code per_} is dropped, and trailing underscores go where they would double up.
   */
  private static void addUnitWords(List<String> words, String main, String per) {
    if (words.contains(main)) {
      main = "";
    }
    if (per.equals("per_")) {
      per = "";
    } else {
      per = trimSuffix(per, "_");
      if (words.contains(per)) {
        per = "";
      }
    }
    if (!per.isEmpty()) {
      main = trimSuffix(main, "_");
    }
    if (!main.isEmpty()) {
      words.add(main);
    }
    if (!per.isEmpty()) {
      words.add(per);
    }
  }

  /**
   * {@code cleanUpUnit}: every character other than {@code [a-zA-Z0-9:]} becomes {@code _}, runs of
   * {@code _} collapse to one, and a leading {@code _} is dropped.
   */
  private static String cleanUpUnit(String unit) {
    StringBuilder clean = new StringBuilder(unit.length());
    for (int i = 0; i < unit.length(); ) {
      int c = unit.codePointAt(i);
      i += Character.charCount(c);
      char mapped = c < 0x80 && isMetricNameChar((char) c) ? (char) c : '_';
      if (mapped != '_' || clean.length() == 0 || clean.charAt(clean.length() - 1) != '_') {
        clean.append(mapped);
      }
    }
    return clean.length() > 0 && clean.charAt(0) == '_' ? clean.substring(1) : clean.toString();
  }

  private static String trimSuffix(String s, String suffix) {
    return s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
  }

  private static boolean hasBraces(String s) {
    return s.indexOf('{') >= 0 || s.indexOf('}') >= 0;
  }

  /** Go's {@code strings.TrimSpace}: Unicode white space, which includes NBSP and NEL. */
  private static String goTrimSpace(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isGoSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isGoSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  private static boolean isGoSpace(char c) {
    return switch (c) {
      case '\t', '\n', 0x0b, '\f', '\r', ' ', 0x85, 0xa0 -> true;
      default ->
          c > 0xff && Character.getType(c) == Character.SPACE_SEPARATOR
              || c == 0x2028
              || c == 0x2029;
    };
  }

  private static boolean isMetricNameChar(char c) {
    return isAsciiLetterOrDigit(c) || c == ':';
  }

  private static boolean isAsciiLetterOrDigit(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isAsciiDigit(c);
  }

  private static boolean isAsciiDigit(int c) {
    return c >= '0' && c <= '9';
  }
}
