package io.icegate.engine.promql;

import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.exec.QueryStats;
import io.icegate.engine.metrics.MetricsSeriesSource;
import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.LabelMatcher;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.Series;
import io.icegate.engine.series.StepSelection;
import io.icegate.protocol.prometheus.RemoteWriteRequest;
import io.icegate.storage.Lake;
import io.icegate.storage.ingest.BatchResult;
import io.icegate.storage.ingest.MetricsBatchBuilder;
import io.icegate.storage.table.MetricsTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.calcite.rel.RelNode;

/**
 * The promqltest runner's store backed by the real metrics table: a script's {@code load} is sent
 * as one Prometheus remote-write request through the storage's batch builder and WAL, then
 * compacted into Iceberg, and evals read it back through {@link MetricsSeriesSource} (the Calcite
 * scan). {@code clear} moves to a fresh tenant, so earlier loads are invisible as they must be.
 * Native histograms go as remote-write float histograms, fractional counts too (the table keeps
 * them in its {@code *_double} count columns); remote-write refuses negative bucket counts, as
 * Prometheus does, so a script that loads one is not run here.
 */
final class LakeSeriesStore implements PromQLScript.Store {
  private final Lake lake;
  private final BufferAllocator allocator;
  private final IceGateCatalog catalog;
  private final PlanRunner runner;
  private final Map<Labels, List<RemoteWriteRequest.Sample>> pending = new LinkedHashMap<>();
  private final Map<Labels, List<RemoteWriteRequest.Histogram>> pendingHistograms =
      new LinkedHashMap<>();
  private int tenant;

  LakeSeriesStore(Lake lake, BufferAllocator allocator) {
    this.lake = lake;
    this.allocator = allocator;
    this.catalog = new IceGateCatalog(lake.scanner(), List.of(MetricsTable.NAME));
    this.runner = new PlanRunner(lake.scanner(), allocator, 256L << 20, Duration.ofMinutes(1));
  }

  private String tenant() {
    return "script-" + tenant;
  }

  @Override
  public void add(Labels labels, long time, double value) {
    pending
        .computeIfAbsent(labels, l -> new ArrayList<>())
        .add(new RemoteWriteRequest.Sample(value, time));
  }

  @Override
  public void addHistogram(Labels labels, long time, FloatHistogram h) {
    for (double c : h.positiveCounts) {
      storable(c);
    }
    for (double c : h.negativeCounts) {
      storable(c);
    }
    storable(h.count);
    storable(h.zeroCount);
    pendingHistograms
        .computeIfAbsent(labels, l -> new ArrayList<>())
        .add(
            new RemoteWriteRequest.Histogram(
                true, 0, h.count, h.sum, h.schema, h.zeroThreshold, 0, h.zeroCount,
                spans(h.negativeIndexes), new long[0], h.negativeCounts.clone(),
                spans(h.positiveIndexes), new long[0], h.positiveCounts.clone(),
                switch (h.hint) {
                  case COUNTER_RESET -> RemoteWriteRequest.ResetHint.YES;
                  case NOT_COUNTER_RESET -> RemoteWriteRequest.ResetHint.NO;
                  case GAUGE -> RemoteWriteRequest.ResetHint.GAUGE;
                  default -> RemoteWriteRequest.ResetHint.UNKNOWN;
                },
                time,
                h.customValues == null ? new double[0] : h.customValues.clone()));
  }

  /** Remote-write takes finite counts >= 0 (Prometheus refuses negative bucket counts). */
  private static void storable(double c) {
    if (!(c >= 0) || Double.isInfinite(c)) {
      throw new UnsupportedOperationException(
          "histograms with negative or infinite counts are not stored by the metrics table");
    }
  }

