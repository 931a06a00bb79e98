package io.icegate.protocol.loki;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** One stream of a Loki {@code streams} result: its label set and its entries in result order. */
public record LokiStream(SortedMap<String, String> labels, List<LokiEntry> entries) {
  public LokiStream {
    labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    entries = List.copyOf(entries);
  }
}
