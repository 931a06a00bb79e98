package io.icegate.engine.exec;

import io.icegate.engine.expr.VectorPredicate;
import io.icegate.engine.rel.ScanBounds;
import io.icegate.storage.scan.RowFilter;
import io.icegate.storage.scan.ScanPlan;
import io.icegate.storage.scan.ScanRequest;
import io.icegate.storage.scan.ScanSplit;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.io.CloseableIterator;

/** Streams a table's batches from storage, in the column order the plan expects. */
public final class ScanOperator implements Operator {
  private final ExecContext context;
  private final List<String> columns;
  private final CloseableIterator<VectorSchemaRoot> batches;
  /** The columns whose bytes the row filter counted; empty without one. */
  private final java.util.Set<String> counted;

  public ScanOperator(ExecContext context, String table, ScanBounds bounds, List<String> columns) {
    this(context, table, bounds, columns, boundOnly(context, columns));
  }

  /**
   * A scan that returns only the rows {@code predicate} (over the columns {@code filterColumns},
   * in that order) keeps, decoding the other columns for those rows only where the reader can.
   */
  public ScanOperator(
      ExecContext context, String table, ScanBounds bounds, List<String> columns,
      List<String> filterColumns, VectorPredicate predicate) {
    this(context, table, bounds, columns, filterColumns, predicate, 0, null, Map.of());
  }

  /**
   * As above, with a cheap first part of the predicate, {@code first}, over the first {@code
   * firstColumns} of {@code filterColumns}: the reader skips a batch it rules out whole before
   * decoding the predicate's other columns ({@link RowFilter#firstColumns}); {@code required}
   * holds, by filter column, the byte strings every kept row's value contains, longest first
   * ({@link RowFilter#allRequiredBytes}).
   */
  public ScanOperator(
      ExecContext context, String table, ScanBounds bounds, List<String> columns,
      List<String> filterColumns, VectorPredicate predicate, int firstColumns,
      VectorPredicate first, Map<String, List<byte[]>> required) {
    this(context, table, bounds, columns, filterColumns, predicate, firstColumns, first, required,
        Map.of(), null);
  }

  /**
   * As above; {@code late}, if not null, names columns the consumer needs only for rows whose
   * stream lacks some labels ({@link ExecContext.OptionalLate}; its stream column is one of
   * {@code filterColumns}): the reader steps over them, as nulls, in batches whose kept rows'
   * streams all hold those labels. {@code entryTests} holds, by filter column, a test every
   * kept row's value passes ({@link RowFilter#entryTest}).
   */
  public ScanOperator(
      ExecContext context, String table, ScanBounds bounds, List<String> columns,
      List<String> filterColumns, VectorPredicate predicate, int firstColumns,
      VectorPredicate first, Map<String, List<byte[]>> required,
      Map<String, RowFilter.EntryTest> entryTests,
      ExecContext.OptionalLate late) {
    this(context, table, bounds, columns,
        rowFilter(context, filterColumns, predicate, firstColumns, first, required, entryTests,
            late));
  }

  /**
   * The top-N cut-off of this fragment ({@link ExecContext#topNBound}) when it bounds a column in
   * {@code columns}, else null.
   */
  private static TopNBound applicableBound(ExecContext context, List<String> columns) {
    TopNBound bound = context.topNBound();
    return bound != null && columns.contains(bound.column()) ? bound : null;
  }

  /** Without a filter of its own, a scan under a top-N still drops what its cut-off rules out. */
  private static RowFilter boundOnly(ExecContext context, List<String> columns) {
    TopNBound bound = applicableBound(context, columns);
    if (bound == null) {
      return null;
    }
    return rowFilter(context, List.of(bound.column()), (batch, selected) -> {
      int rows = batch.getRowCount();
      for (int i = 0; i < rows; i++) {
        selected[i] = true;
      }
    }, 0, null, Map.of(), Map.of(), null);
  }

