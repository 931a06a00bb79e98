package io.icegate.server.loki;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.icegate.engine.logql.LogQueryResult;
import io.icegate.protocol.loki.LokiStats;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * A streams answer with Loki's {@code categorize-labels} encoding, which Grafana always asks for
 * ({@code X-Loki-Response-Encoding-Flags: categorize-labels}): {@code encodingFlags} before
 * {@code result}, each stream labelled by its index labels only, and each entry a triple {@code
 * ["<ns>", "<line>", {"structuredMetadata":{...}, "parsed":{...}}]} (empty maps left out).
 *
 * <p>The engine hands back each entry's labels split by origin, as Loki's pipeline splits them
 * ({@link LogQueryResult#byStreamLabels}): entries are grouped by their stream labels, and each
 * entry carries its own structured metadata and parsed labels.
 */
final class LokiCategorizedStreams {
  static final String FLAG = "categorize-labels";
  static final String HEADER = "X-Loki-Response-Encoding-Flags";
  private static final JsonFactory JSON = new JsonFactory();

  private LokiCategorizedStreams() {}

  /** Whether the request asks for categorized labels (the header is a comma-separated list). */
  static boolean requested(String header) {
    if (header == null) {
      return false;
    }
    for (String flag : header.split(",")) {
      if (flag.trim().equalsIgnoreCase(FLAG)) {
        return true;
      }
    }
    return false;
  }

  static void write(
      OutputStream out,
      Map<SortedMap<String, String>, List<LogQueryResult.Row>> streams,
      LokiStats stats)
      throws IOException {
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("status", "success");
      json.writeObjectFieldStart("data");
      json.writeStringField("resultType", "streams");
      json.writeArrayFieldStart("encodingFlags");
      json.writeString(FLAG);
      json.writeEndArray();
      json.writeArrayFieldStart("result");
      writeStreams(json, streams);
      json.writeEndArray();
      json.writeObjectFieldStart("stats");
      json.writeObjectFieldStart("summary");
      json.writeNumberField("bytesProcessedPerSecond", stats.bytesProcessedPerSecond());
      json.writeNumberField("linesProcessedPerSecond", stats.linesProcessedPerSecond());
      json.writeNumberField("totalBytesProcessed", stats.totalBytesProcessed());
      json.writeNumberField("totalLinesProcessed", stats.totalLinesProcessed());
      json.writeNumberField("execTime", stats.execTimeSeconds());
      json.writeNumberField("queueTime", stats.queueTimeSeconds());
      json.writeNumberField("totalEntriesReturned", stats.totalEntriesReturned());
      json.writeEndObject();
      json.writeEndObject();
      json.writeEndObject();
      json.writeEndObject();
    }
  }

  /**
   * The streams of a categorized answer, each labelled with its stream labels only and each entry
   * {@code ["<ns>","<line>",{"structuredMetadata":{…},"parsed":{…}}]} (empty maps left out): the
   * elements of a query answer's {@code result} and of a tail frame's {@code streams}.
   */
  static void writeStreams(
      JsonGenerator json, Map<SortedMap<String, String>, List<LogQueryResult.Row>> streams)
      throws IOException {
    for (Map.Entry<SortedMap<String, String>, List<LogQueryResult.Row>> stream :
        streams.entrySet()) {
      json.writeStartObject();
      json.writeObjectFieldStart("stream");
      writeLabels(json, stream.getKey());
      json.writeEndObject();
      json.writeArrayFieldStart("values");
      for (LogQueryResult.Row e : stream.getValue()) {
        json.writeStartArray();
        json.writeString(Long.toString(e.entry().timestampNanos()));
        json.writeString(e.entry().line());
        json.writeStartObject();
        if (!e.labels().structuredMetadata().isEmpty()) {
          json.writeObjectFieldStart("structuredMetadata");
          writeLabels(json, e.labels().structuredMetadata());
          json.writeEndObject();
        }
        if (!e.labels().parsed().isEmpty()) {
          json.writeObjectFieldStart("parsed");
          writeLabels(json, e.labels().parsed());
          json.writeEndObject();
        }
        json.writeEndObject();
        json.writeEndArray();
      }
      json.writeEndArray();
      json.writeEndObject();
    }
  }

  private static void writeLabels(JsonGenerator json, Map<String, String> labels)
      throws IOException {
    for (Map.Entry<String, String> l : labels.entrySet()) {
      json.writeStringField(l.getKey(), l.getValue());
    }
  }
}
