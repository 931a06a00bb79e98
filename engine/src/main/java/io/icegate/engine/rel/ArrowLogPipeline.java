package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.LogPipelineOperator;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.logql.pipeline.LogPipeline;
import io.icegate.logql.ast.PipelineStage;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.rel.type.RelDataType;

/**
 * Runs LogQL pipeline stages over batches of log entries ({@link LogPipelineOperator}). Input
 * columns: timestamp, stream_labels, body, then structured metadata columns by name; output:
 * timestamp, the entry's final label set, its final line.
 */
public final class ArrowLogPipeline extends SingleRel implements ArrowRel {
  private final List<PipelineStage> stages;
  private final String text;
  private final List<String> readLabels;

  /**
   * @param readLabels the only output labels whose values the consumer reads, or null for all: a
   *     metric query's {@code by} grouping. With no stages, an entry whose stream labels hold
   *     them all keeps its stream labels as they are — structured metadata can't change them
   *     (a metadata name equal to a stream label's is renamed) — so its metadata is not looked
   *     at.
   */
  public ArrowLogPipeline(
      RelOptCluster cluster,
      RelTraitSet traits,
      RelNode input,
      List<PipelineStage> stages,
      String text,
      List<String> readLabels) {
    super(cluster, traits, input);
    this.stages = List.copyOf(stages);
    this.text = text;
    this.readLabels = readLabels == null ? null : List.copyOf(readLabels);
  }

  static RelDataType outputType(RelOptCluster cluster, RelDataType input) {
    var builder = cluster.getTypeFactory().builder();
    for (int i = 0; i < 3; i++) {
      builder.add(input.getFieldList().get(i));
    }
    return builder.build();
  }

  public List<PipelineStage> stages() {
    return stages;
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new ArrowLogPipeline(getCluster(), traitSet, sole(inputs), stages, text, readLabels);
  }

  @Override
  protected RelDataType deriveRowType() {
    return outputType(getCluster(), getInput().getRowType());
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw)
        .item("stages", text)
        .itemIf("readLabels", readLabels == null ? "" : String.join(", ", readLabels),
            readLabels != null);
  }

  /**
   * With no stages and only {@code readLabels} read, an entry whose stream holds those labels
   * needs none of its structured metadata ({@link LogPipelineOperator} keeps its stream labels):
   * over a filtered scan ({@code Project(Filter(Scan))}, the planner's shape), the metadata
   * columns are then optional for the scan's reader. Null otherwise.
   */
  private ExecContext.OptionalLate optionalLate() {
    if (!stages.isEmpty() || readLabels == null
        || !(getInput() instanceof ArrowProject project)
        || !(project.getInput() instanceof ArrowFilter filter)
        || !(filter.getInput() instanceof ArrowTableScan scan)) {
      return null;
    }
    List<String> scanNames = scan.getRowType().getFieldNames();
    List<org.apache.calcite.rex.RexNode> projects = project.getProjects();
    if (projects.size() <= 3
        || !(projects.get(1) instanceof org.apache.calcite.rex.RexInputRef streams)) {
      return null;
    }
    List<String> metadata = new java.util.ArrayList<>();
    for (int k = 3; k < projects.size(); k++) {
      if (!(projects.get(k) instanceof org.apache.calcite.rex.RexInputRef ref)) {
        return null;
      }
      metadata.add(scanNames.get(ref.getIndex()));
    }
    return new ExecContext.OptionalLate(
        metadata, scanNames.get(streams.getIndex()), readLabels);
  }

  @Override
  public Operator implement(ExecContext context) {
    LogPipeline pipeline = LogPipeline.compile(stages);
    List<String> inputNames = getInput().getRowType().getFieldNames();
    ExecContext.OptionalLate late = optionalLate();
    ExecContext below = late == null ? context : context.withOptionalLate(late);
    java.util.function.Predicate<String> keys =
        LogPipelineOperator.mapKeysRead(pipeline, inputNames, readLabels);
    if (keys != null) {
      below = below.withMapKeys(keys);
    }
    Operator input = ((ArrowRel) getInput()).implement(below);
    return context.measure(this, new LogPipelineOperator(
        context, input, pipeline, inputNames, stages.isEmpty(), readLabels));
  }
}
