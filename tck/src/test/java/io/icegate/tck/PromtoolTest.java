package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * promtool, Prometheus's own command-line client (Debian's {@code prometheus} package, which
 * .ci/run installs), queries the real server: {@code promtool query instant|range|series|labels}
 * print what we stored, in promtool's own text formats. The data is PrometheusQueryTest's; the
 * expected text is written by hand from it. promtool is found as {@code $ICEGATE_PROMTOOL} or on
 * the PATH; without it the test is skipped with a message (CI fails earlier if it is missing).
 */
class PromtoolTest {
  @TempDir static Path dataDir;
  private static IceGateServer server;
  private static BufferAllocator ingest;
  private static String promtool;

  @BeforeAll
  static void start() throws Exception {
    promtool = findPromtool();
    assumeTrue(promtool != null,
        "promtool not found (set ICEGATE_PROMTOOL or install Debian's prometheus package, as"
            + " .ci/run does): skipping the promtool client tests");
    ingest = new RootAllocator();
    server =
        IceGateServer.start(
            ServerConfig.defaults().withDataDir(dataDir).withPorts("127.0.0.1", 0, 0));
    PrometheusQueryTest.loadSampleData(server, ingest);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (ingest != null) {
      ingest.close();
    }
  }

  @Test
  void instantQuery() throws Exception {
    assertThat(run("query", "instant", "--time=1240", url(), "req_total"))
        .isEqualTo("req_total{code=\"200\", job=\"api\"} => 240 @[1240]\n"
            + "req_total{code=\"500\", job=\"api\"} => 24 @[1240]\n");
  }

  @Test
  void instantQueryAsJson() throws Exception {
    assertThat(run("query", "-o", "json", "instant", "--time=1240", url(),
        "sum(rate(req_total[2m]))"))
        .isEqualTo("[{\"metric\":{},\"value\":[1240,\"1.1\"]}]\n");
  }

  @Test
  void rangeQuery() throws Exception {
    assertThat(run("query", "range", "--start=1000", "--end=1120", "--step=1m", url(),
        "req_total{code=\"500\"}"))
        .isEqualTo("req_total{code=\"500\", job=\"api\"} =>\n0 @[1000]\n6 @[1060]\n12 @[1120]\n");
  }

  /** Without --start/--end promtool 2.42 asks about a window around now, where nothing is. */
  @Test
  void series() throws Exception {
    assertThat(run("query", "series", "--match=req_total", "--start=900", "--end=2000", url()))
        .isEqualTo("{__name__=\"req_total\", code=\"200\", job=\"api\"}\n"
            + "{__name__=\"req_total\", code=\"500\", job=\"api\"}\n");
  }

  @Test
  void labelValues() throws Exception {
    assertThat(run("query", "labels", "--start=900", "--end=2000", url(), "code"))
        .isEqualTo("200\n500\n");
    assertThat(run("query", "labels", "--match={code=\"500\"}", "--start=1970-01-01T00:15:00Z",
        "--end=1970-01-01T00:40:00Z", url(), "code"))
        .isEqualTo("500\n");
  }

  private static String url() {
    return "http://127.0.0.1:" + server.prometheusPort();
  }

  /** promtool's standard output; fails with its error output if it does not exit 0. */
  private static String run(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(promtool);
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dataDir, "promtool", ".out");
    Path err = Files.createTempFile(dataDir, "promtool", ".err");
    Process p = new ProcessBuilder(command)
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + stderr).isZero();
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  private static String findPromtool() {
    String env = System.getenv("ICEGATE_PROMTOOL");
    if (env != null && new File(env).canExecute()) {
      return env;
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        File f = new File(dir, "promtool");
        if (f.canExecute()) {
          return f.getPath();
        }
      }
    }
    return null;
  }
}
