package io.icegate.promql;

import io.icegate.promql.ast.PositionRange;
import java.nio.charset.StandardCharsets;
import org.antlr.v4.runtime.Token;

/**
 * The query being parsed, with the translation from ANTLR's positions (code point indexes) to
 * Prometheus's (UTF-8 byte offsets, and line:column with the column in bytes).
 */
final class QueryText {
  private final String text;
  private final int[] codePoints;
  private final int[] byteOffsets; // byte offset of each code point, plus the total at the end
  private final byte[] bytes;

  QueryText(String text) {
    this.text = text;
    this.codePoints = text.codePoints().toArray();
    this.byteOffsets = new int[codePoints.length + 1];
    for (int i = 0; i < codePoints.length; i++) {
      byteOffsets[i + 1] = byteOffsets[i] + utf8Length(codePoints[i]);
    }
    this.bytes = text.getBytes(StandardCharsets.UTF_8);
  }

  /** Whether the byte at {@code offset} is white space (Prometheus's: space, tab, CR, LF). */
  boolean isSpaceByte(int offset) {
    if (offset < 0 || offset >= bytes.length) {
      return false;
    }
    byte b = bytes[offset];
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  String text() {
    return text;
  }

  /** The code points of the query; ANTLR's character indexes index this array. */
  int[] codePoints() {
    return codePoints;
  }

  int length() {
    return codePoints.length;
  }

  /** The code point at {@code index}, or -1 past the end. */
  int at(int index) {
    return index < codePoints.length ? codePoints[index] : -1;
  }

  /** Code points {@code [from, to)} as a string. */
  String slice(int from, int to) {
    return new String(codePoints, from, to - from);
  }

  /** The byte offset of the code point at {@code index} (the length for the end). */
  int byteOffset(int index) {
    return byteOffsets[Math.min(index, codePoints.length)];
  }

  /** The byte range of code points {@code [from, to)}. */
  PositionRange range(int from, int to) {
    return new PositionRange(byteOffset(from), byteOffset(to));
  }

  /** The byte range of a token. */
  PositionRange range(Token token) {
    if (token.getType() == Token.EOF) {
      return new PositionRange(byteOffset(codePoints.length), byteOffset(codePoints.length));
    }
    return range(token.getStartIndex(), token.getStopIndex() + 1);
  }

  /** The byte range from the start of {@code first} to the end of {@code last}. */
  PositionRange range(Token first, Token last) {
    return range(first).union(range(last));
  }

  /**
   * Line and column (both from 1; the column in bytes after the last newline) of a byte offset, as
   * Prometheus computes them for messages.
   */
  int[] lineColumn(int byteOffset) {
    if (text.isEmpty()) {
      return new int[] {0, 0};
    }
    int line = 1;
    int lastNewline = -1;
    for (int i = 0; i < Math.min(byteOffset, bytes.length); i++) {
      if (bytes[i] == '\n') {
        line++;
        lastNewline = i;
      }
    }
    return new int[] {line, byteOffset - lastNewline};
  }

  /** An error about the part of the query in {@code range}. */
  PromQLParseException error(PositionRange range, String detail) {
    return new PromQLParseException(this, range, detail);
  }

  private static int utf8Length(int cp) {
    if (Character.getType(cp) == Character.SURROGATE) {
      return 1; // a lone surrogate: encoded as '?', one byte, like the text's bytes
    }
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
}
