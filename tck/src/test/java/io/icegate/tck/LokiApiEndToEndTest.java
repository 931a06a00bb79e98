package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.Limits;
import io.icegate.server.config.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loki's index, detected-fields and pattern endpoints against a real server: lines go in through
 * {@code /loki/api/v1/push} (JSON, with structured metadata, as Promtail and Alloy send it) and
 * every expected number is computed here from the lines sent — bytes are the UTF-8 length of the
 * lines, as Loki counts a chunk's uncompressed line bytes.
 */
class LokiApiEndToEndTest {
  static final long T0 = 1_700_000_000_000_000_000L; // a multiple of 10 s
  private static final long SECOND = 1_000_000_000L;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** One pushed line: its stream, time offset, line and structured metadata. */
  record Line(Map<String, String> stream, long offsetNanos, String line, Map<String, String> meta) {
    long bytes() {
      return line.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The pushed metadata plus the {@code detected_level} Loki stores with it. */
    Map<String, String> storedMeta() {
      return with(meta, "detected_level", DETECTED_LEVEL.get(line));
    }
  }

  /**
   * The {@code detected_level} Loki's distributor stores for each of {@link #LINES} (none names a
   * level in its labels or metadata, so the line decides): a logfmt or JSON line's {@code level}
   * field, normalised; a line naming no level is {@code unknown}. Worked out by hand.
   */
  private static final Map<String, String> DETECTED_LEVEL =
      Map.of(
          "level=info status=200 duration=12ms size=1.5KB msg=\"GET /cart\"", "info",
          "level=warn status=404 duration=1.5s size=20B msg=\"GET /nope\"", "warn",
          "level=error status=500 duration=250ms size=3MB msg=\"POST /pay\"", "error",
          "level=debug status=200 duration=3ms size=10B msg=\"GET /health\"", "debug",
          "{\"level\":\"info\",\"latency\":0.25,\"ok\":true,\"user\":{\"id\":42}}", "info",
          "{\"level\":\"error\",\"latency\":1.75,\"ok\":false,\"user\":{\"id\":7}}", "error",
          "plain text without fields", "unknown");

  private static final Map<String, String> API_PROD =
      Map.of("app", "api", "env", "prod", "team", "alpha");
  private static final Map<String, String> API_DEV =
      Map.of("app", "api", "env", "dev", "team", "alpha");
  private static final Map<String, String> WEB_PROD =
      Map.of("app", "web", "env", "prod", "team", "beta");

  static final List<Line> LINES =
      List.of(
          new Line(API_PROD, SECOND,
              "level=info status=200 duration=12ms size=1.5KB msg=\"GET /cart\"",
              Map.of("user", "ann")),
          new Line(API_PROD, 2 * SECOND,
              "level=warn status=404 duration=1.5s size=20B msg=\"GET /nope\"",
              Map.of("user", "bob")),
          new Line(API_PROD, 12 * SECOND,
              "level=error status=500 duration=250ms size=3MB msg=\"POST /pay\"", Map.of()),
          new Line(API_DEV, 3 * SECOND,
              "level=debug status=200 duration=3ms size=10B msg=\"GET /health\"", Map.of()),
          new Line(WEB_PROD, 5 * SECOND,
              "{\"level\":\"info\",\"latency\":0.25,\"ok\":true,\"user\":{\"id\":42}}", Map.of()),
          new Line(WEB_PROD, 15 * SECOND,
              "{\"level\":\"error\",\"latency\":1.75,\"ok\":false,\"user\":{\"id\":7}}",
              Map.of()),
          new Line(WEB_PROD, 25 * SECOND, "plain text without fields", Map.of()));

  /** A tenant whose max_query_series is 1 and max_query_length 30m. */
  private static final String TIGHT = "tight";

