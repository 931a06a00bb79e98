package io.icegate.storage.maintenance;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.PartitionStatisticsFile;
import org.apache.iceberg.ReachableFileUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StatisticsFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.apache.iceberg.util.LocationUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and deletes a table's orphan files: files under its data and metadata locations that
 * no snapshot, no kept metadata file and no statistics entry references, and that are older
 * than the policy's {@code orphanMinAge}. Iceberg's own action for this lives in iceberg-spark;
 * this one lists through the table's {@link FileIO} ({@link SupportsPrefixOperations}: Hadoop's
 * for local disk, S3FileIO for S3) and takes the reachable set from the table's metadata.
 *
 * <p>Where orphans come from: a compaction or seed backfill killed (or refused at commit) after
 * writing its files, files whose snapshots were expired by a run killed between its commit and
 * its deletes, and metadata files beyond the table's kept metadata log.
 *
 * <p>Safety: the age guard keeps every file a running writer may still commit (its files are
 * written within one lease, far shorter than the guard). A listed file whose path equals a
 * referenced one up to the scheme or bucket spelling ({@code s3a://} against {@code s3://}, an
 * authority missing) stops the run before anything is deleted, as Iceberg's action does by
 * default: the comparison would be wrong, and a wrong comparison deletes live data. A file
 * under the WAL's location is never a candidate, should a warehouse be configured around it.
 */
final class OrphanFiles {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanFiles.class);
  private static final int DELETE_BATCH = 1_000;

  /** What one run found and did. */
  record Outcome(int deleted, int keptYoung, String skipped) {
    static Outcome skipped(String why) {
      return new Outcome(0, 0, why);
    }
  }

  private OrphanFiles() {}

  /**
   * Lists the table's locations and deletes the orphans older than {@code olderThanMillis}, at
   * most {@code maxDeletes}, checking {@code leaseHeld} before each batch.
   *
   * @param walLocation where the table's WAL is; nothing under it is touched
   * @param alsoReachable files other states of the table reference ({@link #reachable(List)} of
   *     the table at the heads of other Nessie branches and tags): never orphans
   */
  static Outcome run(
      String name, Table table, String walLocation, long olderThanMillis, int maxDeletes,
      BooleanSupplier leaseHeld, Map<String, String> alsoReachable) {
    FileIO io = table.io();
    if (!(io instanceof SupportsPrefixOperations lister)) {
      return Outcome.skipped("the table's FileIO cannot list (" + io.getClass().getName() + ")");
    }
    Map<String, String> reachable = new HashMap<>(alsoReachable);
    reachable.putAll(reachable(table));
    Location wal = walLocation == null ? null : Location.of(walLocation);
    List<String> orphans = new ArrayList<>();
    int young = 0;
    for (String root : roots(table)) {
      for (FileInfo file : list(lister, root)) {
        Location at = Location.of(file.location());
        if (wal != null && at.under(wal)) {
          continue;
        }
        String origin = reachable.get(at.path());
        if (origin != null) {
          if (!origin.equals(at.origin())) {
            return Outcome.skipped(
                "listed " + file.location() + " but the metadata references it as " + origin
                    + at.path() + "; not deleting anything while the spellings differ");
          }
          continue;
        }
        if (at.path().endsWith("/" + "version-hint.text")) {
          continue; // a Hadoop table's pointer: never in the metadata, always needed
        }
        if (file.createdAtMillis() >= olderThanMillis) {
          young++;
        } else {
          orphans.add(file.location());
        }
      }
    }
    int deleted = 0;
    String stopped = null;
    int limit = Math.min(orphans.size(), maxDeletes);
    for (int i = 0; i < limit; i++) {
      if (i % DELETE_BATCH == 0 && !leaseHeld.getAsBoolean()) {
        stopped = "the compaction lease ran out after " + deleted + " orphan deletes";
        LOG.warn("orphan removal table={} stopped: {}", name, stopped);
        break;
      }
      try {
        io.deleteFile(orphans.get(i));
      } catch (NotFoundException e) {
        // Gone already (an earlier run): nothing to do.
      }
      deleted++;
    }
    if (deleted > 0 || young > 0) {
      LOG.info(
          "orphan files table={} deleted={} left={} kept_younger_than_guard={}",
          name, deleted, orphans.size() - deleted, young);
    }
    return new Outcome(deleted, young, stopped);
  }

  /**
   * Every file the table's metadata references, by path, with its scheme and authority: the
   * current metadata file and its kept log, each snapshot's manifest list, manifests and live
   * data and delete files, statistics and partition statistics files.
   */
  static Map<String, String> reachable(Table table) {
    return reachable(List.of(table));
  }

  /**
   * As {@link #reachable(Table)}, for several states of one table (its heads on several Nessie
   * references) at once; a manifest they share is read once.
   */
  static Map<String, String> reachable(List<Table> tables) {
    Set<String> files = new LinkedHashSet<>();
    Set<String> manifestsRead = new HashSet<>();
    for (Table table : tables) {
      addReachable(table, files, manifestsRead);
    }
    Map<String, String> byPath = new HashMap<>();
    for (String file : files) {
      Location at = Location.of(file);
      byPath.put(at.path(), at.origin());
    }
    return byPath;
  }

  private static void addReachable(Table table, Set<String> files, Set<String> manifestsRead) {
    FileIO io = table.io();
    files.addAll(ReachableFileUtil.metadataFileLocations(table, false));
    files.addAll(ReachableFileUtil.statisticsFilesLocations(table));
    for (StatisticsFile stats : table.statisticsFiles()) {
      files.add(stats.path());
    }
    for (PartitionStatisticsFile stats : table.partitionStatisticsFiles()) {
      files.add(stats.path());
    }
    for (Snapshot snapshot : table.snapshots()) {
      if (snapshot.manifestListLocation() != null) {
        files.add(snapshot.manifestListLocation());
      }
      for (ManifestFile manifest : snapshot.allManifests(io)) {
        files.add(manifest.path());
        if (!manifestsRead.add(manifest.path())) {
          continue;
        }
        try {
          if (manifest.content() == ManifestContent.DATA) {
            try (CloseableIterable<String> paths = ManifestFiles.readPaths(manifest, io)) {
              paths.forEach(files::add);
            }
          } else {
            try (var deletes = ManifestFiles.readDeleteManifest(manifest, io, table.specs())) {
              for (DeleteFile delete : deletes) {
                files.add(delete.location());
              }
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  /** Whether some file of {@code other} may lie under {@code table}'s data or metadata roots. */
  static boolean overlaps(Table table, Table other) {
    for (String mine : roots(table)) {
      Location a = Location.of(mine);
      for (String theirs : roots(other)) {
        Location b = Location.of(theirs);
        if (a.origin().equals(b.origin())
            && (a.path().startsWith(b.path()) || b.path().startsWith(a.path()))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The directories listed: the table's data and metadata locations (Iceberg's {@code
   * write.data.path} and {@code write.metadata.path}, by default {@code data/} and {@code
   * metadata/} under the table's location). Nothing else under the table's location is ours.
   */
  static List<String> roots(Table table) {
    String base = LocationUtil.stripTrailingSlash(table.location());
    Map<String, String> props = table.properties();
    String data = props.getOrDefault(TableProperties.WRITE_DATA_LOCATION, base + "/data");
    String metadata =
        props.getOrDefault(TableProperties.WRITE_METADATA_LOCATION, base + "/metadata");
    List<String> roots = new ArrayList<>();
    for (String root : List.of(data, metadata)) {
      String dir = LocationUtil.stripTrailingSlash(root) + "/";
      // One inside the other (a data path set to the table's root): list the outer only.
      roots.removeIf(r -> r.startsWith(dir));
      if (roots.stream().noneMatch(dir::startsWith)) {
        roots.add(dir);
      }
    }
    return roots;
  }

  private static List<FileInfo> list(SupportsPrefixOperations io, String root) {
    List<FileInfo> out = new ArrayList<>();
    try {
      io.listPrefix(root).forEach(out::add);
    } catch (UncheckedIOException e) {
      if (!(e.getCause() instanceof FileNotFoundException)) {
        throw e;
      }
      // A table with no data yet has no data directory (local disk).
    } catch (NotFoundException e) {
      // As above.
    }
    return out;
  }

  /**
   * A file location split into its origin (scheme and authority, with {@code s3a}/{@code s3n}
   * as {@code s3} and a bare path as {@code file}) and its path.
   */
  record Location(String origin, String path) {
    static Location of(String location) {
      int colon = location.indexOf(':');
      int slash = location.indexOf('/');
      if (colon < 0 || (slash >= 0 && slash < colon)) {
        return new Location("file://", collapse(location));
      }
      String scheme = location.substring(0, colon).toLowerCase(Locale.ROOT);
      if (scheme.equals("s3a") || scheme.equals("s3n")) {
        scheme = "s3";
      }
      String rest = location.substring(colon + 1);
      String authority = "";
      if (rest.startsWith("//")) {
        int end = rest.indexOf('/', 2);
        authority = end < 0 ? rest.substring(2) : rest.substring(2, end);
        rest = end < 0 ? "/" : rest.substring(end);
      }
      // Local paths: Hadoop writes "file:/a", the JDK "file:///a"; repeated slashes are one.
      String path = scheme.equals("file") ? collapse(rest) : rest;
      return new Location(scheme + "://" + authority, path);
    }

    boolean under(Location dir) {
      String prefix = dir.path().endsWith("/") ? dir.path() : dir.path() + "/";
      return origin.equals(dir.origin()) && path.startsWith(prefix);
    }

    private static String collapse(String path) {
      return path.replaceAll("/{2,}", "/");
    }
  }
}
