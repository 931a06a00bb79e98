package io.icegate.engine.promql;

import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.Series;
import io.icegate.engine.series.SeriesSource;
import io.icegate.engine.series.StaleMarker;
import io.icegate.engine.series.StepGrid;
import io.icegate.promql.PromQL;
import io.icegate.promql.PromQLOptions;
import io.icegate.promql.ast.Expr;
import io.icegate.promql.ast.LabelMatcher;
import io.icegate.promql.ast.VectorSelector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one Prometheus promqltest script (format: shared/reference/promqltest/FORMAT.md) against
 * our engine over an in-memory series store, and reports each {@code eval} as passed or failed
 * with a reason. Comparison follows Prometheus's own runner: label sets as sets (or in order with
 * {@code expect ordered}), floats with relative tolerance 1e-6, annotations only when expected.
 */
final class PromQLScript {
  /** The outcome of one eval: its line in the file and, when it failed, why. */
  record Outcome(int line, String query, String failure) {
    boolean passed() {
      return failure == null;
    }
  }

  private static final Pattern INSTANT =
      Pattern.compile("^eval(?:_(fail|warn|ordered|info))?\\s+instant\\s+(?:at\\s+(.+?))?\\s+(.+)$");
  private static final Pattern RANGE =
      Pattern.compile(
          "^eval(?:_(fail|warn|info))?\\s+range\\s+from\\s+(.+)\\s+to\\s+(.+)\\s+step\\s+(.+?)\\s+(.+)$");
  private static final Pattern LOAD = Pattern.compile("^load(?:_(with_nhcb))?\\s+(.+?)$");
  private static final Pattern EXPECT =
      Pattern.compile("^expect\\s+(ordered|fail|warn|no_warn|info|no_info)(?:\\s+(regex|msg):(.+))?$");
  private static final Pattern RANGE_VECTOR =
      Pattern.compile("^expect\\s+range\\s+vector\\s+from\\s+(\\S+)\\s+to\\s+(\\S+)\\s+step\\s+(\\S+)$");
  private static final Pattern DURATION =
      Pattern.compile("^(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?$");
  private static final Pattern ITEM =
      Pattern.compile(
          "^([+-]?(?:[0-9]*\\.?[0-9]+(?:[eE][+-]?[0-9]+)?|[iI]nf|[nN]a[nN]))(?:([+-])([0-9]*\\.?[0-9]+(?:[eE][+-]?[0-9]+)?|[iI]nf|[nN]a[nN]))?x([0-9]+)$");

  /** Where {@code load} puts series and evals read them from. */
  interface Store extends SeriesSource {
    void add(Labels labels, long time, double value);

    void addHistogram(Labels labels, long time, FloatHistogram h);

    /** Gives the sample at {@code time} a start timestamp ({@code @st} lines). */
    default void startTimestamp(Labels labels, long time, long start) {
      throw new UnsupportedOperationException("start timestamps (@st lines) are not stored");
    }

    void clear();
  }

  private final Store store;
  private final PromQLEngine engine;

  PromQLScript() {
    this(new InMemorySeriesSource());
  }

  PromQLScript(Store store) {
    this.store = store;
    this.engine =
        new PromQLEngine(
            store,
            PromQLEngine.Options.DEFAULT
                .withMaxSamples(10_000)
                .withParserOptions(PromQLOptions.ALL_ENABLED)
                .withStartTimestamps(true));
  }

