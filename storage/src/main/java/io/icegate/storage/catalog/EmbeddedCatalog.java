package io.icegate.storage.catalog;

import io.icegate.storage.table.LogsTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zero-set-up catalog: Iceberg's JdbcCatalog on an SQLite file inside the data directory,
 * with a local-filesystem warehouse beside it. It persists across restarts and needs no server.
 *
 * <p>SQLite allows one JdbcCatalog per file and process (java-stack-notes.md: a second instance
 * gets SQLITE_BUSY), so the server opens exactly one.
 */
public final class EmbeddedCatalog implements AutoCloseable {
  public static final Namespace NAMESPACE = Namespace.of("icegate");
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCatalog.class);

  private final JdbcCatalog catalog;
  private final Table logs;

  private EmbeddedCatalog(JdbcCatalog catalog, Table logs) {
    this.catalog = catalog;
    this.logs = logs;
  }

  /** Opens the catalog in {@code dataDir}, creating it and the tables on first start. */
  public static EmbeddedCatalog open(Path dataDir) throws IOException {
    Path warehouse = dataDir.resolve("warehouse");
    Files.createDirectories(warehouse);
    JdbcCatalog catalog = new JdbcCatalog();
    catalog.setConf(new Configuration());
    catalog.initialize(
        "icegate",
        Map.of(
            CatalogProperties.URI,
            "jdbc:sqlite:" + dataDir.resolve("catalog.db").toAbsolutePath(),
            CatalogProperties.WAREHOUSE_LOCATION,
            warehouse.toAbsolutePath().toUri().toString(),
            "jdbc.schema-version",
            "V1"));
    if (!catalog.namespaceExists(NAMESPACE)) {
      catalog.createNamespace(NAMESPACE);
    }
    TableIdentifier id = TableIdentifier.of(NAMESPACE, LogsTable.NAME);
    Table logs;
    if (catalog.tableExists(id)) {
      logs = catalog.loadTable(id);
    } else {
      logs =
          catalog
              .buildTable(id, LogsTable.SCHEMA)
              .withPartitionSpec(LogsTable.PARTITION_SPEC)
              .withSortOrder(LogsTable.SORT_ORDER)
              .withProperties(
                  Map.of(
                      TableProperties.FORMAT_VERSION, "3",
                      TableProperties.PARQUET_COMPRESSION, "zstd",
                      TableProperties.DEFAULT_FILE_FORMAT, "parquet"))
              .create();
      LOG.info("created table {} at {}", id, logs.location());
    }
    return new EmbeddedCatalog(catalog, logs);
  }

  public Table logs() {
    return logs;
  }

  @Override
  public void close() throws IOException {
    catalog.close();
  }
}
