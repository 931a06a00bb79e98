package io.icegate.promql;

/**
 * Parts of PromQL that Prometheus accepts only when a feature flag enables them. All are off by
 * default, as in Prometheus, and a query using one is rejected with Prometheus's message.
 *
 * @param experimentalFunctions {@code --enable-feature=promql-experimental-functions}: functions
 *     such as {@code sort_by_label}, {@code limitk}/{@code limit_ratio}, {@code info}
 * @param durationExpressions {@code --enable-feature=promql-duration-expr}: arithmetic in ranges,
 *     steps and offsets ({@code x[5m + 1m]}, {@code x offset step()})
 * @param extendedRangeSelectors {@code --enable-feature=promql-extended-range-selectors}:
 *     {@code anchored} and {@code smoothed}
 * @param binopFillModifiers {@code --enable-feature=promql-binop-fill-modifiers}:
 *     {@code fill(v)}, {@code fill_left(v)}, {@code fill_right(v)}
 */
public record PromQLOptions(
    boolean experimentalFunctions,
    boolean durationExpressions,
    boolean extendedRangeSelectors,
    boolean binopFillModifiers) {

  /** Prometheus's defaults: every experimental feature off. */
  public static final PromQLOptions DEFAULT = new PromQLOptions(false, false, false, false);

  /** Every experimental feature on, as Prometheus's own test scripts run. */
  public static final PromQLOptions ALL_ENABLED = new PromQLOptions(true, true, true, true);
}
