package io.icegate.engine.sql;

import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.exec.QueryStats;
import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.plan.IceGateFunctions;
import io.icegate.engine.plan.QueryOptimizer;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.engine.rel.ScanPushdownRules;
import io.icegate.storage.scan.TableScanner;
import io.icegate.storage.table.LakeTables;
import io.icegate.storage.table.TableDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.calcite.config.CalciteConnectionConfigImpl;
import org.apache.calcite.config.CalciteConnectionProperty;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.plan.ConventionTraitDef;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.volcano.VolcanoPlanner;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rel.RelShuttleImpl;
import org.apache.calcite.rel.core.RelFactories;
import org.apache.calcite.rel.core.JoinInfo;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.logical.LogicalJoin;
import org.apache.calcite.rel.rules.CoreRules;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.hep.HepMatchOrder;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgramBuilder;
import org.apache.calcite.sql2rel.RelFieldTrimmer;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexOver;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.runtime.CalciteException;
import org.apache.calcite.schema.Table;
import org.apache.calcite.sql.SqlExplain;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.util.SqlOperatorTables;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql.validate.SqlValidatorUtil;
import org.apache.calcite.sql2rel.SqlToRelConverter;
import org.apache.calcite.sql2rel.StandardConvertletTable;
import org.apache.calcite.tools.RelBuilder;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;

/**
 * SQL over the lake's tables ({@code logs}, {@code spans}, {@code metrics}, {@code events}):
 * Calcite parses and validates the statement and converts it to a logical plan, which then goes
 * through the same optimizer phases and Arrow operators as LogQL ({@link QueryOptimizer}, {@link
 * PlanRunner}) — no row-at-a-time interpreter reads the data.
 *
 * <p>The dialect is what JDBC tools send: unquoted identifiers match case-insensitively, double
 * quotes quote identifiers (needed for {@code "timestamp"}, a reserved word), and {@code LIMIT},
 * {@code OFFSET} and {@code FETCH} all work. Nanosecond timestamps are BIGINT nanoseconds since
 * the epoch, as in every plan of ours; {@code map<string,string>} columns are MAP and are read
 * with {@code attributes['key']}.
 *
 * <p>Every table a query reads is filtered to the caller's tenant; that filter becomes each
 * scan's tenant bound, and the scans are bound to the caller's tenant again after planning, so no
 * condition in the query can widen what it sees. {@code EXPLAIN PLAN FOR q} answers the physical
 * plan with what was pushed into the scans; {@code EXPLAIN ANALYZE q} runs {@code q} and answers
 * the plan with what each node did.
 *
 * <p>Each query runs in its own allocator, limited to {@code queryMemoryBytes}, with the
 * engine's timeout and the caller's cancellation; an answer with more than {@code maxRows} rows
 * fails ({@link SqlQueryException.Kind#TOO_MANY_ROWS}).
 */
public final class SqlQueryEngine {
  /** The one column of an EXPLAIN's answer. */
  public static final String PLAN_COLUMN = "PLAN";

  private static final java.util.regex.Pattern EXPLAIN_ANALYZE =
      java.util.regex.Pattern.compile(
          "^\\s*EXPLAIN\\s+ANALY[SZ]E\\s+(.*)$",
          java.util.regex.Pattern.CASE_INSENSITIVE | java.util.regex.Pattern.DOTALL);

  private static final SqlParser.Config PARSER =
      SqlParser.config()
          .withQuoting(Quoting.DOUBLE_QUOTE)
          .withUnquotedCasing(Casing.UNCHANGED)
          .withQuotedCasing(Casing.UNCHANGED)
          .withCaseSensitive(false)
          .withConformance(SqlConformanceEnum.LENIENT);

  private final IceGateCatalog catalog;
  private final PlanRunner runner;
  private final int maxRows;
  private final JavaTypeFactoryImpl typeFactory =
      new JavaTypeFactoryImpl(SqlTypeSystem.INSTANCE);
  private final CalciteCatalogReader catalogReader;

  /**
   * @param maxRows the most rows an answer may have; a query with more fails
   */
  public SqlQueryEngine(
      TableScanner scanner, BufferAllocator root, long queryMemoryBytes, Duration timeout,
      int maxRows) {
    this(scanner, new PlanRunner(scanner, root, queryMemoryBytes, timeout), maxRows);
  }

