package io.icegate.protocol.prometheus;

import static io.icegate.protocol.prometheus.PrometheusOtlpNames.MetricType.EXPONENTIAL_HISTOGRAM;
import static io.icegate.protocol.prometheus.PrometheusOtlpNames.MetricType.GAUGE;
import static io.icegate.protocol.prometheus.PrometheusOtlpNames.MetricType.HISTOGRAM;
import static io.icegate.protocol.prometheus.PrometheusOtlpNames.MetricType.MONOTONIC_COUNTER;
import static io.icegate.protocol.prometheus.PrometheusOtlpNames.MetricType.NON_MONOTONIC_COUNTER;
import static io.icegate.protocol.prometheus.PrometheusOtlpNames.MetricType.SUMMARY;
import static io.icegate.protocol.prometheus.PrometheusOtlpNames.MetricType.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.prometheus.PrometheusOtlpNames.MetricType;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Cases taken from the examples and tests of Prometheus's {@code otlptranslator} ({@code
 * metric_namer_test.go}, {@code label_namer_test.go}), with the default strategy {@code
 * UnderscoreEscapingWithSuffixes} and no namespace.
 */
class PrometheusOtlpNamesTest {
  @Test
  void typeSuffixes() {
    assertName("requests", "", MONOTONIC_COUNTER, "requests_total");
    assertName("requests_total", "", MONOTONIC_COUNTER, "requests_total");
    assertName("cpu_usage", "1", GAUGE, "cpu_usage_ratio");
    assertName("cpu_usage_ratio", "1", GAUGE, "cpu_usage_ratio");
    assertName("items", "1", MONOTONIC_COUNTER, "items_total");
    assertName("active_connections", "", NON_MONOTONIC_COUNTER, "active_connections");
    assertName("unknown_metric", "", UNKNOWN, "unknown_metric");
    assertName("http.requests", "1", MONOTONIC_COUNTER, "http_requests_total");
  }

  @Test
  void totalAndRatioMoveToTheEnd() {
    assertName("foo.total.bar", "", MONOTONIC_COUNTER, "foo_bar_total");
    assertName("ratio.of.things", "1", GAUGE, "of_things_ratio");
    assertName("cpu.seconds.total", "s", MONOTONIC_COUNTER, "cpu_seconds_total");
    assertName(
        "otelcol_process_cpu_seconds", "s", MONOTONIC_COUNTER, "otelcol_process_cpu_seconds_total");
  }

  @Test
  void unitSuffixes() {
    assertName("response_time", "ms", GAUGE, "response_time_milliseconds");
    assertName("memory_usage", "By", GAUGE, "memory_usage_bytes");
    assertName("request_duration", "s", HISTOGRAM, "request_duration_seconds");
    assertName("request_size", "By", EXPONENTIAL_HISTOGRAM, "request_size_bytes");
    assertName("response_time", "ms", SUMMARY, "response_time_milliseconds");
    assertName("http.request.duration", "ms", HISTOGRAM, "http_request_duration_milliseconds");
    assertName("response_time_seconds", "s", GAUGE, "response_time_seconds");
    assertName("custom_metric", "custom_unit", GAUGE, "custom_metric_custom_unit");
    String[][] units = {
      {"d", "days"},
      {"h", "hours"},
      {"min", "minutes"},
      {"us", "microseconds"},
      {"ns", "nanoseconds"},
      {"KiBy", "kibibytes"},
      {"MiBy", "mebibytes"},
      {"GiBy", "gibibytes"},
      {"TiBy", "tibibytes"},
      {"KBy", "kilobytes"},
      {"MBy", "megabytes"},
      {"GBy", "gigabytes"},
      {"TBy", "terabytes"},
      {"m", "meters"},
      {"V", "volts"},
      {"A", "amperes"},
      {"J", "joules"},
      {"W", "watts"},
      {"g", "grams"},
      {"Cel", "celsius"},
      {"Hz", "hertz"},
      {"%", "percent"}
    };
    for (String[] unit : units) {
      assertName("x", unit[0], GAUGE, "x_" + unit[1]);
    }
  }

