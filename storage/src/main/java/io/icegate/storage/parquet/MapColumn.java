package io.icegate.storage.parquet;

import java.util.List;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;

/**
 * A {@code map<string, string>}: its key and value leaves (they share repetition levels; their
 * pages may end at different places) each read through the batch's rows on its own, straight
 * into the map's offsets and validity and the entries' key and value vectors.
 *
 * <p>Attribute maps are often empty in every row (a log record's attributes where the sender
 * sets none): a row group whose statistics show a required map's leaves hold no value is
 * answered without reading a page, its maps' buffers filled in bulk.
 */
final class MapColumn implements ColumnReader {
  private final LeafColumn keys;
  private final LeafColumn values;
  private final StringSink keySink = new StringSink();
  private final StringSink valueSink = new StringSink();
  /** Entries per kept row in the last batch, to size the next batch's entry vectors. */
  private double density = 1;
  /** The keys whose entries are read ({@link #keepKeys}), null for all. */
  private EntryMask mask;

  MapColumn(LeafColumn keys, LeafColumn values) {
    this.keys = keys;
    this.values = values;
  }

  /**
   * Reads only the entries whose key {@code wanted} accepts (null: all); the others' values are
   * stepped over unread. Each distinct key of a dictionary is judged once.
   */
  void keepKeys(java.util.function.Predicate<String> wanted) {
    mask = wanted == null ? null : new EntryMask(wanted);
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
    if (map == null) {
      // Each leaf steps over the rows on its own, level runs at once.
      keys.skipRows(rows);
      values.skipRows(rows);
      return;
    }
    map.setInitialCapacity(count, Math.max(0.25, density * 1.25));
    map.allocateNew();
    StructVector entries = (StructVector) map.getDataVector();
    // Each leaf reads its own pages through the rows: the key leaf the maps' offsets, validity
    // and keys; the value leaf, whose pages may end elsewhere, the values.
    keySink.start((BaseVariableWidthVector) entries.getChildByOrdinal(0));
    if (mask != null) {
      mask.startKeys();
    }
    keys.readEntries(rows, keep, keySink, map.getOffsetBuffer(), map.getValidityBuffer(),
        keys.maxDefinition, mask);
    valueSink.start((BaseVariableWidthVector) entries.getChildByOrdinal(1));
    if (mask != null) {
      mask.startValues();
    }
    values.readEntries(rows, keep, valueSink, null, null, keys.maxDefinition, mask);
    int entry = keySink.count();
    if (valueSink.count() != entry) {
      throw new IllegalStateException(
          "map " + keys.descriptor + " out of record step: " + entry + " keys, "
              + valueSink.count() + " values");
    }
    keySink.finish();
    valueSink.finish();
    if (entry > 0) {
      entries.setIndexDefined(entry - 1); // grows its validity to hold them all
      LeafColumn.setBits(entries.getValidityBuffer(), 0, entry);
    }
    entries.setValueCount(entry);
    if (count > 0) {
      density = (double) entry / count;
    }
    map.setLastSet(count - 1);
    map.setValueCount(count);
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
