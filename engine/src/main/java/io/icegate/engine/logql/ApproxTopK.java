package io.icegate.engine.logql;

import io.icegate.engine.promql.QueryResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * LogQL's {@code approx_topk(k, inner)}: the {@code k} series of {@code inner}'s instant vector
 * with the largest values, as Loki computes it — every series' value goes into a count-min sketch
 * keyed by its label set, and the {@code k} label sets with the largest sketch estimates are
 * returned with those estimates as values. A sketch never underestimates a non-negative sum, and
 * with few series (no two sharing a counter in every row) its estimates are the exact values, so
 * the answer equals {@code topk}'s.
 *
 * <p>The sketch's size follows Loki's error bounds, ε = 0.0001 and δ = 0.01: width ⌈e/ε⌉ and depth
 * ⌈ln(1/δ)⌉. Updates are conservative (each counter rises only as far as the new estimate needs),
 * which keeps estimates of small counts close to the truth.
 */
final class ApproxTopK {
  /** Loki's refusal of a range query (its sketches are evaluated at one instant only). */
  static final String INSTANT_ONLY = "count min sketches are only supported on instant queries";

  private static final double EPSILON = 0.0001;
  private static final double DELTA = 0.01;

  private final int width;
  private final int depth;
  private final double[][] counters;

  ApproxTopK() {
    this.width = (int) Math.ceil(Math.E / EPSILON);
    this.depth = (int) Math.ceil(Math.log(1 / DELTA));
    this.counters = new double[depth][width];
  }

  /** The {@code k} largest series of {@code vector} by sketch estimate, largest first. */
  static QueryResult.VectorResult select(QueryResult.VectorResult vector, long k) {
    ApproxTopK sketch = new ApproxTopK();
    List<QueryResult.Sample> samples = vector.samples();
    long[][] hashes = new long[samples.size()][];
    for (int i = 0; i < samples.size(); i++) {
      hashes[i] = hash(samples.get(i).labels().toString());
      sketch.add(hashes[i], samples.get(i).value());
    }
    record Estimate(QueryResult.Sample sample, double value) {}
    Comparator<Estimate> smallestFirst =
        Comparator.comparingDouble(Estimate::value)
            .thenComparing(e -> e.sample().labels(), Comparator.reverseOrder());
    PriorityQueue<Estimate> top = new PriorityQueue<>(smallestFirst);
    for (int i = 0; i < samples.size(); i++) {
      Estimate e = new Estimate(samples.get(i), sketch.estimate(hashes[i]));
      if (top.size() < k) {
        top.add(e);
      } else if (smallestFirst.compare(e, top.peek()) > 0) {
        top.poll();
        top.add(e);
      }
    }
    List<Estimate> best = new ArrayList<>(top);
    best.sort(smallestFirst.reversed());
    List<QueryResult.Sample> out = new ArrayList<>(best.size());
    for (Estimate e : best) {
      out.add(
          new QueryResult.Sample(e.sample().labels(), e.sample().timestamp(), e.value(), null));
    }
    return new QueryResult.VectorResult(out, vector.warnings(), vector.infos());
  }

  /** Adds {@code value} to the counters of the key with these hashes. */
  void add(long[] h, double value) {
    if (value < 0) {
      // Conservative update assumes growth; a negative value is added everywhere.
      for (int row = 0; row < depth; row++) {
        counters[row][bucket(h, row)] += value;
      }
      return;
    }
    double target = estimate(h) + value;
    for (int row = 0; row < depth; row++) {
      int b = bucket(h, row);
      counters[row][b] = Math.max(counters[row][b], target);
    }
  }

  /** The smallest counter of the key: its estimate. */
  double estimate(long[] h) {
    double min = Double.POSITIVE_INFINITY;
    for (int row = 0; row < depth; row++) {
      min = Math.min(min, counters[row][bucket(h, row)]);
    }
    return min;
  }

  /** Row {@code row}'s counter: double hashing, h1 + row·h2, as in Kirsch and Mitzenmacher. */
  private int bucket(long[] h, int row) {
    return (int) Math.floorMod(h[0] + row * h[1], (long) width);
  }

  /** Two 64-bit hashes of the key: FNV-1a over its UTF-8 bytes, and a mix of that. */
  static long[] hash(String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    long g = h + 0x9e3779b97f4a7c15L;
    g = (g ^ (g >>> 33)) * 0xff51afd7ed558ccdL;
    g = (g ^ (g >>> 33)) * 0xc4ceb9fe1a85ec53L;
    g ^= g >>> 33;
    return new long[] {h, g | 1};
  }
}
