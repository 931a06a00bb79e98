package io.icegate.logql.ast;

import java.util.Objects;

/**
 * {@code addr = ip("10.0.0.0/8")}: keeps entries whose label holds an address the pattern matches
 * ({@code negated}: {@code addr != ip(...)}, entries whose label holds one it does not match). The
 * pattern is an address, a CIDR prefix or a range {@code "a-b"}.
 */
public record IpLabelFilter(String label, boolean negated, String pattern) implements LabelFilter {
  public IpLabelFilter {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(pattern, "pattern");
  }
}
