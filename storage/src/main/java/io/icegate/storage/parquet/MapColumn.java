package io.icegate.storage.parquet;

import java.util.List;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;

/**
 * A {@code map<string, string>}: its key and value leaves read level by level in step (they
 * share repetition levels; their pages may end at different places), straight into the map's
 * offsets and the entries' key and value vectors.
 */
final class MapColumn implements ColumnReader {
  private final LeafColumn keys;
  private final LeafColumn values;

  MapColumn(LeafColumn keys, LeafColumn values) {
    this.keys = keys;
    this.values = values;
  }

  @Override
  public List<LeafColumn> leaves() {
    return List.of(keys, values);
  }

  @Override
  public void start(PageReadStore pages) {
    keys.start(pages);
    values.start(pages);
  }

  /**
   * Reads the leaves' offset indexes (where the file has them), so that runs of skipped rows
   * pass over whole pages without inflating them: a repeated leaf's page header counts levels,
   * not rows, but the index gives each page's first row.
   */
  void indexPages(ParquetFileReader reader, BlockMetaData group) {
    keys.indexPages(reader, group);
    values.indexPages(reader, group);
  }

  @Override
  public void read(FieldVector vector, int rows, boolean[] keep, int count) {
    org.apache.arrow.vector.complex.MapVector map =
        (org.apache.arrow.vector.complex.MapVector) vector;
    org.apache.arrow.vector.complex.StructVector entries = null;
    BaseVariableWidthVector keyVector = null;
    BaseVariableWidthVector valueVector = null;
    if (map != null) {
      map.setInitialCapacity(count);
      map.allocateNew();
      entries = (org.apache.arrow.vector.complex.StructVector) map.getDataVector();
      keyVector = (BaseVariableWidthVector) entries.getChildByOrdinal(0);
      valueVector = (BaseVariableWidthVector) entries.getChildByOrdinal(1);
    }
    int entryDefinition = keys.maxDefinition;
    int entry = 0;
    int out = 0;
    for (int row = 0; row < rows; row++) {
      if (map == null || (keep != null && !keep[row])) {
        // A run of rows not written: each leaf steps over them on its own, level runs at once.
        int end = row + 1;
        while (end < rows && (map == null || !keep[end])) {
          end++;
        }
        keys.skipRows(end - row);
        values.skipRows(end - row);
        row = end - 1;
        continue;
      }
      keys.ensureLevel();
      values.ensureLevel();
      if (keys.repetition() != 0) {
        throw new IllegalStateException("map " + keys.descriptor + " out of record step");
      }
      int start = entry;
      boolean present = keys.definition() >= entryDefinition - 1;
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
      if (present) {
        map.startNewValue(out);
        map.endValue(out, entry - start);
      } else {
        map.setNull(out);
      }
      out++;
      keys.rowAt++;
      values.rowAt++;
    }
    if (map != null) {
      keyVector.setValueCount(entry);
      valueVector.setValueCount(entry);
      entries.setValueCount(entry);
      map.setValueCount(count);
    }
  }
}