  @Test
  void perUnits() {
    assertName("requests", "1/s", GAUGE, "requests_per_second");
    assertName("throughput", "By/s", GAUGE, "throughput_bytes_per_second");
    assertName("requests", "1/m", GAUGE, "requests_per_minute");
    assertName("events", "1/h", GAUGE, "events_per_hour");
    assertName("transactions", "1/d", GAUGE, "transactions_per_day");
    assertName("reports", "1/w", GAUGE, "reports_per_week");
    assertName("invoices", "1/mo", GAUGE, "invoices_per_month");
    assertName("renewals", "1/y", GAUGE, "renewals_per_year");
    assertName("custom", "1/custom_unit", GAUGE, "custom_per_custom_unit");
    assertName("metric", "By/", GAUGE, "metric_bytes");
    assertName("metric", " By / s ", GAUGE, "metric_bytes_per_second");
    assertName("metric", "/", GAUGE, "metric");
  }

  @Test
  void unitsInBracesAddNothing() {
    assertName("custom_metric", "{custom}", GAUGE, "custom_metric");
    assertName("custom_metric", "By/{custom}", GAUGE, "custom_metric_bytes");
    assertName(
        "http.server.active_requests",
        "{request}",
        NON_MONOTONIC_COUNTER,
        "http_server_active_requests");
  }

  @Test
  void nameAndUnitCharactersAreEscaped() {
    assertName(
        "metric__with__multiple__underscores",
        "unit__multiple__underscores",
        GAUGE,
        "metric_with_multiple_underscores_unit_multiple_underscores");
    assertName(
        "custom_metric",
        "unit@with#special/chars",
        GAUGE,
        "custom_metric_unit_with_special_per_chars");
    assertName("metric@with#special$chars", "", GAUGE, "metric_with_special_chars");
    assertName("123metric", "", GAUGE, "_123metric");
    assertName("a:b.c", "", GAUGE, "a:b_c");
    assertName("_leading.and.trailing_", "", GAUGE, "leading_and_trailing");
  }

  @Test
  void namesThatNormaliseToNothingAreRejected() {
    assertThatThrownBy(() -> PrometheusOtlpNames.metricName("@#$%", "", GAUGE))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("normalization for metric \"@#$%\" resulted in empty name");
    assertThatThrownBy(() -> PrometheusOtlpNames.metricName("", "", GAUGE))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("normalization for metric \"\" resulted in empty name");
  }

  @Test
  void metricTypeAndNameOfAnOtlpMetric() {
    Metric counter =
        Metric.newBuilder()
            .setName("http.server.request.count")
            .setUnit("{request}")
            .setSum(Sum.newBuilder().setIsMonotonic(true))
            .build();
    Metric upDown =
        Metric.newBuilder().setName("queue.size").setSum(Sum.getDefaultInstance()).build();
    Metric utilization =
        Metric.newBuilder()
            .setName("system.cpu.utilization")
            .setUnit("1")
            .setGauge(Gauge.getDefaultInstance())
            .build();

    assertThat(PrometheusOtlpNames.metricType(counter)).isEqualTo(MONOTONIC_COUNTER);
    assertThat(PrometheusOtlpNames.metricName(counter))
        .isEqualTo("http_server_request_count_total");
    assertThat(PrometheusOtlpNames.metricType(upDown)).isEqualTo(NON_MONOTONIC_COUNTER);
    assertThat(PrometheusOtlpNames.metricName(utilization))
        .isEqualTo("system_cpu_utilization_ratio");
    assertThat(
            PrometheusOtlpNames.metricType(
                Metric.newBuilder().setSummary(Summary.getDefaultInstance()).build()))
        .isEqualTo(SUMMARY);
    assertThat(PrometheusOtlpNames.metricType(Metric.getDefaultInstance())).isEqualTo(UNKNOWN);
  }

  @Test
  void unitNamesForMetadata() {
    assertThat(PrometheusOtlpNames.unitName("ms")).isEqualTo("milliseconds");
    assertThat(PrometheusOtlpNames.unitName("By")).isEqualTo("bytes");
    assertThat(PrometheusOtlpNames.unitName("1/s")).isEqualTo("per_second");
    assertThat(PrometheusOtlpNames.unitName("By/s")).isEqualTo("bytes_per_second");
    assertThat(PrometheusOtlpNames.unitName("custom_unit")).isEqualTo("custom_unit");
    assertThat(PrometheusOtlpNames.unitName("By/{custom}")).isEqualTo("bytes");
    assertThat(PrometheusOtlpNames.unitName("{custom}")).isEmpty();
    assertThat(PrometheusOtlpNames.unitName("1")).isEmpty();
    assertThat(PrometheusOtlpNames.unitName("")).isEmpty();
  }

