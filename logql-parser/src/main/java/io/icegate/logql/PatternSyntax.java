package io.icegate.logql;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Loki's pattern language, for {@code | pattern "..."} and {@code |> "..."}: {@code <name>}
 * captures text, {@code <_>} matches text without capturing, anything else is literal (a {@code <}
 * that does not start a capture too). Checked with Loki's rules and messages.
 */
final class PatternSyntax {
  private PatternSyntax() {}

  /** A capture {@code <name>}, or a run of literal text. */
  private record Node(boolean capture, String text) {
    boolean namedCapture() {
      return capture && !text.equals("_");
    }

    @Override
    public String toString() {
      return capture ? "<" + text + ">" : text;
    }
  }

  /** Why Loki rejects {@code pattern} as a {@code | pattern} parser, or empty. */
  static Optional<String> parserError(String pattern) {
    if (pattern.isEmpty()) {
      return Optional.of(
          "parse error at line 1, col 1: syntax error: unexpected $end, expecting IDENTIFIER or"
              + " LITERAL");
    }
    List<Node> nodes = parse(pattern);
    if (nodes.stream().noneMatch(Node::namedCapture)) {
      return Optional.of("at least one capture is required");
    }
    Optional<String> consecutive = consecutiveCaptures(nodes);
    if (consecutive.isPresent()) {
      return consecutive;
    }
    Set<String> names = new HashSet<>();
    for (Node node : nodes) {
      if (node.namedCapture() && !names.add(node.text())) {
        return Optional.of("duplicate capture name (" + node.text() + "): invalid expression");
      }
    }
    return Optional.empty();
  }

  /** Why Loki rejects {@code pattern} in a {@code |>} or {@code !>} line filter, or empty. */
  static Optional<String> lineFilterError(String pattern) {
    if (pattern.isEmpty()) {
      return Optional.empty();
    }
    List<Node> nodes = parse(pattern);
    Optional<String> consecutive = consecutiveCaptures(nodes);
    if (consecutive.isPresent()) {
      return consecutive;
    }
    for (Node node : nodes) {
      if (node.namedCapture()) {
        return Optional.of("named captures are not allowed: found '" + node + "'");
      }
    }
    return Optional.empty();
  }

  // Two captures side by side could split the text anywhere.
  private static Optional<String> consecutiveCaptures(List<Node> nodes) {
    for (int i = 0; i + 1 < nodes.size(); i++) {
      if (nodes.get(i).capture() && nodes.get(i + 1).capture()) {
        return Optional.of(
            "found consecutive capture '"
                + nodes.get(i)
                + nodes.get(i + 1)
                + "': invalid expression");
      }
    }
    return Optional.empty();
  }

  private static List<Node> parse(String pattern) {
    List<Node> nodes = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < pattern.length()) {
      int end = captureEnd(pattern, i);
      if (end < 0) {
        literal.append(pattern.charAt(i));
        i++;
        continue;
      }
      if (literal.length() > 0) {
        nodes.add(new Node(false, literal.toString()));
        literal.setLength(0);
      }
      nodes.add(new Node(true, pattern.substring(i + 1, end - 1)));
      i = end;
    }
    if (literal.length() > 0) {
      nodes.add(new Node(false, literal.toString()));
    }
    return nodes;
  }

  // The end (exclusive) of a capture `<[A-Za-z_][A-Za-z0-9_]*>` starting at i, or -1.
  private static int captureEnd(String s, int i) {
    if (s.charAt(i) != '<' || i + 1 >= s.length() || !isNameStart(s.charAt(i + 1))) {
      return -1;
    }
    int j = i + 2;
    while (j < s.length() && (isNameStart(s.charAt(j)) || isDigit(s.charAt(j)))) {
      j++;
    }
    return j < s.length() && s.charAt(j) == '>' ? j + 1 : -1;
  }

  private static boolean isNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
