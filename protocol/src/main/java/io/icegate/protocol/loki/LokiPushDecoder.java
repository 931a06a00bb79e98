package io.icegate.protocol.loki;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import io.icegate.protocol.Compression;
import io.icegate.protocol.GoQuoting;
import io.icegate.protocol.JsonErrors;
import io.icegate.protocol.PayloadTooLargeException;
import io.icegate.protocol.ProtobufReader;
import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.loki.LabelSetParser.Label;
import io.icegate.protocol.loki.LokiPushRequest.Entry;
import io.icegate.protocol.loki.LokiPushRequest.Stream;
import io.icegate.protocol.prometheus.PrometheusOtlpNames;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Decodes Loki push bodies ({@code POST /loki/api/v1/push}) in both of Loki's encodings, with Loki
 * 3's rules ({@code pkg/loghttp/push} and the distributor's validation):
 *
 * <ul>
 *   <li>protobuf: a {@code logproto.PushRequest} compressed in the Snappy block format, whatever
 *       the {@code Content-Encoding} says on top (promtail and Alloy send this);
 *   <li>JSON: {@code {"streams":[{"stream":{"app":"api"},"values":[["<ns>","line",{"trace_id":
 *       "..."}]]}]}}, with the nanosecond timestamp as a string and structured metadata as the
 *       optional third element.
 * </ul>
 *
 * <p>Each stream's labels are parsed from Prometheus's text form ({@code {app="api"}}; JSON labels
 * are first written in that form, as Loki does, so both encodings share every rule), empty values
 * are dropped, and, as Loki 3's default {@code discover_service_name} does, a stream without {@code
 * service_name} gets one from the first of {@code service}, {@code app}, … that it has, or {@code
 * unknown_service}. A stream then must have a label, no empty label name and no label twice.
 * Structured metadata names are normalised by Prometheus's OTLP rule as Loki's distributor does
 * ({@code user.id} → {@code user_id}), U+FFFD is removed from their values, and empty values are
 * dropped.
 *
 * <p>Any error rejects the whole request with a {@link ProtocolException} whose message embeds
 * Loki's own words, e.g. {@code invalid push request: streams[1]: couldn't parse labels: 1:5: parse
 * error: unexpected end of input inside braces}. Loki instead stores the valid streams of a request
 * and answers 400 for the rest; here a request is stored whole or not at all, and the client learns
 * of every defect before anything of it is kept. The JSON reader is also a little stricter than
 * Loki's: label and metadata values must be strings (Loki takes the text of a number too), and an
 * entry must have two or three elements (Loki pads or ignores).
 */
public final class LokiPushDecoder {
  /** A decoder with Loki 3's default settings. */
  public static final LokiPushDecoder DEFAULT =
      new LokiPushDecoder(LokiOtlpLabels.DEFAULT_DISCOVER_SERVICE_NAME);

  private static final String PREFIX = "invalid push request: ";
  private static final String SERVICE_NAME = LokiOtlpLabels.SERVICE_NAME_LABEL;
  private static final JsonFactory JSON = new JsonFactory();

  private final List<String> discoverServiceName;

  /**
   * A decoder with Loki's {@code discover_service_name} setting: the labels that, in this order,
   * may give a stream without {@code service_name} its value. An empty list turns the discovery
   * off; then a stream may end up with no label at all, which is an error.
   */
  public LokiPushDecoder(List<String> discoverServiceName) {
    this.discoverServiceName = List.copyOf(discoverServiceName);
  }

