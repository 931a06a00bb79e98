package io.icegate.engine.logql.pipeline;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import io.icegate.engine.logql.template.GoTemplate;
import io.icegate.engine.logql.template.TemplateException;
import io.icegate.engine.logql.template.TemplateFunctions;
import io.icegate.logql.ast.BinaryLabelFilter;
import io.icegate.logql.ast.BytesLabelFilter;
import io.icegate.logql.ast.ComparisonOp;
import io.icegate.logql.ast.Decolorize;
import io.icegate.logql.ast.DropLabels;
import io.icegate.logql.ast.DurationLabelFilter;
import io.icegate.logql.ast.IpLabelFilter;
import io.icegate.logql.ast.IpLineFilter;
import io.icegate.logql.ast.JsonParser;
import io.icegate.logql.ast.KeepLabels;
import io.icegate.logql.ast.LabelExtraction;
import io.icegate.logql.ast.LabelFilter;
import io.icegate.logql.ast.LabelFilterStage;
import io.icegate.logql.ast.LabelFormat;
import io.icegate.logql.ast.LabelMatcher;
import io.icegate.logql.ast.LineFilter;
import io.icegate.logql.ast.LineFormat;
import io.icegate.logql.ast.LogfmtParser;
import io.icegate.logql.ast.NamedLabelMatcher;
import io.icegate.logql.ast.NumericLabelFilter;
import io.icegate.logql.ast.PatternLineFilter;
import io.icegate.logql.ast.PatternParser;
import io.icegate.logql.ast.PipelineStage;
import io.icegate.logql.ast.RegexpParser;
import io.icegate.logql.ast.StringLabelFilter;
import io.icegate.logql.ast.UnpackParser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A LogQL pipeline compiled for execution: each entry (timestamp, line, labels) runs through the
 * stages in order with Loki's semantics — line filters, parsers, formatters, label filters, {@code
 * drop}/{@code keep} — and comes out with its final line and labels, or is dropped. Compiling
 * checks what Loki checks when it builds a pipeline (template syntax, json paths), so a bad stage
 * fails the query before any data is read. Not thread-safe: one instance per operator.
 */
public final class LogPipeline {
  private final List<Stage> stages;
  private final List<PipelineStage> source;
  /**
   * Whether each stage may read the line's text; a label filter only reads labels and hands the
   * line it got back unread.
   */
  private final boolean[] readsLine;

  private LogPipeline(List<Stage> stages, List<PipelineStage> source) {
    this.stages = stages;
    this.source = source;
    this.readsLine = new boolean[source.size()];
    for (int k = 0; k < source.size(); k++) {
      readsLine[k] = !(source.get(k) instanceof LabelFilterStage);
    }
  }

  /** Compiles {@code stages}; throws {@link IllegalArgumentException} for a stage Loki refuses. */
  public static LogPipeline compile(List<PipelineStage> stages) {
    return compile(stages, null);
  }

  /** {@code wanted}: the only flat keys the json stages extract (null: all). */
  private static LogPipeline compile(List<PipelineStage> stages, Set<String> wanted) {
    List<Stage> out = new ArrayList<>(stages.size());
    for (PipelineStage s : stages) {
      out.add(compile(s, wanted));
    }
    return new LogPipeline(out, List.copyOf(stages));
  }

  /**
   * This pipeline for a consumer that reads only some labels of the entries that come out
   * without an error (a metric query's {@code by} grouping), and the label names whose values can
   * matter to it; the entries that end with an error must run through the whole pipeline again.
   *
   * @param pipeline the stages compiled so that the json parsers extract only the keys that can
   *     become one of {@code labels}: the rest of each line is still checked to be JSON, so
   *     which entries pass, their errors, and the values of {@code labels} are the whole
   *     pipeline's
   * @param labels the labels read (the consumer's and the label filters'), plus the names a json
   *     key takes before Loki's {@code _extracted} suffix: what the entry's structured metadata
   *     is needed for
   */
  public record Restricted(LogPipeline pipeline, Set<String> labels) {}

