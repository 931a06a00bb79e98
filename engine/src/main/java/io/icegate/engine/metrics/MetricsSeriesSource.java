package io.icegate.engine.metrics;

import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.exec.PromSelectOperator;
import io.icegate.engine.exec.QueryStats;
import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.plan.LabelPredicates;
import io.icegate.engine.plan.QueryOptimizer;
import io.icegate.engine.plan.Utf8Literals;
import io.icegate.engine.rel.ArrowPromSelect;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.engine.rel.LogicalPromSelect;
import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.LabelMatcher;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.Series;
import io.icegate.engine.series.SeriesSource;
import io.icegate.engine.series.StaleMarker;
import io.icegate.engine.series.StepSelection;
import io.icegate.storage.table.MetricsTable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.tools.RelBuilder;

/**
 * The PromQL view of the {@code metrics} table for one tenant: selects series by label matchers
 * and a time range through a Calcite plan (tenant, time and metric name pushed into the scan, so
 * partitions, files and row groups are pruned), then groups the rows into columnar series.
 *
 * <p>Rows become Prometheus series as Prometheus's OTLP receiver would have made them: number
 * points (gauges, sums, remote-write samples) are one sample of {@code metric_name}; a classic
 * histogram point becomes {@code <name>_bucket{le="…"}} (cumulative, ending with {@code +Inf}),
 * {@code <name>_sum} and {@code <name>_count}; a summary point {@code <name>{quantile="…"}},
 * {@code <name>_sum} and {@code <name>_count}. A row flagged as having no recorded value is a
 * staleness marker. Exponential histograms are native histograms (OTLP bucket index j is
 * Prometheus's j + 1), as are custom-bucket histograms that came by remote-write.
 */
public final class MetricsSeriesSource implements SeriesSource {
  private static final String[] FAMILY_SUFFIXES = {"_bucket", "_sum", "_count"};
  private static final long NANOS_PER_MILLI = 1_000_000L;
  private static final long HINT_MARGIN_MILLIS = 5 * 60_000L;

  private final IceGateCatalog catalog;
  private final PlanRunner runner;
  private final String tenant;
  private final BooleanSupplier cancelled;
  private final Consumer<PlanRun> observer;
  private final SelectionPlans plans;
  /**
   * Names whose selection met histogram or summary rows in this source's life (a query): their
   * leaves are not offered to the plan again, and their selections read the family rows without
   * scanning for them first.
   */
  private final java.util.Set<String> withFamilies = new java.util.HashSet<>();

  /** A plan a selection runs ({@code role}: which rows it reads), and what it did when it ran. */
  record PlanRun(String role, ArrowRel plan, QueryStats stats) {}

  public MetricsSeriesSource(
      IceGateCatalog catalog, PlanRunner runner, String tenant, BooleanSupplier cancelled) {
    this(catalog, runner, tenant, cancelled, run -> {}, null);
  }

  /**
   * A source that tells {@code observer} of every plan it ran (EXPLAIN ANALYZE), and takes the
   * plans of selections made before from {@code plans} (null: each selection is planned).
   */
  MetricsSeriesSource(
      IceGateCatalog catalog, PlanRunner runner, String tenant, BooleanSupplier cancelled,
      Consumer<PlanRun> observer, SelectionPlans plans) {
    this.catalog = catalog;
    this.runner = runner;
    this.tenant = tenant;
    this.cancelled = cancelled;
    this.observer = observer;
    this.plans = plans;
  }

  private ArrowRel plan(
      String role, String rowName, long startNanos, long endNanos, List<LabelMatcher> pushed,
      java.util.function.Supplier<ArrowRel> build) {
    if (plans == null) {
      return build.get();
    }
    return plans.get(
        new SelectionPlans.Key(
            role, tenant, rowName, startNanos, endNanos, matchersText(pushed)),
        build);
  }

