package io.icegate.logql;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * String literals as Loki reads them: Go's scanner finds and checks the literal, then Prometheus'
 * {@code strutil.Unquote} (Go's {@code strconv.Unquote} rules) turns it into its value.
 *
 * <ul>
 *   <li>{@code "..."}: escapes {@code \a \b \f \n \r \t \v \\ \"}, {@code \xHH} and {@code \OOO}
 *       (one byte each), backslash-u with 4 and backslash-U with 8 hex digits (one code point
 *       each). No raw newline inside.
 *   <li>{@code `...`}: raw, no escapes, may span lines. Unlike {@code strconv.Unquote}, Prometheus'
 *       unquote keeps carriage returns, and so does Loki, and so do we.
 * </ul>
 *
 * <p>Errors carry Loki's wording: the scanner's {@code invalid char escape}, {@code literal not
 * terminated} and {@code invalid UTF-8 encoding}, and unquote's {@code invalid syntax} (for an
 * octal escape above 255 or a code point escape above U+10FFFF).
 *
 * <p>Two rules are stricter than Loki's, because a Java string cannot hold what Go would produce:
 *
 * <ul>
 *   <li>{@code \x} and octal escapes give bytes; if the bytes of the value are not valid UTF-8 the
 *       literal is rejected with {@code invalid UTF-8 encoding}. Go keeps such bytes.
 *   <li>A code point escape naming a surrogate (U+D800 to U+DFFF) is {@code invalid syntax}, as in
 *       Go's {@code strconv}; Prometheus' copy silently turns it into U+FFFD.
 * </ul>
 */
final class GoStringLiteral {
  private GoStringLiteral() {}

  /** Why a literal was rejected; the message is Loki's text. */
  static final class InvalidLiteralException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidLiteralException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The value of a literal, quotes included in {@code literal}.
   *
   * @throws InvalidLiteralException if Loki's scanner or unquote rejects it
   */
  static String unquote(String literal) throws InvalidLiteralException {
    if (literal.isEmpty()) {
      throw new InvalidLiteralException("invalid syntax");
    }
    if (literal.charAt(0) == '`') {
      return rawValue(literal);
    }
    if (literal.charAt(0) != '"') {
      throw new InvalidLiteralException("invalid syntax");
    }
    scanQuoted(literal);
    String body = literal.substring(1, literal.length() - 1);
    return body.indexOf('\\') < 0 ? body : unescape(body);
  }

  private static String rawValue(String literal) throws InvalidLiteralException {
    int end = literal.indexOf('`', 1);
    requireUnicode(literal, 1, end < 0 ? literal.length() : end);
    if (end < 0) {
      throw new InvalidLiteralException("literal not terminated");
    }
    if (end != literal.length() - 1) {
      throw new InvalidLiteralException("invalid syntax");
    }
    return literal.substring(1, end);
  }

  // What Go's text/scanner checks while it reads a quoted literal, in its order: the first problem
  // met from left to right is the one reported.
  private static void scanQuoted(String literal) throws InvalidLiteralException {
    int i = 1;
    while (true) {
      if (i >= literal.length()) {
        throw new InvalidLiteralException("literal not terminated");
      }
      char c = literal.charAt(i);
      if (c == '"') {
        if (i != literal.length() - 1) {
          throw new InvalidLiteralException("invalid syntax");
        }
        return;
      }
      if (c == '\n') {
        throw new InvalidLiteralException("literal not terminated");
      }
      i = c == '\\' ? scanEscape(literal, i + 1) : next(literal, i);
    }
  }

  // Returns the index after the escape that starts at {@code i} (just after the backslash).
  private static int scanEscape(String s, int i) throws InvalidLiteralException {
    if (i >= s.length()) {
      throw new InvalidLiteralException("invalid char escape");
    }
    char c = s.charAt(i);
    switch (c) {
      case 'a', 'b', 'f', 'n', 'r', 't', 'v', '\\', '"':
        return i + 1;
      case '0', '1', '2', '3', '4', '5', '6', '7':
        return scanDigits(s, i, 8, 3);
      case 'x':
        return scanDigits(s, i + 1, 16, 2);
      case 'u':
        return scanDigits(s, i + 1, 16, 4);
      case 'U':
        return scanDigits(s, i + 1, 16, 8);
      default:
        next(s, i); // an unpaired surrogate here is reported as invalid UTF-8 first, as Go does
        throw new InvalidLiteralException("invalid char escape");
    }
  }

  private static int scanDigits(String s, int i, int base, int count)
      throws InvalidLiteralException {
    for (int k = 0; k < count; k++) {
      if (i + k >= s.length() || Character.digit(s.charAt(i + k), base) < 0) {
        throw new InvalidLiteralException("invalid char escape");
      }
    }
    return i + count;
  }

  // Index of the code point after the one at {@code i}. An unpaired surrogate is the UTF-16 form
  // of what Go's scanner reports as invalid UTF-8.
  private static int next(String s, int i) throws InvalidLiteralException {
    int cp = s.codePointAt(i);
    if (Character.getType(cp) == Character.SURROGATE) {
      throw new InvalidLiteralException("invalid UTF-8 encoding");
    }
    return i + Character.charCount(cp);
  }

  private static void requireUnicode(String s, int from, int to) throws InvalidLiteralException {
    for (int i = from; i < to; ) {
      i = next(s, i);
    }
  }

  // Go's strconv.UnquoteChar, applied to a body that scanQuoted has checked.
  private static String unescape(String body) throws InvalidLiteralException {
    Utf8Bytes out = new Utf8Bytes(body.length());
    int i = 0;
    while (i < body.length()) {
      int cp = body.codePointAt(i);
      if (cp != '\\') {
        out.appendCodePoint(cp);
        i += Character.charCount(cp);
        continue;
      }
      char e = body.charAt(i + 1);
      i += 2;
      switch (e) {
        case 'a' -> out.appendByte(0x07);
        case 'b' -> out.appendByte(0x08);
        case 'f' -> out.appendByte(0x0C);
        case 'n' -> out.appendByte(0x0A);
        case 'r' -> out.appendByte(0x0D);
        case 't' -> out.appendByte(0x09);
        case 'v' -> out.appendByte(0x0B);
        case '\\' -> out.appendByte('\\');
        case '"' -> out.appendByte('"');
        case 'x' -> {
          out.appendByte(Integer.parseInt(body, i, i + 2, 16));
          i += 2;
        }
        case 'u', 'U' -> {
          int digits = e == 'u' ? 4 : 8;
          int value = Integer.parseUnsignedInt(body, i, i + digits, 16);
          i += digits;
          if (value < 0
              || value > Character.MAX_CODE_POINT
              || (value >= Character.MIN_SURROGATE && value <= Character.MAX_SURROGATE)) {
            throw new InvalidLiteralException("invalid syntax");
          }
          out.appendCodePoint(value);
        }
        case '0', '1', '2', '3', '4', '5', '6', '7' -> {
          int value = Integer.parseInt(body, i - 1, i + 2, 8);
          i += 2;
          if (value > 255) {
            throw new InvalidLiteralException("invalid syntax");
          }
          out.appendByte(value);
        }
        default -> throw new InvalidLiteralException("invalid syntax");
      }
    }
    return out.decode();
  }

  /**
   * A growable UTF-8 byte buffer: escapes may add single bytes that only together form a character.
   */
  private static final class Utf8Bytes {
    private byte[] bytes;
    private int size;

    Utf8Bytes(int capacity) {
      bytes = new byte[Math.max(16, capacity * 2)];
    }

    void appendByte(int b) {
      if (size == bytes.length) {
        bytes = Arrays.copyOf(bytes, size * 2);
      }
      bytes[size++] = (byte) b;
    }

    void appendCodePoint(int cp) {
      if (cp < 0x80) {
        appendByte(cp);
      } else if (cp < 0x800) {
        appendByte(0xC0 | (cp >> 6));
        appendByte(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        appendByte(0xE0 | (cp >> 12));
        appendByte(0x80 | ((cp >> 6) & 0x3F));
        appendByte(0x80 | (cp & 0x3F));
      } else {
        appendByte(0xF0 | (cp >> 18));
        appendByte(0x80 | ((cp >> 12) & 0x3F));
        appendByte(0x80 | ((cp >> 6) & 0x3F));
        appendByte(0x80 | (cp & 0x3F));
      }
    }

    String decode() throws InvalidLiteralException {
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes, 0, size))
            .toString();
      } catch (CharacterCodingException e) {
        throw new InvalidLiteralException("invalid UTF-8 encoding");
      }
    }
  }
}
