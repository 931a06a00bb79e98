package io.icegate.logql;

import io.icegate.logql.ast.LogQLExpr;
import io.icegate.logql.parser.LogQLLexer;
import io.icegate.logql.parser.LogQLParser;
import java.util.Objects;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;

/**
 * Entry point of the LogQL parser: query text in, AST out.
 *
 * <p>Loki finds errors in a query at three moments: while it parses it, when it validates the
 * tree, and when it builds the pipelines it runs (a bad line filter regex, a json path it cannot
 * read, two label_format operations on one label). {@link #parseExpr} stops after the second, as
 * Loki's {@code ParseExpr} (and so its {@code /format_query} API) does; {@link #parse} also makes
 * the third round of checks, so that a query it accepts can be run.
 */
public final class LogQL {
  /**
   * Loki refuses queries of this many bytes (UTF-8) or more before it parses them (128 KiB at the
   * Loki commit our conformance data comes from; it was 5120 before).
   */
  static final int MAX_QUERY_BYTES = 131_072;

  private LogQL() {}

  /**
   * Parses a LogQL query to run: as {@link #parseExpr}, then checks that Loki could build every
   * stage of its pipelines, reporting the first it could not as Loki does when it runs the query
   * ({@code parse error : stage '|~ "("' : error parsing regexp: ...}).
   *
   * @throws LogQLParseException if the query is not valid LogQL or cannot run, with Loki's wording
   *     and position
   */
  public static LogQLExpr parse(String query) {
    LogQLExpr expr = parseExpr(query);
    StageChecks.check(expr);
    return expr;
  }

  /**
   * Parses and validates a LogQL query as Loki's {@code ParseExpr} does: what it accepts, Loki
   * accepts. Some queries it accepts cannot run (see {@link #parse}).
   *
   * @throws LogQLParseException if the query is not valid LogQL, with Loki's wording and position
   */
  public static LogQLExpr parseExpr(String query) {
    Objects.requireNonNull(query, "query");
    int size = utf8Length(query);
    if (size >= MAX_QUERY_BYTES) {
      throw LogQLParseException.withoutPosition(
          "input size too long (" + size + " > " + MAX_QUERY_BYTES + ")");
    }

    LogQLLexer lexer = new LogQLLexer(CharStreams.fromString(query));
    lexer.removeErrorListeners(); // the lexer has a token for every input; errors come as tokens
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    LogQLParser parser = new LogQLParser(tokens);
    parser.removeErrorListeners(); // no printing to the console: errors are exceptions
    parser.setErrorHandler(new LokiSyntaxErrorStrategy());

    LogQLExpr expr = new AstBuilder(tokens).build(parser.query());
    QueryValidator.validate(expr);
    return expr;
  }

  private static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      i += Character.charCount(cp);
    }
    return bytes;
  }
}
