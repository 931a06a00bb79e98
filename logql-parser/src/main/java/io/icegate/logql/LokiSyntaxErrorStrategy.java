package io.icegate.logql;

import io.icegate.logql.parser.LogQLLexer;
import io.icegate.logql.parser.LogQLParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.ListTokenSource;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.atn.ATNState;
import org.antlr.v4.runtime.misc.IntervalSet;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * Stops at the first syntax error and reports it in the words of Loki's parser: {@code syntax
 * error: unexpected X} and, when Loki would list them, {@code , expecting A or B}.
 *
 * <p>ANTLR's default strategy reports and then recovers (deletes or invents tokens). A query with
 * an error has no meaning to recover, so every path here throws {@link LogQLParseException}.
 */
final class LokiSyntaxErrorStrategy extends DefaultErrorStrategy {
  /** Loki's parser (goyacc) lists at most four expected tokens; with more it lists none. */
  private static final int MAX_EXPECTED_LISTED = 4;

  /** Token types the lexer makes only for errors; the parser never reads them. */
  private static final Set<Integer> NOT_READ_BY_THE_PARSER =
      Set.of(
          LogQLLexer.BAD_STRING,
          LogQLLexer.BAD_RANGE,
          LogQLLexer.UNEXPECTED_CHAR,
          LogQLLexer.WS,
          LogQLLexer.COMMENT);

  @Override
  public void reportError(Parser parser, RecognitionException e) {
    Token offending = e.getOffendingToken();
    TokenStream tokens = parser.getInputStream();
    // Loki's parser always takes an `or` after a filter as part of the filter, and so fails at the
    // token after it, expecting the next alternative, when none follows.
    if (offending.getType() == LogQLLexer.OR && parser instanceof LogQLParserBase logql) {
      ParserRuleContext filter = logql.filterBeforeOr();
      if (filter != null) {
        List<Integer> expected =
            filter instanceof LogQLParser.LineFilterContext
                ? List.of(LogQLLexer.STRING, LogQLLexer.IP)
                : List.of(LogQLLexer.IDENTIFIER, LogQLLexer.OPEN_PARENTHESIS);
        throw syntaxError(tokens, tokens.get(offending.getTokenIndex() + 1), expected);
      }
    }
    // Where ANTLR stopped at the token itself, the tokens it expected could all come next; more
    // than four, or the end, and goyacc would list none: no need to try them one by one.
    boolean deep = e instanceof NoViableAltException n && n.getStartToken() != offending;
    IntervalSet antlrExpected = e.getExpectedTokens();
    if (!deep
        && antlrExpected != null
        && (antlrExpected.contains(Token.EOF) || antlrExpected.size() > MAX_EXPECTED_LISTED)) {
      throw syntaxError(tokens, offending, List.of());
    }
    throw syntaxError(tokens, offending, null);
  }

  @Override
  public Token recoverInline(Parser parser) {
    // As the default strategy does when it cannot repair, but without trying to repair.
    throw new InputMismatchException(parser);
  }

  @Override
  public void sync(Parser parser) {
    // The default strategy's sync, less its recovery: fail where a loop or optional block cannot
    // start with the next token.
    ATNState state = parser.getInterpreter().atn.states.get(parser.getState());
    int next = parser.getInputStream().LA(1);
    IntervalSet possible = parser.getATN().nextTokens(state);
    if (possible.contains(next) || possible.contains(Token.EPSILON)) {
      return;
    }
    switch (state.getStateType()) {
      case ATNState.BLOCK_START,
              ATNState.STAR_BLOCK_START,
              ATNState.PLUS_BLOCK_START,
              ATNState.STAR_LOOP_ENTRY,
              ATNState.PLUS_LOOP_BACK,
              ATNState.STAR_LOOP_BACK ->
          throw new InputMismatchException(parser);
      default -> {
        // Other states check their token when they match it.
      }
    }
  }

  // `expected` null: the tokens Loki would list are found by trying them.
  private static LogQLParseException syntaxError(
      TokenStream tokens, Token offending, List<Integer> expected) {
    // Loki's lexer reports a malformed literal as soon as the parser reads it, so a bad literal
    // at or before the token where the syntax broke is the first error, and the one reported.
    for (int i = 0; i <= offending.getTokenIndex(); i++) {
      var lexical = Tokens.lexicalError(tokens.get(i));
      if (lexical.isPresent()) {
        return lexical.get();
      }
    }
    StringBuilder detail =
        new StringBuilder("syntax error: unexpected ").append(Tokens.name(offending));
    String separator = ", expecting ";
    for (int type : expected != null ? expected : expectedByLoki(tokens, offending)) {
      detail.append(separator).append(Tokens.name(type));
      separator = " or ";
    }
    return Tokens.errorAt(offending, detail.toString());
  }

  /**
   * The tokens Loki's parser (goyacc) lists after "expecting": the tokens that could come next,
   * in token order, when there are at most four and the query could not instead end a construct
   * there (then goyacc lists none). ANTLR's own expected set is where it detected the error,
   * which can be short of what could follow (an expression just read could go on with a binary
   * operator), so the tokens that could come next are found by trying each one after the tokens
   * read so far.
   */
  private static List<Integer> expectedByLoki(TokenStream tokens, Token offending) {
    int index = offending.getTokenIndex();
    // At the first token goyacc could read many kinds of token, and lists none.
    if (index <= 0) {
      return List.of();
    }
    List<Token> prefix = new ArrayList<>(index);
    for (int i = 0; i < index; i++) {
      prefix.add(tokens.get(i));
    }
    // Where the query could end, goyacc would reduce rather than list.
    if (continues(prefix, Token.EOF)) {
      return List.of();
    }
    List<Integer> viable = new ArrayList<>();
    for (int type = 1; type <= LogQLLexer.VOCABULARY.getMaxTokenType(); type++) {
      if (NOT_READ_BY_THE_PARSER.contains(type) || !continues(prefix, type)) {
        continue;
      }
      viable.add(type);
      if (viable.size() > MAX_EXPECTED_LISTED) {
        return List.of();
      }
    }
    return viable;
  }

  // Whether the parser reads past a token of this type after the prefix (for the end: whether the
  // prefix is a whole query).
  private static boolean continues(List<Token> prefix, int type) {
    List<Token> trial = new ArrayList<>(prefix.size() + 1);
    for (Token token : prefix) {
      trial.add(new CommonToken(token));
    }
    if (type != Token.EOF) {
      trial.add(new CommonToken(type, LogQLLexer.VOCABULARY.getSymbolicName(type)));
    }
    LogQLParser parser = new LogQLParser(new CommonTokenStream(new ListTokenSource(trial)));
    parser.removeErrorListeners();
    parser.setErrorHandler(new BailErrorStrategy());
    try {
      parser.query();
      return true;
    } catch (ParseCancellationException e) {
      Token stop =
          e.getCause() instanceof RecognitionException re ? re.getOffendingToken() : null;
      return type != Token.EOF && stop != null && stop.getTokenIndex() >= trial.size();
    }
  }
}
