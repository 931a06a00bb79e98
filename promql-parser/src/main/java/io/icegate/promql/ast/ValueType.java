package io.icegate.promql.ast;

/** The type of value an expression evaluates to, as Prometheus types them. */
public enum ValueType {
  /** Not a value: only in messages about malformed trees. */
  NONE("none", "none"),
  SCALAR("scalar", "scalar"),
  /** An instant vector: one sample per series. */
  VECTOR("vector", "instant vector"),
  /** A range vector: samples over a time range per series. */
  MATRIX("matrix", "range vector"),
  STRING("string", "string");

  private final String promName;
  private final String documentedName;

  ValueType(String promName, String documentedName) {
    this.promName = promName;
    this.documentedName = documentedName;
  }

  /** The name Prometheus gives the type in the API ({@code "matrix"}, {@code "vector"}, ...). */
  public String promName() {
    return promName;
  }

  /** The name the documentation and most error messages use ({@code "range vector"}, ...). */
  public String documentedName() {
    return documentedName;
  }
}
