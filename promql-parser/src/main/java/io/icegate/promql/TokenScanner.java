package io.icegate.promql;

import static io.icegate.promql.parser.PromQLLexer.*;

import io.icegate.promql.ast.Printer;
import io.icegate.promql.parser.PromQLLexer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.Token;

/**
 * Turns the raw tokens of {@code PromQLLexer} into the tokens the parser reads, applying the rules
 * of Prometheus's scanner that depend on what came before:
 *
 * <ul>
 *   <li>parentheses must balance ({@code unexpected right parenthesis ')'}, {@code unclosed left
 *       parenthesis}), and braces and brackets must close;
 *   <li>right after {@code [}, until the first number or duration, only a duration expression may
 *       follow ({@code unexpected character in duration expression: '"'}); later in the brackets a
 *       word must be {@code step}, {@code range}, {@code min_of} or {@code max_of}, and at most one
 *       colon may appear;
 *   <li>a run of digits and letters is a number, a duration, or bad syntax, as in Prometheus;
 *   <li>string literals must be well formed;
 *   <li>{@code fill}, {@code fill_left} and {@code fill_right} are keywords only before {@code (}.
 * </ul>
 *
 * Like Prometheus's scanner it stops at the first lexical error: the token list then ends with an
 * ERROR token carrying the message, which the parser reports if it gets that far.
 */
final class TokenScanner {
  private static final Map<String, Integer> DURATION_KEYWORDS =
      Map.of("step", STEP, "range", RANGE, "max_of", MAX_OF, "min_of", MIN_OF);

  private final QueryText q;
  private final List<Token> out = new ArrayList<>();
  private int parenDepth;
  private boolean braceOpen;
  private boolean bracketOpen;
  private boolean inDurationExpr; // just after '[', before the first number or duration
  private boolean gotColon;
  private boolean gotDuration;

  private TokenScanner(QueryText q) {
    this.q = q;
  }

  /** The parser's tokens for {@code q}: ending with EOF, or with ERROR and EOF. */
  static List<Token> scan(QueryText q) {
    TokenScanner s = new TokenScanner(q);
    PromQLLexer lexer = new PromQLLexer(CharStreams.fromString(q.text()));
    lexer.removeErrorListeners(); // every input has a token; errors come as tokens
    for (Token raw = lexer.nextToken(); ; raw = lexer.nextToken()) {
      if (!s.accept(raw)) {
        break;
      }
    }
    for (int i = 0; i < s.out.size(); i++) {
      ((CommonToken) s.out.get(i)).setTokenIndex(i);
    }
    return s.out;
  }

  /** Handles one raw token; false once the list is complete. */
  private boolean accept(Token t) {
    if (t.getType() == Token.EOF) {
      return endOfInput();
    }
    if (braceOpen) {
      return insideBraces(t);
    }
    if (bracketOpen && inDurationExpr) {
      return durationExpr(t);
    }
    if (bracketOpen) {
      switch (t.getType()) {
        case COLON -> {
          if (gotColon) {
            return error(start(t), "unexpected colon " + Printer.quoteRune(':'));
          }
          gotColon = true;
          return emit(t, COLON);
        }
        case WORD -> {
          return durationKeyword(t, "unexpected character: %s, expected " + Printer.quoteRune(':'));
        }
        case BAD_LEFT_BRACKET -> {
          return error(start(t), "unexpected left bracket " + Printer.quoteRune('['));
        }
        case RIGHT_BRACKET -> {
          bracketOpen = false;
          return emit(t, RIGHT_BRACKET);
        }
        default -> {
          return statement(t);
        }
      }
    }
    if (t.getType() == LEFT_BRACKET) {
      bracketOpen = true;
      gotColon = false;
      inDurationExpr = true;
      return emit(t, LEFT_BRACKET);
    }
    return statement(t);
  }

  private boolean endOfInput() {
    int end = q.length();
    if (braceOpen) {
      return error(end, "unexpected end of input inside braces");
    }
    if (bracketOpen && inDurationExpr) {
      return error(end, "unexpected end of input in duration expression");
    }
    if (parenDepth != 0) {
      return error(end, "unclosed left parenthesis");
    }
    if (bracketOpen) {
      return error(end, "unclosed left bracket");
    }
    out.add(token(Token.EOF, end, end, "<EOF>"));
    return false;
  }

  // Tokens outside braces, and inside brackets after the first number or duration.
  private boolean statement(Token t) {
    switch (t.getType()) {
      case COMMENT -> {
        return true;
      }
      case LEFT_BRACE -> {
        braceOpen = true;
        return emit(t, LEFT_BRACE);
      }
      case LEFT_PAREN -> {
        parenDepth++;
        return emit(t, LEFT_PAREN);
      }
      case RIGHT_PAREN -> {
        return rightParen(t);
      }
      case NUMERIC -> {
        return numeric(start(t));
      }
      case STRING, BAD_STRING -> {
        return string(t);
      }
      case BAD_EQL_REGEX -> {
        return error(start(t), "unexpected character after '=': " + Printer.quoteRune('~'));
      }
      case BAD_BANG -> {
        return error(start(t), "unexpected character after '!': " + Printer.quoteRune(nextRune(t)));
      }
      case BAD_RIGHT_BRACE, UNEXPECTED_CHAR -> {
        return error(start(t), "unexpected character: " + Printer.quoteRune(firstRune(t)));
      }
      case BAD_RIGHT_BRACKET -> {
        return error(start(t), "unexpected right bracket " + Printer.quoteRune(']'));
      }
      case FILL, FILL_LEFT, FILL_RIGHT -> {
        // Keywords only when a '(' follows, so that "fill" stays usable as a metric name.
        int i = t.getStopIndex() + 1;
        while (isSpace(q.at(i))) {
          i++;
        }
        return emit(t, q.at(i) == '(' ? t.getType() : IDENTIFIER);
      }
      default -> {
        return emit(t, t.getType());
      }
    }
  }

