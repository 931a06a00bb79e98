package io.icegate.engine.logql;

import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.plan.QueryOptimizer;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.protocol.loki.LabelSetCodec;
import io.icegate.storage.scan.TableScanner;
import io.icegate.storage.table.LogsTable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.calcite.tools.RelBuilder;

/**
 * The Loki metadata queries — label names, a label's values, series — answered from the
 * distinct streams in a time range: {@code Aggregate(stream_labels) ← Filter ← Scan}, run by the
 * same operators as log queries. Only index (stream) labels are returned, as Loki does.
 */
public final class LogMetadataEngine {
  private final IceGateCatalog catalog;
  private final PlanRunner runner;

  public LogMetadataEngine(
      TableScanner scanner, BufferAllocator root, long queryMemoryBytes, Duration timeout) {
    this.catalog = new IceGateCatalog(scanner, List.of(LogsTable.NAME));
    this.runner = new PlanRunner(scanner, root, queryMemoryBytes, timeout);
  }

  /** Label names of the streams {@code selector} (null: all) selects, sorted. */
  public List<String> labelNames(
      String tenant, long startNanos, long endNanos, LogSelectorExpr selector,
      BooleanSupplier cancelled) {
    Set<String> names = new TreeSet<>();
    for (SortedMap<String, String> labels :
        streams(tenant, startNanos, endNanos, selector, cancelled)) {
      names.addAll(labels.keySet());
    }
    return new ArrayList<>(names);
  }

  /** Values of label {@code name} among the selected streams, sorted. */
  public List<String> labelValues(
      String name, String tenant, long startNanos, long endNanos, LogSelectorExpr selector,
      BooleanSupplier cancelled) {
    Set<String> values = new TreeSet<>();
    for (SortedMap<String, String> labels :
        streams(tenant, startNanos, endNanos, selector, cancelled)) {
      String value = labels.get(name);
      if (value != null) {
        values.add(value);
      }
    }
    return new ArrayList<>(values);
  }

  /** The label sets of the streams any of {@code selectors} selects (none: every stream). */
  public List<SortedMap<String, String>> series(
      String tenant, long startNanos, long endNanos, List<LogSelectorExpr> selectors,
      BooleanSupplier cancelled) {
    Set<SortedMap<String, String>> result = new LinkedHashSet<>();
    if (selectors.isEmpty()) {
      result.addAll(streams(tenant, startNanos, endNanos, null, cancelled));
    }
    for (LogSelectorExpr selector : selectors) {
      result.addAll(streams(tenant, startNanos, endNanos, selector, cancelled));
    }
    return new ArrayList<>(result);
  }

  private List<SortedMap<String, String>> streams(
      String tenant, long startNanos, long endNanos, LogSelectorExpr selector,
      BooleanSupplier cancelled) {
    RelBuilder builder = catalog.relBuilder();
    ArrowRel plan =
        QueryOptimizer.optimize(
            LogQueryPlanner.streams(selector, tenant, startNanos, endNanos, builder), builder);
    List<SortedMap<String, String>> streams = new ArrayList<>();
    runner.run(
        "metadata",
        plan,
        cancelled,
        batch -> {
          VarCharVector labels = (VarCharVector) batch.getVector(0);
          for (int i = 0; i < batch.getRowCount(); i++) {
            streams.add(LabelSetCodec.decode(new String(labels.get(i), StandardCharsets.UTF_8)));
          }
        });
    return streams;
  }
}