  /** An engine over {@code runner} (tests choose its parallelism). */
  public SqlQueryEngine(TableScanner scanner, PlanRunner runner, int maxRows) {
    this.catalog =
        new IceGateCatalog(scanner, LakeTables.ALL.stream().map(TableDefinition::name).toList());
    this.runner = runner;
    this.maxRows = maxRows;
    Properties properties = new Properties();
    properties.setProperty(CalciteConnectionProperty.CASE_SENSITIVE.camelName(), "false");
    this.catalogReader =
        new CalciteCatalogReader(
            CalciteSchema.from(catalog.schema()).root(),
            List.of(IceGateCatalog.SCHEMA),
            typeFactory,
            new CalciteConnectionConfigImpl(properties));
  }

  /** The tables SQL can read, with their columns, for clients that browse (JDBC metadata). */
  public List<SqlTable> tables() {
    List<SqlTable> tables = new ArrayList<>();
    for (String name : catalog.schema().getTableNames()) {
      Table table = catalog.schema().getTable(name);
      List<SqlColumn> columns = new ArrayList<>();
      for (RelDataTypeField field : table.getRowType(typeFactory).getFieldList()) {
        columns.add(SqlColumn.of(field.getName(), field.getType()));
      }
      tables.add(new SqlTable(IceGateCatalog.SCHEMA, name, columns));
    }
    return tables;
  }

  /** What a statement would answer, without running it: its columns and its parameters. */
  public record Prepared(List<SqlColumn> columns, List<SqlColumn> parameters) {}

  /**
   * Parses and validates {@code sql}: the columns it answers and the types of its {@code ?}
   * parameters, in order.
   *
   * @throws SqlQueryException when the statement can't be run
   */
  public Prepared prepare(String sql) {
    Statement statement = parse(sql);
    Converter converter = new Converter();
    SqlNode validated = converter.validate(statement.query());
    SqlSupport.check(converter.convert(validated).project()); // refuse joins etc. when prepared
    List<SqlColumn> parameters = new ArrayList<>();
    for (RelDataTypeField field :
        converter.validator.getParameterRowType(validated).getFieldList()) {
      parameters.add(SqlColumn.of(field.getName(), field.getType()));
    }
    if (statement.explain() != Explain.NONE) {
      return new Prepared(List.of(planColumn()), parameters);
    }
    return new Prepared(
        columns(converter.validator.getValidatedNodeType(validated)), parameters);
  }

  /** Runs {@code sql} for {@code tenant} with no parameters and no row cap of the caller's. */
  public SqlResult execute(String sql, String tenant, BooleanSupplier cancelled) {
    return execute(sql, tenant, List.of(), 0, cancelled);
  }

  /**
   * Runs {@code sql} (a query, {@code EXPLAIN PLAN FOR} one, or {@code EXPLAIN ANALYZE} one) for
   * {@code tenant}.
   *
   * @param parameters the values of its {@code ?} parameters, in order
   * @param limit when positive, at most this many rows are returned (a JDBC statement's max rows)
   * @throws SqlQueryException when the statement can't be run or its answer is too large
   * @throws io.icegate.engine.exec.QueryCancelledException on timeout or cancellation
   * @throws org.apache.arrow.memory.OutOfMemoryException over the query's memory limit
   */
  public SqlResult execute(
      String sql, String tenant, List<Object> parameters, long limit, BooleanSupplier cancelled) {
    long started = System.nanoTime();
    try (SqlCursor cursor = open(sql, tenant, parameters, limit, cancelled)) {
      List<Object[]> rows = cursor.fetch(Integer.MAX_VALUE);
      return new SqlResult(cursor.columns(), rows, cursor.stats(), System.nanoTime() - started);
    }
  }

  /**
   * Starts {@code sql} (as {@link #execute}) for a consumer that fetches its rows a piece at a
   * time: the plan runs as far as the fetches ask, so the first rows can be served before the
   * last are computed. The caller closes the cursor, which stops the query if it still runs.
   * {@code EXPLAIN} statements are answered whole here.
   *
   * @throws SqlQueryException when the statement can't be run
   */
  public SqlCursor open(
      String sql, String tenant, List<Object> parameters, long limit, BooleanSupplier cancelled) {
    Statement statement = parse(sql);
    Planned planned = plan(statement.query(), tenant, parameters, limit);
    if (statement.explain() == Explain.PLAN) {
      return explainResult(QueryOptimizer.explain(planned.plan()), new QueryStats());
    }
    if (statement.explain() == Explain.ANALYZE) {
      QueryStats stats = run(planned, cancelled, batch -> {});
      return explainResult(
          QueryOptimizer.explainAnalyze(planned.plan(), stats), stats);
    }
    try {
      return new SqlCursor(
          planned.columns(), runner.open("sql", planned.plan(), cancelled), maxRows);
    } catch (RuntimeException e) {
      throw translate(e);
    }
  }

