package io.icegate.storage.catalog;

import io.icegate.storage.LakeConfig;
import io.icegate.storage.objectstore.S3Connection;
import io.icegate.storage.table.LakeTables;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.table.TableDefinition;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.StaticTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NotFoundException;
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
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient NESSIE_HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private final Catalog catalog;
  private final Map<String, Table> tables;
  private final LakeConfig.Catalog.Nessie nessie; // null for the other catalogs

  private LakeCatalog(
      Catalog catalog, Map<String, Table> tables, LakeConfig.Catalog.Nessie nessie) {
    this.catalog = catalog;
    this.tables = Map.copyOf(tables);
    this.nessie = nessie;
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
      return new LakeCatalog(
          catalog, ensureTables(catalog),
          config.catalog() instanceof LakeConfig.Catalog.Nessie n ? n : null);
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
      return upgrade(catalog.loadTable(id), definition);
    }
    try {
      Table table = SeedTables.create(catalog, id, definition);
      LOG.info("created table {} at {}", id, table.location());
      return table;
    } catch (AlreadyExistsException e) {
      return upgrade(catalog.loadTable(id), definition);
    }
  }

  /**
   * A table that existed before this open: the seed's adopted, then the columns an older
   * IceGate did not have added (before the WAL writer takes the table's schema).
   */
  private static Table upgrade(Table table, TableDefinition definition) {
    return SchemaUpgrade.addMissingColumns(SeedTables.adopt(table, definition), definition);
  }

  /**
   * One cheap call the catalog must answer, touching no object storage: does the lake's
   * namespace exist (Nessie: one content lookup; REST: one HEAD). Throws if the catalog cannot
   * be reached. The answer itself does not matter, only that there was one. The embedded
   * catalog is a file in the data directory, not a service that can be down apart from the
   * disk (which fails the WAL first): it is not asked, so its SQLite locks never see a probe.
   */
  public void probe() {
    if (catalog instanceof JdbcCatalog) {
      return;
    }
    if (catalog instanceof SupportsNamespaces namespaces) {
      namespaces.namespaceExists(NAMESPACE);
    } else {
      catalog.listTables(NAMESPACE);
    }
  }

  /**
   * The lake's table {@code name} as each <em>other</em> Nessie branch and tag has it at its
   * head — the files of those tables are not in our branch's metadata, and maintenance must not
   * take them for orphans — or an empty list for the other catalogs (they have one state of a
   * table). A reference whose table lives elsewhere (another location, so none of its files are
   * under ours) is left out without reading its manifests; one whose table metadata file is gone
   * cannot be read by anyone and is left out with a warning.
   *
   * <p>Read through Nessie's REST API v2 ({@code GET /trees}, {@code GET
   * /trees/{ref}@{hash}/contents/{key}}), the API the catalog speaks. Cost: one listing of
   * references, one content lookup per reference, one metadata read per reference that has the
   * table.
   */
  public List<Table> otherReferenceHeads(String name) {
    if (nessie == null) {
      return List.of();
    }
    Table ours = table(name);
    String key = NAMESPACE.level(0) + "." + name;
    List<Table> heads = new ArrayList<>();
    for (JsonNode ref : nessieReferences()) {
      String refName = ref.path("name").asText();
      String hash = ref.path("hash").asText();
      if (ref.path("type").asText().equals("BRANCH") && refName.equals(nessie.ref())) {
        continue; // our own branch: that is the table itself
      }
      JsonNode content =
          nessieGet(
              "trees/" + encode(refName) + "@" + hash + "/contents/" + encode(key), true);
      if (content == null || !content.path("content").path("type").asText().equals(
          "ICEBERG_TABLE")) {
        continue; // the reference went away since the listing, or has no such table
      }
      String metadata = content.path("content").path("metadataLocation").asText();
      Table head;
      try {
        head =
            new BaseTable(
                new StaticTableOperations(metadata, ours.io()),
                NAMESPACE + "." + name + "@" + refName);
        head.properties(); // reads the metadata file
      } catch (NotFoundException e) {
        LOG.warn(
            "table {} on Nessie reference {}: metadata file {} is gone; not protecting its files",
            name, refName, metadata);
        continue;
      }
      heads.add(head);
    }
    return heads;
  }

  /** Every branch and tag (Nessie API v2 {@code GET /trees}, page by page). */
  private List<JsonNode> nessieReferences() {
    List<JsonNode> references = new ArrayList<>();
    String token = null;
    do {
      JsonNode page =
          nessieGet("trees" + (token == null ? "" : "?page-token=" + encode(token)), false);
      page.path("references").forEach(references::add);
      token = page.path("hasMore").asBoolean() ? page.path("token").asText(null) : null;
    } while (token != null);
    return references;
  }

  /** A Nessie API v2 GET; null for a 404 when {@code notFoundIsNull}. */
  private JsonNode nessieGet(String path, boolean notFoundIsNull) {
    String base = nessie.uri().toString();
    URI uri = URI.create(base.endsWith("/") ? base + path : base + "/" + path);
    try {
      HttpResponse<byte[]> answer =
          NESSIE_HTTP.send(
              HttpRequest.newBuilder(uri)
                  .timeout(Duration.ofSeconds(30))
                  .header("Accept", "application/json")
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (answer.statusCode() == 404 && notFoundIsNull) {
        return null;
      }
      if (answer.statusCode() != 200) {
        throw new IllegalStateException(
            "Nessie answered " + answer.statusCode() + " to GET " + uri + ": "
                + new String(answer.body(), StandardCharsets.UTF_8));
      }
      return JSON.readTree(answer.body());
    } catch (IOException e) {
      throw new UncheckedIOException("Nessie GET " + uri + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during Nessie GET " + uri, e);
    }
  }

  private static String encode(String pathPart) {
    return URLEncoder.encode(pathPart, StandardCharsets.UTF_8).replace("+", "%20");
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
