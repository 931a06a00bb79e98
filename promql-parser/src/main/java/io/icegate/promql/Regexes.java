package io.icegate.promql;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Optional;

/**
 * Label matcher regexes: RE2 syntax (Go's regexp, which re2j implements), anchored at both ends,
 * with {@code .} matching newlines, as Prometheus compiles them.
 */
final class Regexes {
  private Regexes() {}

  /** Go's error for an invalid regex, e.g. {@code error parsing regexp: missing closing ): `(.*`}. */
  static Optional<String> check(String regex) {
    try {
      // Flags do not change what is valid, and re2j would show them in the message.
      Pattern.compile(regex);
      return Optional.empty();
    } catch (PatternSyntaxException e) {
      String pattern = e.getPattern();
      String detail = "error parsing regexp: " + e.getDescription();
      return Optional.of(pattern == null || pattern.isEmpty() ? detail : detail + ": `" + pattern + "`");
    }
  }

  /** Whether the regex matches the empty string (it must compile). */
  static boolean matchesEmpty(String regex) {
    return Pattern.compile(regex, Pattern.DOTALL).matches("");
  }
}
