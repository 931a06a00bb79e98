package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.GatherOperator;
import io.icegate.engine.exec.Operator;
import io.icegate.storage.scan.ScanPlan;
import io.icegate.storage.scan.ScanRequest;
import io.icegate.storage.scan.ScanSplit;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.util.ImmutableBitSet;
import org.apache.calcite.rel.SingleRel;

/**
 * Reads its input — a scan with the filters, projections and LogQL pipelines above it — in
 * parallel, one copy per split of the scan (a row group of an Iceberg file, or a WAL segment),
 * and passes the batches on in split order ({@link GatherOperator}). {@link #parallelize} puts
 * one above every such fragment of a physical plan, and splits a grouping without aggregate
 * functions over a fragment into a per-split grouping below the gather and a final one above.
 */
public final class ArrowGather extends SingleRel implements ArrowRel {
  public ArrowGather(RelOptCluster cluster, RelTraitSet traits, RelNode input) {
    super(cluster, traits, input);
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new ArrowGather(getCluster(), traitSet, sole(inputs));
  }

  /**
   * {@code plan} with a gather above each largest fragment that runs split by split: a chain of
   * filters, projections and pipelines over a scan, under whatever needs all rows at once
   * (sort, aggregate) or at the top.
   */
  public static ArrowRel parallelize(ArrowRel plan) {
    ArrowRel topFirst = topNBeforePipeline(plan);
    if (topFirst != null) {
      return topFirst;
    }
    if (isFragment(plan)) {
      return new ArrowGather(plan.getCluster(), plan.getTraitSet(), plan);
    }
    if (plan instanceof ArrowAggregate distinct
        && distinct.getAggCallList().isEmpty()
        && distinct.getGroupType() == org.apache.calcite.rel.core.Aggregate.Group.SIMPLE
        && isFragment(distinct.getInput())) {
      // A grouping without aggregate functions (distinct keys) merges partial states exactly:
      // each split's thread reduces its rows to its distinct keys, and the same grouping over
      // the gathered keys gives the distinct keys of all rows.
      ArrowRel partial = (ArrowRel) distinct.copy(distinct.getTraitSet(), distinct.getInputs());
      ArrowGather gather = new ArrowGather(plan.getCluster(), plan.getTraitSet(), partial);
      return (ArrowRel)
          distinct.copy(
              distinct.getTraitSet(),
              gather,
              ImmutableBitSet.range(distinct.getGroupCount()),
              null,
              List.of());
    }
    List<RelNode> inputs = new ArrayList<>();
    boolean changed = false;
    for (RelNode input : plan.getInputs()) {
      RelNode rewritten = input instanceof ArrowRel arrow ? parallelize(arrow) : input;
      changed |= rewritten != input;
      inputs.add(rewritten);
    }
    return changed ? (ArrowRel) plan.copy(plan.getTraitSet(), inputs) : plan;
  }

  /**
   * A log query's newest-or-oldest N entries, when its pipeline keeps every row: each split keeps
   * its own top N by timestamp, the gather merges them to the top N, and only those N entries run
   * through the pipeline (which builds every entry's labels — the costly part) before the final
   * sort. Without this, the pipeline ran on every row the filters passed, typically ten times
   * the limit. A pipeline that may drop rows (line or label filters) must see every row, since
   * which N survive depends on it. Null when the plan is not such a query.
   */
  private static ArrowRel topNBeforePipeline(ArrowRel plan) {
    if (!(plan instanceof ArrowSort sort)
        || sort.fetch == null
        || sort.offset != null
        || !(sort.getInput() instanceof ArrowLogPipeline pipeline)
        || !isFragment(pipeline)
        || !pipeline.stages().stream().allMatch(ArrowGather::keepsEveryRow)
        || sort.getCollation().getFieldCollations().isEmpty()
        || !sort.getCollation().getFieldCollations().stream()
            .allMatch(c -> c.getFieldIndex() == 0)) {
      return null;
    }
    // The pipeline's first output column is its first input column, the timestamp, unchanged.
    RelNode below = pipeline.getInput();
    RelNode perSplit =
        sort.copy(sort.getTraitSet(), below, sort.getCollation(), null, sort.fetch);
    ArrowGather gather = new ArrowGather(plan.getCluster(), plan.getTraitSet(), perSplit);
    RelNode merged = sort.copy(sort.getTraitSet(), gather, sort.getCollation(), null, sort.fetch);
    RelNode piped = pipeline.copy(pipeline.getTraitSet(), List.of(merged));
    return (ArrowRel) sort.copy(sort.getTraitSet(), List.of(piped));
  }

  /** Stages that never drop an entry: parsers, formatters, label drops and keeps. */
  private static boolean keepsEveryRow(io.icegate.logql.ast.PipelineStage stage) {
    return !(stage instanceof io.icegate.logql.ast.LineFilter
        || stage instanceof io.icegate.logql.ast.IpLineFilter
        || stage instanceof io.icegate.logql.ast.PatternLineFilter
        || stage instanceof io.icegate.logql.ast.LabelFilterStage);
  }

  /** A scan with only row-by-row operators above it: each split can run on its own. */
  private static boolean isFragment(RelNode rel) {
    while (rel instanceof ArrowFilter || rel instanceof ArrowProject
        || rel instanceof ArrowLogPipeline) {
      rel = rel.getInput(0);
    }
    return rel instanceof ArrowTableScan;
  }

  private ArrowTableScan scan() {
    RelNode rel = getInput();
    while (!(rel instanceof ArrowTableScan)) {
      rel = rel.getInput(0);
    }
    return (ArrowTableScan) rel;
  }

  @Override
  public Operator implement(ExecContext context) {
    ArrowRel input = (ArrowRel) getInput();
    ArrowTableScan scan = scan();
    if (context.parallelism() < 2 || context.assignedSplits() != null
        || scan.bounds().tenant() == null) {
      return input.implement(context);
    }
    ScanRequest request = scan.request();
    ScanPlan plan = context.scanner().plan(request);
    context.stats().addFiles(plan.files().size(), plan.filesPruned());
    List<ScanSplit> splits = context.scanner().splits(plan);
    return context.measure(this, new GatherOperator(context, splits, input::implement));
  }
}
