package io.icegate.engine.expr;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StringKernelsTest {
  private final RootAllocator allocator = new RootAllocator();

  @AfterEach
  void empty() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void containsFindsNeedlesInsideValuesOnly() {
    // "ab" + "cd": the needle "bc" straddles two values and must not match either.
    try (VectorSchemaRoot batch = batch("ab", "cd", "xbcx", "", null, "bc", "bcbc")) {
      boolean[] out = new boolean[7];
      StringKernels.contains(0, bytes("bc")).evaluate(batch, out);
      assertThat(out).containsExactly(false, false, true, false, false, true, true);
    }
  }

  @Test
  void containsHandlesNeedlesAtTheVeryEndAndSingleRowBatches() {
    try (VectorSchemaRoot batch = batch("the end")) {
      boolean[] out = new boolean[1];
      StringKernels.contains(0, bytes("end")).evaluate(batch, out);
      assertThat(out).containsExactly(true);
      StringKernels.contains(0, bytes("ends")).evaluate(batch, out);
      assertThat(out).containsExactly(false);
    }
  }

  @Test
  void containsMatchesMultiByteUtf8() {
    try (VectorSchemaRoot batch = batch("grüße", "grusse", "日本語のログ")) {
      boolean[] out = new boolean[3];
      StringKernels.contains(0, bytes("üß")).evaluate(batch, out);
      assertThat(out).containsExactly(true, false, false);
      StringKernels.contains(0, bytes("ログ")).evaluate(batch, out);
      assertThat(out).containsExactly(false, false, true);
    }
  }

  @Test
  void regexFindIsUnanchoredAndFullMatchIsAnchored() {
    try (VectorSchemaRoot batch = batch("user_12 failed", "ok", null)) {
      boolean[] out = new boolean[3];
      StringKernels.regex(0, com.google.re2j.Pattern.compile("user_[0-9]+"), false)
          .evaluate(batch, out);
      assertThat(out).containsExactly(true, false, false);
      StringKernels.regex(0, com.google.re2j.Pattern.compile("user_[0-9]+"), true)
          .evaluate(batch, out);
      assertThat(out).containsExactly(false, false, false);
    }
  }

  private VectorSchemaRoot batch(String... values) {
    VarCharVector v = new VarCharVector("body", allocator);
    v.allocateNew();
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        v.setNull(i);
      } else {
        v.setSafe(i, bytes(values[i]));
      }
    }
    v.setValueCount(values.length);
    VectorSchemaRoot root = new VectorSchemaRoot(List.of(v));
    root.setRowCount(values.length);
    return root;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
