package io.icegate.server.loki;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.icegate.logql.ast.JsonParser;
import io.icegate.logql.ast.LabelFormat;
import io.icegate.logql.ast.LogfmtParser;
import io.icegate.logql.ast.PatternParser;
import io.icegate.logql.ast.PipelineStage;
import io.icegate.logql.ast.RegexpParser;
import io.icegate.logql.ast.UnpackParser;
import io.icegate.protocol.loki.Direction;
import io.icegate.protocol.loki.LokiEntry;
import io.icegate.protocol.loki.LokiStats;
import io.icegate.protocol.loki.LokiStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A streams answer with Loki's {@code categorize-labels} encoding, which Grafana always asks for
 * ({@code X-Loki-Response-Encoding-Flags: categorize-labels}): {@code encodingFlags} before
 * {@code result}, each stream labelled by its index labels only, and each entry a triple {@code
 * ["<ns>", "<line>", {"structuredMetadata":{...}, "parsed":{...}}]} (empty maps left out).
 *
 * <p>The engine hands back each entry's final label set. The index labels are the stored stream
 * the set extends (the largest stored label set it contains); the labels beyond it are structured
 * metadata when the pipeline has no parser or {@code label_format}, or when they are one of the
 * OTLP record fields Loki stores as metadata ({@code trace_id}, {@code span_id}, {@code
 * severity_text}, {@code severity_number}); otherwise they count as parsed.
 */
final class LokiCategorizedStreams {
  static final String FLAG = "categorize-labels";
  static final String HEADER = "X-Loki-Response-Encoding-Flags";
  private static final JsonFactory JSON = new JsonFactory();
  private static final Set<String> OTLP_METADATA =
      Set.of("trace_id", "span_id", "severity_text", "severity_number");

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

  /** One entry with its categories. */
  record Entry(
      LokiEntry entry, SortedMap<String, String> metadata, SortedMap<String, String> parsed) {}

  /**
   * Regroups {@code streams} by index labels.
   *
   * @param stored the stored streams' label sets, or null when the output labels are the stored
   *     ones (a pipeline of line filters only)
   */
  static Map<SortedMap<String, String>, List<Entry>> categorize(
      List<LokiStream> streams,
      Collection<SortedMap<String, String>> stored,
      List<PipelineStage> pipeline,
      Direction direction) {
    boolean parses = false;
    for (PipelineStage stage : pipeline) {
      if (stage instanceof JsonParser
          || stage instanceof LogfmtParser
          || stage instanceof RegexpParser
          || stage instanceof PatternParser
          || stage instanceof UnpackParser
          || stage instanceof LabelFormat) {
        parses = true;
      }
    }
    boolean parsing = parses;
    Map<SortedMap<String, String>, List<Entry>> out = new LinkedHashMap<>();
    for (LokiStream stream : streams) {
      SortedMap<String, String> labels = stream.labels();
      SortedMap<String, String> index = stored == null ? labels : indexOf(labels, stored);
      SortedMap<String, String> metadata = new TreeMap<>();
      SortedMap<String, String> parsed = new TreeMap<>();
      labels.forEach(
          (k, v) -> {
            if (index.containsKey(k)) {
              return;
            }
            if (!parsing || OTLP_METADATA.contains(k)) {
              metadata.put(k, v);
            } else {
              parsed.put(k, v);
            }
          });
      List<Entry> entries = out.computeIfAbsent(index, k -> new ArrayList<>());
      for (LokiEntry e : stream.entries()) {
        entries.add(new Entry(e, metadata, parsed));
      }
    }
    Comparator<Entry> byTime = Comparator.comparingLong(e -> e.entry().timestampNanos());
    for (List<Entry> entries : out.values()) {
      entries.sort(direction == Direction.FORWARD ? byTime : byTime.reversed());
    }
    return out;
  }

  /** The largest stored label set {@code labels} contains; {@code labels} itself if none. */
  private static SortedMap<String, String> indexOf(
      SortedMap<String, String> labels, Collection<SortedMap<String, String>> stored) {
    SortedMap<String, String> best = null;
    for (SortedMap<String, String> s : stored) {
      if ((best == null || s.size() > best.size()) && contains(labels, s)) {
        best = s;
      }
    }
    return best == null ? labels : best;
  }

  private static boolean contains(Map<String, String> labels, Map<String, String> subset) {
    for (Map.Entry<String, String> e : subset.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  static void write(
      OutputStream out, Map<SortedMap<String, String>, List<Entry>> streams, LokiStats stats)
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
      for (Map.Entry<SortedMap<String, String>, List<Entry>> stream : streams.entrySet()) {
        json.writeStartObject();
        json.writeObjectFieldStart("stream");
        writeLabels(json, stream.getKey());
        json.writeEndObject();
        json.writeArrayFieldStart("values");
        for (Entry e : stream.getValue()) {
          json.writeStartArray();
          json.writeString(Long.toString(e.entry().timestampNanos()));
          json.writeString(e.entry().line());
          json.writeStartObject();
          if (!e.metadata().isEmpty()) {
            json.writeObjectFieldStart("structuredMetadata");
            writeLabels(json, e.metadata());
            json.writeEndObject();
          }
          if (!e.parsed().isEmpty()) {
            json.writeObjectFieldStart("parsed");
            writeLabels(json, e.parsed());
            json.writeEndObject();
          }
          json.writeEndObject();
          json.writeEndArray();
        }
        json.writeEndArray();
        json.writeEndObject();
      }
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

  private static void writeLabels(JsonGenerator json, Map<String, String> labels)
      throws IOException {
    for (Map.Entry<String, String> l : labels.entrySet()) {
      json.writeStringField(l.getKey(), l.getValue());
    }
  }
}
