package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * The object store and the catalog go away under a running server and come back (issue 4, "Bad
 * input": a store that is down makes ingest answer 503 with Retry-After, and nothing acked is
 * lost). Real parts only: the server in this JVM on S3 + Nessie, S3Mock and Nessie as child
 * processes, killed with SIGKILL and restarted on the same port and data directory.
 *
 * <p>While S3 is down every ingest protocol answers in its own "retry later" shape: OTLP/HTTP
 * 503 + Retry-After with an UNAVAILABLE status body, OTLP/gRPC UNAVAILABLE, Loki push and
 * remote-write 503 + Retry-After; the server keeps serving. While Nessie is down ingest goes on
 * (the WAL lives on S3 alone) and compaction fails without losing anything. Once both are back,
 * the refused requests are retried as a client would, and every acknowledged record is found
 * exactly once, before and after compaction.
 *
 * <p>Needs the S3Mock and Nessie jars (.ci/run puts them in target/test-servers) and a JDK 21+
 * for Nessie; skipped with a message without them.
 */
class StorageOutageTest {
  private static final String TENANT = "outage";
  private static final String BUCKET = "warehouse";
  private static final String ACCESS_KEY = "test-access-key";
  private static final String SECRET_KEY = "test-secret-key";
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  @Test
  void storeAndCatalogOutagesAreAnswered503AndNothingAckedIsLost() throws Exception {
    Optional<Path> jars = serverJars();
    assumeTrue(jars.isPresent(), "S3Mock/Nessie jars not found: run .ci/run once (target/test-servers)");
    Optional<Path> java21 = java21();
    assumeTrue(java21.isPresent(), "no JDK 21+ for Nessie (ICEGATE_JAVA21 or /usr/lib/jvm)");
    Path s3Jar = find(jars.get(), "s3mock-", "-exec.jar");
    Path nessieJar = find(jars.get(), "nessie-quarkus-", "-runner.jar");

    int s3Port = freePort();
    int nessiePort = freePort();
    int nessieManagement = freePort();
    Path s3Root = Files.createDirectories(work.resolve("s3"));
    Path nessieDb = Files.createDirectories(work.resolve("nessie"));
    Path logs = Files.createDirectories(work.resolve("logs"));
    List<String> s3Command =
        List.of(
            java(Path.of(System.getProperty("java.home"))),
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx384m",
            "-jar", s3Jar.toString(),
            "--server.port=0",
            "--com.adobe.testing.s3mock.httpPort=" + s3Port,
            "--com.adobe.testing.s3mock.store.initialBuckets=" + BUCKET,
            "--com.adobe.testing.s3mock.store.retainFilesOnExit=true",
            "--com.adobe.testing.s3mock.store.root=" + s3Root);
    // RocksDB, not the in-memory store: a restarted Nessie must still know the tables.
    List<String> nessieCommand =
        List.of(
            java(java21.get()),
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx384m",
            "-Dquarkus.http.host=127.0.0.1",
            "-Dquarkus.http.port=" + nessiePort,
            "-Dquarkus.management.host=127.0.0.1",
            "-Dquarkus.management.port=" + nessieManagement,
            "-Dnessie.version.store.type=ROCKSDB",
            "-Dnessie.version.store.persist.rocks.database-path=" + nessieDb,
            "-jar", nessieJar.toString());
    URI s3Ready = URI.create("http://127.0.0.1:" + s3Port + "/");
    URI nessieReady = URI.create("http://127.0.0.1:" + nessiePort + "/api/v2/config");

    Child s3 = Child.start("s3mock", s3Command, logs, s3Ready);
    Child nessie = null;
    try {
      nessie = Child.start("nessie", nessieCommand, logs, nessieReady);
      Path config = work.resolve("icegate.yaml");
      Files.writeString(
          config,
          String.join(
              "\n",
              "data_dir: " + work.resolve("data"),
              "host: 127.0.0.1",
              "otlp_http_port: 0",
              "loki_port: 0",
              "otlp_grpc_port: 0",
              "prometheus_port: 0",
              "wal_max_delay: 5ms",
              "compaction_interval: 1h",
              // The opt-out: with the default, ingest answers 503 once it knows the catalog is
              // down (CatalogOutageIngestTest); here the WAL alone carries ingest through.
              "ingest_requires_catalog: false",
              "catalog:",
              "  type: nessie",
              "  uri: http://127.0.0.1:" + nessiePort + "/api/v2",
              "  ref: main",
              "storage:",
              "  type: s3",
              "  bucket: " + BUCKET,
              "  prefix: lake",
              "  endpoint: http://127.0.0.1:" + s3Port,
              "  region: us-east-1",
              "  path_style_access: true",
              "  access_key_id: " + ACCESS_KEY,
              "  secret_access_key: " + SECRET_KEY,
              ""));
      long now = System.currentTimeMillis();
      long t0 = now * 1_000_000L;
      try (IceGateServer server = IceGateServer.start(ServerConfig.load(config))) {
        ManagedChannel channel =
            NettyChannelBuilder.forAddress("127.0.0.1", server.otlpGrpcPort()).usePlaintext().build();
        try {
          List<String> acked = new ArrayList<>();

          // 1. Everything up: every protocol is acknowledged.
          assertThat(otlpHttp(server, "http-1", t0 + 1).status()).isEqualTo(200);
          acked.add("http-1");
          grpc(channel, "grpc-1", t0 + 2);
          acked.add("grpc-1");
          assertThat(lokiPush(server, "push-1", t0 + 3).statusCode()).isEqualTo(204);
          acked.add("push-1");
          assertThat(remoteWrite(server, 1, now - 2000).statusCode()).isEqualTo(204);

          // 2. S3 killed: "retry later" in every protocol's shape; the server keeps serving.
          s3.kill();
          RawOtlpHttp.Answer refused = otlpHttp(server, "http-2", t0 + 4);
          assertThat(refused.status()).isEqualTo(503);
          assertThat(refused.retryAfter()).isNotNull();
          assertThat(Integer.parseInt(refused.retryAfter())).isPositive();
          assertThat(refused.otlp().statusCode()).isEqualTo(14); // UNAVAILABLE
          assertThatThrownBy(() -> grpc(channel, "grpc-2", t0 + 5))
              .isInstanceOfSatisfying(
                  StatusRuntimeException.class,
                  e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
          HttpResponse<String> pushRefused = lokiPush(server, "push-2", t0 + 6);
          assertThat(pushRefused.statusCode()).isEqualTo(503);
          assertThat(pushRefused.headers().firstValue("Retry-After")).isPresent();
          HttpResponse<String> writeRefused = remoteWrite(server, 2, now - 1000);
          assertThat(writeRefused.statusCode()).isEqualTo(503);
          assertThat(writeRefused.headers().firstValue("Retry-After")).isPresent();
          assertThat(get(server.lokiPort(), "/ready").statusCode()).isEqualTo(200);
          assertThat(get(server.otlpHttpPort(), "/metrics").statusCode()).isEqualTo(200);

          // 3. S3 back on the same port and directory: the clients' retries are acknowledged.
          s3 = Child.start("s3mock", s3Command, logs, s3Ready);
          awaitAck(() -> otlpHttp(server, "http-2", t0 + 4).status() == 200);
          acked.add("http-2");
          grpc(channel, "grpc-2", t0 + 5);
          acked.add("grpc-2");
          assertThat(lokiPush(server, "push-2", t0 + 6).statusCode()).isEqualTo(204);
          acked.add("push-2");
          assertThat(remoteWrite(server, 2, now - 1000).statusCode()).isEqualTo(204);
          assertThat(otlpHttp(server, "http-3", t0 + 7).status()).isEqualTo(200);
          acked.add("http-3");
          assertThat(lines(server, t0)).containsExactlyInAnyOrderElementsOf(acked);

          // 4. Nessie killed: the WAL needs only S3, so ingest (opted out of the catalog check) is
          // still acknowledged; a compaction fails and leaves everything where it was.
          nessie.kill();
          assertThat(otlpHttp(server, "http-4", t0 + 8).status()).isEqualTo(200);
          acked.add("http-4");
          assertThatThrownBy(() -> server.lake().compact()).isInstanceOf(Exception.class);
          assertThat(lines(server, t0)).containsExactlyInAnyOrderElementsOf(acked);

          // 5. Nessie back: compaction commits, and every acked record is there exactly once.
          nessie = Child.start("nessie", nessieCommand, logs, nessieReady);
          awaitAck(
              () -> {
                try {
                  server.lake().compact();
                  return true;
                } catch (Exception e) {
                  return false;
                }
              });
          assertThat(lines(server, t0)).containsExactlyInAnyOrderElementsOf(acked);
          assertThat(samples(server, now)).isEqualTo(2);
        } finally {
          channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      }
    } finally {
      s3.kill();
      if (nessie != null) {
        nessie.kill();
      }
    }
  }

  // ---- the protocols ----

  private static RawOtlpHttp.Answer otlpHttp(IceGateServer server, String line, long t) {
    return new RawOtlpHttp(server.otlpHttpPort())
        .post(
            "/v1/logs", OtlpHttpClient.PROTOBUF, Map.of("X-Scope-OrgID", TENANT),
            OtlpBodies.protobuf("outage", List.of(new SentLine(t, line))));
  }

  private static void grpc(ManagedChannel channel, String line, long t) throws IOException {
    ExportLogsServiceRequest request =
        ExportLogsServiceRequest.parseFrom(
            OtlpBodies.protobuf("outage", List.of(new SentLine(t, line))));
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
        request);
  }

  private static HttpResponse<String> lokiPush(IceGateServer server, String line, long t)
      throws Exception {
    String body =
        "{\"streams\":[{\"stream\":{\"service_name\":\"outage\"},\"values\":[[\"" + t + "\",\""
            + line + "\"]]}]}";
    return post(server.lokiPort(), "/loki/api/v1/push", "application/json", null,
        body.getBytes(StandardCharsets.UTF_8));
  }

  /** One sample of {@code outage_samples} per request, value {@code n}. */
  private static HttpResponse<String> remoteWrite(IceGateServer server, int n, long atMs)
      throws Exception {
    byte[] write =
        Snappy.compress(
            SignalsIngestTest.message(
                1,
                SignalsIngestTest.timeSeries(
                    Map.of("__name__", "outage_samples", "job", "outage"),
                    new double[] {n}, new long[] {atMs})));
    return post(server.prometheusPort(), "/api/v1/write", "application/x-protobuf", "snappy",
        write);
  }

  private static List<String> lines(IceGateServer server, long t0) {
    LokiResponse answer =
        new LokiClient(server::lokiPort)
            .queryRange(
                LokiQuery.of("{service_name=\"outage\"}")
                    .between(t0 - 60_000_000_000L, t0 + 60_000_000_000L)
                    .limit(1000)
                    .forward()
                    .tenant(TENANT));
    assertThat(answer.status()).as(answer.rawBody()).isEqualTo(200);
    return answer.lines();
  }

  /** How many remote-write samples the metrics table holds, through PromQL. */
  private static int samples(IceGateServer server, long nowMs) throws Exception {
    String query = URLEncoder.encode("count_over_time(outage_samples[5m])", StandardCharsets.UTF_8);
    HttpResponse<String> answer =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.prometheusPort() + "/api/v1/query?query="
                        + query + "&time=" + (nowMs / 1000.0 + 1)))
                .header("X-Scope-OrgID", TENANT)
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    JsonNode result = JSON.readTree(answer.body()).path("data").path("result");
    assertThat(result.size()).as(answer.body()).isEqualTo(1);
    return Integer.parseInt(result.get(0).path("value").get(1).asText());
  }

  private static HttpResponse<String> post(
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
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private interface Attempt {
    boolean succeeded() throws Exception;
  }

  /** Retries as a client honouring Retry-After would, for at most a minute. */
  private static void awaitAck(Attempt attempt) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (attempt.succeeded()) {
        return;
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("not acknowledged within a minute of the store coming back");
  }

  // ---- the child processes ----

  /** A server process (S3Mock or Nessie) that the test kills with SIGKILL. */
  private static final class Child {
    private final Process process;

    private Child(Process process) {
      this.process = process;
    }

    static Child start(String name, List<String> command, Path logs, URI ready)
        throws IOException, InterruptedException {
      Path log = logs.resolve(name + "-" + System.nanoTime() + ".log");
      Process process =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      Child child = new Child(process);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException(name + " exited; log:\n" + Files.readString(log));
        }
        try {
          if (get(ready.getPort(), ready.getPath()).statusCode() == 200) {
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
      throw new IllegalStateException(name + " not ready; log:\n" + Files.readString(log));
    }

    /** SIGKILL: no shutdown hooks, no flushing — as a crashed server. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String java(Path home) {
    return home.resolve("bin").resolve("java").toString();
  }

  /** {@code $ICEGATE_TEST_SERVERS}, else {@code target/test-servers} here or in a parent. */
  private static Optional<Path> serverJars() {
    List<Path> candidates = new ArrayList<>();
    String env = System.getenv("ICEGATE_TEST_SERVERS");
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      candidates.add(p.resolve("target").resolve("test-servers"));
    }
    for (Path c : candidates) {
      try {
        find(c, "s3mock-", "-exec.jar");
        find(c, "nessie-quarkus-", "-runner.jar");
        return Optional.of(c);
      } catch (IOException | IllegalStateException notHere) {
        // next
      }
    }
    return Optional.empty();
  }

  private static Path find(Path dir, String prefix, String suffix) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException(dir + " is not a directory");
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, prefix + "*" + suffix)) {
      for (Path file : files) {
        return file;
      }
    }
    throw new IllegalStateException("no " + prefix + "*" + suffix + " in " + dir);
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
          String digits = v.startsWith("1.") ? v.substring(2) : v;
          int end = 0;
          while (end < digits.length() && Character.isDigit(digits.charAt(end))) {
            end++;
          }
          return end == 0 ? 0 : Integer.parseInt(digits.substring(0, end));
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }
}