  /** The rows of the number points of series named {@code name} (null: any name). */
  static final String NUMBERS = "number points";

  /** The rows read only once a number scan has met a histogram or summary row. */
  static final String FAMILIES =
      "histogram and summary points, read only if the number scan meets one";

  /**
   * The time window (nanoseconds) and row names one selection reads: {@code start} to {@code
   * end} for number points, from {@code familiesFrom} for histograms and summaries.
   */
  private record Window(
      String name, List<String> rowNames, long start, long end, long familiesFrom,
      List<LabelMatcher> pushed) {}

  @Override
  public List<Series> select(List<LabelMatcher> matchers, long minTime, long maxTime) {
    Window w = window(matchers, minTime, maxTime);
    if (w == null) {
      return List.of();
    }
    Map<Labels, SeriesBuilder> series = new HashMap<>();
    // One scan of flat columns only (the vectorized reader) reads the number points and tells
    // whether any histogram or summary row could belong to the selection; only then are those
    // read, with their list columns, by a second plan.
    // One plan per name a row may carry (an equality prunes files and row groups by the
    // name column's statistics, a list of names does not).
    boolean[] families = {false};
    for (String rowName : w.rowNames()) {
      if (w.name() != null && !w.name().equals(rowName) && withFamilies.contains(w.name())) {
        // A leaf of this query met the family's rows already (selectSteps): read them below
        // without scanning for them again.
        families[0] = true;
        continue;
      }
      runNumbers(numbersPlan(rowName, w), w.name(), rowName, matchers, series, families);
    }
    if (families[0]) {
      for (String rowName : w.rowNames()) {
        runFamilies(familiesPlan(rowName, w), matchers, series);
      }
    }
    return SeriesBuilder.buildAll(series, minTime);
  }

  /**
   * The plans {@link #select} would run for the same arguments, without running them (EXPLAIN):
   * the number-point plans, then the histogram and summary plans it runs only when needed.
   */
  List<PlanRun> plans(List<LabelMatcher> matchers, long minTime, long maxTime) {
    Window w = window(matchers, minTime, maxTime);
    List<PlanRun> plans = new ArrayList<>();
    if (w == null) {
      return plans;
    }
    for (String rowName : w.rowNames()) {
      plans.add(new PlanRun(NUMBERS, numbersPlan(rowName, w), null));
    }
    for (String rowName : w.rowNames()) {
      plans.add(new PlanRun(FAMILIES, familiesPlan(rowName, w), null));
    }
    return plans;
  }

  /** The plan of a PromQL leaf evaluated over the scan ({@link #selectSteps}). */
  static final String STEPS = "step selection";

  /**
   * Evaluates an instant selection or a range function of floats in a plan over the number
   * points ({@link io.icegate.engine.rel.ArrowPromSelect}); null (for the series way) when the
   * selector names no metric, or its series may include histogram or summary points: the rows
   * of the family a {@code _bucket}/{@code _sum}/{@code _count} name belongs to hold such
   * points, or the number scan meets one.
   */
  @Override
  public StepSelection.Held selectSteps(
      StepSelection selection, Consumer<VectorSchemaRoot> sink) {
    Window w = stepsWindow(selection);
    if (w == null) {
      return null;
    }
    ArrowRel plan = stepsPlan(selection, w);
    try {
      QueryStats stats = runner.run("promql-steps", plan, cancelled, sink);
      observer.accept(new PlanRun(STEPS, plan, stats));
      return new StepSelection.Held(stats.heldSamples());
    } catch (PromSelectOperator.NotFloats e) {
      withFamilies.add(e.metricName());
      return null;
    }
  }

  @Override
  public RelNode stepsPlan(StepSelection selection) {
    Window w = stepsWindow(selection);
    if (w == null) {
      return null;
    }
    ArrowRel plan = stepsPlan(selection, w);
    return plan instanceof ArrowPromSelect ? plan : null;
  }

