package io.icegate.tck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Loki API answer: the HTTP status, and the body parsed as JSON (null if it is not JSON). Log
 * query results are read back into {@link Entry} values, stream by stream in the order the server
 * sent them.
 */
record LokiResponse(int status, String contentType, String rawBody, JsonNode json) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** One log line as Loki returns it: its stream's labels, its time and its text. */
  record Entry(Map<String, String> labels, long timeNanos, String line) {}

  static LokiResponse of(int status, String contentType, byte[] body) {
    String raw = new String(body, StandardCharsets.UTF_8);
    JsonNode json;
    try {
      json = MAPPER.readTree(body);
    } catch (IOException e) {
      json = null;
    }
    return new LokiResponse(status, contentType, raw, json);
  }

  /** Every entry of a {@code streams} result, stream by stream, each stream in the sent order. */
  List<Entry> entries() {
    List<Entry> entries = new ArrayList<>();
    for (JsonNode stream : result()) {
      Map<String, String> labels = labels(stream.get("stream"));
      for (JsonNode value : stream.get("values")) {
        entries.add(
            new Entry(labels, Long.parseLong(value.get(0).asText()), value.get(1).asText()));
      }
    }
    return entries;
  }

  /** The lines of {@link #entries()}, in the same order. */
  List<String> lines() {
    return entries().stream().map(Entry::line).toList();
  }

  /** The label set of each stream in the result. */
  List<Map<String, String>> streams() {
    List<Map<String, String>> streams = new ArrayList<>();
    for (JsonNode stream : result()) {
      streams.add(labels(stream.get("stream")));
    }
    return streams;
  }

  /** {@code data.result}, after checking this is a successful {@code streams} answer. */
  JsonNode result() {
    if (status != 200 || json == null) {
      throw new AssertionError("expected a successful query, got " + status + ": " + rawBody);
    }
    if (!"success".equals(json.path("status").asText())
        || !"streams".equals(json.path("data").path("resultType").asText())) {
      throw new AssertionError("not a Loki streams answer: " + rawBody);
    }
    return json.get("data").get("result");
  }

  private static Map<String, String> labels(JsonNode stream) {
    Map<String, String> labels = new TreeMap<>();
    stream.properties().forEach(f -> labels.put(f.getKey(), f.getValue().asText()));
    return labels;
  }
}
