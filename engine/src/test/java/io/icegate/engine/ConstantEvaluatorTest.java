package io.icegate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.logql.ConstantEvaluator;
import io.icegate.logql.LogQL;
import io.icegate.logql.ast.SampleExpr;
import org.junit.jupiter.api.Test;

class ConstantEvaluatorTest {
  @Test
  void grafanasHealthCheckIsAOneSampleVectorOfTwo() {
    var value = eval("vector(1)+vector(1)");
    assertThat(value.scalar()).isFalse();
    assertThat(value.present()).isTrue();
    assertThat(value.value()).isEqualTo(2.0);
  }

  @Test
  void scalarsStayScalarsAndFollowIeeeArithmetic() {
    assertThat(eval("1 + 2 * 3")).isEqualTo(new ConstantEvaluator.Value(true, true, 7));
    assertThat(eval("vector(1) / 0").value()).as("Loki: NaN, not +Inf").isNaN();
    assertThat(eval("vector(1) % 0").value()).isNaN();
    assertThat(eval("-7 % 3").value()).isEqualTo(-1.0);
    assertThat(eval("2 ^ 10").value()).isEqualTo(1024.0);
  }

  @Test
  void vectorComparisonsFilterUnlessBool() {
    assertThat(eval("vector(3) > 2")).isEqualTo(new ConstantEvaluator.Value(false, true, 3));
    assertThat(eval("vector(1) > 2").present()).isFalse();
    assertThat(eval("vector(1) > bool 2")).isEqualTo(new ConstantEvaluator.Value(false, true, 0));
    assertThat(eval("2 < bool 3")).isEqualTo(new ConstantEvaluator.Value(true, true, 1));
  }

  @Test
  void setOperatorsWorkOnLabelLessSamples() {
    assertThat(eval("vector(1) and vector(2)").value()).isEqualTo(1.0);
    assertThat(eval("(vector(1) > 5) or vector(2)").value()).isEqualTo(2.0);
    assertThat(eval("vector(1) unless vector(2)").present()).isFalse();
  }

  @Test
  void onlyDataFreeExpressionsAreConstant() {
    assertThat(ConstantEvaluator.isConstant((SampleExpr) LogQL.parse("vector(1) * 2"))).isTrue();
    assertThat(ConstantEvaluator.isConstant(
        (SampleExpr) LogQL.parse("sum(rate({a=\"b\"}[1m])) + 1"))).isFalse();
  }

  private static ConstantEvaluator.Value eval(String query) {
    return ConstantEvaluator.evaluate((SampleExpr) LogQL.parse(query));
  }
}
