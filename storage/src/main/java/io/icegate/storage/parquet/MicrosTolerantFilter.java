package io.icegate.storage.parquet;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.apache.iceberg.Schema;
import org.apache.iceberg.expressions.BoundPredicate;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.ExpressionVisitors;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.UnboundPredicate;
import org.apache.iceberg.types.Types;

/**
 * Widens a row-group filter so that files storing a {@code timestamp_ns} column in microseconds
 * — files the seed system wrote, adopted by {@code SeedTables} — are not skipped by mistake.
 * Parquet's statistics of such a column are microseconds, and Iceberg compares them with the
 * nanosecond literal as they are; {@code ts >= L} would then skip every one of their row groups.
 *
 * <p>Each time predicate becomes "the original, or the same in microseconds on values a
 * microsecond file can have" (below 10^17, i.e. before 1973 read as nanoseconds, before 5138 read
 * as microseconds): {@code ts >= L} → {@code ts >= L or (ts >= L/1000 and ts < 10^17)};
 * {@code ts < U} → {@code ts < U or ts < U/1000}. Every rewrite contains the original, so it only
 * ever skips less; on nanosecond files the added terms are false for any data after 1973, so they
 * skip as before. Row groups are all the filter decides: rows are filtered later, on the values
 * the readers have already converted to nanoseconds.
 */
final class MicrosTolerantFilter {
  private static final DateTimeFormatter ISO_NANOS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS");
  /** 10^17: as nanoseconds 1973-03-03; as microseconds the year 5138. */
  private static final long MICROS_CEILING = 100_000_000_000_000_000L;

  private MicrosTolerantFilter() {}

  static Expression widen(Expression filter, Schema projection) {
    if (filter == null || filter == Expressions.alwaysTrue()) {
      return filter;
    }
    return ExpressionVisitors.visit(filter, new Widener(projection));
  }

  private static final class Widener extends ExpressionVisitors.ExpressionVisitor<Expression> {
    private final Schema projection;

    Widener(Schema projection) {
      this.projection = projection;
    }

    @Override
    public Expression alwaysTrue() {
      return Expressions.alwaysTrue();
    }

    @Override
    public Expression alwaysFalse() {
      return Expressions.alwaysFalse();
    }

    @Override
    public Expression not(Expression result) {
      // Negating a widened predicate would narrow it; only and/or over predicates are widened.
      throw new Unwidenable();
    }

    @Override
    public Expression and(Expression left, Expression right) {
      return Expressions.and(left, right);
    }

    @Override
    public Expression or(Expression left, Expression right) {
      return Expressions.or(left, right);
    }

    @Override
    public <T> Expression predicate(BoundPredicate<T> pred) {
      throw new Unwidenable();
    }

    @Override
    public <T> Expression predicate(UnboundPredicate<T> pred) {
      String name = pred.ref().name();
      Types.NestedField field = projection.findField(name);
      if (field == null
          || !(field.type() instanceof Types.TimestampNanoType)
          || pred.literal() == null) {
        return pred;
      }
      Long nanos = epochNanos(pred.literal().value());
      if (nanos == null) {
        return pred;
      }
      String micros = iso(Math.floorDiv(nanos, 1000L));
      String ceiling = iso(MICROS_CEILING);
      switch (pred.op()) {
        case GT:
          return Expressions.or(pred, Expressions.and(
              Expressions.greaterThan(name, micros), Expressions.lessThan(name, ceiling)));
        case GT_EQ:
          return Expressions.or(pred, Expressions.and(
              Expressions.greaterThanOrEqual(name, micros), Expressions.lessThan(name, ceiling)));
        case LT:
          return Expressions.or(pred, Expressions.lessThan(name, iso(ceilDiv(nanos))));
        case LT_EQ:
          return Expressions.or(pred, Expressions.lessThanOrEqual(name, iso(ceilDiv(nanos))));
        case EQ:
          return Expressions.or(pred, Expressions.equal(name, micros));
        default:
          return pred;
      }
    }
  }

  /** Thrown to give up widening: the original filter is used. */
  private static final class Unwidenable extends RuntimeException {
    Unwidenable() {
      super(null, null, false, false);
    }
  }

  static Expression widenOrKeep(Expression filter, Schema projection) {
    try {
      return widen(filter, projection);
    } catch (Unwidenable e) {
      return filter;
    }
  }

  private static long ceilDiv(long nanos) {
    return -Math.floorDiv(-nanos, 1000L);
  }

  private static Long epochNanos(Object value) {
    if (value instanceof CharSequence text) {
      try {
        LocalDateTime t = LocalDateTime.parse(text);
        return t.toEpochSecond(ZoneOffset.UTC) * 1_000_000_000L + t.getNano();
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    return null;
  }

  private static String iso(long epochNanos) {
    Instant instant =
        Instant.ofEpochSecond(
            Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC).format(ISO_NANOS);
  }
}
