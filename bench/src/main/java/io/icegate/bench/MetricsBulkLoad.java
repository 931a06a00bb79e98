package io.icegate.bench;

import io.icegate.protocol.prometheus.RemoteWriteRequest;
import io.icegate.protocol.prometheus.RemoteWriteRequest.Label;
import io.icegate.protocol.prometheus.RemoteWriteRequest.Sample;
import io.icegate.protocol.prometheus.RemoteWriteRequest.TimeSeries;
import io.icegate.storage.ingest.BatchResult;
import io.icegate.storage.ingest.MetricsBatchBuilder;
import io.icegate.storage.parquet.ArrowParquetWriter;
import io.icegate.storage.table.LakeTable;
import io.icegate.storage.table.MetricsTable;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/**
 * Loads float series into the {@code metrics} table as a fully compacted table holds them,
 * without the remote-write endpoint, the WAL or the compactor: the rows are built by the same
 * code remote-write ingestion uses ({@link MetricsBatchBuilder}), but series by series in the
 * table's sort order (metric name, series id, time), and written straight into Parquet data files
 * of one day partition each, which one append commits. The size (10k series × 1 day)
 * loads in minutes instead of the half hour the HTTP path and compaction take; the queries then
 * read the layout maintenance would have left (files of whole series, sorted).
 */
final class MetricsBulkLoad {
  /** Rows per built batch: one remote-write request's worth. */
  private static final int BATCH_ROWS = 200_000;

  /** Rows per data file: about what one compaction of the HTTP path writes. */
  private static final long FILE_ROWS = 3_000_000;

  private MetricsBulkLoad() {}

  /** One float series: its labels (sorted by name, {@code __name__} included) and samples. */
  interface SeriesSupplier {
    int count();

    /** The labels of series {@code i}, alternating names and values, sorted by name. */
    String[] labels(int i);

    /** The times (milliseconds) of every series' samples. */
    long[] times();

    /** The values of series {@code i}, parallel to {@link #times()}. */
    double[] values(int i);
  }

