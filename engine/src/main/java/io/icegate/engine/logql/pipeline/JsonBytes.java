package io.icegate.engine.logql.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * The {@code json} stage's walk ({@link JsonScanner#flatten}) over a line's UTF-8 bytes, so that
 * a line is never decoded into a Java string: a line that is not an object fails at its first
 * byte, skipped strings are stepped over eight bytes at a time, and only the wanted leaves become
 * strings. It answers exactly as the walk over the decoded text would: JSON's structure is ASCII,
 * and an invalid UTF-8 sequence (U+FFFD in the text) never swallows an ASCII byte, so both walks
 * see the same structure and a value's bytes decode to the text's substring. Where that argument
 * needs care — an escape inside a key or a wanted string, a {@code \\u} escape followed by
 * non-ASCII bytes — it answers {@link #UNDECIDED}, and the caller walks the text instead.
 */
final class JsonBytes {
  /** The line is not a JSON object (as {@link JsonScanner#flatten} returns -1). */
  static final int INVALID = -1;

  /** The byte walk can't answer alone: walk the decoded text (its leaves may have been visited). */
  static final int UNDECIDED = -2;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long QUOTES = 0x2222222222222222L;
  private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;
  private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;

  /**
   * Sanitised object keys by their position in the walk, as raw bytes: lines of one shape have
   * the same keys in the same order, so a key is recognised by comparing bytes in place.
   */
  static final class KeyCache {
    private final byte[][] raw = new byte[64][];
    private final String[] names = new String[64];
    private int ordinal;
  }

  private byte[] b;
  private int n;
  /** The sanitised name of the key last read by {@link #readKey}. */
  private String lastKey;

  /**
   * Visits the scalar leaves of the object the line holds (nested keys joined by {@code _},
   * arrays skipped), only those whose flat key is in {@code wanted} (null: all), and checks the
   * rest for well-formedness; returns the index after the object, {@link #INVALID} or {@link
   * #UNDECIDED}.
   */
  int flatten(
      byte[] bytes, int length, Set<String> wanted, KeyCache names,
      JsonScanner.LeafVisitor visitor) {
    this.b = bytes;
    this.n = length;
    names.ordinal = 0;
    return walk(0, "", wanted, names, visitor);
  }

  private int skipWs(int i) {
    while (i < n) {
      byte c = b[i];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        break;
      }
      i++;
    }
    return i;
  }

  private int walk(
      int i, String prefix, Set<String> wanted, KeyCache names, JsonScanner.LeafVisitor visitor) {
    i = skipWs(i);
    if (i >= n || b[i] != '{') {
      return INVALID;
    }
    i = skipWs(i + 1);
    if (i < n && b[i] == '}') {
      return i + 1;
    }
    while (true) {
      i = readKey(skipWs(i), names);
      if (i < 0) {
        return i;
      }
      String key = lastKey;
      String flat = prefix.isEmpty() ? key : key.isEmpty() ? prefix : prefix + "_" + key;
      i = skipWs(i);
      if (i >= n || b[i] != ':') {
        return INVALID;
      }
      i = skipWs(i + 1);
      if (i >= n) {
        return INVALID;
      }
      byte c = b[i];
      if (c == '{') {
        i = wanted == null || JsonScanner.wantsUnder(wanted, flat)
            ? walk(i, flat, wanted, names, visitor)
            : skipValue(i);
      } else if (c == '[' || wanted != null && !wanted.contains(flat)) {
        i = skipValue(i);
      } else if (c == '"') {
        int end = quoteOrBackslash(i + 1);
        if (end < 0) {
          return INVALID;
        }
        if (b[end] == '\\') {
          return UNDECIDED; // a wanted string with escapes: decoded by the text walk
        }
        visitor.leaf(flat, new String(b, i + 1, end - i - 1, StandardCharsets.UTF_8));
        i = end + 1;
      } else {
        int start = i;
        i = skipValue(i);
        if (i >= 0) {
          // Only ASCII letters, digits and signs get here: the text is the bytes as Latin-1.
          String text = new String(b, start, i - start, StandardCharsets.ISO_8859_1);
          visitor.leaf(flat, text.equals("null") ? "" : text);
        }
      }
      if (i < 0) {
        return i;
      }
      i = skipWs(i);
      if (i >= n) {
        return INVALID;
      }
      if (b[i] == '}') {
        return i + 1;
      }
      if (b[i] != ',') {
        return INVALID;
      }
      i++;
    }
  }

  /** Reads the key at {@code i} into {@link #lastKey}; returns the index after it or a code. */
  private int readKey(int i, KeyCache cache) {
    if (i >= n || b[i] != '"') {
      return INVALID;
    }
    int end = quoteOrBackslash(i + 1);
    if (end < 0) {
      return INVALID;
    }
    if (b[end] == '\\') {
      return UNDECIDED;
    }
    int ordinal = cache.ordinal++;
    if (ordinal < cache.raw.length) {
      byte[] raw = cache.raw[ordinal];
      if (raw == null || !Arrays.equals(raw, 0, raw.length, b, i + 1, end)) {
        raw = Arrays.copyOfRange(b, i + 1, end);
        cache.raw[ordinal] = raw;
        cache.names[ordinal] =
            LabelNames.sanitize(new String(raw, StandardCharsets.UTF_8), false);
      }
      lastKey = cache.names[ordinal];
    } else {
      lastKey =
          LabelNames.sanitize(new String(b, i + 1, end - i - 1, StandardCharsets.UTF_8), false);
    }
    return end + 1;
  }

  /**
   * Steps over the string at the quote at {@code i}, checking its escapes as {@link
   * JsonScanner#readString} does; returns the index after it or a code.
   */
  private int skipString(int i) {
    int k = i + 1;
    while (true) {
      int j = quoteOrBackslash(k);
      if (j < 0) {
        return INVALID;
      }
      if (b[j] == '"') {
        return j + 1;
      }
      if (j + 1 >= n) {
        return INVALID;
      }
      switch (b[j + 1]) {
        case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> k = j + 2;
        case 'u' -> {
          if (j + 6 > n) {
            return INVALID; // fewer than four bytes left: fewer than four characters too
          }
          for (int h = j + 2; h < j + 6; h++) {
            if (b[h] < 0) {
              return UNDECIDED; // the text has other characters there than the bytes
            }
          }
          try {
            // As the text walk parses them (Integer.parseInt takes a sign, too).
            Integer.parseInt(new String(b, j + 2, 4, StandardCharsets.ISO_8859_1), 16);
          } catch (NumberFormatException e) {
            return INVALID;
          }
          k = j + 6;
        }
        default -> {
          return INVALID;
        }
      }
    }
  }

  /** Skips the value at {@code i}; returns the index after it or a code. */
  private int skipValue(int i) {
    i = skipWs(i);
    if (i >= n) {
      return INVALID;
    }
    byte c = b[i];
    switch (c) {
      case '"':
        return skipString(i);
      case '{':
        {
          i = skipWs(i + 1);
          if (i < n && b[i] == '}') {
            return i + 1;
          }
          while (true) {
            i = skipWs(i);
            if (i >= n || b[i] != '"') {
              return INVALID;
            }
            i = skipString(i);
            if (i < 0) {
              return i;
            }
            i = skipWs(i);
            if (i >= n || b[i] != ':') {
              return INVALID;
            }
            i = skipValue(i + 1);
            if (i < 0) {
              return i;
            }
            i = skipWs(i);
            if (i >= n) {
              return INVALID;
            }
            if (b[i] == '}') {
              return i + 1;
            }
            if (b[i] != ',') {
              return INVALID;
            }
            i++;
          }
        }
      case '[':
        {
          i = skipWs(i + 1);
          if (i < n && b[i] == ']') {
            return i + 1;
          }
          while (true) {
            i = skipValue(i);
            if (i < 0) {
              return i;
            }
            i = skipWs(i);
            if (i >= n) {
              return INVALID;
            }
            if (b[i] == ']') {
              return i + 1;
            }
            if (b[i] != ',') {
              return INVALID;
            }
            i++;
          }
        }
      default:
        {
          int start = i;
          while (i < n && isLiteralByte(b[i])) {
            i++;
          }
          if (i == start) {
            return INVALID;
          }
          int length = i - start;
          if (length == 4 && matches(start, "true")
              || length == 5 && matches(start, "false")
              || length == 4 && matches(start, "null")) {
            return i;
          }
          byte f = b[start];
          if (f != '-' && (f < '0' || f > '9')) {
            return INVALID;
          }
          for (int k = start; k < i; k++) {
            if (b[k] >= 'a' && b[k] != 'e') {
              return INVALID; // letters of true/false/null inside a number
            }
          }
          return i;
        }
    }
  }

  /** One of {@code -+.eE0123456789truefalsn}, the characters the text walk takes as a literal. */
  private static boolean isLiteralByte(byte c) {
    return switch (c) {
      case '-', '+', '.', 'e', 'E', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 't', 'r',
          'u', 'f', 'a', 'l', 's', 'n' -> true;
      default -> false;
    };
  }

  private boolean matches(int at, String ascii) {
    for (int k = 0; k < ascii.length(); k++) {
      if (b[at + k] != ascii.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** The first {@code "} or {@code \} at or after {@code from}, or -1; eight bytes at a time. */
  private int quoteOrBackslash(int from) {
    int i = from;
    while (i + 8 <= n) {
      long w = (long) LONGS.get(b, i);
      long found = zeroBytes(w ^ QUOTES) | zeroBytes(w ^ BACKSLASHES);
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
      i += 8;
    }
    for (; i < n; i++) {
      if (b[i] == '"' || b[i] == '\\') {
        return i;
      }
    }
    return -1;
  }

  /** The high bit of each byte of {@code v} that is zero, and no other bit. */
  private static long zeroBytes(long v) {
    long t = (v & LOW7) + LOW7;
    return ~(t | v | LOW7);
  }
}
