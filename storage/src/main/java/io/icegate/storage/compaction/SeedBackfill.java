package io.icegate.storage.compaction;

import io.icegate.protocol.loki.LabelSetCodec;
import io.icegate.protocol.loki.LokiOtlpLabels;
import io.icegate.storage.catalog.SeedTables;
import io.icegate.storage.ingest.SeedRows;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.table.MetricsTable;
import io.icegate.storage.table.SpansTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.SortOrderComparators;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.Parquet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites, once, the data files the seed's Rust IceGate wrote into files with the columns our
 * ingest derives filled in, so that LogQL and PromQL selectors match the seed's rows exactly as
 * they match ours: {@code logs.stream_labels} (and {@code service_name}, which ours holds as the
 * stream's {@code service_name} label), {@code metrics.metric_name} as the Prometheus name (the
 * seed's OTLP name moves to {@code otel_metric_name}), {@code series_labels} and {@code
 * series_id}, and {@code spans.duration_nanos}. The values come from {@link SeedRows}, which calls
 * the functions our builders call.
 *
 * <p>Runs while adoption's mark {@value SeedTables#BACKFILL_PENDING} is on the table, from the
 * compactor and under its lease, so one replica does it. Which files: those whose manifest
 * statistics say the table's derived column (the <em>marker</em>) is absent or has nulls — the
 * seed's files lack it, every file we write has it filled — so the set needs no bookkeeping and
 * shrinks with every commit. Each file is read through Iceberg's row reader (which reads the
 * seed's microsecond timestamps as times; the new file stores them as nanoseconds) and written
 * anew, one row out per row in, only null derived values filled; a row that has them keeps
 * every value. Files up to {@value #SORT_IN_MEMORY_BYTES} bytes are sorted by the table's order
 * on the way (the compactor holds as much in memory); larger ones keep the seed's row order. A batch of rewrites lands as one Iceberg {@code RewriteFiles} commit, which
 * swaps the old files for the new ones atomically and fails if any old file is already gone.
 *
 * <p>Safe to kill anywhere: before a commit, the new files are unreferenced (orphans) and the old
 * ones still serve, so the next run rewrites them again; after it, the old files are no longer
 * candidates. Two runs racing (a lease that ran out) cannot both replace a file: the second
 * commit finds its files missing and changes nothing. The mark is removed when a run has found
 * and handled every candidate; a crash before that only makes the next run find none.
 */
public final class SeedBackfill {
  private static final Logger LOG = LoggerFactory.getLogger(SeedBackfill.class);

  /** Files up to this size are sorted in memory (the compactor's default input bound). */
  static final long SORT_IN_MEMORY_BYTES = 64L << 20;

  /** What a run did; {@code done} once the mark is gone. */
  public record Result(int commits, int files, long rows, boolean done) {
    public static final Result NOTHING = new Result(0, 0, 0, false);
  }

  /**
   * One seed file read and written anew, not yet committed: {@code replacement} is null when no
   * row of it needed a value (nothing to swap).
   */
  public record Rewrite(DataFile seed, DataFile replacement, long rows) {}

  /** Fills a row's derived columns where they are null; true if it changed the row. */
  private interface Filler {
    boolean fill(Record row);
  }

  private final String name;
  private final Table table;
  private final String marker;
  private final Filler filler;

  /** For the lake's table {@code name} ({@code logs}, {@code metrics}, {@code spans}, ...). */
  public SeedBackfill(String name, Table table) {
    this.name = name;
    this.table = table;
    switch (name) {
      case LogsTable.NAME -> {
        marker = LogsTable.STREAM_LABELS;
        filler = SeedBackfill::fillLogs;
      }
      case MetricsTable.NAME -> {
        marker = MetricsTable.SERIES_LABELS;
        filler = SeedBackfill::fillMetrics;
      }
      case SpansTable.NAME -> {
        marker = SpansTable.DURATION_NANOS;
        filler = SeedBackfill::fillSpans;
      }
      default -> {
        // Nothing of ours is derived there (events: the seed never wrote that table).
        marker = null;
        filler = null;
      }
    }
  }

  /** True while {@code table} was adopted with data and its files are not rewritten yet. */
  public static boolean pending(Table table) {
    Map<String, String> properties = table.properties();
    // Bounds are rescaled first (adoption's second step): rewriting before would copy old ones.
    return properties.containsKey(SeedTables.BACKFILL_PENDING)
        && !properties.containsKey(SeedTables.PENDING);
  }

  /**
   * Rewrites candidate files while {@code held} lasts: batches of at least one file and up to
   * {@code bytesPerCommit} of input, at most {@code maxCommits} of them (the rest is left for
   * the next run, so WAL compaction is not held up for long). Removes the mark when nothing is
   * left.
   */
  public Result run(CompactionLease.Held held, long bytesPerCommit, int maxCommits)
      throws IOException {
    if (!pending(table)) {
      return Result.NOTHING;
    }
    if (filler == null) {
      finish();
      return new Result(0, 0, 0, true);
    }
    List<DataFile> candidates = candidates();
    int commits = 0;
    int files = 0;
    long rows = 0;
    int next = 0;
    while (next < candidates.size()) {
      if (commits == maxCommits || !held.stillHeld()) {
        return new Result(commits, files, rows, false);
      }
      List<Rewrite> batch = new ArrayList<>();
      long bytes = 0;
      try {
        while (next < candidates.size() && (batch.isEmpty() || bytes < bytesPerCommit)) {
          DataFile seed = candidates.get(next++);
          bytes += seed.fileSizeInBytes();
          batch.add(rewrite(seed));
        }
      } catch (IOException | RuntimeException e) {
        discard(batch);
        throw e;
      }
      if (!held.stillHeld()) {
        // Another replica may take over now; its run will redo these files.
        discard(batch);
        LOG.warn("seed backfill table={} paused: the lease ran out before a commit", name);
        return new Result(commits, files, rows, false);
      }
      if (!commit(batch)) {
        return new Result(commits, files, rows, false);
      }
      // A batch of files that needed nothing (statistics that were merely missing) committed
      // nothing and does not count against the run's budget.
      boolean changed = false;
      for (Rewrite r : batch) {
        if (r.replacement() != null) {
          changed = true;
          files++;
          rows += r.rows();
        }
      }
      if (changed) {
        commits++;
      }
    }
    finish();
    LOG.info("seed backfill table={} done: commits={} files={} rows={}", name, commits, files, rows);
    return new Result(commits, files, rows, true);
  }

  /**
   * The live data files whose statistics do not show the marker column filled in every row;
   * each one's manifest entry as planned now.
   */
  public List<DataFile> candidates() throws IOException {
    if (marker == null) {
      return List.of();
    }
    int id = table.schema().findField(marker).fieldId();
    Map<String, DataFile> files = new LinkedHashMap<>();
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().includeColumnStats().planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        Map<Integer, Long> nulls = file.nullValueCounts();
        Long missing = nulls == null ? null : nulls.get(id);
        if (missing == null || missing > 0) {
          files.putIfAbsent(file.location(), file.copy());
        }
      }
    }
    return new ArrayList<>(files.values());
  }

  /**
   * Reads {@code seed} and writes its rows, derived values filled, to a new file in the same
   * partition; nothing is visible until {@link #commit}. Fails (deleting what it wrote) if it
   * read another number of rows than the manifest lists.
   */
  public Rewrite rewrite(DataFile seed) throws IOException {
    Schema schema = table.schema();
    PartitionSpec spec = table.specs().get(seed.specId());
    SortOrder order = table.sortOrder();
    // Small files are sorted by our order (the derived columns lead it, so their statistics
    // prune); a large one is streamed in the seed's order rather than held in memory.
    boolean sort = !order.isUnsorted() && seed.fileSizeInBytes() <= SORT_IN_MEMORY_BYTES;
    String fileName = FileFormat.PARQUET.addExtension("seed-backfill-" + UUID.randomUUID());
    OutputFile out =
        table.io().newOutputFile(
            table.locationProvider().newDataLocation(spec, seed.partition(), fileName));
    long rows = 0;
    long filled = 0;
    Parquet.DataWriteBuilder builder =
        Parquet.writeData(out)
            .schema(schema)
            .withSpec(spec)
            .withPartition(seed.partition())
            .setAll(table.properties())
            .createWriterFunc(GenericParquetWriter::create)
            .overwrite();
    DataWriter<Record> writer = sort ? builder.withSortOrder(order).build() : builder.build();
    boolean written = false;
    try {
      try (writer;
          CloseableIterable<Record> records =
              Parquet.read(table.io().newInputFile(seed.location(), seed.fileSizeInBytes()))
                  .project(schema)
                  .createReaderFunc(
                      fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema))
                  .build()) {
        List<Record> held = new ArrayList<>();
        for (Record record : records) {
          if (filler.fill(record)) {
            filled++;
          }
          if (sort) {
            held.add(record.copy());
          } else {
            writer.write(record);
          }
          rows++;
        }
        if (sort) {
          Comparator<StructLike> byOrder = SortOrderComparators.forSchema(schema, order);
          InternalRowView left = new InternalRowView();
          InternalRowView right = new InternalRowView();
          held.sort((a, b) -> byOrder.compare(left.wrap(a), right.wrap(b)));
          held.forEach(writer::write);
        }
      }
      if (rows != seed.recordCount()) {
        throw new IllegalStateException(
            "seed backfill of " + seed.location() + " read " + rows + " rows, its manifest lists "
                + seed.recordCount());
      }
      written = true;
    } finally {
      if (!written || filled == 0) {
        deleteQuietly(out.location());
      }
    }
    return new Rewrite(seed, filled == 0 ? null : writer.toDataFile(), rows);
  }

  /**
   * Swaps the rewritten files for their originals in one commit; false (and the new files
   * deleted) if the table moved under it in a way that conflicts — another run replaced some of
   * the same files first.
   */
  public boolean commit(List<Rewrite> rewrites) {
    RewriteFiles swap = table.newRewrite();
    boolean any = false;
    for (Rewrite r : rewrites) {
      if (r.replacement() != null) {
        swap.deleteFile(r.seed());
        swap.addFile(r.replacement());
        any = true;
      }
    }
    if (!any) {
      return true;
    }
    try {
      swap.commit();
      return true;
    } catch (ValidationException | CommitFailedException e) {
      LOG.warn("seed backfill table={} not committed: {}", name, e.getMessage());
      discard(rewrites);
      return false;
    }
  }

  /** Removes the mark: every seed file is rewritten. */
  private void finish() {
    table.updateProperties().remove(SeedTables.BACKFILL_PENDING).commit();
  }

  private void discard(List<Rewrite> rewrites) {
    for (Rewrite r : rewrites) {
      if (r.replacement() != null) {
        deleteQuietly(r.replacement().location());
      }
    }
  }

  private void deleteQuietly(String location) {
    try {
      table.io().deleteFile(location);
    } catch (UncheckedIOException e) {
      // An unreferenced file: orphan clean-up removes it.
      LOG.debug("could not delete {}", location, e);
    }
  }

  private static boolean fillLogs(Record row) {
    if (row.getField(LogsTable.STREAM_LABELS) != null) {
      return false;
    }
    SortedMap<String, String> labels =
        SeedRows.streamLabels(
            (String) row.getField(LogsTable.SERVICE_NAME),
            strings(row.getField(LogsTable.RESOURCE_ATTRIBUTES)));
    row.setField(LogsTable.STREAM_LABELS, LabelSetCodec.encode(labels));
    // Ours holds the stream's service_name label there (unknown_service without one).
    row.setField(LogsTable.SERVICE_NAME, labels.get(LokiOtlpLabels.SERVICE_NAME_LABEL));
    return true;
  }

  private static boolean fillMetrics(Record row) {
    if (row.getField(MetricsTable.SERIES_LABELS) != null) {
      return false;
    }
    String otlpName = (String) row.getField(MetricsTable.METRIC_NAME);
    SeedRows.Series series =
        SeedRows.series(
            otlpName,
            (String) row.getField(MetricsTable.UNIT),
            (String) row.getField(MetricsTable.METRIC_TYPE),
            (Boolean) row.getField(MetricsTable.IS_MONOTONIC),
            strings(row.getField(MetricsTable.DATA_POINT_ATTRIBUTES)),
            (String) row.getField(MetricsTable.SERVICE_NAME),
            (String) row.getField(MetricsTable.SERVICE_INSTANCE_ID),
            strings(row.getField(MetricsTable.RESOURCE_ATTRIBUTES)));
    if (row.getField(MetricsTable.OTEL_METRIC_NAME) == null) {
      row.setField(MetricsTable.OTEL_METRIC_NAME, otlpName);
    }
    row.setField(MetricsTable.METRIC_NAME, series.metricName());
    row.setField(MetricsTable.SERIES_LABELS, series.labels());
    row.setField(MetricsTable.SERIES_ID, series.id());
    return true;
  }

  private static boolean fillSpans(Record row) {
    if (row.getField(SpansTable.DURATION_NANOS) != null) {
      return false;
    }
    Object start = row.getField(SpansTable.TIMESTAMP);
    Object end = row.getField(SpansTable.END_TIMESTAMP);
    if (!(start instanceof LocalDateTime s) || !(end instanceof LocalDateTime e)) {
      return false;
    }
    row.setField(SpansTable.DURATION_NANOS, nanos(e) - nanos(s));
    return true;
  }

  private static long nanos(LocalDateTime t) {
    return Math.addExact(
        Math.multiplyExact(t.toEpochSecond(ZoneOffset.UTC), 1_000_000_000L), t.getNano());
  }

  /** An attribute map as read (its own map type), as strings sorted by key; empty for null. */
  private static Map<String, String> strings(Object map) {
    Map<String, String> out = new TreeMap<>();
    if (map instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
    }
    return out;
  }
}
