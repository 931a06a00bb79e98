package io.icegate.tck;

import static io.icegate.tck.OtlpHttpClient.JSON;
import static io.icegate.tck.OtlpHttpClient.PROTOBUF;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the server does with requests it must refuse: the status code and message the OTLP/HTTP
 * specification and the Loki API prescribe, nothing of a refused request stored, and the server
 * still serving afterwards. After every test a good request is sent, and the tenant's stored lines
 * are compared with exactly the good lines sent so far.
 */
class BadInputTest {
  private static final int MAX_REQUEST_BYTES = 64 * 1024;
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long HOUR = 3_600_000_000_000L;
  private static final String TENANT = "bad-input";
  private static final String SERVICE = "bad-input";
  private static final String FUZZ_TENANT = "fuzz";

  /** A Java type or exception name in a message meant for users (STYLE habit 7). */
  private static final Pattern JAVA_NAME =
      Pattern.compile("Exception|\\b(?:java|javax|com|org|io)\\.[a-z]+\\.");

  @TempDir static Path dataDir;
  private static IceGateServer server;
  private static final OtlpHttpClient OTLP = new OtlpHttpClient(() -> server.otlpHttpPort());
  private static final LokiClient LOKI = new LokiClient(() -> server.lokiPort());

  /** Every line the server acknowledged for {@link #TENANT}, i.e. all it may store. */
  private static final List<SentLine> acknowledged = new ArrayList<>();

  private static int sequence;

