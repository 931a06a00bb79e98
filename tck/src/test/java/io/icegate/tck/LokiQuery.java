package io.icegate.tck;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parameters of one Loki log query, built step by step: {@code
 * LokiQuery.of("{app=\"a\"}").between(start, end).limit(2).forward()}. Times are Unix nanoseconds,
 * sent as integers (Loki reads an integer of more than 10 digits as nanoseconds). A null tenant
 * sends no {@code X-Scope-OrgID} header, which means Loki's default tenant {@code fake}.
 */
record LokiQuery(String tenant, Map<String, String> params) {
  static LokiQuery of(String logql) {
    return new LokiQuery(null, Map.of("query", logql));
  }

  LokiQuery between(long startNanos, long endNanos) {
    return with("start", Long.toString(startNanos)).with("end", Long.toString(endNanos));
  }

  LokiQuery limit(int limit) {
    return with("limit", Integer.toString(limit));
  }

  LokiQuery forward() {
    return with("direction", "forward");
  }

  LokiQuery backward() {
    return with("direction", "backward");
  }

  LokiQuery tenant(String name) {
    return new LokiQuery(name, params);
  }

  /** Sets any parameter, e.g. one with a value a test wants the server to refuse. */
  LokiQuery with(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(params);
    copy.put(name, value);
    return new LokiQuery(tenant, copy);
  }

  LokiQuery without(String name) {
    Map<String, String> copy = new LinkedHashMap<>(params);
    copy.remove(name);
    return new LokiQuery(tenant, copy);
  }
}
