package io.icegate.engine.expr;

import com.google.re2j.Pattern;
import io.icegate.engine.plan.IceGateFunctions;
import io.icegate.protocol.loki.LabelSetCodec;
import java.util.Map;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;

/**
 * Evaluates an expression over a single string value — the one column it reads. Used only by
 * {@link DistinctValueKernel}, once per distinct value, never per row.
 */
final class ScalarEvaluator {
  private final Map<String, Pattern> patterns;

  ScalarEvaluator(Map<String, Pattern> patterns) {
    this.patterns = patterns;
  }

  Object eval(RexNode node, String value) {
    if (node instanceof RexInputRef) {
      return value;
    }
    if (node instanceof RexLiteral literal) {
      Object v = literal.getValueAs(String.class);
      return v != null ? v : literal.getValueAs(Boolean.class);
    }
    RexCall call = (RexCall) node;
    var operands = call.getOperands();
    if (call.getOperator() == IceGateFunctions.LABEL_VALUE) {
      String labels = (String) eval(operands.get(0), value);
      String name = (String) eval(operands.get(1), value);
      String result = labels == null ? null : LabelSetCodec.get(labels, name);
      return result == null ? "" : result;
    }
    if (call.getOperator() == IceGateFunctions.RE2_FULL_MATCH
        || call.getOperator() == IceGateFunctions.RE2_FIND) {
      String subject = (String) eval(operands.get(0), value);
      Pattern pattern = patterns.get((String) eval(operands.get(1), value));
      if (subject == null) {
        return false;
      }
      return call.getOperator() == IceGateFunctions.RE2_FULL_MATCH
          ? pattern.matches(subject)
          : pattern.matcher(subject).find();
    }
    if (call.getOperator() == IceGateFunctions.CONTAINS_SUBSTRING) {
      String subject = (String) eval(operands.get(0), value);
      return subject != null && subject.contains((String) eval(operands.get(1), value));
    }
    return switch (call.getKind()) {
      case AND -> operands.stream().allMatch(o -> Boolean.TRUE.equals(eval(o, value)));
      case OR -> operands.stream().anyMatch(o -> Boolean.TRUE.equals(eval(o, value)));
      case NOT -> !Boolean.TRUE.equals(eval(operands.get(0), value));
      case EQUALS, NOT_EQUALS, LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN,
          GREATER_THAN_OR_EQUAL -> {
        Object left = eval(operands.get(0), value);
        Object right = eval(operands.get(1), value);
        if (left == null || right == null) {
          yield false;
        }
        yield CompareKernels.test(call.getKind(), compareUtf8((String) left, (String) right));
      }
      default -> throw new UnsupportedOperationException("cannot evaluate " + call);
    };
  }

  /** Orders as unsigned UTF-8 bytes do, like the vector kernels. */
  private static int compareUtf8(String a, String b) {
    return java.util.Arrays.compareUnsigned(
        a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