  @TempDir static Path dataDir;
  private static IceGateServer server;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void startAndPush() throws Exception {
    server =
        IceGateServer.start(
            ServerConfig.defaults()
                .withDataDir(dataDir)
                .withPorts("127.0.0.1", 0, 0)
                .withLimits(
                    Limits.DEFAULT,
                    Map.of(
                        TIGHT,
                        Limits.DEFAULT
                            .withMaxQuerySeries(1)
                            .withMaxQueryLength(java.time.Duration.ofMinutes(30)))));
    push(server.lokiPort(), LINES);
    push(server.lokiPort(), LINES, T0, TIGHT);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  // ---- /index/stats ----

  @Test
  void indexStatsCountsStreamsEntriesAndLineBytes() throws Exception {
    JsonNode stats = getJson("/loki/api/v1/index/stats", window("{app=\"api\"}"));

    List<Line> api = select(l -> l.stream().get("app").equals("api"));
    assertThat(fieldNames(stats)).containsExactly("streams", "chunks", "bytes", "entries");
    assertThat(stats.get("streams").asLong()).isEqualTo(2);
    assertThat(stats.get("entries").asLong()).isEqualTo(api.size());
    assertThat(stats.get("bytes").asLong()).isEqualTo(sumBytes(api));
    // Every line was pushed in one request: at least one stored segment, never more than one per
    // stream that request wrote.
    assertThat(stats.get("chunks").asLong()).isBetween(1L, 3L);
  }

  @Test
  void indexStatsOfNothingIsAllZero() throws Exception {
    JsonNode stats = getJson("/loki/api/v1/index/stats", window("{app=\"nothing\"}"));

    assertThat(stats.get("streams").asLong()).isZero();
    assertThat(stats.get("chunks").asLong()).isZero();
    assertThat(stats.get("bytes").asLong()).isZero();
    assertThat(stats.get("entries").asLong()).isZero();
  }

  @Test
  void indexStatsHonoursTheTimeRange() throws Exception {
    // [T0, T0+10s]: the api lines at 1s, 2s, 3s only.
    JsonNode stats =
        getJson(
            "/loki/api/v1/index/stats",
            Map.of("query", "{app=\"api\"}", "start", Long.toString(T0),
                "end", Long.toString(T0 + 10 * SECOND)));

    List<Line> early =
        select(l -> l.stream().get("app").equals("api") && l.offsetNanos() <= 10 * SECOND);
    assertThat(stats.get("entries").asLong()).isEqualTo(3);
    assertThat(stats.get("bytes").asLong()).isEqualTo(sumBytes(early));
  }

  @Test
  void indexStatsRejectsABadSelectorWith400() throws Exception {
    HttpResponse<String> response =
        get("/loki/api/v1/index/stats", window("{app=\"api\""));

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode body = MAPPER.readTree(response.body());
    assertThat(body.get("status").asText()).isEqualTo("error");
    assertThat(body.get("code").asInt()).isEqualTo(400);
  }

  // ---- /index/volume ----

  @Test
  void volumeAggregatesByTheSelectorsLabels() throws Exception {
    JsonNode data = getJson("/loki/api/v1/index/volume", window("{app=~\".+\"}")).get("data");

    assertThat(data.get("resultType").asText()).isEqualTo("vector");
    List<Line> api = select(l -> l.stream().get("app").equals("api"));
    List<Line> web = select(l -> l.stream().get("app").equals("web"));
    assertThat(vector(data))
        .containsExactly(
            Map.entry(Map.of("app", "api"), (double) sumBytes(api)),
            Map.entry(Map.of("app", "web"), (double) sumBytes(web)));
    // The sample is stamped with the end of the range, in seconds.
    assertThat(data.get("result").get(0).get("value").get(0).asDouble())
        .isEqualTo((T0 + 60 * SECOND) / 1e9);
  }

  @Test
  void volumeOfEveryStreamKeepsWholeLabelSets() throws Exception {
    JsonNode data = getJson("/loki/api/v1/index/volume", window("{}")).get("data");

    // "{}" matches every stream and aggregates by all its labels: one series per stream.
    List<Map.Entry<Map<String, String>, Double>> expected = new ArrayList<>();
    for (Map<String, String> stream : List.of(API_PROD, API_DEV, WEB_PROD)) {
      expected.add(
          Map.entry(
              withService(stream, stream.get("app")),
              (double) sumBytes(select(l -> l.stream().equals(stream)))));
    }
    expected.sort((x, y) -> Double.compare(y.getValue(), x.getValue()));
    assertThat(vector(data)).containsExactlyElementsOf(expected);
  }

  @Test
  void volumeIsSortedLargestFirstAndLimited() throws Exception {
    Map<String, String> params = new LinkedHashMap<>(window("{app=~\".+\"}"));
    params.put("limit", "1");
    JsonNode data = getJson("/loki/api/v1/index/volume", params).get("data");

    List<Line> api = select(l -> l.stream().get("app").equals("api"));
    List<Line> web = select(l -> l.stream().get("app").equals("web"));
    Map<String, String> largest =
        sumBytes(api) >= sumBytes(web) ? Map.of("app", "api") : Map.of("app", "web");
    assertThat(vector(data)).hasSize(1);
    assertThat(vector(data).get(0).getKey()).isEqualTo(largest);
  }

  @Test
  void volumeByTargetLabelsGroupsByThoseOnly() throws Exception {
    Map<String, String> params = new LinkedHashMap<>(window("{app=~\".+\"}"));
    params.put("targetLabels", "env");
    JsonNode data = getJson("/loki/api/v1/index/volume", params).get("data");

    List<Line> prod = select(l -> l.stream().get("env").equals("prod"));
    List<Line> dev = select(l -> l.stream().get("env").equals("dev"));
    assertThat(vector(data))
        .containsExactly(
            Map.entry(Map.of("env", "prod"), (double) sumBytes(prod)),
            Map.entry(Map.of("env", "dev"), (double) sumBytes(dev)));
  }

  @Test
  void volumeAggregatedByLabelsNamesEachLabelWithAnEmptyValue() throws Exception {
    Map<String, String> params = new LinkedHashMap<>(window("{app=~\".+\"}"));
    params.put("aggregateBy", "labels");
    JsonNode data = getJson("/loki/api/v1/index/volume", params).get("data");

    // Every stream has app, env and team, and the service_name the push API derives (as Loki's
    // discover_service_name does): each label's volume is all the bytes; ties by name.
    double all = sumBytes(LINES);
    assertThat(vector(data))
        .containsExactly(
            Map.entry(Map.of("app", ""), all),
            Map.entry(Map.of("env", ""), all),
            Map.entry(Map.of("service_name", ""), all),
            Map.entry(Map.of("team", ""), all));
  }

  @Test
  void volumeRefusesAnUnknownAggregation() throws Exception {
    Map<String, String> params = new LinkedHashMap<>(window("{app=~\".+\"}"));
    params.put("aggregateBy", "pods");
    HttpResponse<String> response = get("/loki/api/v1/index/volume", params);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(MAPPER.readTree(response.body()).get("message").asText())
        .isEqualTo("invalid aggregation option");
  }

  @Test
  void volumeRangeBucketsByStep() throws Exception {
    Map<String, String> params =
        new LinkedHashMap<>(
            Map.of("query", "{app=\"web\"}", "start", Long.toString(T0),
                "end", Long.toString(T0 + 30 * SECOND), "step", "10s"));
    JsonNode data = getJson("/loki/api/v1/index/volume_range", params).get("data");

    assertThat(data.get("resultType").asText()).isEqualTo("matrix");
    JsonNode series = data.get("result");
    assertThat(series).hasSize(1);
    assertThat(labels(series.get(0).get("metric"))).isEqualTo(Map.of("app", "web"));
    // Buckets [0s, 10s-1ms], [10s, 20s-1ms], [20s, 30s], each stamped with its end; the web
    // lines lie at 5s, 15s and 25s.
    List<Line> web = select(l -> l.stream().get("app").equals("web"));
    List<double[]> points = new ArrayList<>();
    for (JsonNode p : series.get(0).get("values")) {
      points.add(new double[] {p.get(0).asDouble(), Double.parseDouble(p.get(1).asText())});
    }
    assertThat(points).hasSize(3);
    double base = T0 / 1e9;
    assertThat(points.get(0)).containsExactly(base + 9.999, web.get(0).bytes());
    assertThat(points.get(1)).containsExactly(base + 19.999, web.get(1).bytes());
    assertThat(points.get(2)).containsExactly(base + 30, web.get(2).bytes());
  }

  // ---- /detected_labels ----

  @Test
  void detectedLabelsCountEachStreamLabelsValues() throws Exception {
    JsonNode body = getJson("/loki/api/v1/detected_labels", window("{app=~\".+\"}"));

    assertThat(fieldNames(body)).containsExactly("detectedLabels");
    Map<String, Integer> cardinality = new TreeMap<>();
    body.get("detectedLabels")
        .forEach(l -> cardinality.put(l.get("label").asText(), l.get("cardinality").asInt()));
    // app: api, web; env: prod, dev; team: alpha, beta; service_name (derived from app): api, web.
    assertThat(cardinality)
        .isEqualTo(Map.of("app", 2, "env", 2, "team", 2, "service_name", 2));
  }

  @Test
  void detectedLabelsLeaveOutLabelsOfIdsExceptStaticOnes() throws Exception {
    // An hour later, a stream whose build and pod labels hold only numbers.
    long later = T0 + 3_600 * SECOND;
    push(server.lokiPort(),
        List.of(
            new Line(Map.of("app", "ids", "build", "123", "pod", "42"), 0, "a", Map.of()),
            new Line(Map.of("app", "ids", "build", "124", "pod", "43"), SECOND, "b", Map.of())),
        later);
    JsonNode body =
        getJson(
            "/loki/api/v1/detected_labels",
            Map.of("query", "{app=\"ids\"}", "start", Long.toString(later),
                "end", Long.toString(later + 10 * SECOND)));

    Map<String, Integer> cardinality = new TreeMap<>();
    body.get("detectedLabels")
        .forEach(l -> cardinality.put(l.get("label").asText(), l.get("cardinality").asInt()));
    // build: all numeric → left out; pod: numeric but one of Loki's static labels → kept.
    assertThat(cardinality).isEqualTo(Map.of("app", 1, "pod", 2, "service_name", 1));
  }

  // ---- /detected_fields ----

  @Test
  void detectedFieldsOfLogfmtLinesAndStructuredMetadata() throws Exception {
    JsonNode body = getJson("/loki/api/v1/detected_fields", window("{app=\"api\"}"));

    assertThat(body.get("limit").asInt()).isEqualTo(1000);
    Map<String, String> fields = fields(body);
    // type | cardinality | parsers, from the four api lines and their metadata.
    assertThat(fields)
        .containsEntry("level", "string|4|[\"logfmt\"]")
        .containsEntry("status", "int|3|[\"logfmt\"]")
        .containsEntry("duration", "duration|4|[\"logfmt\"]")
        .containsEntry("size", "bytes|4|[\"logfmt\"]")
        .containsEntry("msg", "string|4|[\"logfmt\"]")
        .containsEntry("user", "string|2|null");
    body.get("fields").forEach(f -> assertThat(f.has("jsonPath")).isFalse());
  }

  @Test
  void detectedFieldsOfJsonLinesFlattenNestedKeys() throws Exception {
    JsonNode body = getJson("/loki/api/v1/detected_fields", window("{app=\"web\"}"));

    Map<String, String> fields = fields(body);
    assertThat(fields)
        .containsEntry("level", "string|2|[\"json\"]")
        .containsEntry("latency", "float|2|[\"json\"]")
        .containsEntry("ok", "boolean|2|[\"json\"]")
        .containsEntry("user_id", "int|2|[\"json\"]");
    // JSON fields carry the keys leading to them; logfmt and metadata fields none.
    Map<String, String> paths = new TreeMap<>();
    body.get("fields")
        .forEach(f -> paths.put(f.get("label").asText(), String.valueOf(f.get("jsonPath"))));
    assertThat(paths)
        .containsEntry("user_id", "[\"user\",\"id\"]")
        .containsEntry("level", "[\"level\"]");
    // The plain-text line yields no field of its own.
    assertThat(fields.keySet()).doesNotContain("plain", "text", "without");
  }

  @Test
  void detectedFieldsRunTheQuerysPipeline() throws Exception {
    // Only the error line passes the label filter; label_format adds a field of its own.
    JsonNode body =
        getJson(
            "/loki/api/v1/detected_fields",
            window("{app=\"api\"} | logfmt | level=\"error\" | label_format route=\"{{.msg}}\""));

    Map<String, String> fields = fields(body);
    assertThat(fields)
        .containsEntry("level", "string|1|[\"logfmt\"]")
        .containsEntry("status", "int|1|[\"logfmt\"]")
        .containsEntry("route", "string|1|[\"logfmt\"]")
        .doesNotContainKey("user"); // metadata of the filtered-out lines only
    JsonNode values =
        getJson(
            "/loki/api/v1/detected_field/route/values",
            window("{app=\"api\"} | logfmt | level=\"error\" | label_format route=\"{{.msg}}\""));
    assertThat(values.get("values")).hasSize(1);
    assertThat(values.get("values").get(0).asText()).isEqualTo("POST /pay");
  }

  @Test
  void detectedFieldsReadOnlyTheNewestLineLimitLines() throws Exception {
    Map<String, String> params = new LinkedHashMap<>(window("{app=\"web\"}"));
    params.put("line_limit", "1");
    JsonNode body = getJson("/loki/api/v1/detected_fields", params);

    // The newest web line is plain text: nothing parses from it, and its only field is the
    // detected_level Loki stores with every entry ("unknown": it names no level).
    assertThat(fields(body)).isEqualTo(Map.of("detected_level", "string|1|null"));
  }

  @Test
  void detectedFieldsHonourTheFieldLimit() throws Exception {
    Map<String, String> params = new LinkedHashMap<>(window("{app=\"web\"}"));
    params.put("limit", "2");
    JsonNode body = getJson("/loki/api/v1/detected_fields", params);

    assertThat(body.get("fields")).hasSize(2);
    assertThat(body.get("limit").asInt()).isEqualTo(2);
  }

  @Test
  void detectedFieldValuesListAFieldsDistinctValues() throws Exception {
    JsonNode body =
        getJson("/loki/api/v1/detected_field/level/values", window("{app=\"api\"}"));

    List<String> values = new ArrayList<>();
    body.get("values").forEach(v -> values.add(v.asText()));
    assertThat(values).containsExactlyInAnyOrder("info", "warn", "error", "debug");
    assertThat(body.get("limit").asInt()).isEqualTo(1000);
  }

  @Test
  void detectedFieldValuesRewriteByteSizesAsLokiDoes() throws Exception {
    JsonNode body =
        getJson("/loki/api/v1/detected_field/size/values", window("{app=\"api\"}"));

    List<String> values = new ArrayList<>();
    body.get("values").forEach(v -> values.add(v.asText()));
    // 1.5KB = 1500 B → "1.5kB"; 3MB → "3.0MB"; 20B and 10B stay whole bytes (go-humanize).
    assertThat(values).containsExactlyInAnyOrder("1.5kB", "3.0MB", "20B", "10B");
  }

  @Test
  void detectedFieldsRefuseALineLimitOverTheMaximum() throws Exception {
    Map<String, String> params = new LinkedHashMap<>(window("{app=\"web\"}"));
    params.put("line_limit", "1000000");
    HttpResponse<String> response = get("/loki/api/v1/detected_fields", params);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(MAPPER.readTree(response.body()).get("message").asText())
        .startsWith("max entries limit per query exceeded");
  }

  @Test
  void detectedFieldsOfOtlpRecordsIncludeTheirSeverityMetadata() throws Exception {
    // Two records from the OpenTelemetry Java SDK, three hours after T0.
    long t3 = T0 + 3 * 3_600 * SECOND;
    SdkLogShipper.ship(
        server.otlpHttpPort(), null, "none",
        io.opentelemetry.sdk.resources.Resource.builder().put("service.name", "sdk-app").build(),
        List.of(
            new SdkLogShipper.Emit(t3 + SECOND, io.opentelemetry.api.logs.Severity.INFO,
                "order=17 placed"),
            new SdkLogShipper.Emit(t3 + 2 * SECOND, io.opentelemetry.api.logs.Severity.ERROR,
                "order=18 failed")));
    JsonNode body =
        getJson(
            "/loki/api/v1/detected_fields",
            Map.of("query", "{service_name=\"sdk-app\"}", "start", Long.toString(t3),
                "end", Long.toString(t3 + 10 * SECOND)));

    // severity_text and severity_number are structured metadata (Loki's OTLP mapping); order
    // is parsed from the logfmt-looking lines. The SDK's severity text is the enum's name. The
    // detected_level Loki stores from it (info, error) is structured metadata too.
    assertThat(fields(body))
        .containsEntry("severity_text", "string|2|null")
        .containsEntry("severity_number", "int|2|null")
        .containsEntry("detected_level", "string|2|null")
        .containsEntry("order", "int|2|[\"logfmt\"]");
  }

  // ---- /patterns ----

  @Test
  void patternsClusterLinesAndCountThemPerStep() throws Exception {
    long t2 = T0 + 7_200 * SECOND; // a multiple of 10 s, away from the other lines
    Map<String, String> pat = Map.of("app", "pat");
    push(server.lokiPort(),
        List.of(
            new Line(pat, SECOND, "user 17 logged in from 10.0.0.1", Map.of()),
            new Line(pat, 2 * SECOND, "user 42 logged in from 10.0.0.2", Map.of()),
            new Line(pat, 3 * SECOND, "disk /dev/sda is full", Map.of()),
            new Line(pat, 4 * SECOND, "cache warmed in 35ms", Map.of()),
            new Line(pat, 15 * SECOND, "user 7 logged in from 10.0.0.9", Map.of())),
        t2);
    JsonNode body =
        getJson(
            "/loki/api/v1/patterns",
            Map.of("query", "{app=\"pat\"}", "start", Long.toString(t2),
                "end", Long.toString(t2 + 20 * SECOND), "step", "10s"));

    assertThat(body.get("status").asText()).isEqualTo("success");
    List<String> patterns = new ArrayList<>();
    body.get("data").forEach(p -> patterns.add(p.get("pattern").asText()));
    // The three logins share tokens at 4 of 6 places (>= 0.3): one pattern, most lines first.
    assertThat(patterns)
        .containsExactly(
            "user <_> logged in from <_>", "cache warmed in 35ms", "disk /dev/sda is full");
    JsonNode logins = body.get("data").get(0);
    assertThat(logins.get("level").asText()).isEqualTo("unknown");
    // Per 10 s step, in seconds: two logins in [0s, 10s), one in [10s, 20s).
    assertThat(logins.get("samples").toString())
        .isEqualTo("[[" + t2 / SECOND + ",2],[" + (t2 / SECOND + 10) + ",1]]");
    assertThat(get("/loki/api/v1/patterns", Map.of()).statusCode()).isEqualTo(400);
  }

  @Test
  void patternsOfLogfmtStreamsFollowTheirKeysAndMergeAcrossStreams() throws Exception {
    long t3 = T0 + 9_000 * SECOND;
    Map<String, String> a = Map.of("app", "patlf", "env", "a");
    Map<String, String> b = Map.of("app", "patlf", "env", "b");
    push(server.lokiPort(),
        List.of(
            new Line(a, SECOND, "level=info msg=\"GET /cart\" status=200", Map.of()),
            new Line(a, 2 * SECOND, "level=info msg=\"GET /cart\" status=404", Map.of()),
            new Line(b, 3 * SECOND, "level=info msg=\"GET /cart\" status=500", Map.of()),
            new Line(b, 4 * SECOND, "level=info msg=\"GET /cart\" status=503", Map.of())),
        t3);
    JsonNode body =
        getJson(
            "/loki/api/v1/patterns",
            Map.of("query", "{app=\"patlf\"}", "start", Long.toString(t3),
                "end", Long.toString(t3 + 10 * SECOND), "step", "10s"));

    // Each stream is logfmt (its first line says so): tokens are keys and values, and the
    // status, holding digits, becomes <_>; both streams give that pattern, counted together.
    assertThat(body.get("data")).hasSize(1);
    assertThat(body.get("data").get(0).get("pattern").asText())
        .isEqualTo("level=info msg=\"GET /cart\" status=<_>");
    assertThat(body.get("data").get(0).get("samples").toString())
        .isEqualTo("[[" + t3 / SECOND + ",4]]");
    // Loki detects the level from the logfmt field "level".
    assertThat(body.get("data").get(0).get("level").asText()).isEqualTo("info");
  }

  @Test
  void patternsAreMinedPerDetectedLevel() throws Exception {
    long t4 = T0 + 10_800 * SECOND;
    Map<String, String> lv = Map.of("app", "patlv");
    push(server.lokiPort(),
        List.of(
            new Line(lv, SECOND, "GET /cart 200 12ms", Map.of("level", "INFO")),
            new Line(lv, 2 * SECOND, "GET /cart 200 15ms", Map.of("level", "info")),
            new Line(lv, 3 * SECOND, "GET /cart 500 20ms", Map.of("detected_level", "Error")),
            new Line(lv, 4 * SECOND, "GET /cart 503 31ms", Map.of())),
        t4);
    JsonNode body =
        getJson(
            "/loki/api/v1/patterns",
            Map.of("query", "{app=\"patlv\"}", "start", Long.toString(t4),
                "end", Long.toString(t4 + 10 * SECOND), "step", "10s"));

    // One Drain per level, as Loki's pattern ingester keeps them: the two info lines (metadata
    // "level", normalised) merge; the error line (stored detected_level) and the line with no
    // level anywhere (unknown) stay apart, though all four would merge in one Drain.
    List<String> found = new ArrayList<>();
    body.get("data")
        .forEach(p -> found.add(p.get("level").asText() + " " + p.get("pattern").asText()));
    assertThat(found)
        .containsExactly(
            "info GET /cart 200 <_>", "error GET /cart 500 20ms", "unknown GET /cart 503 31ms");
    assertThat(body.get("data").get(0).get("samples").toString())
        .isEqualTo("[[" + t4 / SECOND + ",2]]");
  }

  // ---- query_range: interval ----

  @Test
  void intervalKeepsOneEntryPerIntervalForward() throws Exception {
    // api entries at 1s, 2s, 3s (dev) and 12s: forward with 5s keeps 1s, then 12s (>= 6s).
    assertThat(offsets(queryRange("{app=\"api\"}", "forward", "5s", null)))
        .containsExactly(SECOND, 12 * SECOND);
    // Each kept entry must lie a whole interval after the last: with 1s all four are kept.
    assertThat(offsets(queryRange("{app=\"api\"}", "forward", "1s", null)))
        .containsExactly(SECOND, 2 * SECOND, 3 * SECOND, 12 * SECOND);
  }

  @Test
  void intervalKeepsOneEntryPerIntervalBackward() throws Exception {
    // Backward from 12s: 3s (<= 7s) is kept, 2s and 1s are within 5s of it.
    assertThat(offsets(queryRange("{app=\"api\"}", "backward", "5s", null)))
        .containsExactly(3 * SECOND, 12 * SECOND);
  }

  @Test
  void intervalLimitCountsKeptEntries() throws Exception {
    // The first page of 2 (1s, 2s) keeps only 1s; the limit still yields two kept entries.
    assertThat(offsets(queryRange("{app=\"api\"}", "forward", "5s", "2")))
        .containsExactly(SECOND, 12 * SECOND);
    assertThat(offsets(queryRange("{app=\"api\"}", "forward", "5s", "1")))
        .containsExactly(SECOND);
  }

  @Test
  void negativeIntervalIsRefused() throws Exception {
    Map<String, String> params = new LinkedHashMap<>(window("{app=\"api\"}"));
    params.put("interval", "-5");
    HttpResponse<String> response = get("/loki/api/v1/query_range", params);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(MAPPER.readTree(response.body()).get("message").asText())
        .isEqualTo("interval must be >= 0");
  }

  // ---- max_query_series (per tenant) ----

  @Test
  void maxQuerySeriesIsAPerTenantLimitWithLokisWording() throws Exception {
    Map<String, String> params =
        new LinkedHashMap<>(window("count_over_time({app=~\".+\"}[1m])"));
    params.put("step", "60s");
    HttpResponse<String> tight =
        get(server.lokiPort(), "/loki/api/v1/query_range", params, Map.of("X-Scope-OrgID", TIGHT));
    HttpResponse<String> roomy = get("/loki/api/v1/query_range", params);

    // Tenant "tight" has max_query_series 1 and three streams: refused with Loki's error.
    assertThat(tight.statusCode()).isEqualTo(400);
    assertThat(MAPPER.readTree(tight.body()).get("message").asText())
        .isEqualTo(
            "maximum number of series (1) reached for a single query; consider reducing query "
                + "cardinality by adding more specific stream selectors, reducing the time "
                + "range, or aggregating results with functions like sum(), count() or topk()");
    // The default tenant has the default 500. As in Loki the structured metadata splits series:
    // api/prod's lines with user ann, user bob and none, api/dev's, and web/prod's three, whose
    // detected levels differ (info, error, unknown).
    assertThat(roomy.statusCode()).isEqualTo(200);
    assertThat(MAPPER.readTree(roomy.body()).get("data").get("result")).hasSize(7);
  }

  @Test
  void maxQuerySeriesCountsARangeAggregationUnderTopkAsLokiDoes() throws Exception {
    // An instant query at T0+60s over [1m]: the 7 lines' series (see above) feed topk(1), which
    // answers one. Loki counts the range aggregation's series too (its frontend runs it as a query
    // of its own under topk), so tenant "tight" (max 1) is refused; a sum is pushed into the
    // range aggregation and counts one series.
    String at = Long.toString(T0 + 60 * SECOND);
    HttpResponse<String> top =
        get(server.lokiPort(), "/loki/api/v1/query",
            Map.of("query", "topk(1, count_over_time({app=~\".+\"}[1m]))", "time", at),
            Map.of("X-Scope-OrgID", TIGHT));
    HttpResponse<String> sum =
        get(server.lokiPort(), "/loki/api/v1/query",
            Map.of("query", "sum(count_over_time({app=~\".+\"}[1m]))", "time", at),
            Map.of("X-Scope-OrgID", TIGHT));
    HttpResponse<String> roomy =
        get("/loki/api/v1/query",
            Map.of("query", "topk(1, count_over_time({app=~\".+\"}[1m]))", "time", at));

    assertThat(top.statusCode()).as(top.body()).isEqualTo(400);
    assertThat(MAPPER.readTree(top.body()).get("message").asText())
        .startsWith("maximum number of series (1) reached for a single query;");
    assertThat(sum.statusCode()).as(sum.body()).isEqualTo(200);
    assertThat(MAPPER.readTree(sum.body()).get("data").get("result").get(0).get("value").get(1)
            .asText())
        .isEqualTo("7");
    assertThat(roomy.statusCode()).isEqualTo(200);
    assertThat(MAPPER.readTree(roomy.body()).get("data").get("result")).hasSize(1);
  }

  // ---- Grafana's Explore log query (REQUESTS.md 1.6), as its backend sends it ----

  @Test
  void grafanaExploreLogsQueryAsSent() throws Exception {
    // Keys sorted, spaces as +, step in ms even for a log query, the categorize-labels header.
    String uri =
        "/loki/api/v1/query_range?direction=backward&end=" + (T0 + 60 * SECOND)
            + "&limit=1000&query=%7Bapp%3D%22api%22%7D+%7C%3D+%22status%3D%22&start=" + T0
            + "&step=2000ms";
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.lokiPort() + uri))
                .header("X-Loki-Response-Encoding-Flags", "categorize-labels")
                .header("X-Query-Tags", "Source=grafana")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String raw = r.body();
    assertThat(raw.indexOf("\"encodingFlags\"")).isPositive().isLessThan(raw.indexOf("\"result\""));
    JsonNode data = MAPPER.readTree(raw).get("data");
    assertThat(data.get("resultType").asText()).isEqualTo("streams");
    List<Long> times = new ArrayList<>();
    for (JsonNode stream : data.get("result")) {
      for (JsonNode value : stream.get("values")) {
        assertThat(value).hasSize(3);
        assertThat(value.get(0).asText()).hasSize(19);
        times.add(Long.parseLong(value.get(0).asText()));
      }
    }
    // api's four lines (each holds "status="), every one within the window.
    assertThat(times)
        .containsExactlyInAnyOrder(
            select(l -> l.stream().get("app").equals("api")).stream()
                .map(l -> T0 + l.offsetNanos())
                .toArray(Long[]::new));
  }

