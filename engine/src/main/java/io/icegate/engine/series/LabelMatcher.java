package io.icegate.engine.series;

import com.google.re2j.Pattern;

/**
 * One label matcher of a series selection, with its regex compiled once. A separate type from the
 * PromQL AST's matcher because LogQL stream selectors select series the same way.
 */
public record LabelMatcher(String name, Type type, String value, Pattern pattern) {
  /** The four ways of matching a label value. */
  public enum Type {
    EQ,
    NEQ,
    RE,
    NRE
  }

  public static LabelMatcher of(String name, Type type, String value) {
    Pattern p =
        type == Type.RE || type == Type.NRE
            ? Pattern.compile("^(?s:" + value + ")$")
            : null;
    return new LabelMatcher(name, type, value, p);
  }

  /** Whether a label value (empty when the label is absent) matches. */
  public boolean matches(String labelValue) {
    return switch (type) {
      case EQ -> labelValue.equals(value);
      case NEQ -> !labelValue.equals(value);
      case RE -> pattern.matcher(labelValue).matches();
      case NRE -> !pattern.matcher(labelValue).matches();
    };
  }

  public boolean matches(Labels labels) {
    return matches(labels.get(name));
  }
}
