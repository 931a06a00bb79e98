package io.icegate.protocol.loki;

/**
 * The order of log lines in a Loki query result: {@code FORWARD} is oldest first, {@code BACKWARD}
 * (Loki's default) newest first. The constant names are Loki's, which clients send in any case.
 */
public enum Direction {
  FORWARD,
  BACKWARD
}
