package io.icegate.engine.logql.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The labels of one log entry while the pipeline runs, each with its origin as Loki's labels
 * builder keeps it: the stream labels the entry was stored with, its structured metadata, and the
 * labels the stages set (parsers, {@code label_format}), plus the {@code __error__}/{@code
 * __error_details__} pair that Loki keeps apart from ordinary labels. One builder is reused for
 * every line.
 *
 * <p>Loki's rules, which the output categories ({@code categorize-labels}) depend on:
 *
 * <ul>
 *   <li>structured metadata whose name is a stream label gets the {@code _extracted} suffix, so it
 *       never hides the stream label;
 *   <li>a parser's label whose name is a stream label or (still present) structured metadata gets
 *       the suffix too;
 *   <li>whatever a stage sets by name ({@code label_format}, a rename) is a parsed label from then
 *       on, even when it replaces a stream label or metadata of that name;
 *   <li>{@code drop}/{@code keep} remove a label whatever its origin.
 * </ul>
 */
public final class LabelsBuilder {
  public static final String ERROR = "__error__";
  public static final String ERROR_DETAILS = "__error_details__";

  /** Loki's suffix for a parsed label whose name is already a stream or metadata label. */
  public static final String DUPLICATE_SUFFIX = "_extracted";

  private SortedMap<String, String> stream = new TreeMap<>();
  private final TreeMap<String, String> current = new TreeMap<>();
  /** The origin of each current label that is not an untouched stream label. */
  private final Map<String, LabelOrigin> origin = new HashMap<>();
  private String error;
  private String errorDetails;
  /** The ordinary labels changed since the last {@link #reset} (with repeats). */
  private final List<String> touched = new ArrayList<>();

  /** Starts a new entry with these stream labels and structured metadata (neither is copied). */
  public void reset(
      SortedMap<String, String> streamLabels, Map<String, String> structuredMetadata) {
    if (streamLabels == stream && touched.size() <= 16) {
      // The same stream as the last entry's (entries come in runs of one stream): undo what the
      // last entry changed rather than copying the stream labels again.
      for (String name : touched) {
        String value = stream.get(name);
        if (value == null) {
          current.remove(name);
        } else {
          current.put(name, value);
        }
        origin.remove(name);
      }
    } else {
      this.stream = streamLabels;
      current.clear();
      origin.clear();
      current.putAll(streamLabels);
    }
    touched.clear();
    for (Map.Entry<String, String> m : structuredMetadata.entrySet()) {
      if (unset(m.getKey(), m.getValue())
          || m.getValue().equals(streamLabels.get(m.getKey()))) {
        // The second: an OTLP resource attribute that Loki made an index label.
        continue;
      }
      String name = m.getKey();
      if (streamLabels.containsKey(name)) {
        name = name + DUPLICATE_SUFFIX;
      }
      current.put(name, m.getValue());
      origin.put(name, LabelOrigin.STRUCTURED_METADATA);
      touched.add(name);
    }
    error = null;
    errorDetails = null;
  }

  /**
   * Whether a metadata value stands for "not set": the record columns are read as stored, but
   * Loki's OTLP mapping leaves out an all-zero trace or span id, an unspecified severity number,
   * zero flags and dropped-attribute counts, and empty values.
   */
  static boolean unset(String name, String value) {
    if (value.isEmpty()) {
      return true;
    }
    return switch (name) {
      case "trace_id", "span_id" -> value.chars().allMatch(c -> c == '0');
      case "severity_number", "flags", "dropped_attributes_count" -> value.equals("0");
      default -> false;
    };
  }

  /**
   * Whether a parser's label of this name must take the {@code _extracted} suffix: the entry's
   * stream has the name, or it is (still) structured metadata.
   */
  public boolean baseHas(String name) {
    return stream.containsKey(name) || origin.get(name) == LabelOrigin.STRUCTURED_METADATA;
  }

  /** The label's value, {@code null} when absent; the error labels are labels here. */
  public String get(String name) {
    if (ERROR.equals(name)) {
      return error;
    }
    if (ERROR_DETAILS.equals(name)) {
      return errorDetails;
    }
    return current.get(name);
  }

  /** Sets a label by name, as {@code label_format} does: it is a parsed label from now on. */
  public void set(String name, String value) {
    if (ERROR.equals(name)) {
      error = value;
    } else if (ERROR_DETAILS.equals(name)) {
      errorDetails = value;
    } else {
      current.put(name, value);
      origin.put(name, LabelOrigin.PARSED);
      touched.add(name);
    }
  }

