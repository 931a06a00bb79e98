package io.icegate.storage;

import io.icegate.storage.table.ArrowSchemas;
import io.icegate.storage.table.TableDefinition;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.iceberg.Schema;

/**
 * Batches of random rows for any of the lake's tables, filled from its Arrow schema: every column
 * of every type (maps, lists of structs, fixed ids, nanosecond times, doubles), nulls where the
 * column allows them, empty and missing lists and maps. Values come from small pools so that sort
 * keys tie often, and the pools hold the awkward cases of ordering and statistics: strings
 * beyond the basic plane and above U+E000 (where UTF-16 and code-point order differ), long
 * strings (truncated bounds), bytes above 0x7f (unsigned order), extreme longs, NaN, -0.0 and
 * infinities.
 */
final class RandomBatches {
  static final long DAY = 86_400_000_000_000L;
  static final long T0 = 1_700_000_000_000_000_000L;

  private static final String[] STRINGS = {
    "a", "b", "checkout", "checkout-long-name-beyond-sixteen", "é", "\uD83D\uDE00 grin",
    "\uFF41 fullwidth", "z", "", "zzzzzzzzzzzzzzzz\u00e9\u00e9 multibyte at the cut"
  };
  private static final long[] LONGS = {Long.MIN_VALUE, -1, 0, 7, 7, 42, Long.MAX_VALUE};
  private static final int[] INTS = {Integer.MIN_VALUE, -1, 0, 3, 3, Integer.MAX_VALUE};
  private static final double[] DOUBLES = {
    Double.NaN, -0.0, 0.0, 1.5, -3.25, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e300
  };
  private static final long[] OFFSETS = {0, 1, 1, 5, 1_000, 86_399_999_999_999L};
  private static final int[] FIRST_BYTES = {0x00, 0x01, 0x7f, 0x80, 0xff};

  private RandomBatches() {}

  /** {@code rows} random rows of {@code schema} for {@code tenant}, on day {@code day} or the next. */
  static VectorSchemaRoot batch(
      Schema schema, String tenant, int rows, Random random, BufferAllocator allocator) {
    VectorSchemaRoot root = VectorSchemaRoot.create(ArrowSchemas.of(schema), allocator);
    try {
      for (FieldVector vector : root.getFieldVectors()) {
        vector.allocateNew();
        String name = vector.getName();
        for (int i = 0; i < rows; i++) {
          if (name.equals(TableDefinition.TENANT_ID)) {
            ((VarCharVector) vector).setSafe(i, tenant.getBytes(StandardCharsets.UTF_8));
          } else if (name.equals(TableDefinition.TIMESTAMP)) {
            long day = random.nextInt(2) * DAY;
            ((TimeStampVector) vector).setSafe(i, T0 + day + OFFSETS[random.nextInt(OFFSETS.length)]);
          } else {
            fill(vector, i, random, 0);
          }
        }
      }
      root.setRowCount(rows);
      return root;
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  private static void fill(ValueVector vector, int i, Random random, int depth) {
    boolean nullable = vector.getField().isNullable();
    if (nullable && random.nextInt(5) == 0) {
      setNull(vector, i);
      return;
    }
    if (vector instanceof ListVector list) { // maps too
      int n = random.nextInt(4);
      int offset = list.startNewValue(i);
      ValueVector elements = list.getDataVector();
      for (int e = 0; e < n; e++) {
        fill(elements, offset + e, random, depth + 1);
      }
      list.endValue(i, n);
    } else if (vector instanceof StructVector struct) {
      for (int c = 0; c < struct.size(); c++) {
        fill(struct.getChildByOrdinal(c), i, random, depth + 1);
      }
      struct.setIndexDefined(i);
    } else if (vector instanceof VarCharVector strings) {
      String value = STRINGS[random.nextInt(STRINGS.length)];
      strings.setSafe(i, value.getBytes(StandardCharsets.UTF_8));
    } else if (vector instanceof TimeStampVector times) {
      times.setSafe(i, T0 + OFFSETS[random.nextInt(OFFSETS.length)]);
    } else if (vector instanceof BigIntVector longs) {
      longs.setSafe(i, LONGS[random.nextInt(LONGS.length)]);
    } else if (vector instanceof IntVector ints) {
      ints.setSafe(i, INTS[random.nextInt(INTS.length)]);
    } else if (vector instanceof Float8Vector doubles) {
      doubles.setSafe(i, DOUBLES[random.nextInt(DOUBLES.length)]);
    } else if (vector instanceof BitVector bits) {
      bits.setSafe(i, random.nextInt(2));
    } else if (vector instanceof FixedSizeBinaryVector fixed) {
      byte[] bytes = new byte[fixed.getByteWidth()];
      bytes[0] = (byte) FIRST_BYTES[random.nextInt(FIRST_BYTES.length)];
      bytes[bytes.length - 1] = (byte) random.nextInt(3);
      fixed.setSafe(i, bytes);
    } else {
      throw new IllegalArgumentException("no random values for " + vector.getField());
    }
  }

  private static void setNull(ValueVector vector, int i) {
    if (vector instanceof ListVector list) {
      list.setNull(i);
    } else if (vector instanceof StructVector struct) {
      struct.setNull(i);
    } else if (vector instanceof org.apache.arrow.vector.BaseFixedWidthVector fixed) {
      fixed.setNull(i);
    } else if (vector instanceof org.apache.arrow.vector.BaseVariableWidthVector variable) {
      variable.setNull(i);
    } else {
      throw new IllegalArgumentException("no null for " + vector.getField());
    }
  }

  /** The names of a schema's top-level columns. */
  static List<String> columns(Schema schema) {
    return schema.columns().stream().map(c -> c.name()).toList();
  }
}
