package io.icegate.tck;

/** A log line a test sent, at its time in Unix nanoseconds: what it expects to read back. */
record SentLine(long timeNanos, String line) {}
