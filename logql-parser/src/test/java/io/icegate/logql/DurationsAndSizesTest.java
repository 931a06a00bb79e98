package io.icegate.logql;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.logql.parser.LogQLLexer;
import java.time.Duration;
import java.util.List;
import org.antlr.v4.runtime.Token;
import org.junit.jupiter.api.Test;

/** How numbers with units read, as Loki's lexer reads them. */
class DurationsAndSizesTest {

  private static List<String> tokens(String input) {
    return LokiLexerConformanceTest.tokenNames(input);
  }

  private static Token only(String input) {
    List<Token> tokens = LokiLexerConformanceTest.lex(input);
    assertThat(tokens).hasSize(1);
    return tokens.get(0);
  }

  @Test
  void readsPrometheusDurations() {
    assertThat(Tokens.durationValue(only("1d12h"))).isEqualTo(Duration.ofHours(36));
    assertThat(Tokens.durationValue(only("2w"))).isEqualTo(Duration.ofDays(14));
  }

  @Test
  void readsGoDurationsWhenPrometheusCannot() {
    assertThat(Tokens.durationValue(only("1.5s"))).isEqualTo(Duration.ofMillis(1500));
    assertThat(Tokens.durationValue(only("1m1h"))).isEqualTo(Duration.ofMinutes(61));
    assertThat(Tokens.durationValue(only("300\u00b5s"))).isEqualTo(Duration.ofNanos(300_000));
    assertThat(Tokens.durationValue(only("-5m"))).isEqualTo(Duration.ofMinutes(-5));
  }

  @Test
  void readsSizesInSiAndBinaryUnits() {
    assertThat(Tokens.bytesValue(only("20MB"))).isEqualTo(20_000_000L);
    assertThat(Tokens.bytesValue(only("20MiB"))).isEqualTo(20L << 20);
    assertThat(Tokens.bytesValue(only("1.5kB"))).isEqualTo(1500L);
    assertThat(Tokens.bytesValue(only("3B"))).isEqualTo(3L);
    assertThat(Tokens.bytesValue(only("16PiB"))).isEqualTo(16L << 50);
  }

  @Test
  void stopsAUnitWhereItStopsReading() {
    // Loki takes the unit characters it knows, and the rest is another token.
    assertThat(tokens("5mb")).containsExactly("DURATION", "IDENTIFIER");
    assertThat(tokens("5 m")).containsExactly("NUMBER", "IDENTIFIER");
    assertThat(tokens("1e3")).containsExactly("NUMBER");
  }

  @Test
  void readsAMinusBeforeADurationAsItsSign() {
    // So `1 -5m` is a number and a duration, as in Loki; `1 - 5` subtracts.
    assertThat(tokens("1 -5m")).containsExactly("NUMBER", "DURATION");
    assertThat(tokens("1 - 5")).containsExactly("NUMBER", "SUB", "NUMBER");
    assertThat(tokens("--strict --keep-empty --other"))
        .containsExactly("FUNCTION_FLAG", "FUNCTION_FLAG", "SUB", "SUB", "IDENTIFIER");
  }

  @Test
  void printsDurationsAsGoAndPrometheus() {
    assertThat(GoDuration.formatGo(Duration.ofMinutes(90))).isEqualTo("1h30m0s");
    assertThat(GoDuration.formatGo(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(GoDuration.formatGo(Duration.ofNanos(1500))).isEqualTo("1.5\u00b5s");
    assertThat(GoDuration.formatGo(Duration.ZERO)).isEqualTo("0s");
    assertThat(GoDuration.formatPrometheus(Duration.ofDays(90))).isEqualTo("90d");
    assertThat(GoDuration.formatPrometheus(Duration.ofDays(365))).isEqualTo("1y");
  }

  @Test
  void printsSizesAsGoHumanize() {
    assertThat(ByteSize.format(9)).isEqualTo("9B");
    assertThat(ByteSize.format(1000)).isEqualTo("1.0kB");
    assertThat(ByteSize.format(20_000_000)).isEqualTo("20MB");
    assertThat(ByteSize.format(-1L)).isEqualTo("18EB");
  }

  @Test
  void namesTokensAsLoki() {
    assertThat(Tokens.name(LogQLLexer.PIPE_EXACT)).isEqualTo("|=");
    assertThat(Tokens.name(LogQLLexer.IP)).isEqualTo("ip");
    assertThat(Tokens.name(LogQLLexer.RATE)).isEqualTo("RATE");
  }
}
