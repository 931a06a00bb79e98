package io.icegate.server.sql;

import io.icegate.engine.exec.QueryCancelledException;
import io.icegate.engine.sql.SqlColumn;
import io.icegate.engine.sql.SqlCursor;
import io.icegate.engine.sql.SqlQueryEngine;
import io.icegate.engine.sql.SqlQueryException;
import io.icegate.engine.sql.SqlTable;
import io.icegate.server.Tenants;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.sql.DatabaseMetaData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.calcite.avatica.AvaticaParameter;
import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.ConnectionPropertiesImpl;
import org.apache.calcite.avatica.MetaImpl;
import org.apache.calcite.avatica.MissingResultsException;
import org.apache.calcite.avatica.NoSuchConnectionException;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.QueryState;
import org.apache.calcite.avatica.remote.AvaticaRuntimeException;
import org.apache.calcite.avatica.remote.TypedValue;

/**
 * The server side of Avatica's remote JDBC protocol over {@link SqlQueryEngine}: connections
 * with their tenant, statements with their SQL and, once executed, their answer, served to the
 * client frame by frame. IceGate's SQL is read-only, so commits and rollbacks do nothing and
 * batches of updates are refused.
 *
 * <p>A connection's tenant is its {@code tenant} property (a URL parameter {@code ;tenant=acme}
 * or a connection property), else its {@code user}, else {@code fake} — so a JDBC tool's user
 * field picks the tenant as {@code X-Scope-OrgID} does over HTTP.
 *
 * <p>Answers stream: executing a statement starts its query and computes only the first frame;
 * each fetch runs the query on as far as its frame needs ({@link SqlCursor}). The query, with
 * its memory, lives until the client has fetched the last frame or closes the statement or the
 * connection — a close stops it even while a request of the same connection is computing.
 */
final class LakeMeta extends MetaImpl {
  static final String TENANT_PROPERTY = "tenant";
  private static final int DEFAULT_FRAME_ROWS = 100;

  private final SqlQueryEngine engine;
  private final Map<String, Connection> connections = new ConcurrentHashMap<>();
  private final Map<Integer, Statement> statements = new ConcurrentHashMap<>();
  /** One sequence for every statement, so metadata answers never reuse a client's id. */
  private final AtomicInteger statementIds = new AtomicInteger();

  LakeMeta(SqlQueryEngine engine) {
    super(null);
    this.engine = engine;
  }

  /** Connections unused this long are forgotten (with their statements) when others open. */
  static final java.time.Duration IDLE = java.time.Duration.ofHours(1);

  /** A connection's tenant and properties, and when it was last used. */
  private static final class Connection {
    final String tenant;
    final ConnectionPropertiesImpl properties;
    volatile long lastUsedNanos = System.nanoTime();

    Connection(String tenant, ConnectionPropertiesImpl properties) {
      this.tenant = tenant;
      this.properties = properties;
    }

    String tenant() {
      return tenant;
    }

    ConnectionPropertiesImpl properties() {
      return properties;
    }
  }

  /** A statement: its SQL and signature once prepared, its answer once executed. */
  private static final class Statement {
    final String connectionId;
    final int id;
    volatile String sql;
    volatile Signature signature;
    volatile long maxRowCount;
    /** The running answer once executed; null before, and after its last frame or close. */
    volatile SqlCursor cursor;
    /** Whether the statement has been executed (and not re-prepared since). */
    volatile boolean executed;
    /** Rows served so far: the offset the next frame must start at. */
    volatile long position;
    volatile boolean closed;

    /** Stops the running answer, if any, and releases its memory. */
    void release() {
      SqlCursor running = cursor;
      cursor = null;
      if (running != null) {
        running.close();
      }
    }

    Statement(String connectionId, int id) {
      this.connectionId = connectionId;
      this.id = id;
    }
  }

  // Connections

