package io.icegate.engine.logql;

import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.logql.pipeline.CategorizedLabels;
import io.icegate.engine.logql.pipeline.LogLevelDetector;
import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.plan.QueryOptimizer;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.logql.ast.LineFilter;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.PipelineStage;
import io.icegate.protocol.loki.Direction;
import io.icegate.protocol.loki.LabelSetCodec;
import io.icegate.storage.scan.TableScanner;
import io.icegate.storage.table.LogsTable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.calcite.tools.RelBuilder;

/**
 * Log patterns for Loki's {@code /patterns}: the newest lines of a selector clustered the way
 * Loki's pattern ingester clusters them, with the Drain algorithm (He et al., ICWS 2017) over
 * Loki's punctuation tokenizer (see {@link Drain}). Each pattern counts its lines per {@code
 * step}.
 *
 * <p>As in Loki, each stream's lines are mined per detected level ({@link LogLevelDetector}), one
 * Drain for each, keeping at most {@value Drain#MAX_CLUSTERS} clusters. Loki mines continuously
 * from everything ingested; we mine on request from at most {@code maxLines} of the newest lines
 * of the selection.
 */
public final class LogPatternMiner {
  /** Drain's similarity threshold, as Loki configures it. */
  static final double SIMILARITY = 0.3;

  public static final String PLACEHOLDER = "<_>";

  private final IceGateCatalog catalog;
  private final PlanRunner runner;

  public LogPatternMiner(
      TableScanner scanner, BufferAllocator root, long queryMemoryBytes, Duration timeout) {
    this.catalog = new IceGateCatalog(scanner, List.of(LogsTable.NAME));
    this.runner = new PlanRunner(scanner, root, queryMemoryBytes, timeout);
  }

  /**
   * One pattern of the lines of one detected level ({@code level}, see {@link LogLevelDetector})
   * with its line count per step, times in seconds, ascending.
   */
  public record Pattern(
      String pattern, String level, long total, long[] timesSeconds, long[] counts) {
    Pattern withLevel(String newLevel) {
      return new Pattern(pattern, newLevel, total, timesSeconds, counts);
    }
  }

  /**
   * The patterns of the newest {@code maxLines} lines of {@code selector} (line filters only) in
   * {@code [startNanos, endNanos)}, the most frequent first.
   */
  public List<Pattern> mine(
      String tenant, long startNanos, long endNanos, LogSelectorExpr selector, long stepNanos,
      int maxLines, BooleanSupplier cancelled) {
    for (PipelineStage stage : selector.pipeline()) {
      if (!(stage instanceof LineFilter)) {
        throw new IllegalArgumentException("only a stream selector (and line filters) is allowed");
      }
    }
    RelBuilder b = catalog.relBuilder();
    ArrowRel plan =
        QueryOptimizer.optimize(
            LogQueryPlanner.plan(
                selector,
                new LogQueryRange(tenant, startNanos, endNanos, maxLines, Direction.BACKWARD),
                b),
            b);
    // Loki keeps one Drain per stream and detected level, its tokenizer chosen by the format of
    // the stream's first line, and trains it in ingestion order; the patterns of all streams are
    // then merged by text and level. Each entry's labels come with their origin, so the stream
    // is its stream labels and the level is detected from them, its metadata and its line.
    Map<String, List<Line>> streams = new LinkedHashMap<>();
    Map<String, CategorizedLabels> decoded = new HashMap<>();
    runner.run(
        "patterns",
        plan,
        cancelled,
        batch -> {
          TimeStampVector time = (TimeStampVector) batch.getVector(0);
          VarCharVector labels = (VarCharVector) batch.getVector(1);
          VarCharVector body = (VarCharVector) batch.getVector(2);
          for (int i = 0; i < batch.getRowCount(); i++) {
            CategorizedLabels entry =
                decoded.computeIfAbsent(
                    new String(labels.get(i), StandardCharsets.UTF_8),
                    k -> CategorizedLabels.fromMarked(LabelSetCodec.decode(k)));
            String line = body.isNull(i) ? "" : new String(body.get(i), StandardCharsets.UTF_8);
            String level =
                LogLevelDetector.drainLevel(entry.stream(), entry.structuredMetadata(), line);
            streams
                .computeIfAbsent(entry.stream().toString(), k -> new ArrayList<>())
                .add(new Line(time.get(i), line, level));
          }
        });
    Map<String, Pattern> merged = new HashMap<>();
    for (List<Line> stream : streams.values()) {
      stream.sort(Comparator.comparingLong(Line::timeNanos));
      Format format = Format.detect(stream.get(0).text());
      Map<String, Drain> byLevel = new LinkedHashMap<>();
      for (Line line : stream) {
        byLevel
            .computeIfAbsent(line.level(), k -> new Drain(format))
            .add(line.text(), Math.floorDiv(line.timeNanos(), stepNanos) * stepNanos);
      }
      byLevel.forEach(
          (level, drain) -> {
            for (Pattern p : drain.patterns()) {
              merged.merge(
                  level + "\n" + p.pattern(), p.withLevel(level), LogPatternMiner::sum);
            }
          });
    }
    List<Pattern> out = new ArrayList<>(merged.values());
    out.sort(Drain.MOST_FIRST);
    return out;
  }

