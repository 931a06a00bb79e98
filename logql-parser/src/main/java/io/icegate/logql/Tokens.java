package io.icegate.logql;

import io.icegate.logql.parser.LogQLLexer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.antlr.v4.runtime.Token;

/**
 * Single tokens as Loki treats them: their values, their lexical errors, their names and positions
 * in messages.
 */
final class Tokens {
  private Tokens() {}

  // Loki names the tokens of its lexer's keyword table by their text ("by", "or", "ip",
  // "label_replace") and other tokens by their kind (IDENTIFIER, RATE, SUM). Punctuation has a
  // literal in the grammar; keywords are matched without regard to case, so they have none.
  private static final Map<Integer, String> KEYWORDS =
      Map.ofEntries(
          Map.entry(LogQLLexer.BY, "by"),
          Map.entry(LogQLLexer.WITHOUT, "without"),
          Map.entry(LogQLLexer.BOOL, "bool"),
          Map.entry(LogQLLexer.UNWRAP, "unwrap"),
          Map.entry(LogQLLexer.OFFSET, "offset"),
          Map.entry(LogQLLexer.ON, "on"),
          Map.entry(LogQLLexer.IGNORING, "ignoring"),
          Map.entry(LogQLLexer.GROUP_LEFT, "group_left"),
          Map.entry(LogQLLexer.GROUP_RIGHT, "group_right"),
          Map.entry(LogQLLexer.OR, "or"),
          Map.entry(LogQLLexer.AND, "and"),
          Map.entry(LogQLLexer.UNLESS, "unless"),
          Map.entry(LogQLLexer.JSON, "json"),
          Map.entry(LogQLLexer.REGEXP, "regexp"),
          Map.entry(LogQLLexer.LOGFMT, "logfmt"),
          Map.entry(LogQLLexer.UNPACK, "unpack"),
          Map.entry(LogQLLexer.PATTERN, "pattern"),
          Map.entry(LogQLLexer.LABEL_FMT, "label_format"),
          Map.entry(LogQLLexer.LINE_FMT, "line_format"),
          Map.entry(LogQLLexer.DECOLORIZE, "decolorize"),
          Map.entry(LogQLLexer.DROP, "drop"),
          Map.entry(LogQLLexer.KEEP, "keep"),
          Map.entry(LogQLLexer.IP, "ip"),
          Map.entry(LogQLLexer.LABEL_REPLACE, "label_replace"));

  // Loki's lexer reads a range `[5m]` with Go's Scanner.Next, which clears the line of the token
  // position: Loki reports errors at a range at line 0, with the column of its `[` ("parse error at
  // line 0, col 20: syntax error: unexpected RANGE"), and its own tests pin that. (It does the same
  // for two-character operators, durations, sizes and flags; there we give the real line.)
  private static final Set<Integer> LINE_ZERO = Set.of(LogQLLexer.RANGE, LogQLLexer.BAD_RANGE);

  /** The value of a STRING token; a literal Loki rejects is an error at the token. */
  static String stringValue(Token string) {
    try {
      return GoStringLiteral.unquote(string.getText());
    } catch (GoStringLiteral.InvalidLiteralException e) {
      throw errorAt(string, e.getMessage());
    }
  }

  /** The text of a NUMBER token, after Go's scanner checks; a bad literal is an error. */
  static String numberText(Token number) {
    lexicalError(number).ifPresent(
        e -> {
          throw e;
        });
    return number.getText();
  }

  /** The value of a DURATION token. */
  static Duration durationValue(Token duration) {
    lexicalError(duration).ifPresent(
        e -> {
          throw e;
        });
    return GoDuration.parseLiteral(duration.getText())
        .orElseThrow(() -> new IllegalStateException("lexer made a bad DURATION token"));
  }

  /** The value of a BYTES token, an unsigned 64-bit integer. */
  static long bytesValue(Token bytes) {
    lexicalError(bytes).ifPresent(
        e -> {
          throw e;
        });
    return ByteSize.parse(bytes.getText())
        .orElseThrow(() -> new IllegalStateException("lexer made a bad BYTES token"));
  }