  @Override
  public void openConnection(ConnectionHandle ch, Map<String, String> info) {
    String tenant = null;
    if (info != null) {
      tenant = info.get(TENANT_PROPERTY);
      if (tenant == null || tenant.isEmpty()) {
        tenant = info.get("user");
      }
    }
    try {
      tenant = Tenants.resolve(tenant);
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage(), "28000");
    }
    ConnectionPropertiesImpl properties =
        new ConnectionPropertiesImpl(
            true, true, java.sql.Connection.TRANSACTION_NONE, null,
            io.icegate.engine.plan.IceGateCatalog.SCHEMA);
    forgetIdle();
    connections.put(ch.id, new Connection(tenant, properties));
  }

  /** Drops connections (and their answers) a client opened and never closed. */
  private void forgetIdle() {
    long now = System.nanoTime();
    for (Map.Entry<String, Connection> entry : connections.entrySet()) {
      if (now - entry.getValue().lastUsedNanos > IDLE.toNanos()) {
        closeConnection(new ConnectionHandle(entry.getKey()));
      }
    }
  }

  @Override
  public void closeConnection(ConnectionHandle ch) {
    connections.remove(ch.id);
    statements.values().removeIf(
        s -> {
          if (s.connectionId.equals(ch.id)) {
            s.closed = true;
            s.release();
            return true;
          }
          return false;
        });
  }

  @Override
  public ConnectionProperties connectionSync(ConnectionHandle ch, ConnectionProperties props) {
    ConnectionPropertiesImpl mine = connection(ch.id).properties();
    synchronized (mine) {
      if (props != null) {
        mine.merge(props);
      }
      mine.setDirty(false);
      return mine;
    }
  }

  @Override
  public Map<DatabaseProperty, Object> getDatabaseProperties(ConnectionHandle ch) {
    return Map.of(
        DatabaseProperty.GET_DEFAULT_TRANSACTION_ISOLATION,
        java.sql.Connection.TRANSACTION_NONE,
        DatabaseProperty.GET_STRING_FUNCTIONS, "UPPER,LOWER,CHAR_LENGTH",
        DatabaseProperty.GET_NUMERIC_FUNCTIONS, "");
  }

  @Override
  public void commit(ConnectionHandle ch) {}

  @Override
  public void rollback(ConnectionHandle ch) {}

  // Statements

  @Override
  public StatementHandle createStatement(ConnectionHandle ch) {
    connection(ch.id);
    Statement statement = new Statement(ch.id, statementIds.incrementAndGet());
    statements.put(statement.id, statement);
    return new StatementHandle(ch.id, statement.id, null);
  }

  @Override
  public StatementHandle prepare(ConnectionHandle ch, String sql, long maxRowCount) {
    StatementHandle handle = createStatement(ch);
    Statement statement = statements.get(handle.id);
    try {
      prepare(statement, sql, maxRowCount);
    } catch (RuntimeException e) {
      statements.remove(handle.id); // the client never learns this statement's id
      throw e;
    }
    return new StatementHandle(ch.id, handle.id, statement.signature);
  }

  private void prepare(Statement statement, String sql, long maxRowCount) {
    SqlQueryEngine.Prepared prepared;
    try {
      prepared = engine.prepare(sql);
    } catch (RuntimeException e) {
      throw translate(e);
    }
    List<ColumnMetaData> columns = new ArrayList<>();
    for (int i = 0; i < prepared.columns().size(); i++) {
      SqlColumn column = prepared.columns().get(i);
      columns.add(
          MetaImpl.columnMetaData(column.name(), i, JdbcTypes.avaticaType(column),
              column.nullable()));
    }
    List<AvaticaParameter> parameters = new ArrayList<>();
    for (SqlColumn parameter : prepared.parameters()) {
      JdbcTypes.Type type = JdbcTypes.of(parameter);
      parameters.add(
          new AvaticaParameter(
              true, 0, 0, type.jdbcType(), type.typeName(), type.javaClass().getName(),
              parameter.name()));
    }
    statement.sql = sql;
    statement.maxRowCount = maxRowCount;
    statement.release();
    statement.executed = false;
    statement.signature =
        new Signature(
            columns, sql, parameters, Map.of(), CursorFactory.LIST, StatementType.SELECT);
  }

  @Override
  @SuppressWarnings("deprecation")
  public ExecuteResult prepareAndExecute(
      StatementHandle h, String sql, long maxRowCount, PrepareCallback callback)
      throws NoSuchStatementException {
    return prepareAndExecute(h, sql, maxRowCount, -1, callback);
  }

  @Override
  public ExecuteResult prepareAndExecute(
      StatementHandle h, String sql, long maxRowCount, int maxRowsInFirstFrame,
      PrepareCallback callback) throws NoSuchStatementException {
    Statement statement = statement(h);
    prepare(statement, sql, maxRowCount);
    return run(statement, List.of(), maxRowsInFirstFrame);
  }

  @Override
  @SuppressWarnings("deprecation")
  public ExecuteResult execute(
      StatementHandle h, List<TypedValue> parameterValues, long maxRowCount)
      throws NoSuchStatementException {
    return execute(h, parameterValues, -1);
  }

  @Override
  public ExecuteResult execute(
      StatementHandle h, List<TypedValue> parameterValues, int maxRowsInFirstFrame)
      throws NoSuchStatementException {
    Statement statement = statement(h);
    if (statement.sql == null) {
      throw error("the statement has not been prepared", "HY010");
    }
    List<Object> parameters = new ArrayList<>();
    if (parameterValues != null) {
      for (TypedValue value : parameterValues) {
        parameters.add(value == null ? null : value.toLocal());
      }
    }
    return run(statement, parameters, maxRowsInFirstFrame);
  }

  /**
   * Starts the statement's query and answers its first frame; the rest stay in the running
   * query until the client fetches them.
   */
  private ExecuteResult run(Statement statement, List<Object> parameters, int firstFrameRows) {
    String tenant = connection(statement.connectionId).tenant();
    statement.release(); // a statement executed again drops its previous answer
    SqlCursor cursor;
    try {
      cursor =
          engine.open(
              statement.sql, tenant, parameters, Math.max(0, statement.maxRowCount),
              () -> statement.closed);
    } catch (RuntimeException e) {
      throw translate(e);
    }
    statement.cursor = cursor;
    statement.position = 0;
    statement.executed = true;
    if (statement.closed) { // closed while the query was planned
      statement.release();
    }
    Frame first = frame(statement, 0, firstFrameRows);
    return new ExecuteResult(
        List.of(
            MetaResultSet.create(
                statement.connectionId, statement.id, false, statement.signature, first)));
  }

  @Override
  public Frame fetch(StatementHandle h, long offset, int fetchMaxRowCount)
      throws NoSuchStatementException, MissingResultsException {
    Statement statement = statement(h);
    if (!statement.executed) {
      throw new MissingResultsException(h);
    }
    return frame(statement, offset, fetchMaxRowCount);
  }

  /**
   * The next {@code count} rows of the answer, which must start at {@code offset}: the rows
   * are computed as they are fetched and can't be served twice. The last frame releases the
   * query.
   */
  private static Frame frame(Statement statement, long offset, int count) {
    SqlCursor cursor = statement.cursor;
    if (cursor == null) {
      if (statement.closed) {
        throw error("query cancelled: the statement was closed", "57014");
      }
      return Frame.create(offset, true, List.of()); // every row was served
    }
    if (offset != statement.position) {
      throw error(
          "rows are served in order, once: the next frame starts at row "
              + statement.position + ", not " + offset, "HY109");
    }
    List<Object[]> rows;
    boolean done;
    try {
      rows = cursor.fetch(count > 0 ? count : DEFAULT_FRAME_ROWS);
      done = cursor.done();
    } catch (RuntimeException e) {
      statement.release();
      throw translate(e);
    }
    List<Object> frameRows = new ArrayList<>(rows.size());
    List<SqlColumn> columns = cursor.columns();
    for (Object[] row : rows) {
      List<Object> values = new ArrayList<>(row.length);
      for (int c = 0; c < row.length; c++) {
        values.add(JdbcTypes.value(columns.get(c), row[c]));
      }
      frameRows.add(values);
    }
    statement.position = offset + rows.size();
    if (done) {
      statement.release();
    }
    return Frame.create(offset, done, frameRows);
  }

  @Override
  public ExecuteBatchResult prepareAndExecuteBatch(StatementHandle h, List<String> sqlCommands) {
    throw error("batches are not supported: SQL over IceGate is read-only", "0A000");
  }

  @Override
  public ExecuteBatchResult executeBatch(
      StatementHandle h, List<List<TypedValue>> parameterValues) {
    throw error("batches are not supported: SQL over IceGate is read-only", "0A000");
  }

  @Override
  public boolean syncResults(StatementHandle sh, QueryState state, long offset)
      throws NoSuchStatementException {
    Statement statement = statement(sh);
    SqlCursor cursor = statement.cursor;
    return cursor != null && offset == statement.position && !cursor.done();
  }

  @Override
  public void closeStatement(StatementHandle h) {
    Statement statement = statements.remove(h.id);
    if (statement != null) {
      statement.closed = true;
      statement.release();
    }
  }

  @Override
  public Iterable<Object> createIterable(
      StatementHandle stmt, QueryState state, Signature signature,
      List<TypedValue> parameters, Frame firstFrame) {
    throw new UnsupportedOperationException("only the remote protocol is served");
  }

  // Metadata: one schema, icegate, with the lake's tables.

  @Override
  public MetaResultSet getTables(
      ConnectionHandle ch, String catalog, Pat schemaPattern, Pat tableNamePattern,
      List<String> typeList) {
    List<Object> rows = new ArrayList<>();
    if (typeList == null || typeList.contains("TABLE")) {
      for (SqlTable table : engine.tables()) {
        if (matches(schemaPattern, table.schema()) && matches(tableNamePattern, table.name())) {
          rows.add(new MetaTable(null, table.schema(), table.name(), "TABLE"));
        }
      }
    }
    return metadata(ch, MetaTable.class, rows);
  }

  @Override
  public MetaResultSet getColumns(
      ConnectionHandle ch, String catalog, Pat schemaPattern, Pat tableNamePattern,
      Pat columnNamePattern) {
    List<Object> rows = new ArrayList<>();
    for (SqlTable table : engine.tables()) {
      if (!matches(schemaPattern, table.schema()) || !matches(tableNamePattern, table.name())) {
        continue;
      }
      for (int i = 0; i < table.columns().size(); i++) {
        SqlColumn column = table.columns().get(i);
        if (!matches(columnNamePattern, column.name())) {
          continue;
        }
        JdbcTypes.Type type = JdbcTypes.of(column);
        rows.add(
            new MetaColumn(
                null, table.schema(), table.name(), column.name(), type.jdbcType(),
                type.typeName(), null, null, type.numeric() ? 10 : null,
                column.nullable() ? DatabaseMetaData.columnNullable
                    : DatabaseMetaData.columnNoNulls,
                null, i + 1, column.nullable() ? "YES" : "NO"));
      }
    }
    return metadata(ch, MetaColumn.class, rows);
  }

  @Override
  public MetaResultSet getSchemas(ConnectionHandle ch, String catalog, Pat schemaPattern) {
    List<Object> rows = new ArrayList<>();
    if (matches(schemaPattern, io.icegate.engine.plan.IceGateCatalog.SCHEMA)) {
      rows.add(new MetaSchema(null, io.icegate.engine.plan.IceGateCatalog.SCHEMA));
    }
    return metadata(ch, MetaSchema.class, rows);
  }

  @Override
  public MetaResultSet getCatalogs(ConnectionHandle ch) {
    return metadata(ch, MetaCatalog.class, List.of());
  }

  @Override
  public MetaResultSet getTableTypes(ConnectionHandle ch) {
    return metadata(ch, MetaTableType.class, List.of(new MetaTableType("TABLE")));
  }

  /**
   * The types a column or parameter can have, as {@link JdbcTypes} reports them, ordered by JDBC
   * type code as {@link DatabaseMetaData#getTypeInfo} requires. Maps, lists, rows and binary
   * values reach clients as VARCHAR (their JSON text or hex), so VARCHAR stands for them.
   */
  @Override
  public MetaResultSet getTypeInfo(ConnectionHandle ch) {
    short nullable = (short) DatabaseMetaData.typeNullable;
    short comparable = (short) DatabaseMetaData.typePredBasic;
    short searchable = (short) DatabaseMetaData.typeSearchable;
    short zero = 0;
    List<Object> rows = List.of(
        new MetaTypeInfo("BIGINT", java.sql.Types.BIGINT, 19, null, null, nullable, false,
            comparable, false, false, false, zero, zero, 10),
        new MetaTypeInfo("INTEGER", java.sql.Types.INTEGER, 10, null, null, nullable, false,
            comparable, false, false, false, zero, zero, 10),
        new MetaTypeInfo("DOUBLE", java.sql.Types.DOUBLE, 15, null, null, nullable, false,
            comparable, false, false, false, zero, zero, 10),
        new MetaTypeInfo("VARCHAR", java.sql.Types.VARCHAR, Integer.MAX_VALUE, "'", "'",
            nullable, true, searchable, false, false, false, zero, zero, 0),
        new MetaTypeInfo("BOOLEAN", java.sql.Types.BOOLEAN, 1, null, null, nullable, false,
            comparable, false, false, false, zero, zero, 0));
    return metadata(ch, MetaTypeInfo.class, rows);
  }

  /** Every other metadata call answers empty, under a statement id of ours. */
  @Override
  protected MetaResultSet createResultSet(
      Map<String, Object> internalParameters, List<ColumnMetaData> columns,
      CursorFactory cursorFactory, Frame firstFrame) {
    Signature signature =
        new Signature(columns, "", List.of(), internalParameters, cursorFactory,
            StatementType.SELECT);
    return MetaResultSet.create("", statementIds.incrementAndGet(), true, signature, firstFrame);
  }

  /**
   * A metadata answer: the public fields of {@code type}'s objects as columns, in the order
   * Avatica's own column list for it uses.
   */
  private MetaResultSet metadata(ConnectionHandle ch, Class<?> type, List<Object> objects) {
    List<ColumnMetaData> columns = fieldMetaData(type).columns;
    List<Field> fields = new ArrayList<>();
    for (Field field : type.getFields()) {
      if (!Modifier.isStatic(field.getModifiers())) {
        fields.add(field);
      }
    }
    List<Object> rows = new ArrayList<>();
    for (Object object : objects) {
      List<Object> row = new ArrayList<>(fields.size());
      for (Field field : fields) {
        try {
          row.add(field.get(object));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
      rows.add(row);
    }
    Signature signature =
        new Signature(columns, "", List.of(), Map.of(), CursorFactory.LIST, StatementType.SELECT);
    return MetaResultSet.create(
        ch.id, statementIds.incrementAndGet(), true, signature, Frame.create(0, true, rows));
  }

  /** JDBC's metadata patterns: {@code %} any run, {@code _} one character, null everything. */
  static boolean matches(Pat pattern, String name) {
    if (pattern == null || pattern.s == null) {
      return true;
    }
    StringBuilder regex = new StringBuilder();
    String p = pattern.s;
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == '\\' && i + 1 < p.length()) {
        regex.append(Pattern.quote(String.valueOf(p.charAt(++i))));
      } else if (c == '%') {
        regex.append(".*");
      } else if (c == '_') {
        regex.append('.');
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL)
        .matcher(name)
        .matches();
  }

  private Connection connection(String id) {
    Connection connection = connections.get(id);
    if (connection == null) {
      throw new AvaticaRuntimeException(
          "no such connection: " + id + " (the server may have restarted; reconnect)",
          org.apache.calcite.avatica.remote.Service.ErrorResponse.MISSING_CONNECTION_ERROR_CODE,
          "08003", AvaticaSeverity.ERROR);
    }
    connection.lastUsedNanos = System.nanoTime();
    return connection;
  }

  private Statement statement(StatementHandle h) throws NoSuchStatementException {
    Statement statement = statements.get(h.id);
    if (statement == null || !statement.connectionId.equals(h.connectionId)) {
      throw new NoSuchStatementException(h);
    }
    connection(h.connectionId);
    return statement;
  }

  /** The engine's failure as the client should see it: our message and a SQLSTATE. */
  private static AvaticaRuntimeException translate(RuntimeException e) {
    if (e instanceof AvaticaRuntimeException avatica) {
      return avatica;
    }
    if (e instanceof SqlQueryException sql) {
      return error(
          sql.getMessage(),
          switch (sql.kind()) {
            case PARSE, VALIDATION -> "42000";
            case UNSUPPORTED -> "0A000";
            case TOO_MANY_ROWS -> "54000";
            case EXECUTION -> "22000";
          });
    }
    if (e instanceof QueryCancelledException cancelled) {
      return error(cancelled.timeout() ? "query timed out" : "query cancelled", "57014");
    }
    if (e instanceof OutOfMemoryException) {
      return error("query exceeded memory limit", "53200");
    }
    JdbcHandler.LOG.error("SQL query over JDBC failed", e);
    return error("internal error running the query", "XX000");
  }

  private static AvaticaRuntimeException error(String message, String sqlState) {
    return new AvaticaRuntimeException(message, -1, sqlState, AvaticaSeverity.ERROR);
  }
}
