package io.icegate.protocol.loki;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Bodies of Loki's metadata endpoints: {@code /labels} and {@code /label/<name>/values} answer
 * {@code {"status":"success","data":["a","b"]}}, {@code /series} answers
 * {@code {"status":"success","data":[{"label":"value"},...]}}; {@code /format_query} answers
 * {@code {"status":"success","data":"<query>"}}.
 */
public final class LokiMetadataJson {
  private static final JsonFactory JSON =
      JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();

  private LokiMetadataJson() {}

  public static void writeStrings(OutputStream out, List<String> values) throws IOException {
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("status", "success");
      json.writeArrayFieldStart("data");
      for (String value : values) {
        json.writeString(value);
      }
      json.writeEndArray();
      json.writeEndObject();
    }
  }

  public static void writeSeries(OutputStream out, List<SortedMap<String, String>> series)
      throws IOException {
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("status", "success");
      json.writeArrayFieldStart("data");
      for (SortedMap<String, String> labels : series) {
        json.writeStartObject();
        for (Map.Entry<String, String> label : labels.entrySet()) {
          json.writeStringField(label.getKey(), label.getValue());
        }
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    }
  }

  public static void writeString(OutputStream out, String value) throws IOException {
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("status", "success");
      json.writeStringField("data", value);
      json.writeEndObject();
    }
  }
}