  @BeforeAll
  static void startServerWithASmallBodyLimit() throws Exception {
    server =
        IceGateServer.start(
            ServerConfig.defaults()
                .withDataDir(dataDir)
                .withPorts("127.0.0.1", 0, 0)
                .withMaxRequestBytes(MAX_REQUEST_BYTES));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void goodRequestStillSucceedsAndOnlyGoodLinesAreStored() {
    List<SentLine> good = List.of(line("good"));

    OtlpResponse ack = send(PROTOBUF, null, OtlpBodies.protobuf(SERVICE, good));

    assertThat(ack.status()).as("a good request after the bad one: %s", ack).isEqualTo(200);
    acknowledged.addAll(good);
    assertThat(storedLines(TENANT))
        .as("stored lines of tenant %s", TENANT)
        .containsExactlyElementsOf(
            acknowledged.stream()
                .sorted(Comparator.comparingLong(SentLine::timeNanos))
                .map(SentLine::line)
                .toList());
  }

  // ---- OTLP/HTTP: bodies that do not decode ----

  @Test
  void truncatedProtobufIs400NamingTheTruncation() {
    byte[] valid = OtlpBodies.protobuf(SERVICE, List.of(line("bad"), line("bad")));

    OtlpResponse response = send(PROTOBUF, null, Arrays.copyOf(valid, valid.length - 5));

    assertOtlpError(response, 400, 3);
    assertThat(response.isProtobuf()).as("error in the request's encoding").isTrue();
    assertThat(response.statusMessage()).containsIgnoringCase("protobuf").contains("truncated");
  }

  @Test
  void protobufWithAnInvalidTagIs400() {
    // Field number 0 does not exist in any protobuf message.
    byte[] body = {0x00, 0x01, 0x02, 0x03};

    OtlpResponse response = send(PROTOBUF, null, body);

    assertOtlpError(response, 400, 3);
    assertThat(response.statusMessage()).containsIgnoringCase("protobuf");
  }

  @Test
  void truncatedJsonIs400() {
    byte[] valid = OtlpBodies.json(SERVICE, List.of(line("bad")));

    OtlpResponse response = send(JSON, null, Arrays.copyOf(valid, valid.length / 2));

    assertOtlpError(response, 400, 3);
    assertThat(response.isJson()).as("error in the request's encoding").isTrue();
    assertThat(response.statusMessage()).contains("JSON");
  }

  @Test
  void jsonWithAWrongValueTypeIs400NamingTheField() {
    ObjectNode document = OtlpBodies.jsonRequest(SERVICE, List.of(line("bad")));
    ((ObjectNode) document.at("/resourceLogs/0/scopeLogs/0/logRecords/0"))
        .put("timeUnixNano", "yesterday");

    OtlpResponse response = send(JSON, null, OtlpBodies.json(document));

    assertOtlpError(response, 400, 3);
    assertThat(response.statusMessage())
        .contains("resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano");
  }

  @Test
  void jsonThatIsNotAnObjectIs400() {
    OtlpResponse response = send(JSON, null, "[1, 2, 3]".getBytes(StandardCharsets.UTF_8));

    assertOtlpError(response, 400, 3);
  }

  // ---- OTLP/HTTP: content type and encoding ----

  @ParameterizedTest
  @CsvSource({"text/plain", "application/xml", "application/protobuf-ish"})
  void unsupportedContentTypeIs415(String contentType) {
    OtlpResponse response = send(contentType, null, OtlpBodies.json(SERVICE, List.of(line("bad"))));

    assertOtlpError(response, 415, 3);
    assertThat(response.statusMessage()).contains(contentType);
  }

  @Test
  void missingContentTypeIs415() {
    OtlpResponse response = send(null, null, OtlpBodies.json(SERVICE, List.of(line("bad"))));

    assertOtlpError(response, 415, 3);
  }

  @ParameterizedTest
  @CsvSource({"br", "deflate", "zstd"})
  void unsupportedContentEncodingIs415(String encoding) {
    OtlpResponse response =
        send(PROTOBUF, encoding, OtlpBodies.protobuf(SERVICE, List.of(line("bad"))));

    assertOtlpError(response, 415, 3);
    assertThat(response.statusMessage()).contains(encoding);
  }

  @Test
  void gzipWithCorruptDataIs400() {
    byte[] gzip = OtlpBodies.gzip(OtlpBodies.protobuf(SERVICE, List.of(line("bad"), line("bad"))));
    // Past the 10-byte header, into the deflate data and the CRC trailer.
    for (int i = 12; i < gzip.length; i += 3) {
      gzip[i] ^= (byte) 0x5a;
    }

    OtlpResponse response = send(PROTOBUF, "gzip", gzip);

    assertOtlpError(response, 400, 3);
    assertThat(response.statusMessage()).containsIgnoringCase("gzip");
  }

  @Test
  void truncatedGzipIs400() {
    byte[] gzip = OtlpBodies.gzip(OtlpBodies.protobuf(SERVICE, List.of(line("bad"))));

    OtlpResponse response = send(PROTOBUF, "gzip", Arrays.copyOf(gzip, gzip.length - 6));

    assertOtlpError(response, 400, 3);
    assertThat(response.statusMessage()).containsIgnoringCase("gzip");
  }

  @Test
  void bodyThatIsNotGzipButSaysSoIs400() {
    OtlpResponse response = send(JSON, "gzip", OtlpBodies.json(SERVICE, List.of(line("bad"))));

    assertOtlpError(response, 400, 3);
  }

  // ---- OTLP/HTTP: size limits ----

  @Test
  void bodyOverTheLimitIs413() {
    byte[] body =
        OtlpBodies.protobuf(SERVICE, List.of(line("bad " + "x".repeat(MAX_REQUEST_BYTES))));
    assertThat(body.length).isGreaterThan(MAX_REQUEST_BYTES);

    OtlpResponse response = send(PROTOBUF, null, body);

    assertOtlpError(response, 413, 8);
    assertThat(response.statusMessage()).contains(Integer.toString(MAX_REQUEST_BYTES));
  }

  @Test
  void gzipBombInflatingOverTheLimitIs413() {
    byte[] inflated =
        OtlpBodies.json(SERVICE, List.of(line("bad " + "a".repeat(16 * MAX_REQUEST_BYTES))));
    byte[] bomb = OtlpBodies.gzip(inflated);
    assertThat(bomb.length).as("compressed size").isLessThan(MAX_REQUEST_BYTES / 16);

    OtlpResponse response = send(JSON, "gzip", bomb);

    assertOtlpError(response, 413, 8);
  }

  @Test
  void gzipInflatingWithinTheLimitIsAccepted() {
    List<SentLine> lines = List.of(line("good gzip " + "b".repeat(MAX_REQUEST_BYTES / 2)));
    byte[] gzip = OtlpBodies.gzip(OtlpBodies.protobuf(SERVICE, lines));

    OtlpResponse response = send(PROTOBUF, "gzip", gzip);

    assertThat(response.status()).as("%s", response).isEqualTo(200);
    acknowledged.addAll(lines);
  }

  // ---- OTLP/HTTP: method, path, tenant ----

  @Test
  void getOnTheLogsEndpointIs405() {
    OtlpResponse response = OTLP.get("/v1/logs");

    assertThat(response.status()).isEqualTo(405);
    assertThat(response.statusMessage()).contains("POST");
  }

  @Test
  void unknownOtlpPathIs404InTheRequestsEncoding() {
    OtlpResponse response =
        OTLP.post("/v1/logz", JSON, null, TENANT, OtlpBodies.json(SERVICE, List.of(line("bad"))));

    assertOtlpError(response, 404, 3);
    assertThat(response.isJson()).isTrue();
  }

  @Test
  void invalidTenantIdIs400() {
    OtlpResponse response =
        OTLP.post(
            "/v1/logs", PROTOBUF, null, "a/b", OtlpBodies.protobuf(SERVICE, List.of(line("bad"))));

    assertOtlpError(response, 400, 3);
    assertThat(response.statusMessage()).contains("tenant");
  }

  // ---- Loki API ----

  /**
   * A query, the text where its syntax breaks (null: at the end), and how Loki names what it found
   * there: operators and keywords by their text, literals by their token name, the end as {@code
   * $end} (Loki's parser replaces goyacc's names of the tokens it has text for).
   */
  static Stream<Arguments> queriesWithASyntaxError() {
    return Stream.of(
        Arguments.of("{service_name=\"bad-input\" |= \"x\"", "|=", "|="),
        Arguments.of("{service_name=}", "}", "}"),
        Arguments.of("{service_name=\"bad-input\"} foo", "foo", "IDENTIFIER"),
        Arguments.of("{service_name=\"bad-input\"} |= 42", "42", "NUMBER"),
        Arguments.of("{service_name=\"bad-input\"} |= \"a\" or", null, "$end"));
  }

  /**
   * Loki's position is the 1-based column where the offending token starts (end of input: the
   * query's length + 1).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("queriesWithASyntaxError")
  void logqlSyntaxErrorIs400WithLokisPositionAndWording(
      String query, String offendingText, String lokiName) {
    int column = offendingText == null ? query.length() + 1 : query.indexOf(offendingText) + 1;

    LokiResponse response =
        LOKI.queryRange(LokiQuery.of(query).between(T0, T0 + HOUR).tenant(TENANT));

    assertLokiError(response, 400);
    assertThat(response.json().get("message").asText())
        .startsWith(
            "parse error at line 1, col " + column + ": syntax error: unexpected " + lokiName);
  }

  @Test
  void invalidLabelRegexIs400() {
    LokiResponse response =
        LOKI.queryRange(
            LokiQuery.of("{service_name=~\"(bad\"}").between(T0, T0 + HOUR).tenant(TENANT));

    assertLokiError(response, 400);
    assertThat(response.json().get("message").asText()).startsWith("parse error");
  }

  @Test
  void missingQueryIs400() {
    LokiResponse response =
        LOKI.get(LokiClient.QUERY_RANGE, TENANT, Map.of("start", Long.toString(T0)));

    assertLokiError(response, 400);
    assertThat(response.json().get("message").asText()).contains("query");
  }

  @Test
  void blankQueryIs400() {
    LokiResponse response = LOKI.queryRange(LokiQuery.of("   ").tenant(TENANT));

    assertLokiError(response, 400);
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
    "start, yesterday",
    "start, 2023-13-01T00:00:00Z",
    "end, soon",
    "since, forever",
    "limit, ten",
    "limit, 0",
    "limit, -1",
    "limit, 5001",
    "direction, sideways",
  })
  void badQueryParameterIs400NamingIt(String parameter, String value) {
    LokiQuery query =
        LokiQuery.of("{service_name=\"bad-input\"}").between(T0, T0 + HOUR).tenant(TENANT);
    if (parameter.equals("since")) {
      query = query.without("start"); // since counts back from end only when start is absent
    }

    LokiResponse response = LOKI.queryRange(query.with(parameter, value));

    assertLokiError(response, 400);
    // Loki names the parameter, except for direction, where it quotes the value.
    assertThat(response.json().get("message").asText())
        .contains(parameter.equals("direction") ? value : parameter);
  }

  @Test
  void limitOfExactlyTheMaximumIsAccepted() {
    LokiResponse response =
        LOKI.queryRange(
            LokiQuery.of("{service_name=\"bad-input\"}")
                .between(T0, T0 + HOUR)
                .limit(5000)
                .tenant(TENANT));

    assertThat(response.status()).as(response.rawBody()).isEqualTo(200);
  }

  @Test
  void endBeforeStartIs400() {
    LokiResponse response =
        LOKI.queryRange(
            LokiQuery.of("{service_name=\"bad-input\"}").between(T0 + HOUR, T0).tenant(TENANT));

    assertLokiError(response, 400);
  }

  @Test
  void invalidTenantIdOnTheLokiApiIs400() {
    LokiResponse response =
        LOKI.queryRange(
            LokiQuery.of("{service_name=\"bad-input\"}").between(T0, T0 + HOUR).tenant("a b"));

    assertLokiError(response, 400);
  }

  @Test
  void unknownLokiPathIs404InLokisErrorShape() {
    LokiResponse response = LOKI.get("/loki/api/v1/nope", TENANT, Map.of());

    assertLokiError(response, 404);
  }

  // ---- fuzzing ----

  /**
   * Mutations of valid bodies, from a fixed seed: every answer is 200 (the mutation left a valid
   * request) or a 4xx with a readable message; none is a 5xx, none hangs.
   */
  @Test
  void mutatedOtlpBodiesAreAnsweredWith200Or4xxNever5xx() {
    Random random = new Random(20_240_611L);
    List<SentLine> lines =
        List.of(
            new SentLine(T0 + 1, "fuzz one"),
            new SentLine(T0 + 2, "fuzz two ünïcödé"),
            new SentLine(T0 + 3, "fuzz three {\"json\":true}"));
    byte[] protobuf = OtlpBodies.protobuf("fuzz", lines);
    ObjectNode document = OtlpBodies.jsonRequest("fuzz", lines);
    ((ObjectNode) document.at("/resourceLogs/0/scopeLogs/0/logRecords/0"))
        .put("traceId", "5b8efff798038103d269b633813fc60c")
        .put("spanId", "eee19b7ec3c1b174");
    byte[] json = OtlpBodies.json(document);
    byte[] gzip = OtlpBodies.gzip(protobuf);

    List<String> failures = new ArrayList<>();
    int accepted = 0;
    for (int i = 0; i < 400; i++) {
      String family;
      String contentType;
      String encoding = null;
      byte[] body;
      switch (i % 4) {
        case 0, 1 -> {
          family = "protobuf";
          contentType = PROTOBUF;
          body = protobuf;
        }
        case 2 -> {
          family = "json";
          contentType = JSON;
          body = json;
        }
        default -> {
          family = "gzip";
          contentType = PROTOBUF;
          encoding = "gzip";
          body = gzip;
        }
      }
      Mutation mutation = Mutation.random(random, family.equals("json"));
      byte[] mutated = mutation.apply(body, random);
      String what = family + " #" + i + " (" + mutation + ")";
      OtlpResponse response;
      try {
        response = OTLP.post("/v1/logs", contentType, encoding, FUZZ_TENANT, mutated);
      } catch (AssertionError e) {
        failures.add(what + ": " + e.getMessage());
        continue;
      }
      if (response.status() == 200) {
        accepted++;
      } else if (response.status() < 400 || response.status() >= 500) {
        failures.add(what + ": " + response);
      } else if (JAVA_NAME.matcher(response.statusMessage()).find()) {
        failures.add(what + ": Java name in the message: " + response.statusMessage());
      }
    }

    assertThat(failures).as("requests answered wrongly").isEmpty();
    assertThat(accepted).as("mutations that stayed valid").isLessThan(400);
    List<SentLine> after = List.of(new SentLine(T0 + HOUR / 2, "fuzz survivor"));
    assertThat(
            OTLP.post("/v1/logs", PROTOBUF, null, FUZZ_TENANT, OtlpBodies.protobuf("fuzz", after))
                .status())
        .isEqualTo(200);
    assertThat(storedLines(FUZZ_TENANT)).contains("fuzz survivor");
  }

  /** Mutated LogQL: every answer is a 200 or a 400 in Loki's error shape. */
  @Test
  void mutatedLogqlQueriesAreAnsweredWith200Or400Never5xx() {
    Random random = new Random(7_011L);
    List<String> queries =
        List.of(
            "{service_name=\"bad-input\"} |= \"good\" or \"bad\"",
            "{service_name=~\"bad.*\", k8s_namespace_name!=\"x\"} !~ `line \\d+`",
            "{service_name!~\"a|b\", service_name=~\".+\"} |~ \"(?i)GOOD\" != \"zzz\"");
    String alphabet = "{}[]()=!~|\"`\\,.*+?^$ abc_019";

    List<String> failures = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      StringBuilder query = new StringBuilder(queries.get(i % queries.size()));
      for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
        int at = random.nextInt(query.length() + 1);
        char c = alphabet.charAt(random.nextInt(alphabet.length()));
        switch (random.nextInt(3)) {
          case 0 -> query.insert(at, c);
          case 1 -> query.deleteCharAt(Math.min(at, query.length() - 1));
          default -> query.setCharAt(Math.min(at, query.length() - 1), c);
        }
      }
      LokiResponse response =
          LOKI.queryRange(LokiQuery.of(query.toString()).between(T0, T0 + HOUR).tenant(TENANT));
      if (response.status() != 200 && response.status() != 400) {
        failures.add(query + " -> " + response.status() + " " + response.rawBody());
      } else if (response.status() == 400
          && (response.json() == null
              || !"error".equals(response.json().path("status").asText()))) {
        failures.add(query + " -> 400 not in Loki's error shape: " + response.rawBody());
      }
    }