  /**
   * Sets a label a parser extracted: a name the entry's stream or structured metadata has gets the
   * {@code _extracted} suffix, as in Loki, so parsers never overwrite them.
   */
  public void setParsed(String name, String value) {
    set(parsedName(name), value);
  }

  /** The name {@link #setParsed} would use. */
  public String parsedName(String name) {
    return baseHas(name) ? name + DUPLICATE_SUFFIX : name;
  }

  public void delete(String name) {
    if (ERROR.equals(name)) {
      error = null;
    } else if (ERROR_DETAILS.equals(name)) {
      errorDetails = null;
    } else {
      current.remove(name);
      origin.remove(name);
      touched.add(name);
    }
  }

  /** Deletes every ordinary label {@code keep} rejects (the error pair is not touched). */
  public void retain(java.util.function.BiPredicate<String, String> keep) {
    List<String> gone = new ArrayList<>();
    current.forEach(
        (name, value) -> {
          if (!keep.test(name, value)) {
            gone.add(name);
          }
        });
    gone.forEach(this::delete);
  }

  public boolean hasError() {
    return error != null;
  }

  /**
   * Sets {@code __error__} and {@code __error_details__} (null: leaves the details as they are).
   */
  public void setError(String error, String details) {
    this.error = error;
    if (details != null) {
      this.errorDetails = details;
    }
  }

  /** The ordinary labels (without the error pair), live and read-only: iterate, never keep. */
  public SortedMap<String, String> labels() {
    return Collections.unmodifiableSortedMap(current);
  }

  /** The origin of a current ordinary label, {@code null} when absent. */
  public LabelOrigin originOf(String name) {
    if (!current.containsKey(name)) {
      return null;
    }
    return origin.getOrDefault(name, LabelOrigin.STREAM);
  }

  /** Every label, the error pair included, as a new sorted map. */
  public SortedMap<String, String> toMap() {
    TreeMap<String, String> all = new TreeMap<>(current);
    if (error != null) {
      all.put(ERROR, error);
    }
    if (errorDetails != null) {
      all.put(ERROR_DETAILS, errorDetails);
    }
    return all;
  }

  /** The entry's final labels split by origin; the error pair counts as parsed, as in Loki. */
  public CategorizedLabels categorized() {
    TreeMap<String, String> streamPart = new TreeMap<>();
    TreeMap<String, String> metadata = new TreeMap<>();
    TreeMap<String, String> parsed = new TreeMap<>();
    current.forEach(
        (name, value) -> {
          switch (origin.getOrDefault(name, LabelOrigin.STREAM)) {
            case STREAM -> streamPart.put(name, value);
            case STRUCTURED_METADATA -> metadata.put(name, value);
            case PARSED -> parsed.put(name, value);
          }
        });
    if (error != null) {
      parsed.put(ERROR, error);
    }
    if (errorDetails != null) {
      parsed.put(ERROR_DETAILS, errorDetails);
    }
    return new CategorizedLabels(streamPart, metadata, parsed);
  }

  /**
   * The entry's final labels as the pipeline node's label column carries them: every label, the
   * name of each structured-metadata or parsed label marked with its origin ({@link
   * CategorizedLabels#marked}), so that the query's result can be categorised exactly.
   */
  public SortedMap<String, String> toStreamMap() {
    return categorized().marked();
  }

  /** The origin {@link #toStreamMap(java.util.Collection)} marks a present label with. */
  public LabelOrigin markedOrigin(String name) {
    return ERROR.equals(name) || ERROR_DETAILS.equals(name)
        ? LabelOrigin.PARSED
        : origin.getOrDefault(name, LabelOrigin.STREAM);
  }

  /**
   * {@link #toStreamMap} cut to the labels named in {@code only} (those present): what a
   * consumer that reads only them needs, and far fewer distinct label sets than the whole.
   */
  public SortedMap<String, String> toStreamMap(java.util.Collection<String> only) {
    TreeMap<String, String> out = new TreeMap<>();
    for (String name : only) {
      String value = get(name);
      if (value == null) {
        continue;
      }
      out.put(CategorizedLabels.markedName(name, markedOrigin(name)), value);
    }
    return out;
  }
}
