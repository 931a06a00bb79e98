package io.icegate.engine.metrics;

import io.icegate.engine.series.LabelMatcher;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.StaleMarker;
import io.icegate.protocol.loki.LabelSetCodec;
import io.icegate.storage.table.MetricsTable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.ArrowBufPointer;
import org.apache.arrow.memory.util.ByteFunctionHelpers;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Reads the rows of a metrics table scan of number points (the columns {@link
 * MetricsSeriesSource}'s number plan projects: the row name unless every row has the same, the
 * series labels, timestamp, the double and the integer value, flags and the family count) into
 * the samples of their Prometheus series: both the series selection and the PromQL plan node over
 * the same scan ({@link io.icegate.engine.exec.PromSelectOperator}) read them this way.
 */
public final class NumberRows {
  private static final long NANOS_PER_MILLI = 1_000_000L;

  private NumberRows() {}

  /**
   * Adds the number points of {@code batch} named {@code name} (any name when null) to their
   * series; whether the batch held a histogram or summary row. When {@code rowName} is set, every
   * row is named so and the batch has no name column.
   */
  public static boolean add(
      VectorSchemaRoot batch, String name, String rowName, List<LabelMatcher> matchers,
      Map<Labels, SeriesBuilder> series, Map<String, Labels> decoded) {
    int c = rowName == null ? 1 : 0;
    VarCharVector names = rowName == null ? (VarCharVector) batch.getVector(0) : null;
    VarCharVector labels = (VarCharVector) batch.getVector(c);
    FieldVector time = batch.getVector(c + 1);
    Float8Vector doubles = (Float8Vector) batch.getVector(c + 2);
    BigIntVector longs = (BigIntVector) batch.getVector(c + 3);
    IntVector flags = (IntVector) batch.getVector(c + 4);
    BigIntVector familyCounts = (BigIntVector) batch.getVector(c + 5);
    boolean families = false;
    SeriesBuilder current = null;
    if (rowName != null && name != null && !name.equals(rowName)) {
      // The rows of the family a _bucket/_sum/_count name belongs to are read only to learn
      // whether it has histogram or summary rows (read by their own plan); a number metric named
      // like that family is not selected.
      for (int i = 0; i < batch.getRowCount(); i++) {
        if (!familyCounts.isNull(i)) {
          return true;
        }
      }
      return false;
    }
    int rowCount = batch.getRowCount();
    if (names == null && rowCount > 0 && familyCounts.getNullCount() == rowCount
        && doubles.getNullCount() == 0 && labels.getNullCount() == 0 && noneStale(flags)) {
      // The usual batch (remote-write floats): every value a double, none stale, no family rows.
      addPlainNumbers(batch, rowName, labels, time, doubles, matchers, series, decoded);
      return false;
    }
    // Rows of one series follow each other: the name and labels are compared in place with the
    // previous row's and decoded only when they change.
    ArrowBufPointer nameAt = new ArrowBufPointer();
    ArrowBufPointer labelSet = new ArrowBufPointer();
    ArrowBufPointer previousName = new ArrowBufPointer();
    ArrowBufPointer previousLabels = new ArrowBufPointer();
    boolean started = false;
    TimeStampVector nanos = time instanceof TimeStampVector ts ? ts : null;
    BigIntVector nanosAsLongs = nanos == null ? (BigIntVector) time : null;
    int rows = batch.getRowCount();
    for (int i = 0; i < rows; i++) {
      if (!familyCounts.isNull(i)) {
        families = true;
        continue;
      }
      boolean stale =
          !flags.isNull(i) && (flags.get(i) & MetricsTable.FLAG_NO_RECORDED_VALUE) != 0;
      if (!stale && doubles.isNull(i) && longs.isNull(i)) {
        continue;
      }
      labels.getDataPointer(i, labelSet);
      boolean same = started && labelSet.equals(previousLabels);
      if (names != null) {
        names.getDataPointer(i, nameAt);
        same = same && nameAt.equals(previousName);
      }
      if (!same) {
        started = true;
        if (names != null) {
          names.getDataPointer(i, previousName);
        }
        labels.getDataPointer(i, previousLabels);
        String text = names == null ? rowName : text(names, i);
        // The rows of the family a _bucket/_sum/_count name belongs to are read too (by their
        // own plan); a number metric named like that family is not selected.
        current = name != null && !name.equals(text)
            ? null
            : builder(text + '\u0000' + text(labels, i), null, matchers, series, decoded);
      }
      if (current == null) {
        continue;
      }
      double value;
      if (stale) {
        value = StaleMarker.STALE_NAN;
      } else if (!doubles.isNull(i)) {
        value = doubles.get(i);
      } else {
        value = longs.get(i);
      }
      long t = nanos != null ? nanos.get(i) : nanosAsLongs.get(i);
      current.add(Math.floorDiv(t, NANOS_PER_MILLI), value);
    }
    return families;
  }

