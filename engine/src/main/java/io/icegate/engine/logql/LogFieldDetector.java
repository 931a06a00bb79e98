package io.icegate.engine.logql;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonToken;
import io.icegate.engine.exec.LogPipelineOperator;
import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.logql.pipeline.GoValues.ConversionException;
import io.icegate.engine.logql.pipeline.GoValues;
import io.icegate.engine.logql.pipeline.LabelsBuilder;
import io.icegate.engine.logql.pipeline.LogLevelDetector;
import io.icegate.engine.logql.pipeline.LogPipeline;
import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.plan.QueryOptimizer;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.logql.ast.JsonParser;
import io.icegate.logql.ast.LineFilter;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.LogfmtParser;
import io.icegate.logql.ast.PipelineStage;
import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.loki.Direction;
import io.icegate.protocol.loki.LabelSetCodec;
import io.icegate.protocol.loki.LokiOtlpLabels;
import io.icegate.storage.scan.TableScanner;
import io.icegate.storage.table.LogsTable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.tools.RelBuilder;

/**
 * Loki's {@code /detected_fields}: the fields of the newest {@code line_limit} entries a selector
 * picks — their structured metadata, and what the {@code json} parser (or, failing that,
 * {@code logfmt}) extracts from the line — each with a type guessed from its values and its
 * number of distinct values.
 *
 * <p>Two scans: the usual log query (sorted, limited) finds the time of the oldest entry kept;
 * then the range from there to the end is read again with the structured-metadata columns, which
 * the log query's output does not carry.
 */
public final class LogFieldDetector {
  private static final List<PipelineStage> JSON = List.of(new JsonParser(List.of()));
  private static final JsonFactory JSON_FACTORY = new JsonFactory();
  private static final List<PipelineStage> LOGFMT =
      List.of(new LogfmtParser(false, false, List.of()));

  private final IceGateCatalog catalog;
  private final PlanRunner runner;

  public LogFieldDetector(
      TableScanner scanner, BufferAllocator root, long queryMemoryBytes, Duration timeout) {
    this.catalog = new IceGateCatalog(scanner, List.of(LogsTable.NAME));
    this.runner = new PlanRunner(scanner, root, queryMemoryBytes, timeout);
  }

  /**
   * One sampled entry: its stream labels, its line after the query's pipeline, its structured
   * metadata, and the labels the query's own stages added ({@code parsed}).
   */
  public record Sample(
      SortedMap<String, String> stream, long timestampNanos, String line,
      Map<String, String> metadata, Map<String, String> parsed) {
    public Sample(
        SortedMap<String, String> stream, long timestampNanos, String line,
        Map<String, String> metadata) {
      this(stream, timestampNanos, line, metadata, Map.of());
    }
  }

  /**
   * One detected field as Loki reports it; {@code parsers} is empty for structured metadata,
   * {@code jsonPath} (the keys leading to it in the JSON line) empty unless the json parser found
   * it.
   */
  public record Field(
      String label, String type, long cardinality, List<String> parsers, List<String> jsonPath) {}

