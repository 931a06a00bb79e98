package io.icegate.engine.logql;

import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.plan.QueryOptimizer;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.logql.ast.LineFilter;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.PipelineStage;
import io.icegate.protocol.loki.Direction;
import io.icegate.storage.scan.TableScanner;
import io.icegate.storage.table.LogsTable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>Loki mines patterns continuously from everything ingested, per stream and detected level,
 * and tokenizes JSON and logfmt streams by their fields; we mine on request from at most {@code
 * maxLines} of the newest lines of the selection as one, with the punctuation tokenizer for every
 * line.
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

  /** One pattern with its line count per step, times in seconds, ascending. */
  public record Pattern(String pattern, long total, long[] timesSeconds, long[] counts) {}

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
            LogQueryPlanner.lines(
                selector,
                new LogQueryRange(tenant, startNanos, endNanos, maxLines, Direction.BACKWARD),
                b),
            b);
    Drain drain = new Drain();
    runner.run(
        "patterns",
        plan,
        cancelled,
        batch -> {
          TimeStampVector time = (TimeStampVector) batch.getVector(0);
          VarCharVector body = (VarCharVector) batch.getVector(2);
          for (int i = 0; i < batch.getRowCount(); i++) {
            String line = body.isNull(i) ? "" : new String(body.get(i), StandardCharsets.UTF_8);
            drain.add(line, Math.floorDiv(time.get(i), stepNanos) * stepNanos);
          }
        });
    return drain.patterns();
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

    private final Node root = new Node();
    private final List<Cluster> clusters = new ArrayList<>();

    /** Adds a line seen in the step starting at {@code bucketNanos}. */
    public void add(String line, long bucketNanos) {
      Tokens t = tokenize(line);
      if (t == null || t.tokens.size() < MIN_TOKENS || t.tokens.size() > MAX_TOKENS) {
        return;
      }
      String[] tokens = t.tokens.toArray(new String[0]);
      Cluster match = search(tokens);
      if (match == null) {
        match = new Cluster(tokens, t.spacesAfter);
        clusters.add(match);
        insert(match);
      } else {
        match.merge(tokens);
      }
      match.count(bucketNanos);
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

    /** Every pattern, the most lines first (ties by pattern text). */
    public List<Pattern> patterns() {
      List<Pattern> out = new ArrayList<>();
      for (Cluster c : clusters) {
        long[] times = new long[c.buckets.size()];
        long[] counts = new long[c.buckets.size()];
        int i = 0;
        for (Map.Entry<Long, Long> e : c.buckets.entrySet()) {
          times[i] = Math.floorDiv(e.getKey(), 1_000_000_000L);
          counts[i] = e.getValue();
          i++;
        }
        out.add(new Pattern(c.text(), c.total, times, counts));
      }
      out.sort(
          (x, y) ->
              x.total() == y.total()
                  ? x.pattern().compareTo(y.pattern())
                  : Long.compare(y.total(), x.total()));
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
    final String[] template;
    final int[] spacesAfter;
    final TreeMap<Long, Long> buckets = new TreeMap<>();
    long total;

    Cluster(String[] template, int[] spacesAfter) {
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
      StringBuilder out = new StringBuilder();
      int next = 0;
      for (int i = 0; i < template.length; i++) {
        out.append(template[i]);
        while (next < spacesAfter.length && spacesAfter[next] == i) {
          out.append(' ');
          next++;
        }
      }
      return out.toString().replaceAll("(?:<_>)+", PLACEHOLDER);
    }

    @Override
    public String toString() {
      return Arrays.toString(template);
    }
  }
}
