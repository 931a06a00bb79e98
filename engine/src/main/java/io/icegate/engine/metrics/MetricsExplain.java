package io.icegate.engine.metrics;

import io.icegate.engine.exec.QueryStats;
import io.icegate.engine.plan.QueryOptimizer;
import io.icegate.engine.promql.PromQLEngine;
import io.icegate.engine.promql.QueryResult;
import io.icegate.engine.rel.ArrowPromSelect;
import io.icegate.engine.series.LabelMatcher;
import io.icegate.engine.series.Series;
import io.icegate.engine.series.SeriesSource;
import io.icegate.engine.series.StepSelection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.calcite.rel.RelNode;

/**
 * EXPLAIN for PromQL. The language's operators run in the PromQL evaluator over series; what
 * reaches storage is each selection the evaluation makes — label matchers and a time range, after
 * offsets, {@code @}, lookback, range windows and subquery steps are applied. So the explanation
 * is the query as parsed, then every selection in the order the evaluation makes it, each with
 * the physical plans that read it (tenant, time and metric-name bounds pushed into the scans).
 *
 * <p>Plan only: the query is evaluated over a source that records selections and returns no
 * series, which costs no storage reads. Analyze: the query runs for real, and each plan that ran
 * is shown with what each node did; a selection's histogram and summary plan is listed only if
 * its number scan met such a row, as only then does it run. Vector matching, aggregations and
 * range functions over subqueries of float vectors run as plan nodes over step matrices ({@code
 * ArrowVectorMatch}, {@code ArrowPromAggregate}, {@code ArrowPromSubquery}); each such plan the
 * evaluation ran is listed first ("operator plan"). When the operands of vector matching and
 * aggregations are leaves evaluated in plans, the leaves' plans are those nodes' inputs (one
 * plan for the whole), and each leaf's selection is listed as composed into it.
 */
final class MetricsExplain {
  private MetricsExplain() {}

  /**
   * One series selection the evaluation made; {@code steps} set when it was a leaf evaluated in
   * a plan ({@link MetricsSeriesSource#selectSteps}).
   */
  private record Selection(
      List<LabelMatcher> matchers, long minTime, long maxTime, StepSelection steps) {
    Selection(List<LabelMatcher> matchers, long minTime, long maxTime) {
      this(matchers, minTime, maxTime, null);
    }

    Selection(StepSelection steps) {
      this(steps.matchers(), steps.minTime(), steps.maxTime(), steps);
    }
  }

  /**
   * The plan of the query {@code evaluation} runs, without reading data: {@code source} builds
   * the plans a selection would run.
   */
  static String plan(
      String parsed, MetricsSeriesSource source, Function<PromQLEngine, QueryResult> evaluation,
      Function<SeriesSource, PromQLEngine> engine) {
    List<Selection> selections = new ArrayList<>();
    List<RelNode> operatorPlans = new ArrayList<>();
    evaluation.apply(engine.apply(new SeriesSource() {
      @Override
      public List<Series> select(List<LabelMatcher> matchers, long min, long max) {
        selections.add(new Selection(List.copyOf(matchers), min, max));
        return List.of();
      }

      @Override
      public StepSelection.Held selectSteps(
          StepSelection selection, Consumer<VectorSchemaRoot> sink) {
        if (source.stepPlans(selection).isEmpty()) {
          return null;
        }
        selections.add(new Selection(selection));
        return new StepSelection.Held(0);
      }

      @Override
      public RelNode stepsPlan(StepSelection selection) {
        List<MetricsSeriesSource.PlanRun> plans = source.stepPlans(selection);
        if (plans.isEmpty()
            || !(plans.get(plans.size() - 1).plan() instanceof ArrowPromSelect leaf)) {
          return null;
        }
        selections.add(new Selection(selection));
        return leaf;
      }

      @Override
      public QueryStats runSteps(RelNode plan, Consumer<VectorSchemaRoot> sink) {
        // Not run: the plan is listed as an operator plan, over nothing read.
        return new QueryStats();
      }
    }).withPlanListener((plan, stats) -> operatorPlans.add(plan)));
    StringBuilder out = new StringBuilder("PromQL: ").append(parsed).append('\n');
    int p = 0;
    for (RelNode plan : operatorPlans) {
      section(out, "operator plan " + ++p, QueryOptimizer.explain(plan));
    }
    if (selections.isEmpty()) {
      out.append("no series selections: the query reads no storage\n");
    }
    int n = 0;
    for (Selection s : selections) {
      heading(out, ++n, s);
      List<MetricsSeriesSource.PlanRun> plans = s.steps() != null
          ? source.stepPlans(s.steps())
          : source.plans(s.matchers(), s.minTime(), s.maxTime());
      for (MetricsSeriesSource.PlanRun plan : plans) {
        section(out, plan.role(), QueryOptimizer.explain(plan.plan()));
      }
    }
    return out.toString();
  }

