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
  void andRunsCheapTermsFirstAndTheRegexOnlyOnRowsTheyKept() {
    try (VectorSchemaRoot batch = batch("user_1 failed", "user_2 ok", "user_3 failed", null)) {
      java.util.List<Integer> regexRows = new java.util.ArrayList<>();
      VectorPredicate regex = StringKernels.regex(0, com.google.re2j.Pattern.compile("user_[13]"),
          false);
      // Wraps the regex to record which rows it was asked about.
      VectorPredicate recorded =
          new VectorPredicate() {
            @Override
            public void evaluate(VectorSchemaRoot b, boolean[] out) {
              throw new AssertionError("the AND must pass its candidates");
            }

            @Override
            public void evaluate(VectorSchemaRoot b, boolean[] out, boolean[] candidates) {
              for (int i = 0; i < b.getRowCount(); i++) {
                if (candidates[i]) {
                  regexRows.add(i);
                }
              }
              regex.evaluate(b, out, candidates);
            }

            @Override
            public int cost() {
              return regex.cost();
            }
          };
      // Written regex first; the substring search is cheaper and runs first.
      VectorPredicate and =
          LogicalKernels.and(List.of(recorded, StringKernels.contains(0, bytes("failed"))));
      boolean[] out = new boolean[4];
      and.evaluate(batch, out);
      assertThat(out).containsExactly(true, false, true, false);
      assertThat(regexRows).containsExactly(0, 2);

      regexRows.clear();
      LogicalKernels.and(List.of(recorded, StringKernels.contains(0, bytes("zzz"))))
          .evaluate(batch, out);
      assertThat(out).containsExactly(false, false, false, false);
      assertThat(regexRows).as("no row left: the regex never runs").isEmpty();
    }
  }

  @Test
  void orAndNotUnderAnAndKeepOnlyCandidateRows() {
    try (VectorSchemaRoot batch = batch("a", "b", "ab", "c")) {
      VectorPredicate or =
          LogicalKernels.or(List.of(StringKernels.contains(0, bytes("a")),
              StringKernels.contains(0, bytes("c"))));
      VectorPredicate notB = LogicalKernels.not(StringKernels.contains(0, bytes("b")));
      boolean[] out = new boolean[4];
      or.evaluate(batch, out, new boolean[] {false, true, true, true});
      assertThat(out).containsExactly(false, false, true, true);
      LogicalKernels.and(List.of(or, notB)).evaluate(batch, out);
      assertThat(out).containsExactly(true, false, false, true);
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
