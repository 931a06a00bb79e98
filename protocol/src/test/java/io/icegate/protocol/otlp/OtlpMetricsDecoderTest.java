package io.icegate.protocol.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.icegate.protocol.Fuzzer;
import io.icegate.protocol.ProtocolException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class OtlpMetricsDecoderTest {
  private static final String TRACE_ID = "5b8efff798038103d269b633813fc60c";
  private static final String SPAN_ID = "eee19b7ec3c1b174";
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long T1 = 1_700_000_060_000_000_000L;

  /** One metric of each of the five kinds, every field set, built with the generated builders. */
  private static final ExportMetricsServiceRequest EXPECTED =
      ExportMetricsServiceRequest.newBuilder()
          .addResourceMetrics(
              ResourceMetrics.newBuilder()
                  .setResource(Resource.newBuilder().addAttributes(keyValue("service.name", "api")))
                  .setSchemaUrl("https://opentelemetry.io/schemas/1.24.0")
                  .addScopeMetrics(
                      ScopeMetrics.newBuilder()
                          .setScope(
                              InstrumentationScope.newBuilder().setName("meter").setVersion("1"))
                          .setSchemaUrl("https://opentelemetry.io/schemas/1.24.0")
                          .addMetrics(
                              Metric.newBuilder()
                                  .setName("process.cpu.utilization")
                                  .setDescription("CPU use")
                                  .setUnit("1")
                                  .addMetadata(keyValue("origin", "sdk"))
                                  .setGauge(
                                      Gauge.newBuilder()
                                          .addDataPoints(
                                              NumberDataPoint.newBuilder()
                                                  .addAttributes(keyValue("cpu", "0"))
                                                  .setStartTimeUnixNano(T0)
                                                  .setTimeUnixNano(T1)
                                                  .setAsDouble(0.25)
                                                  .addExemplars(
                                                      Exemplar.newBuilder()
                                                          .addFilteredAttributes(
                                                              keyValue("thread", "main"))
                                                          .setTimeUnixNano(T1 - 5)
                                                          .setAsDouble(0.5)
                                                          .setSpanId(hex(SPAN_ID))
                                                          .setTraceId(hex(TRACE_ID)))
                                                  .setFlags(1))))
                          .addMetrics(
                              Metric.newBuilder()
                                  .setName("http.server.requests")
                                  .setUnit("{request}")
                                  .setSum(
                                      Sum.newBuilder()
                                          .setAggregationTemporality(
                                              AggregationTemporality
                                                  .AGGREGATION_TEMPORALITY_CUMULATIVE)
                                          .setIsMonotonic(true)
                                          .addDataPoints(
                                              NumberDataPoint.newBuilder()
                                                  .setStartTimeUnixNano(T0)
                                                  .setTimeUnixNano(T1)
                                                  .setAsInt(Long.MAX_VALUE)
                                                  .addExemplars(
                                                      Exemplar.newBuilder()
                                                          .setTimeUnixNano(T1)
                                                          .setAsInt(-7)))))
                          .addMetrics(
                              Metric.newBuilder()
                                  .setName("http.server.duration")
                                  .setUnit("ms")
                                  .setHistogram(
                                      Histogram.newBuilder()
                                          .setAggregationTemporality(
                                              AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                                          .addDataPoints(
                                              HistogramDataPoint.newBuilder()
                                                  .addAttributes(keyValue("route", "/a"))
                                                  .setStartTimeUnixNano(T0)
                                                  .setTimeUnixNano(T1)
                                                  .setCount(6)
                                                  .setSum(123.5)
                                                  .addBucketCounts(1)
                                                  .addBucketCounts(2)
                                                  .addBucketCounts(3)
                                                  .addExplicitBounds(10)
                                                  .addExplicitBounds(100)
                                                  .addExemplars(
                                                      Exemplar.newBuilder()
                                                          .setTimeUnixNano(T1)
                                                          .setAsDouble(42)
                                                          .setTraceId(hex(TRACE_ID)))
                                                  .setFlags(0)
                                                  .setMin(0.5)
                                                  .setMax(99.5))))
                          .addMetrics(
                              Metric.newBuilder()
                                  .setName("rpc.size")
                                  .setUnit("By")
                                  .setExponentialHistogram(
                                      ExponentialHistogram.newBuilder()
                                          .setAggregationTemporality(
                                              AggregationTemporality
                                                  .AGGREGATION_TEMPORALITY_CUMULATIVE)
                                          .addDataPoints(
                                              ExponentialHistogramDataPoint.newBuilder()
                                                  .setStartTimeUnixNano(T0)
                                                  .setTimeUnixNano(T1)
                                                  .setCount(10)
                                                  .setSum(2048)
                                                  .setScale(-3)
                                                  .setZeroCount(1)
                                                  .setPositive(
                                                      ExponentialHistogramDataPoint.Buckets
                                                          .newBuilder()
                                                          .setOffset(-2)
                                                          .addBucketCounts(4)
                                                          .addBucketCounts(3))
                                                  .setNegative(
                                                      ExponentialHistogramDataPoint.Buckets
                                                          .newBuilder()
                                                          .setOffset(1)
                                                          .addBucketCounts(2))
                                                  .setMin(1)
                                                  .setMax(1024)
                                                  .setZeroThreshold(1e-9))))
                          .addMetrics(
                              Metric.newBuilder()
                                  .setName("gc.pause")
                                  .setUnit("s")
                                  .setSummary(
                                      Summary.newBuilder()
                                          .addDataPoints(
                                              SummaryDataPoint.newBuilder()
                                                  .setStartTimeUnixNano(T0)
                                                  .setTimeUnixNano(T1)
                                                  .setCount(3)
                                                  .setSum(0.75)
                                                  .addQuantileValues(
                                                      SummaryDataPoint.ValueAtQuantile.newBuilder()
                                                          .setQuantile(0.5)
                                                          .setValue(0.2))
                                                  .addQuantileValues(
                                                      SummaryDataPoint.ValueAtQuantile.newBuilder()
                                                          .setQuantile(1)
                                                          .setValue(0.35))
                                                  .setFlags(1))))))
          .build();

  /** The same request in OTLP/JSON, by hand: int64 as strings, enums as numbers and names. */
  private static final String JSON =
      """
{"resourceMetrics": [{
  "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]},
  "schemaUrl": "https://opentelemetry.io/schemas/1.24.0",
  "scopeMetrics": [{
    "scope": {"name": "meter", "version": "1"},
    "schemaUrl": "https://opentelemetry.io/schemas/1.24.0",
    "metrics": [
      {"name": "process.cpu.utilization", "description": "CPU use", "unit": "1",
       "metadata": [{"key": "origin", "value": {"stringValue": "sdk"}}],
       "gauge": {"dataPoints": [{
         "attributes": [{"key": "cpu", "value": {"stringValue": "0"}}],
         "startTimeUnixNano": "1700000000000000000",
         "timeUnixNano": "1700000060000000000",
         "asDouble": 0.25,
         "exemplars": [{
           "filteredAttributes": [{"key": "thread", "value": {"stringValue": "main"}}],
           "timeUnixNano": "1700000059999999995",
           "asDouble": 0.5,
           "spanId": "eee19b7ec3c1b174",
           "traceId": "5b8efff798038103d269b633813fc60c"
         }],
         "flags": 1
       }]}},
      {"name": "http.server.requests", "unit": "{request}",
       "sum": {"aggregationTemporality": 2, "isMonotonic": true, "dataPoints": [{
         "startTimeUnixNano": "1700000000000000000",
         "timeUnixNano": "1700000060000000000",
         "asInt": "9223372036854775807",
         "exemplars": [{"timeUnixNano": "1700000060000000000", "asInt": "-7"}]
       }]}},
      {"name": "http.server.duration", "unit": "ms",
       "histogram": {"aggregationTemporality": "AGGREGATION_TEMPORALITY_DELTA", "dataPoints": [{
         "attributes": [{"key": "route", "value": {"stringValue": "/a"}}],
         "startTimeUnixNano": "1700000000000000000",
         "timeUnixNano": "1700000060000000000",
         "count": "6",
         "sum": 123.5,
         "bucketCounts": ["1", 2, "3"],
         "explicitBounds": [10, 100.0],
         "exemplars": [{"timeUnixNano": "1700000060000000000", "asDouble": 42,
                        "traceId": "5b8efff798038103d269b633813fc60c", "spanId": ""}],
         "flags": 0,
         "min": 0.5,
         "max": 99.5
       }]}},
      {"name": "rpc.size", "unit": "By",
       "exponentialHistogram": {"aggregationTemporality": 2, "dataPoints": [{
         "startTimeUnixNano": "1700000000000000000",
         "timeUnixNano": "1700000060000000000",
         "count": "10",
         "sum": 2048,
         "scale": -3,
         "zeroCount": "1",
         "positive": {"offset": -2, "bucketCounts": ["4", "3"]},
         "negative": {"offset": 1, "bucketCounts": ["2"]},
         "min": 1,
         "max": 1024,
         "zeroThreshold": 1e-9
       }]}},
      {"name": "gc.pause", "unit": "s",
       "summary": {"dataPoints": [{
         "startTimeUnixNano": "1700000000000000000",
         "timeUnixNano": "1700000060000000000",
         "count": "3",
         "sum": 0.75,
         "quantileValues": [{"quantile": 0.5, "value": 0.2}, {"quantile": 1, "value": 0.35}],
         "flags": 1
       }]}}
    ]
  }]
}]}
""";

  @Test
  void protobufRoundTripKeepsEveryField() {
    assertThat(OtlpMetricsDecoder.decodeProtobuf(EXPECTED.toByteArray())).isEqualTo(EXPECTED);
  }

  @Test
  void jsonDecodesEveryKindOfMetric() {
    assertThat(decodeJson(JSON)).isEqualTo(EXPECTED);
  }

  @Test
  void optionalDoublesAreAbsentUnlessGiven() {
    String json =
        "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"histogram\":{\"dataPoints\":"
            + "[{\"count\":\"1\",\"min\":0}]}}]}]}]}";

    HistogramDataPoint point =
        decodeJson(json)
            .getResourceMetrics(0)
            .getScopeMetrics(0)
            .getMetrics(0)
            .getHistogram()
            .getDataPoints(0);

    assertThat(point.hasSum()).isFalse();
    assertThat(point.hasMin()).isTrue();
    assertThat(point.getMin()).isZero();
    assertThat(point.hasMax()).isFalse();
  }

  @Test
  void nonFiniteValuesAreWrittenAsStrings() {
    String json =
        "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"gauge\":{\"dataPoints\":"
            + "[{\"asDouble\":\"NaN\"},{\"asDouble\":\"-Infinity\"}]}}]}]}]}";

    Gauge gauge =
        decodeJson(json).getResourceMetrics(0).getScopeMetrics(0).getMetrics(0).getGauge();

    assertThat(gauge.getDataPoints(0).getAsDouble()).isNaN();
    assertThat(gauge.getDataPoints(1).getAsDouble()).isEqualTo(Double.NEGATIVE_INFINITY);
  }

  @Test
  void truncatedProtobufIsRejected() {
    byte[] full = EXPECTED.toByteArray();

    assertThatThrownBy(
            () -> OtlpMetricsDecoder.decodeProtobuf(Arrays.copyOf(full, full.length / 2)))
        .isInstanceOf(ProtocolException.class)
        .hasMessageStartingWith("invalid OTLP protobuf: ");
  }

  @Test
  void badExemplarIdsAndValuesAreRejectedWithTheirPath() {
    assertJsonRejected(
        oneSumPoint("{\"exemplars\":[{\"spanId\":\"eee1\"}]}"),
        "invalid OTLP JSON: field "
            + "\"resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0].exemplars[0].spanId\":"
            + " expected 16 hex characters, got 4");
    assertJsonRejected(
        oneSumPoint("{\"asInt\":\"x\"}"),
        "invalid OTLP JSON: field "
            + "\"resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0].asInt\": "
            + "expected a 64-bit integer, got \"x\"");
    assertJsonRejected(
        oneSumPoint("{\"asInt\":\"1\",\"asDouble\":1}"),
        "invalid OTLP JSON: field "
            + "\"resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0].asDouble\": "
            + "only one field of \"value\" may be set, but asInt is set too");
    assertJsonRejected(
        "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"gauge\":{},\"sum\":{}}]}]}]}",
        "invalid OTLP JSON: field \"resourceMetrics[0].scopeMetrics[0].metrics[0].sum\": "
            + "only one field of \"data\" may be set, but gauge is set too");
  }

  @Test
  void fuzzedProtobufOnlyEverFailsWithProtocolException() {
    Fuzzer.assertOnlyProtocolExceptions(
        20_251_103L, 3_000, List.of(EXPECTED.toByteArray()), OtlpMetricsDecoder::decodeProtobuf);
  }

  @Test
  void fuzzedJsonOnlyEverFailsWithProtocolException() {
    Fuzzer.assertOnlyProtocolExceptions(
        20_251_104L,
        3_000,
        List.of(JSON.getBytes(StandardCharsets.UTF_8)),
        OtlpMetricsDecoder::decodeJson);
  }

  private static ExportMetricsServiceRequest decodeJson(String json) {
    return OtlpMetricsDecoder.decodeJson(json.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertJsonRejected(String json, String message) {
    assertThatThrownBy(() -> decodeJson(json))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(message);
  }

  private static String oneSumPoint(String point) {
    return "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"sum\":{\"dataPoints\":["
        + point
        + "]}}]}]}]}";
  }

  private static KeyValue keyValue(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  private static ByteString hex(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }
}
