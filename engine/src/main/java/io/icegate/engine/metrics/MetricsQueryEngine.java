package io.icegate.engine.metrics;

import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.promql.PromQLEngine;
import io.icegate.engine.promql.QueryResult;
import io.icegate.engine.series.LabelMatcher;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.Series;
import io.icegate.engine.series.SeriesSource;
import io.icegate.engine.series.StepGrid;
import io.icegate.promql.PromQL;
import io.icegate.storage.scan.TableScanner;
import io.icegate.storage.table.MetricsTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;

/**
 * PromQL over the {@code metrics} table: each query reads its series through a
 * {@link MetricsSeriesSource} bound to the query's tenant, and evaluates them with the PromQL
 * engine. Every plan the source runs gets its own limited child allocator (the
 * {@link PlanRunner}), emptied when that plan ends.
 */
public final class MetricsQueryEngine {
  private final IceGateCatalog catalog;
  private final PlanRunner runner;
  private final PromQLEngine.Options options;
  private final TableScanner scanner;
  private final BufferAllocator root;
  private final long queryMemoryBytes;
  private final SelectionPlans plans = new SelectionPlans();

  public MetricsQueryEngine(
      TableScanner scanner, BufferAllocator root, long queryMemoryBytes, Duration timeout,
      PromQLEngine.Options options) {
    this.catalog = new IceGateCatalog(scanner, List.of(MetricsTable.NAME));
    this.runner = new PlanRunner(scanner, root, queryMemoryBytes, timeout);
    this.options = options;
    this.scanner = scanner;
    this.root = root;
    this.queryMemoryBytes = queryMemoryBytes;
  }

  /** The value of {@code query} at {@code timeMillis}. */
  public QueryResult instant(
      String tenant, String query, long timeMillis, BooleanSupplier cancelled) {
    return instant(tenant, query, timeMillis, 0, cancelled);
  }

  /**
   * The value of {@code query} at {@code timeMillis}, looking back {@code lookbackDeltaMillis}
   * for instant samples (0 or less: the configured lookback).
   */
  public QueryResult instant(
      String tenant, String query, long timeMillis, long lookbackDeltaMillis,
      BooleanSupplier cancelled) {
    return engine(tenant, lookbackDeltaMillis, cancelled).instantQuery(query, timeMillis);
  }

  /** {@code query} at every step of {@code grid} (milliseconds). */
  public QueryResult range(
      String tenant, String query, StepGrid grid, BooleanSupplier cancelled) {
    return range(tenant, query, grid, 0, cancelled);
  }

  /** {@code query} at every step of {@code grid}, with a lookback as in {@link #instant}. */
  public QueryResult range(
      String tenant, String query, StepGrid grid, long lookbackDeltaMillis,
      BooleanSupplier cancelled) {
    return engine(tenant, lookbackDeltaMillis, cancelled).rangeQuery(query, grid);
  }

  /**
   * EXPLAIN of an instant query: the query as parsed and each series selection its evaluation
   * makes, with the physical plans that read it; with {@code analyze} the query runs and each
   * plan shows what its nodes did ({@link MetricsExplain}).
   */
  public String explainInstant(
      String tenant, String query, long timeMillis, long lookbackDeltaMillis, boolean analyze,
      BooleanSupplier cancelled) {
    return explain(tenant, query, lookbackDeltaMillis, analyze, cancelled,
        e -> e.instantQuery(query, timeMillis));
  }

  /** EXPLAIN of a range query, as {@link #explainInstant}. */
  public String explainRange(
      String tenant, String query, StepGrid grid, long lookbackDeltaMillis, boolean analyze,
      BooleanSupplier cancelled) {
    return explain(tenant, query, lookbackDeltaMillis, analyze, cancelled,
        e -> e.rangeQuery(query, grid));
  }

  private String explain(
      String tenant, String query, long lookbackDeltaMillis, boolean analyze,
      BooleanSupplier cancelled, Function<PromQLEngine, QueryResult> evaluation) {
    PromQLEngine.Options settings = options.withLookbackDelta(lookbackDeltaMillis);
    String parsed = PromQL.parse(query, settings.parserOptions()).toString();
    Function<SeriesSource, PromQLEngine> engine =
        source -> new PromQLEngine(source, settings, cancelled, this::queryAllocator,
            (plan, stats) -> {});
    if (analyze) {
      return MetricsExplain.analyze(
          parsed,
          observer ->
              new MetricsSeriesSource(catalog, runner, tenant, cancelled, observer, plans),
          evaluation, engine);
    }
    return MetricsExplain.plan(parsed, source(tenant, cancelled), evaluation, engine);
  }

