package io.icegate.engine.logql;

import io.icegate.protocol.loki.Direction;

import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.plan.IceGateFunctions;
import io.icegate.logql.ast.LabelMatcher;
import io.icegate.logql.ast.LineFilter;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.PipelineStage;
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
 * Sort(timestamp DESC|ASC, fetch=limit)
 *   Project(timestamp, stream_labels, body)
 *     Filter(tenant AND time range AND label matchers AND line filters)
 *       TableScan(icegate.logs)
 * </pre>
 *
 * Label matchers read the stream's labels through {@code LABEL_VALUE(stream_labels, name)};
 * line filters test {@code body}. Tenant and time come first so the scan can take them.
 */
public final class LogQueryPlanner {
  /** Columns of the planned output, in order. */
  public static final List<String> OUTPUT =
      List.of(LogsTable.TIMESTAMP, LogsTable.STREAM_LABELS, LogsTable.BODY);

  private LogQueryPlanner() {}

  public static RelNode plan(LogSelectorExpr query, LogQueryRange range, RelBuilder b) {
    b.scan(IceGateCatalog.SCHEMA, LogsTable.NAME);
    b.filter(conditions(b, query, range.tenant(), range.startNanos(), range.endNanos()));
    b.project(OUTPUT.stream().map(b::field).toList());
    RexNode time = b.field(LogsTable.TIMESTAMP);
    b.sortLimit(0, range.limit(), range.direction() == Direction.BACKWARD ? b.desc(time) : time);
    return b.build();
  }

  /**
   * The distinct streams (their {@code stream_labels}) with entries in {@code [start, end)}
   * that {@code selector} (null: every stream) selects — for the label and series APIs.
   */
  public static RelNode streams(
      LogSelectorExpr selector, String tenant, long startNanos, long endNanos, RelBuilder b) {
    b.scan(IceGateCatalog.SCHEMA, LogsTable.NAME);
    b.filter(conditions(b, selector, tenant, startNanos, endNanos));
    b.aggregate(b.groupKey(LogsTable.STREAM_LABELS));
    return b.build();
  }

  /** Tenant and time first (the scan takes them), then matchers, then pipeline stages. */
  private static List<RexNode> conditions(
      RelBuilder b, LogSelectorExpr query, String tenant, long startNanos, long endNanos) {
    List<RexNode> conditions = new ArrayList<>();
    conditions.add(b.equals(b.field(LogsTable.TENANT_ID), b.literal(tenant)));
    conditions.add(b.greaterThanOrEqual(b.field(LogsTable.TIMESTAMP), b.literal(startNanos)));
    conditions.add(b.lessThan(b.field(LogsTable.TIMESTAMP), b.literal(endNanos)));
    if (query == null) {
      return conditions;
    }
    for (LabelMatcher matcher : query.selector().matchers()) {
      conditions.add(labelMatcher(b, matcher));
      if (matcher.type() == LabelMatcher.MatchType.EQ
          && matcher.name().equals(LogsTable.SERVICE_NAME)) {
        // The promoted column always holds the stream's service_name label, so the same test
        // on it lets Iceberg and Parquet statistics prune files and row groups.
        conditions.add(
            b.equals(b.field(LogsTable.SERVICE_NAME), b.literal(matcher.value())));
      }
    }
    for (PipelineStage stage : query.pipeline()) {
      if (stage instanceof LineFilter filter) {
        conditions.add(lineFilter(b, filter));
      } else {
        // Print the stage as LogQL (a selector with just this stage), never as a Java object.
        String text =
            io.icegate.logql.LogQLFormatter.format(
                new LogSelectorExpr(query.selector(), List.of(stage)));
        throw new UnsupportedOperationException(
            "pipeline stage \"" + text.substring(text.indexOf('}') + 1).trim()
                + "\" is not supported yet");
      }
    }
    return conditions;
  }

  private static RexNode labelMatcher(RelBuilder b, LabelMatcher matcher) {
    RexNode value =
        b.call(
            IceGateFunctions.LABEL_VALUE,
            b.field(LogsTable.STREAM_LABELS),
            b.literal(matcher.name()));
    RexNode expected = b.literal(matcher.value());
    return switch (matcher.type()) {
      case EQ -> b.equals(value, expected);
      case NEQ -> b.notEquals(value, expected);
      case RE -> b.call(IceGateFunctions.RE2_FULL_MATCH, value, expected);
      case NRE -> b.not(b.call(IceGateFunctions.RE2_FULL_MATCH, value, expected));
    };
  }

  private static RexNode lineFilter(RelBuilder b, LineFilter filter) {
    SqlOperator test =
        switch (filter.op()) {
          case CONTAINS, NOT_CONTAINS -> IceGateFunctions.CONTAINS_SUBSTRING;
          case MATCHES_REGEX, NOT_MATCHES_REGEX -> IceGateFunctions.RE2_FIND;
        };
    List<RexNode> alternatives = new ArrayList<>();
    for (String value : filter.values()) {
      alternatives.add(b.call(test, b.field(LogsTable.BODY), b.literal(value)));
    }
    RexNode any = b.or(alternatives);
    return filter.op().negated() ? b.not(any) : any;
  }
}
