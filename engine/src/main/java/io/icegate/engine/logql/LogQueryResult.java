package io.icegate.engine.logql;

import io.icegate.engine.logql.pipeline.CategorizedLabels;
import io.icegate.protocol.loki.LokiEntry;
import io.icegate.protocol.loki.LokiStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The entries a log query returned, in the query's order, each with its labels split by origin,
 * with what it cost. {@link #streams} groups them as Loki does without {@code categorize-labels}
 * (by the whole label set), {@link #byStreamLabels} as it does with it (by the stream labels
 * alone, the other labels staying with each entry).
 */
public record LogQueryResult(
    List<Row> rows, long rowsScanned, long bytesScanned, long filesScanned, long execNanos) {

  /** One returned entry with its labels. */
  public record Row(CategorizedLabels labels, LokiEntry entry) {}

  public LogQueryResult {
    rows = List.copyOf(rows);
  }

  /** How many entries the query returned. */
  public long entries() {
    return rows.size();
  }

  /**
   * The entries grouped by their whole label set (stream labels, structured metadata and parsed
   * labels), each stream's entries in the query's order, streams in order of first entry.
   */
  public List<LokiStream> streams() {
    Map<SortedMap<String, String>, List<LokiEntry>> groups = new LinkedHashMap<>();
    Map<CategorizedLabels, SortedMap<String, String>> all = new java.util.HashMap<>();
    for (Row r : rows) {
      SortedMap<String, String> key = all.computeIfAbsent(r.labels(), CategorizedLabels::all);
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r.entry());
    }
    List<LokiStream> out = new ArrayList<>(groups.size());
    groups.forEach((labels, entries) -> out.add(new LokiStream(labels, entries)));
    return out;
  }

  /**
   * The entries grouped by their stream labels alone, as Loki's {@code categorize-labels}
   * encoding groups them, each group in the query's order, groups in order of first entry.
   */
  public Map<SortedMap<String, String>, List<Row>> byStreamLabels() {
    Map<SortedMap<String, String>, List<Row>> groups = new LinkedHashMap<>();
    for (Row r : rows) {
      groups.computeIfAbsent(r.labels().stream(), k -> new ArrayList<>()).add(r);
    }
    return groups;
  }
}
