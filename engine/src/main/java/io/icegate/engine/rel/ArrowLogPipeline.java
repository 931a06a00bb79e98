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

  @Override
  public Operator implement(ExecContext context) {
    LogPipeline pipeline = LogPipeline.compile(stages);
    List<String> inputNames = getInput().getRowType().getFieldNames();
    Operator input = ((ArrowRel) getInput()).implement(context);
    return context.measure(this, new LogPipelineOperator(
        context, input, pipeline, inputNames, stages.isEmpty(), readLabels));
  }
}
