package io.icegate.logql;

import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.atn.ATNState;
import org.antlr.v4.runtime.misc.IntervalSet;

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

  @Override
  public void reportError(Parser parser, RecognitionException e) {
    throw syntaxError(parser.getInputStream(), e.getOffendingToken(), e.getExpectedTokens());
  }

  @Override
  public Token recoverInline(Parser parser) {
    // As the default strategy does when it cannot repair, but without trying to repair. When an
    // optional part was skipped just before (see sync), the expected tokens are taken from there,
    // so that `{a="b"` expects "} or ," rather than only "}".
    throw nextTokensContext == null
        ? new InputMismatchException(parser)
        : new InputMismatchException(parser, nextTokensState, nextTokensContext);
  }

  @Override
  public void sync(Parser parser) {
    // The default strategy's sync, less its recovery: fail where a loop or optional block cannot
    // start with the next token, and remember where an optional part could have been skipped.
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
              ATNState.STAR_LOOP_BACK ->
          throw new InputMismatchException(parser);
      default -> {
        // Other states check their token when they match it.
      }
    }
  }

  private static LogQLParseException syntaxError(
      TokenStream tokens, Token offending, IntervalSet expected) {
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
    if (listsExpected(offending, expected)) {
      String separator = ", expecting ";
      for (int type : expected.toList()) {
        detail.append(separator).append(Tokens.name(type));
        separator = " or ";
      }
    }
    return Tokens.errorAt(offending, detail.toString());
  }

  // goyacc lists the expected tokens only when there are at most four and the parser state could
  // not instead end a construct. Where the query could end, a construct could end, so ANTLR's
  // "EOF expected" stands for the latter. At the first token Loki could read far more than four
  // kinds of token (selectors, functions, numbers, parentheses), even where our grammar can read
  // only some of them yet.
  private static boolean listsExpected(Token offending, IntervalSet expected) {
    return offending.getTokenIndex() > 0
        && !expected.contains(Token.EOF)
        && expected.size() <= MAX_EXPECTED_LISTED;
  }
}
