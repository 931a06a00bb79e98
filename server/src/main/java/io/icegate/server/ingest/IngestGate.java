package io.icegate.server.ingest;

import io.icegate.storage.catalog.CatalogHealth;
import java.time.Duration;

/**
 * Refuses ingest, before anything is built or stored, while the catalog is known to be down
 * ({@code ingest_requires_catalog}, issue 4: "a catalog or object store that is down makes ingest
 * answer 503 with Retry-After"). The WAL itself needs only the object store, but a lake whose
 * catalog is gone cannot compact, so what it acknowledged would pile up in the WAL for an outage
 * of unknown length; refusing hands the backlog to the clients' retry queues instead, as an
 * object-store outage does. The state is {@link CatalogHealth}'s cached one (a volatile read, no
 * catalog round trip per request); every protocol answers the refusal in its own "retry later"
 * shape (503 + Retry-After, gRPC UNAVAILABLE + RetryInfo).
 */
public final class IngestGate {
  /** Never refuses: the catalog is not required (or not known). */
  public static final IngestGate OPEN = new IngestGate(null);

  private final CatalogHealth catalog;

  /** Refuses while {@code catalog} is down; null never refuses. */
  public IngestGate(CatalogHealth catalog) {
    this.catalog = catalog;
  }

  /** Throws {@link IngestException} ({@code UNAVAILABLE}) while the catalog is known down. */
  public void check() {
    if (catalog != null && !catalog.up()) {
      // By the time the client retries, the probe has looked again.
      Duration retry = catalog.interval().compareTo(WalAppender.RETRY) > 0
          ? catalog.interval()
          : WalAppender.RETRY;
      throw new IngestException(
          IngestException.Kind.UNAVAILABLE,
          "the catalog is unreachable, so nothing is accepted for now; retry later", retry);
    }
  }
}
