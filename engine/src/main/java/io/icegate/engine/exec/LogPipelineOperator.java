package io.icegate.engine.exec;

import io.icegate.engine.logql.pipeline.LabelOrigin;
import io.icegate.engine.logql.pipeline.LabelsBuilder;
import io.icegate.engine.logql.pipeline.LogLevelDetector;
import io.icegate.engine.logql.pipeline.LogPipeline;
import io.icegate.engine.logql.pipeline.Utf8Line;
import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.loki.LabelSetCodec;
import io.icegate.protocol.loki.LokiOtlpLabels;
import io.icegate.storage.table.LogsTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.ByteFunctionHelpers;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Runs a compiled {@link LogPipeline} over each batch of log entries and emits {@code (timestamp,
 * stream_labels, body)} with every kept entry's final labels and line.
 *
 * <p>Structured metadata follows Loki's OTLP mapping for the record's fields: {@code trace_id},
 * {@code span_id} (lower-case hex), {@code severity_text}, {@code severity_number}, and the log
 * attributes ({@code .} → {@code _}) when the plan projects the {@code log_attributes} map (only
 * for pipelines that read labels: a map column makes the scan use the slower row reader). Label
 * filters and templates
 * see it; the output label set keeps only the metadata a stage touched (see {@link
 * LabelsBuilder#toStreamMap}), so an entry stays in its stored stream unless the pipeline changed
 * its labels. Lines become Java strings here because parsers and templates work on text; the stream
 * labels of consecutive rows are decoded once per distinct value.
 */
public final class LogPipelineOperator implements Operator {
  private final ExecContext context;
  private final Operator input;
  private final LogPipeline pipeline;
  private final List<String> inputNames;
  private final LabelsBuilder labels = new LabelsBuilder();

  private final StreamLabelRuns streamRuns = new StreamLabelRuns();
  /** Attribute keys (bytes) → their Loki label names ({@link #DROPPED} for keys Loki drops). */
  private final byte[][] cachedKeys = new byte[256][];
  private final String[] cachedNames = new String[256];
  /** The key and value vectors of the current batch's attribute maps, by input column. */
  private final VarCharVector[] mapKeys;
  private final VarCharVector[] mapValues;
  /**
   * By input column: the attribute map row last read in this batch (-1: none), the wanted
   * names it was read for, and what it gave (name, value, name, value…).
   */
  private final int[] mapLastRow;

  private final Set<?>[] mapLastOnly;
  private final List<String>[] mapLastPairs;
  /** The input columns that hold metadata, and those of them that {@link #restricted} reads. */
  private final int[] metadataColumns;

  private final int[] restrictedColumns;
  private static final String DROPPED = new String("(dropped)");
  /** Reused for decoding strings out of Arrow buffers without a byte array per value. */
  private byte[] scratch = new byte[256];
  private SortedMap<String, String> lastOutput;
  private byte[] lastOutputBytes;
  /** What {@link #encodeRead} last encoded: the read labels' values and origins, and bytes. */
  private final String[] readValues;
  private final LabelOrigin[] readOrigins;
  private byte[] readBytes;
  /** For one read label: its encodings by value, one map per origin (index 0: absent). */
  @SuppressWarnings("unchecked")
  private final Map<String, byte[]>[] oneLabel = new Map[LabelOrigin.values().length + 1];
  /** The current entry's line, as bytes copied into {@link #lineBytes}. */
  private final Utf8Line line = new Utf8Line();
  private byte[] lineBytes = new byte[256];
  private int lineLength;

  /** Whether the pipeline has no stages: lines pass as they are, only labels are merged. */
  private final boolean passThrough;
  /** The only output labels the consumer reads (null: all), see {@link #streamHoldsRead}. */
  private final List<String> readLabels;
  /**
   * Whether the current stream's labels include every one of {@link #readLabels}: then, with no
   * stages, the entry's output is its stored stream labels as they are, since structured
   * metadata can't change a stream label (a metadata name equal to one is renamed).
   */
  private boolean streamHoldsRead;
  private static final byte[] EMPTY = new byte[0];
  /**
   * Whether entries get Loki's {@code detected_level} structured metadata ({@link
   * LogLevelDetector#withDetectedLevel}): when all their metadata is read (the attribute map is
   * projected) and the consumer reads all labels or that one (the planner names it among {@code
   * readLabels} when a stage may read it).
   */
  private final boolean detectLevel;
  /**
   * The pipeline cut to {@link #readLabels} ({@link LogPipeline#restrictedTo}), null when there
   * are none or no cut is exact: an entry that comes out of it without an error has exactly the
   * whole pipeline's values of the read labels; one with an error runs through the whole
   * pipeline again, so that its labels (which a series' error message lists) are all there.
   *
   * <p>When the consumer reads every label ({@link #readLabels} null), the pipeline cut to the
   * labels its filters read, as a prefilter ({@link #prefilterOnly}): it drops exactly the
   * entries the whole pipeline drops, more cheaply, and the others run the whole pipeline. It is
   * turned off ({@link #restrictedOn}) when most entries pass it, as then it is extra work.
   */
  private final LogPipeline.Restricted restricted;
  /**
   * Whether only the attribute entries {@link #mapKeysRead} names are needed: then the whole
   * pipeline, which reads all of them, never runs.
   */
  private final boolean mapKeysCut;

  private final boolean prefilterOnly;
  private boolean restrictedOn = true;
  private int prefilterSeen;
  private int prefilterPassed;
  private static final int PREFILTER_TRIAL = 4096;

  /**
   * @param passThrough whether {@code pipeline} has no stages
   * @param readLabels the only output labels whose values the consumer reads, or null for all
   */
  public LogPipelineOperator(
      ExecContext context, Operator input, LogPipeline pipeline, List<String> inputNames,
      boolean passThrough, List<String> readLabels) {
    this.context = context;
    this.input = input;
    this.pipeline = pipeline;
    this.inputNames = List.copyOf(inputNames);
    this.passThrough = passThrough;
    this.readLabels = readLabels;
    this.readValues = new String[readLabels == null ? 0 : readLabels.size()];
    this.readOrigins = new LabelOrigin[readValues.length];
    for (int k = 0; k < oneLabel.length; k++) {
      oneLabel[k] = new HashMap<>();
    }
    this.detectLevel = detectsLevel(inputNames, readLabels);
    this.mapKeysCut = mapKeysRead(pipeline, inputNames, readLabels) != null;
    LogPipeline.Restricted cut = null;
    if (!passThrough && readLabels != null && !detectLevel) {
      cut = pipeline.restrictedTo(readLabels);
    } else if (!passThrough && readLabels == null) {
      cut = pipeline.restrictedTo(List.of());
      if (cut != null
          && (cut.pipeline() == pipeline
              || cut.labels().contains(LogLevelDetector.DETECTED_LEVEL))) {
        cut = null; // nothing cheaper to run, or the filters read the derived level
      }
    }
    this.restricted = cut;
    this.prefilterOnly = readLabels == null;
    List<Integer> all = new ArrayList<>();
    List<Integer> cutColumns = new ArrayList<>();
    for (int c = 3; c < inputNames.size(); c++) {
      all.add(c);
      String name = inputNames.get(c);
      // Every attribute map: a key of any may be structured metadata of a read name.
      if (restricted != null
          && (name.equals(LogsTable.LOG_ATTRIBUTES)
              || name.equals(LogsTable.SCOPE_ATTRIBUTES)
              || name.equals(LogsTable.RESOURCE_ATTRIBUTES)
              || restricted.labels().contains(name))) {
        cutColumns.add(c);
      }
    }
    this.mapKeys = new VarCharVector[inputNames.size()];
    this.mapValues = new VarCharVector[inputNames.size()];
    this.mapLastRow = new int[inputNames.size()];
    this.mapLastOnly = new Set<?>[inputNames.size()];
    @SuppressWarnings("unchecked")
    List<String>[] pairs = new List[inputNames.size()];
    for (int c = 0; c < pairs.length; c++) {
      pairs[c] = new ArrayList<>();
    }
    this.mapLastPairs = pairs;
    this.metadataColumns = all.stream().mapToInt(Integer::intValue).toArray();
    this.restrictedColumns = cutColumns.stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public VectorSchemaRoot next() {
    while (true) {
      context.checkContinue();
      VectorSchemaRoot batch = input.next();
      if (batch == null) {
        return null;
      }
      try (batch) {
        VectorSchemaRoot out = process(batch);
        if (out.getRowCount() > 0) {
          return out;
        }
        out.close();
      }
    }
  }

  private VectorSchemaRoot process(VectorSchemaRoot batch) {
    TimeStampVector time = (TimeStampVector) batch.getVector(0);
    VarCharVector streams = (VarCharVector) batch.getVector(1);
    VarCharVector body = (VarCharVector) batch.getVector(2);
    List<Field> fields = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      fields.add(batch.getVector(c).getField());
    }
    int rows = batch.getRowCount();
    if (passThrough && readLabels != null && streamsHoldRead(streams, rows)) {
      // Every entry keeps its stream's labels as they are, and its line: the batch's first
      // three columns are handed on whole, nothing copied.
      return Batches.take(batch, List.of(0, 1, 2),
          fields.stream().map(Field::getName).toList(), time.getAllocator());
    }
    Arrays.fill(mapKeys, null); // a batch's vectors may be new objects
    Arrays.fill(mapValues, null);
    FieldVector[] columns = batch.getFieldVectors().toArray(new FieldVector[0]);
    VectorSchemaRoot out = Batches.allocate(new Schema(fields), context.allocator(), rows);
    try {
      TimeStampVector outTime = (TimeStampVector) out.getVector(0);
      VarCharVector outLabels = (VarCharVector) out.getVector(1);
      VarCharVector outBody = (VarCharVector) out.getVector(2);
      int kept = 0;
      for (int r = 0; r < rows; r++) {
        SortedMap<String, String> stream = stream(streams, r);
        long ts = time.get(r);
        if (passThrough) {
          // No stage reads or changes the line: its bytes are copied, never decoded.
          outTime.setSafe(kept, ts);
          if (streamHoldsRead) {
            outLabels.copyFromSafe(r, kept, streams);
          } else {
            labels.reset(stream, metadata(columns, r, stream, body));
            outLabels.setSafe(kept, encode(labels.toStreamMap()));
          }
          if (body.isNull(r)) {
            outBody.setSafe(kept, EMPTY);
          } else {
            outBody.copyFromSafe(r, kept, body);
          }
          kept++;
          continue;
        }
        line(body, r);
        String result;
        if (restricted != null && restrictedOn) {
          labels.reset(stream, metadata(columns, r, restricted.labels()));
          result = restricted.pipeline().process(ts, line, labels);
          if (prefilterOnly && ++prefilterSeen == PREFILTER_TRIAL) {
            restrictedOn = prefilterPassed < PREFILTER_TRIAL / 2;
          }
          if (result == null) {
            continue; // the whole pipeline drops it too: drops depend only on the labels read
          }
          prefilterPassed++;
          if (!prefilterOnly && !labels.hasError()) {
            outTime.setSafe(kept, ts);
            outLabels.setSafe(kept, encodeRead());
            setBody(outBody, kept, result, body, r);
            kept++;
            continue;
          }
        }
        if (mapKeysCut) {
          throw new IllegalStateException(
              "an entry of a pipeline cut to " + readLabels + " needs all of its metadata");
        }
        String text = line.text();
        Map<String, String> metadata = metadata(columns, r, null);
        if (detectLevel) {
          metadata = LogLevelDetector.withDetectedLevel(stream, metadata, () -> text);
        }
        labels.reset(stream, metadata);
        result = pipeline.process(ts, text, labels);
        if (result == null) {
          continue;
        }
        outTime.setSafe(kept, ts);
        outLabels.setSafe(
            kept,
            readLabels != null && !labels.hasError()
                ? encodeRead()
                : encode(labels.toStreamMap()));
        setBody(outBody, kept, result, body, r);
        kept++;
      }
      for (FieldVector v : out.getFieldVectors()) {
        v.setValueCount(kept);
      }
      out.setRowCount(kept);
      return out;
    } catch (RuntimeException | Error e) {
      out.close();
      throw e;
    }
  }

  /**
   * The output line: the input's bytes when the pipeline left the line as it was and they were
   * valid UTF-8 (decoding left no U+FFFD, so encoding gives them back).
   */
  private void setBody(VarCharVector out, int index, String result, VarCharVector body, int row) {
    if (result == LogPipeline.UNDECODED) {
      if (!body.isNull(row) && isAscii()) {
        out.copyFromSafe(row, index, body); // valid UTF-8, so the decoded line encodes back to it
        return;
      }
      result = line.text();
    }
    if (result == line.textIfDecoded() && !body.isNull(row) && result.indexOf('\uFFFD') < 0) {
      out.copyFromSafe(row, index, body);
    } else {
      out.setSafe(index, result.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Whether every byte of the current line is ASCII; eight at a time. */
  private boolean isAscii() {
    int n = lineLength;
    int i = 0;
    long any = 0;
    for (; i + 8 <= n; i += 8) {
      any |= (long) LONGS.get(lineBytes, i);
    }
    for (; i < n; i++) {
      any |= lineBytes[i];
    }
    return (any & 0x8080808080808080L) == 0;
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
          long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  /** Points {@link #line} at row {@code row}'s bytes (a null line is empty). */
  private void line(VarCharVector body, int row) {
    if (body.isNull(row)) {
      line.set(lineBytes, 0);
      lineLength = 0;
      return;
    }
    int start = body.getStartOffset(row);
    int length = body.getEndOffset(row) - start;
    if (lineBytes.length < length) {
      lineBytes = new byte[Math.max(length, 2 * lineBytes.length)];
    }
    body.getDataBuffer().getBytes(start, lineBytes, 0, length);
    line.set(lineBytes, length);
    lineLength = length;
  }

  /**
   * Whether the stream of every one of the batch's {@code rows} holds all of {@link #readLabels}:
   * then no entry's structured metadata can change what is read of its labels.
   */
  private boolean streamsHoldRead(VarCharVector streams, int rows) {
    for (int r = 0; r < rows; r++) {
      if (streams.isNull(r)) {
        return false;
      }
      stream(streams, r);
      if (!streamHoldsRead) {
        return false;
      }
    }
    return true;
  }

  private SortedMap<String, String> stream(VarCharVector streams, int row) {
    if (streamRuns.move(streams, row)) {
      streamHoldsRead =
          readLabels != null && streamRuns.labels().keySet().containsAll(readLabels);
    }
    return streamRuns.labels();
  }

  /** Value {@code row} of a string vector, decoded through the reused buffer. */
  private String text(VarCharVector vector, int row) {
    int start = vector.getStartOffset(row);
    int length = vector.getEndOffset(row) - start;
    if (scratch.length < length) {
      scratch = new byte[Math.max(length, 2 * scratch.length)];
    }
    vector.getDataBuffer().getBytes(start, scratch, 0, length);
    return new String(scratch, 0, length, StandardCharsets.UTF_8);
  }

  /**
   * The entry's output labels cut to {@link #readLabels} ({@link LabelsBuilder#toStreamMap(
   * java.util.Collection)}), encoded: they depend only on those labels' values and origins, so
   * while these repeat (runs of one stream, few distinct values), the last encoding is reused
   * without building a map.
   */
  private byte[] encodeRead() {
    int n = readLabels.size();
    if (n == 1) {
      // The usual `by (label)`: one encoding per distinct value and origin, as the values of
      // consecutive entries alternate (status 200, 500, 200…).
      String name = readLabels.get(0);
      String value = labels.get(name);
      LabelOrigin origin = value == null ? null : labels.markedOrigin(name);
      Map<String, byte[]> byValue = oneLabel[origin == null ? 0 : origin.ordinal() + 1];
      byte[] bytes = byValue.get(value == null ? "" : value);
      if (bytes == null) {
        if (byValue.size() >= 4096) {
          byValue.clear();
        }
        bytes =
            LabelSetCodec.encode(labels.toStreamMap(readLabels)).getBytes(StandardCharsets.UTF_8);
        byValue.put(value == null ? "" : value, bytes);
      }
      return bytes;
    }
    boolean same = readBytes != null;
    for (int k = 0; k < n; k++) {
      String name = readLabels.get(k);
      String value = labels.get(name);
      LabelOrigin origin = value == null ? null : labels.markedOrigin(name);
      if (same && (origin != readOrigins[k] || !java.util.Objects.equals(value, readValues[k]))) {
        same = false;
      }
      readValues[k] = value;
      readOrigins[k] = origin;
    }
    if (!same) {
      readBytes =
          LabelSetCodec.encode(labels.toStreamMap(readLabels)).getBytes(StandardCharsets.UTF_8);
    }
    return readBytes;
  }

  private byte[] encode(SortedMap<String, String> output) {
    if (!output.equals(lastOutput)) {
      lastOutput = output;
      lastOutputBytes = LabelSetCodec.encode(output).getBytes(StandardCharsets.UTF_8);
    }
    return lastOutputBytes;
  }

  /** The row's metadata, with {@code detected_level} when it is wanted (line decoded lazily). */
  private Map<String, String> metadata(
      FieldVector[] columns, int row, SortedMap<String, String> stream, VarCharVector body) {
    Map<String, String> metadata = metadata(columns, row, null);
    if (!detectLevel) {
      return metadata;
    }
    return LogLevelDetector.withDetectedLevel(
        stream, metadata, () -> body.isNull(row) ? "" : text(body, row));
  }

  /**
   * The map {@link #metadata(FieldVector[], int, Set)} fills, cleared for each row: its callers
   * only read it before the next row ({@link LabelsBuilder#reset} copies what it keeps).
   */
  private final Map<String, String> rowMetadata = new HashMap<>();

  /**
   * {@code only}: the only metadata names wanted (null: all). The map returned is valid until the
   * next call.
   */
  private Map<String, String> metadata(FieldVector[] columns, int row, Set<String> only) {
    Map<String, String> m = null;
    if (!rowMetadata.isEmpty()) {
      rowMetadata.clear();
    }
    for (int c : only == null ? metadataColumns : restrictedColumns) {
      FieldVector v = columns[c];
      if (v.isNull(row)) {
        continue;
      }
      String name = inputNames.get(c);
      if (v instanceof MapVector map) {
        m = attributes(c, map, row, m, only);
        continue;
      }
      if (m == null) {
        m = rowMetadata;
      }
      if (v instanceof FixedSizeBinaryVector bin) {
        m.put(name, HexFormat.of().formatHex(bin.get(row)));
      } else if (v instanceof VarCharVector text) {
        m.put(name, text(text, row));
      } else if (v instanceof BaseIntVector number) {
        m.put(name, Long.toString(number.getValueAsLong(row)));
      }
    }
    return m == null ? Map.of() : m;
  }

  /**
   * Log attributes as Loki's OTLP mapping exposes them: structured metadata named by the
   * attribute key with {@code .} and other invalid characters turned into {@code _}.
   */
  private Map<String, String> attributes(
      int column, MapVector map, int row, Map<String, String> out, Set<String> only) {
    int end = map.getElementEndIndex(row);
    int i = map.getElementStartIndex(row);
    if (i >= end) {
      return out;
    }
    if (mapKeys[column] == null) {
      StructVector entries = (StructVector) map.getDataVector();
      mapKeys[column] = (VarCharVector) entries.getChild(MapVector.KEY_NAME);
      mapValues[column] = (VarCharVector) entries.getChild(MapVector.VALUE_NAME);
      mapLastRow[column] = -1;
    }
    VarCharVector keys = mapKeys[column];
    VarCharVector values = mapValues[column];
    List<String> pairs = mapLastPairs[column];
    int last = mapLastRow[column];
    if (last < 0 || mapLastOnly[column] != only || !sameEntries(map, keys, values, last, row)) {
      // Resource and scope attributes repeat from row to row: a row whose entries are the last
      // read row's bytes for bytes has the same metadata, which is reused.
      pairs.clear();
      for (; i < end; i++) {
        if (keys.isNull(i) || values.isNull(i)) {
          continue;
        }
        String name = attributeName(keys, i);
        if (name == DROPPED) {
          continue; // a key with no label name (empty, or only invalid characters): Loki drops it
        }
        if (only != null && !only.contains(name)) {
          continue;
        }
        pairs.add(name);
        pairs.add(text(values, i));
      }
      mapLastRow[column] = row;
      mapLastOnly[column] = only;
    }
    for (int k = 0; k < pairs.size(); k += 2) {
      if (out == null) {
        out = rowMetadata;
      }
      out.putIfAbsent(pairs.get(k), pairs.get(k + 1));
    }
    return out;
  }

  /** Whether rows {@code a} and {@code b} of {@code map} hold the same entries (bytes, nulls). */
  private static boolean sameEntries(
      MapVector map, VarCharVector keys, VarCharVector values, int a, int b) {
    int sa = map.getElementStartIndex(a);
    int sb = map.getElementStartIndex(b);
    int n = map.getElementEndIndex(a) - sa;
    if (n != map.getElementEndIndex(b) - sb) {
      return false;
    }
    return n == 0
        || (sameShape(keys, sa, sb, n)
            && sameShape(values, sa, sb, n)
            && sameBytes(keys, sa, sb, n)
            && sameBytes(values, sa, sb, n));
  }

  /**
   * Whether elements {@code [sa, sa + n)} and {@code [sb, sb + n)} of {@code v} have the same
   * lengths and nulls, read straight from the offset and validity buffers.
   */
  private static boolean sameShape(VarCharVector v, int sa, int sb, int n) {
    ArrowBuf offsets = v.getOffsetBuffer();
    long oa = (long) sa * BaseVariableWidthVector.OFFSET_WIDTH;
    long ob = (long) sb * BaseVariableWidthVector.OFFSET_WIDTH;
    int a0 = offsets.getInt(oa);
    int b0 = offsets.getInt(ob);
    for (int k = 1; k <= n; k++) {
      long step = (long) k * BaseVariableWidthVector.OFFSET_WIDTH;
      if (offsets.getInt(oa + step) - a0 != offsets.getInt(ob + step) - b0) {
        return false;
      }
    }
    ArrowBuf validity = v.getValidityBuffer();
    for (int k = 0; k < n; k++) {
      int ia = sa + k;
      int ib = sb + k;
      if (((validity.getByte(ia >>> 3) >>> (ia & 7)) & 1)
          != ((validity.getByte(ib >>> 3) >>> (ib & 7)) & 1)) {
        return false;
      }
    }
    return true;
  }

  /** Whether elements {@code [sa, sa + n)} and {@code [sb, sb + n)} have the same bytes, all told. */
  private static boolean sameBytes(VarCharVector v, int sa, int sb, int n) {
    ArrowBuf data = v.getDataBuffer();
    return ByteFunctionHelpers.equal(
            data, v.getStartOffset(sa), v.getStartOffset(sa + n),
            data, v.getStartOffset(sb), v.getStartOffset(sb + n))
        == 1;
  }

  /**
   * The label name of attribute key {@code i}, through a small cache keyed by the key's bytes
   * (attribute keys repeat from row to row; a collision only costs a decode).
   */
  private String attributeName(VarCharVector keys, int i) {
    int start = keys.getStartOffset(i);
    int length = keys.getEndOffset(i) - start;
    if (scratch.length < length) {
      scratch = new byte[Math.max(length, 2 * scratch.length)];
    }
    keys.getDataBuffer().getBytes(start, scratch, 0, length);
    int h = length;
    for (int k = 0; k < length; k++) {
      h = 31 * h + scratch[k];
    }
    int slot = (h ^ (h >>> 16)) & (cachedKeys.length - 1);
    byte[] cached = cachedKeys[slot];
    if (cached != null && Arrays.equals(cached, 0, cached.length, scratch, 0, length)) {
      return cachedNames[slot];
    }
    String name = labelName(new String(scratch, 0, length, StandardCharsets.UTF_8));
    cachedKeys[slot] = Arrays.copyOf(scratch, length);
    cachedNames[slot] = name;
    return name;
  }

  private static String labelName(String key) {
    try {
      return LokiOtlpLabels.normalizeLabelName(key);
    } catch (ProtocolException e) {
      return DROPPED;
    }
  }

  private static boolean detectsLevel(List<String> inputNames, List<String> readLabels) {
    return inputNames.contains(LogsTable.LOG_ATTRIBUTES)
        && (readLabels == null || readLabels.contains(LogLevelDetector.DETECTED_LEVEL));
  }

  /**
   * The attribute-map keys whose entries an operator built with these arguments reads, or null
   * when it may read any: when its pipeline cut to {@code readLabels} ({@link
   * LogPipeline#restrictedTo}) decides every entry it keeps — none keeps an error, which would
   * send the entry through the whole pipeline for its full label set — only the attributes whose
   * label name is one of the cut pipeline's labels matter. The scan below may then leave the other
   * entries out of the maps ({@link ExecContext#withMapKeys}); resource attributes, the same
   * dozen keys on every row, are most of a map column's bytes and of the comparison that reuses a
   * row's metadata.
   */
  public static java.util.function.Predicate<String> mapKeysRead(
      LogPipeline pipeline, List<String> inputNames, List<String> readLabels) {
    // A pass-through operator (no stages) puts an entry's metadata in its labels when its stream
    // lacks a label read; with the maps cut, only entries that may be such a label are there,
    // and the consumer reads no other.
    if (readLabels == null || detectsLevel(inputNames, readLabels)
        || !pipeline.keepsNoErrors()) {
      return null;
    }
    LogPipeline.Restricted cut = pipeline.restrictedTo(readLabels);
    if (cut == null) {
      return null;
    }
    Set<String> names = cut.labels();
    return key -> !key.isEmpty() && names.contains(labelName(key));
  }

  /** The logs columns a pipeline reads as structured metadata, in input order after the first 3. */
  public static final List<String> METADATA_COLUMNS =
      List.of(
          LogsTable.TRACE_ID,
          LogsTable.SPAN_ID,
          LogsTable.SEVERITY_TEXT,
          LogsTable.SEVERITY_NUMBER);

  @Override
  public void close() {
    input.close();
  }
}
