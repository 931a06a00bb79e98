package io.icegate.storage.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.icegate.protocol.loki.LabelSetCodec;
import io.icegate.protocol.loki.LokiOtlpLabels;
import io.icegate.storage.table.LogsTable;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.util.List;
import java.util.SortedMap;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.types.pojo.Schema;
import io.icegate.storage.table.ArrowSchemas;

/**
 * Turns an OTLP logs request into one Arrow batch in the {@code logs} table's schema.
 *
 * <p>Records the OTLP spec calls invalid (trace or span ids of the wrong length) are rejected one
 * by one and counted, for the partial-success answer; the rest are kept whole: every attribute at
 * every level, the scope, severity, flags and both timestamps at nanosecond precision.
 */
public final class LogsBatchBuilder {
  /** The logs table as Arrow sees it; the WAL writes batches of exactly this shape. */
  public static final Schema ARROW_SCHEMA = ArrowSchemas.of(LogsTable.SCHEMA);

  /**
   * The batch (owned by the caller), what was rejected from the request, and whether some record
   * is an event ({@link EventsBatchBuilder#eventName}), so a caller storing events too needs no
   * second pass over the request to find out.
   */
  public record Result(
      VectorSchemaRoot batch, int rejected, String rejectionMessage, boolean anyEvent) {
    public Result(VectorSchemaRoot batch, int rejected, String rejectionMessage) {
      this(batch, rejected, rejectionMessage, false);
    }
  }

  private LogsBatchBuilder() {}

