package io.icegate.storage.catalog;

import io.icegate.storage.table.TableDefinition;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.BaseTransaction;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the seed system's on-disk contract: tables are created with the field ids our {@link
 * TableDefinition}s give (the seed's, shared/reference/icegate/NOTES.md §1), not renumbered by
 * the catalog, and a table the seed's Rust IceGate created is adopted on first open — its
 * microsecond timestamps become {@code timestamp_ns} under the same field ids, our added columns
 * join as optional, and the data files it wrote stay where they are and stay readable.
 *
 * <p>Adoption is two commits. The first replaces the schema (format v3, same ids) and marks the
 * table {@value #PENDING}; the second rewrites the manifest entries of the seed's files so their
 * timestamp lower/upper bounds are nanoseconds too (Iceberg reads bounds in the column's current
 * unit; microsecond bounds read as nanoseconds would prune every file from a time-range scan)
 * and clears the mark, atomically. A crash between the two leaves the mark, and the next open
 * finishes the second step. The files' contents are converted when read ({@code
 * ParquetArrowReader} scales a column Parquet annotates as microseconds; Iceberg's row reader
 * converts by annotation itself).
 *
 * <p>The first commit also sets {@value #BACKFILL_PENDING} on a table with data: the seed's
 * files lack the columns our ingest derives, and compaction rewrites them once (see {@code
 * compaction.SeedBackfill}).
 */
public final class SeedTables {
  private static final Logger LOG = LoggerFactory.getLogger(SeedTables.class);

  /**
   * Table property present while an adopted table's old files still have microsecond bounds:
   * {@code <snapshot id at adoption or none>;<promoted field ids>}.
   */
  public static final String PENDING = "icegate.seed-adoption.pending";

  /**
   * Table property present while the seed's data files still lack the columns our ingest
   * derives (logs' stream labels, metrics' Prometheus name and series, spans' nanosecond
   * duration): {@code <snapshot id at adoption>}. Set by adoption when the table has data;
   * {@code compaction.SeedBackfill} rewrites those files and removes it.
   */
  public static final String BACKFILL_PENDING = "icegate.seed-backfill.pending";

  private SeedTables() {}

  /**
   * Creates {@code definition}'s table keeping its field ids. Catalogs built on table
   * operations (embedded JDBC, Nessie) commit our metadata as given; a REST catalog creates the
   * table on its server, which assigns ids itself, so there the ids are the server's.
   */
  static Table create(Catalog catalog, TableIdentifier id, TableDefinition definition) {
    Transaction created =
        catalog
            .buildTable(id, definition.schema())
            .withPartitionSpec(definition.spec())
            .withSortOrder(definition.sortOrder())
            .withProperties(definition.properties())
            .createTransaction();
    if (catalog instanceof RESTCatalog || !(created instanceof BaseTransaction base)) {
      created.commitTransaction();
      return catalog.loadTable(id);
    }
    Map<String, String> properties = new HashMap<>(definition.properties());
    int formatVersion =
        Integer.parseInt(properties.getOrDefault(TableProperties.FORMAT_VERSION, "2"));
    properties.remove(TableProperties.FORMAT_VERSION);
    Schema schema = definition.schema();
    TableMetadata metadata =
        TableMetadata.buildFromEmpty(formatVersion)
            .assignUUID()
            .setLocation(base.currentMetadata().location())
            .setCurrentSchema(schema, schema.highestFieldId())
            .setDefaultPartitionSpec(definition.spec())
            .setDefaultSortOrder(definition.sortOrder())
            .setProperties(properties)
            .build();
    base.underlyingOps().commit(null, metadata);
    return catalog.loadTable(id);
  }

  /** True for a table whose time column is the seed's microsecond {@code timestamp}. */
  static boolean isSeedTable(Table table) {
    Types.NestedField time = table.schema().findField(TableDefinition.TIMESTAMP);
    return time != null && time.type() instanceof Types.TimestampType;
  }

  /**
   * Adopts a seed table (see the class comment) or finishes an interrupted adoption; leaves any
   * other table as it is. Fails, changing nothing, when a column of ours and one of the seed's
   * share a field id but not a name and type — reading the seed's files under our schema would
   * then misread them.
   */
  static Table adopt(Table table, TableDefinition definition) {
    for (int attempt = 1; ; attempt++) {
      try {
        if (isSeedTable(table)) {
          replaceSchema(table, definition);
          table.refresh();
        }
        String pending = table.properties().get(PENDING);
        if (pending != null) {
          rescaleBounds(table, pending);
          table.refresh();
        }
        return table;
      } catch (CommitFailedException | ValidationException e) {
        // Another replica adopting the same table at the same time: look again.
        if (attempt == 3) {
          throw e;
        }
        table.refresh();
      }
    }
  }

  private static void replaceSchema(Table table, TableDefinition definition) {
    TableOperations ops = ((HasTableOperations) table).operations();
    TableMetadata base = ops.current();
    Schema seed = base.schema();
    Set<Integer> retired = retiredIds(base, seed);
    Set<Integer> promoted = new HashSet<>();
    List<Types.NestedField> columns = new ArrayList<>();
    Set<Integer> ours = new HashSet<>();
    for (Types.NestedField field : definition.schema().columns()) {
      ours.add(field.fieldId());
      Types.NestedField old = seed.findField(field.fieldId());
      if (old == null) {
        if (retired.contains(field.fieldId())) {
          throw incompatible(definition, field, "its field id is one the seed retired");
        }
        // Old files don't have it: optional, whatever new rows carry.
        columns.add(field.asOptional());
        continue;
      }
      Type oldType = nanosOf(old.type(), old.fieldId(), promoted);
      Type type = field.type();
      if (!oldType.equals(type) && loosen(oldType).equals(loosen(type))) {
        // Same ids, names and types, but nested requiredness differs: the looser one holds both.
        type = loosen(type);
      }
      if (!old.name().equals(field.name()) || !oldType.equals(type) && !loosen(oldType).equals(type)) {
        throw incompatible(
            definition, field, "the seed has " + old.name() + " " + old.type() + " there");
      }
      columns.add(
          old.isOptional() || field.isOptional()
              ? Types.NestedField.optional(field.fieldId(), field.name(), type, field.doc())
              : Types.NestedField.required(field.fieldId(), field.name(), type, field.doc()));
    }
    for (Types.NestedField field : seed.columns()) {
      if (!ours.contains(field.fieldId())) {
        // A seed column we no longer write (e.g. spans' duration_micros): kept, so its data stays.
        columns.add(
            Types.NestedField.optional(
                field.fieldId(), field.name(), nanosOf(field.type(), field.fieldId(), promoted),
                field.doc()));
      }
    }
    Schema adopted = new Schema(columns);
    Map<String, String> properties = new HashMap<>(definition.properties());
    properties.remove(TableProperties.FORMAT_VERSION);
    // The seed's files are the ones in the current snapshot; files committed later are ours.
    properties.put(
        PENDING,
        (base.currentSnapshot() == null ? "none" : base.currentSnapshot().snapshotId()) + ";"
            + joinIds(promoted));
    if (base.currentSnapshot() != null) {
      properties.put(BACKFILL_PENDING, Long.toString(base.currentSnapshot().snapshotId()));
    }
    TableMetadata.Builder next = TableMetadata.buildFrom(base);
    if (base.formatVersion() < 3) {
      next.upgradeFormatVersion(3);
    }
    TableMetadata updated =
        next.setCurrentSchema(adopted, Math.max(base.lastColumnId(), adopted.highestFieldId()))
            .setDefaultSortOrder(definition.sortOrder())
            .setProperties(properties)
            .build();
    ops.commit(base, updated);
    LOG.info(
        "adopted the seed's table {}: timestamps now nanoseconds (field ids {}), {} columns",
        definition.name(), promoted, adopted.columns().size());
  }

  /** Ids that earlier schemas of the table used and its current schema no longer has. */
  private static Set<Integer> retiredIds(TableMetadata base, Schema current) {
    Set<Integer> ids = new HashSet<>();
    for (Schema s : base.schemas()) {
      for (Integer id : org.apache.iceberg.types.TypeUtil.indexById(s.asStruct()).keySet()) {
        if (current.findField(id) == null) {
          ids.add(id);
        }
      }
    }
    return ids;
  }

  /** {@code type} with every nested field, list element and map value optional. */
  private static Type loosen(Type type) {
    if (type instanceof Types.StructType struct) {
      List<Types.NestedField> fields = new ArrayList<>();
      for (Types.NestedField f : struct.fields()) {
        fields.add(Types.NestedField.optional(f.fieldId(), f.name(), loosen(f.type()), f.doc()));
      }
      return Types.StructType.of(fields);
    }
    if (type instanceof Types.ListType list) {
      return Types.ListType.ofOptional(list.elementId(), loosen(list.elementType()));
    }
    if (type instanceof Types.MapType map) {
      return Types.MapType.ofOptional(
          map.keyId(), map.valueId(), map.keyType(), loosen(map.valueType()));
    }
    return type;
  }

  /** {@code type} with every microsecond timestamp made nanoseconds; their ids into {@code ids}. */
  private static Type toNanos(Type type, Set<Integer> ids) {
    if (type instanceof Types.StructType struct) {
      List<Types.NestedField> fields = new ArrayList<>();
      for (Types.NestedField f : struct.fields()) {
        Type t = f.type();
        if (t instanceof Types.TimestampType ts) {
          ids.add(f.fieldId());
          t = ts.shouldAdjustToUTC()
              ? Types.TimestampNanoType.withZone()
              : Types.TimestampNanoType.withoutZone();
        } else {
          t = toNanos(t, ids);
        }
        fields.add(
            f.isOptional()
                ? Types.NestedField.optional(f.fieldId(), f.name(), t, f.doc())
                : Types.NestedField.required(f.fieldId(), f.name(), t, f.doc()));
      }
      return Types.StructType.of(fields);
    }
    if (type instanceof Types.ListType list) {
      Type element = nanosOf(list.elementType(), list.elementId(), ids);
      return list.isElementOptional()
          ? Types.ListType.ofOptional(list.elementId(), element)
          : Types.ListType.ofRequired(list.elementId(), element);
    }
    if (type instanceof Types.MapType map) {
      Type key = nanosOf(map.keyType(), map.keyId(), ids);
      Type value = nanosOf(map.valueType(), map.valueId(), ids);
      return map.isValueOptional()
          ? Types.MapType.ofOptional(map.keyId(), map.valueId(), key, value)
          : Types.MapType.ofRequired(map.keyId(), map.valueId(), key, value);
    }
    return type;
  }

  private static Type nanosOf(Type type, int id, Set<Integer> ids) {
    if (type instanceof Types.TimestampType ts) {
      ids.add(id);
      return ts.shouldAdjustToUTC()
          ? Types.TimestampNanoType.withZone()
          : Types.TimestampNanoType.withoutZone();
    }
    return toNanos(type, ids);
  }

  /**
   * Second step: every data file of the snapshot current at adoption (the seed's files) gets
   * its bounds for the promoted field ids multiplied by 1000; the mark goes in the same commit.
   * Files committed after adoption are ours, in nanoseconds already, and are left alone.
   */
  private static void rescaleBounds(Table table, String pending) {
    int split = pending.indexOf(';');
    String snapshot = pending.substring(0, split);
    Set<Integer> ids = parseIds(pending.substring(split + 1));
    Transaction tx = table.newTransaction();
    if (!snapshot.equals("none")) {
      List<DataFile> old = new ArrayList<>();
      List<DataFile> rescaled = new ArrayList<>();
      Set<String> live = new HashSet<>();
      try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
        tasks.forEach(task -> live.add(task.file().location()));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      try (CloseableIterable<FileScanTask> tasks =
          table.newScan().useSnapshot(Long.parseLong(snapshot)).includeColumnStats().planFiles()) {
        for (FileScanTask task : tasks) {
          DataFile file = task.file();
          if (!live.contains(file.location())) {
            continue; // rewritten since, by a maintenance job: gone from the table
          }
          old.add(file);
          rescaled.add(
              DataFiles.builder(table.specs().get(file.specId()))
                  .copy(file)
                  .withMetrics(
                      new Metrics(
                          file.recordCount(),
                          file.columnSizes(),
                          file.valueCounts(),
                          file.nullValueCounts(),
                          file.nanValueCounts(),
                          times1000(file.lowerBounds(), ids),
                          times1000(file.upperBounds(), ids)))
                  .build());
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      if (!old.isEmpty()) {
        RewriteFiles rewrite = tx.newRewrite();
        old.forEach(rewrite::deleteFile);
        rescaled.forEach(rewrite::addFile);
        rewrite.commit();
      }
    }
    tx.updateProperties().remove(PENDING).commit();
    tx.commitTransaction();
  }

  private static Map<Integer, ByteBuffer> times1000(Map<Integer, ByteBuffer> bounds, Set<Integer> ids) {
    if (bounds == null) {
      return null;
    }
    Map<Integer, ByteBuffer> out = new HashMap<>(bounds);
    for (Integer id : ids) {
      ByteBuffer b = bounds.get(id);
      if (b != null && b.remaining() == Long.BYTES) {
        long micros = b.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong();
        out.put(
            id,
            ByteBuffer.allocate(Long.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(0, Math.multiplyExact(micros, 1000L)));
      }
    }
    return out;
  }

  private static String joinIds(Set<Integer> ids) {
    StringBuilder s = new StringBuilder();
    for (Integer id : new java.util.TreeSet<>(ids)) {
      if (s.length() > 0) {
        s.append(',');
      }
      s.append(id);
    }
    return s.toString();
  }

  private static Set<Integer> parseIds(String text) {
    Set<Integer> ids = new HashSet<>();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        ids.add(Integer.parseInt(part.trim()));
      }
    }
    return ids;
  }

  private static IllegalStateException incompatible(
      TableDefinition definition, Types.NestedField field, String why) {
    return new IllegalStateException(
        "table " + definition.name() + " was written by another version and cannot be adopted:"
            + " column " + field.name() + " (field id " + field.fieldId() + "): " + why);
  }
}
