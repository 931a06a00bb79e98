package io.icegate.logql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.icegate.logql.LokiCases.LookaheadCase;
import io.icegate.logql.LokiCases.TokensCase;
import io.icegate.logql.parser.LogQLLexer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Loki's lexer cases (lex-cases.jsonl): the token names our lexer gives each input, the value of
 * duration literals, and when a function name is read as a function.
 */
class LokiLexerConformanceTest {
  private static final String FILE = "lex-cases.jsonl";

  /**
   * Tokens at which Loki's lexer stops with an error (it then reads as the end of the input):
   * strings and ranges it cannot read. Go's scanner only complains about numbers, and goes on.
   */
  private static final Set<Integer> STOP_AT_ERROR =
      Set.of(LogQLLexer.BAD_STRING, LogQLLexer.BAD_RANGE, LogQLLexer.STRING, LogQLLexer.RANGE);

  static List<Token> lex(String input) {
    LogQLLexer lexer = new LogQLLexer(CharStreams.fromString(input));
    lexer.removeErrorListeners();
    List<Token> tokens = new ArrayList<>();
    for (Token token : lexer.getAllTokens()) {
      if (STOP_AT_ERROR.contains(token.getType()) && Tokens.lexicalError(token).isPresent()) {
        break;
      }
      tokens.add(token);
    }
    return tokens;
  }

  static List<String> tokenNames(String input) {
    return lex(input).stream()
        .map(Token::getType)
        .map(LogQLLexer.VOCABULARY::getSymbolicName)
        .toList();
  }

  @TestFactory
  Stream<DynamicTest> everyInputLexesAsInLoki() {
    return LokiConformance.tests(
        FILE,
        LokiCases.tokens(),
        TokensCase::input,
        c -> {
          List<String> names = tokenNames(c.input());
          return names.equals(c.tokens())
              ? Optional.empty()
              : Optional.of(names + " instead of " + c.tokens());
        });
  }

  @TestFactory
  Stream<DynamicTest> everyDurationLiteralHasLokisValue() {
    return LokiCases.durations().stream()
        .map(
            c ->
                dynamicTest(
                    c.input(),
                    () -> {
                      List<Token> tokens = lex(c.input());
                      assertThat(tokens)
                          .extracting(Token::getType)
                          .containsExactly(LogQLLexer.DURATION);
                      assertThat(Tokens.durationValue(tokens.get(0)).toNanos())
                          .isEqualTo(c.nanoseconds());
                    }));
  }

  @TestFactory
  Stream<DynamicTest> functionNamesAreFunctionsWhereLokiSaysSo() {
    return LokiCases.functionLookaheads().stream()
        .map(
            (LookaheadCase c) ->
                dynamicTest(
                    "rate" + LokiCases.oneLine(c.input()),
                    () ->
                        assertThat(
                                LogQLLexerBase.callFollows(
                                    i -> i < c.input().length() ? c.input().charAt(i) : -1))
                            .isEqualTo(c.isFunction())));
  }
}
