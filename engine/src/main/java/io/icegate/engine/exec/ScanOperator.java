package io.icegate.engine.exec;

import io.icegate.engine.rel.ScanBounds;
import io.icegate.storage.scan.ScanPlan;
import io.icegate.storage.scan.ScanRequest;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.io.CloseableIterator;

/** Streams a table's batches from storage, in the column order the plan expects. */
public final class ScanOperator implements Operator {
  private final ExecContext context;
  private final List<String> columns;
  private final CloseableIterator<VectorSchemaRoot> batches;

  public ScanOperator(ExecContext context, String table, ScanBounds bounds, List<String> columns) {
    this.context = context;
    this.columns = List.copyOf(columns);
    ScanRequest request = request(table, bounds, columns);
    if (context.assignedSplits() != null) {
      // One split of a parallel scan: the gather above planned the files and counted them.
      this.batches =
          context.scanner().open(request, context.assignedSplits(), context.allocator());
      return;
    }
    ScanPlan plan = context.scanner().plan(request);
    context.stats().addFiles(plan.files().size(), plan.filesPruned());
    this.batches = context.scanner().open(request, plan, context.allocator());
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
          bytes += v.getBufferSize();
        }
        context.stats().addBatch(batch.getRowCount(), bytes);
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
}