  /**
   * The newest {@code lineLimit} entries of the log query {@code selector} in {@code [startNanos,
   * endNanos)}, newest first, each after the query's pipeline.
   */
  public List<Sample> sample(
      String tenant, long startNanos, long endNanos, LogSelectorExpr selector, int lineLimit,
      BooleanSupplier cancelled) {
    List<LineFilter> pushed = new ArrayList<>();
    List<PipelineStage> rest = new ArrayList<>();
    LogQueryPlanner.split(selector.pipeline(), pushed, rest);
    LogSelectorExpr scanned = new LogSelectorExpr(selector.selector(), List.copyOf(pushed));
    LogSelectorExpr query = selector;
    RelBuilder b1 = catalog.relBuilder();
    ArrowRel newest =
        QueryOptimizer.optimize(
            LogQueryPlanner.lines(
                query,
                new LogQueryRange(tenant, startNanos, endNanos, lineLimit, Direction.BACKWARD),
                b1),
            b1);
    long[] oldest = {Long.MAX_VALUE};
    runner.run(
        "detect",
        newest,
        cancelled,
        batch -> {
          TimeStampVector time = (TimeStampVector) batch.getVector(0);
          for (int i = 0; i < batch.getRowCount(); i++) {
            oldest[0] = Math.min(oldest[0], time.get(i));
          }
        });
    if (oldest[0] == Long.MAX_VALUE) {
      return List.of();
    }

    RelBuilder b = catalog.relBuilder();
    RelNode entries = LogQueryPlanner.entries(scanned, tenant, oldest[0], endNanos, b);
    if (!(entries instanceof Project project)) {
      throw new IllegalStateException("unexpected plan shape: " + entries);
    }
    b.push(project.getInput());
    List<String> names = new ArrayList<>(LogQueryPlanner.OUTPUT);
    names.addAll(LogPipelineOperator.METADATA_COLUMNS);
    names.add(LogsTable.LOG_ATTRIBUTES);
    List<RexNode> columns = new ArrayList<>();
    names.forEach(n -> columns.add(b.field(n)));
    b.project(columns);
    RelNode withMetadata = b.build();
    ArrowRel plan = QueryOptimizer.optimize(withMetadata, b);
    List<Sample> samples = new ArrayList<>();
    LogPipeline pipeline = rest.isEmpty() ? null : LogPipeline.compile(rest);
    LabelsBuilder builder = new LabelsBuilder();
    runner.run(
        "detect",
        plan,
        cancelled,
        batch -> {
          TimeStampVector time = (TimeStampVector) batch.getVector(0);
          VarCharVector labels = (VarCharVector) batch.getVector(1);
          VarCharVector body = (VarCharVector) batch.getVector(2);
          for (int i = 0; i < batch.getRowCount(); i++) {
            Map<String, String> stored = new TreeMap<>();
            for (int c = 3; c < names.size(); c++) {
              MetadataColumns.read(batch.getVector(c), names.get(c), i, stored);
            }
            SortedMap<String, String> stream =
                LabelSetCodec.decode(new String(labels.get(i), StandardCharsets.UTF_8));
            String original =
                body.isNull(i) ? "" : new String(body.get(i), StandardCharsets.UTF_8);
            // With the detected_level Loki stores as metadata, a field as any other.
            Map<String, String> meta =
                new TreeMap<>(LogLevelDetector.withDetectedLevel(stream, stored, () -> original));
            String line = original;
            Map<String, String> parsed = Map.of();
            if (pipeline != null) {
              builder.reset(stream, meta);
              line = pipeline.process(time.get(i), line, builder);
              if (line == null) {
                continue; // the query's stages drop it
              }
              parsed = new TreeMap<>();
              for (Map.Entry<String, String> l : builder.labels().entrySet()) {
                if (!stream.containsKey(l.getKey()) && !meta.containsKey(l.getKey())) {
                  parsed.put(l.getKey(), l.getValue());
                }
              }
            }
            samples.add(new Sample(stream, time.get(i), line, meta, parsed));
          }
        });
    samples.sort(Comparator.comparingLong(Sample::timestampNanos).reversed());
    return samples.size() > lineLimit ? List.copyOf(samples.subList(0, lineLimit)) : samples;
  }

  /**
   * The fields of {@code samples}, at most {@code fieldLimit} (the first found win), sorted by
   * name. As in Loki, entries are visited stream by stream and a field's type is the type of the
   * last value visited; besides the labels the query's stages extracted, a line is read as JSON,
   * else as logfmt, else yields nothing more.
   */
  public static List<Field> detect(List<Sample> samples, int fieldLimit) {
    Map<String, List<Sample>> byStream = new TreeMap<>();
    for (Sample s : samples) {
      byStream.computeIfAbsent(s.stream().toString(), k -> new ArrayList<>()).add(s);
    }
    LineParsers parsers = new LineParsers();
    Map<String, Acc> fields = new LinkedHashMap<>();
    for (List<Sample> stream : byStream.values()) {
      for (Sample s : stream) {
        for (Map.Entry<String, String> m : s.metadata().entrySet()) {
          Acc acc = field(fields, m.getKey(), fieldLimit);
          if (acc != null) {
            acc.add(m.getValue());
          }
        }
        Map<String, Set<String>> parsed = parsers.parse(s);
        for (Map.Entry<String, Set<String>> l : parsed.entrySet()) {
          Acc acc = field(fields, l.getKey(), fieldLimit);
          if (acc != null) {
            if (parsers.parser != null && !acc.parsers.contains(parsers.parser)) {
              acc.parsers.add(parsers.parser);
            }
            if ("json".equals(parsers.parser)) {
              acc.jsonPath = parsers.jsonPaths.getOrDefault(l.getKey(), acc.jsonPath);
            }
            // As Loki, the type comes from the first value of the entry.
            boolean first = true;
            for (String v : l.getValue()) {
              acc.values.add(v);
              if (first) {
                acc.type = typeOf(v);
                first = false;
              }
            }
          }
        }
      }
    }
    List<Field> result = new ArrayList<>();
    new TreeMap<>(fields)
        .forEach(
            (name, acc) ->
                result.add(
                    new Field(
                        name, acc.type, acc.values.size(), List.copyOf(acc.parsers),
                        acc.jsonPath)));
    return result;
  }

