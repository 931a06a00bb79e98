package io.icegate.engine.exec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An equi-join as a hash join over batches: {@code INNER} or {@code LEFT} (the probe side, the
 * left input, keeps its unmatched rows with NULLs on the right).
 *
 * <p>The build side (the right input) is read whole first: its batches are kept as they came,
 * its key tuples numbered by a {@link GroupKeyTable} (hashed from the vectors' buffers, as the
 * hash aggregate does), and each key's rows chained in arrays — no object per row. Then each
 * probe batch looks its keys up in the same table a batch at a time; a key numbered past the
 * build's keys has no match. Output rows are copied column by column from the probe batch and
 * the kept build batches, at most {@link #OUTPUT_ROWS} a batch, so a key with many matches
 * never makes one huge batch.
 *
 * <p>Keys compare as SQL's {@code =}: a NULL in any key column matches nothing, on either side.
 * The probe's keys that have no match stay in the table (its memory is the query's), so a very
 * large probe side with mostly distinct unmatched keys costs their size once.
 */
public final class HashJoinOperator implements Operator {
  static final int OUTPUT_ROWS = 4096;

  private final ExecContext context;
  private final boolean left;
  private final int[] probeKeys;
  private final int[] buildKeys;
  private final List<String> names;
  private final List<Field> buildFieldsIfEmpty;
  private Operator probe;
  private Operator build;

  private GroupKeyTable table;
  private int buildGroups;
  private final List<VectorSchemaRoot> held = new ArrayList<>();
  private Schema buildSchema;
  /** Per build key group: its first entry, -1 for none. */
  private int[] head = new int[0];
  /** Per entry: the next entry of its key, -1 at the end; its batch and row. */
  private int[] next = new int[256];
  private int[] entryBatch = new int[256];
  private int[] entryRow = new int[256];
  private int entries;

  /** The probe batch being joined and its pairs: probe row, build entry (-1: none). */
  private VectorSchemaRoot current;
  private int[] pairProbe = new int[0];
  private int[] pairEntry = new int[0];
  private int pairs;
  private int emitted;
  private Schema outSchema;

  /**
   * @param leftJoin whether probe rows without a match are kept (with NULLs on the right)
   * @param names the output columns' names: the probe's columns, then the build's
   * @param buildFieldsIfEmpty the build side's fields for a LEFT join whose build side has no
   *     rows (its columns are then all NULL, so only their names and nullability matter)
   */
  public HashJoinOperator(
      ExecContext context, Operator probe, Operator build, int[] probeKeys, int[] buildKeys,
      boolean leftJoin, List<String> names, List<Field> buildFieldsIfEmpty) {
    if (probeKeys.length == 0 || probeKeys.length != buildKeys.length) {
      throw new IllegalArgumentException("a hash join needs pairs of key columns");
    }
    this.context = context;
    this.probe = probe;
    this.build = build;
    this.probeKeys = probeKeys.clone();
    this.buildKeys = buildKeys.clone();
    this.left = leftJoin;
    this.names = List.copyOf(names);
    this.buildFieldsIfEmpty = List.copyOf(buildFieldsIfEmpty);
  }

  @Override
  public VectorSchemaRoot next() {
    if (table == null) {
      buildTable();
    }
    while (true) {
      if (current != null && emitted < pairs) {
        return output();
      }
      if (current != null) {
        current.close();
        current = null;
      }
      context.checkContinue();
      VectorSchemaRoot batch = probe.next();
      if (batch == null) {
        return null;
      }
      current = batch;
      match(batch);
    }
  }

  private void buildTable() {
    List<Field> keyFields = null;
    for (VectorSchemaRoot batch = build.next(); batch != null; batch = build.next()) {
      context.checkContinue();
      held.add(batch);
      if (buildSchema == null) {
        buildSchema = batch.getSchema();
        keyFields = new ArrayList<>();
        for (int k : buildKeys) {
          keyFields.add(batch.getSchema().getFields().get(k));
        }
        table = new GroupKeyTable(keyFields, context.allocator());
      }
      int rows = batch.getRowCount();
      int[] groups = table.groupsOf(keys(batch, buildKeys), rows);
      boolean[] nullKey = nullKeys(batch, buildKeys, rows);
      int b = held.size() - 1;
      if (head.length < table.size()) {
        int before = head.length;
        head = Arrays.copyOf(head, Math.max(table.size(), head.length * 2));
        Arrays.fill(head, before, head.length, -1);
      }
      // Rows are chained newest first; entries are prepended, so a key's matches come out in
      // reverse arrival order (SQL promises no order without ORDER BY).
      for (int r = 0; r < rows; r++) {
        if (nullKey != null && nullKey[r]) {
          continue;
        }
        if (entries == next.length) {
          next = Arrays.copyOf(next, entries * 2);
          entryBatch = Arrays.copyOf(entryBatch, entries * 2);
          entryRow = Arrays.copyOf(entryRow, entries * 2);
        }
        int g = groups[r];
        next[entries] = head[g];
        entryBatch[entries] = b;
        entryRow[entries] = r;
        head[g] = entries++;
      }
    }
    build.close();
    build = null;
    buildGroups = table == null ? 0 : table.size();
    if (table == null) {
      // No build rows: nothing matches (a LEFT join still keeps every probe row).
      table = new GroupKeyTable(List.of(), context.allocator());
    }
  }

