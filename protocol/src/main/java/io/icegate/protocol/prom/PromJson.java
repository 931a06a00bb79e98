package io.icegate.protocol.prom;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.icegate.protocol.prom.PromResult.Bucket;
import io.icegate.protocol.prom.PromResult.FloatPoint;
import io.icegate.protocol.prom.PromResult.Histogram;
import io.icegate.protocol.prom.PromResult.HistogramPoint;
import io.icegate.protocol.prom.PromResult.Series;
import io.icegate.protocol.prom.PromResult.VectorSample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;

/**
 * Writes Prometheus HTTP API bodies: the envelope ({@code status}, {@code data}, {@code
 * errorType}, {@code error}, {@code warnings}, {@code infos}, in that order, empty ones left out)
 * and the query results in Prometheus's exact number formats (see {@link PromNumbers}). Streaming,
 * so a large matrix never exists as a tree; the caller owns the stream (flushed, not closed).
 */
public final class PromJson {
  public static final String CONTENT_TYPE = "application/json";
  /** How many warnings (and infos) are listed before the rest is summarised, as Prometheus does. */
  static final int MAX_ANNOTATIONS = 10;

  private static final JsonFactory JSON =
      JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();

  private PromJson() {}

  /** Writes the value of {@code data}. */
  @FunctionalInterface
  public interface DataWriter {
    void write(JsonGenerator json) throws IOException;
  }

  /** Prometheus's error types and the HTTP status each is answered with. */
  public enum ErrorType {
    BAD_DATA("bad_data", 400),
    EXECUTION("execution", 422),
    TIMEOUT("timeout", 503),
    CANCELED("canceled", 499),
    INTERNAL("internal", 500),
    UNAVAILABLE("unavailable", 500),
    NOT_FOUND("not_found", 404),
    NOT_ACCEPTABLE("not_acceptable", 406);

    private final String wire;
    private final int httpStatus;

    ErrorType(String wire, int httpStatus) {
      this.wire = wire;
      this.httpStatus = httpStatus;
    }

    /** The {@code errorType} string. */
    public String wire() {
      return wire;
    }

    public int httpStatus() {
      return httpStatus;
    }
  }

