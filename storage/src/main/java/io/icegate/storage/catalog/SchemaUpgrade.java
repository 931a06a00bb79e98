package io.icegate.storage.catalog;

import io.icegate.storage.table.TableDefinition;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a table an older IceGate created up to its {@link TableDefinition} on open: each
 * top-level column of the definition the table lacks (by name) is added, optional, with Iceberg's
 * {@code updateSchema().addColumn}. Data files and WAL segments written before have no such column
 * and read it as null (Iceberg resolves columns by field id; our readers do the same).
 *
 * <p>Idempotent: a table that has every column is not touched (no commit). Several replicas may
 * open the lake at once: a commit that loses the race fails with {@link CommitFailedException},
 * and the table is read again and only what is still missing is added, so the columns are added
 * once whoever wins. Added columns get fresh ids from the table's last column id, in the
 * definition's order; a table whose last id is the one before the definition's new columns (every
 * table we created with our ids) gets exactly the definition's ids.
 *
 * <p>Only additions are made: a column of the table the definition lacks is kept, a column whose
 * type differs is left alone (the seed adoption in {@link SeedTables} handles the seed's), and
 * fields missing inside nested types are not added.
 */
public final class SchemaUpgrade {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaUpgrade.class);
  private static final int ATTEMPTS = 5;

  private SchemaUpgrade() {}

  /** The top-level columns of {@code definition} that {@code table} has no column named as. */
  public static List<Types.NestedField> missingColumns(Table table, TableDefinition definition) {
    List<Types.NestedField> missing = new ArrayList<>();
    for (Types.NestedField column : definition.schema().columns()) {
      if (table.schema().findField(column.name()) == null) {
        missing.add(column);
      }
    }
    return missing;
  }

  /**
   * Adds {@code definition}'s columns that {@code table} lacks, in one commit; returns the table
   * (refreshed when something was added). Retries a lost commit race a few times.
   */
  public static Table addMissingColumns(Table table, TableDefinition definition) {
    for (int attempt = 1; ; attempt++) {
      List<Types.NestedField> missing = missingColumns(table, definition);
      if (missing.isEmpty()) {
        return table;
      }
      try {
        UpdateSchema update = table.updateSchema();
        for (Types.NestedField column : missing) {
          update.addColumn(column.name(), column.type(), column.doc());
        }
        update.commit();
        table.refresh();
        LOG.info(
            "table {}: added the columns {} (field ids {})",
            definition.name(),
            missing.stream().map(Types.NestedField::name).toList(),
            missing.stream().map(c -> table.schema().findField(c.name()).fieldId()).toList());
        return table;
      } catch (CommitFailedException e) {
        // Another replica changed the table at the same time (most likely adding the same
        // columns): read it again and add only what is still missing.
        if (attempt == ATTEMPTS) {
          throw e;
        }
        table.refresh();
      }
    }
  }
}
