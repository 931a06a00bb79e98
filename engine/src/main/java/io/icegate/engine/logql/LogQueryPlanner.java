package io.icegate.engine.logql;

import io.icegate.engine.exec.LogPipelineOperator;
import io.icegate.engine.logql.pipeline.LogPipeline;
import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.plan.IceGateFunctions;
import io.icegate.engine.plan.LabelPredicates;
import io.icegate.engine.plan.Utf8Literals;
import io.icegate.engine.rel.LogicalLogPipeline;
import io.icegate.logql.ast.Decolorize;
import io.icegate.logql.ast.DropLabels;
import io.icegate.logql.ast.KeepLabels;
import io.icegate.logql.ast.LabelFilterStage;
import io.icegate.logql.ast.LabelFormat;
import io.icegate.logql.ast.LabelMatcher;
import io.icegate.logql.ast.LineFilter;
import io.icegate.logql.ast.LineFormat;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.PipelineStage;
import io.icegate.logql.ast.StreamSelector;
import io.icegate.logql.ast.UnpackParser;
import io.icegate.protocol.loki.Direction;
import io.icegate.storage.table.LogsTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.tools.RelBuilder;

/**
 * LogQL log queries to Calcite logical plans over the {@code logs} table:
 *
 * <pre>
 * Sort(timestamp DESC|ASC, labels, fetch=limit)
 *   [LogPipeline(stages that can't run in the scan)]
 *     Project(timestamp, stream_labels, body, structured metadata columns)
 *       Filter(tenant AND time range AND label matchers AND line filters)
 *         TableScan(icegate.logs)
 * </pre>
 *
 * Label matchers read the stream's labels through {@code LABEL_VALUE(stream_labels, name)}; line
 * filters test {@code body}. Tenant and time come first so the scan can take them. Parsers,
 * formatters, label filters and the line filters after a line-changing stage run in the pipeline
 * node, which gives each entry its final labels and line; the sort and limit come after it, since
 * the pipeline may drop entries.
 */
public final class LogQueryPlanner {
  /** Columns of the planned output, in order. */
  public static final List<String> OUTPUT =
      List.of(LogsTable.TIMESTAMP, LogsTable.STREAM_LABELS, LogsTable.BODY);

  /**
   * The rest of what Loki's OTLP mapping keeps as structured metadata, after the record's ids,
   * severity and attributes: the record's flags, dropped-attribute count and event name, the
   * scope's attributes, name and version, and the resource attributes that are not index labels
   * (those that are equal the stream label of their name and are left out, see {@link
   * io.icegate.engine.logql.pipeline.LabelsBuilder#reset}). Attributes of a later map never
   * replace an earlier one's of the same name, so record attributes win over scope and resource
   * ones, as the last-added wins in Loki; a plain column replaces an attribute of its name, as
   * Loki's record {@code event_name} wins over an attribute {@code event_name}.
   *
   * <p>{@code event_name}, {@code scope_name} and {@code scope_version} are null in most rows
   * (all of them in a lake the seed wrote): the columnar reader reads such all-null optional
   * strings, where Iceberg's vectorized reader failed on them.
   */
  static final List<String> OTHER_METADATA =
      List.of(
          LogsTable.FLAGS,
          LogsTable.DROPPED_ATTRIBUTES_COUNT,
          LogsTable.SCOPE_ATTRIBUTES,
          LogsTable.RESOURCE_ATTRIBUTES,
          LogsTable.EVENT_NAME,
          LogsTable.SCOPE_NAME,
          LogsTable.SCOPE_VERSION);

  private LogQueryPlanner() {}

  /**
   * A log query: its entries in order, up to the limit, each with every output label (structured
   * metadata included, as Loki returns it).
   */
  public static RelNode plan(LogSelectorExpr query, LogQueryRange range, RelBuilder b) {
    return sorted(query, range, true, b);
  }

  /**
   * Like {@link #plan}, for callers that read only times and lines (pattern mining, the field
   * detector's first pass): structured metadata is not read unless a stage needs it.
   */
  static RelNode lines(LogSelectorExpr query, LogQueryRange range, RelBuilder b) {
    return sorted(query, range, false, b);
  }

