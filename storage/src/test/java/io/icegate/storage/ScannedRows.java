package io.icegate.storage;

import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.scan.ScanRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.iceberg.io.CloseableIterator;

/**
 * Reads a whole table of one tenant through the lake's {@link io.icegate.storage.scan.TableScanner}
 * and turns each row into plain Java values, so tests can compare them with what was sent:
 * strings, longs/ints/doubles (a double's NaN payload survives: compare with
 * {@code Double.doubleToRawLongBits}), ids as lowercase hex, maps as {@code Map<String,String>}, lists as lists,
 * structs as maps by field name.
 */
final class ScannedRows {
  /** Compacts everything at once, keeping retired segments around (the test's lake is closed). */
  static final Compactor.Policy NOW =
      new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ofHours(1));

  private ScannedRows() {}

  /** Every row of {@code table} for {@code tenant}, each as column name → value. */
  static List<Map<String, Object>> scan(
      Lake lake, BufferAllocator allocator, String table, String tenant) throws Exception {
    List<String> columns =
        lake.scanner().schema(table).columns().stream().map(c -> c.name()).toList();
    var request = new ScanRequest(table, tenant, Long.MIN_VALUE, Long.MAX_VALUE, columns);
    List<Map<String, Object>> rows = new ArrayList<>();
    try (CloseableIterator<VectorSchemaRoot> it = lake.scanner().open(request, allocator)) {
      while (it.hasNext()) {
        try (VectorSchemaRoot batch = it.next()) {
          for (int i = 0; i < batch.getRowCount(); i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (String column : columns) {
              row.put(column, value(batch.getVector(column), i));
            }
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }

  static Object value(FieldVector v, int i) {
    if (v.isNull(i)) {
      return null;
    }
    if (v instanceof VarCharVector s) {
      return new String(s.get(i), StandardCharsets.UTF_8);
    } else if (v instanceof TimeStampVector t) {
      return t.get(i);
    } else if (v instanceof BigIntVector b) {
      return b.get(i);
    } else if (v instanceof IntVector n) {
      return n.get(i);
    } else if (v instanceof Float8Vector d) {
      return d.get(i);
    } else if (v instanceof BitVector b) {
      return b.get(i) == 1;
    } else if (v instanceof FixedSizeBinaryVector f) {
      return HexFormat.of().formatHex(f.get(i));
    } else if (v instanceof MapVector m) {
      Map<String, String> out = new LinkedHashMap<>();
      StructVector entries = (StructVector) m.getDataVector();
      FieldVector keys = (FieldVector) entries.getChildByOrdinal(0);
      FieldVector values = (FieldVector) entries.getChildByOrdinal(1);
      for (int e = m.getElementStartIndex(i); e < m.getElementEndIndex(i); e++) {
        out.put((String) value(keys, e), (String) value(values, e));
      }
      return out;
    } else if (v instanceof ListVector l) {
      List<Object> out = new ArrayList<>();
      for (int e = l.getElementStartIndex(i); e < l.getElementEndIndex(i); e++) {
        out.add(value(l.getDataVector(), e));
      }
      return out;
    } else if (v instanceof StructVector s) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (FieldVector child : s.getChildrenFromFields()) {
        out.put(child.getName(), value(child, i));
      }
      return out;
    }
    throw new IllegalArgumentException("no reader for " + v.getField());
  }
}
