package io.icegate.server.loki;

import io.icegate.engine.logql.LogQueryEngine;
import io.icegate.engine.logql.LogQueryRange;
import io.icegate.engine.logql.LogQueryResult;
import io.icegate.engine.logql.LogQueryResult.Row;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.protocol.loki.Direction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A log query with Loki's {@code interval}: walking the entries in the query's direction, an entry
 * is kept only if it lies at least {@code interval} after (forward) or before (backward) the last
 * entry kept, across all streams; {@code limit} counts kept entries. The engine is asked page by
 * page ({@code limit} entries each), each page starting where the next kept entry can first be.
 */
final class LokiIntervalSelect {
  private LokiIntervalSelect() {}


  static LogQueryResult select(
      LogQueryEngine engine,
      LogSelectorExpr selector,
      LogQueryRange range,
      long intervalNanos,
      BooleanSupplier cancelled) {
    boolean forward = range.direction() == Direction.FORWARD;
    long start = range.startNanos();
    long end = range.endNanos();
    int limit = range.limit();
    List<Row> kept = new ArrayList<>();
    boolean any = false;
    long last = 0;
    long rows = 0;
    long bytes = 0;
    long files = 0;
    long nanos = 0;
    while (kept.size() < limit && start < end) {
      LogQueryResult page =
          engine.select(
              selector,
              new LogQueryRange(range.tenant(), start, end, limit, range.direction()),
              cancelled);
      rows += page.rowsScanned();
      bytes += page.bytesScanned();
      files += page.filesScanned();
      nanos += page.execNanos();
      List<Row> read = new ArrayList<>(page.rows());
      Comparator<Row> byTime = Comparator.comparingLong(r -> r.entry().timestampNanos());
      read.sort(forward ? byTime : byTime.reversed());
      for (Row r : read) {
        long t = r.entry().timestampNanos();
        if (!any || (forward ? t - last >= intervalNanos : last - t >= intervalNanos)) {
          kept.add(r);
          any = true;
          last = t;
          if (kept.size() == limit) {
            break;
          }
        }
      }
      if (page.entries() < limit || read.isEmpty()) {
        break; // the range holds no more entries
      }
      long lastRead = read.get(read.size() - 1).entry().timestampNanos();
      // Entries left at lastRead's time would be refused like the one read there.
      if (forward) {
        start = Math.max(lastRead + 1, saturatedAdd(last, intervalNanos));
      } else {
        end = Math.min(lastRead, saturatedAdd(last, 1 - intervalNanos));
      }
    }
    return new LogQueryResult(kept, rows, bytes, files, nanos);
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    return r;
  }
}
