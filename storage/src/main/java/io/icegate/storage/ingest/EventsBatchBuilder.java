package io.icegate.storage.ingest;

import io.icegate.protocol.loki.LokiOtlpLabels;
import io.icegate.storage.table.ArrowSchemas;
import io.icegate.storage.table.EventsTable;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.util.List;
import java.util.SortedMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The {@code events} rows of an OTLP logs request: one per log record that carries an event name
 * — the LogRecord's {@code event_name} field, or (as SDKs sent it before that field existed) an
 * {@code event.name} attribute. Such records are written to {@code logs} as well, by {@link
 * LogsBatchBuilder}, so the ingest path appends both batches; each table deduplicates the
 * request on its own.
 *
 * <p>Takes exactly the records {@link LogsBatchBuilder} accepts and rejects none itself: the
 * partial-success answer is the logs builder's, so a bad record is reported once. Most requests
 * hold no event: the caller closes an empty batch instead of appending it (a WAL segment of no
 * rows would only cost a write).
 */
public final class EventsBatchBuilder {
  /** The events table as Arrow sees it; the WAL writes batches of exactly this shape. */
  public static final Schema ARROW_SCHEMA = ArrowSchemas.of(EventsTable.SCHEMA);

  /** The attribute older SDKs put the event name in. */
  public static final String EVENT_NAME_ATTRIBUTE = "event.name";

  /** The attribute that names an event's domain, where a sender still sets it. */
  public static final String EVENT_DOMAIN_ATTRIBUTE = "event.domain";

  private EventsBatchBuilder() {}

  /** The record's event name, or null if it is not an event. */
  public static String eventName(LogRecord record) {
    if (!record.getEventName().isEmpty()) {
      return record.getEventName();
    }
    String attribute =
        AttributeFlattener.stringValue(record.getAttributesList(), EVENT_NAME_ATTRIBUTE);
    return attribute == null || attribute.isEmpty() ? null : attribute;
  }

  /** True if some record of {@code request} is an event: only then is a batch worth building. */
  public static boolean anyEvent(ExportLogsServiceRequest request) {
    for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
      for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
        for (LogRecord record : scopeLogs.getLogRecordsList()) {
          if (eventName(record) != null) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Builds the batch for {@code tenant} (possibly empty); {@code nowNanos} stamps ingestion. */
  public static BatchResult build(
      ExportLogsServiceRequest request, String tenant, long nowNanos,
      BufferAllocator allocator) {
    try (RowWriter w = new RowWriter(ARROW_SCHEMA, allocator)) {
      for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
        List<KeyValue> resource = resourceLogs.getResource().getAttributesList();
        SortedMap<String, String> resourceMap = null;
        // The same service name as the record's logs row: its stream's service_name label.
        String service =
            LokiOtlpLabels.streamLabels(resource).get(LokiOtlpLabels.SERVICE_NAME_LABEL);
        for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
          InstrumentationScope scope = scopeLogs.getScope();
          SortedMap<String, String> scopeMap = null;
          for (LogRecord record : scopeLogs.getLogRecordsList()) {
            String name = eventName(record);
            if (name == null || LogsBatchBuilder.validate(record) != null) {
              continue;
            }
            if (resourceMap == null) {
              resourceMap = AttributeFlattener.flatten(resource);
            }
            if (scopeMap == null) {
              scopeMap = AttributeFlattener.flatten(scope.getAttributesList());
            }
            long observed = record.getObservedTimeUnixNano();
            long time = record.getTimeUnixNano();
            long effective = time != 0 ? time : observed != 0 ? observed : nowNanos;
            w.set(EventsTable.TENANT_ID, tenant);
            w.set(EventsTable.SERVICE_NAME, service);
            w.set(EventsTable.TIMESTAMP, effective);
            w.set(EventsTable.OBSERVED_TIMESTAMP, observed != 0 ? observed : effective);
            w.set(EventsTable.INGESTED_TIMESTAMP, nowNanos);
            w.set(
                EventsTable.EVENT_DOMAIN,
                emptyToNull(
                    AttributeFlattener.stringValue(
                        record.getAttributesList(), EVENT_DOMAIN_ATTRIBUTE)));
            w.set(EventsTable.EVENT_NAME, name);
            w.set(
                EventsTable.TRACE_ID,
                record.getTraceId().isEmpty() ? null : record.getTraceId().toByteArray());
            w.set(
                EventsTable.SPAN_ID,
                record.getSpanId().isEmpty() ? null : record.getSpanId().toByteArray());
            w.set(EventsTable.RESOURCE_ATTRIBUTES, resourceMap);
            w.set(EventsTable.SCOPE_ATTRIBUTES, scopeMap);
            w.set(
                EventsTable.LOG_ATTRIBUTES,
                AttributeFlattener.flatten(record.getAttributesList()));
            w.set(
                EventsTable.SEVERITY_NUMBER,
                record.getSeverityNumberValue() == 0 ? null : record.getSeverityNumberValue());
            w.set(EventsTable.SEVERITY_TEXT, emptyToNull(record.getSeverityText()));
            w.set(
                EventsTable.BODY,
                record.hasBody() ? AttributeFlattener.bodyText(record.getBody()) : null);
            w.set(EventsTable.FLAGS, record.getFlags());
            w.set(EventsTable.SCOPE_NAME, emptyToNull(scope.getName()));
            w.set(EventsTable.SCOPE_VERSION, emptyToNull(scope.getVersion()));
            w.set(EventsTable.DROPPED_ATTRIBUTES_COUNT, record.getDroppedAttributesCount());
            w.endRow();
          }
        }
      }
      return w.finish();
    }
  }

  private static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }
}