  /** A line to mine, with its detected level. */
  private record Line(long timeNanos, String text, String level) {}

  /** One pattern found in two streams: the counts of the steps added. */
  private static Pattern sum(Pattern a, Pattern b) {
    TreeMap<Long, Long> counts = new TreeMap<>();
    for (Pattern p : List.of(a, b)) {
      for (int i = 0; i < p.timesSeconds().length; i++) {
        counts.merge(p.timesSeconds()[i], p.counts()[i], Long::sum);
      }
    }
    return new Pattern(
        a.pattern(),
        a.level(),
        a.total() + b.total(),
        counts.keySet().stream().mapToLong(Long::longValue).toArray(),
        counts.values().stream().mapToLong(Long::longValue).toArray());
  }

  /**
   * How Loki tokenizes a stream's lines, guessed as Loki guesses it from the stream's first line:
   * a line between braces is JSON, a line of {@code key=value} pairs logfmt, anything else text.
   */
  public enum Format {
    TEXT,
    LOGFMT,
    JSON;

    private static final com.google.re2j.Pattern LOGFMT_LINE =
        com.google.re2j.Pattern.compile(
            "^(\\w+?=([^\"]\\S*?|\".+?\") )*?(\\w+?=([^\"]\\S*?|\".+?\"))+$");

    public static Format detect(String line) {
      if (line.length() < 2) {
        return TEXT;
      }
      if (line.charAt(0) == '{' && line.charAt(line.length() - 1) == '}') {
        return JSON;
      }
      return LOGFMT_LINE.matcher(line).find() ? LOGFMT : TEXT;
    }
  }

  /**
   * The clustering, usable on its own: Drain as Loki's pattern ingester configures it.
   *
   * <ul>
   *   <li>A line is split into tokens at spaces, at {@code =} and at Unicode punctuation other than
   *       {@code _ - . : /}; each such delimiter other than a space is a token of its own, and
   *       where the spaces were is remembered so a template prints as the lines did. Letters,
   *       digits and other symbols ({@code + $ < >} …) stay inside tokens. After 127 tokens the
   *       rest of the line is one last token. Lines over 3000 bytes, or with fewer than 4 or more
   *       than 80 tokens, are not clustered.
   *   <li>A tree routes a line by its token count, then by its tokens from the first up to the
   *       28th (never the last): a token holding a number takes the {@code <_>} branch, others
   *       their own branch (at most 15 per node, then {@code <_>}). So lines that differ in a
   *       word near their start are different patterns, as in Loki.
   *   <li>At the leaf a line joins the cluster whose template it matches best — the share of
   *       positions where the template has the line's token, ties to the template with more
   *       {@code <_>} — if that share is at least 0.3, and the positions that differ become
   *       {@code <_>}; else it starts a cluster. Adjacent {@code <_>}s print as one.
   * </ul>
   */
  public static final class Drain {
    private static final int MAX_LINE_BYTES = 3000;
    private static final int MIN_TOKENS = 4;
    private static final int MAX_TOKENS = 80;
    private static final int MAX_SPLIT_TOKENS = 127;
    /** Loki's tree depth, 30, less the root and the token-count level. */
    private static final int MAX_NODE_DEPTH = 28;
    private static final int MAX_CHILDREN = 15;

    /** The most lines first, ties by pattern text. */
    static final java.util.Comparator<Pattern> MOST_FIRST =
        (x, y) ->
            x.total() == y.total()
                ? x.pattern().compareTo(y.pattern())
                : Long.compare(y.total(), x.total());

