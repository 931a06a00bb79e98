package io.icegate.storage;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;

/** Small fixtures for OTLP log requests. */
public final class OtlpLogs {
  private OtlpLogs() {}

  public static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  public static LogRecord line(long timeNanos, String body) {
    return LogRecord.newBuilder()
        .setTimeUnixNano(timeNanos)
        .setBody(AnyValue.newBuilder().setStringValue(body))
        .build();
  }

  /** One request for one service with the given records. */
  public static ExportLogsServiceRequest request(String service, LogRecord... records) {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(attr("service.name", service)))
                .addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(java.util.List.of(records))))
        .build();
  }

  public static LogRecord withIds(LogRecord record, byte[] traceId, byte[] spanId) {
    return record.toBuilder()
        .setTraceId(ByteString.copyFrom(traceId))
        .setSpanId(ByteString.copyFrom(spanId))
        .build();
  }
}
