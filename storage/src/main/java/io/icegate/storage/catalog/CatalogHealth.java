package io.icegate.storage.catalog;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the catalog answers, as last seen — so ingest can refuse with "retry later" while it
 * does not (issue 4: a catalog that is down makes ingest answer 503) without a catalog round trip
 * per request. Reading it ({@link #up()}) is a volatile read.
 *
 * <p>The state is set by a probe — one cheap catalog call that touches no object storage (the
 * lake's namespace exists?) — run on its own thread every {@code interval}, and at once when a
 * catalog operation elsewhere fails ({@link #failed}): a table refresh or a compaction may fail
 * for the object store's sake too, so a failure only asks the probe to look. An operation that
 * reached the catalog and succeeded (a compaction's commit) marks it up ({@link #succeeded}).
 */
public final class CatalogHealth implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogHealth.class);

  /** One catalog call; throws if the catalog did not answer. */
  @FunctionalInterface
  public interface Probe {
    void check() throws Exception;
  }

  private final Probe probe;
  private final Duration interval;
  private final ScheduledExecutorService prober;
  private final AtomicBoolean probeQueued = new AtomicBoolean();
  private volatile boolean up = true;
  private volatile String lastError;
  private volatile long downSinceMillis;

  private CatalogHealth(Probe probe, Duration interval, String name) {
    this.probe = probe;
    this.interval = interval;
    this.prober =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "catalog-probe " + name);
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts probing with {@code probe} every {@code interval}. */
  public static CatalogHealth start(Probe probe, Duration interval, String name) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("the probe interval must be positive");
    }
    CatalogHealth health = new CatalogHealth(probe, interval, name);
    long every = interval.toMillis();
    health.prober.scheduleWithFixedDelay(health::probeOnce, every, every, TimeUnit.MILLISECONDS);
    return health;
  }

  /** False once a probe found the catalog unreachable, until a probe or an operation succeeds. */
  public boolean up() {
    return up;
  }

  /** Why the catalog was last found unreachable (null while up). */
  public String lastError() {
    return up ? null : lastError;
  }

  /** When it went down, epoch millis (0 while up). */
  public long downSinceMillis() {
    return up ? 0 : downSinceMillis;
  }

  /** How often the probe runs: how stale {@link #up()} may be. */
  public Duration interval() {
    return interval;
  }

  /** A catalog operation failed: probe now (on the probe's thread), unless a probe is queued. */
  public void failed(Throwable cause) {
    LOG.debug("catalog operation failed, probing: {}", cause.toString());
    if (probeQueued.compareAndSet(false, true)) {
      try {
        prober.execute(
            () -> {
              probeQueued.set(false);
              probeOnce();
            });
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        probeQueued.set(false);
      }
    }
  }

  /** A catalog operation reached the catalog and succeeded. */
  public void succeeded() {
    markUp();
  }

  /** Probes now, on the caller's thread; the state after it. */
  public boolean probeNow() {
    probeOnce();
    return up;
  }

  private void probeOnce() {
    try {
      probe.check();
      markUp();
    } catch (Exception | LinkageError e) {
      markDown(e);
    }
  }

  private void markUp() {
    if (!up) {
      LOG.info(
          "catalog reachable again after {} ms", System.currentTimeMillis() - downSinceMillis);
    }
    up = true;
  }

  private void markDown(Throwable e) {
    lastError = e.toString();
    if (up) {
      downSinceMillis = System.currentTimeMillis();
      LOG.warn("catalog unreachable: {}", e.toString());
    }
    up = false;
  }

  @Override
  public void close() {
    prober.shutdownNow();
  }
}
