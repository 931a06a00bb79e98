package io.icegate.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The cases of Prometheus's parser unit tests (src/test/resources/prometheus-parser, see
 * SOURCE.md there): the same message at the same place for every error case, every valid query
 * parses, and {@code toString()} prints what Prometheus's {@code String()} prints.
 */
class PrometheusParserCasesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** As Prometheus runs parse_test.go: experimental functions, duration expressions, anchored. */
  private static final PromQLOptions PARSE_TEST_OPTIONS = new PromQLOptions(true, true, true, false);

  /** As Prometheus runs printer_test.go: duration expressions, anchored/smoothed, fill. */
  private static final PromQLOptions PRINTER_TEST_OPTIONS = new PromQLOptions(false, true, true, true);

  @TestFactory
  Stream<DynamicTest> rejectsWithPrometheusMessageAndPosition() {
    return cases("parse-errors.jsonl").stream()
        .map(
            c ->
                dynamicTest(
                    oneLine(c.get("query").asText()),
                    () -> {
                      PromQLParseException e =
                          catchThrowableOfType(
                              PromQLParseException.class,
                              () -> PromQL.parse(c.get("query").asText(), PARSE_TEST_OPTIONS));

                      assertThat(e).as("rejected").isNotNull();
                      assertThat(e.detail()).isEqualTo(c.get("error").asText());
                      assertThat(e.positionRange().start()).isEqualTo(c.get("start").asInt());
                    }));
  }

  @TestFactory
  Stream<DynamicTest> acceptsValidQueries() {
    return cases("valid.jsonl").stream()
        .map(
            c ->
                dynamicTest(
                    oneLine(c.get("query").asText()),
                    () -> PromQL.parse(c.get("query").asText(), PARSE_TEST_OPTIONS)));
  }

  @TestFactory
  Stream<DynamicTest> printsAsPrometheus() {
    return cases("printer.jsonl").stream()
        .map(
            c ->
                dynamicTest(
                    oneLine(c.get("query").asText()),
                    () ->
                        assertThat(PromQL.parse(c.get("query").asText(), PRINTER_TEST_OPTIONS).toString())
                            .isEqualTo(c.get("printed").asText())));
  }

  private static List<JsonNode> cases(String file) {
    List<JsonNode> rows = new ArrayList<>();
    for (String line : PromqlTestScripts.readResource("/prometheus-parser/" + file)) {
      if (!line.isBlank()) {
        try {
          rows.add(JSON.readTree(line));
        } catch (IOException e) {
          throw new UncheckedIOException(file + ": " + line, e);
        }
      }
    }
    return rows;
  }

  private static String oneLine(String query) {
    return query.isEmpty() ? "(empty)" : query.replace("\n", "\\n").replace("\t", "\\t");
  }
}
