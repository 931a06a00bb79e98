package io.icegate.storage.compaction;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.iceberg.StructLike;

/**
 * A generic record as Iceberg's partition transforms and sort comparators want to see it:
 * timestamps as epoch nanoseconds ({@code timestamp_ns}) instead of {@code LocalDateTime}.
 * and fixed values as ByteBuffers instead of byte arrays. (Iceberg's own InternalRecordWrapper
 * converts microsecond timestamps only.) Top-level fields
 * only, which is where partition and sort keys live.
 */
final class InternalRowView implements StructLike {
  private StructLike row;

  InternalRowView wrap(StructLike newRow) {
    this.row = newRow;
    return this;
  }

  @Override
  public int size() {
    return row.size();
  }

  @Override
  public <T> T get(int pos, Class<T> javaClass) {
    Object value = row.get(pos, Object.class);
    if (value instanceof LocalDateTime t) {
      return javaClass.cast(nanos(t.toEpochSecond(ZoneOffset.UTC), t.getNano()));
    }
    if (value instanceof OffsetDateTime t) {
      return javaClass.cast(nanos(t.toEpochSecond(), t.getNano()));
    }
    if (value instanceof byte[] fixed) {
      // Iceberg's comparators and transforms take fixed and binary values as ByteBuffers
      // (the spans table sorts by its fixed[16] trace_id).
      return javaClass.cast(java.nio.ByteBuffer.wrap(fixed));
    }
    return javaClass.cast(value);
  }

  private static Long nanos(long seconds, int nano) {
    return seconds * 1_000_000_000L + nano;
  }

  @Override
  public <T> void set(int pos, T value) {
    throw new UnsupportedOperationException("read-only view");
  }
}
