package io.icegate.logql;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether Loki turns a label filter regex into literal string tests ({@code foo|bar}, {@code
 * .*foo.*}, {@code (?i)error}) rather than running it as a regex. Loki prints the label filters it
 * runs as regexes differently ({@code msg=~`\w+`}, in backticks), so printing a query as Loki does
 * needs the same decision.
 *
 * <p>Loki decides on Go's parsed form of the regex, in which the alternatives {@code bar|baz}
 * become {@code ba[rz]}. This class rebuilds that form for the regexes that can simplify:
 * literals, {@code .*} and {@code .+}, groups, alternation (with Go's factoring of common literal
 * prefixes and of single characters into classes) and {@code (?i)}; anything else (classes,
 * anchors, other repetitions) keeps the regex a regex.
 */
final class RegexLiterals {
  private RegexLiterals() {}

  private enum Op {
    LITERAL,
    EMPTY,
    ANY_NOT_NL,
    ANY,
    CHAR_CLASS,
    STAR,
    PLUS,
    CAPTURE,
    CONCAT,
    ALTERNATE,
    OTHER
  }

  private static final class Node {
    Op op;
    final StringBuilder runes = new StringBuilder(); // for LITERAL, as code points
    boolean foldCase;
    List<Node> subs = new ArrayList<>();

    Node(Op op) {
      this.op = op;
    }

    static Node literal(int cp, boolean foldCase) {
      Node n = new Node(Op.LITERAL);
      n.runes.appendCodePoint(foldCase ? Character.toUpperCase(cp) : cp);
      n.foldCase = foldCase;
      return n;
    }

    static Node of(Op op, Node sub) {
      Node n = new Node(op);
      n.subs.add(sub);
      return n;
    }

    int runeCount() {
      return runes.codePointCount(0, runes.length());
    }
  }

  /** Whether Loki replaces the label filter regex {@code regex} by literal tests. */
  static boolean simplifies(String regex) {
    Node parsed;
    try {
      parsed = new Parser(regex).parse();
    } catch (IllegalArgumentException e) {
      return false; // not a regex this class models
    }
    return simplify(parsed);
  }

  // Loki's RegexSimplifier.Simplify, for labels.
  private static boolean simplify(Node n) {
    return switch (n.op) {
      case ALTERNATE -> n.subs.stream().map(RegexLiterals::uncapture).allMatch(RegexLiterals::simplify);
      case CONCAT -> simplifyConcat(n, false);
      case CAPTURE -> simplify(uncapture(n));
      case LITERAL, EMPTY -> true;
      case STAR, PLUS -> n.subs.get(0).op == Op.ANY_NOT_NL;
      default -> false;
    };
  }

  // A concatenation of at most three parts: one literal, `.*`, and alternatives after the literal.
  private static boolean simplifyConcat(Node concat, boolean hasBase) {
    List<Node> subs = new ArrayList<>();
    for (Node sub : concat.subs) {
      Node s = uncapture(sub);
      if (s.op != Op.EMPTY) {
        subs.add(s);
      }
    }
    if (subs.size() > 3) {
      return false;
    }
    int literals = 0;
    boolean baseFoldCase = false;
    boolean alternates = false;
    for (Node sub : subs) {
      if (sub.op == Op.LITERAL) {
        if (literals++ != 0) {
          return false;
        }
        hasBase = true;
        baseFoldCase = sub.foldCase;
      } else if (sub.op == Op.ALTERNATE && hasBase) {
        if (!simplifyConcatAlternate(sub, baseFoldCase)) {
          return false;
        }
        alternates = true;
      } else if (!(sub.op == Op.STAR && sub.subs.get(0).op == Op.ANY_NOT_NL)) {
        return false;
      }
    }
    return alternates || hasBase;
  }

  private static boolean simplifyConcatAlternate(Node alternate, boolean baseFoldCase) {
    for (Node alt : alternate.subs) {
      if (!baseFoldCase && alt.foldCase) {
        return false;
      }
      boolean ok =
          switch (alt.op) {
            case EMPTY, LITERAL -> true;
            case CONCAT -> simplifyConcat(alt, true);
            case STAR -> alt.subs.get(0).op == Op.ANY_NOT_NL;
            default -> false;
          };
      if (!ok) {
        return false;
      }
    }
    return !alternate.subs.isEmpty();
  }

