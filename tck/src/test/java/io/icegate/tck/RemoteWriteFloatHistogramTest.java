package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import io.icegate.storage.table.MetricsTable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Prometheus float histogram with fractional counts (what a recording rule over {@code rate()}
 * remote-writes) sent to {@code POST /api/v1/write}, accepted, compacted into Iceberg, and read
 * back by {@code /api/v1/query} in Prometheus's JSON with the same fractional counts.
 *
 * <p>The histogram, at 1000 s: schema 0, zero threshold 0.001 with count 0.25, Prometheus
 * buckets 1 = (1, 2] with 0.5 and 2 = (2, 4] with 0.75; count 1.5, sum 2.25; a gauge histogram.
 */
class RemoteWriteFloatHistogramTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir static Path dataDir;
  private static IceGateServer server;

  @BeforeAll
  static void start() throws Exception {
    server =
        IceGateServer.start(
            ServerConfig.defaults().withDataDir(dataDir).withPorts("127.0.0.1", 0, 0));
    HttpResponse<String> r = write(body());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    server.lake().compact(MetricsTable.NAME);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void fractionalCountsComeBackAsSent() throws Exception {
    HttpResponse<String> r = query("latency_seconds", 1000);
    assertThat(r.statusCode()).isEqualTo(200);
    // Buckets in Prometheus's order with its boundary rules: the zero bucket [-zt, zt] (3), then
    // the positive buckets, open below (0).
    assertThat(r.body()).isEqualTo(
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
            + "{\"metric\":{\"__name__\":\"latency_seconds\",\"job\":\"api\"},"
            + "\"histogram\":[1000,{\"count\":\"1.5\",\"sum\":\"2.25\",\"buckets\":["
            + "[3,\"-0.001\",\"0.001\",\"0.25\"],"
            + "[0,\"1\",\"2\",\"0.5\"],"
            + "[0,\"2\",\"4\",\"0.75\"]]}]}]}}");
  }

  @Test
  void histogramFunctionsSeeTheFractionalCounts() throws Exception {
    assertThat(query("histogram_count(latency_seconds)", 1000).body())
        .contains("\"value\":[1000,\"1.5\"]");
    // Fraction of observations up to 2: (0.25 + 0.5) / 1.5 = 0.5.
    assertThat(query("histogram_fraction(0, 2, latency_seconds)", 1000).body())
        .contains("\"value\":[1000,\"0.5\"]");
  }

  private static HttpResponse<String> query(String promql, long time) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.prometheusPort()
                + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&time=" + time))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> write(byte[] body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.prometheusPort() + "/api/v1/write"))
            .header("Content-Type", "application/x-protobuf")
            .header("Content-Encoding", "snappy")
            .header("X-Prometheus-Remote-Write-Version", "0.1.0")
            .POST(HttpRequest.BodyPublishers.ofByteArray(org.xerial.snappy.Snappy.compress(body)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** prometheus.WriteRequest with one TimeSeries holding one float Histogram (prompb types). */
  private static byte[] body() throws IOException {
    byte[] span = message(o -> {
      o.writeSInt32(1, 1); // offset: first bucket index 1
      o.writeUInt32(2, 2); // length
    });
    byte[] histogram = message(o -> {
      o.writeDouble(2, 1.5); // count_float
      o.writeDouble(3, 2.25); // sum
      o.writeSInt32(4, 0); // schema
      o.writeDouble(5, 0.001); // zero_threshold
      o.writeDouble(7, 0.25); // zero_count_float
      o.writeByteArray(11, span); // positive_spans
      o.writeByteArray(13, message(p -> {
        p.writeDoubleNoTag(0.5);
        p.writeDoubleNoTag(0.75);
      })); // positive_counts, packed
      o.writeEnum(14, 3); // reset_hint GAUGE
      o.writeInt64(15, 1_000_000); // timestamp, ms
    });
    byte[] series = message(o -> {
      o.writeByteArray(1, message(l -> {
        l.writeString(1, "__name__");
        l.writeString(2, "latency_seconds");
      }));
      o.writeByteArray(1, message(l -> {
        l.writeString(1, "job");
        l.writeString(2, "api");
      }));
      o.writeByteArray(4, histogram);
    });
    return message(o -> o.writeByteArray(1, series));
  }

  private interface Fields {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(Fields fields) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    fields.write(out);
    out.flush();
    return bytes.toByteArray();
  }
}
