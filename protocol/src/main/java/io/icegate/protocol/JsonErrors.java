package io.icegate.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Pattern;

/**
 * Jackson's syntax errors in words for the client: where (line and column) and what, in Jackson's
 * own phrasing, without the parts that speak of Jackson itself.
 */
public final class JsonErrors {
  private static final Pattern SETTING_REFERENCE = Pattern.compile(", from `[^`]*`");

  private JsonErrors() {}

  /**
   * {@code malformed JSON at line 1, column 19: Unexpected close marker '}': expected ']' ...}.
   * Leaves out the reference to the input source Jackson appends in parentheses (which names a
   * Jackson setting and repeats the position given in front) and the name of the setting behind an
   * exceeded limit ({@code , from `StreamReadConstraints.getMaxNestingDepth()`}).
   */
  public static String malformed(JsonProcessingException e) {
    var location = e.getLocation();
    String where =
        location == null
            ? ""
            : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    String message = SETTING_REFERENCE.matcher(e.getOriginalMessage()).replaceAll("");
    int source = message.indexOf("[Source:");
    if (source >= 0) {
      int bracket = message.lastIndexOf('(', source);
      message = message.substring(0, bracket > 0 ? bracket : source).trim();
    }
    return "malformed JSON" + where + ": " + message;
  }
}