  /**
   * Runs a plan composed over {@link #stepsPlan}s. It is not reported to the observer: the
   * evaluator that composed it shows it among its operator plans.
   */
  @Override
  public QueryStats runSteps(RelNode plan, Consumer<VectorSchemaRoot> sink) {
    try {
      return runner.run("promql-steps", (ArrowRel) plan, cancelled, sink);
    } catch (PromSelectOperator.NotFloats e) {
      withFamilies.add(e.metricName());
      return null;
    }
  }

  /**
   * What a leaf evaluated in the plan reads; null when it is left to the series way: the
   * selector names no metric, its window holds nothing, or the rows of the family its name may
   * belong to hold histogram or summary points (looked for here, once per name and window).
   */
  private Window stepsWindow(StepSelection selection) {
    String name = selection.metricName();
    Window w = name == null ? null : window(selection.matchers(), selection.minTime(),
        selection.maxTime());
    if (w == null || withFamilies.contains(name)) {
      return null;
    }
    String checked = name + '|' + w.start() + '|' + w.end();
    if (familiesLookedFor.contains(checked)) {
      return w;
    }
    boolean[] families = {false};
    for (String rowName : w.rowNames()) {
      if (!rowName.equals(name)) {
        runNumbers(numbersPlan(rowName, w), name, rowName, selection.matchers(),
            new HashMap<>(), families);
        if (families[0]) {
          withFamilies.add(name);
          return null;
        }
      }
    }
    familiesLookedFor.add(checked);
    return w;
  }

  /** Names and windows ({@code name|start|end}) whose family rows were found to hold none. */
  private final java.util.Set<String> familiesLookedFor = new java.util.HashSet<>();

  /**
   * The plans {@link #selectSteps} would run, without running them (EXPLAIN); empty when it
   * would leave the selection to the series way whatever the data.
   */
  List<PlanRun> stepPlans(StepSelection selection) {
    String name = selection.metricName();
    Window w = name == null ? null : window(selection.matchers(), selection.minTime(),
        selection.maxTime());
    List<PlanRun> plans = new ArrayList<>();
    if (w == null) {
      return plans;
    }
    for (String rowName : w.rowNames()) {
      if (!rowName.equals(name)) {
        plans.add(new PlanRun(NUMBERS, numbersPlan(rowName, w), null));
      }
    }
    plans.add(new PlanRun(STEPS, stepsPlan(selection, w), null));
    return plans;
  }

  private ArrowRel stepsPlan(StepSelection selection, Window w) {
    java.util.function.Supplier<ArrowRel> build = () -> {
      RelBuilder b = catalog.relBuilder();
      numbersScan(b, w.name(), w.start(), w.end(), w.pushed());
      return QueryOptimizer.optimize(LogicalPromSelect.create(b.build(), selection), b);
    };
    if (plans == null) {
      return build.get();
    }
    return plans.get(new SelectionPlans.Key(
        STEPS, tenant, w.name(), w.start(), w.end(), selection.planKey()), build);
  }

  /** What a selection reads; null when its time range holds nothing. */
  private static Window window(List<LabelMatcher> matchers, long minTime, long maxTime) {
    String name = null;
    for (LabelMatcher m : matchers) {
      if (m.name().equals(Labels.METRIC_NAME) && m.type() == LabelMatcher.Type.EQ) {
        name = m.value();
      }
    }
    // Prometheus keeps milliseconds in an int64, so a query may ask about times the table's
    // nanoseconds cannot hold; nothing is stored there, so the bounds saturate (an empty answer,
    // as Prometheus gives) rather than overflow.
    long startNanos = nanos(minTime);
    long endNanos = nanos(maxTime == Long.MAX_VALUE ? maxTime : maxTime + 1);
    if (startNanos >= endNanos) {
      return null;
    }
    // Histograms are read from a little earlier: a histogram's counter-reset hint depends on
    // the sample before it, as in Prometheus's TSDB, so that sample must be seen (then dropped).
    long familiesStart = nanos(Math.max(saturatedSubtract(minTime, HINT_MARGIN_MILLIS), 0));
    return new Window(
        name, rowNames(name), startNanos, endNanos, Math.min(startNanos, familiesStart),
        pushed(matchers));
  }

