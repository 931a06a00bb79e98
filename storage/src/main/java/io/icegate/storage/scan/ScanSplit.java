package io.icegate.storage.scan;

/**
 * A part of a scan that one thread reads: the row groups of {@code file} that start in {@code
 * [start, start + length)}, or the whole file when {@code length} is negative.
 */
public record ScanSplit(ScanFile file, long start, long length) {
  public static ScanSplit whole(ScanFile file) {
    return new ScanSplit(file, 0, -1);
  }

  public boolean isWholeFile() {
    return length < 0;
  }
}