  /** Builds the batch for {@code tenant}; {@code nowNanos} stamps ingested_timestamp. */
  public static Result build(
      ExportLogsServiceRequest request, String tenant, long nowNanos, BufferAllocator allocator) {
    VectorSchemaRoot root = VectorSchemaRoot.create(ARROW_SCHEMA, allocator);
    try {
      root.allocateNew();
      Columns c = new Columns(root);
      byte[] tenantBytes = tenant.getBytes(UTF_8);
      int row = 0;
      int rejected = 0;
      String firstRejection = null;
      boolean anyEvent = false;
      for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
        List<KeyValue> resource = resourceLogs.getResource().getAttributesList();
        SortedMap<String, String> labels = LokiOtlpLabels.streamLabels(resource);
        byte[] streamLabels = LabelSetCodec.encode(labels).getBytes(UTF_8);
        // The promoted column holds the stream's service_name label (service.name, or what
        // Loki's mapping derived without it), so a query may test either one.
        String serviceName = labels.get(LokiOtlpLabels.SERVICE_NAME_LABEL);
        byte[] service = serviceName == null ? null : serviceName.getBytes(UTF_8);
        AttributeColumn.Encoded resourceMap = AttributeColumn.Encoded.of(resource);
        for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
          var scope = scopeLogs.getScope();
          AttributeColumn.Encoded scopeMap = AttributeColumn.Encoded.of(scope.getAttributesList());
          byte[] scopeName = emptyToNull(scope.getName());
          byte[] scopeVersion = emptyToNull(scope.getVersion());
          for (LogRecord record : scopeLogs.getLogRecordsList()) {
            if (!anyEvent && EventsBatchBuilder.eventName(record) != null) {
              anyEvent = true;
            }
            String problem = validate(record);
            if (problem != null) {
              rejected++;
              firstRejection = firstRejection == null ? problem : firstRejection;
              continue;
            }
            long observed = record.getObservedTimeUnixNano();
            long time = record.getTimeUnixNano();
            // Loki and the OTLP data model: a record without a time is placed at its observed
            // time, and one with neither at the moment we received it.
            long effective = time != 0 ? time : observed != 0 ? observed : nowNanos;
            c.tenant.setSafe(row, tenantBytes);
            setOrNull(c.service, row, service);
            c.timestamp.setSafe(row, effective);
            c.observed.setSafe(row, observed != 0 ? observed : effective);
            c.ingested.setSafe(row, nowNanos);
            if (record.getTraceId().isEmpty()) {
              c.traceId.setNull(row);
            } else {
              c.traceId.setSafe(row, record.getTraceId().toByteArray());
            }
            if (record.getSpanId().isEmpty()) {
              c.spanId.setNull(row);
            } else {
              c.spanId.setSafe(row, record.getSpanId().toByteArray());
            }
            if (record.getSeverityText().isEmpty()) {
              c.severityText.setNull(row);
            } else {
              AttributeColumn.set(c.severityText, row, record.getSeverityTextBytes());
            }
            AnyValue body = record.getBody();
            if (body.getValueCase() == AnyValue.ValueCase.STRING_VALUE) {
              AttributeColumn.set(c.body, row, body.getStringValueBytes());
            } else {
              c.body.setSafe(row, AttributeFlattener.bodyText(body).getBytes(UTF_8));
            }
            c.resourceAttributes.write(row, resourceMap);
            c.scopeAttributes.write(row, scopeMap);
            c.logAttributes.write(row, record.getAttributesList());
            if (record.getSeverityNumberValue() == 0) {
              c.severityNumber.setNull(row);
            } else {
              c.severityNumber.setSafe(row, record.getSeverityNumberValue());
            }
            c.flags.setSafe(row, record.getFlags());
            setOrNull(c.scopeName, row, scopeName);
            setOrNull(c.scopeVersion, row, scopeVersion);
            setOrNull(c.eventName, row, emptyToNull(record.getEventName()));
            c.droppedAttributes.setSafe(row, record.getDroppedAttributesCount());
            c.streamLabels.setSafe(row, streamLabels);
            row++;
          }
        }
      }
      c.resourceAttributes.finish();
      c.scopeAttributes.finish();
      c.logAttributes.finish();
      root.setRowCount(row);
      return new Result(root, rejected, firstRejection, anyEvent);
    } catch (RuntimeException | Error e) {
      root.close();
      throw e;
    }
  }

  static String validate(LogRecord record) {
    return idProblem(record.getTraceId().size(), record.getSpanId().size());
  }

  /** Why ids of these lengths make a record invalid, or null; shared with the wire reader. */
  static String idProblem(int traceId, int spanId) {
    if (traceId != 0 && traceId != 16) {
      return "log record has a trace id of " + traceId + " bytes; OTLP requires 16";
    }
    if (spanId != 0 && spanId != 8) {
      return "log record has a span id of " + spanId + " bytes; OTLP requires 8";
    }
    return null;
  }

  private static byte[] emptyToNull(String value) {
    return value.isEmpty() ? null : value.getBytes(UTF_8);
  }

  private static void setOrNull(VarCharVector vector, int row, byte[] value) {
    if (value == null) {
      vector.setNull(row);
    } else {
      vector.setSafe(row, value);
    }
  }

  /** Typed handles on the batch's columns, looked up once per request. */
  private static final class Columns {
    final VarCharVector tenant;
    final VarCharVector service;
    final TimeStampVector timestamp;
    final TimeStampVector observed;
    final TimeStampVector ingested;
    final FixedSizeBinaryVector traceId;
    final FixedSizeBinaryVector spanId;
    final VarCharVector severityText;
    final VarCharVector body;
    final AttributeColumn resourceAttributes;
    final AttributeColumn scopeAttributes;
    final AttributeColumn logAttributes;
    final IntVector severityNumber;
    final IntVector flags;
    final VarCharVector scopeName;
    final VarCharVector scopeVersion;
    final VarCharVector eventName;
    final IntVector droppedAttributes;
    final VarCharVector streamLabels;

    Columns(VectorSchemaRoot root) {
      tenant = (VarCharVector) root.getVector(LogsTable.TENANT_ID);
      service = (VarCharVector) root.getVector(LogsTable.SERVICE_NAME);
      timestamp = (TimeStampVector) root.getVector(LogsTable.TIMESTAMP);
      observed = (TimeStampVector) root.getVector(LogsTable.OBSERVED_TIMESTAMP);
      ingested = (TimeStampVector) root.getVector(LogsTable.INGESTED_TIMESTAMP);
      traceId = (FixedSizeBinaryVector) root.getVector(LogsTable.TRACE_ID);
      spanId = (FixedSizeBinaryVector) root.getVector(LogsTable.SPAN_ID);
      severityText = (VarCharVector) root.getVector(LogsTable.SEVERITY_TEXT);
      body = (VarCharVector) root.getVector(LogsTable.BODY);
      resourceAttributes = new AttributeColumn((MapVector) root.getVector(LogsTable.RESOURCE_ATTRIBUTES));
      scopeAttributes = new AttributeColumn((MapVector) root.getVector(LogsTable.SCOPE_ATTRIBUTES));
      logAttributes = new AttributeColumn((MapVector) root.getVector(LogsTable.LOG_ATTRIBUTES));
      severityNumber = (IntVector) root.getVector(LogsTable.SEVERITY_NUMBER);
      flags = (IntVector) root.getVector(LogsTable.FLAGS);
      scopeName = (VarCharVector) root.getVector(LogsTable.SCOPE_NAME);
      scopeVersion = (VarCharVector) root.getVector(LogsTable.SCOPE_VERSION);
      eventName = (VarCharVector) root.getVector(LogsTable.EVENT_NAME);
      droppedAttributes = (IntVector) root.getVector(LogsTable.DROPPED_ATTRIBUTES_COUNT);
      streamLabels = (VarCharVector) root.getVector(LogsTable.STREAM_LABELS);
    }
  }

}