  /**
   * Decodes a push body by its headers, as Loki dispatches: {@code Content-Encoding} {@code gzip}
   * or {@code deflate} is undone first (an empty one or {@code snappy} leaves the body as it is);
   * then {@code application/json} is read as JSON and any other media type as Snappy-compressed
   * protobuf.
   *
   * @param contentType the {@code Content-Type} header, parameters allowed; required, as in Loki
   * @param contentEncoding the {@code Content-Encoding} header, or null
   * @param maxBytes the largest decompressed size accepted, for each decompression step
   * @throws PayloadTooLargeException if a decompressed size exceeds {@code maxBytes}
   * @throws ProtocolException for an unsupported encoding, a missing media type or an invalid body
   */
  public LokiPushRequest decode(
      byte[] body, String contentType, String contentEncoding, int maxBytes) {
    boolean json = mediaType(contentType).equals("application/json");
    String encoding = contentEncoding == null ? "" : contentEncoding.trim();
    byte[] decoded =
        switch (encoding.toLowerCase(Locale.ROOT)) {
          case "", "snappy" -> body;
          case "gzip" -> Compression.gunzip(body, maxBytes);
          case "deflate" -> Compression.inflate(body, maxBytes);
          default ->
              throw new ProtocolException(
                  "Content-Encoding " + GoQuoting.quote(encoding) + " not supported");
        };
    return json ? decodeJson(decoded) : decodeProtobuf(decoded, maxBytes);
  }

  /**
   * Decodes a Snappy-compressed {@code logproto.PushRequest}.
   *
   * @param maxBytes the largest uncompressed size accepted
   * @throws PayloadTooLargeException if the body declares an uncompressed size above {@code
   *     maxBytes}
   * @throws ProtocolException if the body is not valid Snappy, not a valid push request, or a
   *     stream is invalid
   */
  public LokiPushRequest decodeProtobuf(byte[] snappyBody, int maxBytes) {
    ProtobufReader in =
        new ProtobufReader(Compression.snappyUncompress(snappyBody, maxBytes), PREFIX);
    List<Stream> streams = new ArrayList<>();
    for (int tag = in.nextTag(); tag != 0; tag = in.nextTag()) {
      if (ProtobufReader.field(tag) == 1) {
        in.push("streams", streams.size());
        streams.add(protobufStream(in, tag, streams.size()));
        in.pop();
      } else {
        in.skip(tag); // format (2) is Loki-internal
      }
    }
    return new LokiPushRequest(streams);
  }

  /**
   * Decodes a JSON push body.
   *
   * @throws ProtocolException if the body is not JSON of the push shape or a stream is invalid,
   *     e.g. {@code invalid push request: field "streams[0].values[1][0]": expected a string, got a
   *     number}
   */
  public LokiPushRequest decodeJson(byte[] body) {
    try (JsonParser parser = JSON.createParser(body)) {
      return new JsonReader(parser).request();
    } catch (JsonProcessingException e) {
      throw new ProtocolException(PREFIX + JsonErrors.malformed(e), e);
    } catch (IOException e) {
      // Reading from a byte array performs no I/O; only malformed input can end up here.
      throw new ProtocolException(PREFIX + "malformed JSON: " + e.getMessage(), e);
    }
  }

  // ---- protobuf ----

  private Stream protobufStream(ProtobufReader in, int tag, int index) {
    int limit = in.enter(tag, "streams");
    ByteString labels = ByteString.EMPTY;
    List<Entry> entries = new ArrayList<>();
    for (int t = in.nextTag(); t != 0; t = in.nextTag()) {
      switch (ProtobufReader.field(t)) {
        case 1 -> labels = in.bytes(t, "labels");
        case 2 -> {
          in.push("entries", entries.size());
          entries.add(protobufEntry(in, t));
          in.pop();
        }
        default -> in.skip(t); // hash (3) is Loki-internal
      }
    }
    in.leave(limit);
    if (!labels.isValidUtf8()) {
      throw new ProtocolException(
          PREFIX + "streams[" + index + "]: couldn't parse labels: invalid UTF-8");
    }
    return stream(labels.toStringUtf8(), entries, index);
  }

