package io.icegate.engine.logql.pipeline;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An output entry's labels split by origin, as Loki's pipeline hands them back: stream labels,
 * structured metadata and parsed labels (the error pair among them). The names of the three maps
 * are disjoint; together they are the entry's label set.
 *
 * <p>Between the pipeline node and the query's result the labels travel as one label-set string
 * (the node's output column). There the origin rides on the name: a structured-metadata name is
 * prefixed with {@code U+0001}, a parsed one with {@code U+0002} ({@link #marked}, {@link
 * #fromMarked}). No label name can begin with either (label names are {@code
 * [a-zA-Z_][a-zA-Z0-9_]*} once sanitised), so the marking is unambiguous, and the label-set codec
 * quotes such names, so it round-trips.
 */
public record CategorizedLabels(
    SortedMap<String, String> stream,
    SortedMap<String, String> structuredMetadata,
    SortedMap<String, String> parsed) {
  private static final char METADATA_MARK = '\u0001';
  private static final char PARSED_MARK = '\u0002';

  public CategorizedLabels {
    stream = Collections.unmodifiableSortedMap(stream);
    structuredMetadata = Collections.unmodifiableSortedMap(structuredMetadata);
    parsed = Collections.unmodifiableSortedMap(parsed);
  }

  /** Labels that are all stream labels (an entry no stage and no metadata touched). */
  public static CategorizedLabels ofStream(SortedMap<String, String> stream) {
    return new CategorizedLabels(stream, new TreeMap<>(), new TreeMap<>());
  }

  /** Every label, whatever its origin, as a new sorted map. */
  public SortedMap<String, String> all() {
    TreeMap<String, String> all = new TreeMap<>(stream);
    all.putAll(structuredMetadata);
    all.putAll(parsed);
    return all;
  }

  /** One map holding every label, the non-stream names marked with their origin. */
  public SortedMap<String, String> marked() {
    if (structuredMetadata.isEmpty() && parsed.isEmpty()) {
      return stream;
    }
    TreeMap<String, String> out = new TreeMap<>(stream);
    structuredMetadata.forEach((k, v) -> out.put(METADATA_MARK + k, v));
    parsed.forEach((k, v) -> out.put(PARSED_MARK + k, v));
    return out;
  }

  /** A label's name as {@link #marked} spells it for a label of this origin. */
  static String markedName(String name, LabelOrigin origin) {
    return switch (origin) {
      case STREAM -> name;
      case STRUCTURED_METADATA -> METADATA_MARK + name;
      case PARSED -> PARSED_MARK + name;
    };
  }

  /** The inverse of {@link #marked}; a map without marks is all stream labels. */
  public static CategorizedLabels fromMarked(Map<String, String> marked) {
    TreeMap<String, String> stream = new TreeMap<>();
    TreeMap<String, String> metadata = new TreeMap<>();
    TreeMap<String, String> parsed = new TreeMap<>();
    marked.forEach(
        (k, v) -> {
          if (!k.isEmpty() && k.charAt(0) == METADATA_MARK) {
            metadata.put(k.substring(1), v);
          } else if (!k.isEmpty() && k.charAt(0) == PARSED_MARK) {
            parsed.put(k.substring(1), v);
          } else {
            stream.put(k, v);
          }
        });
    return new CategorizedLabels(stream, metadata, parsed);
  }
}