  /**
   * The pipeline restricted to a consumer that reads {@code readLabels}, or null when a stage may
   * read or rewrite any label (formatters, {@code drop}/{@code keep}, {@code logfmt}, {@code
   * unpack}), so only the whole pipeline is exact.
   */
  public Restricted restrictedTo(java.util.Collection<String> readLabels) {
    Set<String> needed = new HashSet<>(readLabels);
    boolean hasJson = false;
    for (PipelineStage s : source) {
      if (s instanceof LabelFilterStage f) {
        filterLabels(f.filter(), needed);
      } else if (s instanceof JsonParser) {
        hasJson = true;
      } else if (!(s instanceof LineFilter
          || s instanceof PatternLineFilter
          || s instanceof IpLineFilter)) {
        return null;
      }
    }
    Set<String> labels = new HashSet<>(needed);
    for (String name : needed) {
      if (name.endsWith(LabelsBuilder.DUPLICATE_SUFFIX)) {
        labels.add(name.substring(0, name.length() - LabelsBuilder.DUPLICATE_SUFFIX.length()));
      }
    }
    labels = Set.copyOf(labels);
    return new Restricted(hasJson ? compile(source, labels) : this, labels);
  }

  /**
   * Whether every entry this pipeline keeps comes out without {@code __error__}: no stage that
   * can set an error (a parser, a formatter, a numeric, duration or bytes comparison) comes after
   * the last {@code | __error__=""}.
   */
  public boolean keepsNoErrors() {
    boolean mayHaveError = false;
    for (PipelineStage s : source) {
      if (s instanceof LabelFilterStage f) {
        if (f.filter() instanceof StringLabelFilter sf
            && sf.matcher().name().equals(LabelsBuilder.ERROR)
            && sf.matcher().type() == LabelMatcher.MatchType.EQ
            && sf.matcher().value().isEmpty()) {
          mayHaveError = false;
        } else if (setsErrors(f.filter())) {
          mayHaveError = true;
        }
      } else if (!(s instanceof LineFilter
          || s instanceof PatternLineFilter
          || s instanceof IpLineFilter)) {
        mayHaveError = true;
      }
    }
    return !mayHaveError;
  }

  /** Whether a label filter may set {@code LabelFilterErr} (a value that doesn't convert). */
  private static boolean setsErrors(LabelFilter filter) {
    if (filter instanceof BinaryLabelFilter b) {
      return setsErrors(b.left()) || setsErrors(b.right());
    }
    return filter instanceof NumericLabelFilter
        || filter instanceof DurationLabelFilter
        || filter instanceof BytesLabelFilter;
  }

  private static void filterLabels(LabelFilter filter, Set<String> out) {
    if (filter instanceof BinaryLabelFilter b) {
      filterLabels(b.left(), out);
      filterLabels(b.right(), out);
    } else if (filter instanceof StringLabelFilter f) {
      out.add(f.matcher().name());
    } else if (filter instanceof NumericLabelFilter f) {
      out.add(f.label());
    } else if (filter instanceof DurationLabelFilter f) {
      out.add(f.label());
    } else if (filter instanceof BytesLabelFilter f) {
      out.add(f.label());
    } else if (filter instanceof IpLabelFilter f) {
      out.add(f.label());
    } else {
      throw new IllegalArgumentException("unknown label filter " + filter);
    }
  }

  /**
   * Runs the entry through the stages; {@code labels} must have been {@link LabelsBuilder#reset}
   * and holds the final labels afterwards. Returns the final line, or {@code null} if dropped.
   */
  public String process(long timestampNanos, String line, LabelsBuilder labels) {
    String current = line;
    for (Stage s : stages) {
      current = s.process(timestampNanos, current, labels);
      if (current == null) {
        return null;
      }
    }
    return current;
  }

  /**
   * What {@link #process(long, Utf8Line, LabelsBuilder)} returns for an entry it keeps whose line
   * no stage changed or decoded: the line is the input's bytes as they are.
   */
  public static final String UNDECODED = new String("(undecoded line)");