  /**
   * Runs the query {@code evaluation} describes and explains it with each plan's statistics:
   * {@code observed} makes a source that reports every plan it ran.
   */
  static String analyze(
      String parsed,
      Function<Consumer<MetricsSeriesSource.PlanRun>, MetricsSeriesSource> observed,
      Function<PromQLEngine, QueryResult> evaluation,
      Function<SeriesSource, PromQLEngine> engine) {
    StringBuilder selections = new StringBuilder();
    MetricsSeriesSource source =
        observed.apply(run -> section(
            selections, run.role(), QueryOptimizer.explainAnalyze(run.plan(), run.stats())));
    int[] count = {0};
    long[] readingNanos = {0};
    SeriesSource timed = new SeriesSource() {
      @Override
      public List<Series> select(List<LabelMatcher> matchers, long min, long max) {
        heading(selections, ++count[0], new Selection(matchers, min, max));
        long started = System.nanoTime();
        List<Series> series = source.select(matchers, min, max);
        long took = System.nanoTime() - started;
        readingNanos[0] += took;
        selections.append(String.format(
            Locale.ROOT, "  selected %d series in %.3f ms%n", series.size(), took / 1e6));
        return series;
      }

      @Override
      public StepSelection.Held selectSteps(
          StepSelection selection, Consumer<VectorSchemaRoot> sink) {
        // The heading goes first, the plans' sections after it; a declined selection's partial
        // output is taken back (its series are then selected and get their own heading).
        int mark = selections.length();
        heading(selections, ++count[0], new Selection(selection));
        long started = System.nanoTime();
        int[] rows = {0};
        StepSelection.Held held = source.selectSteps(selection, batch -> {
          rows[0] += batch.getRowCount();
          sink.accept(batch);
        });
        long took = System.nanoTime() - started;
        readingNanos[0] += took;
        if (held == null) {
          selections.setLength(mark);
          count[0]--;
          return null;
        }
        selections.append(String.format(
            Locale.ROOT, "  evaluated %d series in %.3f ms%n", rows[0], took / 1e6));
        return held;
      }

      @Override
      public RelNode stepsPlan(StepSelection selection) {
        // As selectSteps: the heading first, then what looking for family rows ran.
        int mark = selections.length();
        heading(selections, ++count[0], new Selection(selection));
        RelNode plan = source.stepsPlan(selection);
        if (plan == null) {
          selections.setLength(mark);
          count[0]--;
          return null;
        }
        selections.append("  evaluated in an operator plan with the nodes above it\n");
        return plan;
      }

      @Override
      public QueryStats runSteps(RelNode plan, Consumer<VectorSchemaRoot> sink) {
        long started = System.nanoTime();
        QueryStats stats = source.runSteps(plan, sink);
        readingNanos[0] += System.nanoTime() - started;
        return stats;
      }
    };
    StringBuilder operators = new StringBuilder();
    int[] plans = {0};
    long started = System.nanoTime();
    QueryResult result = evaluation.apply(engine.apply(timed).withPlanListener(
        (plan, stats) -> section(operators, "operator plan " + ++plans[0],
            QueryOptimizer.explainAnalyze(plan, stats))));
    long total = System.nanoTime() - started;
    StringBuilder out = new StringBuilder("PromQL: ").append(parsed).append('\n');
    out.append(String.format(
        Locale.ROOT,
        "evaluation: %.3f ms in all, %.3f ms of it selecting series; result: %s%n",
        total / 1e6, readingNanos[0] / 1e6, describe(result)));
    if (count[0] == 0) {
      out.append("no series selections: the query reads no storage\n");
    }
    return out.append(operators).append(selections).toString();
  }

  private static String describe(QueryResult result) {
    if (result instanceof QueryResult.VectorResult v) {
      return "vector of " + v.samples().size() + " series";
    }
    if (result instanceof QueryResult.MatrixResult m) {
      long points = 0;
      for (Series s : m.series()) {
        points += s.size();
      }
      return "matrix of " + m.series().size() + " series, " + points + " points";
    }
    return result instanceof QueryResult.ScalarResult ? "scalar" : "string";
  }

  private static void heading(StringBuilder out, int n, Selection s) {
    out.append("selection ").append(n).append(": ")
        .append(StepSelection.matchersText(s.matchers()));
    out.append(" from ").append(time(s.minTime())).append(" to ").append(time(s.maxTime()));
    if (s.steps() != null) {
      out.append(" (").append(s.steps().opText()).append(" evaluated in the plan)");
    }
    out.append('\n');
  }

  private static String time(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }

  private static void section(StringBuilder out, String role, String plan) {
    out.append("  ").append(role).append(":\n");
    for (String line : plan.split("\n")) {
      if (!line.isEmpty()) {
        out.append("    ").append(line).append('\n');
      }
    }
  }
}
