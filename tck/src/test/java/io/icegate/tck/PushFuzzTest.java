package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Random bytes and mutated valid bodies thrown at every push endpoint besides OTLP logs (which
 * BadInputTest covers): OTLP traces and metrics (protobuf and JSON), Loki push (JSON and snappy
 * protobuf) and remote-write. No answer may be a 5xx, and after the storm each endpoint still
 * stores a valid request.
 */
class PushFuzzTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Set<Integer> ALLOWED = Set.of(200, 204, 400, 413, 415);

  @TempDir static Path dataDir;
  private static IceGateServer server;

  /** One endpoint and a valid body for it. */
  record Target(String name, int port, String path, String contentType, String encoding,
      byte[] valid, boolean snappy) {}

  @BeforeAll
  static void start() throws Exception {
    server =
        IceGateServer.start(
            ServerConfig.defaults()
                .withDataDir(dataDir)
                .withPorts("127.0.0.1", 0, 0)
                .withMaxRequestBytes(256 << 10));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void mutatedBodiesAreAnswered2xxOr4xxNever5xx() throws Exception {
    long nowNanos = System.currentTimeMillis() * 1_000_000;
    List<Target> targets = targets(nowNanos);
    Random random = new Random(20261126L);
    List<String> failures = new ArrayList<>();
    int answered = 0;
    for (Target t : targets) {
      for (int i = 0; i < 120; i++) {
        byte[] body = mutate(t, random);
        HttpResponse<String> r = post(t, body);
        answered++;
        if (!ALLOWED.contains(r.statusCode())) {
          failures.add(t.name() + " #" + i + ": " + r.statusCode() + " " + r.body());
        }
      }
    }
    assertThat(failures).as("answers outside 2xx/4xx").isEmpty();
    assertThat(answered).isEqualTo(targets.size() * 120);
    // Still serving, and still storing: every valid body is accepted after the storm.
    for (Target t : targets(nowNanos + 1)) {
      HttpResponse<String> r = post(t, t.valid());
      assertThat(r.statusCode()).as(t.name() + ": " + r.body()).isIn(200, 204);
    }
  }

  private static byte[] mutate(Target t, Random random) throws Exception {
    byte[] raw = t.snappy() ? Snappy.uncompress(t.valid()) : t.valid();
    byte[] out;
    switch (random.nextInt(4)) {
      case 0 -> { // flip bytes
        out = raw.clone();
        for (int k = 0; k < 1 + random.nextInt(4); k++) {
          out[random.nextInt(out.length)] = (byte) random.nextInt(256);
        }
      }
      case 1 -> out = Arrays.copyOf(raw, random.nextInt(raw.length)); // truncate
      case 2 -> { // random bytes
        out = new byte[random.nextInt(200)];
        random.nextBytes(out);
      }
      default -> { // duplicate a slice
        int from = random.nextInt(raw.length);
        int len = random.nextInt(raw.length - from);
        byte[] grown = Arrays.copyOf(raw, raw.length + len);
        System.arraycopy(raw, from, grown, raw.length, len);
        out = grown;
      }
    }
    // Compressed targets: sometimes the mutation hits the compressed bytes themselves.
    if (t.snappy()) {
      return random.nextBoolean() ? Snappy.compress(out) : out;
    }
    return out;
  }

  private static List<Target> targets(long nowNanos) throws Exception {
    byte[] traces =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(Resource.newBuilder().addAttributes(attr("service.name", "f")))
                    .addScopeSpans(
                        ScopeSpans.newBuilder()
                            .addSpans(
                                Span.newBuilder()
                                    .setTraceId(ByteString.copyFrom(new byte[] {
                                      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, (byte) nowNanos}))
                                    .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
                                    .setName("fuzz")
                                    .setStartTimeUnixNano(nowNanos)
                                    .setEndTimeUnixNano(nowNanos + 1000))))
            .build()
            .toByteArray();
    byte[] metrics =
        ExportMetricsServiceRequest.newBuilder()
            .addResourceMetrics(
                ResourceMetrics.newBuilder()
                    .setResource(Resource.newBuilder().addAttributes(attr("service.name", "f")))
                    .addScopeMetrics(
                        ScopeMetrics.newBuilder()
                            .addMetrics(
                                Metric.newBuilder()
                                    .setName("fuzz_gauge")
                                    .setGauge(
                                        Gauge.newBuilder()
                                            .addDataPoints(
                                                NumberDataPoint.newBuilder()
                                                    .setTimeUnixNano(nowNanos)
                                                    .setAsDouble(1.5))))))
            .build()
            .toByteArray();
    String tracesJson =
        "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
            + "\"value\":{\"stringValue\":\"f\"}}]},\"scopeSpans\":[{\"spans\":[{\"traceId\":"
            + "\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\",\"name\":\"j\","
            + "\"startTimeUnixNano\":\"" + nowNanos + "\",\"endTimeUnixNano\":\"" + (nowNanos + 5)
            + "\",\"kind\":2}]}]}]}";
    String lokiJson =
        "{\"streams\":[{\"stream\":{\"job\":\"fuzz\"},\"values\":[[\"" + nowNanos
            + "\",\"a line\",{\"k\":\"v\"}]]}]}";
    byte[] lokiProto =
        Snappy.compress(SignalsIngestTest.message(1,
            SignalsIngestTest.stream("{job=\"fuzz\"}", nowNanos, "proto line")));
    byte[] remoteWrite =
        Snappy.compress(SignalsIngestTest.message(1,
            SignalsIngestTest.timeSeries(Map.of("__name__", "fuzz_total", "job", "f"),
                new double[] {1}, new long[] {nowNanos / 1_000_000})));
    int otlp = server.otlpHttpPort();
    return List.of(
        new Target("traces/protobuf", otlp, "/v1/traces", "application/x-protobuf", null, traces,
            false),
        new Target("traces/json", otlp, "/v1/traces", "application/json", null,
            tracesJson.getBytes(StandardCharsets.UTF_8), false),
        new Target("metrics/protobuf", otlp, "/v1/metrics", "application/x-protobuf", null,
            metrics, false),
        new Target("loki/json", server.lokiPort(), "/loki/api/v1/push", "application/json", null,
            lokiJson.getBytes(StandardCharsets.UTF_8), false),
        new Target("loki/protobuf", server.lokiPort(), "/loki/api/v1/push",
            "application/x-protobuf", null, lokiProto, true),
        new Target("remote-write", server.prometheusPort(), "/api/v1/write",
            "application/x-protobuf", "snappy", remoteWrite, true));
  }

  private static HttpResponse<String> post(Target t, byte[] body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + t.port() + t.path()))
            .header("Content-Type", t.contentType())
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (t.encoding() != null) {
      b.header("Content-Encoding", t.encoding());
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}