    /** Loki's default JSON fields whose text is a JSON line's message. */
    private static final List<String> JSON_MESSAGE_FIELDS =
        List.of("log", "message", "msg", "msg_", "_msg", "content");

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
        new com.fasterxml.jackson.databind.ObjectMapper();

    /** Loki's {@code MaxClusters}: the clusters a Drain keeps, the least recently used leaving. */
    static final int MAX_CLUSTERS = 300;

    /**
     * Loki's {@code MaxEvictionRatio}: once more than this share of the lines trained so far have
     * each pushed a cluster out, the Drain stops training (Loki for 10 minutes, longer than any
     * request here mines, so for the rest of the request).
     */
    static final double MAX_EVICTION_RATIO = 0.25;

    private final Format format;
    private final Node root = new Node();
    /** The live clusters, least recently used first (an access-ordered map used as a list). */
    private final LinkedHashMap<Cluster, Cluster> clusters = new LinkedHashMap<>(16, 0.75f, true);
    private long added;
    private long evicted;
    private boolean blocked;

    /** A Drain for text lines. */
    public Drain() {
      this(Format.TEXT);
    }

    /** A Drain for a stream whose lines are in {@code format}. */
    public Drain(Format format) {
      this.format = format;
    }

    /** Adds a line seen in the step starting at {@code bucketNanos}. */
    public void add(String line, long bucketNanos) {
      if (!allow()) {
        return;
      }
      Tokens t =
          switch (format) {
            case TEXT -> tokenize(line);
            case LOGFMT -> tokenizeLogfmt(line);
            case JSON -> tokenizeJson(line);
          };
      if (t == null || t.tokens.size() < MIN_TOKENS || t.tokens.size() > MAX_TOKENS) {
        return;
      }
      String[] tokens = t.tokens.toArray(new String[0]);
      Cluster match = search(tokens);
      if (match == null) {
        match = new Cluster(format, tokens, t.spacesAfter);
        clusters.put(match, match);
        insert(match);
        if (clusters.size() > MAX_CLUSTERS) {
          Cluster eldest = clusters.keySet().iterator().next();
          clusters.remove(eldest);
          eldest.evicted = true;
          evicted++;
        }
      } else {
        match.merge(tokens);
        clusters.get(match); // a match makes it the most recently used
      }
      match.count(bucketNanos);
    }

    /**
     * Loki's eviction limiter, asked before each line (whether or not it will cluster): the first
     * line passes; later ones pass while evictions are at most {@link #MAX_EVICTION_RATIO} of the
     * lines passed, and once they are not, nothing passes any more.
     */
    private boolean allow() {
      if (blocked) {
        return false;
      }
      if (added > 0 && (double) evicted / added > MAX_EVICTION_RATIO) {
        blocked = true;
        return false;
      }
      added++;
      return true;
    }

    /** A line's tokens and, for each space, the index of the token before it (-1: none). */
    record Tokens(List<String> tokens, int[] spacesAfter) {}

