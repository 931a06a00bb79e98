package io.icegate.logql.ast;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A log query over a time range, the argument of a range aggregation: {@code {app="api"} | json |
 * unwrap latency [5m] offset 1h}. {@code offset} is zero when not written; it may be negative.
 */
public record LogRangeExpr(
    LogSelectorExpr selector, Duration range, Duration offset, Optional<Unwrap> unwrap) {
  public LogRangeExpr {
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(offset, "offset");
    Objects.requireNonNull(unwrap, "unwrap");
  }
}
