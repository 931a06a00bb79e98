package io.icegate.engine.logql.pipeline;

import java.nio.charset.StandardCharsets;

/**
 * A log line as its stored UTF-8 bytes, decoded into a Java string only when a stage reads the
 * text ({@link #text}): the {@code json} stage walks the bytes themselves, and label filters don't
 * read the line. Reused from entry to entry; the bytes array belongs to whoever set it.
 */
public final class Utf8Line {
  byte[] bytes = new byte[0];
  int length;
  private String text;

  /** Points at {@code length} bytes of {@code bytes} (not copied) and forgets the decoded text. */
  public void set(byte[] bytes, int length) {
    this.bytes = bytes;
    this.length = length;
    this.text = null;
  }

  /** The line decoded (invalid sequences as U+FFFD), once per {@link #set}. */
  public String text() {
    if (text == null) {
      text = new String(bytes, 0, length, StandardCharsets.UTF_8);
    }
    return text;
  }

  /** The decoded text if {@link #text} was called since the last {@link #set}, else null. */
  public String textIfDecoded() {
    return text;
  }
}
