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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.calcite.tools.RelBuilder;

/**
 * Log patterns for Loki's {@code /patterns}: the newest lines of a selector clustered the way the
 * Drain algorithm clusters them (He et al., ICWS 2017), which Loki's pattern ingester also uses.
 * Lines are split into whitespace-separated tokens; lines with the same number of tokens and the
 * same leading tokens (a token holding a digit counts as a wildcard there) are compared position
 * by position, and a line joins the most similar cluster when at least {@link #SIMILARITY} of its
 * tokens match its template; positions that differ become {@code <_>}. Each pattern counts its
 * lines per {@code step}.
 *
 * <p>Loki mines patterns continuously from everything ingested and tokenizes on punctuation too;
 * we mine on request from at most {@code maxLines} of the newest lines, so our templates can be
 * coarser or finer than Loki's for the same lines.
 */
public final class LogPatternMiner {
  /** Drain's similarity threshold, as Loki configures it. */
  static final double SIMILARITY = 0.3;

  /** How many leading tokens route a line in the tree. */
  private static final int PREFIX_TOKENS = 2;

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

  /** The clustering, usable on its own. */
  public static final class Drain {
    private final Map<String, List<Cluster>> leaves = new HashMap<>();
    private final List<Cluster> clusters = new ArrayList<>();

    /** Adds a line seen in the step starting at {@code bucketNanos}. */
    public void add(String line, long bucketNanos) {
      String[] tokens = line.trim().isEmpty() ? new String[0] : line.trim().split("\\s+");
      StringBuilder key = new StringBuilder().append(tokens.length);
      for (int i = 0; i < Math.min(PREFIX_TOKENS, tokens.length); i++) {
        key.append('\u0000').append(hasDigit(tokens[i]) ? PLACEHOLDER : tokens[i]);
      }
      List<Cluster> leaf = leaves.computeIfAbsent(key.toString(), k -> new ArrayList<>());
      Cluster best = null;
      double bestSimilarity = -1;
      for (Cluster c : leaf) {
        double s = c.similarity(tokens);
        if (s > bestSimilarity) {
          bestSimilarity = s;
          best = c;
        }
      }
      if (best == null || bestSimilarity < SIMILARITY) {
        best = new Cluster(tokens.clone());
        leaf.add(best);
        clusters.add(best);
      } else {
        best.merge(tokens);
      }
      best.count(bucketNanos);
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
        out.add(new Pattern(String.join(" ", c.template), c.total, times, counts));
      }
      out.sort(
          (x, y) ->
              x.total() == y.total()
                  ? x.pattern().compareTo(y.pattern())
                  : Long.compare(y.total(), x.total()));
      return out;
    }

    private static boolean hasDigit(String token) {
      for (int i = 0; i < token.length(); i++) {
        if (Character.isDigit(token.charAt(i))) {
          return true;
        }
      }
      return false;
    }
  }

  /** One cluster: its template and its line counts per step. */
  private static final class Cluster {
    final String[] template;
    final TreeMap<Long, Long> buckets = new TreeMap<>();
    long total;

    Cluster(String[] template) {
      this.template = template;
    }

    /** The share of positions where the line has the template's (non-placeholder) token. */
    double similarity(String[] tokens) {
      if (tokens.length == 0) {
        return 1;
      }
      int same = 0;
      for (int i = 0; i < tokens.length; i++) {
        if (template[i].equals(tokens[i])) {
          same++;
        }
      }
      return (double) same / tokens.length;
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

    @Override
    public String toString() {
      return Arrays.toString(template);
    }
  }
}
