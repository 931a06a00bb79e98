package io.icegate.engine.logql.pipeline;

import java.nio.charset.StandardCharsets;

/**
 * Reads {@code key=value} pairs of a logfmt line the way Loki's decoder does: keys are runs of
 * printable characters without {@code =} or {@code "}; values are bare words or double-quoted
 * strings with escapes; a key alone has an empty value. A malformed pair is an error at a 1-based
 * byte position; the caller decides whether to stop there ({@code --strict}) or skip to the next
 * space.
 */
public final class LogfmtReader {
  /** Receives each pair. */
  public interface PairVisitor {
    void pair(String key, String value);
  }

  private LogfmtReader() {}

  /**
   * Visits the pairs of {@code line}; returns {@code null}, or the error message of the first
   * malformed pair when {@code strict} (then the pairs before it have been visited).
   */
  public static String read(String line, boolean strict, PairVisitor visitor) {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    int n = b.length;
    int i = 0;
    while (i < n) {
      while (i < n && (b[i] & 0xff) <= ' ') {
        i++;
      }
      if (i >= n) {
        break;
      }
      String error = null;
      int keyStart = i;
      boolean badKey = false;
      while (i < n && (b[i] & 0xff) > ' ' && b[i] != '=') {
        if (b[i] == '"') {
          error = "unexpected '\"'";
          break;
        }
        if ((b[i] & 0xff) == 0xEF
            && i + 2 < n
            && (b[i + 1] & 0xff) == 0xBF
            && (b[i + 2] & 0xff) == 0xBD) {
          badKey = true;
        }
        i++;
      }
      if (error == null && i == keyStart) {
        error = "unexpected '='";
      }
      if (error == null && badKey) {
        error = "invalid key";
      }
      String key = null;
      String value = null;
      if (error == null) {
        key = new String(b, keyStart, i - keyStart, StandardCharsets.UTF_8);
        if (i < n && b[i] == '=') {
          i++;
          if (i < n && b[i] == '"') {
            StringBuilder sb = new StringBuilder();
            int start = ++i;
            boolean closed = false;
            while (i < n) {
              if (b[i] == '"') {
                closed = true;
                break;
              }
              if (b[i] == '\\' && i + 1 < n) {
                sb.append(new String(b, start, i - start, StandardCharsets.UTF_8));
                byte e = b[i + 1];
                switch (e) {
                  case 'n' -> sb.append('\n');
                  case 't' -> sb.append('\t');
                  case 'r' -> sb.append('\r');
                  case 'b' -> sb.append('\b');
                  case 'f' -> sb.append('\f');
                  case 'u' -> {
                    if (i + 6 <= n) {
                      try {
                        sb.append(
                            (char)
                                Integer.parseInt(
                                    new String(b, i + 2, 4, StandardCharsets.US_ASCII), 16));
                      } catch (NumberFormatException ex) {
                        sb.append("\\u");
                        i -= 4;
                      }
                      i += 4;
                    }
                  }
                  default -> sb.append((char) e);
                }
                i += 2;
                start = i;
                continue;
              }
              i++;
            }
            if (!closed) {
              error = "unterminated quoted value";
            } else {
              sb.append(new String(b, start, i - start, StandardCharsets.UTF_8));
              value = sb.toString();
              i++;
              if (i < n && (b[i] & 0xff) > ' ') {
                error = "unexpected '" + (char) b[i] + "'";
              }
            }
          } else {
            int start = i;
            while (i < n && (b[i] & 0xff) > ' ') {
              if (b[i] == '=' || b[i] == '"') {
                error = "unexpected '" + (char) b[i] + "'";
                break;
              }
              i++;
            }
            value = new String(b, start, i - start, StandardCharsets.UTF_8);
          }
        } else {
          value = "";
        }
      }
      if (error != null) {
        if (strict) {
          return "logfmt syntax error at pos " + (i + 1) + " : " + error;
        }
        while (i < n && (b[i] & 0xff) > ' ') {
          i++;
        }
        continue;
      }
      visitor.pair(key, LabelNames.cleanValue(value));
    }
    return null;
  }
}
