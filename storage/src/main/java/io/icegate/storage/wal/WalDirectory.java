package io.icegate.storage.wal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WAL of one table on local disk: {@code <root>/<tenant>/<sequence>.parquet}, and the index
 * of its segments that scans consult.
 *
 * <p>A segment becomes visible in two steps, both before the client is acknowledged: it is
 * written under a {@code .tmp} name and fsync'd, then renamed into place (atomic on POSIX) and
 * the directory fsync'd. A crash before the rename leaves only a {@code .tmp}, which recovery
 * deletes: that request was never acknowledged, and the client retries it.
 */
public final class WalDirectory {
  static final String MIN_TS_KEY = "icegate.wal.min_timestamp_nanos";
  static final String MAX_TS_KEY = "icegate.wal.max_timestamp_nanos";
  static final String TENANT_KEY = "icegate.wal.tenant";
  static final String FINGERPRINTS_KEY = "icegate.wal.request_fingerprints";
  private static final String SUFFIX = ".parquet";
  private static final String TMP_SUFFIX = ".tmp";
  private static final Logger LOG = LoggerFactory.getLogger(WalDirectory.class);

  private final Path root;
  private final Map<String, List<WalSegment>> byTenant = new ConcurrentHashMap<>();
  private final Map<String, Long> recoveredFingerprints = new java.util.HashMap<>();
  private long maxSequence;

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
      String written = meta.get(FINGERPRINTS_KEY);
      if (written != null && !written.isEmpty()) {
        long at = Files.getLastModifiedTime(file).toMillis();
        for (String fingerprint : written.split(",")) {
          fingerprints.put(fingerprint, at);
        }
      }
      return new WalSegment(
          file,
          tenant,
          sequence,
          Long.parseLong(meta.get(MIN_TS_KEY)),
          Long.parseLong(meta.get(MAX_TS_KEY)),
          reader.getRecordCount(),
          Files.size(file));
    }
  }

  /** Request fingerprints found in the segments at open, with their write times (ms). */
  Map<String, Long> recoveredFingerprints() {
    return Map.copyOf(recoveredFingerprints);
  }

  /** The next free sequence number; called by the single WAL writer only. */
  synchronized long nextSequence() {
    return ++maxSequence;
  }

  /** Where a new segment of {@code tenant} is first written. */
  Path temporaryPath(String tenant, long sequence) throws IOException {
    Path dir = root.resolve(URLEncoder.encode(tenant, StandardCharsets.UTF_8));
    Files.createDirectories(dir);
    return dir.resolve(String.format("%020d%s%s", sequence, SUFFIX, TMP_SUFFIX));
  }

  /**
   * Makes a fully written temporary segment durable and visible: fsync file, rename, fsync
   * directory, add to the index.
   */
  WalSegment publish(Path temporary, WalSegment pending) throws IOException {
    try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    String name = temporary.getFileName().toString();
    Path target = temporary.resolveSibling(name.substring(0, name.length() - TMP_SUFFIX.length()));
    Files.move(temporary, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    }
    WalSegment segment =
        new WalSegment(
            target,
            pending.tenant(),
            pending.sequence(),
            pending.minTimestampNanos(),
            pending.maxTimestampNanos(),
            pending.rows(),
            Files.size(target));
    register(segment);
    return segment;
  }

  private synchronized void register(WalSegment segment) {
    maxSequence = Math.max(maxSequence, segment.sequence());
    byTenant.computeIfAbsent(segment.tenant(), t -> new CopyOnWriteArrayList<>()).add(segment);
  }

  /** Segments of {@code tenant} that may hold rows in {@code [startNanos, endNanos)}, oldest first. */
  public List<WalSegment> segments(String tenant, long startNanos, long endNanos) {
    List<WalSegment> all = byTenant.getOrDefault(tenant, List.of());
    List<WalSegment> result = new ArrayList<>();
    for (WalSegment segment : all) {
      if (segment.overlaps(startNanos, endNanos)) {
        result.add(segment);
      }
    }
    result.sort(Comparator.comparingLong(WalSegment::sequence));
    return result;
  }

  /** Every live segment, in sequence order. */
  public List<WalSegment> allSegments() {
    List<WalSegment> result = new ArrayList<>();
    byTenant.values().forEach(result::addAll);
    result.sort(Comparator.comparingLong(WalSegment::sequence));
    return result;
  }

  /**
   * Removes the segments numbered up to {@code compactedThrough} from the index: their rows are
   * now in the Iceberg table. The files stay until {@link #deleteRetired} — queries that planned
   * before the compaction may still be reading them.
   */
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

  /** Deletes the files of retired segments. */
  public static void deleteRetired(List<WalSegment> retired) {
    for (WalSegment segment : retired) {
      deleteQuietly(segment.path());
    }
  }

  public Path root() {
    return root;
  }

  static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
