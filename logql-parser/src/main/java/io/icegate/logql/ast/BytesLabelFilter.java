package io.icegate.logql.ast;

import java.util.Objects;

/**
 * {@code size >= 20MB}: parses the label's value as a byte size ({@code 1.5KiB}, {@code 20MB}) and
 * compares it with {@code bytes}.
 *
 * <p>Sizes are unsigned 64-bit integers, as in Loki: {@code bytes} holds the bits of the unsigned
 * value, so compare with {@link Long#compareUnsigned}.
 */
public record BytesLabelFilter(String label, ComparisonOp op, long bytes) implements LabelFilter {
  public BytesLabelFilter {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(op, "op");
  }
}
