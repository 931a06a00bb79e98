package io.icegate.engine.series;

import java.util.List;

/**
 * Where query evaluation reads series from: label matchers and a time range in, columnar series
 * out. Kept this narrow so that the metrics table scan, an in-memory store for tests and later
 * LogQL metric queries can all stand behind it.
 */
public interface SeriesSource {
  /**
   * Every series all matchers accept, with its samples whose time is in {@code [minTime, maxTime]}
   * (milliseconds, inclusive), stale markers included, timestamps ascending. Series without a
   * sample in the range may be left out.
   */
  List<Series> select(List<LabelMatcher> matchers, long minTime, long maxTime);
}
