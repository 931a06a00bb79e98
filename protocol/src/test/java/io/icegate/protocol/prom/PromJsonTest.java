package io.icegate.protocol.prom;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.protocol.prom.PromResult.Bucket;
import io.icegate.protocol.prom.PromResult.FloatPoint;
import io.icegate.protocol.prom.PromResult.Histogram;
import io.icegate.protocol.prom.PromResult.HistogramPoint;
import io.icegate.protocol.prom.PromResult.Series;
import io.icegate.protocol.prom.PromResult.VectorSample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bodies and numbers against the examples in API-NOTES.md and REQUESTS.md (resources/prom). */
class PromJsonTest {

  static Stream<Arguments> numbers() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    try (InputStream in = PromJsonTest.class.getResourceAsStream("/prom/numbers.tsv")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          String[] f = line.split("\t");
          cases.add(Arguments.of(f[0], f[1], f[2]));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}({1}) = {2}")
  @MethodSource("numbers")
  void numbersArePrintedAsPrometheusPrintsThem(String function, String input, String expected) {
    String actual =
        switch (function) {
          case "sampleTimestamp" -> PromNumbers.sampleTimestamp(Long.parseLong(input));
          case "sampleValue" -> PromNumbers.sampleValue(Double.parseDouble(input));
          case "plain" -> PromNumbers.plain(Double.parseDouble(input));
          case "secondsFloat" -> PromNumbers.secondsFloat(Long.parseLong(input));
          default -> throw new IllegalArgumentException(function);
        };
    assertThat(actual).isEqualTo(expected);
    // The matrix writer's byte formatting gives the same text.
    byte[] out = new byte[40];
    if (function.equals("sampleTimestamp")) {
      int end = PromNumbers.appendSampleTimestamp(out, 3, Long.parseLong(input));
      assertThat(new String(out, 3, end - 3, StandardCharsets.US_ASCII)).isEqualTo(expected);
    } else if (function.equals("sampleValue")) {
      int end = PromNumbers.appendSampleValue(out, 3, Double.parseDouble(input));
      assertThat(new String(out, 3, end - 3, StandardCharsets.US_ASCII)).isEqualTo(expected);
    }
  }

