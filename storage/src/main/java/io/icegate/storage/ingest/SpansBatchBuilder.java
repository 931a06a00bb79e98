package io.icegate.storage.ingest;

import com.google.protobuf.ByteString;
import io.icegate.storage.table.ArrowSchemas;
import io.icegate.storage.table.SpansTable;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Turns an OTLP traces request into one Arrow batch in the {@code spans} table's schema: every
 * field of every span, its events and links nested in the row, attributes at every level.
 *
 * <p>A span the OTLP spec calls invalid — a trace id that is not 16 bytes or is all zeros, a span
 * id that is not 8 bytes or is all zeros, a parent or link id of the wrong length, no start time,
 * an end before the start — is rejected whole, with the reason, for the partial-success answer.
 * An all-zero parent span id means "no parent", as several SDKs send it, and is stored as null.
 */
public final class SpansBatchBuilder {
  /** The spans table as Arrow sees it; the WAL writes batches of exactly this shape. */
  public static final Schema ARROW_SCHEMA = ArrowSchemas.of(SpansTable.SCHEMA);

  private SpansBatchBuilder() {}

  /** Builds the batch for {@code tenant}; {@code nowNanos} stamps ingested_timestamp. */
  public static BatchResult build(
      ExportTraceServiceRequest request, String tenant, long nowNanos,
      BufferAllocator allocator) {
    try (RowWriter w = new RowWriter(ARROW_SCHEMA, allocator)) {
      for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
        List<KeyValue> resource = resourceSpans.getResource().getAttributesList();
        SortedMap<String, String> resourceMap = AttributeFlattener.flatten(resource);
        String service = AttributeFlattener.stringValue(resource, "service.name");
        for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
          InstrumentationScope scope = scopeSpans.getScope();
          SortedMap<String, String> scopeMap =
              AttributeFlattener.flatten(scope.getAttributesList());
          for (Span span : scopeSpans.getSpansList()) {
            String problem = validate(span);
            if (problem != null) {
              w.reject(1, problem);
              continue;
            }
            long start = span.getStartTimeUnixNano();
            long end = span.getEndTimeUnixNano();
            w.set(SpansTable.TENANT_ID, tenant);
            w.set(SpansTable.SERVICE_NAME, service);
            w.set(SpansTable.TRACE_ID, span.getTraceId().toByteArray());
            w.set(SpansTable.SPAN_ID, span.getSpanId().toByteArray());
            w.set(
                SpansTable.PARENT_SPAN_ID,
                isZero(span.getParentSpanId()) ? null : span.getParentSpanId().toByteArray());
            w.set(SpansTable.TIMESTAMP, start);
            w.set(SpansTable.END_TIMESTAMP, end);
            w.set(SpansTable.INGESTED_TIMESTAMP, nowNanos);
            w.set(SpansTable.DURATION_NANOS, end - start);
            w.set(SpansTable.TRACE_STATE, emptyToNull(span.getTraceState()));
            w.set(SpansTable.NAME_COLUMN, span.getName());
            w.set(SpansTable.KIND, span.getKindValue());
            w.set(SpansTable.STATUS_CODE, span.getStatus().getCodeValue());
            w.set(SpansTable.STATUS_MESSAGE, emptyToNull(span.getStatus().getMessage()));
            w.set(SpansTable.RESOURCE_ATTRIBUTES, resourceMap);
            w.set(SpansTable.FLAGS, span.getFlags());
            w.set(SpansTable.DROPPED_ATTRIBUTES_COUNT, span.getDroppedAttributesCount());
            w.set(SpansTable.DROPPED_EVENTS_COUNT, span.getDroppedEventsCount());
            w.set(SpansTable.DROPPED_LINKS_COUNT, span.getDroppedLinksCount());
            w.set(SpansTable.EVENTS, events(span));
            w.set(SpansTable.LINKS, links(span));
            w.set(SpansTable.SPAN_ATTRIBUTES, AttributeFlattener.flatten(span.getAttributesList()));
            w.set(SpansTable.SCOPE_ATTRIBUTES, scopeMap);
            w.set(SpansTable.SCOPE_NAME, emptyToNull(scope.getName()));
            w.set(SpansTable.SCOPE_VERSION, emptyToNull(scope.getVersion()));
            w.endRow();
          }
        }
      }
      return w.finish();
    }
  }

  private static List<Object> events(Span span) {
    List<Object> events = new ArrayList<>(span.getEventsCount());
    for (Span.Event event : span.getEventsList()) {
      events.add(
          RowWriter.struct(
              event.getTimeUnixNano(),
              event.getName(),
              AttributeFlattener.flatten(event.getAttributesList()),
              event.getDroppedAttributesCount()));
    }
    return events;
  }

  private static List<Object> links(Span span) {
    List<Object> links = new ArrayList<>(span.getLinksCount());
    for (Span.Link link : span.getLinksList()) {
      links.add(
          RowWriter.struct(
              link.getTraceId().toByteArray(),
              link.getSpanId().toByteArray(),
              emptyToNull(link.getTraceState()),
              AttributeFlattener.flatten(link.getAttributesList()),
              link.getDroppedAttributesCount(),
              link.getFlags()));
    }
    return links;
  }

  /** Why the span cannot be stored, or null if it can. */
  static String validate(Span span) {
    String problem = checkId("span", "trace", span.getTraceId(), 16);
    if (problem == null) {
      problem = checkId("span", "span", span.getSpanId(), 8);
    }
    if (problem != null) {
      return problem;
    }
    int parent = span.getParentSpanId().size();
    if (parent != 0 && parent != 8) {
      return "span has a parent span id of " + parent + " bytes; OTLP requires 8";
    }
    if (span.getStartTimeUnixNano() == 0) {
      return "span has no start time";
    }
    if (Long.compareUnsigned(span.getEndTimeUnixNano(), span.getStartTimeUnixNano()) < 0) {
      return "span ends before it starts";
    }
    for (int i = 0; i < span.getLinksCount(); i++) {
      Span.Link link = span.getLinks(i);
      problem = checkId("link " + i + " of a span", "trace", link.getTraceId(), 16);
      if (problem == null) {
        problem = checkId("link " + i + " of a span", "span", link.getSpanId(), 8);
      }
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static String checkId(String what, String kind, ByteString id, int length) {
    if (id.size() != length) {
      return what + " has a " + kind + " id of " + id.size() + " bytes; OTLP requires " + length;
    }
    if (isZero(id)) {
      return what + " has an all-zero " + kind + " id, which OTLP declares invalid";
    }
    return null;
  }

  private static boolean isZero(ByteString id) {
    for (int i = 0; i < id.size(); i++) {
      if (id.byteAt(i) != 0) {
        return false;
      }
    }
    return true;
  }

  private static String emptyToNull(String value) {
    return value.isEmpty() ? null : value;
  }
}
