package io.icegate.engine.expr;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.plan.IceGateFunctions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeName;
import org.junit.jupiter.api.Test;

class PredicateCompilerRequiredBytesTest {
  private final JavaTypeFactoryImpl types = new JavaTypeFactoryImpl();
  private final RexBuilder rex = new RexBuilder(types);
  private final RelDataType varchar = types.createSqlType(SqlTypeName.VARCHAR);

  @Test
  void everyLineFilterUnderTheTopLevelAndGivesANeedleLongestFirst() {
    RexNode line = rex.makeInputRef(varchar, 0);
    RexNode other = rex.makeInputRef(varchar, 1);
    RexNode condition =
        rex.makeCall(SqlStdOperatorTable.AND,
            rex.makeCall(IceGateFunctions.CONTAINS_SUBSTRING, line, rex.makeLiteral("err")),
            rex.makeCall(IceGateFunctions.CONTAINS_SUBSTRING, line, rex.makeLiteral("timeouts")),
            // Every match of this regex contains "failed".
            rex.makeCall(IceGateFunctions.RE2_FIND, line, rex.makeLiteral("user_[0-9]+ failed")),
            rex.makeCall(IceGateFunctions.CONTAINS_SUBSTRING, other, rex.makeLiteral("abc")));

    Map<Integer, List<byte[]>> all = PredicateCompiler.allRequiredBytes(condition);
    assertThat(all.get(0)).extracting(PredicateCompilerRequiredBytesTest::text)
        .containsExactly("timeouts", " failed", "err");
    assertThat(all.get(1)).extracting(PredicateCompilerRequiredBytesTest::text)
        .containsExactly("abc");
    assertThat(text(PredicateCompiler.requiredBytes(condition).get(0))).isEqualTo("timeouts");
  }

  @Test
  void filtersUnderAnOrRequireNothing() {
    RexNode line = rex.makeInputRef(varchar, 0);
    RexNode condition =
        rex.makeCall(SqlStdOperatorTable.OR,
            rex.makeCall(IceGateFunctions.CONTAINS_SUBSTRING, line, rex.makeLiteral("a1")),
            rex.makeCall(IceGateFunctions.CONTAINS_SUBSTRING, line, rex.makeLiteral("b2")));
    assertThat(PredicateCompiler.allRequiredBytes(condition)).isEmpty();
  }

  @Test
  void labelConjunctsAnEmptyLabelSetFailsGiveAnEntryTestPerColumn() {
    RexNode streams = rex.makeInputRef(varchar, 0);
    RexNode other = rex.makeInputRef(varchar, 1);
    RexNode condition =
        rex.makeCall(SqlStdOperatorTable.AND,
            rex.makeCall(SqlStdOperatorTable.EQUALS,
                rex.makeCall(IceGateFunctions.LABEL_VALUE, streams, rex.makeLiteral("job")),
                rex.makeLiteral("api")),
            rex.makeCall(IceGateFunctions.RE2_FULL_MATCH,
                rex.makeCall(IceGateFunctions.LABEL_VALUE, streams, rex.makeLiteral("zone")),
                rex.makeLiteral("eu-.*")),
            // An absent label passes these: no entry test comes of them.
            rex.makeCall(SqlStdOperatorTable.NOT_EQUALS,
                rex.makeCall(IceGateFunctions.LABEL_VALUE, streams, rex.makeLiteral("env")),
                rex.makeLiteral("dev")),
            rex.makeCall(SqlStdOperatorTable.EQUALS,
                rex.makeCall(IceGateFunctions.LABEL_VALUE, other, rex.makeLiteral("x")),
                rex.makeLiteral("")),
            rex.makeCall(IceGateFunctions.CONTAINS_SUBSTRING, other, rex.makeLiteral("abc")));
    var tests = PredicateCompiler.entryTests(condition, rex);
    assertThat(tests).containsOnlyKeys(0);
    assertThat(tests.get(0).replacement()).isEqualTo("{}");
    var test = tests.get(0).test();
    assertThat(test.test("{job=\"api\", zone=\"eu-west\"}")).isTrue();
    // Both conjuncts count; the env one does not (env="dev" here is for the filter to drop).
    assertThat(test.test("{env=\"dev\", job=\"api\", zone=\"eu-1\"}")).isTrue();
    assertThat(test.test("{job=\"api\", zone=\"us-east\"}")).isFalse();
    assertThat(test.test("{job=\"web\", zone=\"eu-west\"}")).isFalse();
    assertThat(test.test("{}")).isFalse();
    // Under an OR nothing is required of the column.
    RexNode either =
        rex.makeCall(SqlStdOperatorTable.OR,
            rex.makeCall(SqlStdOperatorTable.EQUALS,
                rex.makeCall(IceGateFunctions.LABEL_VALUE, streams, rex.makeLiteral("job")),
                rex.makeLiteral("api")),
            rex.makeCall(IceGateFunctions.CONTAINS_SUBSTRING, other, rex.makeLiteral("abc")));
    assertThat(PredicateCompiler.entryTests(either, rex)).isEmpty();
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
