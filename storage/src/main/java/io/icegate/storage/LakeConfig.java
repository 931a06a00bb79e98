package io.icegate.storage;

import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.maintenance.MaintenancePolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Where the lake lives and how it behaves: which Iceberg catalog holds the table pointers, which
 * object storage holds the data files and the WAL, and the WAL/compaction timings. Built by the
 * server from its config (already validated there, key by key); the constructors here check
 * only what would otherwise fail obscurely later.
 *
 * @param dataDir local directory: the embedded catalog's SQLite file, and with local storage the
 *     warehouse and the WAL
 * @param catalog the Iceberg catalog
 * @param storage where data files and WAL segments are written
 * @param walMaxDelay how long an append waits for others to share its segment
 * @param compaction when segments are compacted; its minimum ages (by age and by WAL bytes) are
 *     raised to the dedupe window
 * @param dedupeWindow how long after its ack a client's retry is recognised
 * @param walListInterval with shared (object) storage: how stale the list of segments written by
 *     other replicas, and the catalog's snapshot, may be when a query plans its scan
 * @param compactionLeaseTtl with shared storage: how long one replica's claim to run compaction
 *     lasts; a run that would outlive it does not commit
 * @param maintenance snapshot retention and orphan clean-up ({@link Lake#maintain()}); its
 *     snapshot age is raised to the compaction's retire grace and its orphan age to the lease
 *     TTL, so no query's snapshot and no running compaction's files are removed
 * @param catalogProbeInterval how often the catalog's health is probed ({@link
 *     io.icegate.storage.catalog.CatalogHealth}), and so how soon an outage (and the end of one)
 *     is noticed
 */
