package io.icegate.logql;

import io.icegate.logql.parser.LogQLLexer;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.function.IntUnaryOperator;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.IntStream;
import org.antlr.v4.runtime.Lexer;

/**
 * The part of the LogQL lexer that looks ahead, as Loki's lexer does; the generated {@code
 * LogQLLexer} extends it and calls these methods from its rules. Not for other use.
 *
 * <ul>
 *   <li>Words: keywords in any case ({@code by}, {@code JSON}, {@code or}); function names only
 *       when {@code (}, {@code by (} or {@code without (} follows, else identifiers.
 *   <li>Numbers: the extent of Go's number literal, then a unit if one follows: {@code 250ms} is
 *       one DURATION, {@code 20MB} one BYTES token.
 *   <li>Minus: {@code --strict} and {@code --keep-empty} are flags, {@code -5m} a DURATION.
 * </ul>
 */
public abstract class LogQLLexerBase extends Lexer {
  /** Words that are always keywords, lower case, with their token types. */
  private static final Map<String, Integer> KEYWORDS =
      Map.ofEntries(
          Map.entry("by", LogQLLexer.BY),
          Map.entry("without", LogQLLexer.WITHOUT),
          Map.entry("bool", LogQLLexer.BOOL),
          Map.entry("unwrap", LogQLLexer.UNWRAP),
          Map.entry("offset", LogQLLexer.OFFSET),
          Map.entry("on", LogQLLexer.ON),
          Map.entry("ignoring", LogQLLexer.IGNORING),
          Map.entry("group_left", LogQLLexer.GROUP_LEFT),
          Map.entry("group_right", LogQLLexer.GROUP_RIGHT),
          Map.entry("or", LogQLLexer.OR),
          Map.entry("and", LogQLLexer.AND),
          Map.entry("unless", LogQLLexer.UNLESS),
          Map.entry("json", LogQLLexer.JSON),
          Map.entry("regexp", LogQLLexer.REGEXP),
          Map.entry("logfmt", LogQLLexer.LOGFMT),
          Map.entry("unpack", LogQLLexer.UNPACK),
          Map.entry("pattern", LogQLLexer.PATTERN),
          Map.entry("label_format", LogQLLexer.LABEL_FMT),
          Map.entry("line_format", LogQLLexer.LINE_FMT),
          Map.entry("decolorize", LogQLLexer.DECOLORIZE),
          Map.entry("drop", LogQLLexer.DROP),
          Map.entry("keep", LogQLLexer.KEEP));

  /** Words that are function names when a call follows, lower case, with their token types. */
  private static final Map<String, Integer> FUNCTIONS =
      Map.ofEntries(
          Map.entry("rate", LogQLLexer.RATE),
          Map.entry("rate_counter", LogQLLexer.RATE_COUNTER),
          Map.entry("count_over_time", LogQLLexer.COUNT_OVER_TIME),
          Map.entry("bytes_rate", LogQLLexer.BYTES_RATE),
          Map.entry("bytes_over_time", LogQLLexer.BYTES_OVER_TIME),
          Map.entry("avg_over_time", LogQLLexer.AVG_OVER_TIME),
          Map.entry("sum_over_time", LogQLLexer.SUM_OVER_TIME),
          Map.entry("min_over_time", LogQLLexer.MIN_OVER_TIME),
          Map.entry("max_over_time", LogQLLexer.MAX_OVER_TIME),
          Map.entry("stdvar_over_time", LogQLLexer.STDVAR_OVER_TIME),
          Map.entry("stddev_over_time", LogQLLexer.STDDEV_OVER_TIME),
          Map.entry("quantile_over_time", LogQLLexer.QUANTILE_OVER_TIME),
          Map.entry("first_over_time", LogQLLexer.FIRST_OVER_TIME),
          Map.entry("last_over_time", LogQLLexer.LAST_OVER_TIME),
          Map.entry("absent_over_time", LogQLLexer.ABSENT_OVER_TIME),
          Map.entry("vector", LogQLLexer.VECTOR),
          Map.entry("sum", LogQLLexer.SUM),
          Map.entry("avg", LogQLLexer.AVG),
          Map.entry("max", LogQLLexer.MAX),
          Map.entry("min", LogQLLexer.MIN),
          Map.entry("count", LogQLLexer.COUNT),
          Map.entry("stddev", LogQLLexer.STDDEV),
          Map.entry("stdvar", LogQLLexer.STDVAR),
          Map.entry("bottomk", LogQLLexer.BOTTOMK),
          Map.entry("topk", LogQLLexer.TOPK),
          Map.entry("sort", LogQLLexer.SORT),
          Map.entry("sort_desc", LogQLLexer.SORT_DESC),
          Map.entry("approx_topk", LogQLLexer.APPROX_TOPK),
          Map.entry("label_replace", LogQLLexer.LABEL_REPLACE),
          Map.entry("bytes", LogQLLexer.BYTES_CONV),
          Map.entry("duration", LogQLLexer.DURATION_CONV),
          Map.entry("duration_seconds", LogQLLexer.DURATION_SECONDS_CONV),
          Map.entry("ip", LogQLLexer.IP));

  private static final String[] FLAGS = {"--strict", "--keep-empty"};

  protected LogQLLexerBase(CharStream input) {
    super(input);
  }

