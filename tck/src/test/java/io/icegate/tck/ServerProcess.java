package io.icegate.tck;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shaded server jar running as a child process, as operators run it: {@code java -jar
 * icegate-server.jar serve ...}. It listens on ports the OS picks (port 0) and reports them in its
 * ready line; its stdout and stderr go to files, so a full pipe can never block it.
 */
final class ServerProcess implements AutoCloseable {
  private static final Pattern READY =
      Pattern.compile("IceGate serving: OTLP/HTTP :(\\d+), Loki :(\\d+)");

  private final Process process;
  private final Path stdout;
  private final Path stderr;
  private final int otlpHttpPort;
  private final int lokiPort;

  private ServerProcess(Process process, Path stdout, Path stderr, int otlpHttpPort, int lokiPort) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
    this.otlpHttpPort = otlpHttpPort;
    this.lokiPort = lokiPort;
  }

  /** Starts the jar on {@code dataDir} and waits for its ready line. */
  static ServerProcess start(Path jar, Path dataDir, Path logDir, Duration readyWithin)
      throws IOException, InterruptedException {
    Files.createDirectories(logDir);
    Path stdout = logDir.resolve("stdout.log");
    Path stderr = logDir.resolve("stderr.log");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-Xmx512m",
                    "-jar",
                    jar.toString(),
                    "serve",
                    "--data-dir",
                    dataDir.toString(),
                    "--host",
                    "127.0.0.1",
                    "--otlp-http-port",
                    "0",
                    "--loki-port",
                    "0"))
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    long deadline = System.nanoTime() + readyWithin.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher ready = READY.matcher(Files.readString(stdout, StandardCharsets.UTF_8));
      if (ready.find()) {
        return new ServerProcess(
            process,
            stdout,
            stderr,
            Integer.parseInt(ready.group(1)),
            Integer.parseInt(ready.group(2)));
      }
      if (!process.isAlive()) {
        break;
      }
      Thread.sleep(50);
    }
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    throw new AssertionError(
        "server did not report ready (exit "
            + (process.isAlive() ? "none" : process.exitValue())
            + "):\n"
            + Files.readString(stdout)
            + Files.readString(stderr));
  }

  int otlpHttpPort() {
    return otlpHttpPort;
  }

  int lokiPort() {
    return lokiPort;
  }

  /**
   * Sends SIGTERM ({@link Process#destroy()} on Unix) and waits for the process to end.
   *
   * @return its exit code, or -1 if it was still running after {@code within}
   */
  int terminate(Duration within) throws InterruptedException {
    process.destroy();
    return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  /** What the process wrote, for failure messages. */
  String output() throws IOException {
    return "--- stdout\n" + Files.readString(stdout) + "--- stderr\n" + Files.readString(stderr);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
