package io.icegate.promql.ast;

import java.math.BigDecimal;

/**
 * The {@code @} modifier of a selector or subquery: a fixed time ({@code @ 1609746000}), or the
 * start or end of the query's range ({@code @ start()}, {@code @ end()}).
 *
 * @param timestampMillis the time for {@link Kind#TIMESTAMP}, in milliseconds since the epoch
 *     (Prometheus rounds the seconds written to milliseconds); 0 for the other kinds
 */
public record AtModifier(Kind kind, long timestampMillis) {

  /** What the {@code @} refers to. */
  public enum Kind {
    TIMESTAMP,
    START,
    END
  }

  public static AtModifier timestamp(long millis) {
    return new AtModifier(Kind.TIMESTAMP, millis);
  }

  public static AtModifier start() {
    return new AtModifier(Kind.START, 0);
  }

  public static AtModifier end() {
    return new AtModifier(Kind.END, 0);
  }

  /** The modifier as Prometheus prints it, with a leading space: {@code " @ 10.000"}. */
  @Override
  public String toString() {
    return switch (kind) {
      case TIMESTAMP -> " @ " + BigDecimal.valueOf(timestampMillis, 3).toPlainString();
      case START -> " @ start()";
      case END -> " @ end()";
    };
  }
}
