package io.icegate.tck;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * OTLP/HTTP logs request bodies written without the SDK: protobuf from the opentelemetry-proto
 * messages, and OTLP/JSON by hand (string int64s, integer enums), one resource with {@code
 * service.name} per body.
 */
final class OtlpBodies {
  private static final ObjectMapper JSON = new ObjectMapper();

  private OtlpBodies() {}

  static byte[] protobuf(String service, List<SentLine> lines) {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (SentLine line : lines) {
      scope.addLogRecords(
          LogRecord.newBuilder()
              .setTimeUnixNano(line.timeNanos())
              .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_INFO)
              .setSeverityText("INFO")
              .setBody(AnyValue.newBuilder().setStringValue(line.line())));
    }
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(
                            KeyValue.newBuilder()
                                .setKey("service.name")
                                .setValue(AnyValue.newBuilder().setStringValue(service))))
                .addScopeLogs(scope))
        .build()
        .toByteArray();
  }

  static byte[] json(String service, List<SentLine> lines) {
    return json(jsonRequest(service, lines));
  }

  /** The OTLP/JSON document for one service; tests add to it before encoding. */
  static ObjectNode jsonRequest(String service, List<SentLine> lines) {
    ObjectNode request = JSON.createObjectNode();
    ObjectNode resourceLogs = request.putArray("resourceLogs").addObject();
    resourceLogs
        .putObject("resource")
        .putArray("attributes")
        .add(stringAttribute("service.name", service));
    ArrayNode records = resourceLogs.putArray("scopeLogs").addObject().putArray("logRecords");
    for (SentLine line : lines) {
      ObjectNode record = records.addObject();
      record.put("timeUnixNano", Long.toString(line.timeNanos()));
      record.put("severityNumber", 9);
      record.put("severityText", "INFO");
      record.putObject("body").put("stringValue", line.line());
    }
    return request;
  }

  static ObjectNode stringAttribute(String key, String value) {
    ObjectNode attribute = JSON.createObjectNode();
    attribute.put("key", key);
    attribute.putObject("value").put("stringValue", value);
    return attribute;
  }

  static byte[] json(ObjectNode document) {
    try {
      return JSON.writeValueAsBytes(document);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