  /**
   * The matchers a scan tests on the rows' {@code series_labels} (once per distinct label set,
   * so the rows of series they reject are never decoded past it): all but the name's, which has
   * a column of its own, and {@code le}/{@code quantile}, which histogram and summary rows carry
   * outside their labels; and only those that a series without the label fails, so that rows
   * without label text are dropped by them exactly as by the series' own test.
   */
  private static List<LabelMatcher> pushed(List<LabelMatcher> matchers) {
    List<LabelMatcher> pushed = new ArrayList<>();
    for (LabelMatcher m : matchers) {
      if (!m.name().equals(Labels.METRIC_NAME) && !m.name().equals("le")
          && !m.name().equals("quantile") && !m.matches("")) {
        pushed.add(m);
      }
    }
    return List.copyOf(pushed);
  }

  private static void addMatchers(RelBuilder b, List<LabelMatcher> pushed, List<RexNode> to) {
    for (LabelMatcher m : pushed) {
      // Prometheus's regex matchers let "." match a newline too.
      String value = m.type() == LabelMatcher.Type.RE || m.type() == LabelMatcher.Type.NRE
          ? "(?s:" + m.value() + ")"
          : m.value();
      to.add(LabelPredicates.of(b, MetricsTable.SERIES_LABELS, m.name(), m.type(), value));
    }
  }

  private static String matchersText(List<LabelMatcher> pushed) {
    if (pushed.isEmpty()) {
      return null;
    }
    StringBuilder text = new StringBuilder();
    for (LabelMatcher m : pushed) {
      text.append(m.name()).append(' ').append(m.type()).append(' ').append(m.value())
          .append('\u0000');
    }
    return text.toString();
  }

  private ArrowRel numbersPlan(String rowName, Window w) {
    return plan(NUMBERS, rowName, w.start(), w.end(), w.pushed(),
        () -> buildNumbersPlan(rowName, w.start(), w.end(), w.pushed()));
  }

  private ArrowRel familiesPlan(String rowName, Window w) {
    return plan(FAMILIES, rowName, w.familiesFrom(), w.end(), w.pushed(),
        () -> buildFamiliesPlan(rowName, w.familiesFrom(), w.end(), w.pushed()));
  }

  private ArrowRel buildNumbersPlan(
      String rowName, long startNanos, long endNanos, List<LabelMatcher> pushed) {
    RelBuilder b = catalog.relBuilder();
    numbersScan(b, rowName, startNanos, endNanos, pushed);
    return QueryOptimizer.optimize(b.build(), b);
  }

  /** Pushes the logical scan of the number points onto {@code b}. */
  private void numbersScan(
      RelBuilder b, String rowName, long startNanos, long endNanos, List<LabelMatcher> pushed) {
    b.scan(IceGateCatalog.SCHEMA, MetricsTable.NAME);
    List<RexNode> conditions = bounds(b, startNanos, endNanos);
    if (rowName != null) {
      conditions.add(b.equals(b.field(MetricsTable.METRIC_NAME), Utf8Literals.of(b, rowName)));
    }
    addMatchers(b, pushed, conditions);
    // No condition on the type: a string comparison per row costs more than telling the
    // histogram and summary rows apart while reading. Those, and only those, carry a count
    // (every writer of the table sets it on them), a number column cheaper to read than the type.
    b.filter(conditions);
    // Every row's name is rowName when that is set: the name column is then not read back.
    List<RexNode> columns = new ArrayList<>();
    if (rowName == null) {
      columns.add(b.field(MetricsTable.METRIC_NAME));
    }
    columns.add(b.field(MetricsTable.SERIES_LABELS));
    columns.add(b.field(MetricsTable.TIMESTAMP));
    columns.add(b.field(MetricsTable.VALUE_DOUBLE));
    columns.add(b.field(MetricsTable.VALUE_INT));
    columns.add(b.field(MetricsTable.FLAGS));
    columns.add(b.field(MetricsTable.COUNT));
    b.project(columns);
  }