  /** Whether no row of the batch is flagged as a staleness marker (the flags known in bulk). */
  private static boolean noneStale(IntVector flags) {
    int rows = flags.getValueCount();
    if (flags.getNullCount() == rows) {
      return true;
    }
    if (flags.getNullCount() != 0) {
      return false;
    }
    // Read in place (a ByteBuffer view of the vector costs a reflective construction each).
    ArrowBuf data = flags.getDataBuffer();
    int any = 0;
    for (int i = 0; i < rows; i++) {
      any |= data.getInt(4L * i);
    }
    return (any & MetricsTable.FLAG_NO_RECORDED_VALUE) == 0;
  }

  /**
   * {@link #addNumbers} for a batch of rows all named {@code rowName} whose values are all
   * doubles, none flagged: each run of rows with the same label text goes to its series as one
   * pair of arrays of the run's size (times as milliseconds), read out of the vectors' memory
   * without asking any row's validity.
   */
  private static void addPlainNumbers(
      VectorSchemaRoot batch, String rowName, VarCharVector labels, FieldVector time,
      Float8Vector doubles, List<LabelMatcher> matchers, Map<Labels, SeriesBuilder> series,
      Map<String, Labels> decoded) {
    int rows = batch.getRowCount();
    // Read in place (a ByteBuffer view of a vector costs a reflective construction each).
    ArrowBuf timeData = time.getDataBuffer();
    ArrowBuf valueData = doubles.getDataBuffer();
    ArrowBuf offsets = labels.getOffsetBuffer();
    ArrowBuf text = labels.getDataBuffer();
    int start = 0;
    int from = offsets.getInt(0);
    while (start < rows) {
      int to = offsets.getInt(4L * (start + 1));
      int length = to - from;
      int end = start + 1;
      int next = to;
      while (end < rows) {
        int after = offsets.getInt(4L * (end + 1));
        if (after - next != length
            || ByteFunctionHelpers.equal(text, from, to, text, next, after) == 0) {
          break;
        }
        next = after;
        end++;
      }
      SeriesBuilder b =
          builder(rowName + '\u0000' + text(labels, start), null, matchers, series, decoded);
      if (b != null) {
        int n = end - start;
        long[] millis = new long[n];
        double[] values = new double[n];
        long previous = Long.MIN_VALUE;
        boolean inOrder = true;
        for (int k = 0; k < n; k++) {
          long t = Math.floorDiv(timeData.getLong(8L * (start + k)), NANOS_PER_MILLI);
          inOrder &= t > previous;
          previous = t;
          millis[k] = t;
          values[k] = valueData.getDouble(8L * (start + k));
        }
        b.addRun(millis, values, inOrder);
      }
      start = end;
      from = next;
    }
  }

  /** The builder of the series {@code key} names, or null when the matchers reject it. */
  static SeriesBuilder builder(
      String key, String extra, List<LabelMatcher> matchers, Map<Labels, SeriesBuilder> series,
      Map<String, Labels> decoded) {
    Labels labels =
        decoded.computeIfAbsent(
            key,
            k -> {
              String[] parts = k.split("\u0000", -1);
              SortedMap<String, String> map = new TreeMap<>(LabelSetCodec.decode(parts[1]));
              map.put(Labels.METRIC_NAME, parts[0]);
              if (extra != null) {
                if (extra.startsWith("q")) {
                  map.put("quantile", extra.substring(1));
                } else {
                  map.put("le", extra);
                }
              }
              Labels l = Labels.of(map);
              for (LabelMatcher m : matchers) {
                if (!m.matches(l)) {
                  return REJECTED;
                }
              }
              return l;
            });
    if (labels == REJECTED) {
      return null;
    }
    return series.computeIfAbsent(labels, l -> new SeriesBuilder());
  }

  private static final Labels REJECTED = Labels.of("__rejected__", "");

  static String text(VarCharVector v, int i) {
    return v.isNull(i) ? "" : new String(v.get(i), StandardCharsets.UTF_8);
  }
}
