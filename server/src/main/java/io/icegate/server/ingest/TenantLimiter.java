package io.icegate.server.ingest;

import io.icegate.server.config.Limits;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Per-tenant ingest rate limiting: one token bucket per tenant, in bytes of OTLP protobuf,
 * refilled at {@code ingestion_rate_bytes} per second up to {@code ingestion_burst_bytes}. A
 * request that does not fit is refused whole (nothing of it stored) with the time after which it
 * would fit, so the client's retry can succeed.
 */
public final class TenantLimiter {
  private final Function<String, Limits> limits;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public TenantLimiter(Function<String, Limits> limits) {
    this.limits = limits;
  }

  /** The limits that apply to {@code tenant}. */
  public Limits limits(String tenant) {
    return limits.apply(tenant);
  }

  /** Takes {@code bytes} from the tenant's bucket, or throws RATE_LIMITED naming the limit. */
  public void acquire(String tenant, long bytes) {
    Limits l = limits.apply(tenant);
    if (l.ingestionRateBytes() <= 0) {
      return;
    }
    Bucket bucket = buckets.computeIfAbsent(tenant, t -> new Bucket(l.ingestionBurstBytes()));
    long waitNanos = bucket.take(bytes, l.ingestionRateBytes(), l.ingestionBurstBytes());
    if (waitNanos == 0) {
      return;
    }
    String message =
        "ingestion rate limit exceeded for tenant '" + tenant + "' (limit ingestion_rate_bytes="
            + l.ingestionRateBytes() + " bytes/s, ingestion_burst_bytes="
            + l.ingestionBurstBytes() + ") while attempting to ingest " + bytes + " bytes";
    if (waitNanos < 0) {
      throw new IngestException(
          IngestException.Kind.RATE_LIMITED,
          message + ": the request is larger than the burst; send smaller batches",
          Duration.ofSeconds(1));
    }
    throw new IngestException(
        IngestException.Kind.RATE_LIMITED, message, Duration.ofNanos(waitNanos));
  }

  /** A token bucket; synchronized per tenant, so tenants never wait for each other. */
  private static final class Bucket {
    private double tokens;
    private long refilledAt = System.nanoTime();

    Bucket(long burst) {
      this.tokens = burst;
    }

    /** 0 if taken; else nanoseconds until it would fit, or -1 if it never can. */
    synchronized long take(long bytes, long rate, long burst) {
      long now = System.nanoTime();
      tokens = Math.min(burst, tokens + (now - refilledAt) * (rate / 1e9));
      refilledAt = now;
      if (bytes > burst) {
        return -1;
      }
      if (tokens >= bytes) {
        tokens -= bytes;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((bytes - tokens) / (rate / 1e9)));
    }
  }
}
