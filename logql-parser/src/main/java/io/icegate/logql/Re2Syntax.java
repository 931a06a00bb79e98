package io.icegate.logql;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Optional;

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
      throw LogQLParseException.withoutPosition(goMessage(regex, e));
    }
  }

  /** Go's error for {@code regex}, or empty if it compiles. */
  static Optional<String> error(String regex) {
    try {
      Pattern.compile(regex);
      return Optional.empty();
    } catch (PatternSyntaxException e) {
      return Optional.of(goMessage(regex, e));
    }
  }

  static String goMessage(String regex, PatternSyntaxException e) {
    String description = e.getDescription();
    String pattern = e.getPattern();
    // re2j fails on an unmatched `)` with an internal error; Go names the whole regex.
    if (description.contains("internal error") && "stack underflow".equals(pattern)) {
      description = "unexpected )";
      pattern = regex;
    }
    // re2j's own message capitalises "Error"; Go's does not.
    String detail = "error parsing regexp: " + description;
    return pattern == null || pattern.isEmpty() ? detail : detail + ": `" + pattern + "`";
  }
}
