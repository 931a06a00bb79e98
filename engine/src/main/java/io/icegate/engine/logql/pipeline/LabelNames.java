package io.icegate.engine.logql.pipeline;

/** Loki's clean-up of names that parsers take from log lines. */
final class LabelNames {
  private LabelNames() {}

  /**
   * Trims spaces and replaces every character outside {@code [a-zA-Z0-9_]} with {@code _}; with
   * {@code prefixDigit}, a name starting with a digit gets a leading {@code _}.
   */
  static String sanitize(String key, boolean prefixDigit) {
    String k = key.strip();
    if (k.isEmpty()) {
      return k;
    }
    StringBuilder out = null;
    for (int i = 0; i < k.length(); i++) {
      char c = k.charAt(i);
      boolean ok =
          c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!ok && out == null) {
        out = new StringBuilder(k.length()).append(k, 0, i);
      }
      if (out != null) {
        out.append(ok ? c : '_');
      }
    }
    String s = out == null ? k : out.toString();
    if (prefixDigit && s.charAt(0) >= '0' && s.charAt(0) <= '9') {
      return "_" + s;
    }
    return s;
  }

  /** Loki replaces the Unicode replacement character (left by invalid UTF-8) with a space. */
  static String cleanValue(String value) {
    return value.indexOf('\uFFFD') < 0 ? value : value.replace('\uFFFD', ' ');
  }
}
