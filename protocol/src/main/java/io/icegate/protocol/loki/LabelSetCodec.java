package io.icegate.protocol.loki;

import io.icegate.protocol.GoQuoting;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A label set as one string, in the form Loki prints streams ({@code {app="api", env="prod"}}):
 * names in sorted order, {@code ", "} between pairs, values quoted by Go's {@code strconv.Quote}
 * rules. It is the promoted storage column that identifies a stream, so it must be
 * <em>canonical</em> (equal label sets give equal strings, and a Parquet dictionary holds one entry
 * per stream), readable as it is in Trino or Spark, and parseable back without loss: any value,
 * including quotes, backslashes and newlines, survives {@link #decode}.
 *
 * <p>Names are written bare when they are legacy Prometheus names ({@code [a-zA-Z_][a-zA-Z0-9_]*}),
 * which every name from {@link LokiOtlpLabels} is, and quoted otherwise, as Prometheus prints UTF-8
 * names. Sorting is by {@link String#compareTo}, which is Prometheus's byte order for such names.
 */
public final class LabelSetCodec {
  private LabelSetCodec() {}

  /** The canonical string of a label set; {@code {}} for the empty set. */
  public static String encode(SortedMap<String, String> labels) {
    if (labels.comparator() != null) {
      // The canonical order is the natural one, whatever order the caller's map keeps.
      SortedMap<String, String> natural = new TreeMap<>();
      natural.putAll(labels);
      labels = natural;
    }
    StringBuilder out = new StringBuilder(16 * labels.size() + 2).append('{');
    boolean first = true;
    for (Map.Entry<String, String> label : labels.entrySet()) {
      if (!first) {
        out.append(", ");
      }
      first = false;
      appendPair(label.getKey(), label.getValue(), out);
    }
    return out.append('}').toString();
  }

  /** Appends {@code name="value"}, the name bare if it is a legacy name and quoted otherwise. */
  static void appendPair(String name, String value, StringBuilder out) {
    if (isLegacyName(name)) {
      out.append(name);
    } else {
      GoQuoting.quote(name, out);
    }
    out.append('=');
    GoQuoting.quote(value, out);
  }

  /**
   * The label set of a string made by {@link #encode}.
   *
   * @throws IllegalArgumentException if the string is not of that form (which for a stored column
   *     means corrupt data, not a client mistake)
   */
  public static SortedMap<String, String> decode(String encoded) {
    SortedMap<String, String> labels = new TreeMap<>();
    var cursor = new Cursor(encoded);
    while (cursor.nextPair()) {
      String name = cursor.name();
      String value = cursor.value();
      if (labels.put(name, value) != null) {
        throw cursor.malformed("duplicate label " + name);
      }
    }
    return labels;
  }

  /**
   * The value of one label in an encoded set, or null if the set has no such label. Reads only up
   * to that label and unescapes only its value, without building a map: this is what a filter on
   * the stream column calls for every distinct stream.
   *
   * @throws IllegalArgumentException if the string is malformed before the label is found
   */
  public static String get(String encoded, String name) {
    var cursor = new Cursor(encoded);
    while (cursor.nextPair()) {
      if (cursor.nameEquals(name)) {
        return cursor.value();
      }
      cursor.skipValue();
    }
    return null;
  }

  private static boolean isLegacyName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      if (!letter && !(i > 0 && c >= '0' && c <= '9')) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads {@code {name="value", ...}} left to right. For each pair, {@link #nextPair} positions the
   * cursor at the name, then the caller reads or compares the name and then reads or skips the
   * value.
   */
  private static final class Cursor {
    private final String s;
    private final int[] end = new int[1];
    private int pos;
    private int pairs;

    Cursor(String s) {
      this.s = s;
      if (!s.startsWith("{")) {
        throw malformed("expected '{'");
      }
      pos = 1;
    }

    /** Moves to the next name; false at the closing brace, which must end the string. */
    boolean nextPair() {
      if (pos >= s.length()) {
        throw malformed("unexpected end");
      }
      if (s.charAt(pos) == '}') {
        if (pos != s.length() - 1) {
          throw malformed("unexpected text after '}'");
        }
        return false;
      }
      if (pairs > 0) {
        if (!s.startsWith(", ", pos)) {
          throw malformed("expected ', ' or '}'");
        }
        pos += 2;
      }
      pairs++;
      if (pos >= s.length()) {
        throw malformed("unexpected end");
      }
      return true;
    }

    String name() {
      String name;
      if (s.charAt(pos) == '"') {
        name = GoQuoting.unquote(s, pos, end);
        pos = end[0];
      } else {
        int start = pos;
        while (pos < s.length() && isNameChar(s.charAt(pos))) {
          pos++;
        }
        if (pos == start) {
          throw malformed("expected a label name");
        }
        name = s.substring(start, pos);
      }
      expectEquals();
      return name;
    }

    boolean nameEquals(String name) {
      if (s.charAt(pos) == '"') {
        return name().equals(name);
      }
      int after = pos + name.length();
      if (s.startsWith(name, pos) && after < s.length() && s.charAt(after) == '=') {
        pos = after;
        expectEquals();
        return true;
      }
      name();
      return false;
    }

    String value() {
      String value = GoQuoting.unquote(s, pos, end);
      pos = end[0];
      return value;
    }

    void skipValue() {
      if (pos >= s.length() || s.charAt(pos) != '"') {
        throw malformed("expected '\"'");
      }
      for (int i = pos + 1; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          pos = i + 1;
          return;
        }
      }
      throw malformed("unterminated string");
    }

    private void expectEquals() {
      if (pos >= s.length() || s.charAt(pos) != '=') {
        throw malformed("expected '='");
      }
      pos++;
    }

    private static boolean isNameChar(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    IllegalArgumentException malformed(String problem) {
      return new IllegalArgumentException("malformed label set at offset " + pos + ": " + problem);
    }
  }
}