  // ---- the label browser (REQUESTS.md 1.3, as the browser encodes them) ----

  @Test
  void labelBrowserCallsAnswerTheStreamLabelsOnly() throws Exception {
    String range = "start=" + T0 + "&end=" + (T0 + 60 * SECOND);
    // Index labels only: structured metadata (user, detected_level) is no label name here, as in
    // Loki; service_name is the one Loki derives from app.
    assertThat(raw("/loki/api/v1/labels?" + range))
        .isEqualTo("{\"status\":\"success\",\"data\":[\"app\",\"env\",\"service_name\","
            + "\"team\"]}");
    assertThat(raw("/loki/api/v1/label/env/values?" + range + "&query=%7Bapp%3D%22web%22%7D"))
        .isEqualTo("{\"status\":\"success\",\"data\":[\"prod\"]}");
    assertThat(raw("/loki/api/v1/label/app/values?" + range))
        .isEqualTo("{\"status\":\"success\",\"data\":[\"api\",\"web\"]}");
    assertThat(raw("/loki/api/v1/label/user/values?" + range))
        .isEqualTo("{\"status\":\"success\",\"data\":[]}");
    // The browser sends match[] as match%5B%5D; a space may come as %20 or +.
    JsonNode series =
        MAPPER.readTree(
            raw("/loki/api/v1/series?match%5B%5D=%7Bapp%3D%22api%22%2C%20env%3D%22dev%22%7D&"
                + range + "&match%5B%5D=%7Bapp%3D%22web%22%7D"));
    List<Map<String, String>> sets = new ArrayList<>();
    series.get("data").forEach(n -> sets.add(labels(n)));
    assertThat(series.get("status").asText()).isEqualTo("success");
    assertThat(sets)
        .containsExactlyInAnyOrder(withService(API_DEV, "api"), withService(WEB_PROD, "web"));
    // Outside the range (before every line any test pushes): nothing.
    assertThat(raw("/loki/api/v1/label/app/values?start=" + (T0 - 7_200 * SECOND) + "&end="
            + (T0 - 3_600 * SECOND)))
        .isEqualTo("{\"status\":\"success\",\"data\":[]}");
  }

