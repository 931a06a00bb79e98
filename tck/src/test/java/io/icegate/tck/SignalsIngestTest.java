package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.CodedOutputStream;
import io.icegate.engine.metrics.MetricsQueryEngine;
import io.icegate.engine.promql.PromQLEngine;
import io.icegate.engine.promql.QueryResult;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import io.icegate.storage.Lake;
import io.icegate.storage.scan.ScanRequest;
import io.icegate.storage.table.SpansTable;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.iceberg.io.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Every signal through its real client into a real server: spans from the OpenTelemetry Java
 * SDK's OTLP/HTTP and OTLP/gRPC exporters, metrics from its OTLP/HTTP metric exporter, Loki push
 * (JSON and snappy protobuf) and Prometheus remote-write 1.0 from raw HTTP. Logs pushed to Loki
 * are read back through the Loki API while the server runs; spans and metrics, which have no
 * query API yet, are read back from the data directory after the server stopped — through the
 * storage scan and the PromQL engine over the metrics table.
 */
class SignalsIngestTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dataDir;

  @Test
  void everySignalIsStoredAndReadsBack() throws Exception {
    long nowMs = System.currentTimeMillis();
    String traceHttp;
    String traceGrpc;
    try (IceGateServer server =
        IceGateServer.start(
            ServerConfig.defaults().withDataDir(dataDir).withPorts("127.0.0.1", 0, 0))) {
      traceHttp =
          sendTrace(
              OtlpHttpSpanExporter.builder()
                  .setEndpoint("http://127.0.0.1:" + server.otlpHttpPort() + "/v1/traces")
                  .build(),
              "http");
      traceGrpc =
          sendTrace(
              OtlpGrpcSpanExporter.builder()
                  .setEndpoint("http://127.0.0.1:" + server.otlpGrpcPort())
                  .build(),
              "grpc");
      sendMetrics(server.otlpHttpPort());

      // Loki push, JSON and snappy-compressed protobuf (logproto.PushRequest).
      long tsNanos = nowMs * 1_000_000;
      String json =
          "{\"streams\":[{\"stream\":{\"job\":\"promtail\",\"service_name\":\"pushed\"},"
              + "\"values\":[[\"" + tsNanos + "\",\"pushed as json\",{\"user\":\"ann\"}]]}]}";
      assertThat(post(server.lokiPort(), "/loki/api/v1/push", "application/json", null,
              json.getBytes(StandardCharsets.UTF_8)).statusCode())
          .isEqualTo(204);
      byte[] pushProto =
          Snappy.compress(
              message(1, stream("{job=\"promtail\", service_name=\"pushed\"}", tsNanos + 1,
                  "pushed as protobuf")));
      assertThat(post(server.lokiPort(), "/loki/api/v1/push", "application/x-protobuf", null,
              pushProto).statusCode())
          .isEqualTo(204);
      HttpResponse<String> bad =
          post(server.lokiPort(), "/loki/api/v1/push", "application/json", null,
              "{\"streams\":[{\"stream\":{},\"values\":[[\"x\",\"y\"]]}]}".getBytes());
      assertThat(bad.statusCode()).isEqualTo(400);

      LokiResponse lines =
          new LokiClient(server::lokiPort)
              .queryRange(
                  LokiQuery.of("{service_name=\"pushed\"}")
                      .between(tsNanos - 1_000_000_000L, tsNanos + 1_000_000_000L)
                      .forward());
      assertThat(lines.lines()).containsExactly("pushed as json", "pushed as protobuf");

      // Prometheus remote-write 1.0: snappy-compressed prometheus.WriteRequest.
      byte[] write =
          Snappy.compress(
              message(1, timeSeries(
                  Map.of("__name__", "rw_requests_total", "job", "agent"),
                  new double[] {5, 7}, new long[] {nowMs - 30_000, nowMs - 15_000})));
      HttpResponse<String> written =
          post(server.prometheusPort(), "/api/v1/write", "application/x-protobuf", "snappy",
              write);
      assertThat(written.statusCode()).as(written.body()).isEqualTo(204);
      HttpResponse<String> v2 =
          post(server.prometheusPort(), "/api/v1/write",
              "application/x-protobuf;proto=io.prometheus.write.v2.Request", "snappy", write);
      assertThat(v2.statusCode()).isEqualTo(415);
      HttpResponse<String> garbage =
          post(server.prometheusPort(), "/api/v1/write", "application/x-protobuf", "snappy",
              "not snappy".getBytes());
      assertThat(garbage.statusCode()).isEqualTo(400);
    }

    try (RootAllocator root = new RootAllocator();
        Lake lake = Lake.openLocal(dataDir, Duration.ofMillis(1))) {
      // Spans: both exporters' traces, with kind, status, attributes, events and links.
      List<String> seen = new ArrayList<>();
      ScanRequest request =
          new ScanRequest(
              SpansTable.NAME, "fake", Long.MIN_VALUE, Long.MAX_VALUE,
              List.of(SpansTable.TRACE_ID, SpansTable.NAME_COLUMN, SpansTable.KIND,
                  SpansTable.STATUS_CODE, SpansTable.SERVICE_NAME, SpansTable.EVENTS,
                  SpansTable.LINKS, SpansTable.SPAN_ATTRIBUTES));
      try (CloseableIterator<VectorSchemaRoot> it = lake.scanner().open(request, root)) {
        while (it.hasNext()) {
          try (VectorSchemaRoot batch = it.next()) {
            for (int i = 0; i < batch.getRowCount(); i++) {
              String trace =
                  HexFormat.of()
                      .formatHex(((FixedSizeBinaryVector) batch.getVector(SpansTable.TRACE_ID)).get(i));
              String name = text(batch, SpansTable.NAME_COLUMN, i);
              seen.add(name + "@" + trace);
              assertThat(text(batch, SpansTable.SERVICE_NAME, i)).isEqualTo("shop");
              if (name.startsWith("checkout")) {
                assertThat(((IntVector) batch.getVector(SpansTable.KIND)).get(i))
                    .isEqualTo(2); // SERVER
                assertThat(((IntVector) batch.getVector(SpansTable.STATUS_CODE)).get(i))
                    .isEqualTo(2); // ERROR
                assertThat(batch.getVector(SpansTable.EVENTS).getObject(i).toString())
                    .contains("payment declined");
                assertThat(((ListVector) batch.getVector(SpansTable.LINKS)).getObject(i))
                    .hasSize(1);
                assertThat(batch.getVector(SpansTable.SPAN_ATTRIBUTES).getObject(i).toString())
                    .contains("http.route").contains("/cart");
              }
            }
          }
        }
      }
      assertThat(seen)
          .containsExactlyInAnyOrder(
              "checkout-http@" + traceHttp, "db-http@" + traceHttp,
              "checkout-grpc@" + traceGrpc, "db-grpc@" + traceGrpc);

      // Metrics, through PromQL over the metrics table.
      MetricsQueryEngine promql =
          new MetricsQueryEngine(
              lake.scanner(), root, 64L << 20, Duration.ofSeconds(30), PromQLEngine.Options.DEFAULT);
      long at = System.currentTimeMillis();
      assertThat(value(promql, "orders_total{job=\"shop\"}", at)).isEqualTo(3);
      assertThat(value(promql, "queue_depth", at)).isEqualTo(42);
      assertThat(value(promql, "latency_milliseconds_count", at)).isEqualTo(2);
      assertThat(value(promql, "latency_milliseconds_sum", at)).isEqualTo(130);
      assertThat(value(promql, "sum(latency_milliseconds_bucket{le=\"+Inf\"})", at)).isEqualTo(2);
      // remote-write samples 5 and 7 fifteen seconds apart, stamped from the test's start: asked
      // at that time, so a slow run (a loaded machine) can't push the first out of the window.
      assertThat(value(promql, "rw_requests_total", nowMs)).isEqualTo(7);
      assertThat(value(promql, "idelta(rw_requests_total[1m])", nowMs))
          .isCloseTo(2, within(1e-9));
      assertThat(root.getAllocatedMemory()).isZero();
    }
  }

  private static double value(MetricsQueryEngine promql, String query, long at) {
    QueryResult.VectorResult v =
        (QueryResult.VectorResult) promql.instant("fake", query, at, () -> false);
    assertThat(v.samples()).as(query).hasSize(1);
    return v.samples().get(0).value();
  }

  private static String text(VectorSchemaRoot batch, String column, int i) {
    VarCharVector v = (VarCharVector) batch.getVector(column);
    return v.isNull(i) ? null : new String(v.get(i), StandardCharsets.UTF_8);
  }

  /** A server span with an error status, an event, a link and a child; returns its trace id. */
  private static String sendTrace(SpanExporter exporter, String suffix) {
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(Resource.getDefault().merge(Resource.builder().put("service.name", "shop").build()))
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build();
    try {
      Tracer tracer = provider.get("tck");
      SpanContext linked =
          SpanContext.create(
              "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", TraceFlags.getSampled(),
              TraceState.getDefault());
      var root =
          tracer.spanBuilder("checkout-" + suffix)
              .setSpanKind(SpanKind.SERVER)
              .setAttribute("http.route", "/cart")
              .addLink(linked, Attributes.of(AttributeKey.stringKey("why"), "retry"))
              .startSpan();
      try (var scope = root.makeCurrent()) {
        tracer.spanBuilder("db-" + suffix).setSpanKind(SpanKind.CLIENT).startSpan().end();
        root.addEvent("payment declined", Attributes.of(AttributeKey.longKey("attempt"), 2L));
        root.setStatus(StatusCode.ERROR, "declined");
      } finally {
        root.end();
      }
      return root.getSpanContext().getTraceId();
    } finally {
      assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
      provider.shutdown().join(30, TimeUnit.SECONDS);
    }
  }

  /** A counter (3), a gauge (42) and a histogram in ms (two observations: 30 and 100). */
  private static void sendMetrics(int port) {
    OtlpHttpMetricExporter exporter =
        OtlpHttpMetricExporter.builder()
            .setEndpoint("http://127.0.0.1:" + port + "/v1/metrics")
            .build();
    SdkMeterProvider provider =
        SdkMeterProvider.builder()
            .setResource(Resource.getDefault().merge(Resource.builder().put("service.name", "shop").build()))
            .registerMetricReader(
                PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build())
            .build();
    try {
      var meter = provider.get("tck");
      meter.counterBuilder("orders").build().add(3);
      meter.gaugeBuilder("queue.depth").ofLongs().buildWithCallback(m -> m.record(42));
      var latency = meter.histogramBuilder("latency").setUnit("ms").build();
      latency.record(30);
      latency.record(100);
      assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
    } finally {
      provider.shutdown().join(30, TimeUnit.SECONDS);
    }
  }

  private static HttpResponse<String> post(
      int port, String path, String contentType, String encoding, byte[] body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (encoding != null) {
      b.header("Content-Encoding", encoding);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  // Minimal protobuf encoding of the two push formats (field numbers from logproto and
  // prometheus/prompb): a message is its fields, a nested message a length-delimited field.

  static byte[] stream(String labels, long tsNanos, String line) throws Exception {
    byte[] timestamp = fields(out -> {
      out.writeInt64(1, tsNanos / 1_000_000_000L);
      out.writeInt32(2, (int) (tsNanos % 1_000_000_000L));
    });
    byte[] entry = fields(out -> {
      out.writeByteArray(1, timestamp);
      out.writeString(2, line);
    });
    return fields(out -> {
      out.writeString(1, labels);
      out.writeByteArray(2, entry);
    });
  }

  static byte[] timeSeries(Map<String, String> labels, double[] values, long[] times)
      throws Exception {
    return fields(out -> {
      for (Map.Entry<String, String> l : new java.util.TreeMap<>(labels).entrySet()) {
        out.writeByteArray(1, fields(o -> {
          o.writeString(1, l.getKey());
          o.writeString(2, l.getValue());
        }));
      }
      for (int i = 0; i < values.length; i++) {
        double v = values[i];
        long t = times[i];
        out.writeByteArray(2, fields(o -> {
          o.writeDouble(1, v);
          o.writeInt64(2, t);
        }));
      }
    });
  }

  static byte[] message(int field, byte[] nested) throws Exception {
    return fields(out -> out.writeByteArray(field, nested));
  }

  private interface Fields {
    void write(CodedOutputStream out) throws Exception;
  }

  private static byte[] fields(Fields f) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    f.write(out);
    out.flush();
    return bytes.toByteArray();
  }
}
