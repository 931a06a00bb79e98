package io.icegate.storage.ingest;

import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * What a batch builder made of a request: the batch of accepted rows (owned by the caller, who
 * hands it to the WAL or closes it) and what was rejected — the count and the distinct reasons,
 * for the OTLP partial-success answer ({@code rejected_spans}/{@code rejected_data_points} and
 * {@code error_message}). A rejected record is left out whole; nothing of it is in the batch.
 *
 * @param reasons the distinct reasons, in the order first met, at most {@link #MAX_REASONS}
 */
public record BatchResult(VectorSchemaRoot batch, int rejected, List<String> reasons) {
  public static final int MAX_REASONS = 16;

  public BatchResult {
    reasons = List.copyOf(reasons);
  }

  /** The first reason, or null if nothing was rejected: the partial-success error message. */
  public String rejectionMessage() {
    return reasons.isEmpty() ? null : reasons.get(0);
  }
}