  /** The optimized physical plan of a query (no EXPLAIN prefix), for tests and tools. */
  public ArrowRel physicalPlan(String sql, String tenant) {
    return plan(parse(sql).query(), tenant, List.of(), 0).plan();
  }

  private QueryStats run(
      Planned planned, BooleanSupplier cancelled,
      java.util.function.Consumer<VectorSchemaRoot> sink) {
    try {
      return runner.run("sql", planned.plan(), cancelled, sink);
    } catch (RuntimeException e) {
      throw translate(e);
    }
  }

  /**
   * A failure while running as a user should see it: what the operators refuse is
   * UNSUPPORTED, what the data made fail (a bad cast, an overflow) is EXECUTION; cancellation,
   * timeout and memory errors pass as they are.
   */
  static RuntimeException translate(RuntimeException e) {
    if (e instanceof UnsupportedOperationException) {
      return new SqlQueryException(SqlQueryException.Kind.UNSUPPORTED, e.getMessage(), e);
    }
    if (e instanceof IllegalArgumentException || e instanceof ArithmeticException) {
      return new SqlQueryException(SqlQueryException.Kind.EXECUTION, e.getMessage(), e);
    }
    return e;
  }

  private static SqlCursor explainResult(String text, QueryStats stats) {
    List<Object[]> rows = new ArrayList<>();
    rows.add(new Object[] {text});
    return new SqlCursor(List.of(planColumn()), rows, stats);
  }

  private static SqlColumn planColumn() {
    return new SqlColumn(PLAN_COLUMN, SqlTypeName.VARCHAR, "VARCHAR", false);
  }

  private static List<SqlColumn> columns(RelDataType rowType) {
    List<SqlColumn> columns = new ArrayList<>();
    for (RelDataTypeField field : rowType.getFieldList()) {
      columns.add(SqlColumn.of(field.getName(), field.getType()));
    }
    return columns;
  }

  private enum Explain { NONE, PLAN, ANALYZE }

  private record Statement(SqlNode query, Explain explain) {}

  private record Planned(ArrowRel plan, List<SqlColumn> columns) {}

  private static Statement parse(String sql) {
    if (sql == null || sql.isBlank()) {
      throw new SqlQueryException(SqlQueryException.Kind.PARSE, "empty SQL statement");
    }
    String text = sql.strip();
    while (text.endsWith(";")) {
      text = text.substring(0, text.length() - 1).strip();
    }
    Explain explain = Explain.NONE;
    Matcher analyze = EXPLAIN_ANALYZE.matcher(text);
    if (analyze.matches()) {
      explain = Explain.ANALYZE;
      text = analyze.group(1);
    }
    SqlNode node;
    try {
      node = SqlParser.create(text, PARSER).parseStmt();
    } catch (SqlParseException e) {
      throw new SqlQueryException(SqlQueryException.Kind.PARSE, parseMessage(e), e);
    }
    if (node instanceof SqlExplain sqlExplain) {
      if (explain == Explain.ANALYZE) {
        throw new SqlQueryException(
            SqlQueryException.Kind.PARSE, "EXPLAIN ANALYZE takes a query, not another EXPLAIN");
      }
      explain = Explain.PLAN;
      node = sqlExplain.getExplicandum();
    }
    if (!node.getKind().belongsTo(SqlKind.QUERY)) {
      throw new SqlQueryException(
          SqlQueryException.Kind.UNSUPPORTED,
          node.getKind().sql + " is not supported: only queries (SELECT) and EXPLAIN of them");
    }
    return new Statement(node, explain);
  }

  /** Calcite's message up to its list of every token it would have accepted. */
  private static String parseMessage(SqlParseException e) {
    String message = e.getMessage();
    int expecting = message.indexOf("Was expecting");
    if (expecting > 0) {
      message = message.substring(0, expecting).strip();
    }
    message = message.replace('\n', ' ').replace("\r", "");
    if (e.getPos() != null && e.getPos().getLineNum() > 0 && !message.contains(" line ")) {
      message =
          "at line " + e.getPos().getLineNum() + ", column " + e.getPos().getColumnNum() + ": "
              + message;
    }
    return message;
  }

