package io.icegate.engine.logql.pipeline;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The labels of one log entry while the pipeline runs: the stream labels and structured metadata it
 * started with (the "base", which decides when a parsed name gets the {@code _extracted} suffix),
 * plus everything the stages set, and the {@code __error__}/{@code __error_details__} pair that
 * Loki keeps apart from ordinary labels. One builder is reused for every line.
 */
public final class LabelsBuilder {
  public static final String ERROR = "__error__";
  public static final String ERROR_DETAILS = "__error_details__";

  /** Loki's suffix for a parsed label whose name is already a stream or metadata label. */
  public static final String DUPLICATE_SUFFIX = "_extracted";

  private SortedMap<String, String> stream = new TreeMap<>();
  private Map<String, String> metadata = Map.of();
  private final TreeMap<String, String> current = new TreeMap<>();
  private String error;
  private String errorDetails;

  /** Starts a new entry with these stream labels and structured metadata (neither is copied). */
  public void reset(
      SortedMap<String, String> streamLabels, Map<String, String> structuredMetadata) {
    this.stream = streamLabels;
    this.metadata = structuredMetadata;
    current.clear();
    current.putAll(structuredMetadata);
    current.putAll(streamLabels);
    error = null;
    errorDetails = null;
  }

  /** Whether the entry started with this label (stream label or structured metadata). */
  public boolean baseHas(String name) {
    return stream.containsKey(name) || metadata.containsKey(name);
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

  public void set(String name, String value) {
    if (ERROR.equals(name)) {
      error = value;
    } else if (ERROR_DETAILS.equals(name)) {
      errorDetails = value;
    } else {
      current.put(name, value);
    }
  }

  /**
   * Sets a label a parser extracted: a name the entry started with gets the {@code _extracted}
   * suffix, as in Loki, so parsers never overwrite stream labels or structured metadata.
   */
  public void setParsed(String name, String value) {
    current.put(baseHas(name) ? name + DUPLICATE_SUFFIX : name, value);
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
    }
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

  /** The ordinary labels (without the error pair), live: callers iterate, never keep it. */
  public TreeMap<String, String> labels() {
    return current;
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

  /**
   * The labels of the entry's output stream: like {@link #toMap} but without structured metadata
   * that no stage touched, so that entries keep the stream they were stored in unless the pipeline
   * changed their labels.
   */
  public SortedMap<String, String> toStreamMap() {
    SortedMap<String, String> all = toMap();
    for (Map.Entry<String, String> m : metadata.entrySet()) {
      if (!stream.containsKey(m.getKey()) && m.getValue().equals(all.get(m.getKey()))) {
        all.remove(m.getKey());
      }
    }
    return all;
  }
}
