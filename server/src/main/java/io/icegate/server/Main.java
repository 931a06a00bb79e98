package io.icegate.server;

import io.icegate.server.config.ConfigException;
import io.icegate.server.config.ServerConfig;
import io.icegate.storage.table.LakeTables;
import io.icegate.storage.table.TableDefinition;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command line: {@code icegate serve [--data-dir DIR] [--config FILE] ...}. */
@Command(
    name = "icegate",
    mixinStandardHelpOptions = true,
    version = "IceGate 0.1.0",
    description = "Observability data lake: OTLP in, Loki/Prometheus/Tempo APIs out.",
    subcommands = {Main.Serve.class, Main.Compact.class, Main.Maintain.class})
public final class Main implements Runnable {
  public static void main(String[] args) {
    arrowWithoutBoundsChecks();
    int code = new CommandLine(new Main()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /**
   * Turns off Arrow's check of every buffer access against the buffer's bounds and reference
   * count, unless the operator chose ({@code -Darrow.enable_unsafe_memory_access} or {@code
   * ARROW_ENABLE_UNSAFE_MEMORY_ACCESS}). In a full log scan those checks were about a tenth of
   * the Java CPU. The tests keep them on, so an access out of bounds fails there. Call before
   * any Arrow buffer is touched: Arrow reads the setting once.
   */
  public static void arrowWithoutBoundsChecks() {
    if (System.getProperty("arrow.enable_unsafe_memory_access") == null
        && System.getenv("ARROW_ENABLE_UNSAFE_MEMORY_ACCESS") == null) {
      System.setProperty("arrow.enable_unsafe_memory_access", "true");
    }
  }

  /** Where the data is: a config file and/or a data directory. */
  static class DataOptions {
    @Option(names = "--config", description = "YAML config file")
    Path configFile;

    @Option(names = "--data-dir", description = "data directory (default ./data)")
    Path dataDir;

    ServerConfig load() throws java.io.IOException {
      ServerConfig config =
          configFile == null ? ServerConfig.defaults() : ServerConfig.load(configFile);
      return dataDir != null ? config.withDataDir(dataDir) : config;
    }
  }

  /** Compacts the whole WAL into the Iceberg tables once, then exits. */
  @Command(
      name = "compact",
      description = "Move all WAL segments into the Iceberg tables (and rewrite, once, the data "
          + "files of a lake the seed's IceGate wrote). With the embedded catalog "
          + "or local storage, only while serve is not running on the same data; with S3 it "
          + "may run beside serve replicas (one compaction at a time, through a lease).")
  static final class Compact implements Callable<Integer> {
    @picocli.CommandLine.Mixin DataOptions data = new DataOptions();

    @Override
    public Integer call() throws Exception {
      ServerConfig config;
      try {
        config = data.load().validate();
      } catch (ConfigException e) {
        System.err.println("invalid configuration: " + e.getMessage());
        return 2;
      }
      // Everything is due now, whatever its age.
      config =
          config.withCompaction(
              new ServerConfig.Compaction(
                  config.compaction().interval(),
                  java.time.Duration.ZERO,
                  config.compaction().maxInputBytes(),
                  // Offline: no client can be retrying against this process.
                  java.time.Duration.ZERO,
                  config.compaction().leaseTtl(),
                  config.compaction().walBytes()));
      int segments = 0;
      long rows = 0;
      long seedRows = 0;
      try (var lake = IceGateServer.openLake(config)) {
        // Table by table until nothing is due; a table adopted from the seed's IceGate also has
        // its files rewritten with our derived columns, a bounded part per run (SeedBackfill).
        for (TableDefinition table : LakeTables.ALL) {
          while (true) {
            var result = lake.compact(table.name());
            if (result.segments() == 0 && result.seedRows() == 0) {
              break;
            }
            segments += result.segments();
            rows += result.rows();
            seedRows += result.seedRows();
          }
        }
      }
      System.out.printf("compacted %d WAL segments, %d rows%n", segments, rows);
      if (seedRows > 0) {
        System.out.printf("rewrote %d rows the seed's IceGate wrote, with our derived columns%n",
            seedRows);
      }
      return 0;
    }
  }

  /**
   * Expires old snapshots and deletes orphan files and compacted WAL segments once, table by
   * table, then exits: what {@code serve} does every {@code maintenance_interval}.
   */
  @Command(
      name = "maintain",
      description = "Expire Iceberg snapshots older than snapshot_max_age (keeping "
          + "min_snapshots_to_keep) and delete the files only they referenced; delete files "
          + "no snapshot references that are older than orphan_min_age, and WAL segments "
          + "compacted longer ago than the query timeout. Like compact: with the embedded catalog "
          + "or local storage only while serve is not running on the same data; with S3 beside "
          + "serve replicas (through the compaction lease). Run compact first to include the WAL.")
  static final class Maintain implements Callable<Integer> {
    @picocli.CommandLine.Mixin DataOptions data = new DataOptions();

    @Option(
        names = "--snapshot-max-age",
        description = "expire snapshots older than this (e.g. 5d; default: the config's)")
    String snapshotMaxAge;

    @Option(
        names = "--min-snapshots-to-keep",
        description = "keep at least this many snapshots (default: the config's)")
    Integer minSnapshotsToKeep;

    @Option(
        names = "--orphan-min-age",
        description = "delete unreferenced files older than this, at least 1d (default: the "
            + "config's)")
    String orphanMinAge;

    @Override
    public Integer call() throws Exception {
      ServerConfig config;
      try {
        config = data.load();
        ServerConfig.Maintenance m = config.maintenance();
        config =
            config.withMaintenance(
                new ServerConfig.Maintenance(
                    m.interval(),
                    snapshotMaxAge != null
                        ? ServerConfig.parseDuration("--snapshot-max-age", snapshotMaxAge)
                        : m.snapshotMaxAge(),
                    minSnapshotsToKeep != null ? minSnapshotsToKeep : m.minSnapshotsToKeep(),
                    orphanMinAge != null
                        ? ServerConfig.parseDuration("--orphan-min-age", orphanMinAge)
                        : m.orphanMinAge()))
                .validate();
      } catch (ConfigException e) {
        System.err.println("invalid configuration: " + e.getMessage());
        return 2;
      }
      int failed = 0;
      try (var lake = IceGateServer.openLake(config)) {
        for (TableDefinition table : LakeTables.ALL) {
          try {
            var r = lake.maintain(table.name());
            if (r.skipped() != null) {
              System.out.printf("%s: skipped, %s%n", table.name(), r.skipped());
            }
            System.out.printf(
                "%s: %d snapshots expired, %d files deleted with them, %d orphan files deleted"
                    + " (%d younger than the guard kept), %d WAL segments deleted%n",
                table.name(), r.expiredSnapshots(), r.expiredFiles(), r.orphanFiles(),
                r.youngOrphans(), r.walSegments());
          } catch (java.io.IOException | RuntimeException e) {
            // The other tables are still maintained; this one is tried again next time.
            System.err.printf("%s: maintenance failed: %s%n", table.name(), e);
            failed++;
          }
        }
      }
      return failed == 0 ? 0 : 1;
    }
  }

  /** Runs every role in this process until SIGTERM/SIGINT. */
  @Command(
      name = "serve",
      description = "Start the server (catalog and storage from --config; default: embedded "
          + "catalog and local data dir).")
  static final class Serve implements Callable<Integer> {
    @picocli.CommandLine.Mixin DataOptions data = new DataOptions();

    @Option(names = "--host", description = "address to listen on (default 0.0.0.0)")
    String host;

    @Option(names = "--otlp-http-port", description = "OTLP/HTTP port (default 4318)")
    Integer otlpHttpPort;

    @Option(names = "--loki-port", description = "Loki API port (default 3100)")
    Integer lokiPort;

    @Option(
        names = "--otlp-grpc-port",
        description = "OTLP/gRPC port (default 4317; -1 = none; follows --otlp-http-port 0)")
    Integer otlpGrpcPort;

    @Option(
        names = "--prometheus-port",
        description = "Prometheus API port (default 9090; -1 = none; follows --loki-port 0)")
    Integer prometheusPort;

    @Override
    public Integer call() throws Exception {
      ServerConfig config;
      try {
        config = data.load();
        config =
            config.withPorts(
                host != null ? host : config.host(),
                otlpHttpPort != null ? otlpHttpPort : config.otlpHttpPort(),
                lokiPort != null ? lokiPort : config.lokiPort());
        config =
            config.withPorts(
                config.host(),
                config.otlpHttpPort(),
                config.lokiPort(),
                otlpGrpcPort != null ? otlpGrpcPort : config.otlpGrpcPort(),
                prometheusPort != null ? prometheusPort : config.prometheusPort());
        config.validate();
      } catch (ConfigException e) {
        System.err.println("invalid configuration: " + e.getMessage());
        return 2;
      }
      IceGateServer server = IceGateServer.start(config);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      server.close();
                    } catch (Exception e) {
                      e.printStackTrace();
                    } finally {
                      stopped.countDown();
                    }
                  },
                  "icegate-shutdown"));
      System.out.printf(
          "IceGate serving: OTLP/HTTP :%d, Loki :%d, OTLP/gRPC :%d, Prometheus :%d, catalog %s,"
              + " storage %s, data %s%n",
          server.otlpHttpPort(), server.lokiPort(), server.otlpGrpcPort(),
          server.prometheusPort(), config.catalog(), config.storage(),
          config.dataDir().toAbsolutePath());
      stopped.await();
      return 0;
    }
  }
}
