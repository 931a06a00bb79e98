package io.icegate.storage.scan;

import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A row predicate a scan evaluates while it reads, so that the columns the predicate does not
 * read are decoded only for the rows it keeps (late materialization). A log query typically
 * reads a dozen columns, three of them attribute maps, and keeps a few percent of the rows its
 * line filter sees: decoding the maps for the rest is most of the scan's work.
 */
public interface RowFilter {
  /** The projected columns the predicate reads; read first, for every row. */
  List<String> columns();

  /**
   * Sets {@code selected[i]} for each row {@code i < batch.getRowCount()} of {@code batch} — a
   * batch of exactly {@link #columns()}, in that order — to whether the row is kept, and returns
   * how many are. The batch stays owned by the caller.
   */
  int select(VectorSchemaRoot batch, boolean[] selected);

  /**
   * How many of the first {@link #columns()} a cheap first part of the predicate reads; 0 when it
   * has none. A reader decodes those first, and a batch in which {@link #anyFirst} keeps no row is
   * skipped without decoding any other column: for a log query the stream matchers rule out a
   * batch before its lines, the widest column, are inflated.
   */
  default int firstColumns() {
    return 0;
  }

  /**
   * Whether the predicate's first part may keep any row of {@code batch} — the first {@link
   * #firstColumns()} columns only; false makes the reader skip the batch. {@link #select} still
   * runs the whole predicate on the batches it lets through.
   */
  default boolean anyFirst(VectorSchemaRoot batch) {
    return true;
  }

  /**
   * Bytes that every kept row's value of {@code column} contains — a line filter's needle under
   * the predicate's top-level AND — or null. A reader may then give {@link #select} an empty
   * value for a row whose value lacks them, since the predicate drops that row either way: it
   * searches each page of plain values once and copies only the values holding a match.
   */
  default byte[] requiredBytes(String column) {
    return null;
  }

  /**
   * Every byte string that every kept row's value of {@code column} contains — one per line
   * filter under the predicate's top-level AND, so {@code |= "a" |= "b"} gives both — of which
   * {@link #requiredBytes} is one. A reader may skip a row group whose index shows any of them
   * absent. By default just {@link #requiredBytes}.
   */
  default java.util.List<byte[]> allRequiredBytes(String column) {
    byte[] one = requiredBytes(column);
    return one == null ? java.util.List.of() : java.util.List.of(one);
  }

  /**
   * Columns read after the filter (not among {@link #columns()}) whose values the consumer does
   * not need for this batch's kept rows — {@code count} of them, marked in {@code selected} —
   * judged from the filter's columns ({@code filtered}, every row of the batch). A reader may
   * step over those columns unread and give them as nulls. None by default.
   */
  default java.util.Set<String> unneededLate(
      VectorSchemaRoot filtered, boolean[] selected, int count) {
    return java.util.Set.of();
  }

  /**
   * A test that every kept row's value of {@code column} (one of {@link #columns()}) passes, or
   * null: a reader may read a value that fails it as the test's replacement (which fails it too,
   * and which the filter drops as it would have dropped the value), and so test a dictionary's
   * entries once each and copy nothing of a rejected one. Null by default.
   */
  default EntryTest entryTest(String column) {
    return null;
  }

  /** A test of a column's values, and the value a reader may give in place of one failing it. */
  record EntryTest(java.util.function.Predicate<String> test, String replacement) {
    public EntryTest {
      if (test.test(replacement)) {
        throw new IllegalArgumentException("the replacement passes the test: " + replacement);
      }
    }
  }

  /**
   * For a {@code map<string,string>} column read after the filter (not among {@link #columns()}):
   * the only keys whose entries the consumer reads, or null for all. A reader may leave the other
   * entries out of the maps it returns, unread past their keys. Null by default.
   */
  default java.util.function.Predicate<String> mapKeys(String column) {
    return null;
  }

  /**
   * A bound on one of {@link #columns()} that {@link #select} also applies and that may tighten
   * while the scan runs (a top-N's cut-off), or {@code null}. A reader skips a row group unread
   * when the column's statistics show no value within it.
   */
  default ColumnBound bound() {
    return null;
  }

  /** A range of a long (or timestamp) column's values outside which no row is kept. */
  interface ColumnBound {
    /** The column bounded; one of the filter's columns. */
    String column();

    /** Whether a row whose value lies in {@code [min, max]} may be kept, as of now. */
    boolean mayKeep(long min, long max);
  }
}