  private Entry protobufEntry(ProtobufReader in, int tag) {
    int limit = in.enter(tag, "entries");
    long seconds = 0;
    long nanos = 0;
    String line = "";
    List<Label> metadata = new ArrayList<>();
    for (int t = in.nextTag(); t != 0; t = in.nextTag()) {
      switch (ProtobufReader.field(t)) {
        case 1 -> {
          // google.protobuf.Timestamp {int64 seconds = 1; int32 nanos = 2;}
          int timestamp = in.enter(t, "timestamp");
          for (int u = in.nextTag(); u != 0; u = in.nextTag()) {
            switch (ProtobufReader.field(u)) {
              case 1 -> seconds = in.varint(u, "seconds");
              case 2 -> nanos = (int) in.varint(u, "nanos");
              default -> in.skip(u);
            }
          }
          in.leave(timestamp);
        }
        // Loki stores lines as the bytes they are; invalid UTF-8 reads as U+FFFD, as any JSON
        // answer of Loki's would show it.
        case 2 -> line = in.string(t, "line");
        case 3 -> {
          in.push("structuredMetadata", metadata.size());
          int pair = in.enter(t, "structuredMetadata");
          String name = "";
          String value = "";
          for (int u = in.nextTag(); u != 0; u = in.nextTag()) {
            switch (ProtobufReader.field(u)) {
              case 1 -> name = in.string(u, "name");
              case 2 -> value = in.string(u, "value");
              default -> in.skip(u);
            }
          }
          in.leave(pair);
          in.pop();
          metadata.add(new Label(name, value));
        }
        default -> in.skip(t); // parsed (4) is for query answers only
      }
    }
    in.leave(limit);
    return new Entry(timestampNanos(in, seconds, nanos), line, structuredMetadata(in, metadata));
  }

  /**
   * Nanoseconds since the epoch of a {@code Timestamp}, with the checks of gogo's {@code
   * TimestampFromProto}, which Loki's decoder applies, plus the range of a 64-bit nanosecond count
   * (years 1677 to 2262), which Loki converts to without a check.
   */
  private static long timestampNanos(ProtobufReader in, long seconds, long nanos) {
    if (nanos < 0 || nanos >= 1_000_000_000L) {
      throw in.error("timestamp: nanos not in range [0, 1e9)");
    }
    try {
      return Math.addExact(Math.multiplyExact(seconds, 1_000_000_000L), nanos);
    } catch (ArithmeticException e) {
      throw in.error(
          "timestamp: "
              + seconds
              + " seconds is outside the range of nanosecond timestamps (years 1677 to 2262)");
    }
  }

  private static SortedMap<String, String> structuredMetadata(
      ProtobufReader in, List<Label> pairs) {
    try {
      return structuredMetadata(pairs);
    } catch (ProtocolException e) {
      throw in.error("invalid structured metadata: " + e.getMessage());
    }
  }

  // ---- JSON ----

  /** Reads the JSON shape; keeps the path of the current value for error messages. */
  private final class JsonReader {
    private final JsonParser parser;
    private final List<Object> path = new ArrayList<>();

    JsonReader(JsonParser parser) {
      this.parser = parser;
    }