  /**
   * Runs the entry whose line is given as UTF-8 bytes: {@code json} stages walk the bytes and
   * label filters don't read the line, so it is decoded only for the first stage that reads its
   * text. Returns {@code null} when dropped, {@link #UNDECODED} when kept with the line as it
   * was and never decoded, else the final line (the decoded text itself, {@link
   * Utf8Line#textIfDecoded}, when no stage changed it).
   */
  public String process(long timestampNanos, Utf8Line line, LabelsBuilder labels) {
    String current = UNDECODED;
    for (int k = 0; k < stages.size(); k++) {
      Stage s = stages.get(k);
      if (current == UNDECODED) {
        if (s instanceof JsonStage json) {
          json.process(line, labels);
          continue;
        }
        if (!readsLine[k]) {
          if (s.process(timestampNanos, UNDECODED, labels) == null) {
            return null;
          }
          continue;
        }
        current = line.text();
      }
      current = s.process(timestampNanos, current, labels);
      if (current == null) {
        return null;
      }
    }
    return current;
  }

  private static Stage compile(PipelineStage stage, Set<String> wanted) {
    if (stage instanceof LineFilter f) {
      return lineFilter(f);
    }
    if (stage instanceof PatternLineFilter f) {
      List<PatternMatcher> ms = f.patterns().stream().map(PatternMatcher::new).toList();
      return keepIf(line -> ms.stream().anyMatch(m -> m.test(line)) != f.negated());
    }
    if (stage instanceof IpLineFilter f) {
      return ipLineFilter(f);
    }
    if (stage instanceof JsonParser p) {
      return p.extractions().isEmpty() ? json(wanted) : jsonExpressions(p.extractions());
    }
    if (stage instanceof LogfmtParser p) {
      return logfmt(p);
    }
    if (stage instanceof RegexpParser p) {
      return regexp(p.regex());
    }
    if (stage instanceof PatternParser p) {
      return pattern(p.pattern());
    }
    if (stage instanceof UnpackParser) {
      return LogPipeline::unpack;
    }
    if (stage instanceof Decolorize) {
      return (ts, line, lbs) -> ANSI.matcher(line).replaceAll("");
    }
    if (stage instanceof DropLabels d) {
      return drop(d.labels());
    }
    if (stage instanceof KeepLabels k) {
      return keep(k.labels());
    }
    if (stage instanceof LabelFilterStage f) {
      return labelFilter(f.filter());
    }
    if (stage instanceof LineFormat f) {
      return lineFormat(f.template());
    }
    if (stage instanceof LabelFormat f) {
      return labelFormat(f);
    }
    throw new IllegalArgumentException("unknown stage " + stage);
  }

  private static Stage keepIf(Predicate<String> test) {
    return (ts, line, lbs) -> test.test(line) ? line : null;
  }

  // ------------------------------------------------------------------ line filters

  private static Stage lineFilter(LineFilter f) {
    Predicate<String> any;
    switch (f.op()) {
      case CONTAINS, NOT_CONTAINS -> {
        List<String> values = f.values();
        any =
            line -> {
              for (String v : values) {
                if (line.contains(v)) {
                  return true;
                }
              }
              return false;
            };
      }
      default -> {
        List<Pattern> ps = f.values().stream().map(Pattern::compile).toList();
        any =
            line -> {
              for (Pattern p : ps) {
                if (p.matcher(line).find()) {
                  return true;
                }
              }
              return false;
            };
      }
    }
    boolean negated = f.op().negated();
    return keepIf(line -> any.test(line) != negated);
  }

  private static Stage ipLineFilter(IpLineFilter f) {
    if (f.op() != IpLineFilter.Op.CONTAINS && f.op() != IpLineFilter.Op.NOT_CONTAINS) {
      throw new IllegalArgumentException("ip: invalid operation");
    }
    List<Predicate<String>> alts = new ArrayList<>();
    for (IpLineFilter.Alternative a : f.alternatives()) {
      if (a instanceof IpLineFilter.IpPattern p) {
        IpMatcher m = new IpMatcher(p.pattern());
        alts.add(m::containedIn);
      } else if (a instanceof IpLineFilter.Text t) {
        alts.add(line -> line.contains(t.value()));
      }
    }
    boolean negated = f.op().negated();
    return keepIf(line -> alts.stream().anyMatch(p -> p.test(line)) != negated);
  }

  // ------------------------------------------------------------------ parsers

