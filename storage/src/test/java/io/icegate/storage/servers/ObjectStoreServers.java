package io.icegate.storage.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts the real S3 (Adobe S3Mock) and Nessie servers the object-storage tests run against —
 * once for the whole test run, on free loopback ports, in parallel — and stops them when the
 * run ends (JUnit's root store closes them). Test classes get the {@link Endpoints} as a
 * parameter of a {@code @BeforeAll} method.
 *
 * <p>The jars come from Maven Central through {@code .ci/run} ({@code mvn dependency:copy} into
 * {@code target/test-servers/} at the project root); they are found there, or in the directory
 * named by {@code ICEGATE_TEST_SERVERS}. Nessie needs Java 21 or newer: {@code ICEGATE_JAVA21}
 * (a JDK home), else the newest JDK under {@code /usr/lib/jvm}, else this JVM if it is new
 * enough. Without the jars (a laptop that never ran {@code .ci/run}) the tests are skipped with
 * a message saying so; CI fetches them and fails if it cannot.
 *
 * <p>Nessie also serves the Iceberg REST API (/iceberg) with a warehouse on S3Mock, which is why
 * S3Mock's port is chosen before either starts.
 */
public final class ObjectStoreServers
    implements ExecutionCondition, BeforeAllCallback, ParameterResolver {
  public static final String BUCKET = "warehouse";
  public static final String ACCESS_KEY = "test-access-key";
  public static final String SECRET_KEY = "test-secret-key";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  /** Where the running servers answer. */
  public record Endpoints(URI s3, URI nessieApiV2, URI icebergRest, String restWarehouse) {
    /** S3 storage in the shared bucket under a prefix of its own, so tests never meet. */
    public io.icegate.storage.LakeConfig.Storage.S3 freshStorage() {
      return new io.icegate.storage.LakeConfig.Storage.S3(
          BUCKET, "lake-" + UUID.randomUUID(), s3, "us-east-1", true, ACCESS_KEY, SECRET_KEY);
    }

    /** Creates a Nessie branch from main, so a test class has a catalog of its own. */
    public String newBranch(String prefix) {
      String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
      HttpClient http = HttpClient.newHttpClient();
      try {
        String main =
            http.send(
                    HttpRequest.newBuilder(nessieApiV2.resolve("v2/trees/main")).GET().build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher hash = Pattern.compile("\"hash\"\\s*:\\s*\"([0-9a-f]+)\"").matcher(main);
        if (!hash.find()) {
          throw new IllegalStateException("no hash for main in " + main);
        }
        HttpResponse<String> created =
            http.send(
                HttpRequest.newBuilder(
                        nessieApiV2.resolve("v2/trees?name=" + name + "&type=BRANCH"))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"type\":\"BRANCH\",\"name\":\"main\",\"hash\":\"" + hash.group(1)
                                + "\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 200) {
          throw new IllegalStateException("creating branch " + name + ": " + created.body());
        }
        return name;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** The two processes; closed by JUnit when the root context ends. */
  private static final class Running implements AutoCloseable,
      ExtensionContext.Store.CloseableResource {
    final Endpoints endpoints;
    final List<ServerProcess> processes;
    final Path s3Root;
    private boolean closed;

    Running(Endpoints endpoints, List<ServerProcess> processes, Path s3Root) {
      this.endpoints = endpoints;
      this.processes = processes;
      this.s3Root = s3Root;
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      processes.forEach(ServerProcess::close);
      deleteTree(s3Root);
    }
  }

  private static final String NO_JARS =
      "S3Mock and Nessie jars not found (target/test-servers/ at the project root, or"
          + " $ICEGATE_TEST_SERVERS): run .ci/run once to fetch them; skipping the object"
          + " storage tests";
  private static final String NO_JAVA21 =
      "no JDK 21+ for Nessie (set ICEGATE_JAVA21 or install one under /usr/lib/jvm)";

  /** Without the jars or a JDK for Nessie the class is skipped, and the report says why. */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (serverJarsDir().isEmpty()) {
      return ConditionEvaluationResult.disabled(NO_JARS);
    }
    if (java21().isEmpty()) {
      return ConditionEvaluationResult.disabled(NO_JAVA21);
    }
    return ConditionEvaluationResult.enabled("S3Mock and Nessie jars present");
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    running(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Endpoints.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return running(context).endpoints;
  }

  private static Running running(ExtensionContext context) {
    Optional<Path> dir = serverJarsDir();
    Assumptions.assumeTrue(dir.isPresent(), NO_JARS);
    Optional<Path> java21 = java21();
    Assumptions.assumeTrue(java21.isPresent(), NO_JAVA21);
    ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL);
    return store.getOrComputeIfAbsent(
        ObjectStoreServers.class, k -> start(dir.get(), java21.get()), Running.class);
  }

  private static Running start(Path jars, Path java21) {
    try {
      Path s3Jar = find(jars, "s3mock-", "-exec.jar");
      Path nessieJar = find(jars, "nessie-quarkus-", "-runner.jar");
      Path logs = Path.of("target", "test-server-logs").toAbsolutePath();
      Path s3Root = Files.createTempDirectory("icegate-s3mock");
      int s3Port = ServerProcess.freePort();
      int nessiePort = ServerProcess.freePort();
      int nessieManagementPort = ServerProcess.freePort();
      String s3Endpoint = "http://127.0.0.1:" + s3Port;
      // Small, quick-starting JVMs: these run next to the tests on two cores.
      List<String> fast = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx512m");
      List<String> s3 = new ArrayList<>();
      s3.add(javaIn(Path.of(System.getProperty("java.home"))));
      s3.addAll(fast);
      s3.addAll(
          List.of(
              "-jar", s3Jar.toString(),
              "--server.port=0",
              "--com.adobe.testing.s3mock.httpPort=" + s3Port,
              "--com.adobe.testing.s3mock.store.initialBuckets=" + BUCKET,
              "--com.adobe.testing.s3mock.store.root=" + s3Root));
      List<String> nessie = new ArrayList<>();
      nessie.add(javaIn(java21));
      nessie.addAll(fast);
      nessie.addAll(
          List.of(
              "-Dquarkus.http.host=127.0.0.1",
              "-Dquarkus.http.port=" + nessiePort,
              "-Dquarkus.management.host=127.0.0.1",
              "-Dquarkus.management.port=" + nessieManagementPort,
              // The Iceberg REST face needs an S3 warehouse (it rejects file://).
              "-Dnessie.catalog.default-warehouse=" + BUCKET,
              "-Dnessie.catalog.warehouses." + BUCKET + ".location=s3://" + BUCKET + "/rest",
              "-Dnessie.catalog.service.s3.default-options.endpoint=" + s3Endpoint,
              "-Dnessie.catalog.service.s3.default-options.path-style-access=true",
              "-Dnessie.catalog.service.s3.default-options.region=us-east-1",
              "-Dnessie.catalog.service.s3.default-options.access-key="
                  + "urn:nessie-secret:quarkus:icegate.s3",
              "-Dicegate.s3.name=" + ACCESS_KEY,
              "-Dicegate.s3.secret=" + SECRET_KEY,
              "-jar", nessieJar.toString()));
      ServerProcess s3Process = ServerProcess.start("S3Mock", s3, logs.resolve("s3mock.log"));
      ServerProcess nessieProcess;
      try {
        nessieProcess = ServerProcess.start("Nessie", nessie, logs.resolve("nessie.log"));
      } catch (IOException e) {
        s3Process.close();
        throw e;
      }
      Endpoints endpoints =
          new Endpoints(
              URI.create(s3Endpoint),
              URI.create("http://127.0.0.1:" + nessiePort + "/api/v2"),
              URI.create("http://127.0.0.1:" + nessiePort + "/iceberg"),
              BUCKET);
      Running running = new Running(endpoints, List.of(s3Process, nessieProcess), s3Root);
      // Also when the test JVM is stopped before JUnit gets to close the root store.
      Runtime.getRuntime().addShutdownHook(new Thread(running::close, "stop-test-servers"));
      CompletableFuture<Void> s3Ready =
          CompletableFuture.runAsync(
              () -> await(s3Process, URI.create(s3Endpoint + "/")));
      CompletableFuture<Void> nessieReady =
          CompletableFuture.runAsync(
              () -> await(nessieProcess,
                  URI.create("http://127.0.0.1:" + nessiePort + "/api/v2/config")));
      try {
        CompletableFuture.allOf(s3Ready, nessieReady).get();
      } catch (ExecutionException e) {
        running.close();
        throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
      }
      return running;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void await(ServerProcess process, URI url) {
    try {
      process.awaitReady(url, START_TIMEOUT);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code $ICEGATE_TEST_SERVERS}, else {@code target/test-servers} in this dir or a parent. */
  static Optional<Path> serverJarsDir() {
    String env = System.getenv("ICEGATE_TEST_SERVERS");
    List<Path> candidates = new ArrayList<>();
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      candidates.add(p.resolve("target").resolve("test-servers"));
    }
    for (Path candidate : candidates) {
      try {
        find(candidate, "s3mock-", "-exec.jar");
        find(candidate, "nessie-quarkus-", "-runner.jar");
        return Optional.of(candidate);
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

  /** A JDK 21+ home: $ICEGATE_JAVA21, the newest under /usr/lib/jvm, or this JVM. */
  static Optional<Path> java21() {
    String env = System.getenv("ICEGATE_JAVA21");
    if (env != null && !env.isBlank()) {
      return Optional.of(Path.of(env));
    }
    Path best = null;
    int bestVersion = 0;
    Path jvms = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(jvms)) {
      try (Stream<Path> homes = Files.list(jvms)) {
        for (Path home : homes.toList()) {
          int version = javaVersion(home);
          if (version >= 21 && version > bestVersion && Files.isExecutable(home.resolve("bin/java"))) {
            best = home;
            bestVersion = version;
          }
        }
      } catch (IOException e) {
        // fall through
      }
    }
    if (best != null) {
      return Optional.of(best);
    }
    return Runtime.version().feature() >= 21
        ? Optional.of(Path.of(System.getProperty("java.home")))
        : Optional.empty();
  }

  /** The major version from a JDK's {@code release} file, or 0. */
  private static int javaVersion(Path home) {
    try {
      for (String line : Files.readAllLines(home.resolve("release"))) {
        if (line.startsWith("JAVA_VERSION=")) {
          String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
          String major = v.startsWith("1.") ? v.substring(2) : v;
          int end = 0;
          while (end < major.length() && Character.isDigit(major.charAt(end))) {
            end++;
          }
          return end == 0 ? 0 : Integer.parseInt(major.substring(0, end));
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  private static String javaIn(Path home) {
    return home.resolve("bin").resolve("java").toString();
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp dir; leave it
    }
  }
}
