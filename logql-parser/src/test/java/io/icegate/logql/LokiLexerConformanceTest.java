package io.icegate.logql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.icegate.logql.LokiCases.TokensCase;
import io.icegate.logql.parser.LogQLLexer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Loki's lexer cases (the "tokens" kind of lex-cases.jsonl): our lexer must give the same token
 * names. Only cases about log queries run: those whose input starts with a selector or a comment,
 * or is a single word. Number, duration and metric-query lexing comes with metric queries. Cases
 * about log queries that we cannot pass yet are listed in known-gaps.txt.
 */
class LokiLexerConformanceTest {
  private static final String FILE = "lex-cases.jsonl";
  private static final List<TokensCase> CASES =
      LokiCases.tokens().stream().filter(c -> aboutLogQueries(c.input())).toList();
  private static final Map<String, String> GAPS = LokiCases.knownGaps(FILE);

  /** Token names our lexer has, less the ones for errors and skipped text. */
  private static final Set<String> VOCABULARY =
      IntStream.rangeClosed(1, LogQLLexer.VOCABULARY.getMaxTokenType())
          .mapToObj(LogQLLexer.VOCABULARY::getSymbolicName)
          .filter(name -> !Set.of("BAD_STRING", "UNEXPECTED_CHAR", "WS", "COMMENT").contains(name))
          .collect(java.util.stream.Collectors.toUnmodifiableSet());

  static boolean aboutLogQueries(String input) {
    String start = input.strip();
    return start.startsWith("{") || start.startsWith("#") || start.matches("[A-Za-z_]+");
  }

  /** In scope today: every token Loki expects is one our lexer has. */
  static boolean inScope(TokensCase c) {
    return VOCABULARY.containsAll(c.tokens());
  }

  static List<String> tokenNames(String input) {
    LogQLLexer lexer = new LogQLLexer(CharStreams.fromString(input));
    lexer.removeErrorListeners();
    return lexer.getAllTokens().stream()
        .map(Token::getType)
        .map(LogQLLexer.VOCABULARY::getSymbolicName)
        .toList();
  }

  @TestFactory
  Stream<DynamicTest> everyCaseNotListedAsAGapLexesLikeLoki() {
    return CASES.stream()
        .filter(c -> !GAPS.containsKey(c.input()))
        .map(
            c ->
                dynamicTest(
                    LokiCases.oneLine(c.input()),
                    () -> assertThat(tokenNames(c.input())).isEqualTo(c.tokens())));
  }

  @TestFactory
  Stream<DynamicTest> everyListedGapStillDiffers() {
    return GAPS.keySet().stream()
        .map(
            input ->
                dynamicTest(
                    "gap: " + LokiCases.oneLine(input),
                    () -> {
                      TokensCase c =
                          CASES.stream()
                              .filter(k -> k.input().equals(input))
                              .findFirst()
                              .orElseThrow(
                                  () ->
                                      new AssertionError(
                                          "known-gaps.txt lists an input not run from " + FILE));
                      assertThat(tokenNames(input))
                          .as("lexes like Loki now: delete its line from known-gaps.txt")
                          .isNotEqualTo(c.tokens());
                    }));
  }

  @Test
  void gapsOutsideTheScopeSaySoAndGapsInsideItGiveTheirReason() {
    GAPS.forEach(
        (input, reason) -> {
          TokensCase c =
              CASES.stream().filter(k -> k.input().equals(input)).findFirst().orElseThrow();
          assertThat(reason.startsWith("out of scope"))
              .as("reason \"%s\" for %s", reason, LokiCases.oneLine(input))
              .isEqualTo(!inScope(c));
        });
  }

  @Test
  void coversTheInScopeCases() {
    List<TokensCase> inScope = CASES.stream().filter(LokiLexerConformanceTest::inScope).toList();
    System.out.printf(
        "Loki lexer cases about log queries: %d, %d in scope, %d of them pass%n",
        CASES.size(),
        inScope.size(),
        inScope.stream().filter(c -> !GAPS.containsKey(c.input())).count());

    assertThat(inScope).isNotEmpty();
  }
}