  static final String JSON_ERROR = "JSONParserErr";
  static final String LOGFMT_ERROR = "LogfmtParserErr";
  static final String LABEL_FILTER_ERROR = "LabelFilterErr";
  static final String TEMPLATE_ERROR = "TemplateFormatErr";

  /**
   * The json parser without parameters: every scalar leaf becomes a label (nested keys joined by
   * {@code _}, the first of a repeated key wins), or with {@code wanted} only the leaves whose
   * flat key is one of those; a line that is not a JSON object gets the error and no label.
   */
  private static Stage json(Set<String> wanted) {
    return new JsonStage(wanted);
  }

  /**
   * The json parser without parameters: every scalar leaf becomes a label (nested keys joined by
   * {@code _}, the first of a repeated key wins), or with {@code wanted} only the leaves whose
   * flat key is one of those; a line that is not a JSON object gets the error and no label. It
   * walks a line's UTF-8 bytes when it has them ({@link JsonBytes}), its text otherwise.
   */
  private static final class JsonStage implements Stage {
    private final Set<String> wanted;
    private final JsonScanner.KeyCache names = new JsonScanner.KeyCache();
    private final JsonBytes bytes = new JsonBytes();
    private final JsonBytes.KeyCache byteNames = new JsonBytes.KeyCache();
    /** The keys found, once there are more than {@link #FEW} (fewer are searched in order). */
    private final Set<String> seen = new HashSet<>();
    private boolean seenFilled;
    private final List<String> found = new ArrayList<>();
    private final JsonScanner.LeafVisitor collect =
        (key, value) -> {
          if (firstTime(key)) {
            found.add(key);
            found.add(value);
          }
        };

    /** Up to this many keys a line's duplicates are found by a search of {@link #found}. */
    private static final int FEW = 8;

    JsonStage(Set<String> wanted) {
      this.wanted = wanted;
    }

    @Override
    public String process(long ts, String line, LabelsBuilder lbs) {
      clear();
      int end = new JsonScanner(line).flatten(0, "", wanted, names, collect);
      return finish(end, line, lbs);
    }

    /**
     * Whether {@code key} is the line's first leaf of that name (the first one wins). A line's
     * few keys are searched in order: clearing a hash set per line cost more than the search.
     */
    private boolean firstTime(String key) {
      int n = found.size();
      if (n < 2 * FEW) {
        for (int i = 0; i < n; i += 2) {
          if (found.get(i).equals(key)) {
            return false;
          }
        }
        return true;
      }
      if (!seenFilled) {
        for (int i = 0; i < n; i += 2) {
          seen.add(found.get(i));
        }
        seenFilled = true;
      }
      return seen.add(key);
    }

    private void clear() {
      found.clear();
      if (seenFilled) {
        seen.clear();
        seenFilled = false;
      }
    }

    /** The stage over the line's bytes; the text is decoded only when they can't decide. */
    void process(Utf8Line line, LabelsBuilder lbs) {
      clear();
      int end = bytes.flatten(line.bytes, line.length, wanted, byteNames, collect);
      if (end == JsonBytes.UNDECIDED) {
        process(0, line.text(), lbs);
        return;
      }
      finish(end, null, lbs);
    }

    private String finish(int end, String line, LabelsBuilder lbs) {
      if (end < 0) {
        lbs.setError(JSON_ERROR, "Value looks like object, but can't find closing '}' symbol");
        return line;
      }
      for (int i = 0; i < found.size(); i += 2) {
        lbs.setParsed(found.get(i), LabelNames.cleanValue(found.get(i + 1)));
      }
      return line;
    }
  }

  private static Stage jsonExpressions(List<LabelExtraction> extractions) {
    List<String> names = new ArrayList<>();
    List<List<Object>> paths = new ArrayList<>();
    for (LabelExtraction e : extractions) {
      names.add(e.label());
      paths.add(JsonPath.parse(e.expression()));
    }
    return (ts, line, lbs) -> {
      if (line.isEmpty()) {
        return line;
      }
      JsonScanner scanner = new JsonScanner(line);
      int start = scanner.skipWs(0);
      if (start >= line.length() || (line.charAt(start) != '{' && line.charAt(start) != '[')) {
        lbs.setError(JSON_ERROR, null);
        return line;
      }
      for (int i = 0; i < names.size(); i++) {
        String v = scanner.lookup(0, paths.get(i), 0);
        lbs.setParsed(names.get(i), v == null ? "" : LabelNames.cleanValue(v));
      }
      return line;
    };
  }

