package io.icegate.engine.logql;

import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.exec.QueryStats;
import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.plan.QueryOptimizer;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.logql.ast.LineFilter;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.PipelineStage;
import io.icegate.protocol.loki.LabelSetCodec;
import io.icegate.storage.scan.TableScanner;
import io.icegate.storage.table.LogsTable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.calcite.tools.RelBuilder;

/**
 * What Loki answers from its index — {@code /index/stats} and {@code /index/volume[_range]} —
 * computed from the stored rows themselves, because the lake has no chunk index: one scan of the
 * selected streams' {@code (timestamp, stream_labels, body)} in the range, totalled per stream
 * (entries, bytes of log lines, and optionally bytes per time bucket). Loki's numbers are
 * estimates from chunk metadata; ours are exact counts of what is stored.
 */
public final class LogIndexEngine {
  private final IceGateCatalog catalog;
  private final PlanRunner runner;

  public LogIndexEngine(
      TableScanner scanner, BufferAllocator root, long queryMemoryBytes, Duration timeout) {
    this.catalog = new IceGateCatalog(scanner, List.of(LogsTable.NAME));
    this.runner = new PlanRunner(scanner, root, queryMemoryBytes, timeout);
  }

  /** One stream's totals; {@code bucketBytes[i]} is its line bytes in bucket {@code i}. */
  public record StreamVolume(
      SortedMap<String, String> labels, long entries, long bytes, long[] bucketBytes) {}

  /**
   * Every selected stream's totals, and {@code files}: the data files and WAL segments the scan
   * had to open after pruning by tenant, time and {@code service_name} (what we report as Loki's
   * "chunks").
   */
  public record Volumes(List<StreamVolume> streams, long files) {
    public long entries() {
      return streams.stream().mapToLong(StreamVolume::entries).sum();
    }

    public long bytes() {
      return streams.stream().mapToLong(StreamVolume::bytes).sum();
    }
  }

  /**
   * Scans the streams {@code selector} selects in {@code [startNanos, endNanos)}. Only the
   * selector and line filters written right after it count; any other stage is refused.
   *
   * @param bucketStarts null, or ascending bucket start times: an entry at {@code t} counts into
   *     the last bucket whose start is {@code <= t}
   */
  public Volumes volumes(
      String tenant, long startNanos, long endNanos, LogSelectorExpr selector,
      long[] bucketStarts, BooleanSupplier cancelled) {
    for (PipelineStage stage : selector.pipeline()) {
      if (!(stage instanceof LineFilter)) {
        throw new IllegalArgumentException(
            "only a stream selector (and line filters) is allowed here");
      }
    }
    RelBuilder builder = catalog.relBuilder();
    ArrowRel plan =
        QueryOptimizer.optimize(
            LogQueryPlanner.entries(selector, tenant, startNanos, endNanos, builder), builder);
    Map<String, long[]> totals = new HashMap<>();
    int buckets = bucketStarts == null ? 0 : bucketStarts.length;
    QueryStats stats =
        runner.run(
            "index",
            plan,
            cancelled,
            batch -> {
              TimeStampVector time = (TimeStampVector) batch.getVector(0);
              VarCharVector labels = (VarCharVector) batch.getVector(1);
              VarCharVector body = (VarCharVector) batch.getVector(2);
              String previousKey = null;
              long[] previous = null;
              for (int i = 0; i < batch.getRowCount(); i++) {
                String key = new String(labels.get(i), StandardCharsets.UTF_8);
                long[] t;
                if (key.equals(previousKey)) {
                  t = previous;
                } else {
                  t = totals.computeIfAbsent(key, k -> new long[2 + buckets]);
                  previousKey = key;
                  previous = t;
                }
                long size = body.isNull(i) ? 0 : body.getValueLength(i);
                t[0]++;
                t[1] += size;
                if (buckets > 0) {
                  int b = Arrays.binarySearch(bucketStarts, time.get(i));
                  if (b < 0) {
                    b = -b - 2;
                  }
                  if (b >= 0) {
                    t[2 + b] += size;
                  }
                }
              }
            });
    List<StreamVolume> streams = new ArrayList<>(totals.size());
    totals.forEach(
        (key, t) ->
            streams.add(
                new StreamVolume(
                    LabelSetCodec.decode(key), t[0], t[1], Arrays.copyOfRange(t, 2, t.length))));
    return new Volumes(streams, stats.filesScanned());
  }
}
