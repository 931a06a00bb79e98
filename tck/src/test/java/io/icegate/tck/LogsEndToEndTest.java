package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import io.icegate.tck.LokiResponse.Entry;
import io.icegate.tck.SdkLogShipper.Emit;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.sdk.resources.Resource;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logs from the OpenTelemetry Java SDK, over OTLP/HTTP, into a real server, and back out through
 * the Loki API over HTTP. Every expected answer is computed from the records this class sent, with
 * the LogQL semantics written out in Java next to the query.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LogsEndToEndTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final long MINUTE = 60 * SECOND;
  private static final String DEFAULT_TENANT = "fake";
  private static final String TEAM_B = "team-b";

  /** A resource the records come from, and the stream labels Loki's OTLP mapping gives it. */
  record Source(Resource resource, Map<String, String> labels) {}

  /** One record sent to {@code tenant}. */
  record Sent(String tenant, Source source, long timeNanos, Severity severity, String line) {
    Entry entry() {
      return new Entry(sdkLabels(source, severity), timeNanos, line);
    }
  }

  /**
   * An SDK record's labels in Loki's answer: its stream labels plus the structured metadata Loki's
   * OTLP mapping gives it — the resource's {@code team.owner} (not an index-label attribute) as
   * {@code team_owner}, {@code severity_text} (the SDK sends the enum's name) and {@code
   * severity_number}, and the SDK logger's instrumentation scope as {@code scope_name}; the
   * records carry no trace or span id.
   */
  static Map<String, String> sdkLabels(Source source, Severity severity) {
    Map<String, String> labels = withSeverity(source.labels(), severity);
    labels.put(
        "team_owner",
        source.resource().getAttribute(io.opentelemetry.api.common.AttributeKey.stringKey(
            "team.owner")));
    labels.put("scope_name", SdkLogShipper.SCOPE_NAME);
    return labels;
  }

  /** {@code stream} plus the severity pair Loki's OTLP mapping keeps as structured metadata. */
  /**
   * {@code expected}, in the query's direction, laid out as a Loki answer lays out entries: one
   * stream per label set (structured metadata included), in the order the answer lists its
   * streams, each stream's entries in the query's direction.
   */
  static List<Entry> asStreams(LokiResponse response, List<Entry> expected) {
    Map<Map<String, String>, List<Entry>> groups = new LinkedHashMap<>();
    for (Map<String, String> stream : response.streams()) {
      groups.put(stream, new ArrayList<>());
    }
    for (Entry e : expected) {
      groups.computeIfAbsent(e.labels(), k -> new ArrayList<>()).add(e);
    }
    return groups.values().stream().flatMap(List::stream).toList();
  }

  static Map<String, String> withSeverity(Map<String, String> stream, Severity severity) {
    Map<String, String> labels = new TreeMap<>(stream);
    labels.put("severity_text", severity.name());
    labels.put("severity_number", Integer.toString(severity.getSeverityNumber()));
    labels.put("detected_level", detectedLevel(severity));
    return labels;
  }

  /**
   * The {@code detected_level} Loki's distributor stores for an SDK record (discover_log_levels,
   * Loki 3's default): {@code severity_text} is one of its level fields, and its value is
   * normalised to Loki's lower-case level names.
   */
  static String detectedLevel(Severity severity) {
    return switch (severity) {
      case DEBUG -> "debug";
      case INFO -> "info";
      case WARN -> "warn";
      case ERROR -> "error";
      default -> throw new IllegalArgumentException("no expectation for " + severity);
    };
  }

  /** {@code team.owner} is not one of Loki's index-label attributes: it must not become a label. */
  private static final Source CHECKOUT =
      new Source(
          Resource.builder()
              .put("service.name", "checkout")
              .put("k8s.namespace.name", "prod")
              .put("deployment.environment", "production")
              .put("team.owner", "payments")
              .build(),
          Map.of(
              "service_name", "checkout",
              "k8s_namespace_name", "prod",
              "deployment_environment", "production"));

  private static final Source SEARCH =
      new Source(
          Resource.builder()
              .put("service.name", "search")
              .put("k8s.namespace.name", "dev")
              .put("team.owner", "discovery")
              .build(),
          Map.of("service_name", "search", "k8s_namespace_name", "dev"));

  /** No {@code service.name}: Loki labels the stream {@code service_name="unknown_service"}. */
  private static final Source NIGHTLY =
      new Source(
          Resource.builder().put("k8s.namespace.name", "batch").put("team.owner", "ops").build(),
          Map.of("service_name", "unknown_service", "k8s_namespace_name", "batch"));

  private static final List<Sent> SENT =
      List.of(
          sent(DEFAULT_TENANT, CHECKOUT, 0, Severity.INFO, "GET /cart 200 12ms"),
          sent(DEFAULT_TENANT, CHECKOUT, SECOND, Severity.ERROR, "POST /pay 500 payment declined"),
          sent(
              DEFAULT_TENANT,
              CHECKOUT,
              2 * SECOND,
              Severity.WARN,
              "GET /cart?id=42 200 950ms slow"),
          sent(DEFAULT_TENANT, CHECKOUT, 3 * SECOND, Severity.DEBUG, "GET /health 200"),
          sent(DEFAULT_TENANT, CHECKOUT, 4 * SECOND, Severity.INFO, "POST /pay 201 paid"),
          // Odd nanoseconds: the time must come back to the nanosecond.
          sent(DEFAULT_TENANT, SEARCH, 500_000_123, Severity.INFO, "query q=shoes hits=12"),
          sent(
              DEFAULT_TENANT,
              SEARCH,
              1_500_000_007,
              Severity.ERROR,
              "query q=socks timeout after 3s"),
          sent(DEFAULT_TENANT, SEARCH, 2_500_000_001L, Severity.INFO, "query q=hats hits=0"),
          sent(DEFAULT_TENANT, NIGHTLY, 10 * SECOND, Severity.INFO, "nightly report done"),
          sent(TEAM_B, CHECKOUT, SECOND, Severity.ERROR, "team-b POST /pay 500 card expired"),
          sent(TEAM_B, CHECKOUT, 2 * SECOND, Severity.INFO, "team-b GET /cart 200"));

  @TempDir static Path dataDir;
  private static IceGateServer server;
  private static final LokiClient LOKI = new LokiClient(() -> server.lokiPort());

  @BeforeAll
  static void startServerAndShipLogs() throws Exception {
    server = start();
    Map<String, Map<Source, List<Emit>>> byTenantAndSource = new LinkedHashMap<>();
    for (Sent s : SENT) {
      byTenantAndSource
          .computeIfAbsent(s.tenant(), t -> new LinkedHashMap<>())
          .computeIfAbsent(s.source(), src -> new ArrayList<>())
          .add(new Emit(s.timeNanos(), s.severity(), s.line()));
    }
    byTenantAndSource.forEach(
        (tenant, sources) ->
            sources.forEach(
                (source, records) ->
                    SdkLogShipper.ship(
                        server.otlpHttpPort(),
                        tenant.equals(DEFAULT_TENANT) ? null : tenant,
                        "none",
                        source.resource(),
                        records)));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  // ---- stream labels ----

  @Test
  void streamLabelsFollowLokisOtlpMapping() {
    LokiResponse response = LOKI.queryRange(window("{service_name=\"checkout\"}"));

    // One stream per distinct structured metadata, as in Loki: the four severities sent.
    assertThat(response.streams())
        .containsExactlyInAnyOrder(
            sdkLabels(CHECKOUT, Severity.INFO),
            sdkLabels(CHECKOUT, Severity.ERROR),
            sdkLabels(CHECKOUT, Severity.WARN),
            sdkLabels(CHECKOUT, Severity.DEBUG));
  }

  @Test
  void customResourceAttributeIsNotAStreamLabel() {
    LokiResponse all = LOKI.queryRange(window("{k8s_namespace_name=~\".+\"}"));
    LokiResponse byCustomAttribute = LOKI.queryRange(window("{team_owner=\"payments\"}"));

    // It is structured metadata of every entry (Loki returns it with the labels), but no index
    // label: a selector on it finds nothing.
    assertThat(all.streams())
        .extracting(labels -> labels.get("team_owner"))
        .containsOnly("payments", "discovery", "ops");
    assertThat(
            all.streams().stream()
                .map(
                    l -> {
                      Map<String, String> stream = new TreeMap<>(l);
                      stream.keySet()
                          .removeAll(
                              List.of("severity_text", "severity_number", "scope_name",
                                  "team_owner", "detected_level"));
                      return stream;
                    })
                .distinct()
                .toList())
        .containsExactlyInAnyOrder(CHECKOUT.labels(), SEARCH.labels(), NIGHTLY.labels());
    assertThat(byCustomAttribute.entries()).isEmpty();
  }

  @Test
  void resourceWithoutServiceNameIsLabelledUnknownService() {
    LokiResponse response = LOKI.queryRange(window("{service_name=\"unknown_service\"}"));

    assertThat(response.entries())
        .containsExactlyElementsOf(newestFirst(s -> s.source() == NIGHTLY));
  }

  // ---- order and limit ----

  @Test
  void backwardQueryReturnsNewestFirst() {
    LokiResponse response = LOKI.queryRange(window("{service_name=\"checkout\"}").backward());

    assertThat(response.entries())
        .hasSize(5)
        .containsExactlyElementsOf(asStreams(response, newestFirst(s -> s.source() == CHECKOUT)));
  }

  @Test
  void forwardQueryReturnsOldestFirst() {
    LokiResponse response = LOKI.queryRange(window("{service_name=\"checkout\"}").forward());

    assertThat(response.entries())
        .hasSize(5)
        .containsExactlyElementsOf(asStreams(response, oldestFirst(s -> s.source() == CHECKOUT)));
  }

  @Test
  void directionDefaultsToBackward() {
    LokiResponse response = LOKI.queryRange(window("{service_name=\"search\"}"));

    assertThat(response.entries())
        .containsExactlyElementsOf(asStreams(response, newestFirst(s -> s.source() == SEARCH)));
  }

  @Test
  void limitKeepsTheNewestEntriesGoingBackward() {
    LokiResponse response = LOKI.queryRange(window("{service_name=\"checkout\"}").limit(2));

    assertThat(response.entries())
        .containsExactlyElementsOf(newestFirst(s -> s.source() == CHECKOUT).subList(0, 2));
  }

  @Test
  void limitKeepsTheOldestEntriesGoingForward() {
    LokiResponse response =
        LOKI.queryRange(window("{service_name=\"checkout\"}").limit(2).forward());

    assertThat(response.entries())
        .containsExactlyElementsOf(oldestFirst(s -> s.source() == CHECKOUT).subList(0, 2));
  }

  @Test
  void limitAppliesAcrossStreams() {
    Predicate<Sent> prodOrDev = s -> s.source() == CHECKOUT || s.source() == SEARCH;

    LokiResponse backward = LOKI.queryRange(window("{k8s_namespace_name=~\"prod|dev\"}").limit(3));
    LokiResponse forward =
        LOKI.queryRange(window("{k8s_namespace_name=~\"prod|dev\"}").limit(3).forward());

    assertThat(backward.entries())
        .containsExactlyInAnyOrderElementsOf(newestFirst(prodOrDev).subList(0, 3));
    assertThat(forward.entries())
        .containsExactlyInAnyOrderElementsOf(oldestFirst(prodOrDev).subList(0, 3));
  }

  @Test
  void eachStreamOfAMultiStreamAnswerIsOrderedByTheDirection() {
    LokiResponse backward = LOKI.queryRange(window("{k8s_namespace_name=~\".+\"}"));
    LokiResponse forward = LOKI.queryRange(window("{k8s_namespace_name=~\".+\"}").forward());

    for (JsonNode stream : backward.result()) {
      assertThat(times(stream)).isSortedAccordingTo(Comparator.reverseOrder());
    }
    for (JsonNode stream : forward.result()) {
      assertThat(times(stream)).isSorted();
    }
    assertThat(backward.entries()).containsExactlyInAnyOrderElementsOf(newestFirst(s -> true));
  }

  // ---- time range ----

  @Test
  void startIsInclusiveAndEndIsExclusive() {
    long start = T0 + SECOND;
    long end = T0 + 3 * SECOND;

    LokiResponse exact =
        LOKI.queryRange(LokiQuery.of("{service_name=\"checkout\"}").between(start, end));
    LokiResponse shifted =
        LOKI.queryRange(LokiQuery.of("{service_name=\"checkout\"}").between(start + 1, end + 1));

    assertThat(exact.entries())
        .containsExactlyElementsOf(
            newestFirst(
                s -> s.source() == CHECKOUT && s.timeNanos() >= start && s.timeNanos() < end));
    assertThat(exact.lines()).hasSize(2);
    assertThat(shifted.entries())
        .containsExactlyElementsOf(
            newestFirst(
                s -> s.source() == CHECKOUT && s.timeNanos() > start && s.timeNanos() <= end));
  }

  @Test
  void startAndEndAcceptUnixSecondsAndRfc3339() {
    long start = T0 + SECOND;
    long end = T0 + 3 * SECOND;
    String startSeconds = Long.toString(start / SECOND);
    String endRfc3339 = Instant.ofEpochSecond(0, end).toString();

    LokiResponse response =
        LOKI.queryRange(
            LokiQuery.of("{service_name=\"checkout\"}")
                .with("start", startSeconds)
                .with("end", endRfc3339));

    assertThat(response.entries())
        .containsExactlyElementsOf(
            newestFirst(
                s -> s.source() == CHECKOUT && s.timeNanos() >= start && s.timeNanos() < end));
  }

  @Test
  void instantQueryReturnsEntriesUpToAndIncludingItsTime() {
    long time = T0 + 2 * SECOND;

    LokiResponse response =
        LOKI.get(
            LokiClient.QUERY,
            null,
            Map.of("query", "{service_name=\"checkout\"}", "time", Long.toString(time)));

    assertThat(response.entries())
        .containsExactlyElementsOf(
            newestFirst(s -> s.source() == CHECKOUT && s.timeNanos() <= time));
  }

  @Test
  void queryRangeAcceptsAFormPost() {
    LokiQuery query = window("{service_name=\"search\"}").forward();

    LokiResponse posted = LOKI.postForm(LokiClient.QUERY_RANGE, null, query.params());

    assertThat(posted.entries())
        .containsExactlyElementsOf(asStreams(posted, oldestFirst(s -> s.source() == SEARCH)));
  }

  // ---- stream selectors ----

  @Test
  void equalityMatcherSelectsOnlyThatStream() {
    assertSelects(
        "{service_name=\"search\"}", s -> s.source().labels().get("service_name").equals("search"));
  }

  @Test
  void notEqualMatcherExcludesThatStream() {
    assertSelects(
        "{k8s_namespace_name=~\".+\", service_name!=\"checkout\"}",
        s -> !s.source().labels().get("service_name").equals("checkout"));
  }

  @Test
  void regexMatcherSelectsEveryMatchingStream() {
    assertSelects(
        "{service_name=~\"checkout|search\"}",
        s -> s.source().labels().get("service_name").matches("checkout|search"));
  }

  @Test
  void negativeRegexMatcherExcludesEveryMatchingStream() {
    assertSelects(
        "{k8s_namespace_name=~\".+\", service_name!~\"check.*|unknown_.*\"}",
        s -> !s.source().labels().get("service_name").matches("check.*|unknown_.*"));
  }

  @Test
  void labelRegexMustMatchTheWholeValue() {
    LokiResponse prefix = LOKI.queryRange(window("{service_name=~\"check\"}"));
    LokiResponse infix = LOKI.queryRange(window("{service_name=~\"heck\"}"));
    LokiResponse whole = LOKI.queryRange(window("{service_name=~\".*heck.*\"}"));

    assertThat(prefix.entries()).isEmpty();
    assertThat(infix.entries()).isEmpty();
    assertThat(whole.entries())
        .containsExactlyElementsOf(asStreams(whole, newestFirst(s -> s.source() == CHECKOUT)));
  }

  // ---- line filters ----

  @Test
  void containsFilterKeepsLinesWithTheText() {
    assertFilters("|= \"200\"", line -> line.contains("200"));
  }

  @Test
  void containsFilterTakesItsTextLiterally() {
    // As a regex, "?" would make the "t" optional; as a substring it is a question mark.
    assertFilters("|= \"cart?id=\"", line -> line.contains("cart?id="));
  }

  @Test
  void notContainsFilterDropsLinesWithTheText() {
    assertFilters("!= \"200\"", line -> !line.contains("200"));
  }

  @Test
  void regexFilterMatchesAnywhereInTheLine() {
    Pattern pay = Pattern.compile("pay");

    List<String> lines = assertFilters("|~ \"pay\"", line -> pay.matcher(line).find());

    assertThat(lines).isNotEmpty().noneMatch(line -> line.startsWith("pay"));
  }

  @Test
  void regexFilterHonoursExplicitAnchors() {
    assertFilters("|~ \"^GET\"", line -> line.startsWith("GET"));
  }

  @Test
  void negativeRegexFilterDropsMatchingLines() {
    Pattern status2xx = Pattern.compile("2\\d\\d");

    assertFilters("!~ `2\\d\\d`", line -> !status2xx.matcher(line).find());
  }

  @Test
  void containsAlternativesKeepLinesWithAnyOfTheTexts() {
    assertFilters(
        "|= \"declined\" or \"timeout\"",
        line -> line.contains("declined") || line.contains("timeout"));
  }

  @Test
  void notContainsAlternativesDropLinesWithAnyOfTheTexts() {
    assertFilters(
        "!= \"GET\" or \"query\"", line -> !line.contains("GET") && !line.contains("query"));
  }

  @Test
  void regexAlternativesKeepLinesMatchingAnyPattern() {
    Pattern noHits = Pattern.compile("hits=0$");
    Pattern post = Pattern.compile("^POST");

    assertFilters(
        "|~ \"hits=0$\" or \"^POST\"",
        line -> noHits.matcher(line).find() || post.matcher(line).find());
  }

  @Test
  void negativeRegexAlternativesDropLinesMatchingAnyPattern() {
    Pattern get = Pattern.compile("^GET");
    Pattern query = Pattern.compile("^query");

    assertFilters(
        "!~ \"^GET\" or \"^query\"",
        line -> !get.matcher(line).find() && !query.matcher(line).find());
  }

  @Test
  void chainedFiltersMustAllHold() {
    assertFilters("|= \"POST\" != \"500\"", line -> line.contains("POST") && !line.contains("500"));
  }

  // ---- tenants ----

  @Test
  void tenantsNeverSeeEachOthersLines() {
    LokiQuery checkout = window("{service_name=\"checkout\"}");

    LokiResponse defaultTenant = LOKI.queryRange(checkout);
    LokiResponse explicitFake = LOKI.queryRange(checkout.tenant(DEFAULT_TENANT));
    LokiResponse teamB = LOKI.queryRange(checkout.tenant(TEAM_B));
    LokiResponse stranger = LOKI.queryRange(checkout.tenant("nobody"));

    assertThat(defaultTenant.entries())
        .containsExactlyElementsOf(
            asStreams(defaultTenant, newestFirst(DEFAULT_TENANT, s -> s.source() == CHECKOUT)));
    assertThat(explicitFake.entries()).isEqualTo(defaultTenant.entries());
    assertThat(teamB.entries())
        .containsExactlyElementsOf(newestFirst(TEAM_B, s -> s.source() == CHECKOUT));
    assertThat(stranger.entries()).isEmpty();
  }

  // ---- other ways in ----

  @Test
  void gzipCompressedExportIsStoredAndServed() {
    String tenant = "gzip-client";
    List<Emit> records =
        List.of(
            new Emit(T0 + 7, Severity.INFO, "compressed hello"),
            new Emit(T0 + SECOND + 9, Severity.WARN, "compressed world " + "x".repeat(2000)));

    SdkLogShipper.ship(server.otlpHttpPort(), tenant, "gzip", CHECKOUT.resource(), records);

    LokiResponse response =
        LOKI.queryRange(window("{service_name=\"checkout\"}").forward().tenant(tenant));
    assertThat(response.entries())
        .containsExactlyElementsOf(
            records.stream()
                .map(
                    r ->
                        new Entry(
                            sdkLabels(CHECKOUT, r.severity()), r.timeNanos(), r.line()))
                .toList());
  }

  @Test
  void handWrittenOtlpJsonIsStoredAndServed() {
    String tenant = "json-client";
    List<SentLine> lines =
        List.of(
            new SentLine(T0 + 123_456_789, "json line one"),
            new SentLine(T0 + SECOND + 1, "json line two with \"quotes\" and ünïcödé"));
    ObjectNode document = OtlpBodies.jsonRequest("json-service", lines);
    ObjectNode resource = (ObjectNode) document.get("resourceLogs").get(0).get("resource");
    ((ArrayNode) resource.get("attributes"))
        .add(OtlpBodies.stringAttribute("k8s.namespace.name", "json-ns"))
        .add(OtlpBodies.stringAttribute("team.owner", "hand-written"));
    ObjectNode firstRecord = (ObjectNode) document.at("/resourceLogs/0/scopeLogs/0/logRecords/0");
    firstRecord.put("traceId", "5b8efff798038103d269b633813fc60c");
    firstRecord.put("spanId", "eee19b7ec3c1b174");

    OtlpResponse ack =
        new OtlpHttpClient(() -> server.otlpHttpPort())
            .post("/v1/logs", OtlpHttpClient.JSON, null, tenant, OtlpBodies.json(document));

    assertThat(ack.status()).as("%s", ack).isEqualTo(200);
    assertThat(ack.isJson()).isTrue();
    assertThat(ack.json().has("partialSuccess")).as("partial success in %s", ack.text()).isFalse();
    // Both records are INFO (severity 9) and the resource's team.owner is structured metadata;
    // so are the first record's ids.
    Map<String, String> labels =
        withSeverity(
            Map.of(
                "service_name", "json-service", "k8s_namespace_name", "json-ns", "team_owner",
                "hand-written"),
            Severity.INFO);
    Map<String, String> traced = new TreeMap<>(labels);
    traced.put("trace_id", "5b8efff798038103d269b633813fc60c");
    traced.put("span_id", "eee19b7ec3c1b174");
    LokiResponse response =
        LOKI.queryRange(window("{service_name=\"json-service\"}").forward().tenant(tenant));
    assertThat(response.entries())
        .containsExactly(
            new Entry(traced, lines.get(0).timeNanos(), lines.get(0).line()),
            new Entry(labels, lines.get(1).timeNanos(), lines.get(1).line()));
  }

  @Test
  void limitDefaultsToOneHundredEntries() {
    String tenant = "bulk";
    List<Emit> records =
        IntStream.range(0, 120)
            .mapToObj(i -> new Emit(T0 + i * 1_000_000L, Severity.INFO, "tick " + i))
            .toList();
    SdkLogShipper.ship(server.otlpHttpPort(), tenant, "none", SEARCH.resource(), records);

    LokiResponse response = LOKI.queryRange(window("{service_name=\"search\"}").tenant(tenant));

    assertThat(response.lines())
        .containsExactlyElementsOf(
            records.stream()
                .sorted(Comparator.comparingLong(Emit::timeNanos).reversed())
                .limit(100)
                .map(Emit::line)
                .toList());
  }

  /**
   * Grafana sends query_range as a GET, so the query travels in the URL; a dashboard variable with
   * many values easily makes it longer than 4 KiB. Loki (Go's net/http) reads request heads up to 1
   * MiB, and LogQL itself allows 128 KiB queries.
   */
  @Test
  void longQueryInTheUrlIsAnsweredLikeTheSameQueryPosted() {
    StringBuilder services = new StringBuilder("checkout|search");
    for (int i = 0; services.length() < 12_000; i++) {
      services.append("|service-from-a-long-dashboard-variable-").append(i);
    }
    LokiQuery query = window("{service_name=~\"" + services + "\"}");

    LokiResponse got = LOKI.queryRange(query);
    LokiResponse posted = LOKI.postForm(LokiClient.QUERY_RANGE, null, query.params());

    Predicate<Sent> checkoutOrSearch = s -> s.source() == CHECKOUT || s.source() == SEARCH;
    assertThat(posted.entries()).containsExactlyInAnyOrderElementsOf(newestFirst(checkoutOrSearch));
    assertThat(got.status())
        .as("GET with a %d-character query: %s", services.length(), got.rawBody())
        .isEqualTo(200);
    assertThat(got.entries()).containsExactlyInAnyOrderElementsOf(newestFirst(checkoutOrSearch));
  }

  @Test
  void concurrentWritersToManyTenantsEachSeeExactlyTheirLines() throws Exception {
    int tenants = 6;
    int requestsPerTenant = 8;
    OtlpHttpClient otlp = new OtlpHttpClient(() -> server.otlpHttpPort());
    ExecutorService writers = Executors.newFixedThreadPool(tenants);
    Map<String, List<SentLine>> sentByTenant = new ConcurrentHashMap<>();
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < tenants; t++) {
      String tenant = "concurrent-" + t;
      done.add(
          writers.submit(
              () -> {
                for (int r = 0; r < requestsPerTenant; r++) {
                  List<SentLine> lines =
                      List.of(
                          new SentLine(T0 + r * 1_000L + 1, tenant + " request " + r + " a"),
                          new SentLine(T0 + r * 1_000L + 2, tenant + " request " + r + " b"));
                  OtlpResponse ack =
                      otlp.post(
                          "/v1/logs",
                          OtlpHttpClient.PROTOBUF,
                          null,
                          tenant,
                          OtlpBodies.protobuf("writer", lines));
                  assertThat(ack.status()).as("%s", ack).isEqualTo(200);
                  sentByTenant.computeIfAbsent(tenant, k -> new ArrayList<>()).addAll(lines);
                }
              }));
    }
    for (Future<?> f : done) {
      f.get(2, TimeUnit.MINUTES);
    }
    writers.shutdown();

    for (var tenant : sentByTenant.entrySet()) {
      LokiResponse response =
          LOKI.queryRange(
              window("{service_name=\"writer\"}").forward().limit(5000).tenant(tenant.getKey()));
      assertThat(response.lines())
          .as("lines of %s", tenant.getKey())
          .containsExactlyElementsOf(
              tenant.getValue().stream()
                  .sorted(Comparator.comparingLong(SentLine::timeNanos))
                  .map(SentLine::line)
                  .toList());
    }
    assertThat(sentByTenant).hasSize(tenants);
  }

  // ---- operations endpoints ----

  @Test
  void readyAnswersOnBothPorts() {
    OtlpResponse otlpReady = new OtlpHttpClient(() -> server.otlpHttpPort()).get("/ready");
    LokiResponse lokiReady = LOKI.get("/ready", null, Map.of());

    assertThat(otlpReady.status()).isEqualTo(200);
    assertThat(lokiReady.status()).isEqualTo(200);
  }

  @Test
  void metricsCountTheIngestedRecords() {
    String exposition = new OtlpHttpClient(() -> server.otlpHttpPort()).get("/metrics").text();

    assertThat(PrometheusText.samples(exposition, "icegate_ingested_records_total"))
        .filteredOn(sample -> "logs".equals(sample.labels().get("signal")))
        .singleElement()
        .satisfies(sample -> assertThat(sample.value()).isGreaterThanOrEqualTo(SENT.size()));
  }

  @Test
  void explainShowsThePlanAndWhatEachNodeDid() {
    Map<String, String> params =
        new java.util.HashMap<>(
            Map.of(
                "query", "{service_name=\"checkout\"} |= \"GET\"",
                "start", Long.toString(T0),
                "end", Long.toString(T0 + MINUTE)));
    params.put("explain", "plan");
    LokiResponse plan = LOKI.get("/loki/api/v1/query_range", null, params);
    assertThat(plan.status()).isEqualTo(200);
    assertThat(plan.json().at("/data/resultType").asText()).isEqualTo("explain");
    assertThat(plan.json().at("/data/explain").asText())
        .containsSubsequence("ArrowSort", "ArrowGather", "ArrowFilter", "ArrowTableScan")
        .contains("pushed=[tenant=" + DEFAULT_TENANT)
        .contains("{service_name=checkout}");

    params.put("explain", "analyze");
    LokiResponse analyze = LOKI.get("/loki/api/v1/query_range", null, params);
    assertThat(analyze.status()).isEqualTo(200);
    String text = analyze.json().at("/data/explain").asText();
    // Every node says what it did; the scan is read inside the filter above it.
    assertThat(text.lines().filter(l -> !l.startsWith("scanned:")))
        .isNotEmpty()
        .allMatch(l -> (l.contains("rows=") && l.contains("time="))
            || (l.trim().startsWith("ArrowTableScan") && l.contains("read by the filter above")));
    assertThat(text).containsPattern("(?m)^scanned: \\d+ files");

    params.put("explain", "everything");
    LokiResponse bad = LOKI.get("/loki/api/v1/query_range", null, params);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.rawBody()).contains("explain must be");
  }

  @Test
  void explainOfAMetricQueryShowsEachRangeAggregationsPlan() {
    Map<String, String> params =
        new java.util.HashMap<>(
            Map.of(
                "query",
                "sum by (service_name) (count_over_time({service_name=\"checkout\"} |= \"GET\" [1m]))"
                    + " / 2",
                "start", Long.toString(T0),
                "end", Long.toString(T0 + MINUTE),
                "step", "15"));
    params.put("explain", "plan");
    LokiResponse plan = LOKI.get("/loki/api/v1/query_range", null, params);
    assertThat(plan.status()).isEqualTo(200);
    assertThat(plan.json().at("/data/resultType").asText()).isEqualTo("explain");
    assertThat(plan.json().at("/data/explain").asText())
        .startsWith("PromQL over the range aggregations: (sum by (service_name) (")
        .contains("(2)")
        .containsSubsequence(
            "{__logql_range__=\"0\"} is:",
            "ArrowRangeAggregate(op=[count_over_time], range=[1m],"
                + " grouping=[by (service_name)]",
            "ArrowGather", "ArrowFilter", "ArrowTableScan")
        .contains("pushed=[tenant=" + DEFAULT_TENANT)
        .contains("{service_name=checkout}");

    params.put("explain", "analyze");
    LokiResponse analyze = LOKI.get("/loki/api/v1/query_range", null, params);
    assertThat(analyze.status()).isEqualTo(200);
    String text = analyze.json().at("/data/explain").asText();
    assertThat(text)
        .contains("ArrowRangeAggregate(op=[count_over_time]")
        .containsPattern("(?m)^scanned: \\d+ files");
    assertThat(text.lines().filter(l -> l.trim().startsWith("Arrow")))
        .isNotEmpty()
        .allMatch(l -> (l.contains("rows=") && l.contains("time="))
            || l.contains("read by the filter above"));
  }

  @Test
  void metricsCountWhatQueriesScanned() {
    String before = LOKI.get("/metrics", null, Map.of()).rawBody();
    assertThat(LOKI.queryRange(window("{service_name=~\".+\"}")).status()).isEqualTo(200);
    String after = LOKI.get("/metrics", null, Map.of()).rawBody();
    for (String counter :
        List.of("icegate_query_plans_total", "icegate_query_files_scanned_total",
            "icegate_query_rows_scanned_total", "icegate_query_bytes_scanned_total")) {
      double was = PrometheusText.samples(before, counter).get(0).value();
      double is = PrometheusText.samples(after, counter).get(0).value();
      assertThat(is).as(counter).isGreaterThan(was);
    }
    assertThat(PrometheusText.samples(after, "icegate_query_files_pruned_total")).hasSize(1);
    // Per operator type: the plan's operators (a filter at least) produced rows and took time.
    assertThat(operatorSample(after, "icegate_query_operator_rows_total", "ArrowFilter"))
        .isGreaterThan(operatorSample(before, "icegate_query_operator_rows_total", "ArrowFilter"));
    assertThat(operatorSample(after, "icegate_query_operator_seconds_total", "ArrowFilter"))
        .isGreaterThan(
            operatorSample(before, "icegate_query_operator_seconds_total", "ArrowFilter"));
  }

  /** The sample of a per-operator counter for {@code operator}, 0 when not yet exposed. */
  private static double operatorSample(String exposition, String counter, String operator) {
    return PrometheusText.samples(exposition, counter).stream()
        .filter(s -> operator.equals(s.labels().get("operator")))
        .mapToDouble(PrometheusText.Sample::value)
        .findFirst()
        .orElse(0);
  }

  /**
   * {@code icegate_http_requests_total}: "HTTP requests answered, by listener, path and status
   * code".
   */
  @Test
  void metricsCountAnsweredRequestsByPathAndCode() {
    OtlpHttpClient otlp = new OtlpHttpClient(() -> server.otlpHttpPort());
    List<SentLine> line = List.of(new SentLine(T0 + 30 * SECOND, "counted request"));
    assertThat(
            otlp.post(
                    "/v1/logs",
                    OtlpHttpClient.PROTOBUF,
                    null,
                    "metrics",
                    OtlpBodies.protobuf("m", line))
                .status())
        .isEqualTo(200);
    assertThat(LOKI.queryRange(window("{service_name=\"m\"}").tenant("metrics")).status())
        .isEqualTo(200);

    for (String port : List.of("otlp", "loki")) {
      String exposition =
          port.equals("otlp")
              ? otlp.get("/metrics").text()
              : LOKI.get("/metrics", null, Map.of()).rawBody();
      List<PrometheusText.Sample> requests =
          PrometheusText.samples(exposition, "icegate_http_requests_total");
      assertThat(requests)
          .as("/metrics on the %s port", port)
          .anySatisfy(
              s ->
                  assertThat(s.labels())
                      .containsEntry("path", "/v1/logs")
                      .containsEntry("code", "200"))
          .anySatisfy(
              s ->
                  assertThat(s.labels())
                      .containsEntry("path", LokiClient.QUERY_RANGE)
                      .containsEntry("code", "200"));
    }
  }

  // ---- restart: last, it replaces the server the other tests use ----

  @Test
  @Order(Integer.MAX_VALUE)
  void restartedServerGivesTheSameAnswers() throws Exception {
    List<LokiQuery> queries =
        List.of(
            window("{k8s_namespace_name=~\".+\"}"),
            window("{k8s_namespace_name=~\".+\"}").forward().limit(4),
            window("{service_name=\"checkout\"} |= \"POST\" or \"health\""),
            window("{service_name=~\"checkout|search\"} |~ \"q=s\""),
            window("{service_name=\"checkout\"}").tenant(TEAM_B));
    List<JsonNode> before = queries.stream().map(q -> LOKI.queryRange(q).result()).toList();

    server.close();
    server = start();

    List<JsonNode> after = queries.stream().map(q -> LOKI.queryRange(q).result()).toList();
    assertThat(after).isEqualTo(before);
    assertThat(LOKI.queryRange(window("{k8s_namespace_name=~\".+\"}")).entries())
        .containsExactlyInAnyOrderElementsOf(newestFirst(s -> true));
    assertThat(LOKI.queryRange(window("{service_name=\"checkout\"}").tenant(TEAM_B)).entries())
        .containsExactlyElementsOf(newestFirst(TEAM_B, s -> true));
  }

  // ---- fixtures and helpers ----

  private static IceGateServer start() throws Exception {
    return IceGateServer.start(
        ServerConfig.defaults().withDataDir(dataDir).withPorts("127.0.0.1", 0, 0));
  }

  private static Sent sent(
      String tenant, Source source, long offsetNanos, Severity severity, String line) {
    return new Sent(tenant, source, T0 + offsetNanos, severity, line);
  }

  /** A query over the minute all records of this class lie in. */
  private static LokiQuery window(String logql) {
    return LokiQuery.of(logql).between(T0, T0 + MINUTE);
  }

  private static List<Entry> newestFirst(Predicate<Sent> which) {
    return newestFirst(DEFAULT_TENANT, which);
  }

  private static List<Entry> newestFirst(String tenant, Predicate<Sent> which) {
    return SENT.stream()
        .filter(s -> s.tenant().equals(tenant) && which.test(s))
        .sorted(Comparator.comparingLong(Sent::timeNanos).reversed())
        .map(Sent::entry)
        .toList();
  }

  private static List<Entry> oldestFirst(Predicate<Sent> which) {
    return SENT.stream()
        .filter(s -> s.tenant().equals(DEFAULT_TENANT) && which.test(s))
        .sorted(Comparator.comparingLong(Sent::timeNanos))
        .map(Sent::entry)
        .toList();
  }

  /** The selector returns exactly the default tenant's records {@code which} accepts. */
  private static void assertSelects(String selector, Predicate<Sent> which) {
    LokiResponse response = LOKI.queryRange(window(selector));

    List<Entry> expected = newestFirst(which);
    assertThat(expected).as("the fixture has records for %s", selector).isNotEmpty();
    assertThat(response.entries()).containsExactlyInAnyOrderElementsOf(expected);
  }

  /**
   * The filter, after a selector of every stream, returns exactly the lines {@code keep} accepts,
   * and at least one line is dropped and one kept (so the case can tell right from wrong).
   *
   * @return the lines returned
   */
  private static List<String> assertFilters(String filter, Predicate<String> keep) {
    LokiResponse response = LOKI.queryRange(window("{k8s_namespace_name=~\".+\"} " + filter));

    List<Entry> expected = newestFirst(s -> keep.test(s.line()));
    assertThat(expected).as("lines kept by %s", filter).isNotEmpty();
    assertThat(expected)
        .as("lines dropped by %s", filter)
        .hasSizeLessThan(newestFirst(s -> true).size());
    assertThat(response.entries()).containsExactlyInAnyOrderElementsOf(expected);
    return response.lines();
  }

  private static List<Long> times(JsonNode stream) {
    List<Long> times = new ArrayList<>();
    stream.get("values").forEach(v -> times.add(Long.parseLong(v.get(0).asText())));
    return times;
  }
}