  /**
   * The names of the rows that may hold series named {@code name} (null: any name, one null
   * entry): a summary's quantile series carry the family name itself; every family's _bucket,
   * _sum and _count series carry it with the suffix.
   */
  private static List<String> rowNames(String name) {
    List<String> names = new ArrayList<>();
    names.add(name);
    if (name != null) {
      for (String suffix : FAMILY_SUFFIXES) {
        if (name.endsWith(suffix) && name.length() > suffix.length()) {
          names.add(name.substring(0, name.length() - suffix.length()));
        }
      }
    }
    return names;
  }

  private ArrowRel buildFamiliesPlan(
      String rowName, long startNanos, long endNanos, List<LabelMatcher> pushed) {
    RelBuilder b = catalog.relBuilder();
    b.scan(IceGateCatalog.SCHEMA, MetricsTable.NAME);
    List<RexNode> conditions = bounds(b, startNanos, endNanos);
    if (rowName != null) {
      conditions.add(b.equals(b.field(MetricsTable.METRIC_NAME), Utf8Literals.of(b, rowName)));
    }
    addMatchers(b, pushed, conditions);
    conditions.add(
        b.in(
            b.field(MetricsTable.METRIC_TYPE),
            b.literal(MetricsTable.HISTOGRAM),
            b.literal(MetricsTable.SUMMARY),
            b.literal(MetricsTable.EXPONENTIAL_HISTOGRAM)));
    b.filter(conditions);
    b.project(
        b.field(MetricsTable.METRIC_NAME),
        b.field(MetricsTable.SERIES_LABELS),
        b.field(MetricsTable.TIMESTAMP),
        b.field(MetricsTable.FLAGS),
        b.field(MetricsTable.METRIC_TYPE),
        b.field(MetricsTable.COUNT),
        b.field(MetricsTable.SUM),
        b.field(MetricsTable.BUCKET_COUNTS),
        b.field(MetricsTable.EXPLICIT_BOUNDS),
        b.field(MetricsTable.QUANTILE_VALUES),
        b.field(MetricsTable.OTEL_METRIC_NAME),
        b.field(MetricsTable.SCALE),
        b.field(MetricsTable.ZERO_COUNT),
        b.field(MetricsTable.ZERO_THRESHOLD),
        b.field(MetricsTable.POSITIVE_OFFSET),
        b.field(MetricsTable.POSITIVE_BUCKET_COUNTS),
        b.field(MetricsTable.NEGATIVE_OFFSET),
        b.field(MetricsTable.NEGATIVE_BUCKET_COUNTS),
        b.field(MetricsTable.METADATA),
        b.field(MetricsTable.COUNT_DOUBLE),
        b.field(MetricsTable.ZERO_COUNT_DOUBLE),
        b.field(MetricsTable.BUCKET_COUNTS_DOUBLE),
        b.field(MetricsTable.POSITIVE_BUCKET_COUNTS_DOUBLE),
        b.field(MetricsTable.NEGATIVE_BUCKET_COUNTS_DOUBLE));
    return QueryOptimizer.optimize(b.build(), b);
  }

  private List<RexNode> bounds(RelBuilder b, long startNanos, long endNanos) {
    List<RexNode> conditions = new ArrayList<>();
    conditions.add(b.equals(b.field(MetricsTable.TENANT_ID), Utf8Literals.of(b, tenant)));
    conditions.add(
        b.greaterThanOrEqual(b.field(MetricsTable.TIMESTAMP), b.literal(startNanos)));
    conditions.add(b.lessThan(b.field(MetricsTable.TIMESTAMP), b.literal(endNanos)));
    return conditions;
  }