  private ScanOperator(
      ExecContext context, String table, ScanBounds bounds, List<String> columns,
      RowFilter rowFilter) {
    this.context = context;
    this.columns = List.copyOf(columns);
    this.counted = rowFilter == null ? java.util.Set.of() : java.util.Set.copyOf(rowFilter.columns());
    ScanRequest request = request(table, bounds, columns);
    List<ScanSplit> splits = context.assignedSplits();
    if (splits == null) {
      ScanPlan plan = context.scanner().plan(request);
      context.stats().addFiles(plan.files().size(), plan.filesPruned());
      splits = plan.files().stream().map(ScanSplit::whole).toList();
    } // else one split of a parallel scan: the gather above planned the files and counted them
    this.batches = context.scanner().open(request, splits, context.allocator(), rowFilter);
  }

  /**
   * The predicate as the storage reader asks it, batch by batch: it also counts the rows seen
   * (before filtering) and the filter columns' bytes into the query's stats, and checks for
   * cancellation, since a filter that rejects everything keeps the reader in one call.
   */
  private static RowFilter rowFilter(
      ExecContext context, List<String> filterColumns, VectorPredicate predicate,
      int firstColumns, VectorPredicate first, Map<String, List<byte[]>> required,
      Map<String, RowFilter.EntryTest> entryTests,
      ExecContext.OptionalLate late) {
    List<String> names = List.copyOf(filterColumns);
    StreamsHolding holding = late == null ? null : new StreamsHolding(late);
    TopNBound bound = applicableBound(context, names);
    int boundIndex = bound == null ? -1 : names.indexOf(bound.column());
    return new RowFilter() {
      @Override
      public List<String> columns() {
        return names;
      }

      private boolean[] candidates = new boolean[0];

      @Override
      public byte[] requiredBytes(String column) {
        List<byte[]> needles = required.get(column);
        return needles == null || needles.isEmpty() ? null : needles.get(0);
      }

      @Override
      public List<byte[]> allRequiredBytes(String column) {
        return required.getOrDefault(column, List.of());
      }

      @Override
      public EntryTest entryTest(String column) {
        return entryTests.get(column);
      }

      @Override
      public java.util.Set<String> unneededLate(
          VectorSchemaRoot batch, boolean[] selected, int count) {
        return holding == null ? java.util.Set.of() : holding.unneeded(batch, selected);
      }

      @Override
      public java.util.function.Predicate<String> mapKeys(String column) {
        return context.mapKeys();
      }

      @Override
      public int firstColumns() {
        return first == null ? 0 : firstColumns;
      }

      @Override
      public boolean anyFirst(VectorSchemaRoot batch) {
        context.checkContinue();
        int rows = batch.getRowCount();
        if (candidates.length < rows) {
          candidates = new boolean[rows];
        }
        first.evaluate(batch, candidates);
        for (int i = 0; i < rows; i++) {
          if (candidates[i]) {
            return true;
          }
        }
        // Seen and ruled out here: select never sees this batch, so it is counted now.
        long bytes = 0;
        for (FieldVector v : batch.getFieldVectors()) {
          bytes += v.getBufferSize();
        }
        context.stats().addBatch(rows, bytes);
        return false;
      }

      @Override
      public ColumnBound bound() {
        return bound;
      }

      @Override
      public int select(VectorSchemaRoot batch, boolean[] selected) {
        context.checkContinue();
        int rows = batch.getRowCount();
        long bytes = 0;
        for (FieldVector v : batch.getFieldVectors()) {
          bytes += v.getBufferSize();
        }
        context.stats().addBatch(rows, bytes);
        if (boundIndex >= 0 && bound.cutoff() != bound.unbounded()) {
          // The cut-off first: the filter's own terms then run only on the rows it leaves.
          if (candidates.length < rows) {
            candidates = new boolean[rows];
          }
          if (withinCutoff(bound, batch.getVector(boundIndex), rows, candidates) == 0) {
            return 0;
          }
          predicate.evaluate(batch, selected, candidates);
        } else {
          predicate.evaluate(batch, selected);
        }
        int count = 0;
        for (int i = 0; i < rows; i++) {
          if (selected[i]) {
            count++;
          }
        }
        return count;
      }
    };
  }

