package io.icegate.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.CodedOutputStream;
import com.google.rpc.RetryInfo;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.table.MetricsTable;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * The catalog goes away under running servers and comes back (issue 4, "Bad input": a catalog
 * that is down makes ingest answer 503 with Retry-After, and nothing acked is lost). Real parts
 * only: the real Nessie server (RocksDB, so a restart keeps the tables) as a child process,
 * killed with SIGKILL and restarted on the same port; two servers in this JVM on local disk, one
 * per Nessie branch.
 *
 * <p>With {@code ingest_requires_catalog} (the default) every protocol refuses while the catalog
 * is known down, in its own "retry later" shape: OTLP/HTTP 503 + Retry-After with an UNAVAILABLE
 * status body, OTLP/gRPC UNAVAILABLE + RetryInfo, Loki push and remote-write 503 + Retry-After.
 * With it off, ingest is acknowledged through the outage (the WAL needs no catalog). After the
 * restart the clients' retries are acknowledged, and once compacted each acknowledged record is
 * in its table exactly once.
 *
 * <p>Needs the Nessie jar ({@code .ci/run} puts it in target/test-servers, or {@code
 * ICEGATE_TEST_SERVERS}) and a JDK 21+ ({@code ICEGATE_JAVA21}); skipped with a message without.
 */
class CatalogOutageIngestTest {
  private static final String TENANT = "outage";
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @TempDir Path work;

