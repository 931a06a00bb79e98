package io.icegate.storage;

import io.icegate.protocol.prometheus.RemoteWriteRequest;
import io.icegate.storage.table.MetricsTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.BaseTransaction;
import org.apache.iceberg.NullOrder;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;

/**
 * The {@code metrics} table as IceGate created it before the float-count columns: the field list
 * of that version (ids 1–63, the columns up to {@code scope_version}), with our spec, sort order
 * and properties and the ids kept, as {@code SeedTables.create} commits it.
 */
final class OldMetricsTable {
  static final Namespace NAMESPACE = Namespace.of("icegate");

  /** The columns that version had: every one of ours up to id 63. */
  static final Schema SCHEMA = new Schema(oldColumns());

  /** The float-count columns that version lacked, by name. */
  static final List<String> NEW_COLUMNS =
      List.of(
          MetricsTable.COUNT_DOUBLE,
          MetricsTable.ZERO_COUNT_DOUBLE,
          MetricsTable.BUCKET_COUNTS_DOUBLE,
          MetricsTable.POSITIVE_BUCKET_COUNTS_DOUBLE,
          MetricsTable.NEGATIVE_BUCKET_COUNTS_DOUBLE);

  private OldMetricsTable() {}

  private static List<Types.NestedField> oldColumns() {
    List<Types.NestedField> columns = new ArrayList<>();
    for (Types.NestedField column : MetricsTable.SCHEMA.columns()) {
      if (column.fieldId() <= 63) {
        columns.add(column);
      }
    }
    return columns;
  }

  /** Creates the old table in {@code catalog} (and the namespace if needed). */
  static Table create(Catalog catalog) {
    if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(NAMESPACE)) {
      namespaces.createNamespace(NAMESPACE);
    }
    TableIdentifier id = TableIdentifier.of(NAMESPACE, MetricsTable.NAME);
    BaseTransaction create =
        (BaseTransaction)
            catalog.buildTable(id, SCHEMA)
                .withProperties(MetricsTable.DEFINITION.properties())
                .createTransaction();
    Map<String, String> properties = new HashMap<>(MetricsTable.DEFINITION.properties());
    properties.remove(TableProperties.FORMAT_VERSION);
    TableMetadata metadata =
        TableMetadata.buildFromEmpty(3)
            .assignUUID()
            .setLocation(create.currentMetadata().location())
            .setCurrentSchema(SCHEMA, SCHEMA.highestFieldId())
            .setDefaultPartitionSpec(
                PartitionSpec.builderFor(SCHEMA)
                    .identity(MetricsTable.TENANT_ID)
                    .day(MetricsTable.TIMESTAMP, "timestamp_day")
                    .build())
            .setDefaultSortOrder(
                SortOrder.builderFor(SCHEMA)
                    .asc(MetricsTable.METRIC_NAME, NullOrder.NULLS_FIRST)
                    .asc(MetricsTable.SERIES_ID, NullOrder.NULLS_FIRST)
                    .asc(MetricsTable.TIMESTAMP, NullOrder.NULLS_FIRST)
                    .build())
            .setProperties(properties)
            .build();
    create.underlyingOps().commit(null, metadata);
    return catalog.loadTable(id);
  }

  /** {@code batch} (a metrics batch of this version) without the columns the old one lacked. */
  static VectorSchemaRoot withoutNewColumns(VectorSchemaRoot batch) {
    List<FieldVector> kept = new ArrayList<>();
    for (FieldVector vector : batch.getFieldVectors()) {
      if (NEW_COLUMNS.contains(vector.getName())) {
        vector.close();
      } else {
        kept.add(vector);
      }
    }
    VectorSchemaRoot old = new VectorSchemaRoot(kept);
    old.setRowCount(batch.getRowCount());
    return old;
  }

  /** An integer native histogram, schema 0: count 3, buckets 1 (count 1) and 2 (count 2). */
  static RemoteWriteRequest.Histogram integerHistogram(long millis) {
    return new RemoteWriteRequest.Histogram(
        false, 3, 0, 6.0, 0, 0.001, 0, 0, List.of(), new long[0], new double[0],
        List.of(new RemoteWriteRequest.BucketSpan(1, 2)), new long[] {1, 1}, new double[0],
        RemoteWriteRequest.ResetHint.UNKNOWN, millis, new double[0]);
  }

  /**
   * A float histogram, schema 0, with fractional counts: count 1.5, zero count 0.25, buckets 1
   * (0.5) and 2 (0.75).
   */
  static RemoteWriteRequest.Histogram fractionalHistogram(long millis) {
    return new RemoteWriteRequest.Histogram(
        true, 0, 1.5, 2.25, 0, 0.001, 0, 0.25, List.of(), new long[0], new double[0],
        List.of(new RemoteWriteRequest.BucketSpan(1, 2)), new long[0], new double[] {0.5, 0.75},
        RemoteWriteRequest.ResetHint.GAUGE, millis, new double[0]);
  }

  /** One series {@code name{job="api"}} with {@code histograms}. */
  static RemoteWriteRequest request(String name, RemoteWriteRequest.Histogram... histograms) {
    return new RemoteWriteRequest(
        List.of(new RemoteWriteRequest.TimeSeries(
            List.of(new RemoteWriteRequest.Label("__name__", name),
                new RemoteWriteRequest.Label("job", "api")),
            List.of(), List.of(), List.of(histograms))),
        List.of());
  }
}
