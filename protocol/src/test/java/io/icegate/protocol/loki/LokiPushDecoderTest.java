package io.icegate.protocol.loki;

import static io.icegate.protocol.ProtoBytes.message;
import static io.icegate.protocol.ProtoBytes.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.protocol.Fuzzer;
import io.icegate.protocol.PayloadTooLargeException;
import io.icegate.protocol.ProtoBytes;
import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.loki.LokiPushRequest.Entry;
import io.icegate.protocol.loki.LokiPushRequest.Stream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

class LokiPushDecoderTest {
  private static final int LIMIT = 1 << 20;
  private static final LokiPushDecoder LOKI = LokiPushDecoder.DEFAULT;
  private static final LokiPushDecoder NO_DISCOVERY = new LokiPushDecoder(List.of());

  /** Two streams as promtail would push them; decoded from protobuf and JSON alike. */
  private static final LokiPushRequest EXPECTED =
      new LokiPushRequest(
          List.of(
              new Stream(
                  sorted("app", "api", "env", "prod", "service_name", "api"),
                  List.of(
                      new Entry(
                          1_700_000_000_123_456_789L,
                          "GET /checkout 200",
                          sorted("trace_id", "5b8efff798038103d269b633813fc60c", "user_id", "42")),
                      new Entry(1_700_000_001_000_000_000L, "second line", sorted()))),
              new Stream(
                  sorted(
                      "filename", "/var/log/syslog", "job", "varlogs", "service_name", "varlogs"),
                  List.of(new Entry(-1_000_000_000L, "before 1970", sorted())))));

  // ---- protobuf ----

  /** The same two streams in protobuf, with the Loki-internal fields a client may send. */
  private static final byte[] PROTOBUF =
      message()
          .message(
              1,
              message()
                  .string(1, "{app=\"api\", env=\"prod\"}")
                  .message(
                      2,
                      entry(1_700_000_000L, 123_456_789, "GET /checkout 200")
                          .message(3, pair("trace_id", "5b8efff798038103d269b633813fc60c"))
                          .message(3, pair("user.id", "42"))
                          .message(4, pair("parsed", "is for query answers")))
                  .message(2, entry(1_700_000_001L, 0, "second line"))
                  .varint(3, 12345)) // hash, Loki-internal
          .message(
              1,
              message()
                  .string(1, "{job=\"varlogs\", filename=\"/var/log/syslog\"}")
                  .message(2, entry(-1, 0, "before 1970")))
          .string(2, "loki") // format, Loki-internal
          .toByteArray();

  @Test
  void protobufRoundTripKeepsEveryField() {
    assertThat(LOKI.decodeProtobuf(snappy(PROTOBUF), LIMIT)).isEqualTo(EXPECTED);
  }

  @Test
  void protobufEntryWithoutTimestampIsAtTheEpoch() {
    byte[] body =
        message()
            .message(1, message().string(1, "{a=\"b\"}").message(2, message().string(2, "x")))
            .toByteArray();

    Entry entry = LOKI.decodeProtobuf(snappy(body), LIMIT).streams().get(0).entries().get(0);

    assertThat(entry).isEqualTo(new Entry(0, "x", sorted()));
  }

  @Test
  void invalidUtf8InALineIsReplacedNotRejected() {
    byte[] body =
        message()
            .message(
                1,
                message()
                    .string(1, "{a=\"b\"}")
                    .message(2, message().bytes(2, new byte[] {'o', 'k', (byte) 0xff})))
            .toByteArray();

    Entry entry = LOKI.decodeProtobuf(snappy(body), LIMIT).streams().get(0).entries().get(0);

    assertThat(entry.line()).isEqualTo("ok\ufffd");
  }

