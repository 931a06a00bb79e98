package io.icegate.engine.logql.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * The path expressions of {@code | json label="path"}: {@code a.b}, {@code a["b c"]}, {@code a[0]},
 * {@code ["a"].b}. Parsing fails with Loki's wording for malformed paths.
 */
final class JsonPath {
  private JsonPath() {}

  /** The steps: strings for object keys, integers for array indexes. */
  static List<Object> parse(String expr) {
    List<Object> steps = new ArrayList<>();
    int i = 0;
    int n = expr.length();
    boolean expectField = true; // at the start or after a dot
    boolean afterDot = false;
    while (i < n) {
      char c = expr.charAt(i);
      if (c == '[') {
        if (afterDot) {
          throw error(expr, "unexpected LSB, expecting FIELD");
        }
        i++;
        if (i < n && expr.charAt(i) == '"') {
          int end = i + 1;
          StringBuilder sb = new StringBuilder();
          while (end < n && expr.charAt(end) != '"') {
            if (expr.charAt(end) == '\\' && end + 1 < n) {
              end++;
            }
            sb.append(expr.charAt(end++));
          }
          if (end >= n) {
            throw error(expr, "unexpected $end, expecting RSB");
          }
          steps.add(sb.toString());
          i = end + 1;
        } else {
          int st = i;
          while (i < n && Character.isDigit(expr.charAt(i))) {
            i++;
          }
          if (st == i) {
            throw error(
                expr, "unexpected " + (i >= n ? "$end" : "FIELD") + ", expecting STRING or INDEX");
          }
          steps.add(Integer.parseInt(expr.substring(st, i)));
        }
        if (i >= n) {
          throw error(expr, "unexpected $end, expecting RSB");
        }
        if (expr.charAt(i) != ']') {
          throw error(
              expr,
              "unexpected " + (expr.charAt(i) == '"' ? "STRING" : "FIELD") + ", expecting RSB");
        }
        i++;
        expectField = false;
        afterDot = false;
      } else if (c == '.') {
        if (afterDot || steps.isEmpty()) {
          throw error(expr, "unexpected DOT, expecting FIELD");
        }
        afterDot = true;
        i++;
      } else if (c == '"') {
        throw error(expr, "unexpected STRING, expecting LSB or FIELD");
      } else if (c == ']') {
        throw error(expr, "unexpected RSB");
      } else {
        if (!expectField && !afterDot) {
          throw error(expr, "unexpected FIELD");
        }
        int st = i;
        while (i < n && isField(expr.charAt(i))) {
          i++;
        }
        if (st == i) {
          throw error(expr, "unexpected FIELD");
        }
        steps.add(expr.substring(st, i));
        if (i < n && expr.charAt(i) == ' ') {
          throw error(expr, "unexpected FIELD");
        }
        expectField = false;
        afterDot = false;
      }
    }
    if (afterDot) {
      throw error(expr, "unexpected $end, expecting FIELD");
    }
    return steps;
  }

  private static boolean isField(char c) {
    return c != '.' && c != '[' && c != ']' && c != '"' && c != ' ';
  }

  private static IllegalArgumentException error(String expr, String msg) {
    return new IllegalArgumentException(
        "cannot parse expression [" + expr + "]: syntax error: " + msg);
  }
}
