package io.icegate.engine.expr;

/**
 * The longest literal that every match of a regular expression must contain, found
 * conservatively from the pattern text, so a cheap substring scan can rule out most lines before
 * the regex engine runs (Loki does the same for its line filters). Whenever the pattern has
 * anything this reading does not fully understand — alternation, flags, groups — there is no
 * required literal, and the regex alone decides.
 */
final class RequiredLiteral {
  private static final int MIN_LENGTH = 3;

  private RequiredLiteral() {}

  /** The required literal of {@code pattern}, or null. */
  static String of(String pattern) {
    if (pattern.indexOf('|') >= 0 || pattern.startsWith("(?")) {
      return null;
    }
    String best = "";
    StringBuilder run = new StringBuilder();
    int i = 0;
    while (i < pattern.length()) {
      char c = pattern.charAt(i);
      char literal;
      int next;
      if (c == '\\') {
        if (i + 1 >= pattern.length()) {
          return null;
        }
        char e = pattern.charAt(i + 1);
        if (Character.isLetterOrDigit(e)) {
          // \d, \w, \b, \x41, \pL ... are classes or assertions: the run ends here.
          best = longer(best, run);
          run.setLength(0);
          i += 2;
          continue;
        }
        literal = e;
        next = i + 2;
      } else if ("[(.^$)]{}".indexOf(c) >= 0 || c == '*' || c == '+' || c == '?') {
        if (c == '*' || c == '?' || c == '{') {
          // The previous character is optional (or repeated a counted number of times).
          if (run.length() > 0) {
            run.setLength(run.length() - 1);
          }
        }
        best = longer(best, run);
        run.setLength(0);
        if (c == '[') {
          i = skipClass(pattern, i);
          if (i < 0) {
            return null;
          }
        } else if (c == '(') {
          i = skipGroup(pattern, i);
          if (i < 0) {
            return null;
          }
        } else if (c == '{') {
          int close = pattern.indexOf('}', i);
          if (close < 0) {
            return null;
          }
          i = close + 1;
        } else {
          i++;
        }
        continue;
      } else {
        literal = c;
        next = i + 1;
      }
      // A quantifier right after this character makes it optional or repeated.
      if (next < pattern.length() && "*?{".indexOf(pattern.charAt(next)) >= 0) {
        best = longer(best, run);
        run.setLength(0);
        i = next;
        continue;
      }
      run.append(literal);
      i = next;
    }
    best = longer(best, run);
    return best.length() >= MIN_LENGTH ? best : null;
  }

  private static String longer(String best, StringBuilder run) {
    return run.length() > best.length() ? run.toString() : best;
  }

  private static int skipClass(String pattern, int open) {
    int i = open + 1;
    if (i < pattern.length() && pattern.charAt(i) == '^') {
      i++;
    }
    if (i < pattern.length() && pattern.charAt(i) == ']') {
      i++;
    }
    while (i < pattern.length()) {
      char c = pattern.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == ']') {
        return i + 1;
      } else {
        i++;
      }
    }
    return -1;
  }

  private static int skipGroup(String pattern, int open) {
    int depth = 0;
    for (int i = open; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '[') {
        i = skipClass(pattern, i) - 1;
        if (i < 0) {
          return -1;
        }
      } else if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
        if (depth == 0) {
          return i + 1;
        }
      }
    }
    return -1;
  }
}