  /** Runs every command of the script in order; one outcome per eval. */
  List<Outcome> run(String text) {
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      lines[i] = lines[i].trim();
      if (lines[i].startsWith("#")) {
        lines[i] = "";
      }
    }
    List<Outcome> outcomes = new ArrayList<>();
    int i = 0;
    while (i < lines.length) {
      if (lines[i].isEmpty()) {
        i++;
        continue;
      }
      int header = i;
      List<String> body = new ArrayList<>();
      i++;
      if (lines[header].equalsIgnoreCase("clear")) {
        store.clear(); // takes no body: the next line may start a command
        continue;
      }
      while (i < lines.length && !lines[i].isEmpty()) {
        body.add(lines[i++]);
      }
      String cmd = lines[header].split("\\s+")[0].toLowerCase();
      if (cmd.equals("clear")) {
        store.clear();
      } else if (cmd.startsWith("load")) {
        load(lines[header], body);
      } else if (cmd.startsWith("eval")) {
        String failure;
        try {
          failure = eval(lines[header], body);
        } catch (RuntimeException e) {
          failure = "runner error: " + e;
        }
        outcomes.add(new Outcome(header + 1, lines[header], failure));
      } else {
        throw new IllegalArgumentException("invalid command at line " + (header + 1));
      }
    }
    return outcomes;
  }

  // ---------------------------------------------------------------------------------- load

  private void load(String header, List<String> body) {
    Matcher m = LOAD.matcher(header);
    if (!m.matches()) {
      throw new IllegalArgumentException("bad load: " + header);
    }
    long interval = duration(m.group(2));
    boolean nhcb = m.group(1) != null;
    nhcbParts.clear();
    // The start timestamp offsets of an @st line, for the sample line that follows it.
    List<Long> pendingStarts = null;
    Labels pendingLabels = null;
    for (String line : body) {
      String[] parts = splitSeries(line);
      if (parts[0].endsWith("@st") || parts[1].startsWith("@st")) {
        String series = parts[0].endsWith("@st")
            ? parts[0].substring(0, parts[0].length() - 3) : parts[0];
        String items = parts[1].startsWith("@st") ? parts[1].substring(3).trim() : parts[1];
        pendingLabels = labels(series);
        pendingStarts = startOffsets(items);
        continue;
      }
      Labels labels = labels(parts[0]);
      List<Object> values = expand(parts[1]);
      List<Long> starts = pendingStarts;
      if (starts != null && (!labels.equals(pendingLabels) || starts.size() != values.size())) {
        throw new IllegalArgumentException("@st line does not match the line after it: " + line);
      }
      pendingStarts = null;
      for (int k = 0; k < values.size(); k++) {
        Object v = values.get(k);
        if (starts != null && starts.get(k) != null
            && (v instanceof Double || v instanceof HistogramLiteral)) {
          // The start is the sample's time plus the offset (0, as at t=0 with offset 0, is
          // "unknown", as in Prometheus).
          store.startTimestamp(labels, k * interval, k * interval + starts.get(k));
        }
        if (v instanceof Double d) {
          store.add(labels, k * interval, d);
          if (nhcb) {
            collectClassic(nhcbParts, labels, k, d);
          }
        } else if (v instanceof HistogramLiteral h) {
          store.addHistogram(labels, k * interval, h.histogram());
        }
      }
    }
    nhcbParts.forEach(
        (base, byStep) ->
            byStep.forEach(
                (k, classic) -> {
                  FloatHistogram h = classic.toNhcb();
                  if (h != null) {
                    store.addHistogram(base, k * interval, h);
                  }
                }));
  }

  /** The parts of one classic histogram at one step, for load_with_nhcb. */
  private static final class Classic {
    final java.util.TreeMap<Double, Double> buckets = new java.util.TreeMap<>();
    Double count;
    Double sum;

    /** The native histogram with custom buckets these parts describe, or null without buckets. */
    FloatHistogram toNhcb() {
      if (buckets.isEmpty()) {
        return null;
      }
      List<Double> bounds = new ArrayList<>();
      List<Double> counts = new ArrayList<>();
      double previous = 0;
      for (Map.Entry<Double, Double> b : buckets.entrySet()) {
        if (b.getKey() != Double.POSITIVE_INFINITY) {
          bounds.add(b.getKey());
        }
        counts.add(b.getValue() - previous);
        previous = b.getValue();
      }
      int[] idx = new int[counts.size()];
      double[] c = new double[counts.size()];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = i;
        c[i] = counts.get(i);
      }
      double total = count != null ? count : previous;
      return new FloatHistogram(FloatHistogram.CUSTOM_BUCKETS_SCHEMA, 0, 0, total,
          sum != null ? sum : 0, idx, c, new int[0], new double[0],
          bounds.stream().mapToDouble(Double::doubleValue).toArray(),
          FloatHistogram.CounterResetHint.UNKNOWN);
    }
  }

  private final Map<Labels, Map<Integer, Classic>> nhcbParts = new LinkedHashMap<>();

  private void collectClassic(
      Map<Labels, Map<Integer, Classic>> into, Labels labels, int k, double value) {
    String name = labels.get(Labels.METRIC_NAME);
    String base;
    int kind;
    if (name.endsWith("_bucket") && labels.has("le")) {
      base = name.substring(0, name.length() - "_bucket".length());
      kind = 0;
    } else if (name.endsWith("_count")) {
      base = name.substring(0, name.length() - "_count".length());
      kind = 1;
    } else if (name.endsWith("_sum")) {
      base = name.substring(0, name.length() - "_sum".length());
      kind = 2;
    } else {
      return;
    }
    Labels key = labels.without(List.of("le")).with(Labels.METRIC_NAME, base);
    Classic c = into.computeIfAbsent(key, x -> new LinkedHashMap<>()).computeIfAbsent(k, x -> new Classic());
    switch (kind) {
      case 0 -> {
        double le;
        try {
          le = number(labels.get("le"));
        } catch (NumberFormatException e) {
          return;
        }
        if (!Double.isNaN(le)) {
          c.buckets.put(le, value);
        }
      }
      case 1 -> c.count = value;
      default -> c.sum = value;
    }
  }

  /** The labels part and the values part of a series line. */
  static String[] splitSeries(String line) {
    int brace = -1;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (Character.isWhitespace(c)) {
        break;
      }
      if (c == '{') {
        brace = i;
        break;
      }
    }
    int end;
    if (brace >= 0) {
      boolean quoted = false;
      char quote = 0;
      int i = brace + 1;
      for (; i < line.length(); i++) {
        char c = line.charAt(i);
        if (quoted) {
          if (c == '\\') {
            i++;
          } else if (c == quote) {
            quoted = false;
          }
        } else if (c == '"' || c == '\'' || c == '`') {
          quoted = true;
          quote = c;
        } else if (c == '}') {
          break;
        }
      }
      end = i + 1;
    } else {
      end = 0;
      while (end < line.length() && !Character.isWhitespace(line.charAt(end))) {
        end++;
      }
    }
    return new String[] {line.substring(0, end), line.substring(Math.min(end, line.length())).trim()};
  }

  static Labels labels(String text) {
    if (text.replace(" ", "").equals("{}")) {
      return Labels.EMPTY;
    }
    Expr e = PromQL.parse(text, PromQLOptions.ALL_ENABLED);
    Map<String, String> m = new HashMap<>();
    for (LabelMatcher lm : ((VectorSelector) e).matchers()) {
      m.put(lm.name(), lm.value());
    }
    return Labels.of(m);
  }

  /**
   * The expanded values: {@link Double}s, {@link HistogramLiteral}s, and nulls for omitted slots.
   */
  static List<Object> expand(String values) {
    List<Object> out = new ArrayList<>();
    for (String item : tokens(values)) {
      if (item.startsWith("{{")) {
        int close = item.indexOf("}}");
        HistogramLiteral h = HistogramLiteral.parse(item.substring(2, close));
        String rest = item.substring(close + 2);
        if (rest.isEmpty()) {
          out.add(h);
          continue;
        }
        Matcher rep = Pattern.compile("^(?:([+-])\\{\\{(.*)}})?x([0-9]+)$").matcher(rest);
        if (!rep.matches()) {
          throw new IllegalArgumentException("bad histogram item " + item);
        }
        int k = Integer.parseInt(rep.group(3));
        FloatHistogram cur = h.histogram();
        FloatHistogram delta = rep.group(2) == null ? null : HistogramLiteral.parse(rep.group(2)).histogram();
        double sign = "-".equals(rep.group(1)) ? -1 : 1;
        for (int i = 0; i <= k; i++) {
          out.add(new HistogramLiteral(cur, h.hintGiven()));
          if (delta != null) {
            cur = cur.add(delta, sign).withHint(h.histogram().hint);
          }
        }
      } else if (item.equals("_")) {
        out.add(null);
      } else if (item.startsWith("_x")) {
        int k = Integer.parseInt(item.substring(2));
        for (int i = 0; i < k; i++) {
          out.add(null);
        }
      } else if (item.equals("stale")) {
        out.add(StaleMarker.STALE_NAN);
      } else {
        Matcher m = ITEM.matcher(item);
        if (m.matches()) {
          double v = number(m.group(1));
          double d = m.group(3) == null ? 0 : number(m.group(3));
          if ("-".equals(m.group(2))) {
            d = -d;
          }
          int k = Integer.parseInt(m.group(4));
          for (int i = 0; i <= k; i++) {
            out.add(v);
            v += d;
          }
        } else {
          out.add(number(item));
        }
      }
    }
    return out;
  }

  /** Splits on whitespace outside {@code {{ }}}. */
  private static List<String> tokens(String values) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int depth = 0;
    for (int i = 0; i < values.length(); i++) {
      char c = values.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
      }
      if (Character.isWhitespace(c) && depth == 0) {
        if (cur.length() > 0) {
          out.add(cur.toString());
          cur.setLength(0);
        }
      } else {
        cur.append(c);
      }
    }
    if (cur.length() > 0) {
      out.add(cur.toString());
    }
    return out;
  }

  /** Go's ParseFloat, as far as the scripts use it. */
  static double number(String s) {
    String t = s.toLowerCase();
    String unsigned = t.startsWith("+") || t.startsWith("-") ? t.substring(1) : t;
    boolean neg = t.startsWith("-");
    if (unsigned.equals("inf") || unsigned.equals("infinity")) {
      return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (unsigned.equals("nan")) {
      return Double.NaN;
    }
    if (unsigned.startsWith("0x")) {
      double v = Long.parseLong(unsigned.substring(2), 16);
      return neg ? -v : v;
    }
    return Double.parseDouble(s);
  }

  /**
   * The items of an {@code @st} line: {@code _} (no start), {@code _xN}, a signed duration,
   * {@code <dur>xN} (N+1 equal offsets) or {@code <dur>+<dur>xN} / {@code <dur>-<dur>xN} (N+1
   * offsets changing by the second duration). Null entries have no start.
   */
  static List<Long> startOffsets(String items) {
    List<Long> out = new ArrayList<>();
    for (String item : items.trim().split("\\s+")) {
      if (item.equals("_")) {
        out.add(null);
        continue;
      }
      if (item.startsWith("_x")) {
        for (int k = Integer.parseInt(item.substring(2)); k > 0; k--) {
          out.add(null);
        }
        continue;
      }
      int[] pos = {0};
      long base = signedDuration(item, pos);
      if (pos[0] == item.length()) {
        out.add(base);
        continue;
      }
      char c = item.charAt(pos[0]);
      long step = 0;
      if (c == '+' || c == '-') {
        pos[0]++;
        step = signedDuration(item, pos);
        if (c == '-') {
          step = -step;
        }
        c = pos[0] < item.length() ? item.charAt(pos[0]) : ' ';
      }
      if (c != 'x') {
        throw new IllegalArgumentException("bad @st item " + item);
      }
      int n = Integer.parseInt(item.substring(pos[0] + 1));
      long offset = base;
      for (int k = 0; k <= n; k++) {
        out.add(offset);
        offset += step;
      }
    }
    return out;
  }

  /** A duration with an optional sign at {@code pos[0]}: digits, then unit letters up to 'x'. */
  private static long signedDuration(String s, int[] pos) {
    int i = pos[0];
    boolean negative = false;
    if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
      negative = s.charAt(i) == '-';
      i++;
    }
    int start = i;
    while (i < s.length() && Character.isDigit(s.charAt(i))) {
      i++;
    }
    while (i < s.length() && Character.isLetter(s.charAt(i)) && s.charAt(i) != 'x') {
      i++;
    }
    pos[0] = i;
    long d = duration(s.substring(start, i));
    return negative ? -d : d;
  }

  static long duration(String s) {
    if (s.equals("0")) {
      return 0;
    }
    Matcher m = DURATION.matcher(s);
    if (s.isEmpty() || !m.matches()) {
      throw new IllegalArgumentException("bad duration " + s);
    }
    long[] mult = {365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1};
    long total = 0;
    for (int g = 1; g <= 7; g++) {
      if (m.group(g) != null) {
        total += Long.parseLong(m.group(g)) * mult[g - 1];
      }
    }
    return total;
  }

  // ---------------------------------------------------------------------------------- eval

  private record Expected(Labels labels, List<Object> values) {}

  /** Runs one eval; null when it passes, else the reason. */
  private String eval(String header, List<String> body) {
    Matcher im = INSTANT.matcher(header);
    Matcher rm = RANGE.matcher(header);
    boolean range;
    String query;
    String deprecated;
    long start;
    long end;
    long step = 0;
    if (rm.matches()) {
      range = true;
      deprecated = rm.group(1);
      start = duration(rm.group(2));
      end = duration(rm.group(3));
      step = duration(rm.group(4));
      query = rm.group(5);
    } else if (im.matches()) {
      range = false;
      deprecated = im.group(1);
      start = end = duration(im.group(2));
      query = im.group(3);
    } else {
      throw new IllegalArgumentException("bad eval: " + header);
    }
    boolean expectFail = "fail".equals(deprecated);
    boolean ordered = "ordered".equals(deprecated);
    String failMsg = null;
    String failRegex = null;
    List<String[]> warnExpect = new ArrayList<>();
    List<String[]> infoExpect = new ArrayList<>();
    boolean noWarn = false;
    boolean noInfo = false;
    boolean annotationsChecked = false;
    if ("warn".equals(deprecated)) {
      warnExpect.add(new String[] {null, null});
      annotationsChecked = true;
    }
    if ("info".equals(deprecated)) {
      infoExpect.add(new String[] {null, null});
      annotationsChecked = true;
    }
    String expectString = null;
    boolean rangeVector = false;
    long rvStart = 0;
    long rvStep = 0;
    Double scalar = null;
    List<Expected> expected = new ArrayList<>();
    for (String line : body) {
      String first = line.split("\\s+")[0];
      if (first.equals("expected_fail_message")) {
        failMsg = line.substring(first.length()).trim();
        continue;
      }
      if (first.equals("expected_fail_regexp")) {
        failRegex = line.substring(first.length()).trim();
        continue;
      }
      if (first.equals("expect")) {
        Matcher rv = RANGE_VECTOR.matcher(line);
        if (rv.matches()) {
          rangeVector = true;
          rvStart = duration(rv.group(1));
          end = duration(rv.group(2));
          start = end;
          rvStep = duration(rv.group(3));
          continue;
        }
        if (line.startsWith("expect string")) {
          expectString = unquote(line.substring("expect string".length()).trim());
          continue;
        }
        Matcher em = EXPECT.matcher(line);
        if (!em.matches()) {
          throw new IllegalArgumentException("bad expect line: " + line);
        }
        String[] spec = {em.group(2), em.group(3) == null ? null : em.group(3).trim()};
        switch (em.group(1)) {
          case "ordered" -> ordered = true;
          case "fail" -> {
            expectFail = true;
            if ("msg".equals(spec[0])) {
              failMsg = spec[1];
            } else if ("regex".equals(spec[0])) {
              failRegex = spec[1];
            }
          }
          case "warn" -> {
            warnExpect.add(spec);
            annotationsChecked = true;
          }
          case "info" -> {
            infoExpect.add(spec);
            annotationsChecked = true;
          }
          case "no_warn" -> {
            noWarn = true;
            annotationsChecked = true;
          }
          default -> {
            noInfo = true;
            annotationsChecked = true;
          }
        }
        continue;
      }
      String[] parts = line.split("\\s+");
      if (parts.length == 1 && isNumber(line)) {
        scalar = number(line);
        continue;
      }
      String[] sv = splitSeries(line);
      List<Object> values = expand(sv[1]);
      expected.add(new Expected(labels(sv[0]), values));
    }

    QueryResult result;
    try {
      result =
          range
              ? engine.rangeQuery(query, new StepGrid(start, end, step))
              : engine.instantQuery(query, end);
    } catch (RuntimeException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      if (!expectFail) {
        return "unexpected error: " + msg;
      }
      if (failMsg != null && !failMsg.equals(msg)) {
        return "expected error message \"" + failMsg + "\", got \"" + msg + "\"";
      }
      if (failRegex != null && !com.google.re2j.Pattern.compile(failRegex).matcher(msg).find()) {
        return "error message \"" + msg + "\" does not match /" + failRegex + "/";
      }
      return null;
    }
    if (expectFail) {
      return "expected the query to fail, it succeeded";
    }
    if (annotationsChecked) {
      String a = checkAnnotations("warn", result.warnings(), warnExpect, noWarn);
      if (a == null) {
        a = checkAnnotations("info", result.infos(), infoExpect, noInfo);
      }
      if (a != null) {
        return a;
      }
    }
    if (expectString != null) {
      if (result instanceof QueryResult.StringResult s && s.value().equals(expectString)) {
        return null;
      }
      return "expected string \"" + expectString + "\", got " + result;
    }
    if (scalar != null) {
      if (result instanceof QueryResult.ScalarResult s) {
        if (!almostEqual(scalar, s.value())) {
          return "expected scalar " + scalar + ", got " + s.value();
        }
        String failure = rangeModeCheck(query, end, expected, scalar);
        return failure != null ? failure : atModifierCheck(query, end, expected, scalar, false);
      }
      return "expected a scalar, got " + kind(result);
    }
    if (range || rangeVector) {
      if (!(result instanceof QueryResult.MatrixResult m)) {
        return "expected a matrix, got " + kind(result);
      }
      long s0 = range ? start : rvStart;
      long st = range ? step : rvStep;
      return compareMatrix(expected, m.series(), s0, st);
    }
    if (result instanceof QueryResult.ScalarResult s) {
      return "expected a vector, got scalar " + s.value();
    }
    if (!(result instanceof QueryResult.VectorResult v)) {
      return "expected a vector, got " + kind(result);
    }
    String failure = compareVector(expected, v.samples(), ordered);
    failure = failure != null ? failure : rangeModeCheck(query, end, expected, null);
    return failure != null ? failure : atModifierCheck(query, end, expected, null, ordered);
  }

  private static final Pattern TIME_DEPENDENT =
      Pattern.compile(
          "\\b(days_in_month|day_of_month|day_of_week|day_of_year|end|hour|minute|month|year"
              + "|predict_linear|range|start|step|time|timestamp)\\s*\\(");

  /**
   * Prometheus's runner also pins every selector without {@code @} to the eval time and runs the
   * query at other times (-10t, 0, t/5, t, 10t), which must all give the expected result.
   */
  private String atModifierCheck(
      String query, long t, List<Expected> expected, Double scalar, boolean ordered) {
    if (TIME_DEPENDENT.matcher(query).find()) {
      return null;
    }
    Expr pinned = AtModifierRewriter.pin(PromQL.parse(query, PromQLOptions.ALL_ENABLED), t);
    String text = pinned.toString();
    long[] times = t == 0 ? new long[] {-1000, 0, 1000} : new long[] {-10 * t, 0, t / 5, t, 10 * t};
    for (long at : times) {
      QueryResult r;
      try {
        r = engine.instantQuery(text, at);
      } catch (RuntimeException e) {
        return "@ check (" + text + " at " + at + "): unexpected error: " + e.getMessage();
      }
      String failure;
      if (scalar != null) {
        failure =
            r instanceof QueryResult.ScalarResult s && almostEqual(scalar, s.value())
                ? null
                : "expected scalar " + scalar + ", got " + r;
      } else if (r instanceof QueryResult.VectorResult v) {
        failure = compareVector(expected, v.samples(), ordered);
      } else {
        failure = "expected a vector, got " + kind(r);
      }
      if (failure == null) {
        failure = rangeModeCheck(text, at, expected, scalar);
      }
      if (failure != null) {
        return "@ check (" + text + " at " + at + "): " + failure;
      }
    }
    return null;
  }

  /**
   * Prometheus's runner also evaluates every passing instant query as a range query from t-1m to
   * t+1m with a 1m step, and the points at t must give the same result.
   */
  private String rangeModeCheck(String query, long t, List<Expected> expected, Double scalar) {
    if (query.contains("start()") || query.contains("end()") || query.contains("range()")
        || query.contains("step()")) {
      return null;
    }
    QueryResult r;
    try {
      r = engine.rangeQuery(query, new StepGrid(t - 60_000, t + 60_000, 60_000));
    } catch (RuntimeException e) {
      return "range-mode check: unexpected error: " + e.getMessage();
    }
    List<QueryResult.Sample> at = new ArrayList<>();
    for (Series s : ((QueryResult.MatrixResult) r).series()) {
      for (int i = 0; i < s.size(); i++) {
        if (s.timestamps()[i] == t) {
          at.add(new QueryResult.Sample(s.labels(), t, s.values()[i], s.histogram(i)));
        }
      }
    }
    String failure;
    if (scalar != null) {
      failure =
          at.size() == 1 && at.get(0).labels().size() == 0 && almostEqual(scalar, at.get(0).value())
              ? null
              : "expected scalar " + scalar + ", got " + render(at);
    } else {
      failure = compareVector(expected, at, false);
    }
    return failure == null ? null : "range-mode check: " + failure;
  }

  private static String kind(QueryResult r) {
    return r.getClass().getSimpleName();
  }

  private static boolean isNumber(String s) {
    try {
      number(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String unquote(String s) {
    if (s.startsWith("`") && s.endsWith("`")) {
      return s.substring(1, s.length() - 1);
    }
    Expr e = PromQL.parse(s, PromQLOptions.ALL_ENABLED);
    return ((io.icegate.promql.ast.StringLiteral) e).value();
  }

  private static String checkAnnotations(
      String kind, List<String> actual, List<String[]> expects, boolean none) {
    if (none) {
      return actual.isEmpty() ? null : "expected no " + kind + " annotations, got " + actual;
    }
    if (expects.isEmpty()) {
      return null;
    }
    if (actual.isEmpty()) {
      return "expected " + kind + " annotations, got none";
    }
    for (String[] e : expects) {
      boolean any = false;
      for (String a : actual) {
        any |= annotationMatches(e, a);
      }
      if (!any) {
        return "no " + kind + " annotation matches " + e[0] + ":" + e[1] + "; got " + actual;
      }
    }
    for (String a : actual) {
      boolean any = false;
      for (String[] e : expects) {
        any |= annotationMatches(e, a);
      }
      if (!any) {
        return "unexpected " + kind + " annotation: " + a;
      }
    }
    return null;
  }

  private static boolean annotationMatches(String[] e, String actual) {
    if (e[0] == null) {
      return true;
    }
    if (e[0].equals("msg")) {
      return actual.equals(e[1]);
    }
    return com.google.re2j.Pattern.compile(e[1]).matcher(actual).find();
  }

  private static String compareVector(
      List<Expected> expected, List<QueryResult.Sample> actual, boolean ordered) {
    for (Expected e : expected) {
      if (e.values().size() != 1) {
        return "expected line for " + e.labels() + " has " + e.values().size() + " values";
      }
    }
    if (expected.size() != actual.size()) {
      return "expected " + expected.size() + " samples, got " + actual.size() + ": " + render(actual);
    }
    Map<Labels, Object> exp = new LinkedHashMap<>();
    for (Expected e : expected) {
      exp.put(e.labels(), e.values().get(0));
    }
    for (int i = 0; i < actual.size(); i++) {
      QueryResult.Sample s = actual.get(i);
      if (ordered && !expected.get(i).labels().equals(s.labels())) {
        return "expected " + expected.get(i).labels() + " at position " + i + ", got " + s.labels();
      }
      Object want = exp.get(s.labels());
      if (want == null) {
        return "unexpected series " + s.labels() + " " + show(s) + "; got " + render(actual);
      }
      if (!sampleEquals(want, s.value(), s.histogram())) {
        return "for " + s.labels() + " expected " + want + ", got " + show(s);
      }
    }
    return null;
  }

  private static String render(List<QueryResult.Sample> samples) {
    StringBuilder b = new StringBuilder();
    for (QueryResult.Sample s : samples) {
      b.append(s.labels()).append(' ').append(show(s)).append("; ");
    }
    return b.toString();
  }

  private static String compareMatrix(List<Expected> expected, List<Series> actual, long start, long step) {
    for (int i = 1; i < actual.size(); i++) {
      if (actual.get(i - 1).labels().compareTo(actual.get(i).labels()) >= 0) {
        return "matrix not sorted by labels";
      }
    }
    Map<Labels, Series> byLabels = new HashMap<>();
    for (Series s : actual) {
      byLabels.put(s.labels(), s);
    }
    if (expected.size() != actual.size()) {
      StringBuilder b = new StringBuilder();
      for (Series s : actual) {
        b.append(s.labels()).append(' ');
      }
      return "expected " + expected.size() + " series, got " + actual.size() + ": " + b;
    }
    for (Expected e : expected) {
      Series s = byLabels.get(e.labels());
      if (s == null) {
        return "missing series " + e.labels();
      }
      List<long[]> times = new ArrayList<>();
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < e.values().size(); i++) {
        if (e.values().get(i) != null) {
          times.add(new long[] {start + i * step});
          values.add(e.values().get(i));
        }
      }
      if (values.size() != s.size()) {
        return "for " + e.labels() + " expected " + values.size() + " points, got " + s.size()
            + " " + points(s);
      }
      for (int i = 0; i < values.size(); i++) {
        if (times.get(i)[0] != s.timestamps()[i]
            || !sampleEquals(values.get(i), s.values()[i], s.histogram(i))) {
          return "for " + e.labels() + " expected " + values + ", got " + points(s);
        }
      }
    }
    return null;
  }

  private static String points(Series s) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < s.size(); i++) {
      b.append(s.histogram(i) != null ? s.histogram(i) : s.values()[i])
          .append('@').append(s.timestamps()[i]).append(' ');
    }
    return b.append(']').toString();
  }

  private static String show(QueryResult.Sample s) {
    return s.histogram() != null ? s.histogram().toString() : String.valueOf(s.value());
  }

  /** An expected value (Double or HistogramLiteral) against an actual float or histogram. */
  private static boolean sampleEquals(Object want, double value, FloatHistogram histogram) {
    if (want instanceof HistogramLiteral h) {
      return histogram != null && h.matches(histogram);
    }
    return histogram == null && almostEqual((Double) want, value);
  }

  /** Prometheus's almost.Equal with epsilon 1e-6, stale markers equal only to themselves. */
  static boolean almostEqual(double a, double b) {
    if (StaleMarker.isStale(a) || StaleMarker.isStale(b)) {
      return StaleMarker.isStale(a) && StaleMarker.isStale(b);
    }
    if (Double.isNaN(a) && Double.isNaN(b)) {
      return true;
    }
    if (a == b) {
      return true;
    }
    double diff = Math.abs(a - b);
    if (a == 0 || b == 0 || Math.abs(a) + Math.abs(b) < Double.MIN_NORMAL) {
      return diff < 1e-6 * Double.MIN_NORMAL;
    }
    return diff / Math.min(Math.abs(a) + Math.abs(b), Double.MAX_VALUE) < 1e-6;
  }
}