  private static RelNode sorted(
      LogSelectorExpr query, LogQueryRange range, boolean allMetadata, RelBuilder b) {
    entriesOnStack(
        query, range.tenant(), range.startNanos(), range.endNanos(), allMetadata, null, true, b);
    RexNode time = b.field(LogsTable.TIMESTAMP);
    // Equal timestamps are ordered by the stream's labels, as Loki's merge of streams orders
    // them: the answer (and which entries a limit cuts) then does not depend on the order the
    // parallel scan read its files in.
    RexNode labels = b.field(1);
    b.sortLimit(
        0, range.limit(), range.direction() == Direction.BACKWARD ? b.desc(time) : time, labels);
    return b.build();
  }

  /**
   * Every entry of {@code query} in {@code [startNanos, endNanos)} with its final labels and line,
   * in no particular order, as columns {@link #OUTPUT}: what metric queries turn into samples.
   */
  public static RelNode entries(
      LogSelectorExpr query, String tenant, long startNanos, long endNanos, RelBuilder b) {
    return entriesOnStack(query, tenant, startNanos, endNanos, false, null, true, b).build();
  }

  /**
   * Like {@link #entries(LogSelectorExpr, String, long, long, RelBuilder)}, and with {@code
   * allMetadata} every entry's structured metadata in its output labels (marked as such, see
   * {@link io.icegate.engine.logql.pipeline.CategorizedLabels}): what a metric query's series are
   * split by, as in Loki. {@code readLabels}, when not null, are the only labels the caller reads
   * (a {@code by} grouping): see {@link io.icegate.engine.rel.ArrowLogPipeline}. Without {@code
   * lineRead} the caller never reads the line: when no stage reads it either, the output's line
   * column is null, and the line is read only for the line filters, if any.
   */
  static RelNode entries(
      LogSelectorExpr query,
      String tenant,
      long startNanos,
      long endNanos,
      boolean allMetadata,
      List<String> readLabels,
      boolean lineRead,
      RelBuilder b) {
    return entriesOnStack(
            query, tenant, startNanos, endNanos, allMetadata, readLabels, lineRead, b)
        .build();
  }

  /**
   * @param allMetadata whether every entry's structured metadata must reach the output labels (log
   *     queries: Loki returns it); else only the pipeline sees it, and the log attributes are read
   *     only when a stage reads labels by name
   */
  private static RelBuilder entriesOnStack(
      LogSelectorExpr query,
      String tenant,
      long startNanos,
      long endNanos,
      boolean allMetadata,
      List<String> readLabels,
      boolean lineRead,
      RelBuilder b) {
    List<LineFilter> pushed = new ArrayList<>();
    List<PipelineStage> rest = new ArrayList<>();
    split(query.pipeline(), pushed, rest);
    b.scan(IceGateCatalog.SCHEMA, LogsTable.NAME);
    List<RexNode> conditions =
        conditions(b, query.selector(), tenant, startNanos, endNanos);
    for (LineFilter filter : pushed) {
      conditions.add(lineFilter(b, filter));
    }
    b.filter(conditions);
    // The line itself, or in its place a null column read from nothing when no one reads it.
    // The pipeline node derives detected_level from the line where it puts every label in the
    // output, or the caller reads that one (LogPipelineOperator).
    boolean levelFromLine =
        allMetadata
            && (readLabels == null
                || readLabels.contains(
                    io.icegate.engine.logql.pipeline.LogLevelDetector.DETECTED_LEVEL));
    java.util.function.Supplier<RexNode> line =
        lineRead || !rest.isEmpty() || levelFromLine
            ? () -> b.field(LogsTable.BODY)
            : () -> b.alias(
                b.getRexBuilder().makeNullLiteral(
                    b.getTypeFactory().createTypeWithNullability(
                        b.field(LogsTable.BODY).getType(), true)),
                LogsTable.BODY);
    if (rest.isEmpty() && !allMetadata) {
      b.project(List.of(b.field(LogsTable.TIMESTAMP), b.field(LogsTable.STREAM_LABELS), line.get()));
    } else {
      // A log query runs the pipeline node even without stages: it merges each entry's
      // structured metadata into its labels, so that only (timestamp, labels, line) travel on to
      // the sort, which holds many batches.
      // Compile once here so that a stage Loki refuses (a bad template, a malformed json path)
      // fails the query before any data is read; the operator compiles its own copy.
      LogPipeline compiled = LogPipeline.compile(rest);
      String text = stagesText(rest);
      List<String> read = withLevelIfNamed(readLabels, text);
      java.util.Set<String> cut =
          allMetadata ? metadataRead(compiled, read) : null;
      List<RexNode> columns = new ArrayList<>();
      columns.add(b.field(LogsTable.TIMESTAMP));
      columns.add(b.field(LogsTable.STREAM_LABELS));
      columns.add(line.get());
      LogPipelineOperator.METADATA_COLUMNS.forEach(name -> {
        if (cut == null || cut.contains(name)) {
          columns.add(b.field(name));
        }
      });
      if (allMetadata || readsLabels(rest)) {
        columns.add(b.field(LogsTable.LOG_ATTRIBUTES));
      }
      if (allMetadata) {
        OTHER_METADATA.forEach(name -> {
          if (cut == null || cut.contains(name) || isAttributeMap(name)) {
            columns.add(b.field(name));
          }
        });
      }
      b.project(columns);
      RelNode input = b.build();
      b.push(LogicalLogPipeline.create(input, rest, text, read));
    }
    return b;
  }

