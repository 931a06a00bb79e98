/**
 * Storage: the Iceberg tables and their catalog, the Parquet write-ahead log with group commit,
 * and the scan that reads a table as Arrow batches (today the WAL; WAL ∪ Iceberg with the
 * storage issue). Depends only on {@code protocol}.
 */
package io.icegate.storage;
