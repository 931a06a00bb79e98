package io.icegate.storage.catalog;

import io.icegate.storage.LakeConfig;
import io.icegate.storage.objectstore.S3Connection;
import io.icegate.storage.table.LakeTables;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.table.TableDefinition;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.nessie.NessieCatalog;
import org.apache.iceberg.rest.RESTCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Iceberg catalog the config names — embedded (JdbcCatalog on SQLite in the data directory),
 * Nessie (NessieCatalog, API v2) or any REST catalog — with the namespace and the tables created
 * on first start. Every catalog gets the storage's FileIO: Hadoop's for local disk, S3FileIO for
 * S3 (a REST server may override the S3 settings for the tables it serves).
 *
 * <p>SQLite allows one JdbcCatalog per file and process (java-stack-notes.md: a second instance
 * gets SQLITE_BUSY), so the server opens exactly one.
 */
public final class LakeCatalog implements AutoCloseable {
  public static final Namespace NAMESPACE = Namespace.of("icegate");
  private static final Logger LOG = LoggerFactory.getLogger(LakeCatalog.class);

  private final Catalog catalog;
  private final Map<String, Table> tables;

  private LakeCatalog(Catalog catalog, Map<String, Table> tables) {
    this.catalog = catalog;
    this.tables = Map.copyOf(tables);
  }

  /** The embedded catalog in {@code dataDir} with a local warehouse. */
  public static LakeCatalog openEmbedded(Path dataDir) throws IOException {
    return open(LakeConfig.local(dataDir), null);
  }

  /**
   * Opens the catalog {@code config} names, creating the namespace and tables on first start.
   * {@code s3} is the open connection when the storage is S3, else null.
   */
  public static LakeCatalog open(LakeConfig config, S3Connection s3) throws IOException {
    Map<String, String> props = new HashMap<>();
    if (s3 != null) {
      props.putAll(s3.fileIoProperties());
    }
    String warehouse = defaultWarehouse(config);
    Catalog catalog;
    // Java 17: instanceof chains stand in for a pattern switch over the sealed Catalog type.
    if (config.catalog() instanceof LakeConfig.Catalog.Nessie n) {
      props.put(CatalogProperties.URI, n.uri().toString());
      props.put("ref", n.ref());
      props.put("client-api-version", "2");
      props.put(
          CatalogProperties.WAREHOUSE_LOCATION, n.warehouse() != null ? n.warehouse() : warehouse);
      NessieCatalog nessie = new NessieCatalog();
      nessie.setConf(new Configuration());
      nessie.initialize("icegate", props);
      catalog = nessie;
    } else if (config.catalog() instanceof LakeConfig.Catalog.Rest r) {
      props.putAll(r.properties());
      props.put(CatalogProperties.URI, r.uri().toString());
      if (r.warehouse() != null) {
        props.put(CatalogProperties.WAREHOUSE_LOCATION, r.warehouse());
      }
      RESTCatalog rest = new RESTCatalog();
      rest.setConf(new Configuration());
      rest.initialize("icegate", props);
      catalog = rest;
    } else {
      props.put(
          CatalogProperties.URI,
          "jdbc:sqlite:" + config.dataDir().resolve("catalog.db").toAbsolutePath());
      props.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
      props.put("jdbc.schema-version", "V1");
      JdbcCatalog jdbc = new JdbcCatalog();
      jdbc.setConf(new Configuration());
      jdbc.initialize("icegate", props);
      catalog = jdbc;
    }
    try {
      return new LakeCatalog(catalog, ensureTables(catalog));
    } catch (RuntimeException e) {
      closeQuietly(catalog);
      throw e;
    }
  }

  /** Where tables go unless the catalog decides: under the data dir, or the bucket's prefix. */
  private static String defaultWarehouse(LakeConfig config) throws IOException {
    if (config.storage() instanceof LakeConfig.Storage.S3 s3) {
      return s3.uri("warehouse");
    }
    Path warehouse = config.dataDir().resolve("warehouse");
    Files.createDirectories(warehouse);
    return warehouse.toAbsolutePath().toUri().toString();
  }

  private static Map<String, Table> ensureTables(Catalog catalog) {
    if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(NAMESPACE)) {
      try {
        namespaces.createNamespace(NAMESPACE);
      } catch (AlreadyExistsException e) {
        // Another replica created it first.
      }
    }
    Map<String, Table> tables = new LinkedHashMap<>();
    for (TableDefinition definition : LakeTables.ALL) {
      tables.put(definition.name(), ensureTable(catalog, definition));
    }
    return tables;
  }

  private static Table ensureTable(Catalog catalog, TableDefinition definition) {
    TableIdentifier id = TableIdentifier.of(NAMESPACE, definition.name());
    if (catalog.tableExists(id)) {
      return SeedTables.adopt(catalog.loadTable(id), definition);
    }
    try {
      Table table = SeedTables.create(catalog, id, definition);
      LOG.info("created table {} at {}", id, table.location());
      return table;
    } catch (AlreadyExistsException e) {
      return SeedTables.adopt(catalog.loadTable(id), definition);
    }
  }

  /**
   * One cheap call the catalog must answer, touching no object storage: does the lake's
   * namespace exist (Nessie: one content lookup; JDBC: one query; REST: one HEAD). Throws if the
   * catalog cannot be reached. The answer itself does not matter, only that there was one.
   */
  public void probe() {
    if (catalog instanceof SupportsNamespaces namespaces) {
      namespaces.namespaceExists(NAMESPACE);
    } else {
      catalog.listTables(NAMESPACE);
    }
  }

  /** The {@code logs} table. */
  public Table logs() {
    return table(LogsTable.NAME);
  }

  /** The lake's table called {@code name} (see {@link LakeTables}). */
  public Table table(String name) {
    Table table = tables.get(name);
    if (table == null) {
      throw new IllegalArgumentException("unknown table " + name);
    }
    return table;
  }

  private static void closeQuietly(Catalog catalog) {
    if (catalog instanceof Closeable c) {
      try {
        c.close();
      } catch (IOException | RuntimeException e) {
        LOG.warn("closing the catalog failed", e);
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (catalog instanceof Closeable c) {
      c.close();
    }
  }
}