  @Test
  void matrixOfColumnarPointsWritesEachSeriesAsPrometheusDoes() {
    // Two series through one reused buffer, the second longer than the first; values in each
    // of the writer's paths (integer, fast shortest digits, exponent, special, negative zero).
    Series first = new Series(Map.of("__name__", "a"),
        new PromResult.FloatPoints(new long[] {1000, 99}, new double[] {-3, 0.1}, 2), List.of());
    Series second = new Series(Map.of("__name__", "b"),
        new PromResult.FloatPoints(
            new long[] {-1, 1_700_000_000_123L, 5000, 6000, 7000, 8000, 0},
            new double[] {2.5e-7, 1234.5678, Double.POSITIVE_INFINITY, -0.0, 1e21, -0.75, 7},
            6),
        List.of());
    assertThat(text(body(new PromResult.Matrix(List.of(first, second)))))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                + "{\"metric\":{\"__name__\":\"a\"},\"values\":[[1,\"-3\"],[0.099,\"0.1\"]]},"
                + "{\"metric\":{\"__name__\":\"b\"},\"values\":[[-0.001,\"2.5e-07\"],"
                + "[1700000000.123,\"1234.5678\"],[5,\"+Inf\"],[6,\"-0\"],[7,\"1e+21\"],"
                + "[8,\"-0.75\"]]}]}}");
  }

  @Test
  void exponentFormUsesTwoDigitsAndASign() {
    // Go: strconv.FormatFloat(1.5e-7, 'e', -1, 64) = "1.5e-07"; 5e-324 is the shortest of the
    // smallest subnormal (Java 17's Double.toString says 4.9E-324).
    assertThat(PromNumbers.sampleValue(1.5e-7)).isEqualTo("1.5e-07");
    assertThat(PromNumbers.sampleValue(Double.MIN_VALUE)).isEqualTo("5e-324");
    assertThat(PromNumbers.sampleValue(-2.5e100)).isEqualTo("-2.5e+100");
    // 1e-6 itself is not below the threshold: plain.
    assertThat(PromNumbers.sampleValue(1e-6)).isEqualTo("0.000001");
    // encoding/json shortens a one-digit exponent: 1e-07 -> 1e-7.
    assertThat(PromNumbers.jsonFloat(1e-7)).isEqualTo("1e-7");
  }

  @Test
  void vectorBodyIsTheCodecTestsBody() {
    byte[] body =
        body(new PromResult.Vector(List.of(VectorSample.of(Map.of("__name__", "foo"), 1000, 1))));
    assertThat(text(body))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
                + "[{\"metric\":{\"__name__\":\"foo\"},\"value\":[1,\"1\"]}]}}");
  }

  @Test
  void emptyVectorAndMatrixAreEmptyArrays() {
    assertThat(text(body(new PromResult.Vector(List.of()))))
        .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
    assertThat(text(body(new PromResult.Matrix(List.of()))))
        .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}");
  }

  @Test
  void grafanaHealthCheckScalar() {
    assertThat(text(body(new PromResult.Scalar(4000, 2))))
        .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}}");
  }

  @Test
  void scalarKeepsPlainFormAndStringResultEscapes() {
    assertThat(text(body(new PromResult.Scalar(123400, 1e21))))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":"
                + "[123.4,\"1000000000000000000000\"]}}");
    assertThat(text(body(new PromResult.StringValue(1500, "a \"b\""))))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":"
                + "[1.5,\"a \\\"b\\\"\"]}}");
  }

  @Test
  void matrixLeavesOutAnEmptyPointListAndSortsLabelsByBytes() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("job", "api");
    labels.put("__name__", "up");
    labels.put("Zone", "z");
    byte[] body =
        body(
            new PromResult.Matrix(
                List.of(
                    new Series(
                        labels,
                        List.of(new FloatPoint(1000, 1), new FloatPoint(1100, Double.NaN)),
                        List.of()))));
    assertThat(text(body))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":"
                + "[{\"metric\":{\"Zone\":\"z\",\"__name__\":\"up\",\"job\":\"api\"},"
                + "\"values\":[[1,\"1\"],[1.100,\"NaN\"]]}]}}");
  }

  @Test
  void nativeHistogramSkipsEmptyBucketsInItsOrder() {
    Histogram h =
        new Histogram(
            5,
            -0.25,
            List.of(
                new Bucket(Bucket.OPEN_RIGHT, -2, -1, 1),
                new Bucket(Bucket.CLOSED_BOTH, -0.001, 0.001, 2),
                new Bucket(Bucket.OPEN_LEFT, 1, 2, 0),
                new Bucket(Bucket.OPEN_LEFT, 2, 4, 2)));
    byte[] vector =
        body(new PromResult.Vector(List.of(new VectorSample(Map.of(), 10, 0, h))));
    assertThat(text(vector))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
                + "[{\"metric\":{},\"histogram\":[0.010,{\"count\":\"5\",\"sum\":\"-0.25\","
                + "\"buckets\":[[1,\"-2\",\"-1\",\"1\"],[3,\"-0.001\",\"0.001\",\"2\"],"
                + "[0,\"2\",\"4\",\"2\"]]}]}]}}");
    byte[] matrix =
        body(
            new PromResult.Matrix(
                List.of(
                    new Series(
                        Map.of(), List.of(),
                        List.of(new HistogramPoint(2000, new Histogram(0, 0, List.of())))))));
    assertThat(text(matrix))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":"
                + "[{\"metric\":{},\"histograms\":[[2,{\"count\":\"0\",\"sum\":\"0\"}]]}]}}");
  }

  @Test
  void errorBodyIsTheGoTestsBodyAndTimeoutIs503() {
    assertThat(text(PromJson.error(PromJson.ErrorType.TIMEOUT, "message")))
        .isEqualTo("{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":\"message\"}");
    assertThat(PromJson.ErrorType.TIMEOUT.httpStatus()).isEqualTo(503);
    assertThat(PromJson.ErrorType.BAD_DATA.httpStatus()).isEqualTo(400);
    assertThat(PromJson.ErrorType.EXECUTION.httpStatus()).isEqualTo(422);
    assertThat(PromJson.ErrorType.CANCELED.httpStatus()).isEqualTo(499);
  }

  @Test
  void warningsAreCappedAtTenThenSummarisedAndInfosFollow() {
    List<String> warnings = IntStream.range(0, 12).mapToObj(i -> "w" + i).toList();
    byte[] body = PromJson.success(json -> json.writeString("x"), warnings, List.of("i0"));
    assertThat(text(body))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":\"x\",\"warnings\":[\"w0\",\"w1\",\"w2\",\"w3\","
                + "\"w4\",\"w5\",\"w6\",\"w7\",\"w8\",\"w9\",\"2 more warning annotations"
                + " omitted\"],\"infos\":[\"i0\"]}");
  }

  @Test
  void statsFollowTheResult() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PromJson.writeQueryResult(
        out,
        new PromResult.Vector(List.of()),
        new PromStats(
            new PromStats.Timings(0.5, 0, 0.25, 0.125, 0, 1),
            new PromStats.Samples(
                List.of(new PromStats.StepCount(1500, 3)), 3, null, 3, 2)),
        List.of(),
        List.of());
    assertThat(text(out.toByteArray()))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[],"
                + "\"stats\":{\"timings\":{\"evalTotalTime\":0.5,\"resultSortTime\":0,"
                + "\"queryPreparationTime\":0.25,\"innerEvalTime\":0.125,\"execQueueTime\":0,"
                + "\"execTotalTime\":1},\"samples\":{\"totalQueryableSamplesPerStep\":[[1.5,3]],"
                + "\"totalQueryableSamples\":3,\"samplesRead\":3,\"peakSamples\":2}}}}");
  }

  private static byte[] body(PromResult result) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PromJson.writeQueryResult(out, result, null, List.of(), List.of());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out.toByteArray();
  }

  private static String text(byte[] body) {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Test
  void keptTimestampTextsMatchFormattingEachTimestamp() {
    // Several series' worth of steps (more distinct times than the cache has slots, so slots
    // are overwritten), times repeated out of order, negative and sub-second ones among them.
    PromJson.TimestampTexts times = new PromJson.TimestampTexts();
    java.util.SplittableRandom random = new java.util.SplittableRandom(4);
    List<Long> millis = new ArrayList<>();
    for (int series = 0; series < 4; series++) {
      for (long t = 1_795_777_200_000L; t <= 1_795_777_200_000L + 3_000 * 15_000L; t += 15_000) {
        millis.add(t);
      }
    }
    for (int i = 0; i < 20_000; i++) {
      millis.add(random.nextLong(-5_000_000L, 5_000_000_000_000L));
      millis.add(millis.get(random.nextInt(millis.size())));
    }
    millis.add(0L);
    millis.add(0L);
    millis.add(-1L);
    byte[] out = new byte[40];
    for (long t : millis) {
      int end = times.append(out, 7, t);
      assertThat(new String(out, 7, end - 7, StandardCharsets.US_ASCII)).as("%d", t)
          .isEqualTo(PromNumbers.sampleTimestamp(t));
    }
  }

  @Test
  void aLargeMatrixFormattedInPartsIsByteForByteTheSequentialOne() throws IOException {
    // Series of unequal lengths (parts split by points, not series), some with no float points,
    // one with a histogram; more points than the threshold.
    java.util.SplittableRandom random = new java.util.SplittableRandom(12);
    List<Series> series = new ArrayList<>();
    long points = 0;
    for (int i = 0; points < 3 * PromJson.PARALLEL_POINTS; i++) {
      int n = i % 17 == 5 ? 0 : random.nextInt(1, 2_000);
      long[] t = new long[n];
      double[] v = new double[n];
      for (int k = 0; k < n; k++) {
        t[k] = 1_795_777_200_000L + k * 60_000L + (i % 3 == 0 ? 500 : 0);
        v[k] = random.nextInt(4) == 0 ? random.nextInt(100) : random.nextDouble() * 1e3;
      }
      points += n;
      List<HistogramPoint> histograms = i == 7
          ? List.of(new HistogramPoint(1000, new Histogram(3, 1.5, List.of(
              new Bucket(0, 0, 1, 3)))))
          : List.of();
      series.add(new Series(Map.of("__name__", "m", "i", "s" + i),
          new PromResult.FloatPoints(t, v, n), histograms));
    }
    PromResult.Matrix matrix = new PromResult.Matrix(series);
    ByteArrayOutputStream sequential = new ByteArrayOutputStream();
    PromJson.writeQueryResult(sequential, matrix, null, List.of("w"), List.of());

    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
    try {
      ByteArrayOutputStream parallel = new ByteArrayOutputStream();
      PromJson.writeQueryResult(parallel, matrix, null, List.of("w"), List.of(), pool);
      assertThat(parallel.toString(StandardCharsets.UTF_8))
          .isEqualTo(sequential.toString(StandardCharsets.UTF_8));
    } finally {
      pool.shutdownNow();
    }
    // An executor that refuses every part: this thread formats them all, same bytes.
    ByteArrayOutputStream refused = new ByteArrayOutputStream();
    PromJson.writeQueryResult(refused, matrix, null, List.of("w"), List.of(), task -> {
      throw new java.util.concurrent.RejectedExecutionException("busy");
    });
    assertThat(refused.toString(StandardCharsets.UTF_8))
        .isEqualTo(sequential.toString(StandardCharsets.UTF_8));
    // Parsed back, it is one matrix of every series.
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(sequential.toByteArray())
        .get("data").get("result").size()).isEqualTo(series.size());
  }
}
