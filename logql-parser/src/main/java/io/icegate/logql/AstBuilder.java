package io.icegate.logql;

import io.icegate.logql.ast.LabelMatcher;
import io.icegate.logql.ast.LineFilter;
import io.icegate.logql.ast.LogQLExpr;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.PipelineStage;
import io.icegate.logql.ast.StreamSelector;
import io.icegate.logql.parser.LogQLLexer;
import io.icegate.logql.parser.LogQLParser;
import io.icegate.logql.parser.LogQLParserBaseVisitor;
import java.util.List;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Turns a parse tree into the AST records. String values are unquoted here, and regexes are checked
 * here, as Loki checks matcher regexes while it parses.
 *
 * <p>Each visit method returns the record for its rule (covariant overrides of the generic
 * visitor), so the builder reads top-down; only rules with labelled alternatives, such as {@code
 * pipelineStage}, go through {@code visit} and a cast.
 */
final class AstBuilder extends LogQLParserBaseVisitor<Object> {

  @Override
  public LogQLExpr visitQuery(LogQLParser.QueryContext ctx) {
    return visitExpr(ctx.expr());
  }

  @Override
  public LogQLExpr visitExpr(LogQLParser.ExprContext ctx) {
    return visitLogExpr(ctx.logExpr());
  }

  @Override
  public LogSelectorExpr visitLogExpr(LogQLParser.LogExprContext ctx) {
    StreamSelector selector = visitSelector(ctx.selector());
    List<PipelineStage> pipeline =
        ctx.pipelineStage().stream().map(stage -> (PipelineStage) visit(stage)).toList();
    return new LogSelectorExpr(selector, pipeline);
  }

  @Override
  public StreamSelector visitSelector(LogQLParser.SelectorContext ctx) {
    return new StreamSelector(ctx.matcher().stream().map(this::visitMatcher).toList());
  }

  @Override
  public LabelMatcher visitMatcher(LogQLParser.MatcherContext ctx) {
    LabelMatcher.MatchType type =
        switch (ctx.op.getType()) {
          case LogQLLexer.EQ -> LabelMatcher.MatchType.EQ;
          case LogQLLexer.NEQ -> LabelMatcher.MatchType.NEQ;
          case LogQLLexer.RE -> LabelMatcher.MatchType.RE;
          case LogQLLexer.NRE -> LabelMatcher.MatchType.NRE;
          default -> throw unknownOperator(ctx.op);
        };
    String value = Tokens.stringValue(ctx.STRING().getSymbol());
    if (type == LabelMatcher.MatchType.RE || type == LabelMatcher.MatchType.NRE) {
      Re2Syntax.compile(value);
    }
    return new LabelMatcher(ctx.IDENTIFIER().getText(), type, value);
  }

  @Override
  public LineFilter visitLineFilterStage(LogQLParser.LineFilterStageContext ctx) {
    return visitLineFilter(ctx.lineFilter());
  }

  @Override
  public LineFilter visitLineFilter(LogQLParser.LineFilterContext ctx) {
    LineFilter.Op op =
        switch (ctx.op.getType()) {
          case LogQLLexer.PIPE_EXACT -> LineFilter.Op.CONTAINS;
          case LogQLLexer.NEQ -> LineFilter.Op.NOT_CONTAINS;
          case LogQLLexer.PIPE_MATCH -> LineFilter.Op.MATCHES_REGEX;
          case LogQLLexer.NRE -> LineFilter.Op.NOT_MATCHES_REGEX;
          default -> throw unknownOperator(ctx.op);
        };
    List<String> values = ctx.STRING().stream().map(AstBuilder::stringValue).toList();
    // Loki compiles line filter regexes only when it runs the query; we check them now, so that a
    // bad regex is a parse error like a bad matcher regex.
    if (op == LineFilter.Op.MATCHES_REGEX || op == LineFilter.Op.NOT_MATCHES_REGEX) {
      values.forEach(Re2Syntax::compile);
    }
    return new LineFilter(op, values);
  }

  private static String stringValue(TerminalNode string) {
    return Tokens.stringValue(string.getSymbol());
  }

  // The grammar admits only the operators handled above; reaching this is a bug in this class.
  private static IllegalStateException unknownOperator(Token op) {
    return new IllegalStateException(
        "grammar admits an operator the AST builder lacks: " + op.getText());
  }
}