    /** Loki's punctuation tokenizer; null for a line too long to cluster. */
    static Tokens tokenize(String line) {
      if (line.getBytes(StandardCharsets.UTF_8).length > MAX_LINE_BYTES) {
        return null;
      }
      List<String> tokens = new ArrayList<>();
      List<Integer> spaces = new ArrayList<>();
      int start = 0;
      int i = 0;
      while (i < line.length()) {
        if (tokens.size() >= MAX_SPLIT_TOKENS) {
          break;
        }
        int c = line.codePointAt(i);
        int width = Character.charCount(c);
        if (!Character.isLetter(c) && !isNumber(c) && "_-.:/".indexOf(c) < 0) {
          if (c == ' ' || c == '=' || isPunctuation(c)) {
            if (i > start) {
              tokens.add(line.substring(start, i));
            }
            if (c == ' ') {
              spaces.add(tokens.size() - 1);
            } else {
              tokens.add(line.substring(i, i + width));
            }
            start = i + width;
          }
        }
        i += width;
      }
      if (start < line.length()) {
        tokens.add(line.substring(start));
      }
      return new Tokens(tokens, spaces.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Loki's logfmt tokenizer: the keys and values in turn; a malformed line is not tokenized, and
     * the values of time and trace-id keys ({@code ts}, {@code t}, {@code time}, {@code
     * timestamp}, {@code traceID}) are {@code <_>} from the start.
     */
    static Tokens tokenizeLogfmt(String line) {
      if (line.getBytes(StandardCharsets.UTF_8).length > MAX_LINE_BYTES) {
        return null;
      }
      List<String> tokens = new ArrayList<>();
      String error =
          io.icegate.engine.logql.pipeline.LogfmtReader.read(
              line,
              true,
              (key, value) -> {
                tokens.add(key);
                tokens.add(variable(key) ? PLACEHOLDER : value);
              });
      return error == null ? new Tokens(tokens, new int[0]) : null;
    }

    private static boolean variable(String key) {
      return key.equalsIgnoreCase("ts")
          || key.equals("t")
          || key.equalsIgnoreCase("traceID")
          || key.equalsIgnoreCase("time")
          || key.equalsIgnoreCase("timestamp");
    }

    /**
     * Loki's JSON tokenizer: the text of the first message field the line has ({@code log},
     * {@code message}, {@code msg}, {@code msg_}, {@code _msg}, {@code content}), tokenized as
     * text; a line without one is not tokenized.
     */
    static Tokens tokenizeJson(String line) {
      com.fasterxml.jackson.databind.JsonNode object;
      try {
        object = JSON.readTree(line);
      } catch (java.io.IOException e) {
        return null;
      }
      if (object == null || !object.isObject()) {
        return null;
      }
      for (String field : JSON_MESSAGE_FIELDS) {
        com.fasterxml.jackson.databind.JsonNode value = object.get(field);
        if (value != null && value.isTextual()) {
          return tokenize(value.textValue());
        }
      }
      return null;
    }

    private static boolean isNumber(int c) {
      int type = Character.getType(c);
      return type == Character.DECIMAL_DIGIT_NUMBER
          || type == Character.LETTER_NUMBER
          || type == Character.OTHER_NUMBER;
    }

    private static boolean isPunctuation(int c) {
      return switch (Character.getType(c)) {
        case Character.CONNECTOR_PUNCTUATION,
            Character.DASH_PUNCTUATION,
            Character.START_PUNCTUATION,
            Character.END_PUNCTUATION,
            Character.INITIAL_QUOTE_PUNCTUATION,
            Character.FINAL_QUOTE_PUNCTUATION,
            Character.OTHER_PUNCTUATION -> true;
        default -> false;
      };
    }

    private static boolean hasNumber(String token) {
      return token.codePoints().anyMatch(Drain::isNumber);
    }

    private Cluster search(String[] tokens) {
      Node node = root.children.get(Integer.toString(tokens.length));
      if (node == null) {
        return null;
      }
      int depth = 1;
      for (String token : tokens) {
        if (depth >= MAX_NODE_DEPTH || depth == tokens.length) {
          break;
        }
        Node next = node.children.get(token);
        if (next == null) {
          next = node.children.get(PLACEHOLDER);
        }
        if (next == null) {
          return null;
        }
        node = next;
        depth++;
      }
      Cluster best = null;
      double bestSimilarity = -1;
      int bestParams = -1;
      node.clusters.removeIf(c -> c.evicted);
      for (Cluster c : node.clusters) {
        int same = 0;
        int params = 0;
        for (int i = 0; i < tokens.length; i++) {
          if (c.template[i].equals(PLACEHOLDER)) {
            params++;
          } else if (c.template[i].equals(tokens[i])) {
            same++;
          }
        }
        double similarity = (double) same / tokens.length;
        if (similarity > bestSimilarity || (similarity == bestSimilarity && params > bestParams)) {
          best = c;
          bestSimilarity = similarity;
          bestParams = params;
        }
      }
      return bestSimilarity >= SIMILARITY ? best : null;
    }

    private void insert(Cluster cluster) {
      String[] tokens = cluster.template;
      Node node =
          root.children.computeIfAbsent(Integer.toString(tokens.length), k -> new Node());
      int depth = 1;
      for (String token : tokens) {
        if (depth >= MAX_NODE_DEPTH || depth >= tokens.length) {
          node.clusters.add(cluster);
          return;
        }
        Node next = node.children.get(token);
        if (next == null) {
          Node param = node.children.get(PLACEHOLDER);
          int children = node.children.size();
          if (hasNumber(token)) {
            next = param != null ? param : node.child(PLACEHOLDER);
          } else if (param != null) {
            next = children < MAX_CHILDREN ? node.child(token) : param;
          } else if (children + 1 < MAX_CHILDREN) {
            next = node.child(token);
          } else if (children + 1 == MAX_CHILDREN) {
            next = node.child(PLACEHOLDER);
          } else {
            next = null; // a full node without a wildcard branch: Loki goes nowhere either
          }
        }
        if (next == null) {
          return;
        }
        node = next;
        depth++;
      }
      node.clusters.add(cluster);
    }

    /**
     * Every pattern of the clusters kept, the most lines first (ties by pattern text), with level
     * {@code unknown} (the miner sets the level of the lines it fed).
     */
    public List<Pattern> patterns() {
      List<Pattern> out = new ArrayList<>();
      for (Cluster c : clusters.keySet()) {
        long[] times = new long[c.buckets.size()];
        long[] counts = new long[c.buckets.size()];
        int i = 0;
        for (Map.Entry<Long, Long> e : c.buckets.entrySet()) {
          times[i] = Math.floorDiv(e.getKey(), 1_000_000_000L);
          counts[i] = e.getValue();
          i++;
        }
        out.add(new Pattern(c.text(), LogLevelDetector.UNKNOWN, c.total, times, counts));
      }
      out.sort(MOST_FIRST);
      return out;
    }
  }

  /** A node of Drain's routing tree. */
  private static final class Node {
    final Map<String, Node> children = new LinkedHashMap<>();
    final List<Cluster> clusters = new ArrayList<>();

    Node child(String token) {
      return children.computeIfAbsent(token, k -> new Node());
    }
  }

  /** One cluster: its template, where its spaces go, and its line counts per step. */
  private static final class Cluster {
    final Format format;
    final String[] template;
    final int[] spacesAfter;
    final TreeMap<Long, Long> buckets = new TreeMap<>();
    long total;
    /** Pushed out of the Drain's clusters: no line joins it any more. */
    boolean evicted;

    Cluster(Format format, String[] template, int[] spacesAfter) {
      this.format = format;
      this.template = template;
      this.spacesAfter = spacesAfter;
    }

    void merge(String[] tokens) {
      for (int i = 0; i < tokens.length; i++) {
        if (!template[i].equals(tokens[i])) {
          template[i] = PLACEHOLDER;
        }
      }
    }

    void count(long bucket) {
      buckets.merge(bucket, 1L, Long::sum);
      total++;
    }

    /**
     * The template as text: tokens joined with the first line's spaces, runs of {@code <_>} as
     * one. As in Loki, spaces are placed by walking the recorded positions in order, so a line
     * that began with a space (position -1) prints without spaces.
     */
    String text() {
      String joined =
          switch (format) {
            case TEXT -> joinText();
            case LOGFMT -> joinLogfmt();
            case JSON -> PLACEHOLDER + joinText() + PLACEHOLDER;
          };
      return joined.replaceAll("(?:<_>)+", PLACEHOLDER);
    }

    /** Key-value pairs as go-logfmt writes them: values quoted only where they must be. */
    private String joinLogfmt() {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i + 1 < template.length; i += 2) {
        if (i > 0) {
          out.append(' ');
        }
        out.append(template[i]).append('=');
        String v = template[i + 1];
        boolean quote = v.equals("null");
        for (int j = 0; j < v.length() && !quote; j++) {
          char c = v.charAt(j);
          quote = c <= ' ' || c == '=' || c == '"' || c == '\uFFFD';
        }
        if (!quote) {
          out.append(v);
          continue;
        }
        out.append('"');
        for (int j = 0; j < v.length(); j++) {
          char c = v.charAt(j);
          switch (c) {
            case '"' -> out.append("\\\"");
            case '\\' -> out.append("\\\\");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> {
              if (c < ' ') {
                out.append(String.format("\\u%04x", (int) c));
              } else {
                out.append(c);
              }
            }
          }
        }
        out.append('"');
      }
      return out.toString();
    }

    private String joinText() {
      StringBuilder out = new StringBuilder();
      int next = 0;
      for (int i = 0; i < template.length; i++) {
        out.append(template[i]);
        while (next < spacesAfter.length && spacesAfter[next] == i) {
          out.append(' ');
          next++;
        }
      }
      return out.toString();
    }

    @Override
    public String toString() {
      return Arrays.toString(template);
    }
  }
}