  private static Node uncapture(Node n) {
    while (n.op == Op.CAPTURE) {
      n = n.subs.get(0);
    }
    return n;
  }

  /** A recursive-descent reader of Go's regex syntax, building Go's parsed form. */
  private static final class Parser {
    private final String s;
    private int pos;

    Parser(String s) {
      this.s = s;
    }

    Node parse() {
      Node n = alternation(false, false);
      if (pos != s.length()) {
        throw new IllegalArgumentException("unexpected )");
      }
      return n;
    }

    // Alternatives up to `)` or the end. The flags are (?i) and (?s).
    private Node alternation(boolean foldCase, boolean dotAll) {
      List<Node> branches = new ArrayList<>();
      boolean[] flags = {foldCase, dotAll};
      branches.add(concatenation(flags));
      while (pos < s.length() && s.charAt(pos) == '|') {
        pos++;
        branches.add(concatenation(flags));
      }
      return alternate(branches);
    }

    private Node concatenation(boolean[] flags) {
      List<Node> items = new ArrayList<>();
      while (pos < s.length() && s.charAt(pos) != '|' && s.charAt(pos) != ')') {
        Node atom = atom(flags);
        if (atom == null) {
          continue; // a flag group such as (?i)
        }
        atom = repetition(atom);
        Node last = items.isEmpty() ? null : items.get(items.size() - 1);
        if (atom.op == Op.LITERAL
            && last != null
            && last.op == Op.LITERAL
            && last.foldCase == atom.foldCase) {
          last.runes.append(atom.runes);
        } else {
          items.add(atom);
        }
      }
      if (items.isEmpty()) {
        return new Node(Op.EMPTY);
      }
      if (items.size() == 1) {
        return items.get(0);
      }
      Node concat = new Node(Op.CONCAT);
      concat.subs = items;
      return concat;
    }