  private Planned plan(SqlNode query, String tenant, List<Object> parameters, long limit) {
    Converter converter = new Converter();
    SqlNode validated = converter.validate(query);
    RelRoot root = converter.convert(validated);
    RelNode rel = root.project();
    SqlSupport.check(rel);
    RelBuilder builder = RelFactories.LOGICAL_BUILDER.create(rel.getCluster(), catalogReader);
    rel = bind(rel, parameters, rel.getCluster().getRexBuilder());
    rel = restrictToTenant(rel, tenant, builder);
    if (limit > 0) {
      rel = builder.push(rel).limit(0, (int) Math.min(limit, Integer.MAX_VALUE)).build();
    }
    if (containsJoin(rel)) {
      rel = hashJoins(rel, builder);
    }
    if (containsOver(rel)) {
      // Trimmed first: the optimizer's trimmer doesn't look below the top-N node.
      rel = RowNumberTopN.rewrite(new RelFieldTrimmer(null, builder).trim(rel));
    }
    ArrowRel physical;
    try {
      physical = QueryOptimizer.optimize(rel, builder);
    } catch (UnsupportedOperationException e) {
      throw new SqlQueryException(SqlQueryException.Kind.UNSUPPORTED, e.getMessage(), e);
    } catch (IllegalStateException e) {
      String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      throw new SqlQueryException(
          SqlQueryException.Kind.UNSUPPORTED, "this query's plan can't be run: " + first, e);
    }
    return new Planned(
        SqlPlanRewriter.rewrite(physical, tenant), columns(root.validatedRowType));
  }

  private static boolean containsOver(RelNode rel) {
    if (rel instanceof org.apache.calcite.rel.core.Project project
        && project.getProjects().stream().anyMatch(RexOver::containsOver)) {
      return true;
    }
    return rel.getInputs().stream().anyMatch(SqlQueryEngine::containsOver);
  }

  private static boolean containsJoin(RelNode rel) {
    if (rel instanceof LogicalJoin) {
      return true;
    }
    return rel.getInputs().stream().anyMatch(SqlQueryEngine::containsJoin);
  }

  /** Moves WHERE conditions of one side of a join below it, so its scan can use them. */
  private static final List<RelOptRule> JOIN_PUSHDOWN =
      List.of(CoreRules.FILTER_INTO_JOIN, CoreRules.JOIN_CONDITION_PUSH, CoreRules.FILTER_MERGE);

  /**
   * {@code rel} with each join as an {@link ArrowHashJoin}: conditions on one side pushed below
   * it first, then the unused columns trimmed (the optimizer's trimmer doesn't look inside our
   * join), then each join's column equalities as its keys and, for an inner join, the rest of
   * its condition as a filter above it.
   */
  private static RelNode hashJoins(RelNode rel, RelBuilder builder) {
    HepProgramBuilder program = new HepProgramBuilder().addMatchOrder(HepMatchOrder.BOTTOM_UP);
    program.addRuleCollection(JOIN_PUSHDOWN);
    HepPlanner planner = new HepPlanner(program.build());
    planner.setRoot(rel);
    RelNode pushed = planner.findBestExp();
    RelNode trimmed = new RelFieldTrimmer(null, builder).trim(pushed);
    return trimmed.accept(
        new RelShuttleImpl() {
          @Override
          public RelNode visit(LogicalJoin join) {
            LogicalJoin visited = (LogicalJoin) super.visit(join);
            JoinInfo info = visited.analyzeCondition();
            if (info.leftKeys.isEmpty()) {
              throw new SqlQueryException(
                  SqlQueryException.Kind.UNSUPPORTED,
                  "JOIN needs an equality of a column of each side (ON a.x = b.y); "
                      + "other join conditions are not supported");
            }
            if (!info.isEqui() && visited.getJoinType() != JoinRelType.INNER) {
              throw new SqlQueryException(
                  SqlQueryException.Kind.UNSUPPORTED,
                  "LEFT JOIN conditions other than equalities of columns are not supported");
            }
            RelNode joined =
                new ArrowHashJoin(
                    visited.getCluster(), visited.getTraitSet().replace(ArrowRel.CONVENTION),
                    visited.getLeft(), visited.getRight(), info.leftKeys, info.rightKeys,
                    visited.getJoinType());
            if (!info.isEqui()) {
              joined =
                  LogicalFilter.create(
                      joined, info.getRemaining(visited.getCluster().getRexBuilder()));
            }
            return joined;
          }
        });
  }