  /** After a word: make it a keyword or function token where Loki does. */
  protected void classifyWord() {
    String word = getText().toLowerCase(Locale.ROOT);
    Integer function = FUNCTIONS.get(word);
    if (function != null) {
      if (callFollows(this::ahead)) {
        setType(function);
      }
      return;
    }
    Integer keyword = KEYWORDS.get(word);
    if (keyword != null) {
      setType(keyword);
    }
  }

  /**
   * Whether a function call follows a word: after white space, {@code (}, or {@code by} or {@code
   * without} (any case) then {@code (}. {@code next} gives the character at an offset after the
   * word, or -1 past the end.
   */
  static boolean callFollows(IntUnaryOperator next) {
    int i = skipSpace(next, 0);
    if (next.applyAsInt(i) == '(') {
      return true;
    }
    for (String word : new String[] {"by", "without"}) {
      if (startsWithIgnoringCase(next, i, word)) {
        return next.applyAsInt(skipSpace(next, i + word.length())) == '(';
      }
    }
    return false;
  }

  private static int skipSpace(IntUnaryOperator next, int i) {
    while (next.applyAsInt(i) >= 0 && isSpace(next.applyAsInt(i))) {
      i++;
    }
    return i;
  }

  private static boolean startsWithIgnoringCase(
      IntUnaryOperator next, int i, String word) {
    for (int k = 0; k < word.length(); k++) {
      int c = next.applyAsInt(i + k);
      if (c < 0 || Character.toLowerCase(c) != word.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /**
   * After the first character of a number: read the rest of Go's number literal, then a unit if
   * one follows and makes a valid duration or size.
   */
  protected void afterNumberStart() {
    int start = _tokenStartCharIndex;
    GoNumber.Scan scan = GoNumber.scan(i -> charAt(start + i));
    while (_input.index() < start + scan.length()) {
      consumeOne();
    }
    String number = getText();
    if (tryUnit(number, LogQLLexerBase::isDurationChar, true)) {
      setType(LogQLLexer.DURATION);
    } else if (tryUnit(number, LogQLLexerBase::isBytesChar, false)) {
      setType(LogQLLexer.BYTES);
    }
  }

  /** After {@code -}: a parser flag, a negative duration, or the minus operator. */
  protected void afterMinus() {
    if (_input.LA(1) == '-') {
      StringBuilder flag = new StringBuilder("-");
      int k = 1;
      while (_input.LA(k) != IntStream.EOF
          && (Character.isLetter(_input.LA(k)) || _input.LA(k) == '-')) {
        flag.appendCodePoint(_input.LA(k));
        k++;
      }
      for (String known : FLAGS) {
        if (known.contentEquals(flag)) {
          for (int i = 1; i < k; i++) {
            consumeOne();
          }
          setType(LogQLLexer.FUNCTION_FLAG);
          return;
        }
      }
    }
    if (tryUnit("-", LogQLLexerBase::isDurationChar, true)) {
      setType(LogQLLexer.DURATION);
    }
  }

  // Loki reads the characters that may belong to a unit up to white space or a character that
  // cannot, and keeps them only if the whole reads as a duration (or size).
  private boolean tryUnit(String number, IntPredicate unitChar, boolean duration) {
    StringBuilder candidate = new StringBuilder(number);
    int k = 1;
    while (_input.LA(k) != IntStream.EOF
        && !isSpace(_input.LA(k))
        && (isNumber(_input.LA(k)) || unitChar.test(_input.LA(k)) || _input.LA(k) == '.')) {
      candidate.appendCodePoint(_input.LA(k));
      k++;
    }
    if (k == 1) {
      return false;
    }
    boolean valid =
        duration
            ? GoDuration.parseLiteral(candidate.toString()).isPresent()
            : ByteSize.parse(candidate.toString()).isPresent();
    if (valid) {
      for (int i = 1; i < k; i++) {
        consumeOne();
      }
    }
    return valid;
  }

  private void consumeOne() {
    getInterpreter().consume(_input);
  }

  // The character at an absolute index of the input, or -1 past its end.
  private int charAt(int index) {
    int current = _input.index();
    int la = index >= current ? index - current + 1 : index - current;
    int c = _input.LA(la);
    return c == IntStream.EOF ? -1 : c;
  }

  // The character i places after the current token's end, or -1 past the input's end.
  private int ahead(int i) {
    int c = _input.LA(i + 1);
    return c == IntStream.EOF ? -1 : c;
  }

  // Go's unicode.IsSpace.
  private static boolean isSpace(int c) {
    return switch (c) {
      case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0 -> true;
      default -> c > 0xFF && Character.isSpaceChar(c);
    };
  }

  // Go's unicode.IsNumber: decimal digits, letter numbers and other numbers.
  private static boolean isNumber(int c) {
    int type = Character.getType(c);
    return type == Character.DECIMAL_DIGIT_NUMBER
        || type == Character.LETTER_NUMBER
        || type == Character.OTHER_NUMBER;
  }

  private static boolean isDurationChar(int c) {
    return switch (c) {
      case 'n', 'u', '\u00b5', 'm', 's', 'h', 'd', 'w', 'y' -> true;
      default -> false;
    };
  }

  // Units Loki reads after a number: B, kB, KB, KiB, MB, ... up to PiB (no exabytes, which may
  // not fit 64 bits).
  private static boolean isBytesChar(int c) {
    return switch (c) {
      case 'B', 'i', 'k', 'K', 'M', 'G', 'T', 'P' -> true;
      default -> false;
    };
  }
}
