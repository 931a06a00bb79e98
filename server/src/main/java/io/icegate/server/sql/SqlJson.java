package io.icegate.server.sql;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.icegate.engine.sql.SqlColumn;
import io.icegate.engine.sql.SqlResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The JSON of {@code /api/v1/sql}: {@code {"status":"success","columns":[{"name","type"}],
 * "rows":[[…]],"stats":{…}}}, and errors as {@code {"status":"error","errorType","error"}} (the
 * shape of the Prometheus API's errors). Maps are objects, lists arrays, binary hex strings,
 * non-finite doubles the strings {@code NaN}, {@code +Inf}, {@code -Inf}.
 */
final class SqlJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private SqlJson() {}

  static byte[] result(SqlResult result) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("status", "success");
      json.writeArrayFieldStart("columns");
      for (SqlColumn column : result.columns()) {
        json.writeStartObject();
        json.writeStringField("name", column.name());
        json.writeStringField("type", column.typeName());
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeArrayFieldStart("rows");
      for (Object[] row : result.rows()) {
        json.writeStartArray();
        for (Object value : row) {
          value(json, value);
        }
        json.writeEndArray();
      }
      json.writeEndArray();
      json.writeObjectFieldStart("stats");
      json.writeNumberField("rowsScanned", result.stats().rowsScanned());
      json.writeNumberField("bytesScanned", result.stats().bytesScanned());
      json.writeNumberField("filesScanned", result.stats().filesScanned());
      json.writeNumberField("execSeconds", result.execNanos() / 1e9);
      json.writeEndObject();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] error(String errorType, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("status", "error");
      json.writeStringField("errorType", errorType);
      json.writeStringField("error", message);
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A value as JSON; also how JDBC shows maps and lists (as this JSON's text). */
  static void value(JsonGenerator json, Object value) throws IOException {
    if (value == null) {
      json.writeNull();
    } else if (value instanceof Long l) {
      json.writeNumber(l);
    } else if (value instanceof Integer i) {
      json.writeNumber(i);
    } else if (value instanceof Double d) {
      if (d.isNaN()) {
        json.writeString("NaN");
      } else if (d.isInfinite()) {
        json.writeString(d > 0 ? "+Inf" : "-Inf");
      } else {
        json.writeNumber(d);
      }
    } else if (value instanceof Boolean b) {
      json.writeBoolean(b);
    } else if (value instanceof byte[] bytes) {
      json.writeString(HexFormat.of().formatHex(bytes));
    } else if (value instanceof Map<?, ?> map) {
      json.writeStartObject();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        json.writeFieldName(String.valueOf(entry.getKey()));
        value(json, entry.getValue());
      }
      json.writeEndObject();
    } else if (value instanceof List<?> list) {
      json.writeStartArray();
      for (Object element : list) {
        value(json, element);
      }
      json.writeEndArray();
    } else {
      json.writeString(value.toString());
    }
  }

  /** {@code value} (a map or list) as JSON text. */
  static String text(Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      value(json, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }
}