  /**
   * Sets {@code within[i]} to whether row {@code i}'s value may still be in the top-N's answer
   * (a null, or a column not of 8-byte values, always may) and returns how many may.
   */
  private static int withinCutoff(
      TopNBound bound, FieldVector values, int rows, boolean[] within) {
    int count =
        TopNBound.markReaching(values, rows, bound.cutoff(), bound.descending(), within);
    if (count < 0) {
      java.util.Arrays.fill(within, 0, rows, true);
      return rows;
    }
    return count;
  }

  /** What a scan with these bounds and columns asks of storage. */
  public static ScanRequest request(String table, ScanBounds bounds, List<String> columns) {
    return new ScanRequest(
        table, bounds.tenant(), bounds.startNanos(), bounds.endNanos(), bounds.equalities(),
        columns);
  }

  @Override
  public VectorSchemaRoot next() {
    while (true) {
      context.checkContinue();
      if (!batches.hasNext()) {
        return null;
      }
      try (VectorSchemaRoot batch = batches.next()) {
        if (batch.getRowCount() == 0) {
          continue;
        }
        long bytes = 0;
        for (FieldVector v : batch.getFieldVectors()) {
          if (!counted.contains(v.getName())) {
            bytes += v.getBufferSize();
          }
        }
        // With a row filter, it counted the rows it saw; these are only the ones it kept.
        context.stats().addBatch(counted.isEmpty() ? batch.getRowCount() : 0, bytes);
        return reorder(batch);
      }
    }
  }

  /** Storage returns columns in table order; hand them over in plan order. */
  private VectorSchemaRoot reorder(VectorSchemaRoot batch) {
    List<FieldVector> out = new java.util.ArrayList<>(columns.size());
    for (String column : columns) {
      FieldVector source = batch.getVector(column);
      var target = source.getField().createVector(context.allocator());
      source.makeTransferPair(target).transfer();
      out.add((FieldVector) target);
    }
    VectorSchemaRoot result = new VectorSchemaRoot(out);
    result.setRowCount(batch.getRowCount());
    return result;
  }

  @Override
  public void close() {
    try {
      batches.close();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Decides {@link RowFilter#unneededLate} for an {@link ExecContext.OptionalLate}: the optional
   * columns are unneeded when every kept row's stream holds all the labels. Runs of equal stream
   * label texts (files are sorted by stream) are judged once.
   */
  private static final class StreamsHolding {
    private final ExecContext.OptionalLate late;
    private final java.util.Set<String> columns;
    private final StreamLabelRuns runs = new StreamLabelRuns();
    private boolean holds;

    StreamsHolding(ExecContext.OptionalLate late) {
      this.late = late;
      this.columns = java.util.Set.copyOf(late.columns());
    }

    java.util.Set<String> unneeded(VectorSchemaRoot batch, boolean[] selected) {
      if (!(batch.getVector(late.streamColumn()) instanceof VarCharVector streams)) {
        return java.util.Set.of();
      }
      int rows = batch.getRowCount();
      for (int r = 0; r < rows; r++) {
        if (!selected[r]) {
          continue;
        }
        if (streams.isNull(r) || !holds(streams, r)) {
          return java.util.Set.of();
        }
      }
      return columns;
    }

    private boolean holds(VarCharVector streams, int r) {
      try {
        if (runs.move(streams, r)) {
          holds = runs.labels().keySet().containsAll(late.labels());
        }
      } catch (RuntimeException e) {
        return false; // unreadable: let the consumer see everything
      }
      return holds;
    }
  }
}
