package io.icegate.engine.metrics;

import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.exec.QueryCancelledException;
import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.plan.QueryOptimizer;
import io.icegate.engine.plan.Utf8Literals;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.engine.series.LabelMatcher;
import io.icegate.engine.series.Labels;
import io.icegate.protocol.loki.LabelSetCodec;
import io.icegate.protocol.prometheus.PrometheusOtlpNames;
import org.apache.iceberg.io.CloseableIterator;
import io.icegate.storage.scan.ScanRequest;
import io.icegate.storage.scan.TableScanner;
import io.icegate.storage.table.MetricsTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.tools.RelBuilder;

/**
 * What the Prometheus API shows about metrics besides their samples, read from the {@code
 * metrics} table: the metadata of each family (type, help, unit) and the exemplars stored on the
 * points. Both are answered as Prometheus's OTLP receiver and remote-write receiver would have
 * recorded them, so a client sees the same metadata and exemplars it would see there.
 */
public final class MetricsCatalogReader {
  private static final long NANOS_PER_MILLI = 1_000_000L;
  private static final String[] FAMILY_SUFFIXES = {"_bucket", "_sum", "_count"};

  /** One family's metadata entry: {@code type}, {@code help}, {@code unit} as Prometheus shows. */
  public record Metadata(String type, String help, String unit) {}

  /** One exemplar: its labels, value and time (milliseconds). */
  public record Exemplar(Labels labels, double value, long timestampMillis) {}

  /** The exemplars of one series, oldest first. */
  public record SeriesExemplars(Labels seriesLabels, List<Exemplar> exemplars) {}

  private final IceGateCatalog catalog;
  private final PlanRunner runner;
  private final TableScanner scanner;
  private final BufferAllocator root;
  private final long queryMemoryBytes;

  MetricsCatalogReader(
      IceGateCatalog catalog, PlanRunner runner, TableScanner scanner, BufferAllocator root,
      long queryMemoryBytes) {
    this.catalog = catalog;
    this.runner = runner;
    this.scanner = scanner;
    this.root = root;
    this.queryMemoryBytes = queryMemoryBytes;
  }

  /**
   * Every family's distinct metadata, families in name order, entries in first-seen order; only
   * {@code metric}'s family when it is not null. Rows that carry no metadata (remote-write without
   * the sender's metadata) are left out, as Prometheus has none for them either.
   */
  Map<String, List<Metadata>> metadata(
      String tenant, String metric, int limitPerMetric, BooleanSupplier cancelled) {
    Map<String, Set<Metadata>> found = new TreeMap<>();
    // One plan per row name the family may have: an equality prunes files and row groups by
    // the name column's statistics, a list of names does not.
    List<String> rowNames = new ArrayList<>();
    rowNames.add(metric);
    if (metric != null) {
      for (String suffix : FAMILY_SUFFIXES) {
        rowNames.add(metric + suffix);
      }
    }
    for (String rowName : rowNames) {
      addMetadata(metadataPlan(tenant, rowName), metric, limitPerMetric, cancelled, found);
    }
    Map<String, List<Metadata>> out = new LinkedHashMap<>();
    found.forEach((name, set) -> out.put(name, new ArrayList<>(set)));
    return out;
  }

  private ArrowRel metadataPlan(String tenant, String rowName) {
    RelBuilder b = catalog.relBuilder();
    b.scan(IceGateCatalog.SCHEMA, MetricsTable.NAME);
    List<RexNode> conditions = new ArrayList<>();
    conditions.add(b.equals(b.field(MetricsTable.TENANT_ID), Utf8Literals.of(b, tenant)));
    if (rowName != null) {
      conditions.add(b.equals(b.field(MetricsTable.METRIC_NAME), Utf8Literals.of(b, rowName)));
    }
    b.filter(conditions);
    b.project(
        b.field(MetricsTable.METRIC_NAME),
        b.field(MetricsTable.METRIC_TYPE),
        b.field(MetricsTable.OTEL_METRIC_NAME),
        b.field(MetricsTable.IS_MONOTONIC),
        b.field(MetricsTable.AGGREGATION_TEMPORALITY),
        b.field(MetricsTable.DESCRIPTION),
        b.field(MetricsTable.UNIT),
        b.field(MetricsTable.METADATA));
    return QueryOptimizer.optimize(b.build(), b);
  }

