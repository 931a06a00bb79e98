package io.icegate.logql;

import io.icegate.logql.parser.LogQLParser;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * The part of the LogQL parser that decides what an {@code or} continues; the generated {@code
 * LogQLParser} extends it. Not for other use.
 */
public abstract class LogQLParserBase extends Parser {
  protected LogQLParserBase(TokenStream input) {
    super(input);
  }

  /**
   * Whether an {@code or} here continues a line filter ({@code |= "a" or "b"}) or a label filter
   * ({@code | a="x" or b="y"}) rather than joining two queries. Loki's parser always reads it as
   * part of the filter, so {@code {a="b"} |= "x" or {c="d"}} is a syntax error that expects a
   * string, as in Loki.
   */
  protected boolean orContinuesFilter() {
    return filterBeforeOr() != null;
  }

  /**
   * The filter an {@code or} at this point would continue, or null: what follows the last token
   * read, if it belongs to a line filter or a label filter.
   */
  ParserRuleContext filterBeforeOr() {
    ParseTree last = getContext();
    while (last != null && !(last instanceof TerminalNode) && last.getChildCount() > 0) {
      last = last.getChild(last.getChildCount() - 1);
    }
    if (!(last instanceof TerminalNode)) {
      return null;
    }
    for (ParseTree node = last.getParent(); node != null; node = node.getParent()) {
      if (node instanceof LogQLParser.LineFilterContext
          || node instanceof LogQLParser.LabelFilterContext) {
        return (ParserRuleContext) node;
      }
      if (node instanceof LogQLParser.ExprContext) {
        return null;
      }
    }
    return null;
  }

}
