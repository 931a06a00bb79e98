package io.icegate.server;

/**
 * The tenant of a request: the {@code X-Scope-OrgID} header, or {@code fake} without one, as Loki
 * and Tempo do with auth disabled. Ids follow Loki's rules: at most 150 characters from
 * {@code [a-zA-Z0-9!-_.*'()]}, and not {@code .} or {@code ..}.
 */
public final class Tenants {
  public static final String HEADER = "X-Scope-OrgID";
  public static final String DEFAULT = "fake";
  private static final int MAX_LENGTH = 150;

  private Tenants() {}

  /** The tenant named by {@code header}; throws with a user-readable message if invalid. */
  public static String resolve(String header) {
    if (header == null || header.isEmpty()) {
      return DEFAULT;
    }
    if (header.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "tenant ID is too long: max " + MAX_LENGTH + " characters");
    }
    if (header.equals(".") || header.equals("..")) {
      throw new IllegalArgumentException("tenant ID is '.' or '..'");
    }
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!-_.*'()".indexOf(c) >= 0;
      if (!ok) {
        throw new IllegalArgumentException("tenant ID '" + header + "' contains unsupported character '" + c + "'");
      }
    }
    return header;
  }
}