    assertThat(failures).as("queries answered wrongly").isEmpty();
  }

  // ---- helpers ----

  /** One way to damage a body, chosen at random; its toString says what it did. */
  private record Mutation(String kind, int position, int amount) {
    static Mutation random(Random random, boolean textual) {
      String[] kinds =
          textual
              ? new String[] {"flip", "truncate", "overwrite", "insert", "delete", "punctuate"}
              : new String[] {"flip", "truncate", "overwrite", "insert", "delete"};
      return new Mutation(
          kinds[random.nextInt(kinds.length)], random.nextInt(1 << 20), 1 + random.nextInt(16));
    }

    byte[] apply(byte[] body, Random random) {
      byte[] out = body.clone();
      int at = position % out.length;
      switch (kind) {
        case "flip" -> {
          for (int i = 0; i < amount; i++) {
            out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
          }
          return out;
        }
        case "truncate" -> {
          return Arrays.copyOf(out, at);
        }
        case "overwrite" -> {
          for (int i = 0; i < amount; i++) {
            out[random.nextInt(out.length)] = (byte) random.nextInt(256);
          }
          return out;
        }
        case "insert" -> {
          byte[] noise = new byte[amount];
          random.nextBytes(noise);
          byte[] longer = new byte[out.length + amount];
          System.arraycopy(out, 0, longer, 0, at);
          System.arraycopy(noise, 0, longer, at, amount);
          System.arraycopy(out, at, longer, at + amount, out.length - at);
          return longer;
        }
        case "delete" -> {
          int n = Math.min(amount, out.length - at);
          byte[] shorter = new byte[out.length - n];
          System.arraycopy(out, 0, shorter, 0, at);
          System.arraycopy(out, at + n, shorter, at, out.length - at - n);
          return shorter;
        }
        case "punctuate" -> {
          String structural = "{}[]\":,-0123456789.eE tfn\\";
          for (int i = 0; i < amount; i++) {
            out[random.nextInt(out.length)] =
                (byte) structural.charAt(random.nextInt(structural.length()));
          }
          return out;
        }
        default -> throw new IllegalStateException(kind);
      }
    }
  }

  /** POSTs a body to {@code /v1/logs} as {@link #TENANT}, whose stored lines are checked. */
  private static OtlpResponse send(String contentType, String contentEncoding, byte[] body) {
    return OTLP.post("/v1/logs", contentType, contentEncoding, TENANT, body);
  }

  private static SentLine line(String kind) {
    int n = ++sequence;
    return new SentLine(T0 + n * 1_000_000L, kind + " line " + n);
  }

  private static List<String> storedLines(String tenant) {
    LokiResponse response =
        LOKI.queryRange(
            LokiQuery.of("{service_name=~\".+\"}")
                .between(T0, T0 + HOUR)
                .limit(5000)
                .forward()
                .tenant(tenant));
    return response.lines();
  }

  private static void assertOtlpError(OtlpResponse response, int httpStatus, int grpcCode) {
    assertThat(response.status()).as("%s", response).isEqualTo(httpStatus);
    assertThat(response.statusCode()).as("google.rpc.Status code").isEqualTo(grpcCode);
    assertThat(response.statusMessage()).isNotBlank().doesNotContainPattern(JAVA_NAME);
  }

  private static void assertLokiError(LokiResponse response, int httpStatus) {
    assertThat(response.status()).as(response.rawBody()).isEqualTo(httpStatus);
    assertThat(response.contentType()).startsWith("application/json");
    assertThat(response.json()).as("JSON body: %s", response.rawBody()).isNotNull();
    List<String> fields = new ArrayList<>();
    response.json().fieldNames().forEachRemaining(fields::add);
    assertThat(fields).containsExactlyInAnyOrder("code", "message", "status");
    assertThat(response.json().get("code").asInt()).isEqualTo(httpStatus);
    assertThat(response.json().get("status").asText()).isEqualTo("error");
    assertThat(response.json().get("message").asText())
        .isNotBlank()
        .doesNotContainPattern(JAVA_NAME);
  }
}
