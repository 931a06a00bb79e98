package io.icegate.storage.wal;

import io.icegate.storage.objectstore.S3Connection;
import io.icegate.storage.parquet.IcebergParquetFiles;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The WAL of one table on S3, shared by every ingest replica without a coordination service:
 * segment {@code N} is the object {@code <prefix>/<N, 20 digits>.parquet} (the seed system's
 * layout; the tenant is in the footer and the object's metadata), and a replica claims a number
 * by creating that object with a conditional PUT ({@code If-None-Match: *}). On 412 another
 * replica has it, and the writer moves past the highest number it can list. The append is
 * acknowledged only after the PUT succeeded.
 *
 * <p>Zero-byte objects are <em>tombstones</em>: numbers that will never hold a segment. The
 * compactor writes one (conditionally, so it races a late writer fairly: exactly one PUT wins) to
 * close a gap left by a writer that took a number and died, and overwrites compacted segments
 * with one after the grace period, so a compacted number stays taken. Compaction only ever
 * commits a contiguous run of numbers, so its mark ("everything up to N is in the table") can
 * never pass a segment that lands later. Tombstones are deleted an hour after they are written;
 * by then every writer's view of the mark (refreshed at least every minute before it claims a
 * number) is past them.
 *
 * <p>Other replicas' segments are found by listing the prefix from the mark ({@link #refresh});
 * their footers (tenant, time bounds, request fingerprints and rows) are read once per segment.
 * Rows that copy a request a lower-numbered segment holds are handed out as each segment's
 * {@link WalSegment#excludedRows} ({@link CopiedRequests}). To decide that, the keys of
 * compacted segments are remembered — those this replica saw live, and those it finds compacted
 * but still stored (the grace period) when it lists: at open, or after another replica's
 * compaction passed segments it had not listed yet.
 */
public final class ObjectStoreWal implements WalStore {
  private static final Logger LOG = LoggerFactory.getLogger(ObjectStoreWal.class);
  private static final Pattern SEGMENT = Pattern.compile("(\\d{20})\\.parquet");
  private static final String ATTEMPT_META = "icegate-attempt";
  private static final String TENANT_META = "icegate-tenant";
  private static final int MAX_CLAIM_ATTEMPTS = 32;
  /** How stale a writer's knowledge of the compaction mark may be when it claims a number. */
  static final Duration MARK_MAX_AGE = Duration.ofMinutes(1);
  /** How long a tombstone keeps its number taken. */
  static final Duration TOMBSTONE_RETENTION = Duration.ofHours(1);

  /**
   * A number that is taken: by a segment, with what its footer says of its requests, or by a
   * tombstone ({@code segment} and {@code requests} null).
   */
  private record Taken(
      long sequence, WalSegment segment, long writtenAtMillis,
      CopiedRequests.SegmentRequests requests) {
    Taken(long sequence, long writtenAtMillis) {
      this(sequence, null, writtenAtMillis, null);
    }

    boolean keyed() {
      return requests != null && !requests.fingerprints().isEmpty();
    }
  }

  /** How often a writer lists the store to learn other replicas' request fingerprints. */
  static final Duration LEARN_INTERVAL = Duration.ofSeconds(1);
  /** How long the fingerprints of compacted segments are remembered, to recognise late copies. */
  static final Duration RETIRED_KEYS_RETENTION = Duration.ofMinutes(30);
  /**
   * How much earlier than its copy an original can have been written: the copy's writer listed
   * the store at most {@link #LEARN_INTERVAL} before its commit, without seeing the original,
   * and its PUT then landed (retries included) within this. A compacted segment this replica
   * never saw live is read only if it is that much older than the oldest live one at most.
   */
  static final Duration COPY_HORIZON = Duration.ofSeconds(30);
  /** At open: how many numbers below the mark are listed for compacted segments still stored. */
  static final long RECOVERY_LOOKBACK = 10_000;

  private final S3Client s3;
  private final String bucket;
  private final String keyPrefix; // ends with '/'
  private final FileIO io;
  private final LongSupplier markSource;
  private final Clock clock;
  private final TreeMap<Long, Taken> live = new TreeMap<>(); // numbers above the mark
  private final Map<String, Long> recoveredFingerprints = new HashMap<>();
  private long mark;
  private long highestSeen;
  private long markReadAtMillis;
  /** Fingerprints of other replicas' segments read since {@link #learnFingerprints} last ran. */
  private Map<String, Long> learned = new HashMap<>();
  private boolean learning;
  private long listedAtMillis;
  /** Request keys of segments at or below the mark, with their write times (ms). */
  private final Map<String, Long> retiredKeys = new HashMap<>();
  /** Listings start after this number: every number up to it is accounted for. */
  private long listedFrom;
  /** Numbers above {@link #listedFrom} and at or below the mark whose keys are in retiredKeys. */
  private final Set<Long> accounted = new HashSet<>();

  private ObjectStoreWal(
      S3Connection connection, String keyPrefix, FileIO io, LongSupplier markSource,
      Clock clock) {
    this.s3 = connection.client();
    this.bucket = connection.bucket();
    this.keyPrefix = keyPrefix.endsWith("/") ? keyPrefix : keyPrefix + "/";
    this.io = io;
    this.markSource = markSource;
    this.clock = clock;
  }

  /**
   * Opens the WAL under {@code keyPrefix} and recovers its index by listing the segments above
   * {@code compactedThrough} and reading their footers.
   *
   * @param io reads segments (the table's S3FileIO)
   * @param markSource reads the table's current compaction mark from the catalog
   */
  public static ObjectStoreWal open(
      S3Connection connection, String keyPrefix, FileIO io, long compactedThrough,
      LongSupplier markSource, Clock clock) throws IOException {
    ObjectStoreWal wal = new ObjectStoreWal(connection, keyPrefix, io, markSource, clock);
    wal.mark = compactedThrough;
    wal.highestSeen = compactedThrough;
    wal.markReadAtMillis = clock.millis();
    // Compacted segments still in the store (the grace period) may hold the originals of live
    // copies: the first listing reaches that far back.
    wal.listedFrom = Math.max(0, compactedThrough - RECOVERY_LOOKBACK);
    wal.refresh(compactedThrough, wal.recoveredFingerprints);
    synchronized (wal) {
      wal.learning = true;
    }
    LOG.info(
        "wal recovered location={} segments={} compacted_through={}",
        wal.location(), wal.allSegments().size(), compactedThrough);
    return wal;
  }

  @Override
  public String location() {
    return "s3://" + bucket + "/" + keyPrefix;
  }

  String key(long sequence) {
    return keyPrefix + String.format("%020d.parquet", sequence);
  }

  private String uri(String key) {
    return "s3://" + bucket + "/" + key;
  }

  @Override
  public boolean shared() {
    return true;
  }

  @Override
  public Map<String, Long> recoveredFingerprints() {
    return Map.copyOf(recoveredFingerprints);
  }

  // ---------------------------------------------------------------- writing

  @Override
  public WalSegment write(PendingSegment pending, SegmentContent content) throws IOException {
    var out = new IcebergParquetFiles.InMemoryOutputFile();
    content.writeTo(out);
    byte[] bytes = out.toByteArray();
    long sequence = firstCandidate();
    for (int attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      String key = key(sequence);
      String attemptId = UUID.randomUUID().toString();
      try {
        s3.putObject(
            b ->
                b.bucket(bucket)
                    .key(key)
                    .ifNoneMatch("*")
                    .contentType("application/vnd.apache.parquet")
                    .metadata(Map.of(ATTEMPT_META, attemptId, TENANT_META, pending.tenant())),
            RequestBody.fromBytes(bytes));
        return registerOwn(pending, sequence, key, bytes.length);
      } catch (S3Exception e) {
        if (e.statusCode() == 412) {
          // Taken — unless it is this very PUT, which the SDK retried after the first try
          // landed but its answer was lost.
          if (isOurs(key, attemptId)) {
            return registerOwn(pending, sequence, key, bytes.length);
          }
          sequence = nextAfterConflict(sequence);
        } else if (e.statusCode() == 409) {
          // ConditionalRequestConflict: a concurrent conditional write on this key is still
          // settling. Take the same number again; one of us gets 412 next.
          pause(attempt);
        } else {
          throw new IOException("WAL PUT " + uri(key) + " failed: " + e.getMessage(), e);
        }
      } catch (SdkException e) {
        // The outcome is unknown (timeout, connection reset): look before failing.
        if (isOurs(key, attemptId)) {
          return registerOwn(pending, sequence, key, bytes.length);
        }
        throw new IOException("WAL PUT " + uri(key) + " failed: " + e.getMessage(), e);
      }
    }
    throw new IOException(
        "WAL: no free segment number after " + MAX_CLAIM_ATTEMPTS + " conditional PUTs");
  }

  /** Above everything this replica knows of, with the mark at most a minute old. */
  private long firstCandidate() {
    boolean stale;
    synchronized (this) {
      stale = clock.millis() - markReadAtMillis > MARK_MAX_AGE.toMillis();
    }
    if (stale) {
      try {
        long current = markSource.getAsLong();
        synchronized (this) {
          advanceMark(current);
          markReadAtMillis = clock.millis();
        }
      } catch (RuntimeException e) {
        // The catalog is down: keep writing above the mark read last. While it is down no
        // compaction can commit, so the mark cannot move past anything this replica would
        // claim; and every number up to the highest listed is skipped anyway.
        LOG.warn("compaction mark unreadable, using the last one ({}): {}", mark, e.toString());
      }
    }
    synchronized (this) {
      return Math.max(highestSeen, mark) + 1;
    }
  }

  /** After a 412 on {@code taken}: past the highest number listed from there. */
  private long nextAfterConflict(long taken) {
    long highest = taken;
    try {
      ListObjectsV2Response page =
          s3.listObjectsV2(b -> b.bucket(bucket).prefix(keyPrefix).startAfter(key(taken)));
      for (S3Object object : page.contents()) {
        long n = sequenceOf(object.key());
        highest = Math.max(highest, n);
      }
    } catch (SdkException e) {
      LOG.debug("listing after a conflict failed; trying the next number", e);
    }
    synchronized (this) {
      highestSeen = Math.max(highestSeen, highest);
    }
    return highest + 1;
  }

  private boolean isOurs(String key, String attemptId) {
    try {
      HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key));
      return attemptId.equals(head.metadata().get(ATTEMPT_META));
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  private synchronized WalSegment registerOwn(
      PendingSegment pending, long sequence, String key, long bytes) {
    WalSegment segment =
        new WalSegment(
            uri(key),
            pending.tenant(),
            sequence,
            pending.minTimestampNanos(),
            pending.maxTimestampNanos(),
            pending.rows(),
            bytes,
            clock.millis());
    highestSeen = Math.max(highestSeen, sequence);
    if (sequence > mark) {
      live.put(
          sequence,
          new Taken(sequence, segment, segment.writtenAtMillis(),
              CopiedRequests.SegmentRequests.written(sequence, pending.rows(), pending.requests())));
    }
    LOG.debug("wal put {} tenant={} rows={}", key, pending.tenant(), pending.rows());
    return segment;
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(Math.min(200, 5L * attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- the index

  /** Lists the numbers above the mark; new segments' footers are read (once each). */
  @Override
  public void refresh(long compactedThrough) throws IOException {
    refresh(compactedThrough, new HashMap<>());
  }

  private void refresh(long compactedThrough, Map<String, Long> fingerprints) throws IOException {
    synchronized (this) {
      advanceMark(compactedThrough);
      markReadAtMillis = clock.millis();
    }
    listAboveMark(fingerprints);
  }

  /**
   * Lists the numbers above the mark this replica knows; new segments' footers are read. The
   * listing starts where the last one did, so segments another replica compacted before this one
   * saw them live are found too (their objects stay for the grace period): see {@link
   * #rememberCompacted}.
   */
  private void listAboveMark(Map<String, Long> fingerprints) throws IOException {
    long from;
    long through;
    synchronized (this) {
      from = listedFrom;
      through = mark;
    }
    List<S3Object> listed = list(key(from), Long.MAX_VALUE, Integer.MAX_VALUE);
    synchronized (this) {
      listedAtMillis = clock.millis();
    }
    Map<Long, Taken> found = new HashMap<>();
    List<S3Object> compacted = new ArrayList<>();
    for (S3Object object : listed) {
      long n = sequenceOf(object.key());
      if (n <= from) {
        continue;
      }
      if (n <= through) {
        if (object.size() > 0) {
          compacted.add(object);
        }
        continue;
      }
      Taken known;
      synchronized (this) {
        known = live.get(n);
      }
      if (known != null) {
        found.put(n, known);
        continue;
      }
      long at = object.lastModified().toEpochMilli();
      if (object.size() == 0) {
        found.put(n, new Taken(n, at));
      } else {
        found.put(n, readSegment(object, n, fingerprints, at));
      }
    }
    synchronized (this) {
      for (Taken taken : found.values()) {
        highestSeen = Math.max(highestSeen, taken.sequence());
        if (taken.sequence() > mark) {
          live.putIfAbsent(taken.sequence(), taken);
        } else if (!live.containsKey(taken.sequence())) {
          retireKeys(taken); // compacted while this listing ran
        }
      }
    }
    rememberCompacted(compacted, fingerprints);
    synchronized (this) {
      listedFrom = Math.max(listedFrom, through);
      long done = listedFrom;
      accounted.removeIf(n -> n <= done);
    }
  }

  /**
   * Reads the keys of compacted segments this replica never had live (it opened after their
   * compaction, or did not list while another replica compacted them), so that a live copy of
   * one of their requests is still recognised. Only segments written within {@link
   * #COPY_HORIZON} before the oldest live fingerprinted segment can hold such an original; the
   * others are not read.
   */
  private void rememberCompacted(List<S3Object> compacted, Map<String, Long> fingerprints)
      throws IOException {
    if (compacted.isEmpty()) {
      return;
    }
    long oldest = clock.millis();
    synchronized (this) {
      for (Taken taken : live.values()) {
        if (taken.keyed()) {
          oldest = Math.min(oldest, taken.writtenAtMillis());
        }
      }
    }
    long horizon = oldest - COPY_HORIZON.toMillis();
    for (S3Object object : compacted) {
      long n = sequenceOf(object.key());
      long at = object.lastModified().toEpochMilli();
      synchronized (this) {
        if (accounted.contains(n) || at < horizon) {
          continue;
        }
      }
      Taken taken;
      try {
        taken = readSegment(object, n, fingerprints, at);
      } catch (IOException | RuntimeException e) {
        // Usually tombstoned between the listing and this read: the grace period ended, and
        // with it this segment's part in recognising copies.
        LOG.info("compacted segment {} not read for its request keys: {}", object.key(),
            e.toString());
        continue;
      }
      synchronized (this) {
        retireKeys(taken);
      }
      LOG.debug("wal read compacted segment {} for its request keys", object.key());
    }
  }

  /** Remembers the request keys of a segment at or below the mark. */
  private void retireKeys(Taken taken) {
    if (taken.requests() != null) {
      for (String k : taken.requests().fingerprints()) {
        retiredKeys.merge(k, taken.writtenAtMillis(), Math::max);
      }
    }
    accounted.add(taken.sequence());
  }

  private synchronized void advanceMark(long compactedThrough) {
    if (compactedThrough > mark) {
      mark = compactedThrough;
      highestSeen = Math.max(highestSeen, mark);
      NavigableMap<Long, Taken> gone = live.headMap(mark, true);
      for (Taken taken : gone.values()) {
        retireKeys(taken);
      }
      gone.clear();
      long oldest = clock.millis() - RETIRED_KEYS_RETENTION.toMillis();
      retiredKeys.values().removeIf(at -> at < oldest);
    }
  }

  private Taken readSegment(
      S3Object object, long sequence, Map<String, Long> fingerprints, long at) throws IOException {
    String location = uri(object.key());
    InputFile file = io.newInputFile(location, object.size());
    try (ParquetFileReader reader = ParquetFileReader.open(IcebergParquetFiles.input(file))) {
      Map<String, String> meta = reader.getFooter().getFileMetaData().getKeyValueMetaData();
      Map<String, Long> found = new HashMap<>();
      WalDirectory.collectFingerprints(meta, object.lastModified().toEpochMilli(), found);
      found.forEach((k, v) -> fingerprints.merge(k, v, Math::max));
      synchronized (this) {
        if (learning) {
          found.forEach((k, v) -> learned.merge(k, v, Math::max));
        }
      }
      long rows = reader.getRecordCount();
      return new Taken(sequence, new WalSegment(
          location,
          meta.get(WalDirectory.TENANT_KEY),
          sequence,
          Long.parseLong(meta.get(WalDirectory.MIN_TS_KEY)),
          Long.parseLong(meta.get(WalDirectory.MAX_TS_KEY)),
          rows,
          object.size(),
          object.lastModified().toEpochMilli()), at,
          CopiedRequests.SegmentRequests.fromFooter(sequence, rows, meta));
    }
  }

  @Override
  public Map<String, Long> learnFingerprints() throws IOException {
    boolean stale;
    synchronized (this) {
      stale = clock.millis() - listedAtMillis >= LEARN_INTERVAL.toMillis();
    }
    if (stale) {
      // Not a refresh: the mark is not read from the catalog here, so its age stays as it is.
      listAboveMark(new HashMap<>());
    }
    synchronized (this) {
      Map<String, Long> out = learned;
      learned = new HashMap<>();
      return out;
    }
  }

  /** Segment objects after {@code startAfter}, in key order, up to number {@code through}. */
  private List<S3Object> list(String startAfter, long through, int maxObjects) throws IOException {
    List<S3Object> result = new ArrayList<>();
    String token = null;
    try {
      do {
        ListObjectsV2Request.Builder request =
            ListObjectsV2Request.builder().bucket(bucket).prefix(keyPrefix);
        if (token != null) {
          request.continuationToken(token);
        } else if (startAfter != null) {
          request.startAfter(startAfter);
        }
        ListObjectsV2Response page = s3.listObjectsV2(request.build());
        for (S3Object object : page.contents()) {
          long n = sequenceOf(object.key());
          if (n < 0) {
            continue; // the lease, or anything else that is not a segment
          }
          if (n > through || result.size() >= maxObjects) {
            return result;
          }
          result.add(object);
        }
        token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
      } while (token != null);
    } catch (SdkException e) {
      throw new IOException("listing " + location() + " failed: " + e.getMessage(), e);
    }
    return result;
  }

  private long sequenceOf(String key) {
    if (!key.startsWith(keyPrefix)) {
      return -1;
    }
    Matcher m = SEGMENT.matcher(key.substring(keyPrefix.length()));
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  /**
   * The live segments, each with its copied rows ({@link WalSegment#excludedRows}); a segment
   * that is a copy as a whole is left out.
   */
  @Override
  public synchronized List<WalSegment> allSegments() {
    List<WalSegment> result = new ArrayList<>();
    Map<Long, RowRanges> copies = copies();
    for (Taken taken : live.values()) {
      WalSegment segment = withCopies(taken, copies);
      if (segment != null) {
        result.add(segment);
      }
    }
    return result;
  }

  /**
   * The rows of live segments that are copies: requests also in a lower-numbered segment, live
   * or compacted — two replicas that each took the same client request before either could see
   * the other's segment ({@link CopiedRequests#decide}: the lowest number keeps them). Scans and
   * compaction skip them, so the rows are stored once.
   */
  private Map<Long, RowRanges> copies() {
    List<CopiedRequests.SegmentRequests> keyed = new ArrayList<>();
    for (Taken taken : live.values()) {
      if (taken.segment() != null && taken.keyed()) {
        keyed.add(taken.requests());
      }
    }
    return keyed.isEmpty() ? Map.of() : CopiedRequests.decide(retiredKeys.keySet(), keyed);
  }

  /** The segment with its copied rows; null for a tombstone or a segment copied whole. */
  private static WalSegment withCopies(Taken taken, Map<Long, RowRanges> copies) {
    if (taken.segment() == null) {
      return null;
    }
    RowRanges copied = copies.get(taken.sequence());
    if (copied == null) {
      return taken.segment();
    }
    return copied.coversFirst(taken.segment().rows())
        ? null
        : taken.segment().withExcludedRows(copied);
  }

  // ---------------------------------------------------------------- compaction

  /**
   * A contiguous run of numbers from the mark up: segments written before {@code cutoff} and
   * tombstones. A missing number below a segment written before the cutoff is closed with a
   * tombstone (conditional PUT: if a late writer's PUT wins instead, the run stops there and the
   * next compaction takes that segment); a missing number above everything ends the run.
   */
  @Override
  public List<WalSegment> compactable(Instant cutoff, long maxBytes) throws IOException {
    List<WalSegment> due = new ArrayList<>();
    long bytes = 0;
    long n;
    Map<Long, RowRanges> copies;
    synchronized (this) {
      n = mark + 1;
      copies = copies();
    }
    while (true) {
      Taken taken;
      Map.Entry<Long, Taken> above;
      synchronized (this) {
        taken = live.get(n);
        above = live.higherEntry(n);
      }
      if (taken == null) {
        if (above == null || above.getValue().writtenAtMillis() > cutoff.toEpochMilli()) {
          break;
        }
        if (!closeGap(n)) {
          break;
        }
      } else if (taken.segment() != null) {
        WalSegment segment = taken.segment();
        if (segment.writtenAtMillis() > cutoff.toEpochMilli()
            || (!due.isEmpty() && bytes + segment.bytes() > maxBytes)) {
          break;
        }
        segment = withCopies(taken, copies);
        if (segment == null) {
          // Left out: all its rows are in lower-numbered segments. It is retired with the run
          // only if a segment above it is due (the mark is the last due number).
          n++;
          continue;
        }
        due.add(segment);
        bytes += segment.bytes();
      }
      n++;
    }
    return due;
  }

  /** Takes number {@code n} with a tombstone; false if a segment got there first. */
  private boolean closeGap(long n) throws IOException {
    try {
      s3.putObject(b -> b.bucket(bucket).key(key(n)).ifNoneMatch("*"), RequestBody.empty());
      synchronized (this) {
        live.put(n, new Taken(n, clock.millis()));
      }
      LOG.info("wal gap closed with a tombstone: {}", key(n));
      return true;
    } catch (S3Exception e) {
      if (e.statusCode() == 412 || e.statusCode() == 409) {
        return false;
      }
      throw new IOException("tombstone PUT " + uri(key(n)) + " failed: " + e.getMessage(), e);
    } catch (SdkException e) {
      throw new IOException("tombstone PUT " + uri(key(n)) + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized List<WalSegment> retire(long compactedThrough) {
    List<WalSegment> retired = new ArrayList<>();
    NavigableMap<Long, Taken> head = live.headMap(compactedThrough, true);
    for (Taken taken : head.values()) {
      if (taken.segment() != null) {
        retired.add(taken.segment());
      }
    }
    advanceMark(compactedThrough);
    return retired;
  }

  /** Overwrites each retired segment with a tombstone, so its number stays taken. */
  @Override
  public void deleteRetired(List<WalSegment> retired) throws IOException {
    for (WalSegment segment : retired) {
      tombstone(segment.sequence());
    }
  }

  private void tombstone(long n) throws IOException {
    try {
      s3.putObject(b -> b.bucket(bucket).key(key(n)), RequestBody.empty());
    } catch (SdkException e) {
      throw new IOException("tombstone PUT " + uri(key(n)) + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Cleans up at or below {@code safeThrough} (a mark committed longer ago than any query
   * runs): segments left by a compactor that died before its grace period ended become
   * tombstones, and tombstones older than {@link #TOMBSTONE_RETENTION} are deleted. Bounded
   * work per call; run by the compaction lease holder.
   *
   * @return how many objects were changed
   */
  public int sweep(long safeThrough) throws IOException {
    int changed = 0;
    long expired = clock.millis() - TOMBSTONE_RETENTION.toMillis();
    for (S3Object object : list(null, safeThrough, 5_000)) {
      long n = sequenceOf(object.key());
      if (object.size() > 0) {
        tombstone(n);
        changed++;
      } else if (object.lastModified().toEpochMilli() < expired) {
        try {
          s3.deleteObject(b -> b.bucket(bucket).key(object.key()));
          changed++;
        } catch (SdkException e) {
          throw new IOException("delete " + uri(object.key()) + " failed: " + e.getMessage(), e);
        }
      }
    }
    return changed;
  }

  @Override
  public InputFile newInputFile(WalSegment segment) {
    return io.newInputFile(segment.location(), segment.bytes());
  }
}
