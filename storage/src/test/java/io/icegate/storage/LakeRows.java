package io.icegate.storage;

import static io.icegate.storage.OtlpLogs.line;
import static io.icegate.storage.OtlpLogs.request;

import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.scan.ScanRequest;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.wal.RequestFingerprint;
import io.icegate.storage.wal.WalSegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.io.CloseableIterator;

/** Small fixtures: append one log line to a lake, read a tenant's bodies back. */
final class LakeRows {
  private LakeRows() {}

  /** Appends one line and waits for its ack; {@code key} is an idempotency key or null. */
  static WalSegment append(
      Lake lake, BufferAllocator allocator, String tenant, String service, long ts, String body,
      String key) throws Exception {
    var built = LogsBatchBuilder.build(request(service, line(ts, body)), tenant, ts, allocator);
    String fingerprint = key == null ? null : RequestFingerprint.ofKey(tenant, "logs", key);
    return lake.logsWal().append(tenant, built.batch(), fingerprint).get();
  }

  static ScanRequest everything(String tenant) {
    return new ScanRequest(
        LogsTable.NAME, tenant, Long.MIN_VALUE, Long.MAX_VALUE, List.of(LogsTable.BODY));
  }

  /** Every body the tenant's scan returns, in scan order. */
  static List<String> bodies(Lake lake, BufferAllocator allocator, String tenant)
      throws Exception {
    List<String> out = new ArrayList<>();
    try (CloseableIterator<VectorSchemaRoot> it =
        lake.scanner().open(everything(tenant), allocator)) {
      while (it.hasNext()) {
        try (VectorSchemaRoot batch = it.next()) {
          VarCharVector body = (VarCharVector) batch.getVector(LogsTable.BODY);
          for (int i = 0; i < batch.getRowCount(); i++) {
            out.add(new String(body.get(i), StandardCharsets.UTF_8));
          }
        }
      }
    }
    return out;
  }
}
