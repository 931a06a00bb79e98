package io.icegate.engine.logql.pipeline;

import java.util.List;

/**
 * A small JSON reader over a line, enough for the {@code json} and {@code unpack} stages: it walks
 * objects without building a tree, decodes strings, and hands scalars over as their text. Errors
 * are reported by returning -1 from the scanning methods.
 */
final class JsonScanner {
  private final String s;
  private final int n;

  /** The decoded value of the last string read by {@link #readString}. */
  private String lastString;

  JsonScanner(String s) {
    this.s = s;
    this.n = s.length();
  }

  /** A visitor of the scalar leaves of an object, with the path of keys to each. */
  interface LeafVisitor {
    /** {@code text} is decoded for strings and the literal text for numbers and booleans. */
    void leaf(String flatKey, String text);
  }

  int skipWs(int i) {
    if (i < 0) {
      return i;
    }
    while (i < n) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        break;
      }
      i++;
    }
    return i;
  }

  String lastString() {
    return lastString;
  }

  /** Reads the string starting at the quote at {@code i}; returns the index after it or -1. */
  int readString(int i) {
    if (i >= n || s.charAt(i) != '"') {
      return -1;
    }
    i++;
    StringBuilder sb = null;
    int start = i;
    while (i < n) {
      char c = s.charAt(i);
      if (c == '"') {
        lastString = sb == null ? s.substring(start, i) : sb.append(s, start, i).toString();
        return i + 1;
      }
      if (c == '\\') {
        if (sb == null) {
          sb = new StringBuilder();
        }
        sb.append(s, start, i);
        if (i + 1 >= n) {
          return -1;
        }
        char e = s.charAt(i + 1);
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            if (i + 6 > n) {
              return -1;
            }
            try {
              sb.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
            } catch (NumberFormatException ex) {
              return -1;
            }
            i += 4;
          }
          default -> {
            return -1;
          }
        }
        i += 2;
        start = i;
        continue;
      }
      i++;
    }
    return -1;
  }

  /**
   * Skips the string starting at the quote at {@code i} without decoding it; returns what {@link
   * #readString} would (a string with escapes is read by it, so they are checked alike).
   */
  int skipString(int i) {
    if (i >= n || s.charAt(i) != '"') {
      return -1;
    }
    int quote = s.indexOf('"', i + 1);
    if (quote < 0) {
      return -1;
    }
    if (backslashFrom(i + 1) < quote) {
      return readString(i);
    }
    return quote + 1;
  }

  /** The first backslash at or after {@code from}, or {@code n}; found once per stretch. */
  private int backslashFrom(int from) {
    if (from < searchedFrom || backslash < from) {
      int b = s.indexOf('\\', from);
      backslash = b < 0 ? n : b;
      searchedFrom = from;
    }
    return backslash;
  }

  /** The first backslash at or after {@link #searchedFrom} ({@code n}: none). */
  private int backslash = -1;

  private int searchedFrom = Integer.MAX_VALUE;

  /**
   * Sanitised object keys by their position in the walk: lines of one shape have the same keys in
   * the same order, so a key is mostly recognised by comparing it in place, without a string.
   */
  static final class KeyCache {
    private final String[] raw = new String[64];
    private final String[] names = new String[64];
    private final java.util.Map<String, String> byRaw = new java.util.HashMap<>();
    private int ordinal;
  }

  /** The sanitised name of the key last read by {@link #readKey}. */
  private String lastKey;

  /**
   * Reads the object key starting at the quote at {@code i} and sanitises it ({@link #lastKey});
   * returns the index after it or -1.
   */
  private int readKey(int i, KeyCache cache) {
    int ordinal = cache == null ? -1 : cache.ordinal++;
    if (cache != null && ordinal < cache.raw.length && i < n && s.charAt(i) == '"') {
      int j = s.indexOf('"', i + 1);
      if (j >= 0 && backslashFrom(i + 1) > j) {
        int length = j - i - 1;
        String raw = cache.raw[ordinal];
        if (raw == null || raw.length() != length || !s.regionMatches(i + 1, raw, 0, length)) {
          raw = s.substring(i + 1, j);
          cache.raw[ordinal] = raw;
          cache.names[ordinal] = LabelNames.sanitize(raw, false);
        }
        lastKey = cache.names[ordinal];
        return j + 1;
      }
    }
    i = readString(i);
    if (i >= 0) {
      lastKey = sanitized(lastString, cache == null ? null : cache.byRaw);
    }
    return i;
  }

  /** Skips the value at {@code i}; returns the index after it or -1 when it is malformed. */
  int skipValue(int i) {
    i = skipWs(i);
    if (i >= n) {
      return -1;
    }
    char c = s.charAt(i);
    switch (c) {
      case '"':
        return skipString(i);
      case '{':
        {
          i = skipWs(i + 1);
          if (i < n && s.charAt(i) == '}') {
            return i + 1;
          }
          while (true) {
            i = readString(skipWs(i));
            if (i < 0) {
              return -1;
            }
            i = skipWs(i);
            if (i >= n || s.charAt(i) != ':') {
              return -1;
            }
            i = skipValue(i + 1);
            if (i < 0) {
              return -1;
            }
            i = skipWs(i);
            if (i >= n) {
              return -1;
            }
            if (s.charAt(i) == '}') {
              return i + 1;
            }
            if (s.charAt(i) != ',') {
              return -1;
            }
            i++;
          }
        }
      case '[':
        {
          i = skipWs(i + 1);
          if (i < n && s.charAt(i) == ']') {
            return i + 1;
          }
          while (true) {
            i = skipValue(i);
            if (i < 0) {
              return -1;
            }
            i = skipWs(i);
            if (i >= n) {
              return -1;
            }
            if (s.charAt(i) == ']') {
              return i + 1;
            }
            if (s.charAt(i) != ',') {
              return -1;
            }
            i++;
          }
        }
      default:
        {
          int start = i;
          while (i < n && "-+.eE0123456789truefalsn".indexOf(s.charAt(i)) >= 0) {
            i++;
          }
          if (i == start) {
            return -1;
          }
          if (s.startsWith("true", start) && i - start == 4
              || s.startsWith("false", start) && i - start == 5
              || s.startsWith("null", start) && i - start == 4) {
            return i;
          }
          char f = s.charAt(start);
          if (f != '-' && (f < '0' || f > '9')) {
            return -1;
          }
          for (int k = start; k < i; k++) {
            char ch = s.charAt(k);
            if (ch >= 'a' && ch != 'e') {
              return -1; // letters of true/false/null inside a number
            }
          }
          return i;
        }
    }
  }

  /**
   * Visits every scalar of the object starting at {@code i} (nested keys joined by {@code _},
   * arrays skipped); returns the index after the object or -1 when it is malformed.
   */
  int flatten(int i, String prefix, LeafVisitor visitor) {
    return flatten(i, prefix, null, null, visitor);
  }

  /**
   * Like {@link #flatten(int, String, LeafVisitor)}, visiting only the leaves whose flat key is in
   * {@code wanted} (null: all): the others are only checked for well-formedness, so the result
   * (and whether the line is valid JSON) is the same as a full walk's. {@code names} caches the
   * keys' sanitised forms (null: none).
   */
  int flatten(
      int i, String prefix, java.util.Set<String> wanted, KeyCache names, LeafVisitor visitor) {
    if (names != null && prefix.isEmpty()) {
      names.ordinal = 0;
    }
    return walk(i, prefix, wanted, names, visitor);
  }

  private int walk(
      int i, String prefix, java.util.Set<String> wanted, KeyCache names, LeafVisitor visitor) {
    i = skipWs(i);
    if (i >= n || s.charAt(i) != '{') {
      return -1;
    }
    i = skipWs(i + 1);
    if (i < n && s.charAt(i) == '}') {
      return i + 1;
    }
    while (true) {
      i = readKey(skipWs(i), names);
      if (i < 0) {
        return -1;
      }
      String key = lastKey;
      String flat = prefix.isEmpty() ? key : key.isEmpty() ? prefix : prefix + "_" + key;
      i = skipWs(i);
      if (i >= n || s.charAt(i) != ':') {
        return -1;
      }
      i = skipWs(i + 1);
      if (i >= n) {
        return -1;
      }
      char c = s.charAt(i);
      if (c == '{') {
        i = wanted == null || wantsUnder(wanted, flat)
            ? walk(i, flat, wanted, names, visitor)
            : skipValue(i);
      } else if (c == '[' || wanted != null && !wanted.contains(flat)) {
        i = skipValue(i);
      } else if (c == '"') {
        i = readString(i);
        if (i >= 0) {
          visitor.leaf(flat, lastString);
        }
      } else {
        int start = i;
        i = skipValue(i);
        if (i >= 0) {
          String text = s.substring(start, i);
          visitor.leaf(flat, text.equals("null") ? "" : text);
        }
      }
      if (i < 0) {
        return -1;
      }
      i = skipWs(i);
      if (i >= n) {
        return -1;
      }
      if (s.charAt(i) == '}') {
        return i + 1;
      }
      if (s.charAt(i) != ',') {
        return -1;
      }
      i++;
    }
  }

  private static String sanitized(String raw, java.util.Map<String, String> names) {
    if (names == null) {
      return LabelNames.sanitize(raw, false);
    }
    String name = names.get(raw);
    if (name == null) {
      if (names.size() >= 4096) {
        names.clear(); // keys of unbounded variety: keep the cache bounded
      }
      name = LabelNames.sanitize(raw, false);
      names.put(raw, name);
    }
    return name;
  }

  /** Whether some wanted flat key lies inside the object whose flat key is {@code prefix}. */
  static boolean wantsUnder(java.util.Set<String> wanted, String prefix) {
    if (prefix.isEmpty()) {
      return true; // the members of an object under an empty key are flat keys of their own
    }
    for (String w : wanted) {
      // An empty nested key keeps the prefix itself as the flat key.
      if (w.startsWith(prefix)
          && (w.length() == prefix.length() || w.charAt(prefix.length()) == '_')) {
        return true;
      }
    }
    return false;
  }

  /**
   * The value at {@code path} (strings for object keys, integers for array indexes) in the value
   * starting at {@code i}: a string decoded, anything else as its JSON text, {@code null} for JSON
   * null or a missing path.
   */
  String lookup(int i, List<Object> path, int depth) {
    i = skipWs(i);
    if (i >= n) {
      return null;
    }
    char c = s.charAt(i);
    if (depth == path.size()) {
      if (c == '"') {
        return readString(i) < 0 ? null : lastString;
      }
      int end = skipValue(i);
      if (end < 0) {
        return null;
      }
      String text = s.substring(i, end);
      return text.equals("null") ? null : text;
    }
    Object step = path.get(depth);
    if (c == '{' && step instanceof String key) {
      i = skipWs(i + 1);
      if (i < n && s.charAt(i) == '}') {
        return null;
      }
      while (true) {
        i = readString(skipWs(i));
        if (i < 0) {
          return null;
        }
        boolean match = lastString.equals(key);
        i = skipWs(i);
        if (i >= n || s.charAt(i) != ':') {
          return null;
        }
        if (match) {
          return lookup(i + 1, path, depth + 1);
        }
        i = skipWs(skipValue(i + 1));
        if (i < 0 || i >= n || s.charAt(i) != ',') {
          return null;
        }
        i++;
      }
    }
    if (c == '[' && step instanceof Integer index) {
      i = skipWs(i + 1);
      for (int k = 0; i < n && s.charAt(i) != ']'; k++) {
        if (k == index) {
          return lookup(i, path, depth + 1);
        }
        i = skipWs(skipValue(i));
        if (i < 0 || i >= n || s.charAt(i) != ',') {
          return null;
        }
        i = skipWs(i + 1);
      }
    }
    return null;
  }
}