  private void addMetadata(
      ArrowRel plan, String metric, int limitPerMetric, BooleanSupplier cancelled,
      Map<String, Set<Metadata>> found) {
    // Rows come sorted by name within a file: a row like the one before it adds nothing.
    String[] previous = {null};
    runner.run("prom-metadata", plan, cancelled, batch -> {
      VarCharVector names = (VarCharVector) batch.getVector(0);
      VarCharVector types = (VarCharVector) batch.getVector(1);
      VarCharVector otelNames = (VarCharVector) batch.getVector(2);
      BitVector monotonic = (BitVector) batch.getVector(3);
      VarCharVector temporality = (VarCharVector) batch.getVector(4);
      VarCharVector help = (VarCharVector) batch.getVector(5);
      VarCharVector unit = (VarCharVector) batch.getVector(6);
      FieldVector meta = batch.getVector(7);
      StringBuilder keyText = new StringBuilder();
      for (int i = 0; i < batch.getRowCount(); i++) {
        keyText.setLength(0);
        appendText(keyText, names, i).append('\u0000');
        appendText(keyText, types, i).append('\u0000')
            .append(otelNames.isNull(i) ? "" : "o")
            .append(monotonic.isNull(i) ? "" : monotonic.get(i));
        appendText(keyText, temporality, i).append('\u0000');
        appendText(keyText, help, i).append('\u0000');
        appendText(keyText, unit, i).append('\u0000');
        appendMap(keyText, meta, i);
        String key = keyText.toString();
        if (key.equals(previous[0])) {
          continue;
        }
        previous[0] = key;
        String name = text(names, i);
        String storedType = text(types, i);
        String type;
        String unitText;
        if (!otelNames.isNull(i)) {
          type = otlpType(storedType, !monotonic.isNull(i) && monotonic.get(i) == 1,
              MetricsTable.DELTA.equals(text(temporality, i)));
          unitText = PrometheusOtlpNames.unitName(text(unit, i));
        } else {
          type = mapValue(meta, i, "prometheus.type");
          if (type == null) {
            continue;
          }
          unitText = text(unit, i);
          if (type.equals("histogram") || type.equals("gaugehistogram")
              || type.equals("summary")) {
            name = familyName(name, storedType);
          }
        }
        if (metric != null && !name.equals(metric)) {
          continue;
        }
        Set<Metadata> entries = found.computeIfAbsent(name, n -> new LinkedHashSet<>());
        if (limitPerMetric > 0 && entries.size() >= limitPerMetric) {
          continue;
        }
        entries.add(new Metadata(type, text(help, i), unitText));
      }
    });
  }

  private static StringBuilder appendText(StringBuilder b, VarCharVector v, int i) {
    if (!v.isNull(i)) {
      b.append(new String(v.get(i), StandardCharsets.UTF_8));
    }
    return b;
  }

  /**
   * A map column's entries at {@code row} as text, read from its key and value children (no
   * per-row Java map as {@code getObject} builds).
   */
  private static void appendMap(StringBuilder b, FieldVector map, int row) {
    if (map.isNull(row)) {
      return;
    }
    if (map instanceof ListVector list
        && list.getDataVector() instanceof StructVector entries
        && entries.getChild("key") instanceof VarCharVector keys
        && entries.getChild("value") instanceof VarCharVector values) {
      for (int k = list.getElementStartIndex(row); k < list.getElementEndIndex(row); k++) {
        appendText(b, keys, k).append('\u0001');
        appendText(b, values, k).append('\u0002');
      }
      return;
    }
    b.append(map.getObject(row));
  }