public record LakeConfig(
    Path dataDir,
    Catalog catalog,
    Storage storage,
    Duration walMaxDelay,
    Compactor.Policy compaction,
    Duration dedupeWindow,
    Duration walListInterval,
    Duration compactionLeaseTtl,
    MaintenancePolicy maintenance,
    Duration catalogProbeInterval) {

  /** The default of {@code catalogProbeInterval}. */
  public static final Duration DEFAULT_CATALOG_PROBE_INTERVAL = Duration.ofSeconds(2);

  public LakeConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(catalog, "catalog");
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(walMaxDelay, "walMaxDelay");
    Objects.requireNonNull(compaction, "compaction");
    Objects.requireNonNull(dedupeWindow, "dedupeWindow");
    Objects.requireNonNull(walListInterval, "walListInterval");
    Objects.requireNonNull(compactionLeaseTtl, "compactionLeaseTtl");
    Objects.requireNonNull(maintenance, "maintenance");
    Objects.requireNonNull(catalogProbeInterval, "catalogProbeInterval");
    if (catalogProbeInterval.isNegative() || catalogProbeInterval.isZero()) {
      throw new IllegalArgumentException("catalogProbeInterval must be positive");
    }
  }

  /** With the default catalog probe interval. */
  public LakeConfig(
      Path dataDir, Catalog catalog, Storage storage, Duration walMaxDelay,
      Compactor.Policy compaction, Duration dedupeWindow, Duration walListInterval,
      Duration compactionLeaseTtl, MaintenancePolicy maintenance) {
    this(dataDir, catalog, storage, walMaxDelay, compaction, dedupeWindow, walListInterval,
        compactionLeaseTtl, maintenance, DEFAULT_CATALOG_PROBE_INTERVAL);
  }

  /** With the default maintenance policy ({@link MaintenancePolicy#DEFAULT}). */
  public LakeConfig(
      Path dataDir, Catalog catalog, Storage storage, Duration walMaxDelay,
      Compactor.Policy compaction, Duration dedupeWindow, Duration walListInterval,
      Duration compactionLeaseTtl) {
    this(dataDir, catalog, storage, walMaxDelay, compaction, dedupeWindow, walListInterval,
        compactionLeaseTtl, MaintenancePolicy.DEFAULT);
  }

  /** Local disk and the embedded catalog in {@code dataDir}: the zero-set-up defaults. */
  public static LakeConfig local(Path dataDir) {
    return new LakeConfig(
        dataDir,
        new Catalog.Embedded(),
        new Storage.Local(),
        Duration.ofMillis(5),
        Compactor.Policy.DEFAULT,
        Duration.ofMinutes(5),
        Duration.ofSeconds(1),
        Duration.ofMinutes(10),
        MaintenancePolicy.DEFAULT);
  }

  public LakeConfig withCatalog(Catalog newCatalog) {
    return new LakeConfig(dataDir, newCatalog, storage, walMaxDelay, compaction, dedupeWindow,
        walListInterval, compactionLeaseTtl, maintenance, catalogProbeInterval);
  }

  public LakeConfig withStorage(Storage newStorage) {
    return new LakeConfig(dataDir, catalog, newStorage, walMaxDelay, compaction, dedupeWindow,
        walListInterval, compactionLeaseTtl, maintenance, catalogProbeInterval);
  }

  public LakeConfig withWal(Duration maxDelay, Duration listInterval) {
    return new LakeConfig(dataDir, catalog, storage, maxDelay, compaction, dedupeWindow,
        listInterval, compactionLeaseTtl, maintenance, catalogProbeInterval);
  }

  public LakeConfig withCompaction(
      Compactor.Policy policy, Duration newDedupeWindow, Duration leaseTtl) {
    return new LakeConfig(dataDir, catalog, storage, walMaxDelay, policy, newDedupeWindow,
        walListInterval, leaseTtl, maintenance, catalogProbeInterval);
  }

  public LakeConfig withCatalogProbeInterval(Duration interval) {
    return new LakeConfig(dataDir, catalog, storage, walMaxDelay, compaction, dedupeWindow,
        walListInterval, compactionLeaseTtl, maintenance, interval);
  }

  public LakeConfig withMaintenance(MaintenancePolicy policy) {
    return new LakeConfig(dataDir, catalog, storage, walMaxDelay, compaction, dedupeWindow,
        walListInterval, compactionLeaseTtl, policy, catalogProbeInterval);
  }

  /** The Iceberg catalog that holds the table pointers. */
  public sealed interface Catalog {
    /** Iceberg's JdbcCatalog on an SQLite file in the data directory; one process only. */
    record Embedded() implements Catalog {}

    /**
     * Nessie through Iceberg's NessieCatalog (Nessie API v2).
     *
     * @param uri the API v2 root, e.g. {@code http://nessie:19120/api/v2}
     * @param ref the branch commits go to
     * @param warehouse where new tables are created; null = the storage's default warehouse
     */
    record Nessie(URI uri, String ref, String warehouse) implements Catalog {
      public Nessie {
        Objects.requireNonNull(uri, "catalog uri");
        ref = ref == null || ref.isBlank() ? "main" : ref;
      }
    }

    /**
     * Any Iceberg REST catalog.
     *
     * @param uri the REST root (the part before {@code /v1/config})
     * @param warehouse the {@code warehouse} property sent to the server (its meaning is the
     *     server's: a location or a name); null = none
     * @param properties further catalog properties (credentials, OAuth, headers), passed as is
     */
    record Rest(URI uri, String warehouse, Map<String, String> properties) implements Catalog {
      public Rest {
        Objects.requireNonNull(uri, "catalog uri");
        properties = properties == null ? Map.of() : Map.copyOf(properties);
      }

      @Override
      public String toString() {
        // Property values may be credentials or tokens: print only their names.
        return "Rest[uri=" + uri + ", warehouse=" + warehouse + ", properties="
            + properties.keySet() + "]";
      }
    }
  }

  /** Where data files and WAL segments are written. */
  public sealed interface Storage {
    /** The local filesystem under the data directory. */
    record Local() implements Storage {}

    /**
     * An S3-compatible object store. The warehouse is {@code s3://bucket/prefix/warehouse} and
     * the WAL {@code s3://bucket/prefix/wal/<table>/}.
     *
     * @param bucket the bucket
     * @param prefix key prefix inside the bucket, without leading or trailing slash; "" = none
     * @param endpoint endpoint override (MinIO, S3Mock, …); null = AWS's regional endpoint
     * @param region the signing region; null = the SDK's chain (AWS_REGION, profile, …)
     * @param pathStyleAccess {@code http://host/bucket/key} instead of virtual-host style
     * @param accessKeyId static credentials; null = the SDK's default chain (AWS_ACCESS_KEY_ID /
     *     AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, profile, web identity, instance role)
     * @param secretAccessKey the secret belonging to {@code accessKeyId}
     */
    record S3(
        String bucket,
        String prefix,
        URI endpoint,
        String region,
        boolean pathStyleAccess,
        String accessKeyId,
        String secretAccessKey)
        implements Storage {
      public S3 {
        if (bucket == null || bucket.isBlank()) {
          throw new IllegalArgumentException("s3 storage needs a bucket");
        }
        prefix = prefix == null ? "" : stripSlashes(prefix);
        if ((accessKeyId == null) != (secretAccessKey == null)) {
          throw new IllegalArgumentException(
              "s3 access key id and secret access key go together");
        }
      }

      /** {@code s3://bucket/prefix/} + {@code path}. */
      public String uri(String path) {
        return "s3://" + bucket + "/" + key(path);
      }

      /** The object key of {@code path} under the prefix. */
      public String key(String path) {
        return prefix.isEmpty() ? path : prefix + "/" + path;
      }

      private static String stripSlashes(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == '/') {
          start++;
        }
        while (end > start && s.charAt(end - 1) == '/') {
          end--;
        }
        return s.substring(start, end);
      }

      @Override
      public String toString() {
        // Never print the secret.
        return "S3[bucket=" + bucket + ", prefix=" + prefix + ", endpoint=" + endpoint
            + ", region=" + region + ", pathStyleAccess=" + pathStyleAccess + ", credentials="
            + (accessKeyId == null ? "default chain" : "static") + "]";
      }
    }
  }
}