  @Test
  void ingestIsRefusedWhileTheCatalogIsDownAndNothingAckedIsLost() throws Exception {
    Optional<Path> nessieJar = nessieJar();
    assumeTrue(nessieJar.isPresent(), "Nessie jar not found: run .ci/run once (target/test-servers)");
    Optional<Path> java21 = java21();
    assumeTrue(java21.isPresent(), "no JDK 21+ for Nessie (ICEGATE_JAVA21 or /usr/lib/jvm)");

    int port = freePort();
    Path logs = Files.createDirectories(work.resolve("logs"));
    List<String> nessieCommand =
        List.of(
            java21.get().resolve("bin/java").toString(),
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx384m",
            "-Dquarkus.http.host=127.0.0.1",
            "-Dquarkus.http.port=" + port,
            "-Dquarkus.management.host=127.0.0.1",
            "-Dquarkus.management.port=" + freePort(),
            "-Dnessie.version.store.type=ROCKSDB",
            "-Dnessie.version.store.persist.rocks.database-path="
                + Files.createDirectories(work.resolve("nessie")),
            "-jar", nessieJar.get().toString());
    URI api = URI.create("http://127.0.0.1:" + port + "/api/v2");
    Child nessie = Child.start(nessieCommand, logs, api);
    try {
      createBranch(api, "lenient");
      long t0 = System.currentTimeMillis() * 1_000_000L;
      long nowMs = System.currentTimeMillis();
      // Both servers start at once: each start spends seconds warming its query planner.
      ServerConfig strictConfig = config("strict", port, "main", true);
      ServerConfig lenientConfig = config("lenient", port, "lenient", false);
      CompletableFuture<IceGateServer> starting =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return IceGateServer.start(lenientConfig);
                } catch (IOException | InterruptedException e) {
                  throw new CompletionException(e);
                }
              });
      IceGateServer first;
      try {
        first = IceGateServer.start(strictConfig);
      } catch (IOException | RuntimeException e) {
        starting.thenAccept(
            server -> {
              try {
                server.close();
              } catch (IOException ignored) {
                // the test fails with e
              }
            });
        throw e;
      }
      try (IceGateServer strict = first;
          IceGateServer lenient = starting.get(3, TimeUnit.MINUTES)) {
        ManagedChannel channel =
            NettyChannelBuilder.forAddress("127.0.0.1", strict.otlpGrpcPort()).usePlaintext().build();
        try {
          List<String> acked = new ArrayList<>();
          List<String> lenientAcked = new ArrayList<>();

          // 1. Catalog up: every protocol is acknowledged.
          assertThat(otlpHttp(strict, "http-1", t0 + 1).statusCode()).isEqualTo(200);
          acked.add("http-1");
          grpc(channel, "grpc-1", t0 + 2);
          acked.add("grpc-1");
          assertThat(lokiPush(strict, "push-1", t0 + 3).statusCode()).isEqualTo(204);
          acked.add("push-1");
          assertThat(remoteWrite(strict, 1, nowMs - 2000).statusCode()).isEqualTo(204);
          assertThat(otlpHttp(lenient, "lenient-1", t0 + 4).statusCode()).isEqualTo(200);
          lenientAcked.add("lenient-1");

          // 2. Nessie killed: the probe notices within its interval (200 ms here).
          nessie.kill();
          await(() -> !strict.lake().catalogHealth().up(), "the strict server to see the outage");
          await(() -> !lenient.lake().catalogHealth().up(), "the lenient server to see it");

          HttpResponse<byte[]> refused = otlpHttp(strict, "http-2", t0 + 5);
          assertThat(refused.statusCode()).isEqualTo(503);
          assertThat(Integer.parseInt(refused.headers().firstValue("Retry-After").orElseThrow()))
              .isPositive();
          com.google.rpc.Status body = com.google.rpc.Status.parseFrom(refused.body());
          assertThat(body.getCode()).isEqualTo(14); // UNAVAILABLE
          assertThat(body.getMessage()).contains("catalog is unreachable");

          assertThatThrownBy(() -> grpc(channel, "grpc-2", t0 + 6))
              .isInstanceOfSatisfying(
                  StatusRuntimeException.class,
                  e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    com.google.rpc.Status status = StatusProto.fromThrowable(e);
                    try {
                      assertThat(
                              status.getDetails(0).unpack(RetryInfo.class).getRetryDelay()
                                  .getSeconds())
                          .isPositive();
                    } catch (com.google.protobuf.InvalidProtocolBufferException x) {
                      throw new AssertionError(x);
                    }
                  });
          HttpResponse<byte[]> pushRefused = lokiPush(strict, "push-2", t0 + 7);
          assertThat(pushRefused.statusCode()).isEqualTo(503);
          assertThat(pushRefused.headers().firstValue("Retry-After")).isPresent();
          assertThat(new String(pushRefused.body(), StandardCharsets.UTF_8))
              .contains("catalog is unreachable");
          HttpResponse<byte[]> writeRefused = remoteWrite(strict, 2, nowMs - 1000);
          assertThat(writeRefused.statusCode()).isEqualTo(503);
          assertThat(writeRefused.headers().firstValue("Retry-After")).isPresent();
          assertThat(get(strict.lokiPort(), "/ready").statusCode()).isEqualTo(200);
          assertThat(get(strict.lokiPort(), "/metrics").body())
              .contains("icegate_catalog_up 0.0");

          // ingest_requires_catalog: false — the WAL needs no catalog, so this is acknowledged.
          assertThat(otlpHttp(lenient, "lenient-2", t0 + 8).statusCode()).isEqualTo(200);
          lenientAcked.add("lenient-2");

          // 3. Nessie back on the same port: the probe sees it, the clients' retries go in.
          nessie = Child.start(nessieCommand, logs, api);
          await(() -> strict.lake().catalogHealth().up(), "the strict server to see Nessie back");
          assertThat(get(strict.lokiPort(), "/metrics").body())
              .contains("icegate_catalog_up 1.0");
          assertThat(otlpHttp(strict, "http-2", t0 + 5).statusCode()).isEqualTo(200);
          acked.add("http-2");
          grpc(channel, "grpc-2", t0 + 6);
          acked.add("grpc-2");
          assertThat(lokiPush(strict, "push-2", t0 + 7).statusCode()).isEqualTo(204);
          acked.add("push-2");
          assertThat(remoteWrite(strict, 2, nowMs - 1000).statusCode()).isEqualTo(204);

          // 4. Compacted through Nessie: each acknowledged record exactly once.
          compact(strict);
          compact(lenient);
          assertThat(strict.lake().table(LogsTable.NAME).wal().allSegments()).isEmpty();
          assertThat(bodies(strict.lake().table(LogsTable.NAME).table()))
              .containsExactlyInAnyOrderElementsOf(acked);
          assertThat(rows(strict.lake().table(MetricsTable.NAME).table())).isEqualTo(2);
          assertThat(bodies(lenient.lake().table(LogsTable.NAME).table()))
              .containsExactlyInAnyOrderElementsOf(lenientAcked);
        } finally {
          channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      }
    } finally {
      nessie.kill();
    }
  }

  private ServerConfig config(String name, int nessiePort, String ref, boolean requiresCatalog)
      throws IOException {
    Path file = work.resolve(name + ".yaml");
    Files.writeString(
        file,
        String.join(
            "\n",
            "data_dir: " + work.resolve(name),
            "host: 127.0.0.1",
            "otlp_http_port: 0",
            "loki_port: 0",
            "otlp_grpc_port: 0",
            "prometheus_port: 0",
            "wal_max_delay: 5ms",
            "compaction_interval: 1h",
            "compaction_min_age: 0s",
            "dedupe_window: 0s",
            "ingest_requires_catalog: " + requiresCatalog,
            "catalog_probe_interval: 200ms",
            "catalog:",
            "  type: nessie",
            "  uri: http://127.0.0.1:" + nessiePort + "/api/v2",
            "  ref: " + ref,
            ""));
    return ServerConfig.load(file).validate();
  }

  private static void compact(IceGateServer server) throws Exception {
    // The first commit after the restart may still meet a stale connection; a scheduler retries.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        server.lake().compact();
        return;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  private static List<String> bodies(Table table) throws IOException {
    table.refresh();
    List<String> bodies = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      for (Record r : records) {
        bodies.add(String.valueOf(r.getField(LogsTable.BODY)));
      }
    }
    return bodies;
  }

  private static long rows(Table table) throws IOException {
    table.refresh();
    long n = 0;
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      for (Record ignored : records) {
        n++;
      }
    }
    return n;
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  // ---- the protocols ----

  private static ExportLogsServiceRequest logs(String line, long t) {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .addScopeLogs(
                    ScopeLogs.newBuilder()
                        .addLogRecords(
                            LogRecord.newBuilder()
                                .setTimeUnixNano(t)
                                .setBody(AnyValue.newBuilder().setStringValue(line)))))
        .build();
  }

  private static HttpResponse<byte[]> otlpHttp(IceGateServer server, String line, long t)
      throws Exception {
    return post(server.otlpHttpPort(), "/v1/logs", "application/x-protobuf", null,
        logs(line, t).toByteArray());
  }

  private static void grpc(ManagedChannel channel, String line, long t) {
    MethodDescriptor<ExportLogsServiceRequest, ExportLogsServiceResponse> method =
        MethodDescriptor.<ExportLogsServiceRequest, ExportLogsServiceResponse>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("opentelemetry.proto.collector.logs.v1.LogsService/Export")
            .setRequestMarshaller(ProtoUtils.marshaller(ExportLogsServiceRequest.getDefaultInstance()))
            .setResponseMarshaller(
                ProtoUtils.marshaller(ExportLogsServiceResponse.getDefaultInstance()))
            .build();
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("x-scope-orgid", Metadata.ASCII_STRING_MARSHALLER), TENANT);
    ClientCalls.blockingUnaryCall(
        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
        method,
        CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS),
        logs(line, t));
  }

  private static HttpResponse<byte[]> lokiPush(IceGateServer server, String line, long t)
      throws Exception {
    String body =
        "{\"streams\":[{\"stream\":{\"service_name\":\"outage\"},\"values\":[[\"" + t + "\",\""
            + line + "\"]]}]}";
    return post(server.lokiPort(), "/loki/api/v1/push", "application/json", null,
        body.getBytes(StandardCharsets.UTF_8));
  }

  /** Remote-write 1.0: one sample of {@code outage_samples}, value {@code n}. */
  private static HttpResponse<byte[]> remoteWrite(IceGateServer server, int n, long atMs)
      throws Exception {
    byte[] series =
        fields(out -> {
          out.writeByteArray(1, fields(l -> {
            l.writeString(1, "__name__");
            l.writeString(2, "outage_samples");
          }));
          out.writeByteArray(2, fields(s -> {
            s.writeDouble(1, n);
            s.writeInt64(2, atMs);
          }));
        });
    byte[] write = Snappy.compress(fields(out -> out.writeByteArray(1, series)));
    return post(server.prometheusPort(), "/api/v1/write", "application/x-protobuf", "snappy",
        write);
  }

  private interface Fields {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] fields(Fields f) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    f.write(out);
    out.flush();
    return bytes.toByteArray();
  }

  private static HttpResponse<byte[]> post(
      int port, String path, String contentType, String encoding, byte[] body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", contentType)
            .header("X-Scope-OrgID", TENANT)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (encoding != null) {
      request.header("Content-Encoding", encoding);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A Nessie branch {@code name} from main's head, so a second server has tables of its own. */
  private static void createBranch(URI api, String name) throws Exception {
    String main =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(api + "/trees/main")).GET().build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher hash = Pattern.compile("\"hash\"\\s*:\\s*\"([0-9a-f]+)\"").matcher(main);
    assertThat(hash.find()).as(main).isTrue();
    HttpResponse<String> created =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(api + "/trees?name=" + name + "&type=BRANCH"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"type\":\"BRANCH\",\"name\":\"main\",\"hash\":\"" + hash.group(1)
                            + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
  }

  // ---- the Nessie process ----

  /** The Nessie server, killed with SIGKILL as a crashed catalog would be. */
  private static final class Child {
    private final Process process;

    private Child(Process process) {
      this.process = process;
    }

    static Child start(List<String> command, Path logs, URI api)
        throws IOException, InterruptedException {
      Path log = logs.resolve("nessie-" + System.nanoTime() + ".log");
      Process process =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      Child child = new Child(process);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("nessie exited; log:\n" + Files.readString(log));
        }
        try {
          if (get(api.getPort(), api.getPath() + "/config").statusCode() == 200) {
            return child;
          }
        } catch (IOException notYet) {
          // not listening yet
        } catch (Exception e) {
          child.kill();
          throw new IllegalStateException(e);
        }
        Thread.sleep(250);
      }
      child.kill();
      throw new IllegalStateException("nessie not ready; log:\n" + Files.readString(log));
    }

    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** {@code $ICEGATE_TEST_SERVERS}, else {@code target/test-servers} here or in a parent. */
  private static Optional<Path> nessieJar() {
    List<Path> candidates = new ArrayList<>();
    String env = System.getenv("ICEGATE_TEST_SERVERS");
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      candidates.add(p.resolve("target").resolve("test-servers"));
    }
    for (Path dir : candidates) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (DirectoryStream<Path> files =
          Files.newDirectoryStream(dir, "nessie-quarkus-*-runner.jar")) {
        for (Path file : files) {
          return Optional.of(file);
        }
      } catch (IOException e) {
        // next
      }
    }
    return Optional.empty();
  }

  /** $ICEGATE_JAVA21, else a JDK 21+ under /usr/lib/jvm, else this JVM when new enough. */
  private static Optional<Path> java21() {
    String env = System.getenv("ICEGATE_JAVA21");
    if (env != null && !env.isBlank()) {
      return Optional.of(Path.of(env));
    }
    Path jvms = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(jvms)) {
      try (Stream<Path> homes = Files.list(jvms)) {
        for (Path home : homes.sorted().toList()) {
          if (major(home) >= 21 && Files.isExecutable(home.resolve("bin/java"))) {
            return Optional.of(home);
          }
        }
      } catch (IOException e) {
        // fall through
      }
    }
    return Runtime.version().feature() >= 21
        ? Optional.of(Path.of(System.getProperty("java.home")))
        : Optional.empty();
  }

  private static int major(Path home) {
    try {
      for (String line : Files.readAllLines(home.resolve("release"))) {
        if (line.startsWith("JAVA_VERSION=")) {
          String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
          Matcher m = Pattern.compile("^(?:1\\.)?(\\d+)").matcher(v);
          return m.find() ? Integer.parseInt(m.group(1)) : 0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }
}
