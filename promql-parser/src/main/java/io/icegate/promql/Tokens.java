package io.icegate.promql;

import static io.icegate.promql.parser.PromQLLexer.*;

import io.icegate.promql.ast.Printer;
import org.antlr.v4.runtime.Token;

/** Tokens as Prometheus names them in syntax errors ({@code Item.desc()} in its lexer). */
final class Tokens {
  private Tokens() {}

  /**
   * The description of a token after "unexpected": {@code end of input},
   * {@code identifier "foo"}, {@code <op:+>}, {@code <aggr:sum>}, {@code <by>}, {@code "("},
   * {@code number "1"}, {@code string "\"abc\""}.
   */
  static String describe(Token t) {
    String text = t.getText();
    return switch (t.getType()) {
      case Token.EOF -> "end of input";
      case IDENTIFIER -> "identifier " + Printer.quote(text);
      case METRIC_IDENTIFIER -> "metric identifier " + Printer.quote(text);
      case STRING -> "string " + quoteShort(text);
      case NUMBER -> "number " + quoteShort(text);
      case DURATION -> "duration " + quoteShort(text);
      case ADD, SUB, MUL, DIV, MOD, POW, EQLC, NEQ, LTE, LSS, GTE, GTR, TRIM_UPPER, TRIM_LOWER,
          LAND, LOR, LUNLESS, AT, ATAN2, EQL_REGEX, NEQ_REGEX -> "<op:" + text + ">";
      case SUM, AVG, COUNT, MIN, MAX, GROUP, STDDEV, STDVAR, TOPK, BOTTOMK, COUNT_VALUES, QUANTILE,
          LIMITK, LIMIT_RATIO -> "<aggr:" + text + ">";
      case BOOL, BY, GROUP_LEFT, GROUP_RIGHT, FILL, FILL_LEFT, FILL_RIGHT, IGNORING, OFFSET,
          SMOOTHED, ANCHORED, ON, WITHOUT -> "<" + text + ">";
      default -> quoteShort(text); // punctuation, and start/end/step/range/min_of/max_of
    };
  }

  // Go's "%.10q...": values longer than 10 bytes are cut to 10 characters before quoting.
  private static String quoteShort(String text) {
    if (text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 10) {
      return Printer.quote(text);
    }
    int end = text.offsetByCodePoints(0, Math.min(10, text.codePointCount(0, text.length())));
    return Printer.quote(text.substring(0, end)) + "...";
  }
}