  private void runNumbers(
      ArrowRel plan, String name, String rowName, List<LabelMatcher> matchers,
      Map<Labels, SeriesBuilder> series, boolean[] families) {
    // Label sets repeat row after row (files are sorted by series), so each distinct
    // (name, labels) text is decoded and matched once.
    Map<String, Labels> decoded = new HashMap<>();
    QueryStats stats = runner.run("promql-select", plan, cancelled,
        batch -> families[0] |= NumberRows.add(batch, name, rowName, matchers, series, decoded));
    observer.accept(new PlanRun(NUMBERS, plan, stats));
  }

  private void runFamilies(
      ArrowRel plan, List<LabelMatcher> matchers, Map<Labels, SeriesBuilder> series) {
    Map<String, Labels> decoded = new HashMap<>();
    QueryStats stats = runner.run("promql-select", plan, cancelled,
        batch -> addFamilies(batch, matchers, series, decoded));
    observer.accept(new PlanRun(FAMILIES, plan, stats));
  }


  private static void addFamilies(
      VectorSchemaRoot batch, List<LabelMatcher> matchers, Map<Labels, SeriesBuilder> series,
      Map<String, Labels> decoded) {
    VarCharVector names = (VarCharVector) batch.getVector(0);
    VarCharVector labels = (VarCharVector) batch.getVector(1);
    FieldVector time = batch.getVector(2);
    IntVector flags = (IntVector) batch.getVector(3);
    VarCharVector types = (VarCharVector) batch.getVector(4);
    BigIntVector counts = (BigIntVector) batch.getVector(5);
    Float8Vector sums = (Float8Vector) batch.getVector(6);
    ListVector buckets = (ListVector) batch.getVector(7);
    ListVector bounds = (ListVector) batch.getVector(8);
    ListVector quantiles = (ListVector) batch.getVector(9);
    VarCharVector otelNames = (VarCharVector) batch.getVector(10);
    IntVector scales = (IntVector) batch.getVector(11);
    BigIntVector zeroCounts = (BigIntVector) batch.getVector(12);
    Float8Vector zeroThresholds = (Float8Vector) batch.getVector(13);
    IntVector positiveOffsets = (IntVector) batch.getVector(14);
    ListVector positiveCounts = (ListVector) batch.getVector(15);
    IntVector negativeOffsets = (IntVector) batch.getVector(16);
    ListVector negativeCounts = (ListVector) batch.getVector(17);
    FieldVector metadata = batch.getVector(18);
    // A float histogram's exact counts where they are not whole numbers (null otherwise, and in
    // files written before the columns existed); the integer columns then hold them rounded.
    Float8Vector exactCounts = (Float8Vector) batch.getVector(19);
    Float8Vector exactZeroCounts = (Float8Vector) batch.getVector(20);
    ListVector exactBuckets = (ListVector) batch.getVector(21);
    ListVector exactPositive = (ListVector) batch.getVector(22);
    ListVector exactNegative = (ListVector) batch.getVector(23);
    for (int i = 0; i < batch.getRowCount(); i++) {
      String name = NumberRows.text(names, i);
      String labelText = NumberRows.text(labels, i);
      long t = millis(time, i);
      boolean stale =
          !flags.isNull(i) && (flags.get(i) & MetricsTable.FLAG_NO_RECORDED_VALUE) != 0;
      double count = !exactCounts.isNull(i) ? exactCounts.get(i)
          : counts.isNull(i) ? Double.NaN : counts.get(i);
      double sum = sums.isNull(i) ? Double.NaN : sums.get(i);
      String type = NumberRows.text(types, i);
      boolean exponential = MetricsTable.EXPONENTIAL_HISTOGRAM.equals(type);
      // A custom-bucket native histogram arrives by remote-write (no OTLP name) as a histogram
      // row; an OTLP histogram is a classic one, served as _bucket/_sum/_count series.
      boolean customBuckets = MetricsTable.HISTOGRAM.equals(type) && otelNames.isNull(i);
      if (exponential || customBuckets) {
        SeriesBuilder builder =
            NumberRows.builder(name + '\u0000' + labelText, null, matchers, series, decoded);
        if (builder == null) {
          continue;
        }
        if (stale) {
          builder.add(t, StaleMarker.STALE_NAN);
          continue;
        }
        FloatHistogram.CounterResetHint hint = resetHint(metadata, i);
        FloatHistogram h;
        if (exponential) {
          int[][] posIdx = new int[1][];
          double[] pos = buckets(
              exactPositive.isNull(i) ? positiveCounts : exactPositive, positiveOffsets, i, posIdx);
          int[][] negIdx = new int[1][];
          double[] neg = buckets(
              exactNegative.isNull(i) ? negativeCounts : exactNegative, negativeOffsets, i, negIdx);
          double zeroCount =
              !exactZeroCounts.isNull(i) ? exactZeroCounts.get(i)
                  : zeroCounts.isNull(i) ? 0 : zeroCounts.get(i);
          h =
              new FloatHistogram(
                  scales.get(i),
                  zeroThresholds.isNull(i) ? 0 : zeroThresholds.get(i),
                  zeroCount, count, sum, posIdx[0], pos, negIdx[0], neg, null, hint);
        } else {
          ListVector customCounts = exactBuckets.isNull(i) ? buckets : exactBuckets;
          List<?> bucketCounts =
              customCounts.isNull(i) ? List.of() : customCounts.getObject(i);
          List<?> upper = bounds.isNull(i) ? List.of() : bounds.getObject(i);
          int[] idx = new int[bucketCounts.size()];
          double[] c = new double[bucketCounts.size()];
          for (int k = 0; k < idx.length; k++) {
            idx[k] = k;
            c[k] = ((Number) bucketCounts.get(k)).doubleValue();
          }
          double[] custom = new double[upper.size()];
          for (int k = 0; k < custom.length; k++) {
            custom[k] = ((Number) upper.get(k)).doubleValue();
          }
          h =
              new FloatHistogram(
                  FloatHistogram.CUSTOM_BUCKETS_SCHEMA, 0, 0, count, sum, idx, c, new int[0],
                  new double[0], custom, hint);
        }
        builder.addHistogram(t, h.compact());
        continue;
      }
      add(name + "_count", labelText, null, t, stale ? StaleMarker.STALE_NAN : count,
          matchers, series, decoded);
      if (!sums.isNull(i) || stale) {
        add(name + "_sum", labelText, null, t, stale ? StaleMarker.STALE_NAN : sum,
            matchers, series, decoded);
      }
      if (MetricsTable.HISTOGRAM.equals(type)) {
        List<?> bucketCounts = buckets.isNull(i) ? List.of() : buckets.getObject(i);
        List<?> upper = bounds.isNull(i) ? List.of() : bounds.getObject(i);
        long cumulative = 0;
        for (int k = 0; k < bucketCounts.size(); k++) {
          cumulative += ((Number) bucketCounts.get(k)).longValue();
          String le =
              k < upper.size() ? formatBound(((Number) upper.get(k)).doubleValue()) : "+Inf";
          add(name + "_bucket", labelText, le, t,
              stale ? StaleMarker.STALE_NAN : cumulative, matchers, series, decoded);
        }
      } else if (!quantiles.isNull(i)) {
        for (Object q : quantiles.getObject(i)) {
          Map<?, ?> entry = (Map<?, ?>) q;
          double quantile = ((Number) entry.get(MetricsTable.QUANTILE)).doubleValue();
          double value = ((Number) entry.get(MetricsTable.QUANTILE_VALUE)).doubleValue();
          add(name, labelText, "q" + formatBound(quantile), t,
              stale ? StaleMarker.STALE_NAN : value, matchers, series, decoded);
        }
      }
    }
  }