  /** Pairs up {@code batch}'s rows with their matches. */
  private void match(VectorSchemaRoot batch) {
    int rows = batch.getRowCount();
    pairs = 0;
    emitted = 0;
    int[] groups = null;
    boolean[] nullKey = null;
    if (buildGroups > 0) {
      checkKeyTypes(batch);
      groups = table.groupsOf(keys(batch, probeKeys), rows);
      nullKey = nullKeys(batch, probeKeys, rows);
    }
    for (int r = 0; r < rows; r++) {
      int first = -1;
      if (groups != null && (nullKey == null || !nullKey[r]) && groups[r] < buildGroups) {
        first = head[groups[r]];
      }
      if (first < 0) {
        if (left) {
          addPair(r, -1);
        }
        continue;
      }
      for (int e = first; e >= 0; e = next[e]) {
        addPair(r, e);
      }
    }
  }

  private void addPair(int probeRow, int entry) {
    if (pairs == pairProbe.length) {
      int size = Math.max(256, pairs * 2);
      pairProbe = Arrays.copyOf(pairProbe, size);
      pairEntry = Arrays.copyOf(pairEntry, size);
    }
    pairProbe[pairs] = probeRow;
    pairEntry[pairs++] = entry;
  }

  /** The next at most {@link #OUTPUT_ROWS} pairs as a batch; owned by the caller. */
  private VectorSchemaRoot output() {
    int count = Math.min(OUTPUT_ROWS, pairs - emitted);
    if (outSchema == null) {
      outSchema = outputSchema(current.getSchema());
    }
    VectorSchemaRoot out = Batches.allocate(outSchema, context.allocator(), count);
    try {
      List<FieldVector> probeColumns = current.getFieldVectors();
      int width = probeColumns.size();
      for (int c = 0; c < width; c++) {
        FieldVector from = probeColumns.get(c);
        FieldVector to = out.getVector(c);
        for (int i = 0; i < count; i++) {
          to.copyFromSafe(pairProbe[emitted + i], i, from);
        }
      }
      int buildWidth = outSchema.getFields().size() - width;
      for (int c = 0; c < buildWidth; c++) {
        FieldVector to = out.getVector(width + c);
        for (int i = 0; i < count; i++) {
          int e = pairEntry[emitted + i];
          if (e < 0) {
            to.setNull(i);
          } else {
            to.copyFromSafe(entryRow[e], i, held.get(entryBatch[e]).getVector(c));
          }
        }
      }
      for (FieldVector vector : out.getFieldVectors()) {
        vector.setValueCount(count);
      }
      out.setRowCount(count);
      emitted += count;
      return out;
    } catch (RuntimeException | Error e) {
      out.close();
      throw e;
    }
  }

  /**
   * The probe's fields then the build's, under the join's names; the build's are nullable for a
   * LEFT join (with no build batch at all, the planner's stand-ins).
   */
  private Schema outputSchema(Schema probeSchema) {
    if (buildSchema == null) {
      buildSchema = new Schema(buildFieldsIfEmpty);
    }
    List<Field> fields = new ArrayList<>();
    int i = 0;
    for (Field f : probeSchema.getFields()) {
      fields.add(renamed(f, names.get(i++), f.isNullable()));
    }
    for (Field f : buildSchema.getFields()) {
      fields.add(renamed(f, names.get(i++), f.isNullable() || left));
    }
    return new Schema(fields);
  }

  private static Field renamed(Field field, String name, boolean nullable) {
    FieldType type =
        new FieldType(nullable, field.getType(), field.getDictionary(), field.getMetadata());
    return new Field(name, type, field.getChildren());
  }

  private void checkKeyTypes(VectorSchemaRoot batch) {
    for (int k = 0; k < probeKeys.length; k++) {
      var probeType = batch.getSchema().getFields().get(probeKeys[k]).getType();
      var buildType = buildSchema.getFields().get(buildKeys[k]).getType();
      if (!probeType.equals(buildType)) {
        throw new UnsupportedOperationException(
            "JOIN on columns of different types (" + probeType + " and " + buildType
                + ") is not supported");
      }
    }
  }

  private static FieldVector[] keys(VectorSchemaRoot batch, int[] columns) {
    FieldVector[] keys = new FieldVector[columns.length];
    for (int k = 0; k < columns.length; k++) {
      keys[k] = batch.getVector(columns[k]);
    }
    return keys;
  }

  /** Which rows have a NULL in a key column; null when none has. */
  private static boolean[] nullKeys(VectorSchemaRoot batch, int[] columns, int rows) {
    boolean[] nulls = null;
    for (int column : columns) {
      FieldVector vector = batch.getVector(column);
      if (vector.getNullCount() == 0) {
        continue;
      }
      if (nulls == null) {
        nulls = new boolean[rows];
      }
      for (int r = 0; r < rows; r++) {
        nulls[r] |= vector.isNull(r);
      }
    }
    return nulls;
  }

  @Override
  public void close() {
    if (current != null) {
      current.close();
      current = null;
    }
    held.forEach(VectorSchemaRoot::close);
    held.clear();
    if (table != null) {
      table.close();
    }
    if (build != null) {
      build.close();
      build = null;
    }
    if (probe != null) {
      probe.close();
      probe = null;
    }
  }
}
