package io.icegate.storage.compaction;

import io.icegate.storage.table.LakeTable;
import io.icegate.storage.wal.ObjectStoreWal;
import io.icegate.storage.wal.WalSegment;
import io.icegate.storage.wal.WalStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves WAL segments into the Iceberg table: reads the oldest segments (a prefix in sequence
 * order, old enough and up to a size bound), sorts their rows by the table's sort order within
 * each partition (tenant, day), writes one data file per partition, commits them as one snapshot
 * that records the highest segment number it contains, and only then retires the segments.
 *
 * <p>Safe to kill at any step: before the commit, nothing is visible (the written files are
 * unreferenced and the segments still serve); after it, the snapshot's mark makes the next start
 * delete the segments it covers, so no row is ever read twice or lost.
 *
 * <p>Several replicas may share one WAL (S3): a run first takes the {@link CompactionLease}
 * (a process that cannot skips the run), and the commit is validated against the snapshot the
 * run started from, so a run whose lease ran out while another started never lands twice.
 *
 * <p>Rows are read, partitioned, sorted and written as Arrow columns ({@link
 * ColumnarCompaction}); a run holds at most {@code maxInputBytes} of compressed segments.
 */
public final class Compactor {
  private static final Logger LOG = LoggerFactory.getLogger(Compactor.class);

  /**
   * What one run did: WAL segments moved (their rows and the files written, the mark reached),
   * and rows of the seed's files rewritten by {@link SeedBackfill}.
   */
  public record Result(int segments, long rows, int files, long compactedThrough, long seedRows) {
    public static final Result NOTHING = new Result(0, 0, 0, -1, 0);

    public Result(int segments, long rows, int files, long compactedThrough) {
      this(segments, rows, files, compactedThrough, 0);
    }
  }

  /**
   * Set to {@code true}, compaction writes through Iceberg's generic writer ({@link
   * RecordCompaction}) instead of the column writer: to compare the two.
   */
  public static final String RECORD_PATH_PROPERTY = "icegate.compaction.records";

  /** Commits of seed files one run makes at most, before it turns to the WAL. */
  static final int SEED_COMMITS_PER_RUN = 8;

  /**
   * When segments are old or many enough to compact, and how much one run takes.
   *
   * @param minAge segments older than this are due
   * @param maxInputBytes how many segment bytes one run takes at most (at least one segment)
   * @param retireGrace how long compacted segments stay readable for queries planned before
   * @param walBytesTrigger when the table's live WAL segments hold at least this many bytes,
   *     segments younger than {@code minAge} are due too (down to {@code bytesMinAge}): a busy
   *     table's WAL is bounded by size, not only by age; 0 = off
   * @param bytesMinAge the youngest a segment may be to be compacted because of {@code
   *     walBytesTrigger} (the lake raises it to the dedupe window: a segment's footer must keep
   *     its request fingerprints for a restart to recognise a retry)
   */
  public record Policy(
      Duration minAge, long maxInputBytes, Duration retireGrace, long walBytesTrigger,
      Duration bytesMinAge) {
    public static final Policy DEFAULT =
        new Policy(Duration.ofSeconds(30), 64L << 20, Duration.ofMinutes(5));

    /** Age only: no WAL-bytes trigger. */
    public Policy(Duration minAge, long maxInputBytes, Duration retireGrace) {
      this(minAge, maxInputBytes, retireGrace, 0, Duration.ZERO);
    }

    public Policy {
      if (walBytesTrigger < 0) {
        throw new IllegalArgumentException("walBytesTrigger must not be negative");
      }
    }

    /** This policy with the WAL-bytes trigger set. */
    public Policy withWalBytesTrigger(long bytes, Duration youngest) {
      return new Policy(minAge, maxInputBytes, retireGrace, bytes, youngest);
    }

    /** This policy with both minimum ages at least {@code floor}. */
    public Policy withAgeFloor(Duration floor) {
      return new Policy(
          minAge.compareTo(floor) >= 0 ? minAge : floor, maxInputBytes, retireGrace,
          walBytesTrigger, bytesMinAge.compareTo(floor) >= 0 ? bytesMinAge : floor);
    }
  }

  private record Retired(List<WalSegment> segments, Instant at) {}

  private final LakeTable table;
  private final Policy policy;
  private final CompactionLease lease;
  private final Clock clock;
  private final List<Retired> retired = new ArrayList<>();

  /** For a WAL only this process writes. */
  public Compactor(LakeTable table, Policy policy, Clock clock) {
    this(table, policy, CompactionLease.exclusiveProcess(), clock);
  }

  public Compactor(LakeTable table, Policy policy, CompactionLease lease, Clock clock) {
    this.table = table;
    this.policy = policy;
    this.lease = lease;
    this.clock = clock;
  }

  /** Work done while holding the lease (see {@link #underLease}). */
  @FunctionalInterface
  public interface LeaseWork<T> {
    T run(CompactionLease.Held held) throws IOException;
  }

  /** When segments are due and how long retired ones stay readable. */
  public Policy policy() {
    return policy;
  }

  /**
   * Runs {@code work} holding this table's compaction lease, never beside this process's own
   * compaction of the table: table maintenance goes through here, so one replica at a time
   * maintains a table and never while it is being compacted. Returns null, without running it,
   * if another replica holds the lease.
   */
  public synchronized <T> T underLease(LeaseWork<T> work) throws IOException {
    try (CompactionLease.Held held = lease.tryAcquire()) {
      if (held == null) {
        LOG.debug("table={}: another replica holds the compaction lease", table.name());
        return null;
      }
      return work.run(held);
    }
  }

