package io.icegate.promql;

import io.icegate.promql.ast.PositionRange;
import io.icegate.promql.parser.PromQLLexer;
import io.icegate.promql.parser.PromQLParser.AggregateExprContext;
import io.icegate.promql.parser.PromQLParser.AtValueContext;
import io.icegate.promql.parser.PromQLParser.GroupingLabelsContext;
import io.icegate.promql.parser.PromQLParser.LabelMatcherContext;
import io.icegate.promql.parser.PromQLParser.LabelMatchersContext;
import io.icegate.promql.parser.PromQLParser.OffsetValueContext;
import io.icegate.promql.parser.PromQLParser.RangeExprContext;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.ATNState;
import org.antlr.v4.runtime.misc.IntervalSet;
import org.antlr.v4.runtime.tree.ParseTree;

/**
 * Stops at the first syntax error and words it as Prometheus does: {@code unexpected <token>},
 * and where Prometheus's grammar has an error rule for the construct being read, {@code in
 * <construct>, expected <what>} ({@code unexpected "}" in label matching, expected string}).
 *
 * <p>Prometheus's parser (yacc) recovers from an error in the innermost construct that declares
 * one, so the message names that construct; we find it by walking up the rules being parsed at
 * the error. A lexical error met by the parser is reported with the scanner's own message.
 */
final class PrometheusErrorStrategy extends DefaultErrorStrategy {
  private final QueryText query;

  PrometheusErrorStrategy(QueryText query) {
    this.query = query;
  }

  @Override
  public void reportError(Parser parser, RecognitionException e) {
    throw syntaxError(parser, e.getOffendingToken());
  }

  @Override
  public Token recoverInline(Parser parser) {
    throw nextTokensContext == null
        ? new InputMismatchException(parser)
        : new InputMismatchException(parser, nextTokensState, nextTokensContext);
  }

  @Override
  public void recover(Parser recognizer, RecognitionException e) {
    throw syntaxError(recognizer, e.getOffendingToken());
  }

  @Override
  public void sync(Parser parser) {
    // The default strategy's sync, less its recovery: fail where a loop or optional block cannot
    // start with the next token.
    ATNState state = parser.getInterpreter().atn.states.get(parser.getState());
    int next = parser.getInputStream().LA(1);
    IntervalSet possible = parser.getATN().nextTokens(state);
    if (possible.contains(next)) {
      nextTokensContext = null;
      nextTokensState = ATNState.INVALID_STATE_NUMBER;
      return;
    }
    if (possible.contains(Token.EPSILON)) {
      if (nextTokensContext == null) {
        nextTokensContext = parser.getContext();
        nextTokensState = parser.getState();
      }
      return;
    }
    switch (state.getStateType()) {
      case ATNState.BLOCK_START,
          ATNState.STAR_BLOCK_START,
          ATNState.PLUS_BLOCK_START,
          ATNState.STAR_LOOP_ENTRY,
          ATNState.PLUS_LOOP_BACK,
          ATNState.STAR_LOOP_BACK -> throw new InputMismatchException(parser);
      default -> {
        // Other states check their token when they match it.
      }
    }
  }

  private PromQLParseException syntaxError(Parser parser, Token offending) {
    if (offending.getType() == PromQLLexer.ERROR) {
      // The scanner's error, at the place it gives; Prometheus reports it up to the end.
      int at = query.byteOffset(offending.getStartIndex());
      return query.error(
          new PositionRange(at, query.byteOffset(query.length())),
          offending.getText());
    }
    StringBuilder detail = new StringBuilder("unexpected ").append(Tokens.describe(offending));
    String[] context = context(parser, offending);
    if (context != null) {
      detail.append(" in ").append(context[0]);
      if (!context[1].isEmpty()) {
        detail.append(", expected ").append(context[1]);
      }
    }
    return query.error(query.range(offending), detail.toString());
  }

  /**
   * The construct and what it expected, for the innermost construct being read that Prometheus's
   * grammar gives an error message of its own; null when none does.
   */
  private static String[] context(Parser parser, Token offending) {
    int before = offending.getTokenIndex() - 1;
    int previous = before < 0 ? Token.INVALID_TYPE : parser.getInputStream().get(before).getType();
    ParseTree from = null;
    for (ParserRuleContext ctx = parser.getContext(); ctx != null; ctx = ctx.getParent()) {
      String[] found = contextOf(ctx, from, previous);
      if (found != null) {
        return found;
      }
      from = ctx;
    }
    return null;
  }

  // `from` is the child rule being read when the error happened (null: this rule's own tokens);
  // `previous` is the type of the token before the unexpected one.
  private static String[] contextOf(ParserRuleContext ctx, ParseTree from, int previous) {
    if (ctx instanceof LabelMatcherContext) {
      return switch (ctx.getChildCount()) {
        case 0 -> new String[] {"label matching", "identifier or \"}\""};
        case 1 -> new String[] {"label matching", "label matching operator"};
        default -> new String[] {"label matching", "string"};
      };
    }
    if (ctx instanceof LabelMatchersContext) {
      return previous == PromQLLexer.LEFT_BRACE || previous == PromQLLexer.COMMA
          ? new String[] {"label matching", "identifier or \"}\""}
          : new String[] {"label matching", "\",\" or \"}\""};
    }
    if (ctx instanceof GroupingLabelsContext) {
      if (ctx.getChildCount() == 0) {
        return new String[] {"grouping opts", "\"(\""};
      }
      return previous == PromQLLexer.LEFT_PAREN || previous == PromQLLexer.COMMA
          ? new String[] {"grouping opts", "label"}
          : new String[] {"grouping opts", "\",\" or \")\""};
    }
    if (ctx instanceof RangeExprContext r) {
      // Prometheus has read a whole duration when the token before the error ends one.
      boolean durationDone =
          previous == PromQLLexer.NUMBER
              || previous == PromQLLexer.DURATION
              || previous == PromQLLexer.RIGHT_PAREN;
      if (r.COLON() == null) {
        return durationDone
            ? new String[] {"subquery or range", "\":\" or \"]\""}
            : new String[] {"subquery or range selector", "number, duration, step(), or range()"};
      }
      return durationDone && previous != PromQLLexer.COLON
          ? new String[] {"subquery selector", "\"]\""}
          : new String[] {"subquery selector", "number, duration, step(), range(), or \"]\""};
    }
    if (ctx instanceof OffsetValueContext) {
      return new String[] {"offset", "number, duration, step(), or range()"};
    }
    if (ctx instanceof AtValueContext) {
      return new String[] {"@", "timestamp"};
    }
    if (ctx instanceof AggregateExprContext && ctx.getChildCount() > 1) {
      return new String[] {"aggregation", ""};
    }
    return null;
  }
}
