package io.icegate.protocol.loki;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A decoded Loki push ({@code POST /loki/api/v1/push}), as {@link LokiPushDecoder} produces it from
 * either encoding: streams in request order, each with its label set as Loki would store it
 * (parsed, empty values dropped, {@code service_name} discovered) and its entries in request order.
 */
public record LokiPushRequest(List<Stream> streams) {
  public LokiPushRequest {
    streams = List.copyOf(streams);
  }

  /** The number of entries over all streams. */
  public int entryCount() {
    int count = 0;
    for (Stream stream : streams) {
      count += stream.entries().size();
    }
    return count;
  }

  /**
   * One stream: a label set that is never empty, sorted by name (the form {@link LabelSetCodec}
   * encodes), and its entries.
   */
  public record Stream(SortedMap<String, String> labels, List<Entry> entries) {
    public Stream {
      labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
      entries = List.copyOf(entries);
    }
  }

  /**
   * One log line with its timestamp in nanoseconds since the epoch and its structured metadata:
   * names normalised as Loki normalises them ({@code user.id} → {@code user_id}), sorted, without
   * empty values.
   */
  public record Entry(
      long timestampNanos, String line, SortedMap<String, String> structuredMetadata) {
    public Entry {
      Objects.requireNonNull(line, "line");
      structuredMetadata =
          structuredMetadata.isEmpty()
              ? Collections.emptySortedMap()
              : Collections.unmodifiableSortedMap(new TreeMap<>(structuredMetadata));
    }
  }
}
