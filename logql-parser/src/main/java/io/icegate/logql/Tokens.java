package io.icegate.logql;

import io.icegate.logql.parser.LogQLLexer;
import java.util.Map;
import java.util.Optional;
import org.antlr.v4.runtime.Token;

/**
 * Single tokens as Loki treats them: their values, their lexical errors, their names in messages.
 */
final class Tokens {
  private Tokens() {}

  // Loki names punctuation and keywords by their text ("}", "or") and other tokens by their kind
  // (IDENTIFIER, STRING). Punctuation has a literal in the grammar; keywords are matched without
  // regard to case, so they have none and are listed here.
  private static final Map<Integer, String> KEYWORDS = Map.of(LogQLLexer.OR, "or");

  /** The value of a STRING token; a literal Loki rejects is an error at the token. */
  static String stringValue(Token string) {
    try {
      return GoStringLiteral.unquote(string.getText());
    } catch (GoStringLiteral.InvalidLiteralException e) {
      throw errorAt(string, e.getMessage());
    }
  }

  /**
   * The error Loki's lexer reports for this token, if any: a string literal that is malformed, or a
   * character that is not valid Unicode.
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

  /** An error at the start of {@code token}; ANTLR counts columns from 0, Loki from 1. */
  static LogQLParseException errorAt(Token token, String detail) {
    return LogQLParseException.at(token.getLine(), token.getCharPositionInLine() + 1, detail);
  }
}