  /** {@code {"status":"success","data":…}} plus the annotations, if any. */
  public static void writeSuccess(
      OutputStream out, DataWriter data, List<String> warnings, List<String> infos)
      throws IOException {
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("status", "success");
      if (data != null) {
        json.writeFieldName("data");
        data.write(json);
      }
      annotations(json, "warnings", "warning", warnings);
      annotations(json, "infos", "info", infos);
      json.writeEndObject();
    }
  }

  /** {@code {"status":"error","errorType":"…","error":"…"}}. */
  public static void writeError(OutputStream out, ErrorType type, String message)
      throws IOException {
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("status", "error");
      json.writeStringField("errorType", type.wire());
      json.writeStringField("error", message);
      json.writeEndObject();
    }
  }

  /** {@link #writeError} into a new array. */
  public static byte[] error(ErrorType type, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeError(out, type, message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** {@link #writeSuccess} into a new array. */
  public static byte[] success(DataWriter data, List<String> warnings, List<String> infos) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeSuccess(out, data, warnings, infos);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * The answer of {@code /api/v1/query} and {@code /api/v1/query_range}: {@code
   * {"resultType":…,"result":…,"stats":…}} ({@code stats} only when not null).
   */
  public static void writeQueryResult(
      OutputStream out, PromResult result, PromStats stats, List<String> warnings,
      List<String> infos) throws IOException {
    writeQueryResult(out, result, stats, warnings, infos, null);
  }

  /**
   * {@link #writeQueryResult}, a large matrix formatted in parts, one on this thread and the
   * others on {@code helpers} (null: all on this thread). See {@link #matrixInParts}.
   */
  public static void writeQueryResult(
      OutputStream out, PromResult result, PromStats stats, List<String> warnings,
      List<String> infos, Executor helpers) throws IOException {
    writeSuccess(out, json -> queryData(json, result, stats, helpers), warnings, infos);
  }

  /** The {@code data} object of a query answer. */
  public static void queryData(JsonGenerator json, PromResult result, PromStats stats)
      throws IOException {
    queryData(json, result, stats, null);
  }

  private static void queryData(
      JsonGenerator json, PromResult result, PromStats stats, Executor helpers)
      throws IOException {
    json.writeStartObject();
    json.writeStringField("resultType", result.type());
    json.writeFieldName("result");
    if (result instanceof PromResult.Vector v) {
      vector(json, v.samples());
    } else if (result instanceof PromResult.Matrix m) {
      if (helpers == null || !matrixInParts(json, m.series(), helpers)) {
        matrix(json, m.series());
      }
    } else if (result instanceof PromResult.Scalar s) {
      json.writeStartArray();
      json.writeRawValue(PromNumbers.secondsFloat(s.timestampMillis()));
      json.writeString(PromNumbers.plain(s.value()));
      json.writeEndArray();
    } else if (result instanceof PromResult.StringValue s) {
      json.writeStartArray();
      json.writeRawValue(PromNumbers.secondsFloat(s.timestampMillis()));
      json.writeString(s.value());
      json.writeEndArray();
    }
    if (stats != null) {
      json.writeFieldName("stats");
      stats(json, stats);
    }
    json.writeEndObject();
  }

  private static void vector(JsonGenerator json, List<VectorSample> samples) throws IOException {
    json.writeStartArray();
    for (VectorSample s : samples) {
      json.writeStartObject();
      json.writeFieldName("metric");
      labels(json, s.metric());
      if (s.histogram() == null) {
        json.writeFieldName("value");
        floatPoint(json, s.timestampMillis(), s.value());
      } else {
        json.writeFieldName("histogram");
        histogramPoint(json, s.timestampMillis(), s.histogram());
      }
      json.writeEndObject();
    }
    json.writeEndArray();
  }

  private static void matrix(JsonGenerator json, List<Series> series) throws IOException {
    json.writeStartArray();
    byte[][] buffer = {new byte[0]};
    TimestampTexts times = new TimestampTexts();
    for (Series s : series) {
      seriesObject(json, s, buffer, times);
    }
    json.writeEndArray();
  }

  /** One series of a matrix: its labels, then its float and histogram points. */
  private static void seriesObject(
      JsonGenerator json, Series s, byte[][] buffer, TimestampTexts times) throws IOException {
    json.writeStartObject();
    json.writeFieldName("metric");
    labels(json, s.metric());
    if (s.floats() != null && !s.floats().isEmpty()) {
      json.writeFieldName("values");
      floatPoints(json, s.floats(), buffer, times);
    }
    if (s.histograms() != null && !s.histograms().isEmpty()) {
      json.writeArrayFieldStart("histograms");
      for (HistogramPoint p : s.histograms()) {
        histogramPoint(json, p.timestampMillis(), p.histogram());
      }
      json.writeEndArray();
    }
    json.writeEndObject();
  }

  /** The float points from which a matrix is worth formatting in parts. */
  static final long PARALLEL_POINTS = 100_000;

  /** Points per part at least, so a part's thread does enough to pay for itself. */
  private static final long POINTS_PER_PART = 50_000;

  /**
   * Writes a matrix of at least {@link #PARALLEL_POINTS} float points in parts of about equal
   * point counts, one part per processor: the first on this thread, the others handed to {@code
   * helpers}, each into its own buffer, then all copied out in order. A part no helper has
   * started when this thread is done with its own is formatted here too, so a busy or stopped
   * executor only costs the parallelism. Returns false (nothing written) for a smaller matrix, or
   * when the generator does not write to a stream.
   */
  static boolean matrixInParts(JsonGenerator json, List<Series> series, Executor helpers)
      throws IOException {
    if (!(json.getOutputTarget() instanceof OutputStream target)) {
      return false;
    }
    long points = 0;
    for (Series s : series) {
      points += pointCount(s);
    }
    int parts = (int) Math.min(
        Math.min(Runtime.getRuntime().availableProcessors(), series.size()),
        points / POINTS_PER_PART);
    if (points < PARALLEL_POINTS || parts < 2) {
      return false;
    }
    // Part k ends where the running point count passes k/parts of the total.
    int[] ends = new int[parts];
    long seen = 0;
    int k = 0;
    for (int i = 0; i < series.size() && k < parts - 1; i++) {
      seen += pointCount(series.get(i));
      if (seen * parts >= (k + 1) * points) {
        ends[k++] = i + 1;
      }
    }
    while (k < parts) {
      ends[k++] = series.size();
    }
    List<FutureTask<Part>> others = new ArrayList<>(parts - 1);
    for (int p = 1; p < parts; p++) {
      int from = ends[p - 1];
      int to = ends[p];
      FutureTask<Part> task = new FutureTask<>(() -> part(series.subList(from, to)));
      others.add(task);
      try {
        helpers.execute(task);
      } catch (RejectedExecutionException e) {
        // Formatted below, on this thread.
      }
    }
    Part first = part(series.subList(0, ends[0]));
    List<Part> done = new ArrayList<>(parts);
    done.add(first);
    for (FutureTask<Part> task : others) {
      task.run(); // no-op when a helper has started it
      try {
        done.add(task.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while formatting the answer");
      } catch (ExecutionException e) {
        if (e.getCause() instanceof IOException io) {
          throw io;
        }
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw new IllegalStateException(e.getCause());
      }
    }
    json.writeStartArray();
    json.flush();
    boolean any = false;
    for (Part part : done) {
      if (part.size() == 0) {
        continue;
      }
      if (any) {
        target.write(',');
      }
      target.write(part.bytes(), 0, part.size());
      any = true;
    }
    json.writeEndArray();
    return true;
  }

  private static long pointCount(Series s) {
    return (s.floats() == null ? 0 : s.floats().size())
        + (s.histograms() == null ? 0 : s.histograms().size());
  }

  /** One part's series objects, comma-separated, as the matrix writer writes them. */
  private static Part part(List<Series> series) throws IOException {
    // Sized for the usual point (a 10-digit time, a 17-digit value) and label set, so that the
    // buffer rarely grows: each growth of a large one copies it into a new array.
    long estimate = 64;
    for (Series s : series) {
      estimate += 40L * pointCount(s) + 256;
    }
    Part out = new Part((int) Math.min(estimate, 1 << 30));
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.setRootValueSeparator(null);
      byte[][] buffer = {new byte[0]};
      TimestampTexts times = new TimestampTexts();
      boolean first = true;
      for (Series s : series) {
        if (!first) {
          json.writeRaw(',');
        }
        first = false;
        seriesObject(json, s, buffer, times);
      }
    }
    return out;
  }

  /** A growable byte buffer whose array is read in place. */
  private static final class Part extends ByteArrayOutputStream {
    Part(int capacity) {
      super(capacity);
    }

    byte[] bytes() {
      return buf;
    }
  }

  /** The most bytes one point takes in {@link #floatPoints}, separator included. */
  private static final int MAX_POINT_BYTES = 64;

  /**
   * A series' float points as one raw JSON array, {@code [[t,"v"],…]}, formatted as ASCII into
   * {@code buffer[0]} (grown when too small, kept for the next series) and written past the
   * generator straight into its output stream: the number texts never need escaping, and a
   * matrix may have millions of points.
   */
  private static void floatPoints(
      JsonGenerator json, List<FloatPoint> points, byte[][] buffer, TimestampTexts times)
      throws IOException {
    int n = points.size();
    int need = 2 + n * MAX_POINT_BYTES;
    if (buffer[0].length < need) {
      buffer[0] = new byte[need];
    }
    byte[] out = buffer[0];
    int at = 0;
    out[at++] = '[';
    PromResult.FloatPoints columns = points instanceof PromResult.FloatPoints c ? c : null;
    for (int i = 0; i < n; i++) {
      long t;
      double v;
      if (columns != null) {
        t = columns.timestampMillis(i);
        v = columns.value(i);
      } else {
        FloatPoint p = points.get(i);
        t = p.timestampMillis();
        v = p.value();
      }
      if (i > 0) {
        out[at++] = ',';
      }
      out[at++] = '[';
      at = times.append(out, at, t);
      at = value(out, at, v);
    }
    out[at++] = ']';
    if (json.getOutputTarget() instanceof OutputStream target) {
      // An empty raw value writes only what separates it from the field name; the bytes follow.
      json.writeRawValue("");
      json.flush();
      target.write(out, 0, at);
    } else {
      json.writeRawValue(new String(out, 0, at, StandardCharsets.US_ASCII));
    }
  }

  /** {@code [t,"v"]} into {@code out} at {@code at}; the position after it. */
  private static int point(byte[] out, int at, long t, double v) {
    out[at++] = '[';
    at = PromNumbers.appendSampleTimestamp(out, at, t);
    return value(out, at, v);
  }

  /** A point's rest after its timestamp: {@code ,"v"]}. */
  private static int value(byte[] out, int at, double v) {
    out[at++] = ',';
    out[at++] = '"';
    at = PromNumbers.appendSampleValue(out, at, v);
    out[at++] = '"';
    out[at++] = ']';
    return at;
  }

  /**
   * The texts of the timestamps one matrix writes, kept by value: the series of a range query
   * share their steps, so each step is formatted once rather than once per series.
   */
  static final class TimestampTexts {
    private static final int SLOTS = 1024;
    private static final int WIDTH = 25;
    private final long[] keys = new long[SLOTS];
    private final byte[] lengths = new byte[SLOTS];
    private final byte[] texts = new byte[SLOTS * WIDTH];

    /** {@link PromNumbers#appendSampleTimestamp}, from the kept text when there is one. */
    int append(byte[] out, int at, long millis) {
      // Fibonacci hashing: steps a power of two apart still spread over the slots.
      int slot = (int) ((millis * 0x9E3779B97F4A7C15L) >>> 54);
      int n = lengths[slot];
      if (n != 0 && keys[slot] == millis) {
        System.arraycopy(texts, slot * WIDTH, out, at, n);
        return at + n;
      }
      int end = PromNumbers.appendSampleTimestamp(out, at, millis);
      n = end - at;
      if (n <= WIDTH) {
        System.arraycopy(out, at, texts, slot * WIDTH, n);
        keys[slot] = millis;
        lengths[slot] = (byte) n;
      }
      return end;
    }
  }

  private static void floatPoint(JsonGenerator json, long t, double v) throws IOException {
    byte[] out = new byte[MAX_POINT_BYTES];
    json.writeRawValue(new String(out, 0, point(out, 0, t, v), StandardCharsets.US_ASCII));
  }

  private static void histogramPoint(JsonGenerator json, long t, Histogram h) throws IOException {
    json.writeStartArray();
    json.writeRawValue(PromNumbers.sampleTimestamp(t));
    histogram(json, h);
    json.writeEndArray();
  }

  /** A native histogram object: count, sum, and the non-empty buckets (left out if none). */
  public static void histogram(JsonGenerator json, Histogram h) throws IOException {
    json.writeStartObject();
    json.writeStringField("count", PromNumbers.sampleValue(h.count()));
    json.writeStringField("sum", PromNumbers.sampleValue(h.sum()));
    boolean any = false;
    for (Bucket b : h.buckets()) {
      if (b.count() == 0) {
        continue;
      }
      if (!any) {
        json.writeArrayFieldStart("buckets");
        any = true;
      }
      json.writeStartArray();
      json.writeNumber(b.boundaryRule());
      json.writeString(PromNumbers.sampleValue(b.lower()));
      json.writeString(PromNumbers.sampleValue(b.upper()));
      json.writeString(PromNumbers.sampleValue(b.count()));
      json.writeEndArray();
    }
    if (any) {
      json.writeEndArray();
    }
    json.writeEndObject();
  }

  /** A label set, names in byte order (so {@code __name__} sorts after upper-case names). */
  public static void labels(JsonGenerator json, Map<String, String> labels) throws IOException {
    json.writeStartObject();
    Iterable<Map.Entry<String, String>> entries;
    if (labels instanceof SortedMap<String, String> sorted && sorted.comparator() == null) {
      entries = sorted.entrySet(); // String order is byte order for names (ASCII or BMP UTF-8)
    } else {
      List<Map.Entry<String, String>> list = new ArrayList<>(labels.entrySet());
      list.sort((a, b) -> compareUtf8(a.getKey(), b.getKey()));
      entries = list;
    }
    for (Map.Entry<String, String> label : entries) {
      json.writeStringField(label.getKey(), label.getValue());
    }
    json.writeEndObject();
  }

  private static int compareUtf8(String a, String b) {
    return java.util.Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static void stats(JsonGenerator json, PromStats stats) throws IOException {
    json.writeStartObject();
    PromStats.Timings t = stats.timings();
    json.writeObjectFieldStart("timings");
    seconds(json, "evalTotalTime", t.evalTotalTime());
    seconds(json, "resultSortTime", t.resultSortTime());
    seconds(json, "queryPreparationTime", t.queryPreparationTime());
    seconds(json, "innerEvalTime", t.innerEvalTime());
    seconds(json, "execQueueTime", t.execQueueTime());
    seconds(json, "execTotalTime", t.execTotalTime());
    json.writeEndObject();
    PromStats.Samples s = stats.samples();
    if (s != null) {
      json.writeObjectFieldStart("samples");
      if (s.totalQueryableSamplesPerStep() != null) {
        steps(json, "totalQueryableSamplesPerStep", s.totalQueryableSamplesPerStep());
      }
      json.writeNumberField("totalQueryableSamples", s.totalQueryableSamples());
      if (s.samplesReadPerStep() != null) {
        steps(json, "samplesReadPerStep", s.samplesReadPerStep());
      }
      json.writeNumberField("samplesRead", s.samplesRead());
      json.writeNumberField("peakSamples", s.peakSamples());
      json.writeEndObject();
    }
    json.writeEndObject();
  }

  private static void seconds(JsonGenerator json, String name, double value) throws IOException {
    json.writeFieldName(name);
    json.writeRawValue(PromNumbers.jsonFloat(value));
  }

  private static void steps(JsonGenerator json, String name, List<PromStats.StepCount> steps)
      throws IOException {
    json.writeArrayFieldStart(name);
    for (PromStats.StepCount step : steps) {
      json.writeStartArray();
      json.writeRawValue(PromNumbers.secondsFloat(step.timestampMillis()));
      json.writeNumber(step.count());
      json.writeEndArray();
    }
    json.writeEndArray();
  }

  /** At most ten, then {@code "<n> more warning annotations omitted"}; nothing when empty. */
  private static void annotations(
      JsonGenerator json, String field, String kind, List<String> values) throws IOException {
    if (values == null || values.isEmpty()) {
      return;
    }
    json.writeArrayFieldStart(field);
    int shown = Math.min(values.size(), MAX_ANNOTATIONS);
    for (int i = 0; i < shown; i++) {
      json.writeString(values.get(i));
    }
    if (values.size() > MAX_ANNOTATIONS) {
      json.writeString((values.size() - MAX_ANNOTATIONS) + " more " + kind + " annotations omitted");
    }
    json.writeEndArray();
  }
}
