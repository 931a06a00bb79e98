package io.icegate.engine.series;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A PromQL leaf evaluated over a whole step grid by the source itself ({@link
 * SeriesSource#selectSteps}): an instant vector selector (with lookback and staleness), or a
 * range function of floats over a matrix selector, at {@code times} — the query's grid after the
 * selector's offset and {@code @}.
 *
 * @param matchers the selector's label matchers
 * @param function the range function ({@code rate}, {@code max_over_time}, …); null for an
 *     instant selection
 * @param rangeMillis the matrix selector's range (0 for an instant selection)
 * @param lookbackMillis the lookback of an instant selection
 * @param offsetMillis the selector's offset, for EXPLAIN (already applied to {@code times})
 * @param at the selector's {@code @} as written, for EXPLAIN (already applied); null without
 * @param times the evaluation times in milliseconds, ascending
 */
public record StepSelection(
    List<LabelMatcher> matchers,
    String function,
    long rangeMillis,
    long lookbackMillis,
    long offsetMillis,
    String at,
    long[] times) {
  /**
   * What an evaluation through the plan held, as the PromQL evaluator counts Prometheus's
   * samples in memory: for a range function, series after series in label order, the outputs so
   * far plus one series' widest window, or plus its last window and its own output — the most of
   * either over all series ({@code windowPeak}); 0 for an instant selection, whose count is its
   * output's.
   */
  public record Held(long windowPeak) {}

  public StepSelection {
    matchers = List.copyOf(matchers);
  }

  /** Whether this is an instant selection (no range function). */
  public boolean instant() {
    return function == null;
  }

  /** The first time a sample is read at (inclusive): windows are left-open. */
  public long minTime() {
    return times[0] - (instant() ? lookbackMillis : rangeMillis) + 1;
  }

  /** The last time a sample is read at (inclusive). */
  public long maxTime() {
    return times[times.length - 1];
  }

  /** The name every selected series has (an equality matcher on it), or null. */
  public String metricName() {
    String name = null;
    for (LabelMatcher m : matchers) {
      if (m.name().equals(Labels.METRIC_NAME) && m.type() == LabelMatcher.Type.EQ) {
        name = m.value();
      }
    }
    return name;
  }

  /**
   * Everything that tells this selection's plan from another's over the same scan, as text (a
   * key of kept plans): operation, window, offset, {@code @}, matchers and every time.
   */
  public String planKey() {
    StringBuilder out = new StringBuilder(opText()).append('|').append(rangeMillis).append('|')
        .append(lookbackMillis).append('|').append(offsetMillis).append('|').append(at)
        .append('|').append(matchersText()).append('|');
    long step = times.length > 1 ? times[1] - times[0] : 0;
    boolean regular = true;
    for (int i = 2; i < times.length && regular; i++) {
      regular = times[i] - times[i - 1] == step;
    }
    if (regular) {
      out.append(times[0]).append('+').append(step).append('x').append(times.length);
    } else {
      out.append(java.util.Arrays.toString(times));
    }
    return out.toString();
  }

  /** The operation as EXPLAIN names it: the function, or {@code instant}. */
  public String opText() {
    return instant() ? "instant" : function;
  }

  /** The window: the range of a function, the lookback of an instant selection. */
  public String windowText() {
    return duration(instant() ? lookbackMillis : rangeMillis);
  }

  /** The steps: the first and last time, the step and how many. */
  public String stepsText() {
    Instant first = Instant.ofEpochMilli(times[0]);
    if (times.length == 1) {
      return first.toString();
    }
    long step = times[1] - times[0];
    return first + ".." + Instant.ofEpochMilli(times[times.length - 1]) + " by "
        + duration(step) + " (" + times.length + ")";
  }

  /** The matchers as PromQL writes them. */
  public String matchersText() {
    return matchersText(matchers);
  }

  /** {@code matchers} as PromQL writes them: {@code {a="x", b=~"y"}}. */
  public static String matchersText(List<LabelMatcher> matchers) {
    StringBuilder out = new StringBuilder("{");
    for (int i = 0; i < matchers.size(); i++) {
      LabelMatcher m = matchers.get(i);
      if (i > 0) {
        out.append(", ");
      }
      out.append(m.name())
          .append(switch (m.type()) {
            case EQ -> "=";
            case NEQ -> "!=";
            case RE -> "=~";
            case NRE -> "!~";
          })
          .append('"')
          .append(m.value().replace("\\", "\\\\").replace("\"", "\\\""))
          .append('"');
    }
    return out.append('}').toString();
  }

  /** A duration as PromQL writes it ({@code 5m}, {@code 90s}, {@code 1500ms}). */
  public static String duration(long millis) {
    if (millis == 0) {
      return "0s";
    }
    Duration d = Duration.ofMillis(Math.abs(millis));
    String sign = millis < 0 ? "-" : "";
    if (millis % 1000 != 0) {
      return sign + d.toMillis() + "ms";
    }
    long s = d.getSeconds();
    if (s % 3600 == 0) {
      return sign + s / 3600 + "h";
    }
    if (s % 60 == 0) {
      return sign + s / 60 + "m";
    }
    return sign + s + "s";
  }
}