  /** The counter-reset hint a remote-write histogram carried (kept in the row's metadata). */
  private static FloatHistogram.CounterResetHint resetHint(FieldVector metadata, int row) {
    if (metadata.isNull(row)) {
      return FloatHistogram.CounterResetHint.UNKNOWN;
    }
    Object entries = metadata.getObject(row);
    if (entries instanceof List<?> list) {
      for (Object entry : list) {
        if (entry instanceof Map<?, ?> kv
            && RESET_HINT_KEY.equals(String.valueOf(kv.get("key")))) {
          return switch (String.valueOf(kv.get("value"))) {
            case "yes" -> FloatHistogram.CounterResetHint.COUNTER_RESET;
            case "no" -> FloatHistogram.CounterResetHint.NOT_COUNTER_RESET;
            case "gauge" -> FloatHistogram.CounterResetHint.GAUGE;
            default -> FloatHistogram.CounterResetHint.UNKNOWN;
          };
        }
      }
    }
    return FloatHistogram.CounterResetHint.UNKNOWN;
  }

  private static final String RESET_HINT_KEY = "prometheus.reset_hint";

  /**
   * An exponential histogram's dense bucket counts as Prometheus bucket indexes (OTLP index j is
   * Prometheus's j + 1: OTLP buckets are named by their lower bound, Prometheus's by the upper).
   */
  private static double[] buckets(ListVector counts, IntVector offsets, int row, int[][] indexes) {
    List<?> dense = counts.isNull(row) ? List.of() : counts.getObject(row);
    int offset = offsets.isNull(row) ? 0 : offsets.get(row);
    int[] idx = new int[dense.size()];
    double[] c = new double[dense.size()];
    for (int k = 0; k < idx.length; k++) {
      idx[k] = offset + k + 1;
      c[k] = ((Number) dense.get(k)).doubleValue();
    }
    indexes[0] = idx;
    return c;
  }

