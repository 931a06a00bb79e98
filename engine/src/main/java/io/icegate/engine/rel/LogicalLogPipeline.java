package io.icegate.engine.rel;

import io.icegate.logql.ast.PipelineStage;
import java.util.List;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.rel.type.RelDataType;

/**
 * The LogQL stages that cannot run in the scan (parsers, formatters, label filters, …), as one
 * logical node: its input is {@code (timestamp, stream_labels, body, structured metadata…)}, its
 * output {@code (timestamp, stream_labels, body)} with each entry's final labels and line. Lines
 * the stages drop are gone. {@link ArrowRules#LOG_PIPELINE} makes it an {@link ArrowLogPipeline}.
 */
public final class LogicalLogPipeline extends SingleRel {
  private final List<PipelineStage> stages;
  private final String text;
  private final List<String> readLabels;

  /**
   * {@code text} is the stages printed as LogQL, for EXPLAIN; {@code readLabels} the only output
   * labels whose values the consumer reads (null: all of them), see {@link ArrowLogPipeline}.
   */
  public LogicalLogPipeline(
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

  public static LogicalLogPipeline create(
      RelNode input, List<PipelineStage> stages, String text, List<String> readLabels) {
    return new LogicalLogPipeline(
        input.getCluster(), input.getCluster().traitSetOf(Convention.NONE), input, stages, text,
        readLabels);
  }

  public List<String> readLabels() {
    return readLabels;
  }

  public List<PipelineStage> stages() {
    return stages;
  }

  public String text() {
    return text;
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new LogicalLogPipeline(getCluster(), traitSet, sole(inputs), stages, text, readLabels);
  }

  @Override
  protected RelDataType deriveRowType() {
    return ArrowLogPipeline.outputType(getCluster(), getInput().getRowType());
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw)
        .item("stages", text)
        .itemIf("readLabels", readLabels == null ? "" : String.join(", ", readLabels),
            readLabels != null);
  }
}
