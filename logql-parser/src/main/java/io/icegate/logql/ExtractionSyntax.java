package io.icegate.logql;

import java.util.Optional;

/**
 * The small languages of label extraction expressions, checked as Loki checks them when it builds
 * the stage, with its messages (which come from its goyacc parsers for them):
 *
 * <ul>
 *   <li>{@code | json a="b.c[0][\"d\"]"}: fields joined by dots, {@code [index]} and {@code
 *       ["key"]} accesses;
 *   <li>{@code | logfmt a="b"}: one logfmt key.
 * </ul>
 */
final class ExtractionSyntax {
  private ExtractionSyntax() {}

  private enum Kind {
    DOT,
    LSB,
    RSB,
    STRING,
    FIELD,
    INDEX,
    END
  }

  /** Why Loki's JSON expression parser rejects {@code expression}, or empty. */
  static Optional<String> jsonExpressionError(String expression) {
    Scanner scanner = new Scanner(expression, true);
    Kind token = scanner.next();
    if (token == Kind.LSB) {
      Optional<String> access = access(scanner);
      if (access.isPresent()) {
        return access;
      }
    } else if (token != Kind.FIELD) {
      return syntaxError(scanner, token, "LSB or FIELD");
    }
    while (true) {
      token = scanner.next();
      switch (token) {
        case END:
          return Optional.ofNullable(scanner.error);
        case LSB:
          Optional<String> access = access(scanner);
          if (access.isPresent()) {
            return access;
          }
          break;
        case DOT:
          Kind field = scanner.next();
          if (field != Kind.FIELD) {
            return syntaxError(scanner, field, "FIELD");
          }
          break;
        default:
          // Here the expression could end: goyacc lists nothing.
          return syntaxError(scanner, token, null);
      }
    }
  }

  // After `[`: a "key" or an index, then `]`.
  private static Optional<String> access(Scanner scanner) {
    Kind key = scanner.next();
    if (key != Kind.STRING && key != Kind.INDEX) {
      return syntaxError(scanner, key, "STRING or INDEX");
    }
    Kind close = scanner.next();
    return close == Kind.RSB ? Optional.empty() : syntaxError(scanner, close, "RSB");
  }

  /** Why Loki's logfmt expression parser rejects {@code expression}, or empty. */
  static Optional<String> logfmtExpressionError(String expression) {
    Scanner scanner = new Scanner(expression, false);
    Kind token = scanner.next();
    if (token != Kind.STRING && token != Kind.FIELD) {
      return syntaxError(scanner, token, "STRING or KEY");
    }
    while (true) {
      token = scanner.next();
      if (token == Kind.END) {
        return Optional.ofNullable(scanner.error);
      }
      if (token != Kind.STRING) {
        return syntaxError(scanner, token, null);
      }
    }
  }

  private static Optional<String> syntaxError(Scanner scanner, Kind token, String expecting) {
    String name =
        switch (token) {
          case END -> "$end";
          case FIELD -> scanner.json ? "FIELD" : "KEY"; // logfmt's grammar calls a word KEY
          default -> token.name();
        };
    return Optional.of(
        "syntax error: unexpected "
            + name
            + (expecting == null ? "" : ", expecting " + expecting));
  }

  /**
   * Loki's scanners for the two languages. A character they do not expect ends the input, with
   * an error that a syntax error found next replaces (as in Loki).
   */
  private static final class Scanner {
    private final String text;
    private final boolean json;
    private int pos;
    String error;

    Scanner(String text, boolean json) {
      this.text = text;
      this.json = json;
    }

    Kind next() {
      while (true) {
        int r = read();
        if (r == 0) {
          return Kind.END;
        }
        if (r == ' ' || r == '\t' || r == '\n') {
          continue;
        }
        if (json && isDigit(r)) {
          unread(r);
          return scanIndex();
        }
        if (json && r == '[') {
          return Kind.LSB;
        }
        if (json && r == ']') {
          return Kind.RSB;
        }
        if (json && r == '.') {
          return Kind.DOT;
        }
        if (isIdentifierStart(r)) {
          while (isIdentifierStart(peek()) || isDigit(peek())) {
            read();
          }
          return Kind.FIELD;
        }
        if (r == '"') {
          // A key ends at a quote or at `]`.
          int c;
          do {
            c = read();
          } while (c != 0 && c != '"' && c != ']');
          return Kind.STRING;
        }
        error = "unexpected char " + new String(Character.toChars(r));
        return Kind.END;
      }
    }

    private Kind scanIndex() {
      StringBuilder number = new StringBuilder();
      while (true) {
        int r = read();
        if (r == '.' && number.length() > 0) {
          error = "cannot use float as array index";
          return Kind.END;
        }
        if (r == ' ' || r == '\t' || r == '\n' || r == '.' || r == ']') {
          unread(r);
          break;
        }
        if (!isDigit(r)) {
          error = "non-integer value: " + new String(Character.toChars(r));
          return Kind.END;
        }
        number.append((char) r);
      }
      if (GoNumber.atoi(number.toString()).isEmpty()) {
        error =
            "strconv.Atoi: parsing " + GoText.quote(number.toString()) + ": value out of range";
        return Kind.END;
      }
      return Kind.INDEX;
    }

    // The next code point; 0 at the end (and for NUL, which ends the input in Loki too).
    private int read() {
      if (pos >= text.length()) {
        pos = text.length() + 1; // so that unread after the end stays at the end
        return 0;
      }
      int cp = text.codePointAt(pos);
      pos += Character.charCount(cp);
      return cp;
    }

    private void unread(int r) {
      pos -= r == 0 ? 1 : Character.charCount(r);
    }

    private int peek() {
      return pos < text.length() ? text.codePointAt(pos) : 0;
    }
  }

  private static boolean isIdentifierStart(int r) {
    return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r == '_';
  }

  private static boolean isDigit(int r) {
    return r >= '0' && r <= '9';
  }
}
