package io.icegate.storage.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;

/**
 * Writes attributes into a {@code map<string,string>} column exactly as {@link
 * AttributeFlattener#flatten} would map them (sorted by key, the last of equal keys kept, nested
 * lists as dotted keys), without the sorted map per record: the ingest hot path writes each
 * record's attributes this way, and each resource's and scope's once encoded for all its records.
 * Rows are written in order, entries appended to the keys and values as {@link Utf8Appender}s
 * do, without {@code setSafe}'s bookkeeping per key and value; {@link #finish} ends the column.
 */
final class AttributeColumn {
  /** Above this many attributes a record is sorted through the general flattening. */
  private static final int SMALL = 16;

  private final MapVector map;
  private final StructVector entries;
  private final Utf8Appender keys;
  private final Utf8Appender values;
  private int next; // entries written so far
  private int rowStart; // the first entry of the row being written

  AttributeColumn(MapVector map) {
    this.map = map;
    this.entries = (StructVector) map.getDataVector();
    this.keys = new Utf8Appender((VarCharVector) entries.getChildByOrdinal(0));
    this.values = new Utf8Appender((VarCharVector) entries.getChildByOrdinal(1));
  }

  /** Starts row {@code row}'s map; rows come in order. */
  void begin(int row) {
    rowStart = map.startNewValue(row);
    next = rowStart;
  }

  /** Appends one entry (key and value UTF-8 bytes) to the map begun last. */
  void entry(byte[] key, int keyFrom, int keyLength, byte[] value, int valueFrom,
      int valueLength) {
    entries.setIndexDefined(next);
    keys.set(next, key, keyFrom, keyLength);
    values.set(next, value, valueFrom, valueLength);
    next++;
  }

  /** Ends row {@code row}'s map. */
  void end(int row) {
    map.endValue(row, next - rowStart);
  }

  /** Declares every entry written, before the root's row count is set. */
  void finish() {
    keys.finish(next);
    values.finish(next);
  }

  /** Flattened attributes encoded once, to be written for many rows. */
  record Encoded(byte[][] keys, byte[][] values) {
    static Encoded of(List<KeyValue> attributes) {
      SortedMap<String, String> flat = AttributeFlattener.flatten(attributes);
      byte[][] k = new byte[flat.size()][];
      byte[][] v = new byte[flat.size()][];
      int i = 0;
      for (Map.Entry<String, String> e : flat.entrySet()) {
        k[i] = e.getKey().getBytes(UTF_8);
        v[i] = e.getValue().getBytes(UTF_8);
        i++;
      }
      return new Encoded(k, v);
    }
  }

  void write(int row, Encoded encoded) {
    begin(row);
    for (int e = 0; e < encoded.keys.length; e++) {
      byte[] k = encoded.keys[e];
      byte[] v = encoded.values[e];
      entry(k, 0, k.length, v, 0, v.length);
    }
    end(row);
  }

  /** Writes {@code attributes} of one record in row {@code row}. */
  void write(int row, List<KeyValue> attributes) {
    int n = attributes.size();
    if (n > SMALL || !allScalar(attributes)) {
      write(row, AttributeFlattener.flatten(attributes));
      return;
    }
    // Order by key as the sorted map does; equal keys stay in arrival order, so the last of
    // each run is the one a map would have kept.
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
      String key = attributes.get(i).getKey();
      int j = i;
      while (j > 0 && attributes.get(order[j - 1]).getKey().compareTo(key) > 0) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = i;
    }
    begin(row);
    for (int i = 0; i < n; i++) {
      KeyValue kv = attributes.get(order[i]);
      if (i + 1 < n && attributes.get(order[i + 1]).getKey().equals(kv.getKey())) {
        continue;
      }
      entries.setIndexDefined(next);
      keys.set(next, kv.getKeyBytes());
      AnyValue value = kv.getValue();
      if (value.getValueCase() == AnyValue.ValueCase.STRING_VALUE) {
        values.set(next, value.getStringValueBytes());
      } else {
        byte[] text = AttributeFlattener.text(value).getBytes(UTF_8);
        values.set(next, text, 0, text.length);
      }
      next++;
    }
    end(row);
  }

  private void write(int row, SortedMap<String, String> flat) {
    begin(row);
    for (Map.Entry<String, String> e : flat.entrySet()) {
      byte[] k = e.getKey().getBytes(UTF_8);
      byte[] v = e.getValue().getBytes(UTF_8);
      entry(k, 0, k.length, v, 0, v.length);
    }
    end(row);
  }

  /** No nested lists (which flatten to several keys) and no unset values (which are dropped). */
  private static boolean allScalar(List<KeyValue> attributes) {
    for (int i = 0; i < attributes.size(); i++) {
      AnyValue.ValueCase kind = attributes.get(i).getValue().getValueCase();
      if (kind == AnyValue.ValueCase.KVLIST_VALUE || kind == AnyValue.ValueCase.VALUE_NOT_SET) {
        return false;
      }
    }
    return true;
  }

  /** Copies UTF-8 bytes protobuf already holds, without a String in between. */
  static void set(VarCharVector vector, int index, ByteString bytes) {
    vector.setSafe(index, bytes.asReadOnlyByteBuffer(), 0, bytes.size());
  }
}
