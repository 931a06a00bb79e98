package io.icegate.engine.promql;

import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.metrics.MetricsSeriesSource;
import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.LabelMatcher;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.Series;
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
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The promqltest runner's store backed by the real metrics table: a script's {@code load} is sent
 * as one Prometheus remote-write request through the storage's batch builder and WAL, then
 * compacted into Iceberg, and evals read it back through {@link MetricsSeriesSource} (the Calcite
 * scan). {@code clear} moves to a fresh tenant, so earlier loads are invisible as they must be.
 * Native histograms are not served from the table yet; scripts that load them are not run here.
 */
final class LakeSeriesStore implements PromQLScript.Store {
  private final Lake lake;
  private final BufferAllocator allocator;
  private final IceGateCatalog catalog;
  private final PlanRunner runner;
  private final Map<Labels, List<RemoteWriteRequest.Sample>> pending = new LinkedHashMap<>();
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
    throw new UnsupportedOperationException("native histograms are not read from the table yet");
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
    return new MetricsSeriesSource(catalog, runner, tenant(), () -> false)
        .select(matchers, minTime, maxTime);
  }

  /** Writes what was loaded since the last flush as one remote-write request, and compacts. */
  private void flush() {
    if (pending.isEmpty()) {
      return;
    }
    List<RemoteWriteRequest.TimeSeries> series = new ArrayList<>();
    pending.forEach(
        (labels, samples) -> {
          List<RemoteWriteRequest.Label> l = new ArrayList<>();
          for (int i = 0; i < labels.size(); i++) {
            l.add(new RemoteWriteRequest.Label(labels.name(i), labels.value(i)));
          }
          series.add(new RemoteWriteRequest.TimeSeries(l, samples, List.of(), List.of()));
        });
    pending.clear();
    BatchResult built =
        MetricsBatchBuilder.build(
            new RemoteWriteRequest(series, List.of()), tenant(), 0, allocator);
    if (built.rejected() > 0) {
      built.batch().close();
      throw new IllegalArgumentException("load rejected by storage: " + built.rejectionMessage());
    }
    try (VectorSchemaRoot batch = built.batch()) {
      lake.metricsWal().append(tenant(), batch).get();
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