  private static String unpack(long ts, String line, LabelsBuilder lbs) {
    if (line.isEmpty()) {
      return line;
    }
    JsonScanner s = new JsonScanner(line);
    int i = s.skipWs(0);
    if (i >= line.length() || line.charAt(i) != '{') {
      lbs.setError(JSON_ERROR, "expecting json object(6), but it is not");
      return line;
    }
    String entry = null;
    List<String[]> found = new ArrayList<>();
    i = s.skipWs(i + 1);
    boolean ok = true;
    if (i < line.length() && line.charAt(i) == '}') {
      i++;
    } else {
      while (true) {
        i = s.readString(s.skipWs(i));
        if (i < 0) {
          ok = false;
          break;
        }
        String key = s.lastString();
        i = s.skipWs(i);
        if (i >= line.length() || line.charAt(i) != ':') {
          ok = false;
          break;
        }
        i = s.skipWs(i + 1);
        if (i < line.length() && line.charAt(i) == '"') {
          i = s.readString(i);
          if (i < 0) {
            ok = false;
            break;
          }
          if (key.equals("_entry")) {
            entry = s.lastString();
          } else {
            found.add(new String[] {key, s.lastString()});
          }
        } else {
          i = s.skipValue(i);
          if (i < 0) {
            ok = false;
            break;
          }
        }
        i = s.skipWs(i);
        if (i < line.length() && line.charAt(i) == ',') {
          i++;
          continue;
        }
        if (i < line.length() && line.charAt(i) == '}') {
          break;
        }
        ok = false;
        break;
      }
    }
    if (!ok) {
      lbs.setError(JSON_ERROR, "expecting json object(6), but it is not");
      return line;
    }
    if (entry == null) {
      // Without _entry the line was not packed by Promtail: nothing to unpack.
      return line;
    }
    for (String[] kv : found) {
      String name = LabelNames.sanitize(kv[0], true);
      if (!name.isEmpty()) {
        lbs.setParsed(name, LabelNames.cleanValue(kv[1]));
      }
    }
    return entry;
  }

  private static Stage logfmt(LogfmtParser p) {
    boolean strict = p.strict();
    boolean keepEmpty = p.keepEmpty();
    if (p.extractions().isEmpty()) {
      return (ts, line, lbs) -> {
        Set<String> seen = new HashSet<>();
        String err =
            LogfmtReader.read(
                line,
                strict,
                (key, value) -> {
                  String name = LabelNames.sanitize(key, true);
                  if (name.isEmpty() || (value.isEmpty() && !keepEmpty) || !seen.add(name)) {
                    return;
                  }
                  lbs.setParsed(name, value);
                });
        if (err != null) {
          lbs.setError(LOGFMT_ERROR, err);
        }
        return line;
      };
    }
    Map<String, List<String>> byKey = new HashMap<>();
    for (LabelExtraction e : p.extractions()) {
      if (!e.expression().matches("[^\\s=\"]+")) {
        throw new IllegalArgumentException(
            "cannot parse expression [" + e.expression() + "]: syntax error: unexpected KEY");
      }
      byKey.computeIfAbsent(e.expression(), k -> new ArrayList<>()).add(e.label());
    }
    List<LabelExtraction> extractions = p.extractions();
    return (ts, line, lbs) -> {
      Map<String, String> values = new HashMap<>();
      String err =
          LogfmtReader.read(
              line,
              strict,
              (key, value) -> {
                if (byKey.containsKey(key)) {
                  values.putIfAbsent(key, value);
                }
              });
      for (LabelExtraction e : extractions) {
        String v = values.get(e.expression());
        lbs.setParsed(e.label(), v == null ? "" : v);
      }
      if (err != null) {
        lbs.setError(LOGFMT_ERROR, err);
      }
      return line;
    };
  }

