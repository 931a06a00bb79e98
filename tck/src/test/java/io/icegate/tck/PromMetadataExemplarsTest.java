package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import io.icegate.storage.table.MetricsTable;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/v1/metadata} and {@code /api/v1/query_exemplars} over what the server stored, in
 * Prometheus's JSON (web/api/v1: metadata is {@code {family: [{type, help, unit}]}}, exemplars
 * {@code [{seriesLabels, exemplars: [{labels, value, timestamp}]}]}).
 *
 * <p>Data, sent over the wire and compacted into Iceberg:
 *
 * <ul>
 *   <li>OTLP/HTTP (service {@code shop}) at 1000 s: counter {@code orders} (help "Orders placed",
 *       unit {@code {order}}) = 3; gauge {@code queue.depth} (unit {@code By}) = 42; histogram
 *       {@code http.server.duration} (help "Request time", unit {@code ms}, bounds 50, 200) with
 *       exemplars 30 at 999.5 s (user=alice) and 100 at 1000 s, both with trace id 0102…10 and
 *       span id 0a0b…11.
 *   <li>remote-write: {@code rw_requests_total{job="rw"}} 5 at 1000 s with metadata COUNTER
 *       "Requests." and an exemplar {trace="t1"} 5 at 1000 s; {@code rw_latency_seconds_bucket},
 *       {@code _sum}, {@code _count} with metadata HISTOGRAM "RW latency" unit seconds; {@code
 *       plain_total} without metadata.
 * </ul>
 *
 * Expected answers follow Prometheus's OTLP translation (names with unit and type suffixes, unit
 * "ms" shown as "milliseconds", a classic bucket's exemplar on the bucket its value falls in) and
 * are written out by hand.
 */
class PromMetadataExemplarsTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final String TRACE = "0102030405060708090a0b0c0d0e0f10";
  private static final String SPAN = "0a0b0c0d0e0f1011";
  @TempDir static Path dataDir;
  private static IceGateServer server;

  @BeforeAll
  static void start() throws Exception {
    server = IceGateServer.start(
        ServerConfig.defaults().withDataDir(dataDir).withPorts("127.0.0.1", 0, 0));
    sendOtlp();
    sendRemoteWrite();
    server.lake().compact(MetricsTable.NAME);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  // ---- metadata ----

  @Test
  void metadataOfEveryFamilyInPrometheusShape() throws Exception {
    HttpResponse<String> r = get("/api/v1/metadata");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"status\":\"success\",\"data\":{"
        + "\"http_server_duration_milliseconds\":"
        + "[{\"type\":\"histogram\",\"help\":\"Request time\",\"unit\":\"milliseconds\"}],"
        + "\"orders_total\":[{\"type\":\"counter\",\"help\":\"Orders placed\",\"unit\":\"\"}],"
        + "\"queue_depth_bytes\":[{\"type\":\"gauge\",\"help\":\"\",\"unit\":\"bytes\"}],"
        + "\"rw_latency_seconds\":"
        + "[{\"type\":\"histogram\",\"help\":\"RW latency\",\"unit\":\"seconds\"}],"
        + "\"rw_requests_total\":[{\"type\":\"counter\",\"help\":\"Requests.\",\"unit\":\"\"}]"
        + "}}");
  }

  @Test
  void metadataOfOneMetricAndLimits() throws Exception {
    assertThat(get("/api/v1/metadata?metric=rw_latency_seconds").body()).isEqualTo(
        "{\"status\":\"success\",\"data\":{\"rw_latency_seconds\":"
            + "[{\"type\":\"histogram\",\"help\":\"RW latency\",\"unit\":\"seconds\"}]}}");
    assertThat(get("/api/v1/metadata?metric=plain_total").body())
        .isEqualTo("{\"status\":\"success\",\"data\":{}}");
    // limit=0 is "no families" in Prometheus (only a negative limit means none).
    assertThat(get("/api/v1/metadata?limit=0").body())
        .isEqualTo("{\"status\":\"success\",\"data\":{}}");
    assertThat(get("/api/v1/metadata?limit=1&limit_per_metric=1").body()).isEqualTo(
        "{\"status\":\"success\",\"data\":{\"http_server_duration_milliseconds\":"
            + "[{\"type\":\"histogram\",\"help\":\"Request time\",\"unit\":\"milliseconds\"}]}}");
    PrometheusQueryTest.assertError(
        get("/api/v1/metadata?limit_per_metric=x"), 400, "bad_data",
        "limit_per_metric must be a number");
  }

  // ---- exemplars ----

  @Test
  void exemplarsOfAClassicHistogramSitOnTheirBuckets() throws Exception {
    HttpResponse<String> r = get("/api/v1/query_exemplars?start=900&end=1100&query="
        + enc("histogram_quantile(0.9, rate(http_server_duration_milliseconds_bucket[5m]))"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String labels = "\"span_id\":\"" + SPAN + "\",\"trace_id\":\"" + TRACE + "\"";
    assertThat(r.body()).isEqualTo("{\"status\":\"success\",\"data\":["
        + "{\"seriesLabels\":{\"__name__\":\"http_server_duration_milliseconds_bucket\","
        + "\"job\":\"shop\",\"le\":\"200\"},"
        + "\"exemplars\":[{\"labels\":{" + labels + "},\"value\":\"100\",\"timestamp\":1000}]},"
        + "{\"seriesLabels\":{\"__name__\":\"http_server_duration_milliseconds_bucket\","
        + "\"job\":\"shop\",\"le\":\"50\"},"
        + "\"exemplars\":[{\"labels\":{" + labels + ",\"user\":\"alice\"},\"value\":\"30\","
        + "\"timestamp\":999.500}]}]}");
  }

  @Test
  void exemplarsAreCutToTheWindowAndMatchers() throws Exception {
    HttpResponse<String> r = post("/api/v1/query_exemplars", "start=999.8&end=1100&query="
        + enc("http_server_duration_milliseconds_bucket{le=~\"5.*\"}"));
    assertThat(r.body()).isEqualTo("{\"status\":\"success\",\"data\":[]}");
    r = get("/api/v1/query_exemplars?start=900&end=1100&query=rw_requests_total");
    assertThat(r.body()).isEqualTo("{\"status\":\"success\",\"data\":["
        + "{\"seriesLabels\":{\"__name__\":\"rw_requests_total\",\"job\":\"rw\"},"
        + "\"exemplars\":[{\"labels\":{\"trace\":\"t1\"},\"value\":\"5\",\"timestamp\":1000}]}]}");
  }

  @Test
  void grafanasProbeAndQueriesWithoutSelectors() throws Exception {
    // REQUESTS.md §2.3: query=test with millisecond times from now-30m to now.
    HttpResponse<String> probe = post("/api/v1/query_exemplars",
        "query=test&start=1787311820500&end=1787313620500");
    assertThat(probe.statusCode()).isEqualTo(200);
    assertThat(probe.body()).isEqualTo("{\"status\":\"success\",\"data\":[]}");
    // No selector: Prometheus answers success with no data at all.
    assertThat(get("/api/v1/query_exemplars?query=" + enc("1+1")).body())
        .isEqualTo("{\"status\":\"success\"}");
    PrometheusQueryTest.assertError(
        get("/api/v1/query_exemplars?query=up&start=10&end=5"), 400, "bad_data",
        "end timestamp must not be before start timestamp");
  }

  // ---- data ----

  private static void sendOtlp() throws Exception {
    long t = 1000_000_000_000L;
    Metric orders = Metric.newBuilder().setName("orders").setDescription("Orders placed")
        .setUnit("{order}")
        .setSum(Sum.newBuilder().setIsMonotonic(true)
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
            .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(t).setAsInt(3)))
        .build();
    Metric depth = Metric.newBuilder().setName("queue.depth").setUnit("By")
        .setGauge(Gauge.newBuilder()
            .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(t).setAsInt(42)))
        .build();
    ByteString trace = ByteString.copyFrom(HexFormat.of().parseHex(TRACE));
    ByteString span = ByteString.copyFrom(HexFormat.of().parseHex(SPAN));
    Metric latency = Metric.newBuilder().setName("http.server.duration")
        .setDescription("Request time").setUnit("ms")
        .setHistogram(Histogram.newBuilder()
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
            .addDataPoints(HistogramDataPoint.newBuilder().setTimeUnixNano(t)
                .setCount(2).setSum(130)
                .addAllExplicitBounds(List.of(50.0, 200.0))
                .addAllBucketCounts(List.of(1L, 1L, 0L))
                .addExemplars(Exemplar.newBuilder().setTimeUnixNano(t - 500_000_000L)
                    .setAsDouble(30).setTraceId(trace).setSpanId(span)
                    .addFilteredAttributes(kv("user", "alice")))
                .addExemplars(Exemplar.newBuilder().setTimeUnixNano(t)
                    .setAsDouble(100).setTraceId(trace).setSpanId(span))))
        .build();
    ExportMetricsServiceRequest request = ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(kv("service.name", "shop")))
            .addScopeMetrics(ScopeMetrics.newBuilder()
                .addMetrics(orders).addMetrics(depth).addMetrics(latency)))
        .build();
    HttpResponse<String> r = HTTP.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.otlpHttpPort() + "/v1/metrics"))
            .header("Content-Type", "application/x-protobuf")
            .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder().setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  /** prompb.WriteRequest with timeseries (1) and metadata (3), encoded by hand. */
  private static void sendRemoteWrite() throws Exception {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(body);
    out.writeByteArray(1, series(List.of("__name__", "rw_requests_total", "job", "rw"), 5,
        new Object[] {List.of("trace", "t1"), 5.0, 1_000_000L}));
    out.writeByteArray(1, series(
        List.of("__name__", "rw_latency_seconds_bucket", "job", "rw", "le", "+Inf"), 2, null));
    out.writeByteArray(1, series(List.of("__name__", "rw_latency_seconds_sum", "job", "rw"), 1.5,
        null));
    out.writeByteArray(1, series(List.of("__name__", "rw_latency_seconds_count", "job", "rw"), 2,
        null));
    out.writeByteArray(1, series(List.of("__name__", "plain_total", "job", "rw"), 1, null));
    out.writeByteArray(3, metadata(1, "rw_requests_total", "Requests.", ""));
    out.writeByteArray(3, metadata(3, "rw_latency_seconds", "RW latency", "seconds"));
    out.flush();
    HttpResponse<String> r = HTTP.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.prometheusPort() + "/api/v1/write"))
            .header("Content-Type", "application/x-protobuf")
            .header("Content-Encoding", "snappy")
            .header("X-Prometheus-Remote-Write-Version", "0.1.0")
            .POST(HttpRequest.BodyPublishers.ofByteArray(
                org.xerial.snappy.Snappy.compress(body.toByteArray())))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
  }

  /** A TimeSeries with one sample at 1000 s and optionally one exemplar {labels, value, ms}. */
  private static byte[] series(List<String> labels, double value, Object[] exemplar)
      throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(b);
    for (int i = 0; i < labels.size(); i += 2) {
      o.writeByteArray(1, label(labels.get(i), labels.get(i + 1)));
    }
    ByteArrayOutputStream sample = new ByteArrayOutputStream();
    CodedOutputStream so = CodedOutputStream.newInstance(sample);
    so.writeDouble(1, value);
    so.writeInt64(2, 1_000_000L);
    so.flush();
    o.writeByteArray(2, sample.toByteArray());
    if (exemplar != null) {
      ByteArrayOutputStream ex = new ByteArrayOutputStream();
      CodedOutputStream eo = CodedOutputStream.newInstance(ex);
      @SuppressWarnings("unchecked")
      List<String> el = (List<String>) exemplar[0];
      for (int i = 0; i < el.size(); i += 2) {
        eo.writeByteArray(1, label(el.get(i), el.get(i + 1)));
      }
      eo.writeDouble(2, (Double) exemplar[1]);
      eo.writeInt64(3, (Long) exemplar[2]);
      eo.flush();
      o.writeByteArray(3, ex.toByteArray());
    }
    o.flush();
    return b.toByteArray();
  }

  private static byte[] label(String name, String value) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(b);
    o.writeString(1, name);
    o.writeString(2, value);
    o.flush();
    return b.toByteArray();
  }

  /** prompb.MetricMetadata: type (1), metric_family_name (2), help (4), unit (5). */
  private static byte[] metadata(int type, String family, String help, String unit)
      throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(b);
    o.writeEnum(1, type);
    o.writeString(2, family);
    o.writeString(4, help);
    if (!unit.isEmpty()) {
      o.writeString(5, unit);
    }
    o.flush();
    return b.toByteArray();
  }

  // ---- helpers ----

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.prometheusPort() + pathAndQuery))
            .GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, String form) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.prometheusPort() + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