  /**
   * The distinct values of field {@code name} — structured metadata or parsed from the line (byte
   * sizes rewritten as Loki does, see {@link #humanizedBytes}) — among {@code samples}, sorted, at
   * most {@code limit}.
   */
  public static List<String> values(List<Sample> samples, String name, int limit) {
    LineParsers parsers = new LineParsers();
    java.util.TreeSet<String> values = new java.util.TreeSet<>();
    for (Sample s : samples) {
      if (values.size() >= limit) {
        break;
      }
      String meta = s.metadata().get(name);
      if (meta != null) {
        values.add(meta);
      }
      for (String v : parsers.parse(s).getOrDefault(name, Set.of())) {
        values.add(humanizedBytes(v));
      }
    }
    return new ArrayList<>(values);
  }

  private static final List<String> BYTE_UNITS =
      List.of("b", "kib", "kb", "mib", "mb", "gib", "gb", "tib", "tb", "pib", "pb", "eib", "eb",
          "ki", "k", "mi", "m", "gi", "g", "ti", "t", "pi", "p", "ei", "e");

  /**
   * A parsed value that reads as a byte size with a unit, rewritten as Loki's field-values
   * endpoint rewrites it (go-humanize's decimal {@code Bytes} without the space: {@code 1500} →
   * {@code 1.5kB}, {@code 3MB} → {@code 3.0MB}); any other value unchanged.
   */
  static String humanizedBytes(String value) {
    String lower = value.toLowerCase(java.util.Locale.ROOT);
    if (BYTE_UNITS.stream().noneMatch(lower::endsWith)) {
      return value;
    }
    long bytes;
    try {
      bytes = GoValues.parseBytes(value);
    } catch (ConversionException e) {
      return value;
    }
    if (bytes < 10) {
      return bytes + "B";
    }
    String[] units = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    int e = (int) Math.floor(Math.log(bytes) / Math.log(1000));
    double scaled = Math.floor(bytes / Math.pow(1000, e) * 10 + 0.5) / 10;
    String number =
        scaled < 10
            ? String.format(java.util.Locale.ROOT, "%.1f", scaled)
            : String.format(java.util.Locale.ROOT, "%.0f", scaled);
    return number + units[e];
  }

  /**
   * Reads a line as Loki's detection does: the {@code json} parser, and if the line is not JSON,
   * the non-strict {@code logfmt} parser; a line neither reads yields no fields. Names a parser
   * takes from the stream labels or metadata get Loki's {@code _extracted} suffix.
   */
  private static final class LineParsers {
    private final LogPipeline json = LogPipeline.compile(JSON);
    private final LogPipeline logfmt = LogPipeline.compile(LOGFMT);
    private final LabelsBuilder builder = new LabelsBuilder();
    private final Map<String, List<String>> jsonPaths = new HashMap<>();
    String parser;

    /**
     * The labels the query's stages extracted plus those the re-parse finds (a name found by
     * both keeps the query's value); sets {@link #parser}, null when neither parser read it.
     */
    Map<String, Set<String>> parse(Sample s) {
      Map<String, Set<String>> parsed = new TreeMap<>();
      s.parsed().forEach((k, v) -> parsed.computeIfAbsent(k, x -> new TreeSet<>()).add(v));
      parser = "json";
      builder.reset(s.stream(), Map.of());
      json.process(s.timestampNanos(), s.line(), builder);
      if (builder.hasError()) {
        parser = "logfmt";
        builder.reset(s.stream(), Map.of());
        logfmt.process(s.timestampNanos(), s.line(), builder);
        if (builder.hasError()) {
          parser = null;
          return parsed;
        }
      }
      for (Map.Entry<String, String> l : builder.labels().entrySet()) {
        if (!s.stream().containsKey(l.getKey())) {
          parsed.computeIfAbsent(l.getKey(), x -> new TreeSet<>()).add(l.getValue());
        }
      }
      jsonPaths.clear();
      if (parser.equals("json")) {
        try (com.fasterxml.jackson.core.JsonParser p = JSON_FACTORY.createParser(s.line())) {
          if (p.nextToken() == JsonToken.START_OBJECT) {
            collectPaths(p, new ArrayList<>(), s.stream(), parsed.keySet());
          }
        } catch (java.io.IOException e) {
          jsonPaths.clear(); // the parser read it, so this is unexpected: no paths then
        }
      }
      return parsed;
    }

