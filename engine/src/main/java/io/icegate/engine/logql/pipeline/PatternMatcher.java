package io.icegate.engine.logql.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * A compiled Loki pattern ({@code <ip> - <_> "<method> <path>"}): literals and captures in turn.
 * Matching follows Loki: a leading literal must start the line, each capture runs to the next
 * occurrence of the literal after it, a trailing capture takes the rest of the line.
 */
final class PatternMatcher {
  private final List<String> literals = new ArrayList<>(); // null entries are captures
  private final List<String> names =
      new ArrayList<>(); // capture names ("_" for unnamed), else null

  PatternMatcher(String pattern) {
    int i = 0;
    StringBuilder lit = new StringBuilder();
    while (i < pattern.length()) {
      char c = pattern.charAt(i);
      if (c == '<') {
        int end = pattern.indexOf('>', i);
        if (end > i + 1 && isName(pattern.substring(i + 1, end))) {
          if (lit.length() > 0) {
            literals.add(lit.toString());
            names.add(null);
            lit.setLength(0);
          }
          literals.add(null);
          names.add(pattern.substring(i + 1, end));
          i = end + 1;
          continue;
        }
      }
      lit.append(c);
      i++;
    }
    if (lit.length() > 0) {
      literals.add(lit.toString());
      names.add(null);
    }
  }

  private static boolean isName(String s) {
    if (s.isEmpty() || !(Character.isLetter(s.charAt(0)) || s.charAt(0) == '_')) {
      return false;
    }
    return s.chars().allMatch(ch -> ch == '_' || Character.isLetterOrDigit(ch));
  }

  /** The names of the named captures, in order. */
  List<String> captureNames() {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (n != null && !n.equals("_")) {
        out.add(n);
      }
    }
    return out;
  }

  /**
   * Visits the named captures of {@code line} in order; nothing when the pattern does not match.
   */
  void match(String line, java.util.function.BiConsumer<String, String> visitor) {
    if (line.isEmpty() || literals.isEmpty()) {
      return;
    }
    int pos = 0;
    int k = 0;
    if (literals.get(0) != null) {
      if (!line.startsWith(literals.get(0))) {
        return;
      }
      pos = literals.get(0).length();
      k = 1;
    }
    List<String[]> found = new ArrayList<>();
    while (k < literals.size()) {
      String name = names.get(k);
      if (k + 1 >= literals.size()) {
        found.add(new String[] {name, line.substring(pos)});
        break;
      }
      String next = literals.get(k + 1);
      int at = line.indexOf(next, pos);
      if (at < 0) {
        found.add(new String[] {name, line.substring(pos)});
        break;
      }
      found.add(new String[] {name, line.substring(pos, at)});
      pos = at + next.length();
      k += 2;
    }
    for (String[] f : found) {
      if (!f[0].equals("_")) {
        visitor.accept(f[0], f[1]);
      }
    }
  }

  /** Whether the whole line matches (the pattern line filter's test). */
  boolean test(String line) {
    if (line.isEmpty() || literals.isEmpty()) {
      return line.isEmpty() && literals.isEmpty();
    }
    int off = 0;
    for (int i = 0; i < literals.size(); i++) {
      String lit = literals.get(i);
      if (lit == null) {
        continue;
      }
      int j = line.indexOf(lit, off);
      if (j < 0 || (i == 0 && j != 0)) {
        return false;
      }
      off = j + lit.length();
    }
    return literals.get(literals.size() - 1) == null || off >= line.length();
  }
}
