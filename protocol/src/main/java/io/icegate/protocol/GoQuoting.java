package io.icegate.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * Go's string rules as Loki and Prometheus show them to users: double-quoted literals ({@code
 * strconv.Quote} / {@code strconv.Unquote}), the form in which they print label values and quote
 * names in error messages ({@code %q}), and the byte order in which they sort label names. Quoting
 * keeps every printable character as it is and escapes the rest, so the text stays readable and
 * always fits on one line.
 */
public final class GoQuoting {
  /**
   * Go's order of strings, by their UTF-8 bytes, which is code point order: the order in which
   * Prometheus and Loki sort label names. It differs from {@link String#compareTo} only where a
   * character above U+FFFF meets one in U+E000..U+FFFF: UTF-16 stores the former as surrogates,
   * which sort lower.
   */
  public static final Comparator<String> UTF8_ORDER = GoQuoting::compareUtf8;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private GoQuoting() {}

  /**
   * Appends {@code s} as Go's {@code strconv.Quote} writes it. A lone surrogate, which no UTF-8
   * text can contain, is written as U+FFFD, as Go writes an invalid rune.
   */
  public static void quote(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      if (c == '"') {
        out.append("\\\"");
      } else {
        appendRune(c, out);
      }
    }
    out.append('"');
  }

  /** {@code s} as Go's {@code %q} verb prints a string. */
  public static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2);
    quote(s, out);
    return out.toString();
  }

  /** A code point as Go's {@code %q} verb prints a rune: {@code '.'}, {@code '\n'}. */
  public static String quoteRune(int c) {
    StringBuilder out = new StringBuilder(8).append('\'');
    if (c == '\'') {
      out.append("\\'");
    } else {
      appendRune(c, out);
    }
    return out.append('\'').toString();
  }

  /** One code point inside a quoted literal, escaped unless printable; quotes are the caller's. */
  private static void appendRune(int c, StringBuilder out) {
    switch (c) {
      case '\\' -> out.append("\\\\");
      case 0x07 -> out.append("\\a");
      case '\b' -> out.append("\\b");
      case '\f' -> out.append("\\f");
      case '\n' -> out.append("\\n");
      case '\r' -> out.append("\\r");
      case '\t' -> out.append("\\t");
      case 0x0b -> out.append("\\v");
      default -> {
        if (isPrint(c)) {
          out.appendCodePoint(c);
        } else if (c < ' ' || c == 0x7f) {
          out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
        } else if (c < 0x10000) {
          int r = Character.isSurrogate((char) c) ? 0xfffd : c;
          out.append("\\u");
          appendHex(r, 4, out);
        } else {
          out.append("\\U");
          appendHex(c, 8, out);
        }
      }
    }
  }

  /**
   * Reads the Go string literal that starts at {@code start} (at its opening quote) with every
   * escape {@code strconv.Unquote} accepts: {@code \a \b \f \n \r \t \v \\ \"}, three octal digits,
   * {@code \x} with two hex digits, and backslash-u and backslash-U with four and eight.
   *
   * @param end receives the index just after the closing quote, in {@code end[0]}
   * @throws IllegalArgumentException if the literal is malformed or not closed
   */
  public static String unquote(String s, int start, int[] end) {
    if (start >= s.length() || s.charAt(start) != '"') {
      throw malformed(s, start, "expected '\"'");
    }
    int closing = start + 1;
    while (closing < s.length() && s.charAt(closing) != '"' && s.charAt(closing) != '\\') {
      closing++;
    }
    if (closing < s.length() && s.charAt(closing) == '"') {
      // Most values have no escapes at all.
      end[0] = closing + 1;
      return checkedRaw(s, start + 1, closing);
    }
    // \x and octal escapes are bytes of UTF-8, so the value is rebuilt as bytes.
    var bytes = new ByteArrayOutputStream(s.length() - start);
    for (int i = start + 1; ; ) {
      if (i >= s.length()) {
        throw malformed(s, start, "unterminated string");
      }
      char c = s.charAt(i);
      if (c == '"') {
        end[0] = i + 1;
        return bytes.toString(StandardCharsets.UTF_8);
      }
      if (c == '\n') {
        throw malformed(s, i, "newline in string");
      }
      if (c != '\\') {
        int cp = s.codePointAt(i);
        i += Character.charCount(cp);
        writeUtf8(cp, bytes);
        continue;
      }
      if (i + 1 >= s.length()) {
        throw malformed(s, i, "unterminated string");
      }
      char escape = s.charAt(i + 1);
      i += 2;
      switch (escape) {
        case 'a' -> bytes.write(0x07);
        case 'b' -> bytes.write('\b');
        case 'f' -> bytes.write('\f');
        case 'n' -> bytes.write('\n');
        case 'r' -> bytes.write('\r');
        case 't' -> bytes.write('\t');
        case 'v' -> bytes.write(0x0b);
        case '\\' -> bytes.write('\\');
        case '"' -> bytes.write('"');
        case 'x' -> {
          bytes.write(hex(s, i, 2));
          i += 2;
        }
        case 'u', 'U' -> {
          int digits = escape == 'u' ? 4 : 8;
          int cp = hex(s, i, digits);
          if (cp > Character.MAX_CODE_POINT || (cp >= 0xd800 && cp <= 0xdfff)) {
            throw malformed(s, i - 2, "escape is not a valid Unicode code point");
          }
          writeUtf8(cp, bytes);
          i += digits;
        }
        case '0', '1', '2', '3', '4', '5', '6', '7' -> {
          int value = octal(s, i - 1);
          if (value > 0xff) {
            throw malformed(s, i - 2, "octal escape value > 255");
          }
          bytes.write(value);
          i += 2;
        }
        default -> throw malformed(s, i - 2, "invalid escape \\" + escape);
      }
    }
  }

  /**
   * Go's {@code strconv.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII
   * space. Java's tables may know a newer Unicode version than a given Go release, which matters
   * only for characters assigned in between.
   */
  private static boolean isPrint(int c) {
    if (c < 0x80) {
      return c >= 0x20 && c < 0x7f;
    }
    return switch (Character.getType(c)) {
      case Character.UPPERCASE_LETTER,
              Character.LOWERCASE_LETTER,
              Character.TITLECASE_LETTER,
              Character.MODIFIER_LETTER,
              Character.OTHER_LETTER,
              Character.NON_SPACING_MARK,
              Character.ENCLOSING_MARK,
              Character.COMBINING_SPACING_MARK,
              Character.DECIMAL_DIGIT_NUMBER,
              Character.LETTER_NUMBER,
              Character.OTHER_NUMBER,
              Character.CONNECTOR_PUNCTUATION,
              Character.DASH_PUNCTUATION,
              Character.START_PUNCTUATION,
              Character.END_PUNCTUATION,
              Character.INITIAL_QUOTE_PUNCTUATION,
              Character.FINAL_QUOTE_PUNCTUATION,
              Character.OTHER_PUNCTUATION,
              Character.MATH_SYMBOL,
              Character.CURRENCY_SYMBOL,
              Character.MODIFIER_SYMBOL,
              Character.OTHER_SYMBOL ->
          true;
      default -> false;
    };
  }

  /** The unescaped part of a literal: Go rejects a raw newline there, as it is not one line. */
  private static String checkedRaw(String s, int from, int to) {
    int newline = s.indexOf('\n', from);
    if (newline >= 0 && newline < to) {
      throw malformed(s, newline, "newline in string");
    }
    return s.substring(from, to);
  }

  private static int hex(String s, int at, int digits) {
    if (at + digits > s.length()) {
      throw malformed(s, at, "short hex escape");
    }
    int value = 0;
    for (int i = at; i < at + digits; i++) {
      int digit = Character.digit(s.charAt(i), 16);
      if (digit < 0 || s.charAt(i) > 0x7f) {
        throw malformed(s, i, "invalid hex digit");
      }
      value = value << 4 | digit;
    }
    return value;
  }

  private static int octal(String s, int at) {
    if (at + 3 > s.length()) {
      throw malformed(s, at, "short octal escape");
    }
    int value = 0;
    for (int i = at; i < at + 3; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '7') {
        throw malformed(s, i, "invalid octal digit");
      }
      value = value << 3 | (c - '0');
    }
    return value;
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

  private static void appendHex(int value, int digits, StringBuilder out) {
    for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) {
      out.append(HEX[value >> shift & 0xf]);
    }
  }

  private static IllegalArgumentException malformed(String s, int at, String problem) {
    return new IllegalArgumentException("invalid quoted string at offset " + at + ": " + problem);
  }

  private static int compareUtf8(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int x = a.codePointAt(i);
      int y = b.codePointAt(j);
      if (x != y) {
        return Integer.compare(x, y);
      }
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
