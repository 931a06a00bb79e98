package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.GatherOperator;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.exec.TopNBound;
import io.icegate.storage.scan.ScanPlan;
import io.icegate.storage.scan.ScanRequest;
import io.icegate.storage.scan.ScanSplit;
import io.icegate.storage.table.TableDefinition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.rex.RexInputRef;

/**
 * Reads its input — a scan with the filters, projections and LogQL pipelines above it — in
 * parallel, one copy per split of the scan (a row group of an Iceberg file, or a WAL segment),
 * and passes the batches on in split order ({@link GatherOperator}). {@link #parallelize} puts
 * one above every such fragment of a physical plan, and splits an aggregate over a fragment whose
 * calls all merge into a per-split partial aggregate below the gather and a final one above.
 */
public final class ArrowGather extends SingleRel implements ArrowRel {
  /** The top-N's first key when this gathers the splits' own top-Ns, else null. */
  private final RelFieldCollation topN;
  /** Whether batches are passed on in split order (else as they come). */
  private final boolean inSplitOrder;

  public ArrowGather(RelOptCluster cluster, RelTraitSet traits, RelNode input) {
    this(cluster, traits, input, null);
  }

  /**
   * @param topN when the input is a per-split top-N whose first key is the scan's {@code
   *     timestamp}: that key. The splits are then read newest (or oldest) file first and share
   *     a cut-off ({@link TopNBound}) that lets each skip what can no longer make the answer.
   */
  public ArrowGather(
      RelOptCluster cluster, RelTraitSet traits, RelNode input, RelFieldCollation topN) {
    this(cluster, traits, input, topN, true);
  }

  private ArrowGather(
      RelOptCluster cluster, RelTraitSet traits, RelNode input, RelFieldCollation topN,
      boolean inSplitOrder) {
    super(cluster, traits, input);
    this.topN = topN;
    this.inSplitOrder = inSplitOrder;
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new ArrowGather(getCluster(), traitSet, sole(inputs), topN, inSplitOrder);
  }

