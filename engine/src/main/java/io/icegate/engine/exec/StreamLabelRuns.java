package io.icegate.engine.exec;

import io.icegate.protocol.loki.LabelSetCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SortedMap;
import org.apache.arrow.vector.VarCharVector;

/**
 * The labels of a row's stream (Loki's label-set text), decoded once per run of rows with the
 * same text: files are sorted by stream, so consecutive rows mostly share it, and the bytes are
 * compared instead of decoding each row's.
 */
final class StreamLabelRuns {
  private byte[] last = new byte[0];
  private int lastLength = -1;
  private byte[] scratch = new byte[256];
  private SortedMap<String, String> labels;

  /**
   * Moves to row {@code row} of {@code streams}: true when its text differs from the previous
   * row's, so {@link #labels} changed. A text that does not decode throws, and the next row is
   * compared afresh.
   */
  boolean move(VarCharVector streams, int row) {
    int start = streams.getStartOffset(row);
    int length = streams.getEndOffset(row) - start;
    if (scratch.length < length) {
      scratch = new byte[Math.max(length, 2 * scratch.length)];
    }
    streams.getDataBuffer().getBytes(start, scratch, 0, length);
    if (length == lastLength && Arrays.equals(scratch, 0, length, last, 0, length)) {
      return false;
    }
    lastLength = -1;
    labels = LabelSetCodec.decode(new String(scratch, 0, length, StandardCharsets.UTF_8));
    if (last.length < length) {
      last = new byte[Math.max(length, 2 * last.length)];
    }
    System.arraycopy(scratch, 0, last, 0, length);
    lastLength = length;
    return true;
  }

  /** The labels of the row {@link #move} moved to last. */
  SortedMap<String, String> labels() {
    return labels;
  }
}
