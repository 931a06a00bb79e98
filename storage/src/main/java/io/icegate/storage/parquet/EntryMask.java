package io.icegate.storage.parquet;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * Which entries of a {@link MapColumn}'s batch are read, decided by their keys: the key leaf,
 * read first, judges each entry and records the verdict in entry order; the value leaf, whose
 * levels list the same entries in the same order, follows the record. A dictionary key is judged
 * once per dictionary entry.
 */
final class EntryMask {
  private final Predicate<String> wanted;
  private boolean[] kept = new boolean[256];
  /** Entries the key leaf judged in this batch. */
  private int size;
  /** Entries the value leaf has followed. */
  private int at;
  private boolean readingKeys;
  /** Per dictionary id of {@link #judgedFor}: 0 not judged yet, 1 kept, 2 left out. */
  private byte[] judged = new byte[0];
  private int[] judgedFor;

  EntryMask(Predicate<String> wanted) {
    this.wanted = wanted;
  }

  void startKeys() {
    size = 0;
    readingKeys = true;
  }

  void startValues() {
    at = 0;
    readingKeys = false;
  }

  boolean readingKeys() {
    return readingKeys;
  }

  /** Whether the key {@code id} of the dictionary with {@code offsets} into {@code values} is kept. */
  boolean keepsId(byte[] values, int[] offsets, int id) {
    if (judgedFor != offsets) {
      judged = new byte[offsets.length - 1];
      judgedFor = offsets;
    }
    byte verdict = judged[id];
    if (verdict == 0) {
      verdict = keepsBytes(values, offsets[id], offsets[id + 1] - offsets[id]) ? (byte) 1 : 2;
      judged[id] = verdict;
    }
    return verdict == 1;
  }

  /** Whether a key of these bytes is kept. */
  boolean keepsBytes(byte[] bytes, int from, int length) {
    return wanted.test(new String(bytes, from, length, StandardCharsets.UTF_8));
  }

  /** The key leaf's verdict on the batch's next entry. */
  void record(boolean keep) {
    if (size == kept.length) {
      kept = Arrays.copyOf(kept, 2 * size);
    }
    kept[size++] = keep;
  }

  /** For the value leaf: whether the batch's next entry is kept. */
  boolean next() {
    if (at >= size) {
      throw new IllegalStateException("map values beyond their keys");
    }
    return kept[at++];
  }
}
