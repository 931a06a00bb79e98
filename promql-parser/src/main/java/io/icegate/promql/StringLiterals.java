package io.icegate.promql;

import io.icegate.promql.ast.Printer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * String literals as Prometheus reads them: {@code "..."} and {@code '...'} with Go escapes (in a
 * double-quoted string {@code \'} is not an escape, and in a single-quoted one {@code \"} is not),
 * and raw {@code `...`} strings without escapes that may span lines.
 *
 * <p>Errors carry Prometheus's scanner wording: {@code unterminated quoted string},
 * {@code unknown escape sequence U+0063 'c'}, {@code escape sequence is an invalid Unicode code
 * point}, ...
 */
final class StringLiterals {
  private StringLiterals() {}

  /**
   * What Prometheus's scanner says is wrong with the literal that starts {@code text} (which runs
   * to the end of the query, so that what follows an unterminated literal is seen as Prometheus
   * sees it), or empty if it is well formed.
   */
  static Optional<String> lexicalError(String text) {
    int quote = text.codePointAt(0);
    int i = 1;
    while (true) {
      if (i >= text.length()) {
        return Optional.of(quote == '`' ? "unterminated raw string" : "unterminated quoted string");
      }
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (c == quote) {
        return Optional.empty();
      }
      if (Character.getType(c) == Character.SURROGATE || c == 0xFFFD) {
        // What is left in a Java string of bytes that were not UTF-8 (and Go's decoder reports
        // U+FFFD itself the same way).
        return Optional.of("invalid UTF-8 rune");
      }
      if (quote == '`') {
        continue;
      }
      if (c == '\n') {
        return Optional.of("unterminated quoted string");
      }
      if (c == '\\') {
        Escape e = escape(text, i, quote);
        if (e.error != null) {
          return Optional.of(e.error);
        }
        i = e.end;
      }
    }
  }

  private record Escape(int end, String error) {}

  // Checks the escape starting at i (just after the backslash).
  private static Escape escape(String text, int i, int quote) {
    if (i >= text.length()) {
      return new Escape(i, "escape sequence not terminated");
    }
    int c = text.codePointAt(i);
    int digits;
    int base;
    int max;
    int next = i + Character.charCount(c);
    switch (c) {
      case 'a', 'b', 'f', 'n', 'r', 't', 'v', '\\' -> {
        return new Escape(next, null);
      }
      case '0', '1', '2', '3', '4', '5', '6', '7' -> {
        digits = 3;
        base = 8;
        max = 255;
        next = i; // the first digit is part of the number
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
        if (c == quote) {
          return new Escape(next, null);
        }
        return new Escape(next, "unknown escape sequence " + unicodeName(c));
      }
    }
    long value = 0;
    int j = next;
    for (int k = 0; k < digits; k++) {
      if (j >= text.length()) {
        return new Escape(j, "escape sequence not terminated");
      }
      int d = text.codePointAt(j);
      int v = Character.digit(d, base);
      if (d > 0x7F || v < 0) {
        return new Escape(j, "illegal character " + unicodeName(d) + " in escape sequence");
      }
      value = value * base + v;
      j += Character.charCount(d);
    }
    if (value > max || (value >= 0xD800 && value < 0xE000)) {
      return new Escape(j, "escape sequence is an invalid Unicode code point");
    }
    return new Escape(j, null);
  }

  // Go's %#U: U+0063 'c', or U+000A for what is not printable.
  private static String unicodeName(int cp) {
    String hex = String.format("U+%04X", cp);
    return Printer.isPrint(cp) ? hex + " '" + new String(Character.toChars(cp)) + "'" : hex;
  }

  /**
   * The value of a well-formed literal. {@code \x} and octal escapes give single bytes; bytes that
   * do not form UTF-8 become U+DC80 to U+DCFF, one per byte (see {@code StringLiteral}).
   */
  static String unquote(String text) {
    int quote = text.charAt(0);
    String body = text.substring(1, text.length() - 1);
    if (quote == '`' || body.indexOf('\\') < 0) {
      return body;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length() + 8);
    for (int i = 0; i < body.length(); ) {
      int c = body.codePointAt(i);
      i += Character.charCount(c);
      if (c != '\\') {
        writeUtf8(bytes, c);
        continue;
      }
      int e = body.charAt(i++);
      switch (e) {
        case 'a' -> bytes.write(0x07);
        case 'b' -> bytes.write(0x08);
        case 'f' -> bytes.write(0x0C);
        case 'n' -> bytes.write(0x0A);
        case 'r' -> bytes.write(0x0D);
        case 't' -> bytes.write(0x09);
        case 'v' -> bytes.write(0x0B);
        case 'x' -> {
          bytes.write(Integer.parseInt(body, i, i + 2, 16));
          i += 2;
        }
        case 'u' -> {
          writeUtf8(bytes, Integer.parseInt(body, i, i + 4, 16));
          i += 4;
        }
        case 'U' -> {
          writeUtf8(bytes, Integer.parseInt(body, i, i + 8, 16));
          i += 8;
        }
        case '0', '1', '2', '3', '4', '5', '6', '7' -> {
          bytes.write(Integer.parseInt(body, i - 1, i + 2, 8));
          i += 2;
        }
        default -> bytes.write(e); // \\ and the quote
      }
    }
    return decodeKeepingBadBytes(bytes.toByteArray());
  }

  private static void writeUtf8(ByteArrayOutputStream out, int cp) {
    byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
    out.write(b, 0, b.length);
  }

  // UTF-8 decoding in which each byte of a malformed sequence becomes U+DC00 + byte.
  private static String decodeKeepingBadBytes(byte[] bytes) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length * 2 + 1);
    while (true) {
      CoderResult r = decoder.decode(in, out, true);
      if (r.isUnderflow()) {
        break;
      }
      for (int k = 0; k < r.length(); k++) {
        out.put((char) (0xDC00 + (in.get() & 0xFF)));
      }
    }
    decoder.flush(out);
    out.flip();
    return out.toString();
  }

  /** Whether {@code s} holds bytes that were not UTF-8 (kept as U+DC80 to U+DCFF). */
  static boolean isValidUtf8(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isSurrogate(s.charAt(i))
          && !(Character.isHighSurrogate(s.charAt(i))
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1)))) {
        return false;
      }
      if (Character.isHighSurrogate(s.charAt(i))) {
        i++;
      }
    }
    return true;
  }
}