  private static String raw(String pathAndQuery) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.lokiPort() + pathAndQuery))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(pathAndQuery + ": " + r.body()).isEqualTo(200);
    return r.body();
  }

  // ---- max_query_length (per tenant) ----

  @Test
  void maxQueryLengthRefusesLongerRangesWithLokisWording() throws Exception {
    Map<String, String> tooLong =
        Map.of("query", "{app=\"api\"}", "start", Long.toString(T0),
            "end", Long.toString(T0 + 3_600 * SECOND + 1_000_000));
    HttpResponse<String> tight =
        get(server.lokiPort(), "/loki/api/v1/query_range", tooLong, Map.of("X-Scope-OrgID", TIGHT));
    HttpResponse<String> roomy = get("/loki/api/v1/query_range", tooLong);
    Map<String, String> month =
        Map.of("query", "{app=\"api\"}", "start", Long.toString(T0),
            "end", Long.toString(T0 + 31L * 86_400 * SECOND));
    HttpResponse<String> tooLongForDefault = get("/loki/api/v1/query_range", month);

    assertThat(tight.statusCode()).isEqualTo(400);
    assertThat(MAPPER.readTree(tight.body()).get("message").asText())
        .isEqualTo(
            "the query time range exceeds the limit (query length: 1h0m0.001s, limit: 30m)");
    assertThat(roomy.statusCode()).isEqualTo(200);
    // The default is Loki's 721h.
    assertThat(tooLongForDefault.statusCode()).isEqualTo(400);
    assertThat(MAPPER.readTree(tooLongForDefault.body()).get("message").asText())
        .isEqualTo(
            "the query time range exceeds the limit (query length: 744h0m0s, limit: 30d1h)");
  }

  // ---- categorize-labels ----

  @Test
  void categorizeLabelsWritesFlagsFirstAndTriples() throws Exception {
    HttpResponse<String> response =
        get(server.lokiPort(), "/loki/api/v1/query_range", window("{app=\"api\"}"),
            Map.of("X-Loki-Response-Encoding-Flags", "categorize-labels"));

    assertThat(response.statusCode()).isEqualTo(200);
    String raw = response.body();
    assertThat(raw.indexOf("\"encodingFlags\"")).isPositive().isLessThan(raw.indexOf("\"result\""));
    JsonNode data = MAPPER.readTree(raw).get("data");
    assertThat(data.get("encodingFlags").get(0).asText()).isEqualTo("categorize-labels");
    int entries = 0;
    Map<String, Map<String, String>> metadataByLine = new TreeMap<>();
    List<Map<String, String>> streams = new ArrayList<>();
    for (JsonNode stream : data.get("result")) {
      streams.add(labels(stream.get("stream")));
      for (JsonNode value : stream.get("values")) {
        assertThat(value).hasSize(3);
        assertThat(value.get(2).isObject()).isTrue();
        assertThat(value.get(2).has("parsed")).isFalse();
        JsonNode metadata = value.get(2).get("structuredMetadata");
        metadataByLine.put(value.get(1).asText(), metadata == null ? Map.of() : labels(metadata));
        entries++;
      }
    }
    assertThat(entries).isEqualTo(4);
    // The index labels alone name the streams; each entry carries its pushed metadata.
    assertThat(streams)
        .containsExactlyInAnyOrder(withService(API_PROD, "api"), withService(API_DEV, "api"));
    for (Line l : select(line -> line.stream().get("app").equals("api"))) {
      assertThat(metadataByLine.get(l.line())).as(l.line()).isEqualTo(l.storedMeta());
    }
  }

  @Test
  void categorizeLabelsSeparatesParsedLabelsFromTheStream() throws Exception {
    HttpResponse<String> response =
        get(server.lokiPort(), "/loki/api/v1/query_range",
            window("{app=\"api\"} | logfmt | status >= 200"),
            Map.of("X-Loki-Response-Encoding-Flags", "categorize-labels"));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode result = MAPPER.readTree(response.body()).get("data").get("result");
    // Two index streams (prod, dev), though every entry has its own parsed labels.
    List<Map<String, String>> streams = new ArrayList<>();
    Map<String, Map<String, String>> parsedByLine = new TreeMap<>();
    for (JsonNode stream : result) {
      streams.add(labels(stream.get("stream")));
      for (JsonNode value : stream.get("values")) {
        parsedByLine.put(value.get(1).asText(), labels(value.get(2).get("parsed")));
      }
    }
    assertThat(streams)
        .containsExactlyInAnyOrder(
            withService(API_PROD, "api"), withService(API_DEV, "api"));
    Line pay = LINES.get(2);
    assertThat(parsedByLine.get(pay.line()))
        .isEqualTo(
            Map.of("level", "error", "status", "500", "duration", "250ms", "size", "3MB",
                "msg", "POST /pay"));
  }

  @Test
  void withoutCategorizeLabelsStructuredMetadataIsPartOfTheStreamLabels() throws Exception {
    JsonNode result =
        getJson("/loki/api/v1/query_range", window("{app=\"api\"}")).get("data").get("result");

    List<Map<String, String>> streams = new ArrayList<>();
    for (JsonNode stream : result) {
      streams.add(labels(stream.get("stream")));
    }
    Map<String, String> prod = withService(API_PROD, "api");
    assertThat(streams)
        .containsExactlyInAnyOrder(
            with(with(prod, "user", "ann"), "detected_level", "info"),
            with(with(prod, "user", "bob"), "detected_level", "warn"),
            with(prod, "detected_level", "error"),
            with(withService(API_DEV, "api"), "detected_level", "debug"));

    // A label filter reads the metadata, and only bob's line has user="bob".
    JsonNode bob =
        getJson("/loki/api/v1/query_range", window("{app=\"api\"} | user=\"bob\""))
            .get("data").get("result");
    assertThat(bob).hasSize(1);
    assertThat(bob.get(0).get("values").get(0).get(1).asText()).isEqualTo(LINES.get(1).line());
  }

  @Test
  void categorizeLabelsSortsEachLabelByItsOrigin() throws Exception {
    // regexp extracts "user" (the method): a metadata name where the entry has user metadata, so
    // there it becomes user_extracted; label_format makes the stream label team a parsed label.
    HttpResponse<String> response =
        get(server.lokiPort(), "/loki/api/v1/query_range",
            window("{app=\"api\"} | regexp \"msg=\\\"(?P<user>[A-Z]+)\" | label_format"
                + " team=\"{{.env}}\""),
            Map.of("X-Loki-Response-Encoding-Flags", "categorize-labels"));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode result = MAPPER.readTree(response.body()).get("data").get("result");
    List<Map<String, String>> streams = new ArrayList<>();
    Map<String, Map<String, String>> parsedByLine = new TreeMap<>();
    Map<String, Map<String, String>> metadataByLine = new TreeMap<>();
    for (JsonNode stream : result) {
      streams.add(labels(stream.get("stream")));
      for (JsonNode value : stream.get("values")) {
        parsedByLine.put(value.get(1).asText(), labels(value.get(2).get("parsed")));
        JsonNode metadata = value.get(2).get("structuredMetadata");
        metadataByLine.put(value.get(1).asText(), metadata == null ? Map.of() : labels(metadata));
      }
    }
    Map<String, String> prod = new TreeMap<>(withService(API_PROD, "api"));
    prod.remove("team");
    Map<String, String> dev = new TreeMap<>(withService(API_DEV, "api"));
    dev.remove("team");
    assertThat(streams).containsExactlyInAnyOrder(prod, dev);
    assertThat(parsedByLine.get(LINES.get(0).line()))
        .isEqualTo(Map.of("user_extracted", "GET", "team", "prod"));
    assertThat(metadataByLine.get(LINES.get(0).line()))
        .isEqualTo(Map.of("user", "ann", "detected_level", "info"));
    assertThat(parsedByLine.get(LINES.get(2).line()))
        .isEqualTo(Map.of("user", "POST", "team", "prod"));
    assertThat(metadataByLine.get(LINES.get(2).line()))
        .isEqualTo(Map.of("detected_level", "error"));
    assertThat(parsedByLine.get(LINES.get(3).line()))
        .isEqualTo(Map.of("user", "GET", "team", "dev"));
  }

  // ---- approx_topk ----

  @Test
  void approxTopkAnswersInstantQueriesAndRefusesRangeQueries() throws Exception {
    String query = "approx_topk(2, sum by (app) (count_over_time({env=~\".+\"}[1m])))";
    // At T0+30s the minute holds every line: api 4, web 3.
    HttpResponse<String> instant =
        get("/loki/api/v1/query",
            Map.of("query", query, "time", Long.toString(T0 + 30 * SECOND)));
    assertThat(instant.statusCode()).as(instant.body()).isEqualTo(200);
    JsonNode result = MAPPER.readTree(instant.body()).get("data").get("result");
    assertThat(result).hasSize(2);
    assertThat(labels(result.get(0).get("metric"))).isEqualTo(Map.of("app", "api"));
    assertThat(result.get(0).get("value").get(1).asText()).isEqualTo("4");
    assertThat(labels(result.get(1).get("metric"))).isEqualTo(Map.of("app", "web"));
    assertThat(result.get(1).get("value").get(1).asText()).isEqualTo("3");

    HttpResponse<String> range = get("/loki/api/v1/query_range", window(query));
    assertThat(range.statusCode()).isEqualTo(400);
    assertThat(MAPPER.readTree(range.body()).get("message").asText())
        .isEqualTo("count min sketches are only supported on instant queries");

    HttpResponse<String> grouped =
        get("/loki/api/v1/query",
            Map.of("query", "approx_topk(2, count_over_time({env=~\".+\"}[1m])) by (app)"));
    assertThat(grouped.statusCode()).isEqualTo(400);
    assertThat(MAPPER.readTree(grouped.body()).get("message").asText())
        .contains("grouping not allowed for approx_topk aggregation");
  }

  private static Map<String, String> with(Map<String, String> labels, String name, String value) {
    Map<String, String> out = new TreeMap<>(labels);
    out.put(name, value);
    return out;
  }

  @Test
  void categorizeLabelsIsNamedOnMetricAnswersToo() throws Exception {
    Map<String, String> params =
        new LinkedHashMap<>(window("sum(count_over_time({app=\"api\"}[1m]))"));
    params.put("step", "60s");
    HttpResponse<String> flagged =
        get(server.lokiPort(), "/loki/api/v1/query_range", params,
            Map.of("X-Loki-Response-Encoding-Flags", "categorize-labels"));
    HttpResponse<String> plain = get("/loki/api/v1/query_range", params);

    String raw = flagged.body();
    assertThat(raw.indexOf("\"encodingFlags\"")).isPositive().isLessThan(raw.indexOf("\"result\""));
    JsonNode data = MAPPER.readTree(raw).get("data");
    assertThat(data.get("resultType").asText()).isEqualTo("matrix");
    assertThat(data.get("encodingFlags").get(0).asText()).isEqualTo("categorize-labels");
    // Same samples as without the header; 4 api entries in the minute.
    JsonNode plainData = MAPPER.readTree(plain.body()).get("data");
    assertThat(plainData.has("encodingFlags")).isFalse();
    assertThat(data.get("result")).isEqualTo(plainData.get("result"));
    assertThat(data.get("result").get(0).get("values").get(0).get(1).asText()).isEqualTo("4");
  }

  @Test
  void withoutTheHeaderEntriesArePairs() throws Exception {
    HttpResponse<String> response =
        get("/loki/api/v1/query_range", window("{app=\"api\"} | logfmt"));

    JsonNode data = MAPPER.readTree(response.body()).get("data");
    assertThat(data.has("encodingFlags")).isFalse();
    for (JsonNode stream : data.get("result")) {
      for (JsonNode value : stream.get("values")) {
        assertThat(value).hasSize(2);
      }
    }
  }

  // ---- /status/buildinfo ----

  @Test
  void buildInfoHasLokisFields() throws Exception {
    JsonNode body = getJson("/loki/api/v1/status/buildinfo", Map.of());

    assertThat(fieldNames(body))
        .containsExactly("version", "revision", "branch", "buildUser", "buildDate", "goVersion");
    assertThat(body.get("version").asText()).isNotEmpty();
  }

  // ---- helpers ----

  static Map<String, String> withService(Map<String, String> labels, String service) {
    Map<String, String> out = new TreeMap<>(labels);
    out.put("service_name", service);
    return out;
  }

  static JsonNode queryRange(String query, String direction, String interval, String limit)
      throws Exception {
    Map<String, String> params = new LinkedHashMap<>(window(query));
    params.put("direction", direction);
    params.put("interval", interval);
    if (limit != null) {
      params.put("limit", limit);
    }
    return getJson("/loki/api/v1/query_range", params);
  }

  /** The entries' times relative to T0, ascending (the answer groups them by stream). */
  static List<Long> offsets(JsonNode body) {
    List<Long> times = new ArrayList<>();
    for (JsonNode stream : body.get("data").get("result")) {
      for (JsonNode value : stream.get("values")) {
        times.add(Long.parseLong(value.get(0).asText()) - T0);
      }
    }
    times.sort(null);
    return times;
  }

  /** Each detected field as {@code type|cardinality|parsers-json}. */
  static Map<String, String> fields(JsonNode body) {
    Map<String, String> fields = new TreeMap<>();
    for (JsonNode f : body.get("fields")) {
      fields.put(
          f.get("label").asText(),
          f.get("type").asText() + "|" + f.get("cardinality").asInt() + "|" + f.get("parsers"));
    }
    return fields;
  }

  static Map<String, String> window(String query) {
    return Map.of(
        "query", query, "start", Long.toString(T0), "end", Long.toString(T0 + 60 * SECOND));
  }

  static List<Line> select(java.util.function.Predicate<Line> which) {
    return LINES.stream().filter(which).toList();
  }

  static long sumBytes(List<Line> lines) {
    return lines.stream().mapToLong(Line::bytes).sum();
  }

  static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static Map<String, String> labels(JsonNode object) {
    Map<String, String> labels = new TreeMap<>();
    object.properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
    return labels;
  }

  /** A vector result as (labels, value) pairs in the order sent. */
  static List<Map.Entry<Map<String, String>, Double>> vector(JsonNode data) {
    List<Map.Entry<Map<String, String>, Double>> samples = new ArrayList<>();
    for (JsonNode s : data.get("result")) {
      samples.add(
          Map.entry(labels(s.get("metric")), Double.parseDouble(s.get("value").get(1).asText())));
    }
    return samples;
  }

  static HttpResponse<String> get(String path, Map<String, String> params) throws Exception {
    return get(server.lokiPort(), path, params, Map.of());
  }

  static HttpResponse<String> get(
      int port, String path, Map<String, String> params, Map<String, String> headers)
      throws Exception {
    StringBuilder uri = new StringBuilder("http://127.0.0.1:" + port + path);
    char sep = '?';
    for (Map.Entry<String, String> p : params.entrySet()) {
      uri.append(sep)
          .append(java.net.URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(java.net.URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri.toString())).GET();
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode getJson(String path, Map<String, String> params) throws Exception {
    HttpResponse<String> response = get(path, params);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return MAPPER.readTree(response.body());
  }

  /** Pushes lines through Loki's JSON push API, one stream object per (stream, line). */
  static void push(int port, List<Line> lines) throws Exception {
    push(port, lines, T0);
  }

  static void push(int port, List<Line> lines, long base) throws Exception {
    push(port, lines, base, null);
  }

  static void push(int port, List<Line> lines, long base, String tenant) throws Exception {
    ObjectNode body = MAPPER.createObjectNode();
    ArrayNode streams = body.putArray("streams");
    for (Line l : lines) {
      ObjectNode stream = streams.addObject();
      ObjectNode labels = stream.putObject("stream");
      l.stream().forEach(labels::put);
      ArrayNode value = stream.putArray("values").addArray();
      value.add(Long.toString(base + l.offsetNanos()));
      value.add(l.line());
      if (!l.meta().isEmpty()) {
        ObjectNode meta = value.addObject();
        l.meta().forEach(meta::put);
      }
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/loki/api/v1/push"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(MAPPER.writeValueAsString(body)));
    if (tenant != null) {
      request.header("X-Scope-OrgID", tenant);
    }
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
  }
}
