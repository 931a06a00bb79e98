package io.icegate.logql.ast;

import java.util.Objects;
import java.util.Optional;

/**
 * A label named in {@code | drop} or {@code | keep}: the bare name ({@code drop level}), or a
 * matcher ({@code drop level="debug"}) that applies the stage only where the label's value
 * matches. With a matcher, {@code name} is the matcher's label name.
 */
public record NamedLabelMatcher(String name, Optional<LabelMatcher> matcher) {
  public NamedLabelMatcher {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(matcher, "matcher");
    if (matcher.isPresent() && !matcher.get().name().equals(name)) {
      throw new IllegalArgumentException("the matcher must be on label " + name);
    }
  }

  public static NamedLabelMatcher named(String name) {
    return new NamedLabelMatcher(name, Optional.empty());
  }

  public static NamedLabelMatcher matching(LabelMatcher matcher) {
    return new NamedLabelMatcher(matcher.name(), Optional.of(matcher));
  }
}
