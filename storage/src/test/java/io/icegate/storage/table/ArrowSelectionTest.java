package io.icegate.storage.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ArrowSelectionTest {
  private final BufferAllocator allocator = new RootAllocator();

  // Rows 0..9; kept: 1, 2, 3 (a run holding a null), 5, 7, 8, 9 (a run to the end).
  private static final boolean[] KEEP = {
    false, true, true, true, false, true, false, true, true, true
  };
  private static final String[] TEXT = {"a", "bb", null, "ccc", "d", "", "e", "ff", "ff", "g"};
  private static final Long[] NUMBERS = {0L, 1L, 2L, null, 4L, 5L, 6L, 7L, null, 9L};

  @AfterEach
  void allocatorIsEmpty() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void stringsOfTheSelectedRowsKeepTheirValuesAndNulls() {
    try (VarCharVector src = new VarCharVector("s", allocator);
        VarCharVector dst = new VarCharVector("s", allocator)) {
      src.allocateNew();
      for (int i = 0; i < TEXT.length; i++) {
        if (TEXT[i] == null) {
          src.setNull(i);
        } else {
          src.setSafe(i, TEXT[i].getBytes(StandardCharsets.UTF_8));
        }
      }
      src.setValueCount(TEXT.length);

      ArrowSelection.select(src, TEXT.length, KEEP, 7, dst);

      List<String> got = new ArrayList<>();
      for (int i = 0; i < dst.getValueCount(); i++) {
        got.add(dst.isNull(i) ? null : new String(dst.get(i), StandardCharsets.UTF_8));
      }
      assertThat(got).containsExactly("bb", null, "ccc", "", "ff", "ff", "g");
    }
  }

  @Test
  void fixedWidthValuesOfTheSelectedRowsKeepTheirValuesAndNulls() {
    try (BigIntVector src = new BigIntVector("n", allocator);
        BigIntVector dst = new BigIntVector("n", allocator)) {
      src.allocateNew(NUMBERS.length);
      for (int i = 0; i < NUMBERS.length; i++) {
        if (NUMBERS[i] == null) {
          src.setNull(i);
        } else {
          src.set(i, NUMBERS[i]);
        }
      }
      src.setValueCount(NUMBERS.length);

      ArrowSelection.select(src, NUMBERS.length, KEEP, 7, dst);

      Long[] got = new Long[dst.getValueCount()];
      for (int i = 0; i < got.length; i++) {
        got[i] = dst.isNull(i) ? null : dst.get(i);
      }
      assertThat(Arrays.asList(got)).containsExactly(1L, 2L, null, 5L, 7L, null, 9L);
    }
  }
}