  /** Prometheus bucket spans of ascending bucket indexes. */
  private static List<RemoteWriteRequest.BucketSpan> spans(int[] indexes) {
    List<RemoteWriteRequest.BucketSpan> spans = new ArrayList<>();
    int k = 0;
    int previousEnd = 0;
    while (k < indexes.length) {
      int start = k;
      while (k + 1 < indexes.length && indexes[k + 1] == indexes[k] + 1) {
        k++;
      }
      int offset = spans.isEmpty() ? indexes[start] : indexes[start] - previousEnd;
      spans.add(new RemoteWriteRequest.BucketSpan(offset, k - start + 1));
      previousEnd = indexes[k] + 1;
      k++;
    }
    return spans;
  }

  @Override
  public void clear() {
    flush();
    tenant++;
  }

  @Override
  public List<Series> select(List<LabelMatcher> matchers, long minTime, long maxTime) {
    flush();
    if (minTime > maxTime) {
      return List.of();
    }
    return new MetricsSeriesSource(catalog, runner, tenant(), cancelled)
        .select(matchers, minTime, maxTime);
  }

  /** The plan path of the same source: leaves evaluated in the scan's plan. */
  @Override
  public StepSelection.Held selectSteps(
      StepSelection selection, Consumer<VectorSchemaRoot> sink) {
    flush();
    StepSelection.Held held =
        new MetricsSeriesSource(catalog, runner, tenant(), cancelled)
            .selectSteps(selection, sink);
    if (held != null) {
      planned++;
    }
    return held;
  }

  /** The plan path's leaf plans, composed by the evaluator into one plan with its nodes. */
  @Override
  public RelNode stepsPlan(StepSelection selection) {
    flush();
    RelNode plan =
        new MetricsSeriesSource(catalog, runner, tenant(), cancelled).stepsPlan(selection);
    if (plan != null) {
      planned++;
    }
    return plan;
  }

  @Override
  public QueryStats runSteps(RelNode plan, Consumer<VectorSchemaRoot> sink) {
    QueryStats stats =
        new MetricsSeriesSource(catalog, runner, tenant(), cancelled).runSteps(plan, sink);
    if (stats != null) {
      composed++;
    }
    return stats;
  }

  /** What the store's plans are stopped by (never, unless a test says otherwise). */
  void cancelWhen(java.util.function.BooleanSupplier cancelled) {
    this.cancelled = cancelled;
  }

  private java.util.function.BooleanSupplier cancelled = () -> false;

  /** How many composed plans ran to the end. */
  int composed() {
    return composed;
  }

  private int composed;

  /** How many leaves were evaluated in the plan. */
  int planned() {
    return planned;
  }

  private int planned;

  private static List<RemoteWriteRequest.Label> labels(Labels labels) {
    List<RemoteWriteRequest.Label> l = new ArrayList<>();
    for (int i = 0; i < labels.size(); i++) {
      l.add(new RemoteWriteRequest.Label(labels.name(i), labels.value(i)));
    }
    return l;
  }

  /** Writes what was loaded since the last flush as one remote-write request, and compacts. */
  private void flush() {
    if (pending.isEmpty() && pendingHistograms.isEmpty()) {
      return;
    }
    List<RemoteWriteRequest.TimeSeries> series = new ArrayList<>();
    pending.forEach(
        (labels, samples) ->
            series.add(
                new RemoteWriteRequest.TimeSeries(labels(labels), samples, List.of(), List.of())));
    pendingHistograms.forEach(
        (labels, histograms) ->
            series.add(
                new RemoteWriteRequest.TimeSeries(
                    labels(labels), List.of(), List.of(), histograms)));
    pending.clear();
    pendingHistograms.clear();
    BatchResult built =
        MetricsBatchBuilder.build(
            new RemoteWriteRequest(series, List.of()), tenant(), 0, allocator);
    if (built.rejected() > 0) {
      built.batch().close();
      throw new IllegalArgumentException("load rejected by storage: " + built.rejectionMessage());
    }
    try {
      lake.metricsWal().append(tenant(), built.batch()).get(); // the WAL owns and closes it
      lake.compact(MetricsTable.NAME);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }
}