  /** The duration of a RANGE token {@code [5m]}, in Prometheus' syntax. */
  static Duration rangeValue(Token range) {
    lexicalError(range).ifPresent(
        e -> {
          throw e;
        });
    String text = range.getText();
    try {
      return Duration.ofNanos(GoDuration.parsePrometheus(text.substring(1, text.length() - 1)));
    } catch (GoDuration.InvalidDurationException e) {
      throw new IllegalStateException("lexicalError missed a bad range", e);
    }
  }

  /**
   * The error Loki's lexer reports for this token, if any: a malformed string or number literal,
   * a range that is not a duration, or a character that is not valid Unicode.
   */
  static Optional<LogQLParseException> lexicalError(Token token) {
    switch (token.getType()) {
      case LogQLLexer.STRING, LogQLLexer.BAD_STRING -> {
        try {
          GoStringLiteral.unquote(token.getText());
          return Optional.empty();
        } catch (GoStringLiteral.InvalidLiteralException e) {
          return Optional.of(errorAt(token, e.getMessage()));
        }
      }
      case LogQLLexer.NUMBER, LogQLLexer.DURATION, LogQLLexer.BYTES -> {
        // Go's scanner complains about the number itself (08, 1e, 0b2) where it starts; a
        // duration read after a minus sign has no number literal of its own.
        if (token.getText().startsWith("-")) {
          return Optional.empty();
        }
        String error = GoNumber.scanError(token.getText());
        return error == null
            ? Optional.empty()
            : Optional.of(
                LogQLParseException.at(
                    token.getLine(), token.getCharPositionInLine() + 1, error));
      }
      case LogQLLexer.RANGE -> {
        String text = token.getText();
        try {
          GoDuration.parsePrometheus(text.substring(1, text.length() - 1));
          return Optional.empty();
        } catch (GoDuration.InvalidDurationException e) {
          return Optional.of(errorAt(token, e.getMessage()));
        }
      }
      case LogQLLexer.BAD_RANGE -> {
        return Optional.of(errorAt(token, "missing closing ']' in duration"));
      }
      case LogQLLexer.UNEXPECTED_CHAR -> {
        // An unpaired surrogate is what is left in a Java string of bytes that were not UTF-8.
        int cp = token.getText().codePointAt(0);
        boolean unpaired = Character.getType(cp) == Character.SURROGATE;
        return unpaired ? Optional.of(errorAt(token, "invalid UTF-8 encoding")) : Optional.empty();
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  /** The name of a token in a syntax error, as Loki words it. */
  static String name(Token token) {
    if (token.getType() != LogQLLexer.UNEXPECTED_CHAR) {
      return name(token.getType());
    }
    // Loki calls a character it has no token for an IDENTIFIER; naming the character helps more.
    // Control and space characters are written as code points, so the message stays one line.
    int cp = token.getText().codePointAt(0);
    return Character.isISOControl(cp) || Character.isWhitespace(cp) || Character.isSpaceChar(cp)
        ? String.format("U+%04X", cp)
        : token.getText();
  }

  /** The name of a token type in a syntax error, as Loki words it ({@code $end} for the end). */
  static String name(int type) {
    if (type == Token.EOF) {
      return "$end";
    }
    String keyword = KEYWORDS.get(type);
    if (keyword != null) {
      return keyword;
    }
    String literal = LogQLLexer.VOCABULARY.getLiteralName(type);
    if (literal != null) {
      return literal.substring(1, literal.length() - 1);
    }
    return LogQLLexer.VOCABULARY.getSymbolicName(type);
  }

  /**
   * An error at the start of {@code token}, positioned as Loki positions it: ANTLR counts columns
   * from 0, Loki from 1; line 0 for ranges.
   */
  static LogQLParseException errorAt(Token token, String detail) {
    int line = LINE_ZERO.contains(token.getType()) ? 0 : token.getLine();
    return LogQLParseException.at(line, token.getCharPositionInLine() + 1, detail);
  }
}
