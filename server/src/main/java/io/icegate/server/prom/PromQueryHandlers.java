package io.icegate.server.prom;

import io.icegate.engine.exec.QueryCancelledException;
import io.icegate.engine.metrics.MetricsCatalogReader;
import io.icegate.engine.metrics.MetricsQueryEngine;
import io.icegate.engine.promql.PromQLEngine;
import io.icegate.engine.promql.PromQLException;
import io.icegate.engine.promql.QueryResult;
import io.icegate.engine.series.LabelMatcher;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.StepGrid;
import io.icegate.promql.PromQL;
import io.icegate.promql.PromQLParseException;
import io.icegate.promql.ast.AggregateExpr;
import io.icegate.promql.ast.BinaryExpr;
import io.icegate.promql.ast.Call;
import io.icegate.promql.ast.Expr;
import io.icegate.promql.ast.MatrixSelector;
import io.icegate.promql.ast.ParenExpr;
import io.icegate.promql.ast.SubqueryExpr;
import io.icegate.promql.ast.UnaryExpr;
import io.icegate.promql.ast.VectorSelector;
import io.icegate.protocol.prom.PromJson;
import io.icegate.protocol.prom.PromNumbers;
import io.icegate.protocol.prom.PromResult;
import io.icegate.protocol.prom.PromStats;
import io.icegate.server.Tenants;
import io.icegate.server.config.ServerConfig;
import io.icegate.server.http.DirectBody;
import io.icegate.server.http.Handler;
import io.icegate.server.http.HttpExchange;
import io.icegate.storage.scan.TableScanner;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;

/**
 * The query-side endpoints of the Prometheus API over the metrics table: {@code query}, {@code
 * query_range}, {@code series}, {@code labels}, {@code label/<name>/values}, {@code metadata} and
 * {@code query_exemplars}. Parameters, checks and their order,
 * error types and wording follow Prometheus's API, because Grafana and promtool show those
 * messages and branch on the error type. The tenant is {@code X-Scope-OrgID} (Mimir's header),
 * the default tenant without it.
 */
public final class PromQueryHandlers {
  private static final AtomicInteger FORMAT_THREADS = new AtomicInteger();

