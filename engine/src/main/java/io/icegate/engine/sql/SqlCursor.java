package io.icegate.engine.sql;

import io.icegate.engine.exec.PlanCursor;
import io.icegate.engine.exec.QueryCancelledException;
import io.icegate.engine.exec.QueryStats;
import io.icegate.engine.expr.SqlExpressions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The rows of a SQL answer, computed as its consumer fetches them: each {@link #fetch} pulls
 * batches from the running plan until it has the rows asked for (and one more, so it knows
 * whether the answer goes on), turns them into plain Java values as {@link SqlResult} holds
 * them, and closes the batches. Between fetches the query holds only what its operators hold
 * and at most one batch's rows here, whatever the answer's size.
 *
 * <p>An answer with more than the engine's row limit fails with {@link
 * SqlQueryException.Kind#TOO_MANY_ROWS} at the fetch that passes it; the rows fetched before
 * were right. {@link #close} may be called from any thread, also while a fetch runs (that fetch
 * then fails with {@link io.icegate.engine.exec.QueryCancelledException}).
 */
public final class SqlCursor implements AutoCloseable {
  private final List<SqlColumn> columns;
  /** The running plan, or null for an answer known when the cursor was made (EXPLAIN). */
  private final PlanCursor plan;
  private final QueryStats knownStats;
  private final long maxRows;
  private final ArrayDeque<Object[]> pending = new ArrayDeque<>();
  private long produced;
  private boolean end;
  private volatile boolean closed;

  /** A cursor over {@code plan}'s batches, whose answer may have at most {@code maxRows} rows. */
  SqlCursor(List<SqlColumn> columns, PlanCursor plan, long maxRows) {
    this.columns = List.copyOf(columns);
    this.plan = plan;
    this.knownStats = null;
    this.maxRows = maxRows;
  }

  /** A cursor over rows already computed. */
  SqlCursor(List<SqlColumn> columns, List<Object[]> rows, QueryStats stats) {
    this.columns = List.copyOf(columns);
    this.plan = null;
    this.knownStats = stats;
    this.maxRows = Long.MAX_VALUE;
    this.pending.addAll(rows);
    this.end = true;
  }

  public List<SqlColumn> columns() {
    return columns;
  }

  /**
   * The next rows of the answer, at most {@code max} (fewer only at its end); each row's values
   * in column order.
   *
   * @throws SqlQueryException when the answer passes the row limit or a value can't be computed
   * @throws io.icegate.engine.exec.QueryCancelledException when closed, cancelled or timed out
   * @throws org.apache.arrow.memory.OutOfMemoryException over the query's memory limit
   */
  public synchronized List<Object[]> fetch(int max) {
    if (closed) {
      pending.clear();
      throw new QueryCancelledException("query cancelled", false);
    }
    while (!end && pending.size() <= max) {
      try {
        end = !plan.advance(this::take);
      } catch (RuntimeException e) {
        end = true;
        pending.clear();
        throw SqlQueryEngine.translate(e);
      }
    }
    List<Object[]> rows = new ArrayList<>(Math.min(max, pending.size()));
    while (rows.size() < max && !pending.isEmpty()) {
      rows.add(pending.poll());
    }
    return rows;
  }

  /** Whether every row has been fetched (or the answer failed). */
  public synchronized boolean done() {
    return end && pending.isEmpty();
  }

  /** What the query scanned so far; all of it once {@link #done}. */
  public QueryStats stats() {
    return plan == null ? knownStats : plan.stats();
  }

  private void take(VectorSchemaRoot batch) {
    int count = batch.getRowCount();
    if (produced + count > maxRows) {
      throw new SqlQueryException(
          SqlQueryException.Kind.TOO_MANY_ROWS,
          "the answer has more than " + maxRows + " rows; add a LIMIT");
    }
    produced += count;
    int width = columns.size();
    List<FieldVector> vectors = batch.getFieldVectors();
    for (int r = 0; r < count; r++) {
      Object[] row = new Object[width];
      for (int c = 0; c < width; c++) {
        row[c] = SqlExpressions.javaValue(vectors.get(c), r);
      }
      pending.add(row);
    }
  }

  /** Stops the query (if it still runs) and releases its memory; from any thread. */
  @Override
  public void close() {
    closed = true;
    if (plan != null) {
      plan.close();
    }
  }
}
