package io.icegate.storage.ingest;

import io.icegate.protocol.loki.LabelSetCodec;
import io.icegate.protocol.loki.LokiOtlpLabels;
import io.icegate.protocol.loki.LokiPushRequest;
import io.icegate.storage.table.LogsTable;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Turns a decoded Loki push ({@code POST /loki/api/v1/push}) into one Arrow batch in the {@code
 * logs} table's schema, the same shape {@link LogsBatchBuilder} makes from OTLP, so pushed and
 * OTLP lines are queried alike:
 *
 * <ul>
 *   <li>{@code stream_labels} is the pushed label set in canonical form ({@link LabelSetCodec}),
 *       the decoder having already parsed it, dropped empty values and discovered {@code
 *       service_name}; the labels are also kept as {@code resource_attributes} (they describe
 *       the source, as a resource does);
 *   <li>{@code service_name} is the {@code service_name} label, or {@code unknown_service};
 *   <li>structured metadata goes to {@code log_attributes}; a {@code trace_id} / {@code span_id}
 *       entry that is valid hex of the right length also fills the id column, as OTLP lines'
 *       ids do, so trace correlation works for both;
 *   <li>the line is the body; the entry's nanosecond timestamp is both {@code timestamp} and
 *       {@code observed_timestamp} (a push has no separate observation time).
 * </ul>
 *
 * <p>The decoder has validated the whole request (a bad stream rejects it), so nothing is
 * rejected here.
 */
public final class LokiPushBatchBuilder {
  private LokiPushBatchBuilder() {}

  /** Builds the batch for {@code tenant}; {@code nowNanos} stamps ingested_timestamp. */
  public static BatchResult build(
      LokiPushRequest request, String tenant, long nowNanos, BufferAllocator allocator) {
    try (RowWriter w = new RowWriter(LogsBatchBuilder.ARROW_SCHEMA, allocator)) {
      for (LokiPushRequest.Stream stream : request.streams()) {
        SortedMap<String, String> labels = stream.labels();
        String streamLabels = LabelSetCodec.encode(labels);
        String service =
            labels.getOrDefault(LokiOtlpLabels.SERVICE_NAME_LABEL, LokiOtlpLabels.UNKNOWN_SERVICE);
        for (LokiPushRequest.Entry entry : stream.entries()) {
          Map<String, String> metadata = entry.structuredMetadata();
          w.set(LogsTable.TENANT_ID, tenant);
          w.set(LogsTable.SERVICE_NAME, service);
          w.set(LogsTable.TIMESTAMP, entry.timestampNanos());
          w.set(LogsTable.OBSERVED_TIMESTAMP, entry.timestampNanos());
          w.set(LogsTable.INGESTED_TIMESTAMP, nowNanos);
          w.set(LogsTable.TRACE_ID, hexId(metadata.get("trace_id"), 16));
          w.set(LogsTable.SPAN_ID, hexId(metadata.get("span_id"), 8));
          w.set(LogsTable.BODY, entry.line());
          w.set(LogsTable.RESOURCE_ATTRIBUTES, labels);
          w.set(LogsTable.SCOPE_ATTRIBUTES, Map.of());
          w.set(LogsTable.LOG_ATTRIBUTES, metadata);
          w.set(LogsTable.STREAM_LABELS, streamLabels);
          w.endRow();
        }
      }
      return w.finish();
    }
  }

  private static byte[] hexId(String hex, int length) {
    if (hex == null || hex.length() != 2 * length) {
      return null;
    }
    try {
      return HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
