package io.icegate.protocol.loki;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LokiJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void streamsResultHasLokisShape() throws IOException {
    var labels = new TreeMap<String, String>();
    labels.put("service_name", "api");
    labels.put("env", "prod");
    List<LokiStream> streams =
        List.of(
            new LokiStream(
                labels,
                List.of(
                    new LokiEntry(1_700_000_000_123_456_789L, "GET /health 200"),
                    new LokiEntry(
                        1_700_000_000_000_000_001L, "line with \"quotes\"\nand newline"))),
            new LokiStream(new TreeMap<>(), List.of()));
    LokiStats stats = new LokiStats(2_000, 20, 1_000, 10, 0.5, 0.001, 2);

    JsonNode actual = MAPPER.readTree(write(out -> LokiJson.writeStreams(out, streams, stats)));

    JsonNode expected =
        MAPPER.readTree(
            """
            {"status": "success",
             "data": {
               "resultType": "streams",
               "result": [
                 {"stream": {"env": "prod", "service_name": "api"},
                  "values": [["1700000000123456789", "GET /health 200"],
                             ["1700000000000000001", "line with \\"quotes\\"\\nand newline"]]},
                 {"stream": {}, "values": []}
               ],
               "stats": {"summary": {
                 "bytesProcessedPerSecond": 2000, "linesProcessedPerSecond": 20,
                 "totalBytesProcessed": 1000, "totalLinesProcessed": 10,
                 "execTime": 0.5, "queueTime": 0.001, "totalEntriesReturned": 2}}}}
            """);
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void timestampsAreStringsSoNoNanosecondIsLost() throws IOException {
    List<LokiStream> streams =
        List.of(new LokiStream(new TreeMap<>(), List.of(new LokiEntry(Long.MAX_VALUE, "x"))));

    JsonNode values =
        MAPPER
            .readTree(
                write(
                    out -> LokiJson.writeStreams(out, streams, LokiStats.summarize(0, 0, 0, 0, 1))))
            .at("/data/result/0/values/0/0");

    assertThat(values.isTextual()).isTrue();
    assertThat(values.asText()).isEqualTo("9223372036854775807");
  }

  @Test
  void errorBodyHasCodeMessageAndStatus() throws IOException {
    JsonNode actual =
        MAPPER.readTree(
            write(
                out ->
                    LokiJson.writeError(out, 400, "parse error at line 1, col 5: syntax error")));

    assertThat(actual)
        .isEqualTo(
            MAPPER.readTree(
                "{\"code\":400,\"message\":\"parse error at line 1, col 5: syntax error\","
                    + "\"status\":\"error\"}"));
  }

  @Test
  void writersLeaveTheCallersStreamOpen() throws IOException {
    var closed = new boolean[1];
    var bytes = new ByteArrayOutputStream();
    OutputStream out =
        new OutputStream() {
          @Override
          public void write(int b) {
            bytes.write(b);
          }

          @Override
          public void close() {
            closed[0] = true;
          }
        };

    LokiJson.writeError(out, 500, "boom");

    assertThat(closed[0]).isFalse();
    assertThat(bytes.size()).isPositive();
  }

  @Test
  void summaryRatesAreTotalsOverExecutionTimeAsInLoki() {
    LokiStats stats = LokiStats.summarize(3_000, 30, 1_500_000_000L, 250_000_000L, 7);

    assertThat(stats).isEqualTo(new LokiStats(2_000, 20, 3_000, 30, 1.5, 0.25, 7));
    assertThat(LokiStats.summarize(3_000, 30, 0, 0, 0).bytesProcessedPerSecond()).isZero();
  }

  private interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  private static byte[] write(Writer writer) throws IOException {
    var out = new ByteArrayOutputStream();
    writer.writeTo(out);
    return out.toByteArray();
  }
}
