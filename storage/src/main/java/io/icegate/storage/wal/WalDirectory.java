package io.icegate.storage.wal;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.iceberg.io.InputFile;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WAL of one table on local disk: {@code <root>/<tenant>/<sequence>.parquet}, and the index
 * of its segments that scans consult. One process owns it.
 *
 * <p>A segment becomes visible in two steps, both before the client is acknowledged: it is
 * written under a {@code .tmp} name and fsync'd, then renamed into place (atomic on POSIX) and
 * the directory fsync'd. A crash before the rename leaves only a {@code .tmp}, which recovery
 * deletes: that request was never acknowledged, and the client retries it.
 */
public final class WalDirectory implements WalStore {
  static final String MIN_TS_KEY = "icegate.wal.min_timestamp_nanos";
  static final String MAX_TS_KEY = "icegate.wal.max_timestamp_nanos";
  static final String TENANT_KEY = "icegate.wal.tenant";
  static final String FINGERPRINTS_KEY = "icegate.wal.request_fingerprints";
  /** "true" when every request in the segment has a fingerprint (see PendingSegment). */
  static final String ALL_KEYED_KEY = "icegate.wal.all_requests_keyed";
  private static final String SUFFIX = ".parquet";
  private static final String TMP_SUFFIX = ".tmp";
  private static final Logger LOG = LoggerFactory.getLogger(WalDirectory.class);

  private final Path root;
  private final Map<String, List<WalSegment>> byTenant = new ConcurrentHashMap<>();
  private final Map<String, Long> recoveredFingerprints = new java.util.HashMap<>();
  private long maxSequence; // guarded by this: the highest number given to a segment
  // Numbers up to this one are registered, or were abandoned (gaps); guarded by this.
  private long registeredThrough;
  // Numbered segments whose writes ended (durable, or empty if abandoned) while a lower number
  // was still being written; guarded by this.
  private final java.util.TreeMap<Long, java.util.Optional<WalSegment>> settled =
      new java.util.TreeMap<>();
  private final java.util.concurrent.atomic.AtomicLong temporaryNames =
      new java.util.concurrent.atomic.AtomicLong();

  private WalDirectory(Path root) {
    this.root = root;
  }

  /** Opens (creating if needed) a WAL none of whose segments were compacted yet. */
  public static WalDirectory open(Path root) throws IOException {
    return open(root, 0);
  }

  /**
   * Opens (creating if needed) the WAL under {@code root}, recovering its segment index.
   * Segments numbered up to {@code compactedThrough} are already in the Iceberg table (a
   * compaction committed them and stopped before deleting them): they are deleted now, and new
   * segments are numbered above that mark.
   */
  public static WalDirectory open(Path root, long compactedThrough) throws IOException {
    Files.createDirectories(root);
    WalDirectory wal = new WalDirectory(root);
    wal.maxSequence = compactedThrough;
    wal.recover(compactedThrough);
    synchronized (wal) {
      wal.registeredThrough = wal.maxSequence;
    }
    return wal;
  }