  /**
   * Adds a sample of an expanded series; {@code extra} is a bucket's {@code le} value, or
   * {@code q} + a summary's quantile.
   */
  private static void add(
      String name, String labelText, String extra, long t, double value,
      List<LabelMatcher> matchers, Map<Labels, SeriesBuilder> series,
      Map<String, Labels> decoded) {
    String key = name + '\u0000' + labelText + (extra == null ? "" : '\u0000' + extra);
    SeriesBuilder builder = NumberRows.builder(key, extra, matchers, series, decoded);
    if (builder != null) {
      builder.add(t, value);
    }
  }


  /** {@code millis} in nanoseconds, saturated at the ends of the long range. */
  static long nanos(long millis) {
    long hi = Math.multiplyHigh(millis, NANOS_PER_MILLI);
    long lo = millis * NANOS_PER_MILLI;
    if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
      return lo;
    }
    return millis < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
  }

  private static long saturatedSubtract(long a, long b) {
    long r = a - b;
    return ((a ^ b) & (a ^ r)) < 0 ? Long.MIN_VALUE : r;
  }


  private static long millis(FieldVector time, int i) {
    long nanos =
        time instanceof TimeStampVector ts ? ts.get(i) : ((BigIntVector) time).get(i);
    return Math.floorDiv(nanos, NANOS_PER_MILLI);
  }

  /** A bucket bound or quantile as Prometheus's OTLP translation writes it (Go's 'f', -1). */
  static String formatBound(double v) {
    if (v == Double.POSITIVE_INFINITY) {
      return "+Inf";
    }
    if (v == Double.NEGATIVE_INFINITY) {
      return "-Inf";
    }
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (v == 0) {
      return "0";
    }
    return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }
}