  @Test
  void truncatedProtobufIsRejectedWithItsPosition() {
    byte[] full =
        message()
            .message(1, message().string(1, "{a=\"b\"}").message(2, entry(1, 0, "a line")))
            .toByteArray();
    byte[] truncated = Arrays.copyOf(full, full.length - 4);

    assertThatThrownBy(() -> LOKI.decodeProtobuf(snappy(truncated), LIMIT))
        .isInstanceOf(ProtocolException.class)
        .hasMessageStartingWith("invalid push request: streams[0]")
        .hasMessageContaining("truncated");
  }

  @Test
  void protobufTimestampOutsideItsRangeIsRejected() {
    assertThatThrownBy(() -> decodeOneEntry(entry(1, 1_000_000_000, "x")))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(
            "invalid push request: streams[0].entries[0]: timestamp: nanos not in range [0, 1e9)");
    assertThatThrownBy(() -> decodeOneEntry(entry(10_000_000_000L, 0, "x")))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(
            "invalid push request: streams[0].entries[0]: timestamp: 10000000000 seconds is "
                + "outside the range of nanosecond timestamps (years 1677 to 2262)");
  }

  @Test
  void protobufWithWrongWireTypeIsRejected() {
    byte[] body = message().message(1, message().varint(1, 7)).toByteArray();

    assertThatThrownBy(() -> LOKI.decodeProtobuf(snappy(body), LIMIT))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(
            "invalid push request: streams[0]: field labels: wire type varint, "
                + "expected length-delimited");
  }

  @Test
  void bodyThatIsNotSnappyIsRejected() {
    byte[] plainProtobuf = message().message(1, message().string(1, "{a=\"b\"}")).toByteArray();

    assertThatThrownBy(() -> LOKI.decodeProtobuf(plainProtobuf, LIMIT))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("invalid snappy body: corrupt input");
  }

  @Test
  void snappyBodyDeclaringMoreThanTheLimitIsRejected() {
    byte[] body = snappy(new byte[4096]);

    assertThatThrownBy(() -> LOKI.decodeProtobuf(body, 1024))
        .isInstanceOf(PayloadTooLargeException.class);
  }

  // ---- JSON ----

  private static final String JSON =
      """
      {"streams": [
        {"stream": {"app": "api", "env": "prod"},
         "values": [
           ["1700000000123456789", "GET /checkout 200",
            {"trace_id": "5b8efff798038103d269b633813fc60c", "user.id": "42"}],
           null,
           ["1700000001000000000", "second line"]]},
        {"stream": {"job": "varlogs", "filename": "/var/log/syslog"},
         "values": [["-1000000000", "before 1970", {}]],
         "futureField": {"ignored": [1, 2]}}
      ], "alsoIgnored": true}
      """;

  @Test
  void jsonDecodesLikeTheSameProtobuf() {
    assertThat(LOKI.decodeJson(utf8(JSON))).isEqualTo(EXPECTED);
  }

  @Test
  void jsonEscapesAndNullsAreHandled() {
    String json =
        "{\"streams\":[{\"stream\":{\"app\":\"a\\\"b\"},\"values\":[[\"5\",\"line\\nnext\"]]},"
            + "{\"stream\":null,\"values\":null}]}";

    LokiPushRequest request = LOKI.decodeJson(utf8(json));

    assertThat(request.streams().get(0).labels())
        .isEqualTo(sorted("app", "a\"b", "service_name", "a\"b"));
    assertThat(request.streams().get(0).entries())
        .containsExactly(new Entry(5, "line\nnext", sorted()));
    assertThat(request.streams().get(1))
        .isEqualTo(new Stream(sorted("service_name", "unknown_service"), List.of()));
  }