    private Node repetition(Node atom) {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == '*' || c == '+') {
          pos++;
          atom = Node.of(c == '*' ? Op.STAR : Op.PLUS, atom);
        } else if (c == '?') {
          pos++;
          atom = Node.of(Op.OTHER, atom);
        } else if (c == '{' && repeatEnd(pos) > 0) {
          pos = repeatEnd(pos);
          atom = Node.of(Op.OTHER, atom);
        } else {
          return atom;
        }
        if (pos < s.length() && s.charAt(pos) == '?') {
          pos++; // non-greedy: the same operation
        }
      }
      return atom;
    }

    // The end of a {n}, {n,} or {n,m} repetition at i, or -1 (then `{` is a literal, as in Go).
    private int repeatEnd(int i) {
      int j = i + 1;
      int digitsStart = j;
      while (j < s.length() && Character.isDigit(s.charAt(j))) {
        j++;
      }
      if (j == digitsStart) {
        return -1;
      }
      if (j < s.length() && s.charAt(j) == ',') {
        j++;
        while (j < s.length() && Character.isDigit(s.charAt(j))) {
          j++;
        }
      }
      return j < s.length() && s.charAt(j) == '}' ? j + 1 : -1;
    }

    private Node atom(boolean[] flags) {
      int cp = s.codePointAt(pos);
      switch (cp) {
        case '(':
          return group(flags);
        case '[':
          skipClass();
          return new Node(Op.CHAR_CLASS);
        case '.':
          pos++;
          return new Node(flags[1] ? Op.ANY : Op.ANY_NOT_NL);
        case '^':
        case '$':
          pos++;
          return new Node(Op.OTHER);
        case '\\':
          return escape(flags);
        case '*':
        case '+':
        case '?':
          throw new IllegalArgumentException("missing argument to repetition operator");
        default:
          pos += Character.charCount(cp);
          return Node.literal(cp, flags[0]);
      }
    }

    private Node group(boolean[] flags) {
      pos++; // (
      if (s.startsWith("?P<", pos) || s.startsWith("?<", pos)) {
        int close = s.indexOf('>', pos);
        if (close < 0) {
          throw new IllegalArgumentException("invalid named capture");
        }
        pos = close + 1;
        return Node.of(Op.CAPTURE, groupBody(flags[0], flags[1]));
      }
      if (s.startsWith("?", pos)) {
        pos++;
        boolean foldCase = flags[0];
        boolean dotAll = flags[1];
        boolean negate = false;
        while (pos < s.length()) {
          char c = s.charAt(pos++);
          switch (c) {
            case 'i' -> foldCase = !negate;
            case 's' -> dotAll = !negate;
            case 'm', 'U' -> {}
            case '-' -> negate = true;
            case ')' -> {
              flags[0] = foldCase; // (?i): for the rest of the enclosing group
              flags[1] = dotAll;
              return null;
            }
            case ':' -> {
              return groupBody(foldCase, dotAll);
            }
            default -> throw new IllegalArgumentException("invalid or unsupported Perl syntax");
          }
        }
        throw new IllegalArgumentException("missing closing )");
      }
      return Node.of(Op.CAPTURE, groupBody(flags[0], flags[1]));
    }

    private Node groupBody(boolean foldCase, boolean dotAll) {
      Node inner = alternation(foldCase, dotAll);
      if (pos >= s.length() || s.charAt(pos) != ')') {
        throw new IllegalArgumentException("missing closing )");
      }
      pos++;
      return inner;
    }

    private void skipClass() {
      int i = pos + 1;
      if (i < s.length() && s.charAt(i) == '^') {
        i++;
      }
      if (i < s.length() && s.charAt(i) == ']') {
        i++; // a leading ] is literal
      }
      while (i < s.length() && s.charAt(i) != ']') {
        if (s.startsWith("[:", i) && s.indexOf(":]", i + 2) > 0) {
          i = s.indexOf(":]", i + 2) + 2;
          continue;
        }
        i += s.charAt(i) == '\\' ? 2 : 1;
      }
      if (i >= s.length()) {
        throw new IllegalArgumentException("missing closing ]");
      }
      pos = i + 1;
    }

    private Node escape(boolean[] flags) {
      if (pos + 1 >= s.length()) {
        throw new IllegalArgumentException("trailing backslash");
      }
      int c = s.codePointAt(pos + 1);
      pos += 1 + Character.charCount(c);
      if (c == 'Q') {
        int end = s.indexOf("\\E", pos);
        String quoted = end < 0 ? s.substring(pos) : s.substring(pos, end);
        pos = end < 0 ? s.length() : end + 2;
        if (quoted.isEmpty()) {
          return new Node(Op.EMPTY);
        }
        Node lit = null;
        for (int i = 0; i < quoted.length(); ) {
          int q = quoted.codePointAt(i);
          i += Character.charCount(q);
          Node n = Node.literal(q, flags[0]);
          if (lit == null) {
            lit = n;
          } else {
            lit.runes.append(n.runes);
          }
        }
        return lit;
      }
      if (c < 0x80 && !Character.isLetterOrDigit(c)) {
        return Node.literal(c, flags[0]); // an escaped punctuation character is itself
      }
      return switch (c) {
        case 'd', 'D', 'w', 'W', 's', 'S', 'p', 'P' -> {
          if ((c == 'p' || c == 'P') && pos < s.length() && s.charAt(pos) == '{') {
            pos = s.indexOf('}', pos) + 1;
          } else if (c == 'p' || c == 'P') {
            pos++;
          }
          yield new Node(Op.CHAR_CLASS);
        }
        case 'n' -> Node.literal('\n', flags[0]);
        case 't' -> Node.literal('\t', flags[0]);
        case 'r' -> Node.literal('\r', flags[0]);
        case 'f' -> Node.literal('\f', flags[0]);
        case 'v' -> Node.literal(0x0B, flags[0]);
        case 'a' -> Node.literal(0x07, flags[0]);
        default -> new Node(Op.OTHER); // \b \A \z \x.. and octal: treated as not literal
      };
    }

    /** Go's alternation: flattened, then factored as Go's parser factors it. */
    private static Node alternate(List<Node> branches) {
      List<Node> subs = new ArrayList<>();
      for (Node b : branches) {
        if (b.op == Op.ALTERNATE) {
          subs.addAll(b.subs);
        } else {
          subs.add(b);
        }
      }
      subs = factorLiteralPrefixes(subs);
      subs = mergeCharClasses(subs);
      subs = mergeEmpties(subs);
      if (subs.size() == 1) {
        return subs.get(0);
      }
      Node alt = new Node(Op.ALTERNATE);
      alt.subs = subs;
      return alt;
    }

    // Go's round 1: consecutive alternatives that share a literal prefix become prefix(rest|...).
    private static List<Node> factorLiteralPrefixes(List<Node> subs) {
      List<Node> out = new ArrayList<>();
      int start = 0;
      String prefix = null;
      boolean prefixFold = false;
      for (int i = 0; i <= subs.size(); i++) {
        Node lead = i < subs.size() ? leadingLiteral(subs.get(i)) : null;
        if (lead != null && prefix != null && lead.foldCase == prefixFold) {
          String common = commonPrefix(prefix, lead.runes.toString());
          if (!common.isEmpty()) {
            prefix = common;
            continue;
          }
        }
        if (i - start == 1) {
          out.add(subs.get(start));
        } else if (i - start > 1) {
          List<Node> rests = new ArrayList<>();
          for (int j = start; j < i; j++) {
            rests.add(removeLeading(subs.get(j), prefix.codePointCount(0, prefix.length())));
          }
          Node prefixNode = new Node(Op.LITERAL);
          prefixNode.runes.append(prefix);
          prefixNode.foldCase = prefixFold;
          Node concat = new Node(Op.CONCAT);
          concat.subs.add(prefixNode);
          concat.subs.add(alternate(rests));
          out.add(concat);
        }
        start = i;
        prefix = lead == null ? null : lead.runes.toString();
        prefixFold = lead != null && lead.foldCase;
      }
      return out;
    }

    private static Node leadingLiteral(Node n) {
      if (n.op == Op.CONCAT && !n.subs.isEmpty()) {
        n = n.subs.get(0);
      }
      return n.op == Op.LITERAL ? n : null;
    }

    private static String commonPrefix(String a, String b) {
      int i = 0;
      while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
        i++;
      }
      if (i > 0 && Character.isHighSurrogate(a.charAt(i - 1))) {
        i--;
      }
      return a.substring(0, i);
    }

    private static Node removeLeading(Node n, int count) {
      if (n.op == Op.CONCAT) {
        Node first = n.subs.get(0);
        Node rest = removeLeading(first, count);
        List<Node> subs = new ArrayList<>(n.subs);
        if (rest.op == Op.EMPTY) {
          subs.remove(0);
        } else {
          subs.set(0, rest);
        }
        if (subs.isEmpty()) {
          return new Node(Op.EMPTY);
        }
        if (subs.size() == 1) {
          return subs.get(0);
        }
        Node concat = new Node(Op.CONCAT);
        concat.subs = subs;
        return concat;
      }
      String runes = n.runes.toString();
      String rest = runes.substring(runes.offsetByCodePoints(0, count));
      Node out = new Node(rest.isEmpty() ? Op.EMPTY : Op.LITERAL);
      out.runes.append(rest);
      out.foldCase = n.foldCase;
      return out;
    }

    // Go's round 3: runs of single characters and classes become one class.
    private static List<Node> mergeCharClasses(List<Node> subs) {
      List<Node> out = new ArrayList<>();
      int run = 0;
      for (Node n : subs) {
        boolean charClass =
            (n.op == Op.LITERAL && n.runeCount() == 1)
                || n.op == Op.CHAR_CLASS
                || n.op == Op.ANY_NOT_NL
                || n.op == Op.ANY;
        if (charClass) {
          run++;
          if (run == 2) {
            out.set(out.size() - 1, new Node(Op.CHAR_CLASS));
          }
          if (run >= 2) {
            continue;
          }
        } else {
          run = 0;
        }
        out.add(n);
      }
      return out;
    }

    // Go's round 4: runs of empty alternatives become one.
    private static List<Node> mergeEmpties(List<Node> subs) {
      List<Node> out = new ArrayList<>();
      for (Node n : subs) {
        if (n.op == Op.EMPTY && !out.isEmpty() && out.get(out.size() - 1).op == Op.EMPTY) {
          continue;
        }
        out.add(n);
      }
      return out;
    }
  }
}
