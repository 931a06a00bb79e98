package io.icegate.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchesTest {
  private final RootAllocator allocator = new RootAllocator();

  @AfterEach
  void empty() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void selectKeepsTheChosenRowsOfStringsNumbersAndListsOfFixedSizeBinaries() {
    VarCharVector text = new VarCharVector("text", allocator);
    BigIntVector number = new BigIntVector("number", allocator);
    ListVector ids = ListVector.empty("ids", allocator);
    ids.addOrGetVector(FieldType.nullable(new ArrowType.FixedSizeBinary(2)));
    String[] values = {"zero", null, "", "three", "four"};
    text.allocateNew();
    number.allocateNew();
    ids.allocateNew();
    FixedSizeBinaryVector inner = (FixedSizeBinaryVector) ids.getDataVector();
    int child = 0;
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        text.setNull(i);
      } else {
        text.setSafe(i, values[i].getBytes(StandardCharsets.UTF_8));
      }
      number.setSafe(i, i * 10L);
      int start = ids.startNewValue(i);
      for (int k = 0; k < i; k++) { // row i holds i ids {i, k}
        inner.setSafe(start + k, new byte[] {(byte) i, (byte) k});
        child++;
      }
      ids.endValue(i, i);
    }
    inner.setValueCount(child);
    text.setValueCount(values.length);
    number.setValueCount(values.length);
    ids.setValueCount(values.length);
    try (VectorSchemaRoot source = VectorSchemaRoot.of(text, number, ids);
        VectorSchemaRoot out =
            Batches.select(source, new boolean[] {false, true, true, false, true}, 3, allocator)) {
      assertThat(out.getRowCount()).isEqualTo(3);
      VarCharVector t = (VarCharVector) out.getVector("text");
      assertThat(t.isNull(0)).isTrue();
      assertThat(new String(t.get(1), StandardCharsets.UTF_8)).isEmpty();
      assertThat(new String(t.get(2), StandardCharsets.UTF_8)).isEqualTo("four");
      BigIntVector n = (BigIntVector) out.getVector("number");
      assertThat(List.of(n.get(0), n.get(1), n.get(2))).containsExactly(10L, 20L, 40L);
      ListVector l = (ListVector) out.getVector("ids");
      assertThat(((List<?>) l.getObject(0))).hasSize(1);
      assertThat(((List<?>) l.getObject(2))).hasSize(4);
      FixedSizeBinaryVector copied = (FixedSizeBinaryVector) l.getDataVector();
      int row2 = l.getElementStartIndex(2);
      assertThat(copied.get(row2 + 3)).containsExactly(4, 3);
    }
  }
}