  /**
   * The only structured-metadata names the pipeline node can read of a consumer that reads
   * {@code readLabels}, or null for all: when the pipeline cut to them ({@link
   * LogPipeline#restrictedTo}) is exact for every entry it keeps — none keeps an error, which
   * would send it through the whole pipeline for its full label set — the node reads only the
   * metadata of those names, so the other record columns need not be read at all (the attribute
   * maps still are: any of their keys may be one of the names).
   */
  private static java.util.Set<String> metadataRead(LogPipeline pipeline, List<String> readLabels) {
    String level = io.icegate.engine.logql.pipeline.LogLevelDetector.DETECTED_LEVEL;
    if (readLabels == null || readLabels.contains(level) || !pipeline.keepsNoErrors()) {
      return null;
    }
    LogPipeline.Restricted cut = pipeline.restrictedTo(readLabels);
    return cut == null ? null : cut.labels();
  }

  private static boolean isAttributeMap(String column) {
    return column.equals(LogsTable.LOG_ATTRIBUTES)
        || column.equals(LogsTable.SCOPE_ATTRIBUTES)
        || column.equals(LogsTable.RESOURCE_ATTRIBUTES);
  }

  /**
   * The labels the pipeline node must produce: {@code readLabels}, plus {@code detected_level}
   * when a stage may read it (its name is in the stages' text), since the node derives that label
   * only for entries whose labels someone reads ({@link
   * io.icegate.engine.logql.pipeline.LogLevelDetector#withDetectedLevel}).
   */
  private static List<String> withLevelIfNamed(List<String> readLabels, String stagesText) {
    String level = io.icegate.engine.logql.pipeline.LogLevelDetector.DETECTED_LEVEL;
    if (readLabels == null || readLabels.contains(level) || !stagesText.contains(level)) {
      return readLabels;
    }
    List<String> more = new ArrayList<>(readLabels);
    more.add(level);
    return more;
  }

  /**
   * The distinct streams (their {@code stream_labels}) with entries in {@code [start, end)} that
   * {@code selector} (null: every stream) selects — for the label and series APIs.
   */
  public static RelNode streams(
      LogSelectorExpr selector, String tenant, long startNanos, long endNanos, RelBuilder b) {
    b.scan(IceGateCatalog.SCHEMA, LogsTable.NAME);
    List<RexNode> conditions =
        conditions(b, selector == null ? null : selector.selector(), tenant, startNanos, endNanos);
    if (selector != null) {
      for (PipelineStage stage : selector.pipeline()) {
        if (!(stage instanceof LineFilter filter)) {
          throw new UnsupportedOperationException(
              "pipeline stage \"" + stagesText(List.of(stage)) + "\" is not supported here");
        }
        conditions.add(lineFilter(b, filter));
      }
    }
    b.filter(conditions);
    b.aggregate(b.groupKey(LogsTable.STREAM_LABELS));
    return b.build();
  }

