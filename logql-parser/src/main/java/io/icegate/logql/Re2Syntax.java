package io.icegate.logql;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/** Regexes in LogQL are RE2 (Go's regexp); re2j accepts the same syntax. */
final class Re2Syntax {
  private Re2Syntax() {}

  /**
   * Compiles {@code regex}, or fails with the text Go's regexp package gives, e.g. {@code error
   * parsing regexp: missing closing ): `(`}, as a position-less parse error: Loki reports bad
   * matcher regexes that way.
   */
  static Pattern compile(String regex) {
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      // re2j's own message capitalises "Error"; Go's does not.
      String pattern = e.getPattern();
      String detail = "error parsing regexp: " + e.getDescription();
      throw LogQLParseException.withoutPosition(
          pattern == null || pattern.isEmpty() ? detail : detail + ": `" + pattern + "`");
    }
  }
}
