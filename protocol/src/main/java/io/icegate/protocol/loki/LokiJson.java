package io.icegate.protocol.loki;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * Writes Loki HTTP API response bodies with Jackson's streaming generator, so a large result goes
 * to the client entry by entry without a tree of the whole document in memory. The caller owns the
 * stream: it is flushed, never closed.
 */
public final class LokiJson {
  private static final JsonFactory JSON =
      JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();

  private LokiJson() {}

  /**
   * A log query result, as {@code /loki/api/v1/query_range} and {@code /loki/api/v1/query} answer a
   * log selector:
   *
   * <pre>{@code
   * {"status":"success","data":{"resultType":"streams",
   *   "result":[{"stream":{"app":"api"},"values":[["1700000000000000000","a line"]]}],
   *   "stats":{"summary":{...}}}}
   * }</pre>
   *
   * Timestamps are nanoseconds as decimal strings, as Loki writes them (a JSON number would lose
   * precision in JavaScript clients).
   */
  public static void writeStreams(OutputStream out, List<LokiStream> streams, LokiStats stats)
      throws IOException {
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("status", "success");
      json.writeObjectFieldStart("data");
      json.writeStringField("resultType", "streams");
      json.writeArrayFieldStart("result");
      for (LokiStream stream : streams) {
        writeStream(json, stream);
      }
      json.writeEndArray();
      json.writeObjectFieldStart("stats");
      writeSummary(json, stats);
      json.writeEndObject();
      json.writeEndObject();
      json.writeEndObject();
    }
  }

  /**
   * An error body with the HTTP status code and a message for the user: {@code
   * {"code":400,"message":"...","status":"error"}}. Grafana's Loki data source shows the {@code
   * message} field of a JSON error body (and the whole body when it is not JSON, which is what Loki
   * 3 itself sends for query errors: the message as {@code text/plain}).
   */
  public static void writeError(OutputStream out, int code, String message) throws IOException {
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeNumberField("code", code);
      json.writeStringField("message", message);
      json.writeStringField("status", "error");
      json.writeEndObject();
    }
  }

  private static void writeStream(JsonGenerator json, LokiStream stream) throws IOException {
    json.writeStartObject();
    json.writeObjectFieldStart("stream");
    for (Map.Entry<String, String> label : stream.labels().entrySet()) {
      json.writeStringField(label.getKey(), label.getValue());
    }
    json.writeEndObject();
    json.writeArrayFieldStart("values");
    for (LokiEntry entry : stream.entries()) {
      json.writeStartArray();
      json.writeString(Long.toString(entry.timestampNanos()));
      json.writeString(entry.line());
      json.writeEndArray();
    }
    json.writeEndArray();
    json.writeEndObject();
  }

  private static void writeSummary(JsonGenerator json, LokiStats stats) throws IOException {
    json.writeObjectFieldStart("summary");
    json.writeNumberField("bytesProcessedPerSecond", stats.bytesProcessedPerSecond());
    json.writeNumberField("linesProcessedPerSecond", stats.linesProcessedPerSecond());
    json.writeNumberField("totalBytesProcessed", stats.totalBytesProcessed());
    json.writeNumberField("totalLinesProcessed", stats.totalLinesProcessed());
    json.writeNumberField("execTime", stats.execTimeSeconds());
    json.writeNumberField("queueTime", stats.queueTimeSeconds());
    json.writeNumberField("totalEntriesReturned", stats.totalEntriesReturned());
    json.writeEndObject();
  }

  /**
   * A one-sample instant result: {@code {"resultType":"vector","result":[{"metric":{},
   * "value":[<seconds>,"<value>"]}]}} (an empty result when {@code present} is false), or, for a
   * scalar, {@code {"resultType":"scalar","result":[<seconds>,"<value>"]}}. Values are printed
   * as Prometheus prints floats ({@code 2}, {@code 0.5}, {@code NaN}, {@code +Inf}).
   */
  public static void writeInstant(
      OutputStream out, boolean scalar, boolean present, long timeNanos, double value)
      throws IOException {
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("status", "success");
      json.writeObjectFieldStart("data");
      json.writeStringField("resultType", scalar ? "scalar" : "vector");
      json.writeFieldName("result");
      if (scalar) {
        writePoint(json, timeNanos, value);
      } else {
        json.writeStartArray();
        if (present) {
          json.writeStartObject();
          json.writeObjectFieldStart("metric");
          json.writeEndObject();
          json.writeFieldName("value");
          writePoint(json, timeNanos, value);
          json.writeEndObject();
        }
        json.writeEndArray();
      }
      json.writeEndObject();
      json.writeEndObject();
    }
  }

  /**
   * A metric query's answer: {@code matrix} (range queries) with a {@code values} array per
   * series, or {@code vector} (instant queries) with one {@code value} per series, each point
   * {@code [seconds, "value"]}, plus the query's {@code stats}.
   */
  public static void writeSamples(
      OutputStream out, boolean matrix, List<LokiSeries> series, LokiStats stats)
      throws IOException {
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("status", "success");
      json.writeObjectFieldStart("data");
      json.writeStringField("resultType", matrix ? "matrix" : "vector");
      json.writeArrayFieldStart("result");
      for (LokiSeries s : series) {
        json.writeStartObject();
        json.writeObjectFieldStart("metric");
        for (var label : s.metric().entrySet()) {
          json.writeStringField(label.getKey(), label.getValue());
        }
        json.writeEndObject();
        if (matrix) {
          json.writeArrayFieldStart("values");
          for (int i = 0; i < s.timesMillis().length; i++) {
            writePoint(json, s.timesMillis()[i] * 1_000_000, s.values()[i]);
          }
          json.writeEndArray();
        } else {
          json.writeFieldName("value");
          writePoint(json, s.timesMillis()[0] * 1_000_000, s.values()[0]);
        }
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeObjectFieldStart("stats");
      writeSummary(json, stats);
      json.writeEndObject();
      json.writeEndObject();
      json.writeEndObject();
    }
  }

  /** A metric query whose value is a scalar: {@code "result": [seconds, "value"]}. */
  public static void writeScalar(OutputStream out, long timeMillis, double value, LokiStats stats)
      throws IOException {
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("status", "success");
      json.writeObjectFieldStart("data");
      json.writeStringField("resultType", "scalar");
      json.writeFieldName("result");
      writePoint(json, timeMillis * 1_000_000, value);
      json.writeObjectFieldStart("stats");
      writeSummary(json, stats);
      json.writeEndObject();
      json.writeEndObject();
      json.writeEndObject();
    }
  }

  private static void writePoint(JsonGenerator json, long timeNanos, double value)
      throws IOException {
    json.writeStartArray();
    // Seconds with millisecond precision, a JSON number, as Loki and Prometheus write them.
    json.writeNumber(
        new java.math.BigDecimal(timeNanos / 1_000_000).movePointLeft(3).stripTrailingZeros()
            .toPlainString());
    json.writeString(formatSample(value));
    json.writeEndArray();
  }

  /** A sample value as Go's {@code strconv.FormatFloat(v, 'f', -1, 64)}. */
  public static String formatSample(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    if (value == 0) {
      return 1 / value < 0 ? "-0" : "0";
    }
    return new java.math.BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
  }
}
