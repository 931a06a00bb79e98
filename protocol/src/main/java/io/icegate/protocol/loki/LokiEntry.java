package io.icegate.protocol.loki;

import java.util.Objects;

/**
 * One log line of a stream in a Loki query result. The timestamp stays in nanoseconds all the way
 * to the client, which receives it as a decimal string, as Loki sends it.
 */
public record LokiEntry(long timestampNanos, String line) {
  public LokiEntry {
    Objects.requireNonNull(line, "line");
  }
}
