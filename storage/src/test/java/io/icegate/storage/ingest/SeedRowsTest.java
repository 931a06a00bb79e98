package io.icegate.storage.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.protocol.loki.LabelSetCodec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The derived values of rows the seed stored, where they cannot simply be compared with our
 * ingest (that would reject the input) or where the seed's layout matters. Expected strings
 * are written by hand from Loki's and Prometheus's OTLP mappings.
 */
class SeedRowsTest {

  @Test
  void thePromotedColumnIsTheServiceNameEvenIfTheMapStillHasOne() {
    // The seed removed service.name from the map; should an old file still carry a copy, the
    // column (what the seed indexed and showed) wins.
    assertThat(
            LabelSetCodec.encode(
                SeedRows.streamLabels(
                    "checkout", Map.of("service.name", "stale", "k8s.pod.name", "pod-1"))))
        .isEqualTo("{k8s_pod_name=\"pod-1\", service_name=\"checkout\"}");
    // On logs the seed kept service.instance.id in the map: it is an index label there.
    assertThat(
            LabelSetCodec.encode(
                SeedRows.streamLabels(null, Map.of("service.instance.id", "i-1"))))
        .isEqualTo("{service_instance_id=\"i-1\", service_name=\"unknown_service\"}");
  }

  @Test
  void aPointOurIngestWouldRejectKeepsItsRowAndItsTranslatableLabels() {
    // "..." translates to no name and "!!" to no label name: our ingest rejects such a point,
    // the backfill keeps the name as sent and leaves the attribute out.
    SeedRows.Series series =
        SeedRows.series(
            "...", null, "gauge", null, Map.of("!!", "x", "a", "1"), "svc", null, Map.of());
    assertThat(series.metricName()).isEqualTo("...");
    assertThat(series.labels()).isEqualTo("{a=\"1\", job=\"svc\"}");
  }

  @Test
  void typeAndMonotonicityChooseTheSuffixes() {
    // A non-monotonic sum gets no _total; a monotonic one does; unit "1" gives _ratio only to
    // gauges; "s" becomes _seconds.
    assertThat(series("queue.depth", null, "sum", false)).isEqualTo("queue_depth");
    assertThat(series("http.requests", null, "sum", true)).isEqualTo("http_requests_total");
    assertThat(series("cpu.utilization", "1", "gauge", null)).isEqualTo("cpu_utilization_ratio");
    assertThat(series("cpu.utilization", "1", "sum", false)).isEqualTo("cpu_utilization");
    assertThat(series("rpc.latency", "s", "histogram", null)).isEqualTo("rpc_latency_seconds");
  }

  private static String series(String name, String unit, String type, Boolean monotonic) {
    return SeedRows.series(name, unit, type, monotonic, Map.of(), null, null, Map.of())
        .metricName();
  }
}
