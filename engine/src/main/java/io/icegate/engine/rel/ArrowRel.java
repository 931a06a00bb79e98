package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.Operator;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.rel.RelNode;

/**
 * The calling contract of our physical plans: every node of the ARROW convention turns itself
 * into an {@link Operator} that produces Arrow batches.
 */
public interface ArrowRel extends RelNode {
  Convention CONVENTION = new Convention.Impl("ARROW", ArrowRel.class);

  /** Builds this node's operator (and its inputs'); the caller closes it. */
  Operator implement(ExecContext context);
}