  /** How many selection plans are kept for selections asked again (tests). */
  int cachedPlans() {
    return plans.size();
  }

  /** The engine settings queries run with unless they ask for another lookback. */
  public PromQLEngine.Options options() {
    return options;
  }

  /**
   * The label sets of the series any of {@code selectors} (each a list of matchers) selects with
   * a sample in {@code [startMillis, endMillis]}, in label order, without duplicates.
   */
  public List<Labels> series(
      String tenant, List<List<LabelMatcher>> selectors, long startMillis, long endMillis,
      BooleanSupplier cancelled) {
    MetricsSeriesSource source = source(tenant, cancelled);
    Set<Labels> result = new TreeSet<>();
    for (List<LabelMatcher> selector : selectors) {
      for (Series s : source.select(selector, startMillis, endMillis)) {
        result.add(s.labels());
      }
    }
    return new ArrayList<>(result);
  }

  /** Label names of the selected series (all series when {@code selectors} is empty), sorted. */
  public List<String> labelNames(
      String tenant, List<List<LabelMatcher>> selectors, long startMillis, long endMillis,
      BooleanSupplier cancelled) {
    Set<String> names = new TreeSet<>();
    for (Labels l : series(tenant, orAll(selectors), startMillis, endMillis, cancelled)) {
      names.addAll(l.names());
    }
    return new ArrayList<>(names);
  }

  /** Values of label {@code name} among the selected series, sorted. */
  public List<String> labelValues(
      String tenant, String name, List<List<LabelMatcher>> selectors, long startMillis,
      long endMillis, BooleanSupplier cancelled) {
    Set<String> values = new TreeSet<>();
    for (Labels l : series(tenant, orAll(selectors), startMillis, endMillis, cancelled)) {
      if (l.has(name)) {
        values.add(l.get(name));
      }
    }
    return new ArrayList<>(values);
  }

  /**
   * Metric metadata by family ({@code /api/v1/metadata}): {@code metric} null for all families;
   * {@code limitPerMetric} 0 or less for no limit.
   */
  public Map<String, List<MetricsCatalogReader.Metadata>> metadata(
      String tenant, String metric, int limitPerMetric, BooleanSupplier cancelled) {
    return reader()
        .metadata(tenant, metric, limitPerMetric, cancelled);
  }

  /**
   * The exemplars stored in {@code [startMillis, endMillis]} on the series {@code selectors}
   * match ({@code /api/v1/query_exemplars}).
   */
  public List<MetricsCatalogReader.SeriesExemplars> exemplars(
      String tenant, List<List<LabelMatcher>> selectors, long startMillis, long endMillis,
      BooleanSupplier cancelled) {
    return reader()
        .exemplars(tenant, selectors, startMillis, endMillis, EXEMPLAR_MARGIN_MILLIS, cancelled);
  }

  /**
   * How far outside the asked window the rows carrying exemplars are read: an exemplar may be
   * older than its point (remote-write puts a series' exemplars on its latest sample).
   */
  private static final long EXEMPLAR_MARGIN_MILLIS = 60 * 60_000L;

  private MetricsCatalogReader reader() {
    return new MetricsCatalogReader(catalog, runner, scanner, root, queryMemoryBytes);
  }

  private static List<List<LabelMatcher>> orAll(List<List<LabelMatcher>> selectors) {
    if (!selectors.isEmpty()) {
      return selectors;
    }
    return List.of(List.of(LabelMatcher.of(Labels.METRIC_NAME, LabelMatcher.Type.RE, ".+")));
  }

  private PromQLEngine engine(
      String tenant, long lookbackDeltaMillis, BooleanSupplier cancelled) {
    return new PromQLEngine(
        source(tenant, cancelled), options.withLookbackDelta(lookbackDeltaMillis), cancelled,
        this::queryAllocator, (plan, stats) -> {});
  }

  /** A query's allocator for the PromQL plan nodes: a child of the root with the query limit. */
  private BufferAllocator queryAllocator() {
    return root.newChildAllocator("promql-query", 0, queryMemoryBytes);
  }

  private MetricsSeriesSource source(String tenant, BooleanSupplier cancelled) {
    return new MetricsSeriesSource(catalog, runner, tenant, cancelled, run -> {}, plans);
  }
}
