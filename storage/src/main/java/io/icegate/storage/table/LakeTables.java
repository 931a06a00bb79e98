package io.icegate.storage.table;

import java.util.List;

/**
 * The lake's four tables, one per signal (DESIGN §3). Kept apart from {@link TableDefinition} so
 * that no table class's initialisation waits on another's.
 */
public final class LakeTables {
  /** In the order the catalog creates them. */
  public static final List<TableDefinition> ALL =
      List.of(
          LogsTable.DEFINITION, SpansTable.DEFINITION, MetricsTable.DEFINITION,
          EventsTable.DEFINITION);

  private LakeTables() {}

  /** The table called {@code name}. */
  public static TableDefinition named(String name) {
    for (TableDefinition table : ALL) {
      if (table.name().equals(name)) {
        return table;
      }
    }
    throw new IllegalArgumentException("unknown table " + name);
  }
}