  /**
   * Splits the pipeline into the line filters the scan evaluates (as vectorized predicates on
   * {@code body}) and the stages the pipeline operator runs. A line filter can move into the scan
   * when no stage before it changes the line ({@code line_format}, {@code unpack}, {@code
   * decolorize}): the other stages only touch labels or drop entries, and dropping commutes.
   */
  static void split(
      List<PipelineStage> pipeline, List<LineFilter> pushed, List<PipelineStage> rest) {
    boolean lineChanged = false;
    for (PipelineStage stage : pipeline) {
      if (!lineChanged && stage instanceof LineFilter filter) {
        pushed.add(filter);
        continue;
      }
      if (stage instanceof LineFormat
          || stage instanceof UnpackParser
          || stage instanceof Decolorize) {
        lineChanged = true;
      }
      rest.add(stage);
    }
  }

  /** The stages as LogQL text, e.g. {@code | json | status >= 500}. */
  static String stagesText(List<PipelineStage> stages) {
    String text =
        io.icegate.logql.LogQLFormatter.format(
            new LogSelectorExpr(
                new StreamSelector(List.of(new LabelMatcher("a", LabelMatcher.MatchType.EQ, "b"))),
                stages));
    return text.substring(text.indexOf('}') + 1).trim();
  }

  /**
   * Whether a stage reads or keeps labels by name, and so needs the log attributes as structured
   * metadata. Projecting the attribute map costs a row-by-row Parquet read, so pipelines of
   * parsers and line filters alone go without it.
   */
  private static boolean readsLabels(List<PipelineStage> stages) {
    for (PipelineStage stage : stages) {
      if (stage instanceof LabelFilterStage
          || stage instanceof LabelFormat
          || stage instanceof LineFormat
          || stage instanceof DropLabels
          || stage instanceof KeepLabels) {
        return true;
      }
    }
    return false;
  }

  /** Tenant and time first (the scan takes them), then the selector's matchers. */
  private static List<RexNode> conditions(
      RelBuilder b, StreamSelector selector, String tenant, long startNanos, long endNanos) {
    List<RexNode> conditions = new ArrayList<>();
    conditions.add(b.equals(b.field(LogsTable.TENANT_ID), Utf8Literals.of(b, tenant)));
    conditions.add(b.greaterThanOrEqual(b.field(LogsTable.TIMESTAMP), b.literal(startNanos)));
    conditions.add(b.lessThan(b.field(LogsTable.TIMESTAMP), b.literal(endNanos)));
    if (selector == null) {
      return conditions;
    }
    for (LabelMatcher matcher : selector.matchers()) {
      conditions.add(labelMatcher(b, matcher));
      if (matcher.type() == LabelMatcher.MatchType.EQ
          && matcher.name().equals(LogsTable.SERVICE_NAME)) {
        // The promoted column always holds the stream's service_name label, so the same test
        // on it lets Iceberg and Parquet statistics prune files and row groups.
        conditions.add(
            b.equals(b.field(LogsTable.SERVICE_NAME), Utf8Literals.of(b, matcher.value())));
      }
    }
    return conditions;
  }


  private static RexNode labelMatcher(RelBuilder b, LabelMatcher matcher) {
    io.icegate.engine.series.LabelMatcher.Type type = switch (matcher.type()) {
      case EQ -> io.icegate.engine.series.LabelMatcher.Type.EQ;
      case NEQ -> io.icegate.engine.series.LabelMatcher.Type.NEQ;
      case RE -> io.icegate.engine.series.LabelMatcher.Type.RE;
      case NRE -> io.icegate.engine.series.LabelMatcher.Type.NRE;
    };
    return LabelPredicates.of(
        b, LogsTable.STREAM_LABELS, matcher.name(), type, matcher.value());
  }

  private static RexNode lineFilter(RelBuilder b, LineFilter filter) {
    SqlOperator test =
        switch (filter.op()) {
          case CONTAINS, NOT_CONTAINS -> IceGateFunctions.CONTAINS_SUBSTRING;
          case MATCHES_REGEX, NOT_MATCHES_REGEX -> IceGateFunctions.RE2_FIND;
        };
    List<RexNode> alternatives = new ArrayList<>();
    for (String value : filter.values()) {
      alternatives.add(b.call(test, b.field(LogsTable.BODY), Utf8Literals.of(b, value)));
    }
    RexNode any = b.or(alternatives);
    return filter.op().negated() ? b.not(any) : any;
  }
}
