package io.icegate.engine.metrics;

import io.icegate.engine.rel.ArrowRel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The physical plans of recent series selections, by what they select: a selection asked again
 * (the same tenant, row name, role and time bounds: a dashboard refreshed, an expression naming
 * one selector twice) runs the plan built the first time instead of planning it again. Plans are
 * immutable and run by any number of queries at once; the least recently used are dropped.
 */
final class SelectionPlans {
  /** Enough for the selections of a few busy dashboards; a plan is a few small objects. */
  static final int CAPACITY = 256;

  /**
   * What a plan selects; {@code evaluation} is what a PromQL leaf evaluated in the plan does
   * ({@link io.icegate.engine.series.StepSelection#planKey}), null for a plain selection.
   */
  record Key(
      String role, String tenant, String rowName, long startNanos, long endNanos,
      String evaluation) {
    Key(String role, String tenant, String rowName, long startNanos, long endNanos) {
      this(role, tenant, rowName, startNanos, endNanos, null);
    }
  }

  private final Map<Key, ArrowRel> plans =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, ArrowRel> eldest) {
          return size() > CAPACITY;
        }
      };

  /** The plan of {@code key}, built by {@code build} when none is kept. */
  ArrowRel get(Key key, Supplier<ArrowRel> build) {
    synchronized (plans) {
      ArrowRel known = plans.get(key);
      if (known != null) {
        return known;
      }
    }
    // Built outside the lock: two queries may both build it, and one plan is kept.
    ArrowRel built = build.get();
    synchronized (plans) {
      return plans.computeIfAbsent(key, k -> built);
    }
  }

  int size() {
    synchronized (plans) {
      return plans.size();
    }
  }
}
