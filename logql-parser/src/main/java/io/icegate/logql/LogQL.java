package io.icegate.logql;

import io.icegate.logql.ast.LogQLExpr;
import io.icegate.logql.parser.LogQLLexer;
import io.icegate.logql.parser.LogQLParser;
import java.util.Objects;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;

/** Entry point of the LogQL parser: query text in, AST out. */
public final class LogQL {
  /**
   * Loki refuses queries of this many bytes (UTF-8) or more before it parses them (128 KiB at the
   * Loki commit our conformance data comes from; it was 5120 before).
   */
  static final int MAX_QUERY_BYTES = 131_072;

  private LogQL() {}

  /**
   * Parses and validates a LogQL query, as Loki's {@code ParseExpr} does.
   *
   * @throws LogQLParseException if the query is not valid LogQL (or uses a part of LogQL this
   *     parser does not read yet), with Loki's wording and position
   */
  public static LogQLExpr parse(String query) {
    Objects.requireNonNull(query, "query");
    int size = utf8Length(query);
    if (size >= MAX_QUERY_BYTES) {
      throw LogQLParseException.withoutPosition(
          "input size too long (" + size + " > " + MAX_QUERY_BYTES + ")");
    }

    LogQLLexer lexer = new LogQLLexer(CharStreams.fromString(query));
    lexer.removeErrorListeners(); // the lexer has a token for every input; errors come as tokens
    LogQLParser parser = new LogQLParser(new CommonTokenStream(lexer));
    parser.removeErrorListeners(); // no printing to the console: errors are exceptions
    parser.setErrorHandler(new LokiSyntaxErrorStrategy());

    LogQLExpr expr = new AstBuilder().visitQuery(parser.query());
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