  /**
   * Writes every sample of {@code series} for {@code tenant} into {@code table} and commits them
   * in one append; returns the number of rows written.
   */
  static long load(LakeTable table, String tenant, SeriesSupplier series) throws Exception {
    Table iceberg = table.table();
    long now = System.currentTimeMillis() * 1_000_000L;
    Integer[] order = sortedOrder(series, tenant, now);
    long[] times = series.times();
    // One partition per UTC day the samples fall in; each a range of the times.
    List<int[]> days = new ArrayList<>();
    int start = 0;
    for (int k = 1; k <= times.length; k++) {
      if (k == times.length || day(times[k]) != day(times[start])) {
        days.add(new int[] {start, k});
        start = k;
      }
    }
    // Files are independent: two threads write them (one per core; promtool runs meanwhile).
    List<int[]> jobs = new ArrayList<>();
    for (int[] d : days) {
      int perSeries = d[1] - d[0];
      int seriesPerFile = (int) Math.max(1, FILE_ROWS / perSeries);
      for (int s = 0; s < order.length; s += seriesPerFile) {
        jobs.add(new int[] {d[0], d[1], s, Math.min(order.length, s + seriesPerFile)});
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<DataFile>> written = new ArrayList<>();
    long rows = 0;
    try (RootAllocator allocator = new RootAllocator()) {
      for (int[] job : jobs) {
        written.add(pool.submit(() -> writeFile(iceberg, tenant, now, series, order, job,
            allocator)));
        rows += (long) (job[1] - job[0]) * (job[3] - job[2]);
      }
      AppendFiles append = iceberg.newAppend();
      for (Future<DataFile> f : written) {
        append.appendFile(f.get());
      }
      append.commit();
    } finally {
      pool.shutdown();
    }
    table.refresh();
    return rows;
  }

  /**
   * The series' indexes in the table's sort order: by metric name, then by the series id the
   * ingestion gives each label set (read back from a one-sample batch of every series).
   */
  private static Integer[] sortedOrder(SeriesSupplier series, String tenant, long now) {
    int n = series.count();
    String[] names = new String[n];
    long[] ids = new long[n];
    List<TimeSeries> one = new ArrayList<>(n);
    long t = series.times()[0];
    for (int i = 0; i < n; i++) {
      one.add(timeSeries(series.labels(i), new long[] {t}, new double[] {0}, 0, 1));
    }
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot batch = build(one, tenant, now, allocator)) {
      if (batch.getRowCount() != n) {
        throw new IllegalStateException("expected one row per series, got " + batch.getRowCount());
      }
      VarCharVector name = (VarCharVector) batch.getVector(MetricsTable.METRIC_NAME);
      BigIntVector id = (BigIntVector) batch.getVector(MetricsTable.SERIES_ID);
      for (int i = 0; i < n; i++) {
        names[i] = new String(name.get(i), java.nio.charset.StandardCharsets.UTF_8);
        ids[i] = id.get(i);
      }
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    // Parquet orders the name by its bytes and the id as a signed long, as the compactor does.
    Arrays.sort(order, Comparator.<Integer, String>comparing(i -> names[i], MetricsBulkLoad::utf8)
        .thenComparingLong(i -> ids[i]));
    return order;
  }

  private static int utf8(String a, String b) {
    return Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Writes the samples {@code [job[0], job[1])} of the series {@code order[job[2]..job[3])}. */
  private static DataFile writeFile(
      Table iceberg, String tenant, long now, SeriesSupplier series, Integer[] order, int[] job,
      BufferAllocator parent) throws IOException {
    Schema schema = iceberg.schema();
    PartitionSpec spec = iceberg.spec();
    long[] times = series.times();
    String partitionPath = MetricsTable.TENANT_ID + "=" + tenant + "/timestamp_day="
        + Instant.ofEpochMilli(times[job[0]]).atZone(ZoneOffset.UTC).toLocalDate();
    String location = iceberg.locationProvider().newDataLocation(
        partitionPath + "/" + FileFormat.PARQUET.addExtension("bulk-" + UUID.randomUUID()));
    OutputFile out = iceberg.io().newOutputFile(location);
    ParquetMetadata footer;
    long length;
    try (BufferAllocator allocator = parent.newChildAllocator("bulk", 0, Long.MAX_VALUE);
        ArrowParquetWriter.FileWriter writer = ArrowParquetWriter.open(
            schema, ArrowParquetWriter.output(out),
            Map.of("iceberg.schema", SchemaParser.toJson(schema)),
            ArrowParquetWriter.FileSettings.forTable(iceberg.properties()))) {
      List<TimeSeries> request = new ArrayList<>();
      int inRequest = 0;
      int perSeries = job[1] - job[0];
      for (int s = job[2]; s < job[3]; s++) {
        int i = order[s];
        request.add(timeSeries(series.labels(i), times, series.values(i), job[0], job[1]));
        inRequest += perSeries;
        if (inRequest >= BATCH_ROWS || s == job[3] - 1) {
          try (VectorSchemaRoot batch = build(request, tenant, now, allocator)) {
            writer.write(batch);
          }
          request.clear();
          inRequest = 0;
        }
      }
      footer = writer.finish();
      length = writer.length();
    }
    Metrics metrics =
        ParquetUtil.footerMetrics(footer, Stream.empty(), MetricsConfig.forTable(iceberg));
    return DataFiles.builder(spec)
        .withFormat(FileFormat.PARQUET)
        .withPath(location)
        .withPartitionPath(partitionPath)
        .withFileSizeInBytes(length)
        .withMetrics(metrics)
        .withSplitOffsets(ParquetUtil.getSplitOffsets(footer))
        .withSortOrder(iceberg.sortOrder())
        .build();
  }

  private static VectorSchemaRoot build(
      List<TimeSeries> series, String tenant, long now, BufferAllocator allocator) {
    BatchResult built = MetricsBatchBuilder.build(
        new RemoteWriteRequest(series, List.of()), tenant, now, allocator);
    if (built.rejected() > 0) {
      built.batch().close();
      throw new IllegalStateException("rows rejected: " + built.rejectionMessage());
    }
    return built.batch();
  }

  private static TimeSeries timeSeries(
      String[] labels, long[] times, double[] values, int from, int to) {
    List<Label> l = new ArrayList<>(labels.length / 2);
    for (int k = 0; k < labels.length; k += 2) {
      l.add(new Label(labels[k], labels[k + 1]));
    }
    List<Sample> samples = new ArrayList<>(to - from);
    for (int k = from; k < to; k++) {
      samples.add(new Sample(values[k], times[k]));
    }
    return new TimeSeries(l, samples, List.of(), List.of());
  }

  private static long day(long millis) {
    return Math.floorDiv(millis, 86_400_000L);
  }
}