    /**
     * The keys leading to each value of the object {@code p} is in, named as Loki's json parser
     * names the label (sanitised keys joined by {@code _}, {@code _extracted} when a stream label
     * has the name); only names the parser actually produced are kept.
     */
    private void collectPaths(
        com.fasterxml.jackson.core.JsonParser p, List<String> path,
        Map<String, String> stream, Set<String> produced) throws java.io.IOException {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        path.add(p.currentName());
        JsonToken value = p.nextToken();
        if (value == JsonToken.START_OBJECT) {
          collectPaths(p, path, stream, produced);
        } else if (value.isStructStart()) {
          p.skipChildren();
        } else if (value != null && value.isScalarValue() && value != JsonToken.VALUE_NULL) {
          String name = labelName(path);
          if (stream.containsKey(name)) {
            name = name + LabelsBuilder.DUPLICATE_SUFFIX;
          }
          if (produced.contains(name)) {
            jsonPaths.put(name, List.copyOf(path));
          }
        }
        path.remove(path.size() - 1);
      }
    }
  }

  /** Loki's label name for a JSON key path: each non-blank key sanitised, joined by {@code _}. */
  static String labelName(List<String> path) {
    StringBuilder name = new StringBuilder();
    for (int i = 0; i < path.size(); i++) {
      String key = path.get(i).strip();
      if (key.isEmpty()) {
        continue;
      }
      if (name.length() > 0) {
        name.append('_');
      }
      if (name.length() == 0 && key.charAt(0) >= '0' && key.charAt(0) <= '9') {
        name.append('_');
      }
      for (int j = 0; j < key.length(); j++) {
        char c = key.charAt(j);
        boolean ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        name.append(ok ? c : '_');
      }
    }
    return name.toString();
  }

  private static Acc field(Map<String, Acc> fields, String name, int limit) {
    Acc acc = fields.get(name);
    if (acc == null && fields.size() < limit) {
      acc = new Acc();
      fields.put(name, acc);
    }
    return acc;
  }

  /** Values seen, parsers seen and the latest type of one field. */
  private static final class Acc {
    final Set<String> values = new HashSet<>();
    final List<String> parsers = new ArrayList<>();
    String type = "string";
    List<String> jsonPath = List.of();

    void add(String value) {
      values.add(value);
      type = typeOf(value);
    }
  }

  /**
   * Loki's guess at a value's type, first match wins: Go {@code ParseInt} → int, {@code
   * ParseFloat} → float, {@code ParseBool} → boolean, {@code time.ParseDuration} → duration,
   * go-humanize {@code ParseBytes} → bytes, else string.
   */
  public static String typeOf(String value) {
    if (isGoInt(value)) {
      return "int";
    }
    try {
      GoValues.parseFloat(value);
      return "float";
    } catch (ConversionException e) {
      // not a float
    }
    switch (value) {
      case "1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False":
        return "boolean";
      default:
        break;
    }
    try {
      GoValues.parseDuration(value);
      return "duration";
    } catch (ConversionException e) {
      // not a duration
    }
    try {
      GoValues.parseBytes(value);
      return "bytes";
    } catch (ConversionException e) {
      // not a byte size
    }
    return "string";
  }

  private static boolean isGoInt(String value) {
    int i = 0;
    if (!value.isEmpty() && (value.charAt(0) == '-' || value.charAt(0) == '+')) {
      i = 1;
    }
    if (i == value.length()) {
      return false;
    }
    for (int j = i; j < value.length(); j++) {
      if (value.charAt(j) < '0' || value.charAt(j) > '9') {
        return false;
      }
    }
    try {
      Long.parseLong(value.charAt(0) == '+' ? value.substring(1) : value);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