  private static Stage regexp(String regex) {
    Pattern p = Pattern.compile(regex);
    Map<String, Integer> groups = p.namedGroups();
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("at least one named capture must be supplied");
    }
    List<Map.Entry<String, Integer>> ordered = new ArrayList<>(groups.entrySet());
    ordered.sort(Map.Entry.comparingByValue());
    return (ts, line, lbs) -> {
      Matcher m = p.matcher(line);
      if (!m.find()) {
        return line;
      }
      for (Map.Entry<String, Integer> g : ordered) {
        String v = m.group(g.getValue());
        lbs.setParsed(LabelNames.sanitize(g.getKey(), true), v == null ? "" : v);
      }
      return line;
    };
  }

  private static Stage pattern(String pattern) {
    PatternMatcher m = new PatternMatcher(pattern);
    return (ts, line, lbs) -> {
      m.match(line, lbs::setParsed);
      return line;
    };
  }

  // ------------------------------------------------------------------ labels

  private static Stage drop(List<NamedLabelMatcher> labels) {
    List<Predicate<String>> tests = labels.stream().map(LogPipeline::valueTest).toList();
    return (ts, line, lbs) -> {
      for (int i = 0; i < labels.size(); i++) {
        String name = labels.get(i).name();
        String value = lbs.get(name);
        if (value != null && tests.get(i).test(value)) {
          lbs.delete(name);
        }
      }
      return line;
    };
  }

  private static Stage keep(List<NamedLabelMatcher> labels) {
    if (labels.isEmpty()) {
      return (ts, line, lbs) -> line;
    }
    Map<String, List<Predicate<String>>> byName = new HashMap<>();
    for (NamedLabelMatcher l : labels) {
      byName.computeIfAbsent(l.name(), k -> new ArrayList<>()).add(valueTest(l));
    }
    return (ts, line, lbs) -> {
      lbs.retain(
          (name, value) -> {
            if (name.equals("__preserve_error__")) {
              return true;
            }
            List<Predicate<String>> tests = byName.get(name);
            return tests != null && tests.stream().anyMatch(t -> t.test(value));
          });
      return line;
    };
  }

  /** A bare name matches every value; a matcher only the values it accepts. */
  private static Predicate<String> valueTest(NamedLabelMatcher l) {
    return l.matcher().isEmpty() ? v -> true : matcher(l.matcher().get());
  }

  static Predicate<String> matcher(LabelMatcher m) {
    String value = m.value();
    return switch (m.type()) {
      case EQ -> v -> v.equals(value);
      case NEQ -> v -> !v.equals(value);
      case RE -> {
        Pattern p = Pattern.compile("^(?:" + value + ")$", Pattern.DOTALL);
        yield v -> p.matcher(v).matches();
      }
      case NRE -> {
        Pattern p = Pattern.compile("^(?:" + value + ")$", Pattern.DOTALL);
        yield v -> !p.matcher(v).matches();
      }
    };
  }

  // ------------------------------------------------------------------ label filters

  /** A compiled label filter: whether the entry passes (it may set {@code __error__}). */
  private interface Filter {
    boolean test(LabelsBuilder lbs);
  }

  private static Stage labelFilter(LabelFilter filter) {
    Filter f = compileFilter(filter);
    return (ts, line, lbs) -> f.test(lbs) ? line : null;
  }

  private static Filter compileFilter(LabelFilter filter) {
    if (filter instanceof BinaryLabelFilter b) {
      Filter l = compileFilter(b.left());
      Filter r = compileFilter(b.right());
      if (b.op() == BinaryLabelFilter.Op.AND) {
        return lbs -> {
          boolean left = l.test(lbs);
          boolean right = r.test(lbs);
          return left && right;
        };
      }
      return lbs -> l.test(lbs) || r.test(lbs);
    }
    if (filter instanceof StringLabelFilter s) {
      Predicate<String> test = matcher(s.matcher());
      String name = s.matcher().name();
      return lbs -> {
        String v = lbs.get(name);
        return test.test(v == null ? "" : v);
      };
    }
    if (filter instanceof NumericLabelFilter n) {
      return typed(n.label(), n.op(), v -> Double.compare(GoValues.parseFloat(v), n.value()));
    }
    if (filter instanceof DurationLabelFilter d) {
      long want = d.value().toNanos();
      return typed(d.label(), d.op(), v -> Long.compare(GoValues.parseDuration(v), want));
    }
    if (filter instanceof BytesLabelFilter b) {
      return typed(b.label(), b.op(), v -> Long.compareUnsigned(GoValues.parseBytes(v), b.bytes()));
    }
    IpLabelFilter ip = (IpLabelFilter) filter;
    IpMatcher m = new IpMatcher(ip.pattern());
    return lbs -> {
      String v = lbs.get(ip.label());
      if (v == null) {
        return false;
      }
      return m.matches(v.strip()) != ip.negated();
    };
  }

  private interface Comparison {
    int compare(String value) throws GoValues.ConversionException;
  }

  /**
   * A numeric, duration or bytes comparison, as Loki runs it: an entry that already carries an
   * error passes untouched; a missing label fails; a value that doesn't convert passes with {@code
   * LabelFilterErr}.
   */
  private static Filter typed(String label, ComparisonOp op, Comparison cmp) {
    return lbs -> {
      if (lbs.hasError()) {
        return true;
      }
      String v = lbs.get(label);
      if (v == null) {
        return false;
      }
      int c;
      try {
        c = cmp.compare(v);
      } catch (GoValues.ConversionException e) {
        lbs.setError(LABEL_FILTER_ERROR, e.getMessage());
        return true;
      }
      return switch (op) {
        case EQ -> c == 0;
        case NEQ -> c != 0;
        case GT -> c > 0;
        case GTE -> c >= 0;
        case LT -> c < 0;
        case LTE -> c <= 0;
      };
    };
  }

  // ------------------------------------------------------------------ formatters

  private static GoTemplate template(String name, String text) {
    try {
      return GoTemplate.parse(name, text);
    } catch (TemplateException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  private static Stage lineFormat(String text) {
    GoTemplate t = template("line", text);
    return (ts, line, lbs) -> {
      try {
        return t.execute(lbs.toMap(), new TemplateFunctions.Context(line, ts));
      } catch (TemplateException e) {
        lbs.setError(TEMPLATE_ERROR, e.getMessage());
        return line;
      }
    };
  }

  private static Stage labelFormat(LabelFormat f) {
    List<LabelFormat.Operation> ops = f.operations();
    Set<String> targets = new HashSet<>();
    List<GoTemplate> templates = new ArrayList<>();
    for (LabelFormat.Operation op : ops) {
      if (!targets.add(op.target())) {
        throw new IllegalArgumentException(
            "multiple label name '" + op.target() + "' not allowed in a single format operation");
      }
      if (op.target().equals(LabelsBuilder.ERROR)
          || op.target().equals(LabelsBuilder.ERROR_DETAILS)) {
        throw new IllegalArgumentException(op.target() + " cannot be formatted");
      }
      templates.add(op instanceof LabelFormat.Template t ? template("label", t.template()) : null);
    }
    return (ts, line, lbs) -> {
      Map<String, String> data = null;
      for (int i = 0; i < ops.size(); i++) {
        LabelFormat.Operation op = ops.get(i);
        if (op instanceof LabelFormat.Rename r) {
          String v = lbs.get(r.source());
          if (v != null) {
            lbs.set(r.target(), v);
            if (!r.source().equals(r.target())) {
              lbs.delete(r.source());
            }
          }
          continue;
        }
        if (data == null) {
          data = lbs.toMap();
        }
        try {
          lbs.set(
              op.target(), templates.get(i).execute(data, new TemplateFunctions.Context(line, ts)));
        } catch (TemplateException e) {
          lbs.setError(TEMPLATE_ERROR, e.getMessage());
        }
      }
      return line;
    };
  }

  /** Loki's pattern for ANSI color escapes, removed by {@code decolorize}. */
  private static final Pattern ANSI =
      Pattern.compile(
          "[\\x{001B}\\x{009B}][\\[\\]()#;?]*(?:(?:(?:[a-zA-Z\\d]*(?:;[a-zA-Z\\d]*)*)?\\x{0007})|(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PR-TZcf-ntqry=><~]))");
}