  /** Every table scan of {@code rel} under a filter to {@code tenant}'s rows. */
  private static RelNode restrictToTenant(RelNode rel, String tenant, RelBuilder builder) {
    return rel.accept(
        new RelShuttleImpl() {
          @Override
          public RelNode visit(TableScan scan) {
            return builder
                .push(scan)
                .filter(
                    builder.equals(
                        builder.field(ScanPushdownRules.TENANT_COLUMN),
                        io.icegate.engine.plan.Utf8Literals.of(builder, tenant)))
                .build();
          }
        });
  }

  /** {@code rel} with each {@code ?} replaced by its value, typed as the validator inferred. */
  private static RelNode bind(RelNode rel, List<Object> parameters, RexBuilder rexBuilder) {
    RexShuttle values =
        new RexShuttle() {
          @Override
          public RexNode visitDynamicParam(RexDynamicParam param) {
            if (param.getIndex() >= parameters.size()) {
              throw new SqlQueryException(
                  SqlQueryException.Kind.VALIDATION,
                  "no value for parameter " + (param.getIndex() + 1));
            }
            Object value = parameters.get(param.getIndex());
            if (value == null) {
              return rexBuilder.makeNullLiteral(param.getType());
            }
            if (value instanceof Number number
                && !(value instanceof java.math.BigDecimal)) {
              value =
                  number instanceof Double || number instanceof Float
                      ? java.math.BigDecimal.valueOf(number.doubleValue())
                      : java.math.BigDecimal.valueOf(number.longValue());
            }
            try {
              return rexBuilder.makeLiteral(value, param.getType(), true);
            } catch (RuntimeException e) {
              throw new SqlQueryException(
                  SqlQueryException.Kind.VALIDATION,
                  "parameter " + (param.getIndex() + 1) + " can't be "
                      + param.getType().getSqlTypeName() + ": " + value,
                  e);
            }
          }
        };
    return rel.accept(
        new org.apache.calcite.rel.RelHomogeneousShuttle() {
          @Override
          public RelNode visit(RelNode other) {
            return super.visit(other).accept(values);
          }
        });
  }

  /** One statement's validator and converter, over a fresh planner cluster. */
  private final class Converter {
    final SqlValidator validator =
        SqlValidatorUtil.newValidator(
            SqlOperatorTables.chain(
                SqlStdOperatorTable.instance(),
                SqlOperatorTables.of(IceGateFunctions.SQL_CALLABLE)),
            catalogReader,
            typeFactory,
            SqlValidator.Config.DEFAULT
                .withConformance(SqlConformanceEnum.LENIENT)
                .withIdentifierExpansion(true));

    SqlNode validate(SqlNode query) {
      try {
        return validator.validate(query);
      } catch (CalciteContextException e) {
        throw new SqlQueryException(SqlQueryException.Kind.VALIDATION, e.getMessage(), e);
      } catch (CalciteException | UnsupportedOperationException e) {
        throw new SqlQueryException(
            SqlQueryException.Kind.VALIDATION,
            e.getMessage() == null ? e.toString() : e.getMessage(), e);
      }
    }

    /** The logical plan of a validated statement; what Calcite can't convert is refused. */
    RelRoot convert(SqlNode validated) {
      try {
        return toRel(validated);
      } catch (UnsupportedOperationException | CalciteException e) {
        throw new SqlQueryException(
            SqlQueryException.Kind.UNSUPPORTED, "query not supported: " + e.getMessage(), e);
      }
    }

    private RelRoot toRel(SqlNode validated) {
      VolcanoPlanner planner = new VolcanoPlanner();
      planner.addRelTraitDef(ConventionTraitDef.INSTANCE);
      RelOptCluster cluster = RelOptCluster.create(planner, new RexBuilder(typeFactory));
      SqlToRelConverter converter =
          new SqlToRelConverter(
              (rowType, queryString, schemaPath, viewPath) -> {
                throw new UnsupportedOperationException("views are not supported");
              },
              validator,
              catalogReader,
              cluster,
              StandardConvertletTable.INSTANCE,
              SqlToRelConverter.config()
                  .withExpand(false)
                  .withInSubQueryThreshold(Integer.MAX_VALUE)
                  .withTrimUnusedFields(false));
      return converter.convertQuery(validated, false, true);
    }
  }
}
