package io.icegate.engine.plan;

import io.icegate.storage.scan.TableScanner;
import java.util.List;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.apache.calcite.tools.FrameworkConfig;
import org.apache.calcite.tools.Frameworks;
import org.apache.calcite.tools.RelBuilder;

/** The Calcite schema {@code icegate} over our tables, and RelBuilders bound to it. */
public final class IceGateCatalog {
  public static final String SCHEMA = "icegate";

  private final FrameworkConfig config;
  private final SchemaPlus schema;

  public IceGateCatalog(TableScanner scanner, List<String> tables) {
    SchemaPlus root = Frameworks.createRootSchema(false);
    SchemaPlus icegate = root.add(SCHEMA, new AbstractSchema());
    for (String table : tables) {
      icegate.add(table, new IcebergCalciteTable(table, scanner.schema(table)));
    }
    this.config = Frameworks.newConfigBuilder().defaultSchema(root).build();
    this.schema = icegate;
  }

  /** The {@code icegate} schema itself: what SQL resolves unqualified table names in. */
  public SchemaPlus schema() {
    return schema;
  }

  /** A fresh builder (and planner cluster) for one query. */
  public RelBuilder relBuilder() {
    return RelBuilder.create(config);
  }
}
