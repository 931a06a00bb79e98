package io.icegate.engine.series;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable label set, sorted by name in code-point order (as Prometheus sorts labels), so that
 * equal sets are equal arrays and a series' identity is cheap to hash and compare. One instance is
 * shared by every sample of a series; nothing on the per-sample path builds one.
 */
public final class Labels implements Comparable<Labels> {
  /** The label that holds the metric name. */
  public static final String METRIC_NAME = "__name__";

  public static final Labels EMPTY = new Labels(new String[0], new String[0]);

  private final String[] names;
  private final String[] values;
  private final int hash;

  private Labels(String[] names, String[] values) {
    this.names = names;
    this.values = values;
    this.hash = 31 * Arrays.hashCode(names) + Arrays.hashCode(values);
  }

  /** A label set from a map; empty values are dropped, as Prometheus treats them as absent. */
  public static Labels of(Map<String, String> map) {
    TreeMap<String, String> sorted = new TreeMap<>(Labels::compareNames);
    map.forEach(
        (k, v) -> {
          if (v != null && !v.isEmpty()) {
            sorted.put(k, v);
          }
        });
    String[] n = new String[sorted.size()];
    String[] v = new String[sorted.size()];
    int i = 0;
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      n[i] = e.getKey();
      v[i++] = e.getValue();
    }
    return new Labels(n, v);
  }

  /** A label set from alternating names and values. */
  public static Labels of(String... nameValues) {
    Map<String, String> m = new TreeMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      m.put(nameValues[i], nameValues[i + 1]);
    }
    return of(m);
  }

  public int size() {
    return names.length;
  }

  public String name(int i) {
    return names[i];
  }

  public String value(int i) {
    return values[i];
  }

  /** The value of a label, or {@code ""} when the set has no such label (Prometheus's rule). */
  public String get(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return values[i];
      }
    }
    return "";
  }

  public boolean has(String name) {
    return !get(name).isEmpty();
  }

  /** The same set without the given labels. */
  public Labels without(Collection<String> drop) {
    return filter(drop, false);
  }

  /** Only the given labels of this set. */
  public Labels keep(Collection<String> keep) {
    return filter(keep, true);
  }

  private Labels filter(Collection<String> set, boolean keep) {
    int n = 0;
    for (String name : names) {
      if (set.contains(name) == keep) {
        n++;
      }
    }
    if (n == names.length) {
      return this;
    }
    String[] nn = new String[n];
    String[] vv = new String[n];
    int j = 0;
    for (int i = 0; i < names.length; i++) {
      if (set.contains(names[i]) == keep) {
        nn[j] = names[i];
        vv[j++] = values[i];
      }
    }
    return new Labels(nn, vv);
  }

  /**
   * The same set without {@code __name__}, and without {@code __type__}/{@code __unit__}
   * (Prometheus's type-and-unit labels describe the metric, so they go with its name).
   */
  public Labels withoutName() {
    return has(METRIC_NAME) || has("__type__") || has("__unit__")
        ? without(List.of(METRIC_NAME, "__type__", "__unit__"))
        : this;
  }

  /** The same set with one label set (or removed when {@code value} is empty). */
  public Labels with(String name, String value) {
    Map<String, String> m = toMap();
    if (value == null || value.isEmpty()) {
      m.remove(name);
    } else {
      m.put(name, value);
    }
    return of(m);
  }

  /** A mutable copy, in label order. */
  public Map<String, String> toMap() {
    Map<String, String> m = new TreeMap<>(Labels::compareNames);
    for (int i = 0; i < names.length; i++) {
      m.put(names[i], values[i]);
    }
    return m;
  }

  public List<String> names() {
    return new ArrayList<>(Arrays.asList(names));
  }

  /** Orders names (and values) by code points, as Go orders strings. */
  public static int compareNames(String a, String b) {
    if (a.equals(b)) {
      return 0; // the usual case between label sets of one metric: the same names (intrinsic)
    }
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        boolean xs = Character.isSurrogate(x);
        boolean ys = Character.isSurrogate(y);
        if (xs != ys) {
          return xs ? 1 : -1;
        }
        return Character.compare(x, y);
      }
    }
    return Integer.compare(a.length(), b.length());
  }

  /** Prometheus's label-set order: label by label, name then value, shorter set first. */
  @Override
  public int compareTo(Labels o) {
    int n = Math.min(names.length, o.names.length);
    for (int i = 0; i < n; i++) {
      int c = compareNames(names[i], o.names[i]);
      if (c != 0) {
        return c;
      }
      c = compareNames(values[i], o.values[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(names.length, o.names.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Labels l
        && hash == l.hash
        && Arrays.equals(names, l.names)
        && Arrays.equals(values, l.values);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** As Prometheus prints a label set: {@code {a="1", b="2"}}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < names.length; i++) {
      if (i > 0) {
        b.append(", ");
      }
      b.append(names[i]).append("=\"").append(escape(values[i])).append('"');
    }
    return b.append('}').toString();
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