  /**
   * {@code plan} with its top gather, if it has one at the top, passing batches on as they come
   * rather than in split order: for callers that don't depend on the order of rows (a LogQL
   * range aggregation, which orders each series' samples by time itself). Split order would
   * leave a thread idle whenever the split being drained is slower than those read ahead.
   */
  public static ArrowRel inAnyOrder(ArrowRel plan) {
    if (plan instanceof ArrowGather gather && gather.inSplitOrder) {
      return new ArrowGather(
          gather.getCluster(), gather.getTraitSet(), gather.getInput(), gather.topN, false);
    }
    return plan;
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw)
        .itemIf(
            "topN",
            TableDefinition.TIMESTAMP + (topN == null || topN.direction.isDescending()
                ? " DESC" : " ASC"),
            topN != null)
        .itemIf("order", "any", !inSplitOrder);
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
    ArrowRel topN = perSplitTopN(plan);
    if (topN != null) {
      return topN;
    }
    if (isFragment(plan)) {
      return new ArrowGather(plan.getCluster(), plan.getTraitSet(), plan);
    }
    if (plan instanceof ArrowPromSelect select && isFragment(select.getInput())) {
      // Each split's thread reads its rows into per-series samples (the per-row work); the
      // selection above the gather joins the pieces of each series and evaluates it.
      ArrowGather gather = new ArrowGather(plan.getCluster(), plan.getTraitSet(),
          new ArrowPromSelectSplit(
              plan.getCluster(), plan.getTraitSet(), select.getInput(), select.selection()));
      return (ArrowRel) select.copy(select.getTraitSet(), List.of(gather));
    }
    if (plan instanceof ArrowAggregate aggregate
        && aggregate.splittable()
        && isFragment(aggregate.getInput())) {
      // Every call merges from per-split states (counts add up, sums add, minima take the
      // minimum, variances combine count, mean and M2): each split's thread reduces its rows to
      // one row of states per group, and the aggregate above merges the gathered states.
      ArrowAggregate partial = aggregate.partial(aggregate.getInput());
      ArrowGather gather = new ArrowGather(plan.getCluster(), plan.getTraitSet(), partial);
      return aggregate.merging(gather);
    }
    if (plan instanceof ArrowTopNPerGroup top
        && top.numbered()
        && isFragment(top.getInput())) {
      // Each split's thread keeps its own first k rows per group; the top N above the gather
      // picks the first k of those (which of equal rows wins is unspecified in SQL anyway).
      ArrowGather gather =
          new ArrowGather(plan.getCluster(), plan.getTraitSet(), top.perSplit(top.getInput()));
      return (ArrowRel) top.copy(top.getTraitSet(), List.of(gather));
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
        || sort.getCollation().getFieldCollations().get(0).getFieldIndex() != 0
        || !sort.getCollation().getFieldCollations().stream()
            .allMatch(c -> c.getFieldIndex() <= 1)) {
      return null;
    }
    // The pipeline's first output column is its first input column, the timestamp, unchanged;
    // its second, the entry's labels, is the stream's labels below it. Ties below the pipeline
    // are thus broken by the stream's labels as stored — stages that rewrite labels (which
    // never drop an entry) may order equal timestamps differently above it.
    RelNode below = pipeline.getInput();
    RelNode perSplit =
        sort.copy(sort.getTraitSet(), below, sort.getCollation(), null, sort.fetch);
    ArrowGather gather =
        new ArrowGather(
            plan.getCluster(), plan.getTraitSet(), perSplit, timestampKey(sort, below));
    RelNode merged = sort.copy(sort.getTraitSet(), gather, sort.getCollation(), null, sort.fetch);
    RelNode piped = pipeline.copy(pipeline.getTraitSet(), List.of(merged));
    return (ArrowRel) sort.copy(sort.getTraitSet(), List.of(piped));
  }

  /**
   * A top-N over a fragment whose rows may be dropped anywhere in it: each split keeps its own
   * top N of what its filters and pipeline pass, and the gather merges them to the top N. When
   * the first key is the scan's timestamp, the splits also share a cut-off ({@link
   * TopNBound}). Null when the plan is not a top-N over a fragment.
   */
  private static ArrowRel perSplitTopN(ArrowRel plan) {
    if (!(plan instanceof ArrowSort sort)
        || sort.fetch == null
        || sort.offset != null
        || sort.getCollation().getFieldCollations().isEmpty()
        || !isFragment(sort.getInput())) {
      return null;
    }
    RelNode perSplit =
        sort.copy(sort.getTraitSet(), sort.getInput(), sort.getCollation(), null, sort.fetch);
    ArrowGather gather =
        new ArrowGather(
            plan.getCluster(), plan.getTraitSet(), perSplit, timestampKey(sort, sort.getInput()));
    return (ArrowRel)
        sort.copy(sort.getTraitSet(), gather, sort.getCollation(), null, sort.fetch);
  }

  /** {@code sort}'s first key if it is {@code input}'s scan's timestamp column, else null. */
  private static RelFieldCollation timestampKey(ArrowSort sort, RelNode input) {
    RelFieldCollation first = sort.getCollation().getFieldCollations().get(0);
    return TableDefinition.TIMESTAMP.equals(scanColumn(input, first.getFieldIndex()))
        ? first : null;
  }

  /**
   * The scan column that column {@code index} of {@code rel} passes on unchanged, through
   * filters, plain column projections and pipelines (which pass their first column, the
   * timestamp, as it is); null when it is computed.
   */
  private static String scanColumn(RelNode rel, int index) {
    if (rel instanceof ArrowTableScan scan) {
      return scan.getRowType().getFieldNames().get(index);
    }
    if (rel instanceof ArrowFilter filter) {
      return scanColumn(filter.getInput(), index);
    }
    if (rel instanceof ArrowProject project
        && project.getProjects().get(index) instanceof RexInputRef ref) {
      return scanColumn(project.getInput(), ref.getIndex());
    }
    if (rel instanceof ArrowLogPipeline pipeline && index == 0) {
      return scanColumn(pipeline.getInput(), 0);
    }
    return null;
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
    ExecContext fragments = context;
    if (topN != null) {
      boolean descending = topN.direction.isDescending();
      // Newest files first (oldest for an oldest-first answer): the cut-off tightens soonest.
      splits = new ArrayList<>(splits);
      splits.sort(
          descending
              ? Comparator.comparingLong((ScanSplit s) -> s.file().maxTimestampNanos()).reversed()
              : Comparator.comparingLong((ScanSplit s) -> s.file().minTimestampNanos()));
      fragments = context.withTopNBound(new TopNBound(TableDefinition.TIMESTAMP, descending));
    }
    return context.measure(
        this, new GatherOperator(fragments, splits, input::implement, inSplitOrder));
  }
}