  /**
   * The exemplars stored between {@code startMillis} and {@code endMillis} (inclusive) on series
   * any of {@code selectors} matches, series in label order. Exemplars are read from the rows of
   * the window widened by {@code marginMillis} on both sides, since an exemplar may be older
   * than the point that carries it.
   */
  List<SeriesExemplars> exemplars(
      String tenant, List<List<LabelMatcher>> selectors, long startMillis, long endMillis,
      long marginMillis, BooleanSupplier cancelled) {
    Map<Labels, TreeMap<Long, Exemplar>> found = new TreeMap<>();
    long from = nanos(saturatedAdd(startMillis, -marginMillis));
    long to = nanos(saturatedAdd(endMillis, marginMillis));
    to = to == Long.MAX_VALUE ? to : to + 1;
    for (List<LabelMatcher> selector : selectors) {
      String name = null;
      for (LabelMatcher m : selector) {
        if (m.name().equals(Labels.METRIC_NAME) && m.type() == LabelMatcher.Type.EQ) {
          name = m.value();
        }
      }
      // The scan is asked directly, not through a plan: the engine's filter operator cannot
      // copy the exemplars column (a list of structs with fixed-size ids), so rows are checked
      // here. A metric name prunes files and row groups; a family's bucket series live in rows
      // named after the family.
      List<String> names = new ArrayList<>();
      if (name == null) {
        names.add(null);
      } else {
        names.add(name);
        for (String suffix : FAMILY_SUFFIXES) {
          if (name.endsWith(suffix) && name.length() > suffix.length()) {
            names.add(name.substring(0, name.length() - suffix.length()));
          }
        }
      }
      Map<String, Labels> decoded = new HashMap<>();
      for (String scanName : names) {
        ScanRequest request = new ScanRequest(MetricsTable.NAME, tenant, from, to,
            scanName == null ? Map.of() : Map.of(MetricsTable.METRIC_NAME, scanName),
            List.of(MetricsTable.TENANT_ID, MetricsTable.METRIC_NAME,
                MetricsTable.SERIES_LABELS, MetricsTable.METRIC_TYPE,
                MetricsTable.OTEL_METRIC_NAME, MetricsTable.EXPLICIT_BOUNDS,
                MetricsTable.EXEMPLARS));
        try (BufferAllocator allocator =
                root.newChildAllocator("prom-exemplars", 0, queryMemoryBytes);
            CloseableIterator<VectorSchemaRoot> it = scanner.open(request, allocator)) {
          while (it.hasNext()) {
            try (VectorSchemaRoot batch = it.next()) {
              if (cancelled.getAsBoolean()) {
                throw new QueryCancelledException("query cancelled", false);
              }
              addExemplars(batch, tenant, scanName, selector, startMillis, endMillis, decoded,
                  found);
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    List<SeriesExemplars> out = new ArrayList<>();
    found.forEach((l, byTime) -> out.add(new SeriesExemplars(l, List.copyOf(byTime.values()))));
    return out;
  }

  private static void addExemplars(
      VectorSchemaRoot batch, String tenant, String scanName, List<LabelMatcher> selector,
      long startMillis, long endMillis, Map<String, Labels> decoded,
      Map<Labels, TreeMap<Long, Exemplar>> found) {
    VarCharVector tenants = (VarCharVector) batch.getVector(MetricsTable.TENANT_ID);
    VarCharVector names = (VarCharVector) batch.getVector(MetricsTable.METRIC_NAME);
    VarCharVector labels = (VarCharVector) batch.getVector(MetricsTable.SERIES_LABELS);
    VarCharVector types = (VarCharVector) batch.getVector(MetricsTable.METRIC_TYPE);
    VarCharVector otelNames = (VarCharVector) batch.getVector(MetricsTable.OTEL_METRIC_NAME);
    ListVector bounds = (ListVector) batch.getVector(MetricsTable.EXPLICIT_BOUNDS);
    ListVector exemplars = (ListVector) batch.getVector(MetricsTable.EXEMPLARS);
    for (int i = 0; i < batch.getRowCount(); i++) {
      if (exemplars.isNull(i) || !tenant.equals(text(tenants, i))) {
        continue;
      }
      String rowName = text(names, i);
      if (scanName != null && !scanName.equals(rowName)) {
        continue;
      }
      List<?> list = exemplars.getObject(i);
      if (list == null || list.isEmpty()) {
        continue;
      }
      String labelText = text(labels, i);
      String type = text(types, i);
      if (MetricsTable.SUMMARY.equals(type)) {
        continue;
      }
      // A classic OTLP histogram's exemplar belongs to the bucket series its value falls in.
      boolean classic = MetricsTable.HISTOGRAM.equals(type) && !otelNames.isNull(i);
      List<?> upper = classic && !bounds.isNull(i) ? bounds.getObject(i) : List.of();
      for (Object o : list) {
        Exemplar ex = exemplar((Map<?, ?>) o);
        if (ex == null || ex.timestampMillis() < startMillis
            || ex.timestampMillis() > endMillis) {
          continue;
        }
        String series = rowName;
        String le = null;
        if (classic) {
          series = rowName + "_bucket";
          le = "+Inf";
          for (Object bound : upper) {
            double ub = ((Number) bound).doubleValue();
            if (ex.value() <= ub) {
              le = MetricsSeriesSource.formatBound(ub);
              break;
            }
          }
        }
        String key = series + '\u0000' + labelText + '\u0000' + (le == null ? "" : le);
        String leLabel = le;
        String seriesName = series;
        Labels l = decoded.computeIfAbsent(key, k -> {
          SortedMap<String, String> map = new TreeMap<>(LabelSetCodec.decode(labelText));
          map.put(Labels.METRIC_NAME, seriesName);
          if (leLabel != null) {
            map.put("le", leLabel);
          }
          Labels all = Labels.of(map);
          for (LabelMatcher m : selector) {
            if (!m.matches(all)) {
              return REJECTED;
            }
          }
          return all;
        });
        if (l != REJECTED) {
          found.computeIfAbsent(l, x -> new TreeMap<>()).put(ex.timestampMillis(), ex);
        }
      }
    }
  }

  private static final Labels REJECTED = Labels.of("__rejected__", "");

  /**
   * An exemplar struct as Prometheus labels it: its attributes, with the trace and span ids as
   * {@code trace_id}/{@code span_id} in hex (as Prometheus's OTLP translation names them).
   */
  private static Exemplar exemplar(Map<?, ?> e) {
    Object ts = e.get(MetricsTable.EXEMPLAR_TIMESTAMP);
    if (ts == null) {
      return null;
    }
    long nanos;
    if (ts instanceof LocalDateTime ldt) {
      nanos = ldt.toEpochSecond(ZoneOffset.UTC) * 1_000_000_000L + ldt.getNano();
    } else {
      nanos = ((Number) ts).longValue();
    }
    double value;
    Object d = e.get(MetricsTable.EXEMPLAR_VALUE_DOUBLE);
    Object l = e.get(MetricsTable.EXEMPLAR_VALUE_INT);
    if (d instanceof Number n) {
      value = n.doubleValue();
    } else if (l instanceof Number n) {
      value = n.doubleValue();
    } else {
      value = 0;
    }
    SortedMap<String, String> labels = new TreeMap<>();
    Object attrs = e.get(MetricsTable.EXEMPLAR_ATTRIBUTES);
    if (attrs instanceof List<?> entries) {
      for (Object entry : entries) {
        if (entry instanceof Map<?, ?> kv && kv.get("key") != null) {
          labels.put(String.valueOf(kv.get("key")), String.valueOf(kv.get("value")));
        }
      }
    }
    if (e.get(MetricsTable.EXEMPLAR_TRACE_ID) instanceof byte[] trace) {
      labels.put("trace_id", HexFormat.of().formatHex(trace));
    }
    if (e.get(MetricsTable.EXEMPLAR_SPAN_ID) instanceof byte[] span) {
      labels.put("span_id", HexFormat.of().formatHex(span));
    }
    return new Exemplar(Labels.of(labels), value, Math.floorDiv(nanos, NANOS_PER_MILLI));
  }

  /** Prometheus's type for an OTLP metric (otlptranslator's mapping; delta is unknown there). */
  private static String otlpType(String stored, boolean monotonic, boolean delta) {
    return switch (stored) {
      case MetricsTable.GAUGE -> "gauge";
      case MetricsTable.SUM_TYPE -> delta ? "unknown" : monotonic ? "counter" : "gauge";
      case MetricsTable.HISTOGRAM, MetricsTable.EXPONENTIAL_HISTOGRAM ->
          delta ? "unknown" : "histogram";
      case MetricsTable.SUMMARY -> "summary";
      default -> "unknown";
    };
  }

  /** A remote-write histogram or summary series' family: its name without the series suffix. */
  private static String familyName(String name, String storedType) {
    if (!MetricsTable.GAUGE.equals(storedType) && !MetricsTable.SUM_TYPE.equals(storedType)) {
      return name; // a native histogram row already has the family's name
    }
    for (String suffix : FAMILY_SUFFIXES) {
      if (name.endsWith(suffix) && name.length() > suffix.length()) {
        return name.substring(0, name.length() - suffix.length());
      }
    }
    return name;
  }

  private static String mapValue(FieldVector map, int row, String key) {
    if (map.isNull(row)) {
      return null;
    }
    if (map.getObject(row) instanceof List<?> entries) {
      for (Object entry : entries) {
        if (entry instanceof Map<?, ?> kv && key.equals(String.valueOf(kv.get("key")))) {
          return String.valueOf(kv.get("value"));
        }
      }
    }
    return null;
  }

  private static String text(VarCharVector v, int i) {
    return v.isNull(i) ? "" : new String(v.get(i), StandardCharsets.UTF_8);
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return b < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }

  /** Milliseconds as table nanoseconds, clamped to what a nanosecond timestamp holds. */
  private static long nanos(long millis) {
    long max = Long.MAX_VALUE / NANOS_PER_MILLI;
    return Math.max(-max, Math.min(max, millis)) * NANOS_PER_MILLI;
  }
}
