package io.icegate.engine.plan;

import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlCollation;
import org.apache.calcite.tools.RelBuilder;
import org.apache.calcite.util.NlsString;

/**
 * String literals for the plans the query languages build. {@code RelBuilder.literal} makes a
 * string in Calcite's default character set, ISO-8859-1, and fails on any other character — a
 * tenant, label value, metric name or line filter in Cyrillic, CJK or an emoji, or the U+FFFD
 * that invalid UTF-8 in a request decodes to — so the query would end in a server error.
 */
public final class Utf8Literals {
  private Utf8Literals() {}

  /** {@code value} as a UTF-8 character literal. */
  public static RexNode of(RelBuilder b, String value) {
    return b.getRexBuilder()
        .makeCharLiteral(new NlsString(value, "UTF-8", SqlCollation.IMPLICIT));
  }
}