  /**
   * Compacts what is due now; returns {@link Result#NOTHING} if nothing was, or if another
   * replica holds the lease or committed first.
   */
  public synchronized Result compact() throws IOException {
    try (CompactionLease.Held held = lease.tryAcquire()) {
      if (held == null) {
        LOG.debug("compaction table={} skipped: another replica holds the lease", table.name());
        return Result.NOTHING;
      }
      return compactHolding(held);
    }
  }

  private Result compactHolding(CompactionLease.Held held) throws IOException {
    WalStore wal = table.wal();
    if (wal.shared()) {
      table.refresh();
    }
    deleteRetiredPastGrace();
    if (wal instanceof ObjectStoreWal objects) {
      objects.sweep(table.compactedThroughAsOf(policy.retireGrace()));
    }
    long seedRows = backfillSeed(held);
    Snapshot base = table.view().snapshot();
    // A prefix only: the snapshot's mark says "everything up to N", so N+1 can't be skipped.
    List<WalSegment> due = wal.compactable(cutoff(wal), policy.maxInputBytes());
    if (due.isEmpty()) {
      return seedRows == 0 ? Result.NOTHING : new Result(0, 0, 0, -1, seedRows);
    }
    long through = due.get(due.size() - 1).sequence();
    List<DataFile> files = writeFiles(table.table(), wal, due);
    long rows = 0;
    for (DataFile file : files) {
      rows += file.recordCount();
    }
    Result seedOnly = seedRows == 0 ? Result.NOTHING : new Result(0, 0, 0, -1, seedRows);
    if (!held.stillHeld()) {
      // Its files stay unreferenced (orphans); the segments keep serving.
      LOG.warn("compaction table={} abandoned: the lease ran out before the commit", table.name());
      return seedOnly;
    }
    List<WalSegment> done;
    try {
      done = table.commitCompaction(files, through, base);
    } catch (ValidationException | CommitFailedException e) {
      LOG.warn("compaction table={} not committed: {}", table.name(), e.getMessage());
      return seedOnly;
    }
    retired.add(new Retired(done, clock.instant()));
    LOG.info(
        "compaction table={} segments={} rows={} files={} compacted_through={}",
        table.name(), due.size(), rows, files.size(), through);
    return new Result(due.size(), rows, files.size(), through, seedRows);
  }

  /**
   * Segments written before the returned instant are due: {@code minAge} ago, or, once the live
   * segments hold {@code walBytesTrigger} bytes or more, {@code bytesMinAge} ago.
   */
  private Instant cutoff(WalStore wal) {
    Instant now = clock.instant();
    if (policy.walBytesTrigger() > 0 && policy.bytesMinAge().compareTo(policy.minAge()) < 0) {
      long bytes = liveBytes(wal);
      if (bytes >= policy.walBytesTrigger()) {
        LOG.info(
            "compaction table={}: {} WAL bytes reach the trigger of {}, segments older than {}"
                + " are due",
            table.name(), bytes, policy.walBytesTrigger(), policy.bytesMinAge());
        return now.minus(policy.bytesMinAge());
      }
    }
    return now.minus(policy.minAge());
  }

  /** The bytes of the table's live (not yet compacted) WAL segments. */
  static long liveBytes(WalStore wal) {
    long bytes = 0;
    for (WalSegment segment : wal.allSegments()) {
      bytes += segment.bytes();
    }
    return bytes;
  }

  /**
   * A table adopted from the seed with data gets its files rewritten with our derived columns
   * ({@link SeedBackfill}), a bounded part per run, before the WAL's turn; the rows rewritten.
   */
  private long backfillSeed(CompactionLease.Held held) {
    Table iceberg = table.table();
    if (!SeedBackfill.pending(iceberg)) {
      return 0;
    }
    try {
      return new SeedBackfill(table.name(), iceberg)
          .run(held, policy.maxInputBytes(), SEED_COMMITS_PER_RUN)
          .rows();
    } catch (IOException | RuntimeException e) {
      // Logged, not thrown: a seed file that cannot be rewritten must not stop the WAL from
      // being compacted. Nothing of the failed batch was committed; the next run tries again.
      LOG.error("seed backfill table={} failed", table.name(), e);
      return 0;
    }
  }

  /**
   * The run's data files: through {@link ColumnarCompaction} where it writes the table (all of
   * the lake's tables), else — or when the system property {@value #RECORD_PATH_PROPERTY} is
   * {@code true}, to compare — through Iceberg's generic writer ({@link RecordCompaction}).
   */
  private static List<DataFile> writeFiles(Table iceberg, WalStore wal, List<WalSegment> due)
      throws IOException {
    if (!Boolean.getBoolean(RECORD_PATH_PROPERTY) && ColumnarCompaction.supports(iceberg)) {
      return ColumnarCompaction.write(iceberg, wal, due);
    }
    return RecordCompaction.write(iceberg, wal, due);
  }

  /** Deletes the files of segments retired longer ago than any query can run. */
  private void deleteRetiredPastGrace() throws IOException {
    Instant cutoff = clock.instant().minus(policy.retireGrace());
    for (Iterator<Retired> it = retired.iterator(); it.hasNext(); ) {
      Retired r = it.next();
      if (r.at().isAfter(cutoff)) {
        break;
      }
      table.wal().deleteRetired(r.segments());
      it.remove();
    }
  }

  /**
   * Deletes every retired segment now; for shutdown, when no query of this process runs any
   * more. With a shared WAL other replicas' queries may still read them, so they are left to
   * the grace-period sweep of whichever replica compacts next.
   */
  public synchronized void deleteAllRetired() throws IOException {
    if (!table.wal().shared()) {
      for (Retired r : retired) {
        table.wal().deleteRetired(r.segments());
      }
    }
    retired.clear();
  }
}