    LokiPushRequest request() throws IOException {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new ProtocolException(PREFIX + "the body is empty");
      }
      if (first != JsonToken.START_OBJECT) {
        throw new ProtocolException(
            PREFIX + "expected a JSON object at the top level, got " + describe(first));
      }
      List<Stream> streams = new ArrayList<>();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken token = parser.nextToken();
        if (!name.equals("streams")) {
          parser.skipChildren();
          continue;
        }
        path.add(name);
        streams.clear();
        if (token == JsonToken.START_ARRAY) {
          for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
            path.add(streams.size());
            expect(t, JsonToken.START_OBJECT, "an object");
            streams.add(stream(streams.size()));
            path.remove(path.size() - 1);
          }
        } else if (token != JsonToken.VALUE_NULL) {
          throw fieldError("expected an array, got " + describe(token));
        }
        path.remove(path.size() - 1);
      }
      if (parser.nextToken() != null) {
        throw new ProtocolException(PREFIX + "unexpected data after the top-level object");
      }
      return new LokiPushRequest(streams);
    }

    private Stream stream(int index) throws IOException {
      SortedMap<String, String> labels = new TreeMap<>(GoQuoting.UTF8_ORDER);
      List<Entry> entries = new ArrayList<>();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken token = parser.nextToken();
        path.add(name);
        switch (name) {
          case "stream" -> {
            if (token != JsonToken.VALUE_NULL) {
              expect(token, JsonToken.START_OBJECT, "an object");
              labels.clear();
              stringObject(labels::put);
            }
          }
          case "values" -> {
            entries.clear();
            if (token != JsonToken.VALUE_NULL) {
              expect(token, JsonToken.START_ARRAY, "an array");
              for (JsonToken t = parser.nextToken();
                  t != JsonToken.END_ARRAY;
                  t = parser.nextToken()) {
                path.add(entries.size());
                // Loki skips null entries.
                if (t != JsonToken.VALUE_NULL) {
                  expect(t, JsonToken.START_ARRAY, "an array");
                  entries.add(entry());
                }
                path.remove(path.size() - 1);
              }
            }
          }
          default -> parser.skipChildren();
        }
        path.remove(path.size() - 1);
      }
      return LokiPushDecoder.this.stream(lokiLabelSetString(labels), entries, index);
    }

    /** {@code ["<ns>", "line"]} or {@code ["<ns>", "line", {"name": "value"}]}. */
    private Entry entry() throws IOException {
      long timestamp = 0;
      String line = null;
      List<Label> metadata = List.of();
      int element = 0;
      for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
        path.add(element);
        switch (element) {
          case 0 -> {
            expect(t, JsonToken.VALUE_STRING, "a string");
            timestamp = timestamp(parser.getText());
          }
          case 1 -> {
            expect(t, JsonToken.VALUE_STRING, "a string");
            line = parser.getText();
          }
          case 2 -> {
            expect(t, JsonToken.START_OBJECT, "an object");
            List<Label> pairs = new ArrayList<>();
            stringObject((name, value) -> pairs.add(new Label(name, value)));
            metadata = pairs;
          }
          default -> throw fieldError("an entry has at most 3 values: timestamp, line, metadata");
        }
        path.remove(path.size() - 1);
        element++;
      }
      if (element < 2) {
        throw fieldError("an entry needs a timestamp and a line");
      }
      try {
        return new Entry(timestamp, line, structuredMetadata(metadata));
      } catch (ProtocolException e) {
        throw fieldError("invalid structured metadata: " + e.getMessage());
      }
    }

    /** Loki parses the timestamp with {@code strconv.ParseInt(s, 10, 64)}. */
    private long timestamp(String text) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw fieldError(
            "expected a timestamp in nanoseconds, a 64-bit integer, got " + GoQuoting.quote(text));
      }
    }

    /** An object whose values must be strings, pair by pair in input order. */
    private void stringObject(BiConsumer<String, String> pairs) throws IOException {
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken token = parser.nextToken();
        path.add(name);
        expect(token, JsonToken.VALUE_STRING, "a string");
        pairs.accept(name, parser.getText());
        path.remove(path.size() - 1);
      }
    }

    private void expect(JsonToken actual, JsonToken expected, String what) {
      if (actual != expected) {
        throw fieldError("expected " + what + ", got " + describe(actual));
      }
    }

    private ProtocolException fieldError(String problem) {
      StringBuilder where = new StringBuilder();
      for (Object segment : path) {
        if (segment instanceof Integer i) {
          where.append('[').append(i).append(']');
        } else {
          if (where.length() > 0) {
            where.append('.');
          }
          where.append(segment);
        }
      }
      return new ProtocolException(PREFIX + "field \"" + where + "\": " + problem);
    }
  }

  /**
   * The label string Loki makes of a JSON {@code stream} object ({@code loghttp.LabelSet.String}):
   * names sorted and written as they are, values quoted. A name that is no identifier therefore
   * fails to parse, as it does in Loki.
   */
  private static String lokiLabelSetString(SortedMap<String, String> labels) {
    StringBuilder text = new StringBuilder(24 * labels.size() + 2).append('{');
    boolean first = true;
    for (var label : labels.entrySet()) {
      if (!first) {
        text.append(", ");
      }
      first = false;
      text.append(label.getKey()).append('=');
      GoQuoting.quote(label.getValue(), text);
    }
    return text.append('}').toString();
  }

  private static String describe(JsonToken token) {
    return switch (token) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.asString();
    };
  }

  // ---- rules shared by both encodings ----

  /** A stream's labels as Loki 3 ends up storing them, or Loki's error for them. */
  private Stream stream(String labelText, List<Entry> entries, int index) {
    List<Label> labels;
    try {
      labels = new ArrayList<>(LabelSetParser.parse(labelText));
    } catch (ProtocolException e) {
      throw streamError(index, "couldn't parse labels: " + e.getMessage());
    }
    // syntax.ParseLabels: labels.New sorts; WithoutEmpty drops empty values, which are the same
    // as absent ones in LogQL but would change the stream's identity.
    labels.removeIf(label -> label.value().isEmpty());
    labels.sort(Comparator.comparing(Label::name, GoQuoting.UTF8_ORDER));
    if (!discoverServiceName.isEmpty() && !has(labels, SERVICE_NAME)) {
      labels.add(new Label(SERVICE_NAME, discoveredServiceName(labels)));
      labels.sort(Comparator.comparing(Label::name, GoQuoting.UTF8_ORDER));
    }
    if (labels.isEmpty()) {
      throw streamError(index, "error at least one label pair is required per stream");
    }
    // The grammar admits a quoted empty name ({""="x"}), which Loki would store although no
    // selector can name it; Prometheus's UTF-8 name rule, which all else here follows, rejects it.
    if (labels.get(0).name().isEmpty()) {
      throw streamError(
          index, "stream '" + LabelSetParser.print(labels) + "' has an empty label name");
    }
    SortedMap<String, String> set = new TreeMap<>();
    for (int i = 0; i < labels.size(); i++) {
      if (i > 0 && labels.get(i).name().equals(labels.get(i - 1).name())) {
        throw streamError(
            index,
            "stream '"
                + LabelSetParser.print(labels)
                + "' has duplicate label name: '"
                + labels.get(i).name()
                + "'");
      }
      set.put(labels.get(i).name(), labels.get(i).value());
    }
    return new Stream(set, entries);
  }

  private String discoveredServiceName(List<Label> labels) {
    for (String candidate : discoverServiceName) {
      for (Label label : labels) {
        if (label.name().equals(candidate)) {
          return label.value(); // never empty: empty values are gone
        }
      }
    }
    return LokiOtlpLabels.UNKNOWN_SERVICE;
  }

  private static boolean has(List<Label> labels, String name) {
    for (Label label : labels) {
      if (label.name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Structured metadata as Loki's distributor leaves it: each name normalised by Prometheus's OTLP
   * label rule, U+FFFD (how invalid UTF-8 reads) removed from values, empty values dropped, and of
   * two pairs with one name the later kept.
   *
   * @throws ProtocolException if a name is empty or normalises to underscores only
   */
  private static SortedMap<String, String> structuredMetadata(List<Label> pairs) {
    if (pairs.isEmpty()) {
      return Collections.emptySortedMap();
    }
    SortedMap<String, String> metadata = new TreeMap<>();
    for (Label pair : pairs) {
      String name = PrometheusOtlpNames.labelName(pair.name());
      String value = pair.value().replace("\uFFFD", "");
      if (value.isEmpty()) {
        metadata.remove(name);
      } else {
        metadata.put(name, value);
      }
    }
    return metadata;
  }

  /** The media type of a {@code Content-Type}, lower case, without parameters. */
  private static String mediaType(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      // Loki's mime.ParseMediaType fails on an empty header.
      throw new ProtocolException("missing Content-Type (mime: no media type)");
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  private static ProtocolException streamError(int index, String problem) {
    return new ProtocolException(PREFIX + "streams[" + index + "]: " + problem);
  }
}