  private void recover(long compactedThrough) throws IOException {
    List<Path> tenantDirs;
    try (Stream<Path> list = Files.list(root)) {
      tenantDirs = list.filter(Files::isDirectory).toList();
    }
    int removed = 0;
    int retiredOnOpen = 0;
    for (Path dir : tenantDirs) {
      String tenant = URLDecoder.decode(dir.getFileName().toString(), StandardCharsets.UTF_8);
      List<Path> files;
      try (Stream<Path> list = Files.list(dir)) {
        files = list.toList();
      }
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(TMP_SUFFIX)) {
          Files.delete(file);
          removed++;
        } else if (name.endsWith(SUFFIX)) {
          long sequence = Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
          if (sequence <= compactedThrough) {
            Files.delete(file);
            retiredOnOpen++;
          } else {
            register(readSegment(file, tenant, sequence, recoveredFingerprints));
          }
        }
      }
    }
    LOG.info(
        "wal recovered root={} segments={} removed_unacked={} removed_compacted={}",
        root,
        byTenant.values().stream().mapToInt(List::size).sum(),
        removed,
        retiredOnOpen);
  }

  private static WalSegment readSegment(
      Path file, String tenant, long sequence, Map<String, Long> fingerprints)
      throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      Map<String, String> meta = reader.getFooter().getFileMetaData().getKeyValueMetaData();
      long at = Files.getLastModifiedTime(file).toMillis();
      collectFingerprints(meta, at, fingerprints);
      return new WalSegment(
          file.toString(),
          tenant,
          sequence,
          Long.parseLong(meta.get(MIN_TS_KEY)),
          Long.parseLong(meta.get(MAX_TS_KEY)),
          reader.getRecordCount(),
          Files.size(file),
          at);
    }
  }

  /** Adds the fingerprints a segment's footer lists, written at {@code atMillis}. */
  static void collectFingerprints(
      Map<String, String> footer, long atMillis, Map<String, Long> fingerprints) {
    String written = footer.get(FINGERPRINTS_KEY);
    if (written != null && !written.isEmpty()) {
      for (String fingerprint : written.split(",")) {
        fingerprints.merge(fingerprint, atMillis, Math::max);
      }
    }
  }

  @Override
  public Map<String, Long> recoveredFingerprints() {
    return Map.copyOf(recoveredFingerprints);
  }

  @Override
  public boolean shared() {
    return false;
  }

  /** Nothing to do: this process writes every segment, and its index always has them all. */
  @Override
  public void refresh(long compactedThrough) {}

  /**
   * Written under a temporary name and fsync'd, then numbered, renamed into place and the
   * directory fsync'd, then added to the index. Several writes may run at once (see {@link
   * #concurrentWrites}): the number is taken only when a segment is complete, under the same
   * lock as the rename; the directory fsync runs outside that lock, so the renames of segments
   * completing together share the file system's journal commit instead of queueing for one
   * commit each; and segments enter the index strictly in number order (a write waits for the
   * lower numbers to be registered or abandoned), so a prefix of the index is always a prefix of
   * the WAL, whichever write finishes first.
   */
  @Override
  public WalSegment write(PendingSegment pending, SegmentContent content) throws IOException {
    Path temporary = temporaryPath(pending.tenant());
    try {
      content.writeTo(new LocalOutputFile(temporary));
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
    } catch (IOException | RuntimeException e) {
      deleteQuietly(temporary);
      throw e;
    }
    long sequence;
    Path target;
    synchronized (this) {
      sequence = ++maxSequence;
      target = temporary.resolveSibling(String.format("%020d%s", sequence, SUFFIX));
      try {
        Files.move(temporary, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException | RuntimeException e) {
        settle(sequence, null);
        deleteQuietly(temporary);
        throw e;
      }
    }
    WalSegment segment = null;
    try {
      try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
        dir.force(true);
      }
      segment =
          new WalSegment(
              target.toString(),
              pending.tenant(),
              sequence,
              pending.minTimestampNanos(),
              pending.maxTimestampNanos(),
              pending.rows(),
              Files.size(target),
              Files.getLastModifiedTime(target).toMillis());
    } finally {
      if (segment == null) {
        // Not acknowledged: the number stays a gap, and the file goes so that recovery does not
        // bring back rows the client will send again.
        synchronized (this) {
          settle(sequence, null);
        }
        try {
          deleteQuietly(target);
        } catch (UncheckedIOException e) {
          LOG.warn("could not delete unacknowledged segment {}", target, e);
        }
      }
    }
    synchronized (this) {
      settle(sequence, segment);
      boolean interrupted = false;
      while (registeredThrough < sequence) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return segment;
  }

  /**
   * Records that numbered segment {@code sequence} is durable ({@code segment}) or abandoned
   * (null), and registers every settled segment that no lower number waits for any more.
   */
  private void settle(long sequence, WalSegment segment) {
    settled.put(sequence, java.util.Optional.ofNullable(segment));
    boolean advanced = false;
    while (!settled.isEmpty() && settled.firstKey() == registeredThrough + 1) {
      java.util.Optional<WalSegment> next = settled.remove(settled.firstKey());
      next.ifPresent(this::register);
      registeredThrough++;
      advanced = true;
    }
    if (advanced) {
      notifyAll();
    }
  }

  /** Two: one segment is encoded while another waits for the disk, or both use a core each. */
  @Override
  public int concurrentWrites() {
    return 2;
  }

  /** Where a new segment of {@code tenant} is first written, under a name no other write has. */
  private Path temporaryPath(String tenant) throws IOException {
    Path dir = root.resolve(URLEncoder.encode(tenant, StandardCharsets.UTF_8));
    Files.createDirectories(dir);
    return dir.resolve(String.format("w%d%s%s", temporaryNames.incrementAndGet(), SUFFIX, TMP_SUFFIX));
  }

  private synchronized void register(WalSegment segment) {
    maxSequence = Math.max(maxSequence, segment.sequence());
    byTenant.computeIfAbsent(segment.tenant(), t -> new CopyOnWriteArrayList<>()).add(segment);
  }

  @Override
  public List<WalSegment> allSegments() {
    List<WalSegment> result = new ArrayList<>();
    byTenant.values().forEach(result::addAll);
    result.sort(Comparator.comparingLong(WalSegment::sequence));
    return result;
  }

  /**
   * The oldest segments in sequence order. One writer numbers them in order and a segment is
   * in the index before its number can be passed, so a prefix of the index is a prefix of the
   * WAL; gaps (numbers of failed writes) are never filled later.
   */
  @Override
  public List<WalSegment> compactable(Instant cutoff, long maxBytes) {
    List<WalSegment> due = new ArrayList<>();
    long bytes = 0;
    for (WalSegment segment : allSegments()) {
      if (segment.writtenAtMillis() > cutoff.toEpochMilli()
          || (!due.isEmpty() && bytes + segment.bytes() > maxBytes)) {
        break;
      }
      due.add(segment);
      bytes += segment.bytes();
    }
    return due;
  }

  @Override
  public synchronized List<WalSegment> retire(long compactedThrough) {
    List<WalSegment> retired = new ArrayList<>();
    for (List<WalSegment> segments : byTenant.values()) {
      for (WalSegment segment : segments) {
        if (segment.sequence() <= compactedThrough) {
          retired.add(segment);
        }
      }
      segments.removeIf(s -> s.sequence() <= compactedThrough);
    }
    return retired;
  }

  @Override
  public void deleteRetired(List<WalSegment> retired) {
    for (WalSegment segment : retired) {
      deleteQuietly(Path.of(segment.location()));
    }
  }

  @Override
  public InputFile newInputFile(WalSegment segment) {
    return org.apache.iceberg.Files.localInput(new File(segment.location()));
  }

  @Override
  public String location() {
    return root.toString();
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