  @Test
  void jsonFieldErrorsNameTheirPath() {
    assertJsonRejected(
        "{\"streams\":[{\"values\":[[1700000000000000000,\"x\"]]}]}",
        "invalid push request: field \"streams[0].values[0][0]\": expected a string, got a number");
    assertJsonRejected(
        "{\"streams\":[{\"values\":[[\"yesterday\",\"x\"]]}]}",
        "invalid push request: field \"streams[0].values[0][0]\": expected a timestamp in "
            + "nanoseconds, a 64-bit integer, got \"yesterday\"");
    assertJsonRejected(
        "{\"streams\":[{\"values\":[[\"1\"]]}]}",
        "invalid push request: field \"streams[0].values[0]\": an entry needs a timestamp and a "
            + "line");
    assertJsonRejected(
        "{\"streams\":[{\"values\":[[\"1\",\"x\",{},\"y\"]]}]}",
        "invalid push request: field \"streams[0].values[0][3]\": an entry has at most 3 values: "
            + "timestamp, line, metadata");
    assertJsonRejected(
        "{\"streams\":[{\"stream\":{\"a\":1}}]}",
        "invalid push request: field \"streams[0].stream.a\": expected a string, got a number");
    assertJsonRejected(
        "{\"streams\":[{\"values\":[[\"1\",\"x\",{\"k\":true}]]}]}",
        "invalid push request: field \"streams[0].values[0][2].k\": expected a string, "
            + "got a boolean");
    assertJsonRejected(
        "{\"streams\":{}}",
        "invalid push request: field \"streams\": expected an array, got an object");
  }

