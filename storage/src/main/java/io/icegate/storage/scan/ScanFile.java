package io.icegate.storage.scan;

import org.apache.iceberg.io.InputFile;

/** One Parquet file a scan reads: a committed Iceberg data file or a WAL segment. */
public record ScanFile(InputFile file, long bytes, boolean wal) {}