  private boolean insideBraces(Token t) {
    switch (t.getType()) {
      case COMMENT -> {
        return true;
      }
      case RIGHT_BRACE -> {
        braceOpen = false;
        return emit(t, RIGHT_BRACE);
      }
      case STRING, BAD_STRING -> {
        return string(t);
      }
      case BAD_LEFT_BRACE -> {
        return error(start(t), "unexpected left brace " + Printer.quoteRune('{'));
      }
      case BAD_BANG -> {
        return error(
            start(t),
            "unexpected character after '!' inside braces: " + Printer.quoteRune(nextRune(t)));
      }
      case UNEXPECTED_CHAR -> {
        return error(start(t), "unexpected character inside braces: " + Printer.quoteRune(firstRune(t)));
      }
      default -> {
        return emit(t, t.getType());
      }
    }
  }

  // Right after '[': only what a duration expression is made of.
  private boolean durationExpr(Token t) {
    switch (t.getType()) {
      case RIGHT_BRACKET -> {
        bracketOpen = false;
        gotColon = false;
        inDurationExpr = false;
        return emit(t, RIGHT_BRACKET);
      }
      case COLON -> {
        // Prometheus reads the colon, then reports the error just after it.
        if (!gotDuration) {
          return error(end(t), "unexpected colon before duration in duration expression");
        }
        if (gotColon) {
          return error(end(t), "unexpected repeated colon in duration expression");
        }
        gotColon = true;
        return emit(t, COLON);
      }
      case LEFT_PAREN -> {
        parenDepth++;
        return emit(t, LEFT_PAREN);
      }
      case RIGHT_PAREN -> {
        return rightParen(t);
      }
      case ADD, SUB, MUL, DIV, MOD, POW, COMMA -> {
        return emit(t, t.getType());
      }
      case WORD -> {
        return durationKeyword(t, "unexpected character in duration expression: %s");
      }
      case NUMERIC -> {
        gotDuration = true;
        inDurationExpr = false;
        return numeric(start(t));
      }
      default -> {
        return error(
            start(t), "unexpected character in duration expression: " + Printer.quoteRune(firstRune(t)));
      }
    }
  }

  private boolean durationKeyword(Token t, String errorFormat) {
    Integer type = DURATION_KEYWORDS.get(t.getText().toLowerCase(Locale.ROOT));
    if (type == null) {
      return error(start(t), String.format(errorFormat, Printer.quoteRune(firstRune(t))));
    }
    return emit(t, type);
  }

  private boolean rightParen(Token t) {
    parenDepth--;
    if (parenDepth < 0) {
      // Prometheus reads the parenthesis, then reports the error just after it.
      return error(end(t), "unexpected right parenthesis " + Printer.quoteRune(')'));
    }
    return emit(t, RIGHT_PAREN);
  }

  // A number or duration at {@code from}; what the raw token held beyond it is read again.
  private boolean numeric(int from) {
    NumberLiterals.Scan s = NumberLiterals.scan(q, from);
    switch (s.kind()) {
      case BAD -> {
        return error(from, "bad number or duration syntax: " + Printer.quote(q.slice(from, s.end())));
      }
      case NUMBER -> out.add(token(NUMBER, from, s.end(), q.slice(from, s.end())));
      case DURATION -> out.add(token(DURATION, from, s.end(), q.slice(from, s.end())));
    }
    return rest(s.end());
  }

  // What follows a number or duration inside the same raw token: only ".5"-like numbers or a dot.
  private boolean rest(int from) {
    int c = q.at(from);
    if (c == '.' && isDigit(q.at(from + 1))) {
      return numeric(from);
    }
    if (c == '.') {
      return error(from, "unexpected character: " + Printer.quoteRune('.'));
    }
    return true;
  }

  private boolean string(Token t) {
    Optional<String> problem = StringLiterals.lexicalError(q.slice(start(t), q.length()));
    if (problem.isPresent()) {
      return error(start(t), problem.get());
    }
    return emit(t, STRING);
  }

  private boolean emit(Token raw, int type) {
    out.add(token(type, start(raw), end(raw), raw.getText()));
    return true;
  }

  private boolean error(int at, String message) {
    out.add(token(ERROR, at, at, message));
    out.add(token(Token.EOF, q.length(), q.length(), "<EOF>"));
    return false;
  }

  // A token over code points [from, to).
  private static CommonToken token(int type, int from, int to, String text) {
    CommonToken t = new CommonToken(type, text);
    t.setStartIndex(from);
    t.setStopIndex(to - 1);
    return t;
  }

  private static int start(Token t) {
    return t.getStartIndex();
  }

  private static int end(Token t) {
    return t.getStopIndex() + 1;
  }

  private int firstRune(Token t) {
    return q.at(start(t));
  }

  // The character after a one-character token; U+FFFD at the end, as Go prints its EOF rune.
  private int nextRune(Token t) {
    int c = q.at(end(t));
    return c < 0 ? 0xFFFD : c;
  }

  private static boolean isSpace(int c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }
}
