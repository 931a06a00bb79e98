package io.icegate.protocol.loki;

import io.icegate.protocol.GoQuoting;
import io.icegate.protocol.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a label set in the text form Loki push clients send ({@code {app="api", env="prod"}}), by
 * the grammar Loki applies to it: Prometheus's metric description ({@code
 * promql/parser.ParseMetric}, which Loki's {@code syntax.ParseLabels} calls). That is:
 *
 * <ul>
 *   <li>an optional metric name before the braces ({@code up{job="a"}}), which becomes {@code
 *       __name__}; the braces are optional after it and the whole input may be empty;
 *   <li>names as identifiers ({@code [a-zA-Z_][a-zA-Z0-9_]*}) or quoted strings (UTF-8 names);
 *   <li>values as double-quoted, single-quoted or backquoted (raw) strings with Go's escapes;
 *   <li>a bare quoted string inside the braces is the metric name ({@code {"my.metric"}});
 *   <li>an optional trailing comma, white space anywhere between tokens, {@code #} comments.
 * </ul>
 *
 * <p>Errors use Prometheus's words and positions, {@code line:column: parse error: ...} with
 * 1-based columns counted in UTF-8 bytes, e.g. {@code 1:3: parse error: unexpected character inside
 * braces: '.'}. Pairs come back in input order, duplicates included: checking them is the caller's
 * part, as it is Loki's validator's and not the parser's.
 */
final class LabelSetParser {
  /** One name/value pair as written. */
  record Label(String name, String value) {}

  private static final String METRIC_NAME = "__name__";

  private enum Kind {
    IDENTIFIER,
    METRIC_IDENTIFIER,
    STRING,
    LEFT_BRACE,
    RIGHT_BRACE,
    COMMA,
    EQL,
    OPERATOR,
    OTHER,
    EOF
  }

  /** A token: its kind, its text as written, its unquoted value (strings) and its offset. */
  private record Token(Kind kind, String text, String value, int start) {}

  private final String input;
  private int pos;
  private boolean braceOpen;

  private LabelSetParser(String input) {
    this.input = input;
  }

  /**
   * The pairs of a label set, in input order.
   *
   * @throws ProtocolException with Prometheus's parse error, e.g. {@code 1:8: parse error:
   *     unterminated quoted string}
   */
  static List<Label> parse(String input) {
    return new LabelSetParser(input).metric();
  }

  /** The label set as Prometheus prints one ({@code labels.Labels.String}), in list order. */
  static String print(List<Label> labels) {
    StringBuilder text = new StringBuilder(24 * labels.size() + 2).append('{');
    for (int i = 0; i < labels.size(); i++) {
      if (i > 0) {
        text.append(", ");
      }
      LabelSetCodec.appendPair(labels.get(i).name(), labels.get(i).value(), text);
    }
    return text.append('}').toString();
  }

  // ---- grammar ----

  private List<Label> metric() {
    Token token = next();
    List<Label> labels;
    if (token.kind == Kind.IDENTIFIER || token.kind == Kind.METRIC_IDENTIFIER) {
      String name = token.text;
      token = next();
      if (token.kind == Kind.LEFT_BRACE) {
        labels = labelSet();
        token = next();
      } else {
        labels = new ArrayList<>();
      }
      // labels.NewBuilder(set).Set("__name__", name): the name before the braces wins.
      labels.removeIf(label -> label.name.equals(METRIC_NAME));
      labels.add(new Label(METRIC_NAME, name));
    } else if (token.kind == Kind.LEFT_BRACE) {
      labels = labelSet();
      token = next();
    } else {
      labels = new ArrayList<>();
    }
    if (token.kind != Kind.EOF) {
      throw unexpected(token, "", "");
    }
    return labels;
  }

  /** The pairs after a left brace, up to and including the right brace. */
  private List<Label> labelSet() {
    List<Label> labels = new ArrayList<>();
    Token token = next();
    if (token.kind == Kind.RIGHT_BRACE) {
      return labels;
    }
    while (true) {
      if (token.kind == Kind.IDENTIFIER) {
        Token equals = next();
        if (equals.kind != Kind.EQL) {
          throw unexpected(equals, "label set", "\"=\"");
        }
        labels.add(new Label(token.text, stringValue(next())));
        token = next();
      } else if (token.kind == Kind.STRING) {
        Token after = next();
        if (after.kind == Kind.EQL) {
          labels.add(new Label(token.value, stringValue(next())));
          token = next();
        } else {
          labels.add(new Label(METRIC_NAME, token.value));
          token = after;
        }
      } else {
        throw unexpected(token, "label set", "identifier or \"}\"");
      }
      if (token.kind == Kind.RIGHT_BRACE) {
        return labels;
      }
      if (token.kind != Kind.COMMA) {
        throw unexpected(token, "label set", "\",\" or \"}\"");
      }
      token = next();
      if (token.kind == Kind.RIGHT_BRACE) {
        return labels;
      }
    }
  }

  private String stringValue(Token token) {
    if (token.kind != Kind.STRING) {
      throw unexpected(token, "label set", "string");
    }
    return token.value;
  }

  // ---- lexer (Prometheus's lexStatements / lexInsideBraces, as far as a label set needs) ----

  private Token next() {
    skipSpaceAndComments();
    int start = pos;
    if (pos >= input.length()) {
      if (braceOpen) {
        throw error(start, "unexpected end of input inside braces");
      }
      return new Token(Kind.EOF, "", null, start);
    }
    char c = input.charAt(pos);
    if (c == '"' || c == '\'' || c == '`') {
      return string(c);
    }
    return braceOpen ? insideBraces(start, c) : outsideBraces(start, c);
  }

  private Token insideBraces(int start, char c) {
    pos++;
    if (isAlpha(c)) {
      while (pos < input.length() && isAlphaNumeric(input.charAt(pos))) {
        pos++;
      }
      return token(Kind.IDENTIFIER, start);
    }
    switch (c) {
      case ',':
        return token(Kind.COMMA, start);
      case '=':
        if (pos < input.length() && input.charAt(pos) == '~') {
          pos++;
          return token(Kind.OPERATOR, start);
        }
        return token(Kind.EQL, start);
      case '!':
        if (pos < input.length() && (input.charAt(pos) == '=' || input.charAt(pos) == '~')) {
          pos++;
          return token(Kind.OPERATOR, start);
        }
        throw error(
            start,
            "unexpected character after '!' inside braces: "
                + GoQuoting.quoteRune(pos < input.length() ? input.codePointAt(pos) : 0xfffd));
      case '{':
        throw error(start, "unexpected left brace '{'");
      case '}':
        braceOpen = false;
        return token(Kind.RIGHT_BRACE, start);
      default:
        throw error(
            start, "unexpected character inside braces: " + GoQuoting.quoteRune(codePoint(start)));
    }
  }

  private Token outsideBraces(int start, char c) {
    if (isAlpha(c) || c == ':') {
      boolean colon = false;
      while (pos < input.length()
          && (isAlphaNumeric(input.charAt(pos)) || input.charAt(pos) == ':')) {
        colon |= input.charAt(pos) == ':';
        pos++;
      }
      return token(colon ? Kind.METRIC_IDENTIFIER : Kind.IDENTIFIER, start);
    }
    if (c == '{') {
      pos++;
      braceOpen = true;
      return token(Kind.LEFT_BRACE, start);
    }
    // Anything else cannot continue a metric description; Prometheus's lexer would make an
    // operator, number or bracket of it, all of which the parser then reports as unexpected.
    pos += Character.charCount(codePoint(start));
    return token(c == '}' ? Kind.RIGHT_BRACE : c == ',' ? Kind.COMMA : Kind.OTHER, start);
  }

  /** A quoted or raw string starting at its opening quote; errors point at the opening quote. */
  private Token string(char quote) {
    int start = pos++;
    var bytes = new ByteArrayOutputStream();
    while (true) {
      if (pos >= input.length()) {
        throw error(start, quote == '`' ? "unterminated raw string" : "unterminated quoted string");
      }
      int c = input.codePointAt(pos);
      pos += Character.charCount(c);
      if (c == quote) {
        String value = bytes.toString(StandardCharsets.UTF_8);
        return new Token(Kind.STRING, input.substring(start, pos), value, start);
      }
      if (quote != '`' && c == '\n') {
        throw error(start, "unterminated quoted string");
      }
      if (quote != '`' && c == '\\') {
        escape(start, quote, bytes);
      } else {
        writeUtf8(c, bytes);
      }
    }
  }

  /** Prometheus's {@code lexEscape}, writing the escaped character or byte. */
  private void escape(int start, char quote, ByteArrayOutputStream bytes) {
    if (pos >= input.length()) {
      throw error(start, "escape sequence not terminated");
    }
    int c = input.codePointAt(pos);
    pos += Character.charCount(c);
    int digits;
    int base;
    int max;
    switch (c) {
      case 'a' -> {
        bytes.write(0x07);
        return;
      }
      case 'b' -> {
        bytes.write('\b');
        return;
      }
      case 'f' -> {
        bytes.write('\f');
        return;
      }
      case 'n' -> {
        bytes.write('\n');
        return;
      }
      case 'r' -> {
        bytes.write('\r');
        return;
      }
      case 't' -> {
        bytes.write('\t');
        return;
      }
      case 'v' -> {
        bytes.write(0x0b);
        return;
      }
      case '0', '1', '2', '3', '4', '5', '6', '7' -> {
        pos--; // the first digit is part of the number
        digits = 3;
        base = 8;
        max = 255;
      }
      case 'x' -> {
        digits = 2;
        base = 16;
        max = 255;
      }
      case 'u' -> {
        digits = 4;
        base = 16;
        max = Character.MAX_CODE_POINT;
      }
      case 'U' -> {
        digits = 8;
        base = 16;
        max = Character.MAX_CODE_POINT;
      }
      default -> {
        if (c == '\\' || c == quote) {
          bytes.write(c);
          return;
        }
        throw error(start, "unknown escape sequence " + goUnicode(c));
      }
    }
    long value = 0;
    for (int i = 0; i < digits; i++) {
      if (pos >= input.length()) {
        throw error(start, "escape sequence not terminated");
      }
      int d = input.codePointAt(pos);
      int digit = d < 0x80 ? Character.digit(d, base) : -1;
      if (digit < 0) {
        throw error(start, "illegal character " + goUnicode(d) + " in escape sequence");
      }
      value = value * base + digit;
      pos += Character.charCount(d);
    }
    if (value > max || (value >= 0xd800 && value < 0xe000)) {
      throw error(start, "escape sequence is an invalid Unicode code point");
    }
    if (max == 255) {
      bytes.write((int) value); // \x and octal escapes are bytes, as in Go
    } else {
      writeUtf8((int) value, bytes);
    }
  }

  private void skipSpaceAndComments() {
    while (pos < input.length()) {
      char c = input.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        pos++;
      } else if (c == '#') {
        while (pos < input.length() && input.charAt(pos) != '\n') {
          pos++;
        }
      } else {
        return;
      }
    }
  }

  private Token token(Kind kind, int start) {
    return new Token(kind, input.substring(start, pos), null, start);
  }

  private int codePoint(int at) {
    return input.codePointAt(at);
  }

  // ---- errors ----

  /** The parser's {@code unexpected(context, expected)}. */
  private ProtocolException unexpected(Token token, String context, String expected) {
    StringBuilder message = new StringBuilder("unexpected ").append(describe(token));
    if (!context.isEmpty()) {
      message.append(" in ").append(context);
    }
    if (!expected.isEmpty()) {
      message.append(", expected ").append(expected);
    }
    return error(token.start, message.toString());
  }

  /** Prometheus's {@code Item.desc()}. */
  private static String describe(Token token) {
    return switch (token.kind) {
      case EOF -> "end of input";
      case IDENTIFIER -> "identifier " + GoQuoting.quote(token.text);
      case METRIC_IDENTIFIER -> "metric identifier " + GoQuoting.quote(token.text);
      case STRING -> "string " + shortQuote(token.text);
      case OPERATOR -> "<op:" + token.text + ">";
      default -> GoQuoting.quote(token.text);
    };
  }

  /** Go's {@code %.10q...} for long texts: the first ten characters, quoted, then dots. */
  private static String shortQuote(String text) {
    if (text.codePointCount(0, text.length()) <= 10) {
      return GoQuoting.quote(text);
    }
    return GoQuoting.quote(text.substring(0, text.offsetByCodePoints(0, 10))) + "...";
  }

  /** An error at a character offset, located as Prometheus locates it: line and byte column. */
  private ProtocolException error(int at, String problem) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < at; i++) {
      if (input.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    int column = input.substring(lineStart, at).getBytes(StandardCharsets.UTF_8).length + 1;
    return new ProtocolException(line + ":" + column + ": parse error: " + problem);
  }

  /** Go's {@code %#U}: {@code U+0071 'q'}, or just {@code U+000A} when not printable. */
  private static String goUnicode(int c) {
    String hex = Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT);
    String code = "U+" + "0".repeat(Math.max(0, 4 - hex.length())) + hex;
    // quoteRune escapes exactly what is not printable, besides the backslash and the quote.
    boolean printable = c == '\\' || c == '\'' || GoQuoting.quoteRune(c).charAt(1) != '\\';
    return printable ? code + " '" + new String(Character.toChars(c)) + "'" : code;
  }

  private static boolean isAlpha(char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isAlphaNumeric(char c) {
    return isAlpha(c) || (c >= '0' && c <= '9');
  }

  private static void writeUtf8(int cp, ByteArrayOutputStream out) {
    if (cp < 0x80) {
      out.write(cp);
    } else if (cp < 0x800) {
      out.write(0xc0 | cp >> 6);
      out.write(0x80 | cp & 0x3f);
    } else if (cp < 0x10000) {
      out.write(0xe0 | cp >> 12);
      out.write(0x80 | cp >> 6 & 0x3f);
      out.write(0x80 | cp & 0x3f);
    } else {
      out.write(0xf0 | cp >> 18);
      out.write(0x80 | cp >> 12 & 0x3f);
      out.write(0x80 | cp >> 6 & 0x3f);
      out.write(0x80 | cp & 0x3f);
    }
  }
}