  @Test
  void malformedJsonIsRejectedWithItsPosition() {
    assertThatThrownBy(() -> LOKI.decodeJson(utf8("{\"streams\": [}")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageStartingWith("invalid push request: malformed JSON at line 1, column 14");
    String deep = "{\"unknown\": " + "[".repeat(2_000) + "]".repeat(2_000) + "}";
    assertThatThrownBy(() -> LOKI.decodeJson(utf8(deep)))
        .isInstanceOf(ProtocolException.class)
        .hasMessageStartingWith("invalid push request: malformed JSON")
        .hasMessageContaining("nesting depth")
        .hasMessageNotContaining("StreamReadConstraints");
    assertJsonRejected("", "invalid push request: the body is empty");
    assertJsonRejected(
        "[]", "invalid push request: expected a JSON object at the top level, got an array");
  }

  // ---- labels, as Loki validates them ----

  @Test
  void serviceNameIsDiscoveredAsLoki3DoesByDefault() {
    assertThat(labelsOf("{}")).isEqualTo(sorted("service_name", "unknown_service"));
    assertThat(labelsOf("{container=\"db\", app=\"\"}"))
        .isEqualTo(sorted("container", "db", "service_name", "db"));
    assertThat(labelsOf("{service_name=\"\", service=\"x\"}"))
        .isEqualTo(sorted("service", "x", "service_name", "x"));
    assertThat(labelsOf("{service_name=\"given\", app=\"x\"}"))
        .isEqualTo(sorted("app", "x", "service_name", "given"));
  }

  @Test
  void emptyLabelSetIsAnErrorWithoutDiscovery() {
    assertThatThrownBy(() -> NO_DISCOVERY.decodeJson(utf8(pushJson("{\"a\":\"\"}"))))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(
            "invalid push request: streams[0]: error at least one label pair is required per "
                + "stream");
    assertThat(NO_DISCOVERY.decodeJson(utf8(pushJson("{\"a\":\"b\"}"))).streams().get(0).labels())
        .isEqualTo(sorted("a", "b"));
  }

  @Test
  void duplicateLabelIsRejectedWithLokisMessage() {
    assertThatThrownBy(() -> labelsOf("{a=\"1\", b=\"x\", a=\"2\"}"))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(
            "invalid push request: streams[0]: stream '{a=\"1\", a=\"2\", b=\"x\", "
                + "service_name=\"unknown_service\"}' has duplicate label name: 'a'");
  }

  @Test
  void emptyLabelNameIsRejected() {
    assertThatThrownBy(() -> labelsOf("{\"\"=\"x\", a=\"b\"}"))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(
            "invalid push request: streams[0]: stream '{\"\"=\"x\", a=\"b\", "
                + "service_name=\"unknown_service\"}' has an empty label name");
  }

  @Test
  void unparseableLabelsAreRejectedWithPrometheusParseError() {
    assertThatThrownBy(() -> labelsOf("{a.b=\"c\"}"))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(
            "invalid push request: streams[0]: couldn't parse labels: 1:3: parse error: "
                + "unexpected character inside braces: '.'");
    // JSON label names are written into the same text first, as Loki does.
    assertThatThrownBy(() -> LOKI.decodeJson(utf8(pushJson("{\"a.b\":\"c\"}"))))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(
            "invalid push request: streams[0]: couldn't parse labels: 1:3: parse error: "
                + "unexpected character inside braces: '.'");
  }

  @Test
  void quotedUtf8NamesAndTheMetricNameFormAreAccepted() {
    assertThat(labelsOf("{\"service.name\"=\"api\"}"))
        .isEqualTo(sorted("service.name", "api", "service_name", "unknown_service"));
    assertThat(labelsOf("logs{job=\"a\"}"))
        .isEqualTo(sorted("__name__", "logs", "job", "a", "service_name", "a"));
  }

  // ---- structured metadata, as Loki's distributor leaves it ----

  @Test
  void structuredMetadataIsNormalisedAsLokiDoes() {
    String json =
        pushJson(
            "{\"a\":\"b\"}",
            "[\"1\",\"x\",{\"http.method\":\"GET\",\"empty\":\"\",\"bad\":\"a\\ufffdb\","
                + "\"k8s.pod\":\"p1\",\"k8s_pod\":\"p2\"}]");

    Entry entry = LOKI.decodeJson(utf8(json)).streams().get(0).entries().get(0);

    assertThat(entry.structuredMetadata())
        .isEqualTo(sorted("bad", "ab", "http_method", "GET", "k8s_pod", "p2"));
  }

  @Test
  void structuredMetadataNameThatNormalisesToNothingIsRejected() {
    assertThatThrownBy(
            () -> LOKI.decodeJson(utf8(pushJson("{\"a\":\"b\"}", "[\"1\",\"x\",{\"\":\"v\"}]"))))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(
            "invalid push request: field \"streams[0].values[0]\": invalid structured metadata: "
                + "label name is empty");
    byte[] body =
        message()
            .message(
                1,
                message()
                    .string(1, "{a=\"b\"}")
                    .message(2, entry(1, 0, "x").message(3, pair("...", "v"))))
            .toByteArray();
    assertThatThrownBy(() -> LOKI.decodeProtobuf(snappy(body), LIMIT))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(
            "invalid push request: streams[0].entries[0]: invalid structured metadata: "
                + "normalization for label name \"...\" resulted in invalid name \"_\"");
  }

  // ---- dispatch by headers ----

  @Test
  void headersSelectEncodingAndCompression() throws IOException {
    byte[] json = utf8(JSON);
    byte[] protobuf =
        message()
            .message(1, message().string(1, "{app=\"api\"}").message(2, entry(1, 0, "x")))
            .toByteArray();

    assertThat(LOKI.decode(json, "application/json; charset=utf-8", null, LIMIT))
        .isEqualTo(EXPECTED);
    assertThat(LOKI.decode(gzip(json), "Application/JSON", "gzip", LIMIT)).isEqualTo(EXPECTED);
    assertThat(LOKI.decode(deflate(json), "application/json", "deflate", LIMIT))
        .isEqualTo(EXPECTED);
    assertThat(LOKI.decode(snappy(protobuf), "application/x-protobuf", "", LIMIT).entryCount())
        .isEqualTo(1);
    assertThat(
            LOKI.decode(snappy(protobuf), "application/x-protobuf", "snappy", LIMIT).entryCount())
        .isEqualTo(1);
    assertThat(
            LOKI.decode(gzip(snappy(protobuf)), "application/octet-stream", "gzip", LIMIT)
                .entryCount())
        .isEqualTo(1);
  }

  @Test
  void unsupportedEncodingAndMissingMediaTypeAreRejected() {
    assertThatThrownBy(() -> LOKI.decode(new byte[0], "application/json", "br", LIMIT))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("Content-Encoding \"br\" not supported");
    assertThatThrownBy(() -> LOKI.decode(new byte[0], null, null, LIMIT))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("missing Content-Type (mime: no media type)");
  }

  @Test
  void gzipBombIsStoppedAtTheLimit() throws IOException {
    byte[] bomb = gzip(new byte[8 << 20]);

    assertThatThrownBy(() -> LOKI.decode(bomb, "application/json", "gzip", 1 << 20))
        .isInstanceOf(PayloadTooLargeException.class);
  }

  // ---- fuzzing ----

  @Test
  void fuzzedProtobufOnlyEverFailsWithProtocolException() {
    // Mutate the protobuf, then compress it, so that the mutations reach the decoder.
    Fuzzer.assertOnlyProtocolExceptions(
        20_251_107L, 3_000, List.of(PROTOBUF), body -> LOKI.decodeProtobuf(snappy(body), LIMIT));
  }

  @Test
  void fuzzedSnappyOnlyEverFailsWithProtocolException() {
    Fuzzer.assertOnlyProtocolExceptions(
        20_251_108L, 3_000, List.of(snappy(PROTOBUF)), body -> LOKI.decodeProtobuf(body, LIMIT));
  }

  @Test
  void fuzzedJsonOnlyEverFailsWithProtocolException() {
    Fuzzer.assertOnlyProtocolExceptions(20_251_109L, 3_000, List.of(utf8(JSON)), LOKI::decodeJson);
  }

  @Test
  void fuzzedLabelStringsOnlyEverFailWithProtocolException() {
    Fuzzer.assertOnlyProtocolExceptions(
        20_251_110L,
        5_000,
        List.of(
            utf8("{app=\"api\", env='prod', c=`raw`}"),
            utf8("up{\"service.name\"=\"a\\u00e9\\x41\\101\", b=\"\\U0001F600\",}"),
            utf8("{\"my.metric\", # comment\n a=\"b\"}")),
        body -> LabelSetParser.parse(new String(body, StandardCharsets.UTF_8)));
  }

  // ---- fixtures ----

  private static SortedMap<String, String> labelsOf(String labelText) {
    byte[] body =
        message()
            .message(1, message().string(1, labelText).message(2, entry(1, 0, "x")))
            .toByteArray();
    return LOKI.decodeProtobuf(snappy(body), LIMIT).streams().get(0).labels();
  }

  private static LokiPushRequest decodeOneEntry(ProtoBytes entry) {
    byte[] body =
        message().message(1, message().string(1, "{a=\"b\"}").message(2, entry)).toByteArray();
    return LOKI.decodeProtobuf(snappy(body), LIMIT);
  }

  private static void assertJsonRejected(String json, String message) {
    assertThatThrownBy(() -> LOKI.decodeJson(utf8(json)))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(message);
  }

  private static String pushJson(String stream, String... values) {
    return "{\"streams\":[{\"stream\":"
        + stream
        + ",\"values\":["
        + (values.length == 0 ? "[\"1\",\"x\"]" : String.join(",", values))
        + "]}]}";
  }

  private static ProtoBytes entry(long seconds, int nanos, String line) {
    return message().message(1, message().varint(1, seconds).varint(2, nanos)).string(2, line);
  }

  private static ProtoBytes pair(String name, String value) {
    return message().string(1, name).string(2, value);
  }

  private static SortedMap<String, String> sorted(String... keysAndValues) {
    SortedMap<String, String> map = new TreeMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  static byte[] snappy(byte[] bytes) {
    try {
      return Snappy.compress(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] gzip(byte[] data) throws IOException {
    var out = new ByteArrayOutputStream();
    try (var gzip = new GZIPOutputStream(out)) {
      gzip.write(data);
    }
    return out.toByteArray();
  }

  private static byte[] deflate(byte[] data) throws IOException {
    var out = new ByteArrayOutputStream();
    try (var deflate =
        new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, true))) {
      deflate.write(data);
    }
    return out.toByteArray();
  }
}