  /**
   * Threads that format parts of a large matrix answer beside the query's own thread (one per
   * processor but one). When all are busy, the query's thread formats the part itself.
   */
  private static final ExecutorService FORMATTERS =
      new ThreadPoolExecutor(
          0, Math.max(1, Runtime.getRuntime().availableProcessors() - 1), 60, TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          runnable -> {
            Thread t = new Thread(runnable, "icegate-format-" + FORMAT_THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });

  /** Prometheus's cap on the points of one series in a range query. */
  static final long MAX_POINTS = 11_000;

  private final MetricsQueryEngine engine;
  private final LongSupplier nowMillis;
  /** The longest a PromQL query may run; a request's {@code timeout} can only shorten it. */
  private final long queryTimeoutMillis;

  public PromQueryHandlers(MetricsQueryEngine engine) {
    this(engine, System::currentTimeMillis, ServerConfig.PromQuery.DEFAULT.timeout().toMillis());
  }

  /**
   * Handlers over {@code scanner}'s metrics table with the configured PromQL settings ({@code
   * planTimeout} bounds each storage read, as for every other query).
   */
  public static PromQueryHandlers overMetricsTable(
      TableScanner scanner, BufferAllocator root, long queryMemoryBytes, Duration planTimeout,
      ServerConfig.PromQuery settings) {
    PromQLEngine.Options options =
        PromQLEngine.Options.DEFAULT
            .withLookbackDelta(settings.lookbackDelta().toMillis())
            .withMaxSamples(settings.maxSamples());
    return new PromQueryHandlers(
        new MetricsQueryEngine(scanner, root, queryMemoryBytes, planTimeout, options),
        System::currentTimeMillis,
        settings.timeout().toMillis());
  }

  PromQueryHandlers(MetricsQueryEngine engine, LongSupplier nowMillis, long queryTimeoutMillis) {
    this.engine = engine;
    this.nowMillis = nowMillis;
    this.queryTimeoutMillis = queryTimeoutMillis;
  }

  /** A request that cannot be served as asked: bad_data (400) with Prometheus's message. */
  private static final class BadData extends Exception {
    BadData(String message) {
      super(message);
    }
  }

  /** Handler body that may reject its parameters. */
  @FunctionalInterface
  private interface Body {
    void run(HttpExchange exchange) throws BadData, IOException;
  }

  private static Handler handler(boolean postToo, Body body) {
    return exchange -> {
      if (!PromErrors.methodAllowed(exchange, postToo)) {
        return;
      }
      try {
        body.run(exchange);
      } catch (BadData e) {
        PromErrors.respond(exchange, PromJson.ErrorType.BAD_DATA, e.getMessage());
      }
    };
  }

  public Handler formatQuery() {
    return handler(true, exchange -> {
      Expr expr = parse(exchange.param("query"));
      String text = expr.toString();
      ok(exchange, PromJson.success(json -> json.writeString(text), List.of(), List.of()));
    });
  }

  public Handler parseQuery() {
    return handler(true, exchange -> {
      Expr expr = parse(exchange.param("query"));
      ok(exchange, PromJson.success(json -> PromAstJson.write(json, expr), List.of(), List.of()));
    });
  }

  /** {@code /api/v1/query}: {@code query}, {@code time} (default now), {@code timeout}, … */
  public Handler query() {
    return handler(true, exchange -> {
      String tenant = tenant(exchange);
      int limit = limit(exchange);
      String timeText = exchange.param("time");
      long time;
      if (timeText == null || timeText.isEmpty()) {
        time = nowMillis.getAsLong();
      } else {
        try {
          time = PromParams.timeMillis(timeText);
        } catch (PromParams.BadParam e) {
          throw new BadData(
              "invalid parameter \"time\": invalid time value for 'time': " + e.getMessage());
        }
      }
      long timeout = timeout(exchange);
      long lookback = lookbackDelta(exchange);
      String query = exchange.param("query");
      parse(query);
      Boolean analyze = explainMode(exchange);
      if (analyze != null) {
        explain(exchange, timeout, cancelled ->
            engine.explainInstant(tenant, query, time, lookback, analyze, cancelled));
        return;
      }
      run(exchange, limit, timeout,
          cancelled -> engine.instant(tenant, query, time, lookback, cancelled));
    });
  }

  /** {@code /api/v1/query_range}: {@code query}, {@code start}, {@code end}, {@code step}, … */
  public Handler queryRange() {
    return handler(true, exchange -> {
      String tenant = tenant(exchange);
      int limit = limit(exchange);
      long start = requiredTime(exchange, "start");
      long end = requiredTime(exchange, "end");
      if (end < start) {
        throw new BadData(
            "invalid parameter \"end\": end timestamp must not be before start time");
      }
      long step;
      try {
        step = PromParams.durationMillis(exchange.param("step"));
      } catch (PromParams.BadParam e) {
        throw new BadData("invalid parameter \"step\": " + e.getMessage());
      }
      if (step <= 0) {
        throw new BadData(
            "invalid parameter \"step\": zero or negative query resolution step widths are not"
                + " accepted. Try a positive integer");
      }
      if ((end - start) / step > MAX_POINTS) {
        throw new BadData(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the"
                + " query resolution (?step=XX)");
      }
      long timeout = timeout(exchange);
      long lookback = lookbackDelta(exchange);
      String query = exchange.param("query");
      parse(query);
      StepGrid grid = new StepGrid(start, end, step);
      Boolean analyze = explainMode(exchange);
      if (analyze != null) {
        explain(exchange, timeout, cancelled ->
            engine.explainRange(tenant, query, grid, lookback, analyze, cancelled));
        return;
      }
      run(exchange, limit, timeout,
          cancelled -> engine.range(tenant, query, grid, lookback, cancelled));
    });
  }

  /**
   * {@code /api/v1/query_exemplars}: the exemplars stored between {@code start} and {@code end}
   * on the series the query's selectors match, as Prometheus answers it (an array of {@code
   * seriesLabels} and {@code exemplars}, no {@code data} for a query without selectors). Grafana's
   * probe ({@code query=test} with millisecond times) gets an empty list and enables exemplars.
   */
  public Handler queryExemplars() {
    return handler(true, exchange -> {
      String tenant = tenant(exchange);
      long[] range = optionalRange(exchange);
      if (range[1] < range[0]) {
        throw new BadData("end timestamp must not be before start timestamp");
      }
      Expr expr;
      try {
        String q = exchange.param("query");
        expr = PromQL.parse(q == null ? "" : q);
      } catch (PromQLParseException e) {
        throw new BadData(e.getMessage());
      }
      List<List<LabelMatcher>> selectors = new ArrayList<>();
      collectSelectors(expr, selectors);
      if (selectors.isEmpty()) {
        ok(exchange, "{\"status\":\"success\"}".getBytes(StandardCharsets.UTF_8));
        return;
      }
      List<MetricsCatalogReader.SeriesExemplars> found = metadata(exchange,
          cancelled -> engine.exemplars(tenant, selectors, range[0], range[1], cancelled));
      if (found == null) {
        return;
      }
      ok(exchange, PromJson.success(json -> {
        json.writeStartArray();
        for (MetricsCatalogReader.SeriesExemplars series : found) {
          json.writeStartObject();
          json.writeFieldName("seriesLabels");
          PromJson.labels(json, series.seriesLabels().toMap());
          json.writeArrayFieldStart("exemplars");
          for (MetricsCatalogReader.Exemplar e : series.exemplars()) {
            json.writeStartObject();
            json.writeFieldName("labels");
            PromJson.labels(json, e.labels().toMap());
            json.writeStringField("value", PromNumbers.sampleValue(e.value()));
            json.writeFieldName("timestamp");
            json.writeRawValue(PromNumbers.sampleTimestamp(e.timestampMillis()));
            json.writeEndObject();
          }
          json.writeEndArray();
          json.writeEndObject();
        }
        json.writeEndArray();
      }, List.of(), List.of()));
    });
  }

  /** The matchers of every vector selector in {@code expr}, as Prometheus's ExtractSelectors. */
  private static void collectSelectors(Expr expr, List<List<LabelMatcher>> out) {
    if (expr instanceof VectorSelector vs) {
      out.add(matchers(vs));
    } else if (expr instanceof MatrixSelector ms) {
      collectSelectors(ms.vectorSelector(), out);
    } else if (expr instanceof SubqueryExpr sq) {
      collectSelectors(sq.expr(), out);
    } else if (expr instanceof ParenExpr p) {
      collectSelectors(p.expr(), out);
    } else if (expr instanceof UnaryExpr u) {
      collectSelectors(u.expr(), out);
    } else if (expr instanceof BinaryExpr b) {
      collectSelectors(b.lhs(), out);
      collectSelectors(b.rhs(), out);
    } else if (expr instanceof AggregateExpr a) {
      if (a.param() != null) {
        collectSelectors(a.param(), out);
      }
      collectSelectors(a.expr(), out);
    } else if (expr instanceof Call c) {
      for (Expr arg : c.args()) {
        collectSelectors(arg, out);
      }
    }
  }

  private static List<LabelMatcher> matchers(VectorSelector vs) {
    List<LabelMatcher> matchers = new ArrayList<>();
    for (io.icegate.promql.ast.LabelMatcher m : vs.matchers()) {
      LabelMatcher.Type type =
          switch (m.type()) {
            case EQL -> LabelMatcher.Type.EQ;
            case NEQ -> LabelMatcher.Type.NEQ;
            case EQL_REGEX -> LabelMatcher.Type.RE;
            case NEQ_REGEX -> LabelMatcher.Type.NRE;
          };
      matchers.add(LabelMatcher.of(m.name(), type, m.value()));
    }
    return matchers;
  }

  /** {@code /api/v1/series}: the label sets {@code match[]} selects between start and end. */
  public Handler series() {
    return handler(true, exchange -> {
      String tenant = tenant(exchange);
      int limit = limit(exchange);
      long[] range = optionalRange(exchange);
      if (exchange.params("match[]").isEmpty()) {
        throw new BadData("no match[] parameter provided");
      }
      List<List<LabelMatcher>> selectors = selectors(exchange, true);
      List<Labels> found = metadata(exchange,
          cancelled -> engine.series(tenant, selectors, range[0], range[1], cancelled));
      if (found == null) {
        return;
      }
      List<String> warnings = new ArrayList<>();
      List<Labels> shown = truncate(found, limit, warnings);
      ok(exchange, PromJson.success(json -> {
        json.writeStartArray();
        for (Labels l : shown) {
          PromJson.labels(json, l.toMap());
        }
        json.writeEndArray();
      }, warnings, List.of()));
    });
  }

  /** {@code /api/v1/labels}: the label names of the series {@code match[]} selects (or all). */
  public Handler labels() {
    return handler(true, exchange -> {
      String tenant = tenant(exchange);
      int limit = limit(exchange);
      long[] range = optionalRange(exchange);
      List<List<LabelMatcher>> selectors = selectors(exchange, false);
      List<String> names = metadata(exchange,
          cancelled -> engine.labelNames(tenant, selectors, range[0], range[1], cancelled));
      if (names != null) {
        strings(exchange, names, limit);
      }
    });
  }

  /** {@code /api/v1/label/<name>/values}; the name may be {@code U__}-escaped. */
  public Handler labelValues() {
    return handler(false, exchange -> {
      String path = exchange.path();
      String prefix = "/api/v1/label/";
      if (!path.startsWith(prefix) || !path.endsWith("/values")
          || path.length() <= prefix.length() + "/values".length()) {
        PromErrors.respond(exchange, PromJson.ErrorType.NOT_FOUND, "404 page not found");
        return;
      }
      String escaped = path.substring(prefix.length(), path.length() - "/values".length());
      String name = PromParams.unescapeName(escaped);
      if (name.isEmpty() || name.indexOf('/') >= 0) {
        throw new BadData("invalid label name: \"" + escaped + "\"");
      }
      String tenant = tenant(exchange);
      int limit = limit(exchange);
      long[] range = optionalRange(exchange);
      List<List<LabelMatcher>> selectors = selectors(exchange, false);
      List<String> values = metadata(exchange,
          cancelled -> engine.labelValues(tenant, name, selectors, range[0], range[1], cancelled));
      if (values != null) {
        strings(exchange, values, limit);
      }
    });
  }

  /**
   * {@code /api/v1/metadata}: each metric family's type, help and unit, as Prometheus's OTLP and
   * remote-write receivers record them ({@code metric} for one family, {@code limit} families,
   * {@code limit_per_metric} entries each). Prometheus lists what its scrape targets currently
   * expose; here it is everything stored for the tenant, which means a scan of the table's
   * metadata columns (small, and mostly dictionary-encoded).
   */
  public Handler metadata() {
    return handler(false, exchange -> {
      String tenant = tenant(exchange);
      int[] limits = {-1, -1};
      String[] names = {"limit", "limit_per_metric"};
      for (int k = 0; k < 2; k++) {
        String v = exchange.param(names[k]);
        if (v != null && !v.isEmpty()) {
          try {
            limits[k] = Integer.parseInt(v);
          } catch (NumberFormatException e) {
            throw new BadData(names[k] + " must be a number");
          }
        }
      }
      String metric = exchange.param("metric");
      Map<String, List<MetricsCatalogReader.Metadata>> found = metadata(exchange,
          cancelled -> engine.metadata(
              tenant, metric == null || metric.isEmpty() ? null : metric, limits[1], cancelled));
      if (found == null) {
        return;
      }
      ok(exchange, PromJson.success(json -> {
        json.writeStartObject();
        int families = 0;
        for (Map.Entry<String, List<MetricsCatalogReader.Metadata>> e : found.entrySet()) {
          if (limits[0] >= 0 && families >= limits[0]) {
            break;
          }
          families++;
          json.writeArrayFieldStart(e.getKey());
          for (MetricsCatalogReader.Metadata m : e.getValue()) {
            json.writeStartObject();
            json.writeStringField("type", m.type());
            json.writeStringField("help", m.help());
            json.writeStringField("unit", m.unit());
            json.writeEndObject();
          }
          json.writeEndArray();
        }
        json.writeEndObject();
      }, List.of(), List.of()));
    });
  }

  // ---- evaluation ----

  @FunctionalInterface
  private interface Evaluation<T> {
    T run(BooleanSupplier cancelled);
  }

  /** Runs a query and answers its result, or the error Prometheus would give for its failure. */
  private static void run(
      HttpExchange exchange, int limit, long timeoutMillis, Evaluation<QueryResult> evaluation)
      throws IOException {
    long started = System.nanoTime();
    Deadline deadline = new Deadline(exchange, timeoutMillis);
    if (deadline.getAsBoolean()) {
      // Past its deadline before evaluation began (e.g. timeout=0), as Prometheus words it.
      if (deadline.passed) {
        PromErrors.respond(exchange, PromJson.ErrorType.TIMEOUT,
            "query timed out in query execution");
      } else {
        PromErrors.respond(exchange, PromJson.ErrorType.CANCELED,
            "query was canceled in query execution");
      }
      return;
    }
    QueryResult result;
    try {
      result = evaluation.run(deadline);
    } catch (PromQLParseException e) {
      PromErrors.respond(
          exchange, PromJson.ErrorType.BAD_DATA, "invalid parameter \"query\": " + e.getMessage());
      return;
    } catch (RuntimeException e) {
      evaluationError(exchange, deadline, e);
      return;
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    List<String> warnings = new ArrayList<>(result.warnings());
    PromResult body = truncate(PromResults.of(result), limit, warnings);
    PromStats stats = null;
    String statsParam = exchange.param("stats");
    if (statsParam != null && !statsParam.isEmpty()) {
      if (!statsParam.equals("true") && !statsParam.equals("all")) {
        warnings.add("value \"" + statsParam + "\" for parameter \"stats\" is deprecated and will"
            + " be rejected in the next major release, use \"true\" or \"all\"");
      }
      stats = new PromStats(
          new PromStats.Timings(seconds, 0, 0, seconds, 0, seconds), null);
    }
    DirectBody out = exchange.directBody();
    try {
      PromJson.writeQueryResult(out, body, stats, warnings, result.infos(), FORMATTERS);
      exchange.respond(HttpResponseStatus.OK, PromJson.CONTENT_TYPE, out, Map.of());
    } finally {
      out.release();
    }
  }

  /**
   * Our debug parameter {@code explain} (not Prometheus's, which ignores unknown parameters):
   * null when absent, false for {@code plan}, true for {@code analyze}.
   */
  private static Boolean explainMode(HttpExchange exchange) throws BadData {
    String mode = exchange.param("explain");
    if (mode == null || mode.isBlank()) {
      return null;
    }
    return switch (mode.trim()) {
      case "plan" -> false;
      case "analyze" -> true;
      default -> throw new BadData("invalid parameter \"explain\": must be \"plan\" or"
          + " \"analyze\", not \"" + mode + "\"");
    };
  }

  /**
   * Answers a query's EXPLAIN: {@code {"status":"success","data":{"resultType":"explain",
   * "explain":"<text>"}}}, the shape our Loki API uses for the same parameter; a failure is
   * answered as the query's own would be.
   */
  private static void explain(
      HttpExchange exchange, long timeoutMillis, Evaluation<String> explainer) {
    String text = metadata(exchange, new Deadline(exchange, timeoutMillis), explainer);
    if (text != null) {
      ok(exchange, PromJson.success(json -> {
        json.writeStartObject();
        json.writeStringField("resultType", "explain");
        json.writeStringField("explain", text);
        json.writeEndObject();
      }, List.of(), List.of()));
    }
  }

  /** Runs a series lookup; null after answering its error. */
  private static <T> T metadata(HttpExchange exchange, Evaluation<T> evaluation) {
    return metadata(exchange, new Deadline(exchange, -1), evaluation);
  }

  private static <T> T metadata(
      HttpExchange exchange, Deadline deadline, Evaluation<T> evaluation) {
    try {
      return evaluation.run(deadline);
    } catch (RuntimeException e) {
      evaluationError(exchange, deadline, e);
      return null;
    }
  }

  /** Prometheus's mapping: canceled, timeout, execution for the engine's errors, else internal. */
  private static void evaluationError(
      HttpExchange exchange, Deadline deadline, RuntimeException e) {
    if (e instanceof QueryCancelledException c) {
      if (c.timeout() || deadline.passed) {
        PromErrors.respond(exchange, PromJson.ErrorType.TIMEOUT,
            "query timed out in expression evaluation");
      } else {
        PromErrors.respond(exchange, PromJson.ErrorType.CANCELED,
            "query was canceled in expression evaluation");
      }
    } else if (e instanceof PromQLParseException) {
      PromErrors.respond(exchange, PromJson.ErrorType.BAD_DATA,
          "invalid parameter \"query\": " + e.getMessage());
    } else if (e instanceof PromQLException) {
      PromErrors.respond(exchange, PromJson.ErrorType.EXECUTION, e.getMessage());
    } else if (e instanceof OutOfMemoryException) {
      PromErrors.respond(exchange, PromJson.ErrorType.EXECUTION,
          "query processing would load too many samples into memory in query execution");
    } else {
      PromErrors.respond(exchange, PromJson.ErrorType.INTERNAL,
          e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  /**
   * Cancels when the client goes away or the timeout passes; a negative timeout means none
   * (series lookups, which only the storage read's own deadline bounds).
   */
  private static final class Deadline implements BooleanSupplier {
    private final HttpExchange exchange;
    private final long deadlineNanos;
    private final boolean bounded;
    private volatile boolean passed;

    Deadline(HttpExchange exchange, long timeoutMillis) {
      this.exchange = exchange;
      this.bounded = timeoutMillis >= 0;
      this.deadlineNanos =
          System.nanoTime() + Math.min(Math.max(timeoutMillis, 0), Long.MAX_VALUE / 2_000_000)
              * 1_000_000;
    }

    @Override
    public boolean getAsBoolean() {
      if (bounded && System.nanoTime() - deadlineNanos >= 0) {
        passed = true;
        return true;
      }
      return exchange.clientGone();
    }
  }

  // ---- parameters ----

  private static String tenant(HttpExchange exchange) throws BadData {
    try {
      return Tenants.resolve(exchange.header(Tenants.HEADER));
    } catch (IllegalArgumentException e) {
      throw new BadData(e.getMessage());
    }
  }

  private static Expr parse(String query) throws BadData {
    try {
      return PromQL.parse(query == null ? "" : query);
    } catch (PromQLParseException e) {
      throw new BadData("invalid parameter \"query\": " + e.getMessage());
    }
  }

  /** {@code limit}: absent or 0 for none. */
  private static int limit(HttpExchange exchange) throws BadData {
    String text = exchange.param("limit");
    if (text == null || text.isEmpty()) {
      return 0;
    }
    int limit;
    try {
      limit = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new BadData("invalid parameter \"limit\": strconv.Atoi: parsing \"" + text
          + "\": invalid syntax");
    }
    if (limit < 0) {
      throw new BadData("invalid parameter \"limit\": limit must be non-negative");
    }
    return limit;
  }

  private static long requiredTime(HttpExchange exchange, String name) throws BadData {
    try {
      return PromParams.timeMillis(exchange.param(name));
    } catch (PromParams.BadParam e) {
      throw new BadData("invalid parameter \"" + name + "\": " + e.getMessage());
    }
  }

  /** {@code start} and {@code end}, defaulting to the earliest and latest storable times. */
  private static long[] optionalRange(HttpExchange exchange) throws BadData {
    long[] range = {PromParams.MIN_MILLIS, PromParams.MAX_MILLIS};
    String[] names = {"start", "end"};
    for (int i = 0; i < 2; i++) {
      String text = exchange.param(names[i]);
      if (text != null && !text.isEmpty()) {
        try {
          range[i] = PromParams.timeMillis(text);
        } catch (PromParams.BadParam e) {
          throw new BadData("invalid parameter \"" + names[i] + "\": invalid time value for '"
              + names[i] + "': " + e.getMessage());
        }
      }
    }
    return range;
  }

  /**
   * The query's time budget: the configured timeout, shortened by a {@code timeout} parameter
   * (Prometheus applies both, so the earlier deadline wins; 0 or less has already passed).
   */
  private long timeout(HttpExchange exchange) throws BadData {
    String text = exchange.param("timeout");
    if (text == null || text.isEmpty()) {
      return queryTimeoutMillis;
    }
    try {
      return Math.max(0, Math.min(queryTimeoutMillis, PromParams.durationMillis(text)));
    } catch (PromParams.BadParam e) {
      throw new BadData("invalid parameter \"timeout\": " + e.getMessage());
    }
  }

  /**
   * {@code lookback_delta}: how far back instant selection looks in this query; 0 (absent, zero
   * or negative) keeps the configured lookback, as in Prometheus.
   */
  private static long lookbackDelta(HttpExchange exchange) throws BadData {
    String text = exchange.param("lookback_delta");
    if (text == null || text.isEmpty()) {
      return 0;
    }
    try {
      return PromParams.durationMillis(text);
    } catch (PromParams.BadParam e) {
      throw new BadData("error parsing lookback delta duration: " + e.getMessage());
    }
  }

  /**
   * The {@code match[]} selectors as matcher lists. Each must be a plain series selector with a
   * matcher that does not match the empty string.
   */
  private static List<List<LabelMatcher>> selectors(HttpExchange exchange, boolean wrapped)
      throws BadData {
    List<List<LabelMatcher>> selectors = new ArrayList<>();
    for (String text : exchange.params("match[]")) {
      String prefix = wrapped ? "invalid parameter \"match[]\": " : "";
      Expr expr;
      try {
        expr = PromQL.parse(text);
      } catch (PromQLParseException e) {
        // Prometheus parses match[] without the query checks and words this one itself.
        if (e.getMessage()
            .endsWith("vector selector must contain at least one non-empty matcher")) {
          throw new BadData(prefix + "match[] must contain at least one non-empty matcher");
        }
        throw new BadData(prefix + e.getMessage());
      }
      if (!(expr instanceof VectorSelector vs) || vs.offsetMillis() != 0 || vs.at() != null) {
        throw new BadData(prefix + "1:1: parse error: expected a series selector, got "
            + text);
      }
      List<LabelMatcher> matchers = matchers(vs);
      boolean nonEmpty = false;
      for (LabelMatcher matcher : matchers) {
        nonEmpty |= !matcher.matches("");
      }
      if (!nonEmpty) {
        throw new BadData(prefix + "match[] must contain at least one non-empty matcher");
      }
      selectors.add(matchers);
    }
    return selectors;
  }

  // ---- answers ----

  private static <T> List<T> truncate(List<T> items, int limit, List<String> warnings) {
    if (limit > 0 && items.size() > limit) {
      warnings.add("results truncated due to limit");
      return items.subList(0, limit);
    }
    return items;
  }

  /** Vectors and matrices keep their first {@code limit} series, as in Prometheus. */
  private static PromResult truncate(PromResult result, int limit, List<String> warnings) {
    if (result instanceof PromResult.Vector v) {
      return new PromResult.Vector(truncate(v.samples(), limit, warnings));
    }
    if (result instanceof PromResult.Matrix m) {
      return new PromResult.Matrix(truncate(m.series(), limit, warnings));
    }
    return result;
  }

  private static void strings(HttpExchange exchange, List<String> values, int limit) {
    List<String> warnings = new ArrayList<>();
    List<String> shown = truncate(values, limit, warnings);
    ok(exchange, PromJson.success(json -> {
      json.writeStartArray();
      for (String v : shown) {
        json.writeString(v);
      }
      json.writeEndArray();
    }, warnings, List.of()));
  }

  private static void ok(HttpExchange exchange, byte[] body) {
    exchange.respond(HttpResponseStatus.OK, PromJson.CONTENT_TYPE, body);
  }
}
