package io.icegate.storage.parquet;

import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.BaseRepeatedValueVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;

/**
 * A {@code map<string, string>}: its key and value leaves read level by level in step (they
 * share repetition levels; their pages may end at different places), straight into the map's
 * offsets and validity and the entries' key and value vectors.
 *
 * <p>Attribute maps are often empty in every row (a log record's attributes where the sender
 * sets none). Such rows cost no work per row: a row group whose statistics show a required
 * map's leaves hold no value is answered without reading a page, and within pages a run of
 * rows without entries is one scan of their levels and one bulk fill of the map's buffers.
 */
final class MapColumn implements ColumnReader {
  private final LeafColumn keys;
  private final LeafColumn values;
  /** Entries per kept row in the last batch, to size the next batch's entry vectors. */
  private double density = 1;

  MapColumn(LeafColumn keys, LeafColumn values) {
    this.keys = keys;
    this.values = values;
  }

  @Override
  public List<LeafColumn> leaves() {
    return List.of(keys, values);
  }

  @Override
  public void start(PageReadStore pages, BlockMetaData group, ParquetFileReader reader) {
    keys.start(pages, group, reader);
    values.start(pages, group, reader);
  }

  /**
   * True when every row of the current row group is an empty map: a required map (the key's
   * definition level counts only the repeated entry) whose leaves hold no value.
   */
  @Override
  public boolean valueless() {
    return keys.maxDefinition == 1 && keys.valueless() && values.valueless();
  }

  @Override
  public void read(FieldVector vector, int rows, boolean[] keep, int count) {
    MapVector map = (MapVector) vector;
    if (valueless()) {
      if (map != null) {
        allEmpty(map, count);
      }
      return;
    }
    StructVector entries = null;
    BaseVariableWidthVector keyVector = null;
    BaseVariableWidthVector valueVector = null;
    ArrowBuf offsets = null;
    ArrowBuf validity = null;
    if (map != null) {
      map.setInitialCapacity(count, Math.max(0.25, density * 1.25));
      map.allocateNew();
      entries = (StructVector) map.getDataVector();
      keyVector = (BaseVariableWidthVector) entries.getChildByOrdinal(0);
      valueVector = (BaseVariableWidthVector) entries.getChildByOrdinal(1);
      offsets = map.getOffsetBuffer();
      validity = map.getValidityBuffer();
    }
    int entryDefinition = keys.maxDefinition;
    int entry = 0;
    int out = 0;
    int row = 0;
    while (row < rows) {
      if (map == null || (keep != null && !keep[row])) {
        // A run of rows not written: each leaf steps over them on its own, level runs at once.
        int end = row + 1;
        while (end < rows && (map == null || !keep[end])) {
          end++;
        }
        keys.skipRows(end - row);
        values.skipRows(end - row);
        row = end;
        continue;
      }
      keys.ensureLevel();
      values.ensureLevel();
      if (keys.repetition() != 0) {
        throw new IllegalStateException("map " + keys.descriptor + " out of record step");
      }
      int empty = keys.entrylessRows(rows - row, entryDefinition);
      if (empty > 0) {
        // Rows without entries, each one level: their offsets all end where they start.
        for (int i = 0; i < empty; i++) {
          if (keep == null || keep[row + i]) {
            offsets.setInt((long) (out + 1) * BaseRepeatedValueVector.OFFSET_WIDTH, entry);
            if (keys.definitionAhead(i) == entryDefinition - 1) {
              BitVectorHelper.setBit(validity, out); // an empty map; below, a null one
            }
            out++;
          }
        }
        keys.passEntrylessRows(empty, entryDefinition);
        values.passEntrylessRows(empty, entryDefinition);
        row += empty;
        continue;
      }
      do {
        values.ensureLevel();
        if (keys.definition() == entryDefinition) {
          entries.setIndexDefined(entry);
          keys.appendString(keyVector, entry);
          if (values.definition() == values.maxDefinition) {
            values.appendString(valueVector, entry);
          } else {
            valueVector.setNull(entry);
          }
          entry++;
        }
        keys.advanceLevel();
        values.advanceLevel();
      } while (keys.hasLevel() && keys.repetition() != 0);
      offsets.setInt((long) (out + 1) * BaseRepeatedValueVector.OFFSET_WIDTH, entry);
      BitVectorHelper.setBit(validity, out);
      out++;
      keys.rowAt++;
      values.rowAt++;
      row++;
    }
    if (map != null) {
      if (out != count) {
        throw new IllegalStateException(
            "map " + keys.descriptor + ": " + out + " rows read, " + count + " kept");
      }
      if (count > 0) {
        density = (double) entry / count;
      }
      keyVector.setValueCount(entry);
      valueVector.setValueCount(entry);
      entries.setValueCount(entry);
      map.setLastSet(count - 1);
      map.setValueCount(count);
    }
  }

  /** {@code count} empty maps: offsets all zero (as allocated), every row valid, no entries. */
  private static void allEmpty(MapVector map, int count) {
    map.setInitialTotalCapacity(count, 0);
    map.allocateNew();
    LeafColumn.setBits(map.getValidityBuffer(), 0, count);
    map.setLastSet(count - 1);
    map.setValueCount(count);
  }
}
