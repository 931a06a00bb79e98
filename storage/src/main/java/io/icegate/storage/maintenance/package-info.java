/**
 * Table maintenance: what keeps a lake that is written every minute from growing without bound —
 * snapshot expiry (Iceberg's {@code ExpireSnapshots}), removal of files no snapshot references
 * (orphans of killed compactions and backfills, metadata files beyond the kept log) and of WAL
 * segments compacted longer ago than any query runs. Run by the compaction lease holder.
 */
package io.icegate.storage.maintenance;
