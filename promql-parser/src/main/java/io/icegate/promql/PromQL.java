package io.icegate.promql;

import io.icegate.promql.ast.Expr;
import io.icegate.promql.ast.PositionRange;
import io.icegate.promql.parser.PromQLParser;
import java.util.Objects;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ListTokenSource;

/** Entry point of the PromQL parser: query text in, AST out. */
public final class PromQL {
  private PromQL() {}

  /**
   * Parses and checks a PromQL expression as Prometheus's {@code parser.ParseExpr} does, with its
   * experimental features off.
   *
   * @throws PromQLParseException if the query is not valid PromQL, with Prometheus's wording and
   *     position
   */
  public static Expr parse(String query) {
    return parse(query, PromQLOptions.DEFAULT);
  }

  /** Parses and checks a PromQL expression with the given experimental features. */
  public static Expr parse(String query, PromQLOptions options) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(options, "options");
    QueryText text = new QueryText(query);
    try {
      return parse(text, options);
    } catch (StackOverflowError e) {
      // Parsing recurses once per level of nesting. Prometheus (Go, growable stacks) accepts
      // queries nested thousands deep, so do the rare deep one again on a thread with room.
      return parseOnLargeStack(text, options);
    }
  }

  /** Stack for the rare deeply nested query: reserved, and only used as far as needed. */
  private static final long LARGE_STACK_BYTES = 1L << 30;

  private static Expr parseOnLargeStack(QueryText text, PromQLOptions options) {
    Expr[] result = new Expr[1];
    RuntimeException[] failure = new RuntimeException[1];
    Thread worker =
        new Thread(
            null,
            () -> {
              try {
                result[0] = parse(text, options);
              } catch (RuntimeException e) {
                failure[0] = e;
              } catch (StackOverflowError e) {
                failure[0] = text.error(new PositionRange(0, 0), "expression nests too deeply");
              }
            },
            "promql-deep-parse",
            LARGE_STACK_BYTES);
    worker.start();
    try {
      worker.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw text.error(new PositionRange(0, 0), "parsing interrupted");
    }
    if (failure[0] != null) {
      throw failure[0];
    }
    return result[0];
  }

  private static Expr parse(QueryText text, PromQLOptions options) {
    PromQLParser parser = new PromQLParser(new CommonTokenStream(new ListTokenSource(TokenScanner.scan(text))));
    parser.removeErrorListeners(); // no printing to the console: errors are exceptions
    parser.setErrorHandler(new PrometheusErrorStrategy(text));
    Expr expr = new AstBuilder(text, options).query(parser.query());
    return new TypeChecker(text).check(expr);
  }
}