  @Test
  void labelNames() {
    assertThat(PrometheusOtlpNames.labelName("label:with:colons")).isEqualTo("label_with_colons");
    assertThat(PrometheusOtlpNames.labelName("LabelWithCapitalLetters"))
        .isEqualTo("LabelWithCapitalLetters");
    assertThat(PrometheusOtlpNames.labelName("label!with&special$chars)"))
        .isEqualTo("label_with_special_chars_");
    assertThat(PrometheusOtlpNames.labelName("label_with_foreign_characters_字符"))
        .isEqualTo("label_with_foreign_characters_");
    assertThat(PrometheusOtlpNames.labelName("label.with.dots")).isEqualTo("label_with_dots");
    assertThat(PrometheusOtlpNames.labelName(".foo")).isEqualTo("_foo");
    assertThat(PrometheusOtlpNames.labelName("123label")).isEqualTo("key_123label");
    assertThat(PrometheusOtlpNames.labelName("_label_starting_with_underscore"))
        .isEqualTo("_label_starting_with_underscore");
    assertThat(PrometheusOtlpNames.labelName("__label_starting_with_2underscores"))
        .isEqualTo("_label_starting_with_2underscores");
    assertThat(PrometheusOtlpNames.labelName("label__with__double__underscores"))
        .isEqualTo("label_with_double_underscores");
    assertThat(PrometheusOtlpNames.labelName("label.name__with&&special##chars"))
        .isEqualTo("label_name_with_special_chars");
    assertThat(PrometheusOtlpNames.labelName("__reserved__label__name__"))
        .isEqualTo("__reserved_label_name__");
    assertThat(PrometheusOtlpNames.labelName("trailing_underscores___"))
        .isEqualTo("trailing_underscores_");
  }

  @Test
  void labelNamesThatNormaliseToNothingAreRejected() {
    assertThatThrownBy(() -> PrometheusOtlpNames.labelName(""))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("label name is empty");
    assertThatThrownBy(() -> PrometheusOtlpNames.labelName("ようこそ"))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("normalization for label name \"ようこそ\" resulted in invalid name \"_\"");
    assertThatThrownBy(() -> PrometheusOtlpNames.labelName("__"))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("normalization for label name \"__\" resulted in invalid name \"_\"");
    assertThatThrownBy(() -> PrometheusOtlpNames.labelName("\u0000\t"))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("normalization for label name \"\\x00\\t\" resulted in invalid name \"_\"");
  }

  @Test
  void jobIsNamespaceSlashServiceName() {
    assertThat(
            PrometheusOtlpNames.job(
                List.of(string("service.namespace", "shop"), string("service.name", "cart"))))
        .contains("shop/cart");
    assertThat(PrometheusOtlpNames.job(List.of(string("service.name", "cart")))).contains("cart");
    assertThat(PrometheusOtlpNames.job(List.of(string("service.namespace", "shop")))).isEmpty();
    assertThat(PrometheusOtlpNames.job(List.of(string("service.name", "")))).contains("");
    assertThat(
            PrometheusOtlpNames.job(
                List.of(string("service.name", "first"), string("service.name", "second"))))
        .contains("first");
  }

  @Test
  void instanceIsTheServiceInstanceId() {
    assertThat(
            PrometheusOtlpNames.instance(
                List.of(string("service.instance.id", "627cc493-f310-47de-96bd-71410b7dec09"))))
        .contains("627cc493-f310-47de-96bd-71410b7dec09");
    assertThat(
            PrometheusOtlpNames.instance(
                List.of(
                    KeyValue.newBuilder()
                        .setKey("service.instance.id")
                        .setValue(AnyValue.newBuilder().setIntValue(7))
                        .build())))
        .contains("7");
    assertThat(PrometheusOtlpNames.instance(List.of(string("host.name", "a")))).isEmpty();
  }

  private static void assertName(String name, String unit, MetricType type, String expected) {
    assertThat(PrometheusOtlpNames.metricName(name, unit, type))
        .as("metric %s unit %s type %s", name, unit, type)
        .isEqualTo(expected);
  }

  private static KeyValue string(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}
