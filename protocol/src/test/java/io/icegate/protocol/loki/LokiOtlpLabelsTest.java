package io.icegate.protocol.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.google.protobuf.ByteString;
import io.icegate.protocol.ProtocolException;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.List;
import org.junit.jupiter.api.Test;

class LokiOtlpLabelsTest {
  @Test
  void wellKnownResourceAttributesBecomeLabelsWithDotsReplaced() {
    List<KeyValue> attributes =
        List.of(
            string("service.name", "checkout"),
            string("service.namespace", "shop"),
            string("k8s.pod.name", "checkout-7d9f-x2"),
            string("cloud.availability_zone", "eu-west-1a"),
            string("deployment.environment.name", "prod"));

    assertThat(LokiOtlpLabels.streamLabels(attributes))
        .containsExactly(
            entry("cloud_availability_zone", "eu-west-1a"),
            entry("deployment_environment_name", "prod"),
            entry("k8s_pod_name", "checkout-7d9f-x2"),
            entry("service_name", "checkout"),
            entry("service_namespace", "shop"));
  }

  @Test
  void otherResourceAttributesAreNotLabels() {
    List<KeyValue> attributes =
        List.of(
            string("service.name", "api"),
            string("host.name", "node-1"),
            string("process.pid", "42"),
            string("service.version", "1.2.3"));

    assertThat(LokiOtlpLabels.streamLabels(attributes)).containsOnlyKeys("service_name");
  }

  @Test
  void everyDefaultAttributeMapsToItsNormalisedName() {
    List<KeyValue> attributes =
        LokiOtlpLabels.DEFAULT_INDEX_LABEL_ATTRIBUTES.stream().map(a -> string(a, "v")).toList();

    assertThat(LokiOtlpLabels.streamLabels(attributes).keySet())
        .containsExactlyInAnyOrder(
            "service_name",
            "service_namespace",
            "service_instance_id",
            "deployment_environment",
            "deployment_environment_name",
            "cloud_region",
            "cloud_availability_zone",
            "k8s_cluster_name",
            "k8s_namespace_name",
            "k8s_pod_name",
            "k8s_container_name",
            "container_name",
            "k8s_replicaset_name",
            "k8s_deployment_name",
            "k8s_statefulset_name",
            "k8s_daemonset_name",
            "k8s_cronjob_name",
            "k8s_job_name");
  }

  @Test
  void withoutServiceNameTheServiceIsUnknown() {
    assertThat(LokiOtlpLabels.streamLabels(List.of(string("k8s.namespace.name", "shop"))))
        .containsExactly(
            entry("k8s_namespace_name", "shop"), entry("service_name", "unknown_service"));
    assertThat(LokiOtlpLabels.streamLabels(List.of()))
        .containsExactly(entry("service_name", "unknown_service"));
  }

  @Test
  void emptyServiceNameCountsAsAbsent() {
    assertThat(LokiOtlpLabels.streamLabels(List.of(string("service.name", ""))))
        .containsExactly(entry("service_name", "unknown_service"));
  }

  @Test
  void withoutServiceNameLokiDiscoversItFromTheContainerOrJob() {
    // Loki's discover_service_name: container_name comes before k8s_container_name,
    // which comes before k8s_job_name.
    assertThat(
            LokiOtlpLabels.streamLabels(
                List.of(string("k8s.job.name", "backup"), string("k8s.container.name", "pg"))))
        .containsEntry("service_name", "pg");
    assertThat(
            LokiOtlpLabels.streamLabels(
                List.of(string("k8s.container.name", "pg"), string("container.name", "db"))))
        .containsEntry("service_name", "db");
    assertThat(LokiOtlpLabels.streamLabels(List.of(string("k8s.job.name", "backup"))))
        .containsEntry("service_name", "backup");
  }

  @Test
  void nonStringValuesAreStringifiedAsLokiDoes() {
    List<KeyValue> attributes =
        List.of(
            keyValue("service.name", AnyValue.newBuilder().setIntValue(-42).build()),
            keyValue("service.namespace", AnyValue.newBuilder().setBoolValue(true).build()),
            keyValue("cloud.region", AnyValue.newBuilder().setDoubleValue(1.5).build()),
            keyValue("k8s.pod.name", AnyValue.newBuilder().setDoubleValue(1e21).build()),
            keyValue(
                "k8s.job.name",
                AnyValue.newBuilder()
                    .setBytesValue(ByteString.copyFrom(new byte[] {1, 2, (byte) 0xff}))
                    .build()));

    assertThat(LokiOtlpLabels.streamLabels(attributes))
        .containsEntry("service_name", "-42")
        .containsEntry("service_namespace", "true")
        .containsEntry("cloud_region", "1.5")
        .containsEntry("k8s_pod_name", "1e+21")
        .containsEntry("k8s_job_name", "AQL/");
  }

  @Test
  void arrayAndMapValuesAreNotLabels() {
    AnyValue array =
        AnyValue.newBuilder()
            .setArrayValue(
                ArrayValue.newBuilder().addValues(AnyValue.newBuilder().setStringValue("a")))
            .build();

    assertThat(LokiOtlpLabels.streamLabels(List.of(keyValue("k8s.pod.name", array))))
        .containsOnlyKeys("service_name");
  }

  @Test
  void laterDuplicateAttributeWins() {
    assertThat(
            LokiOtlpLabels.streamLabels(
                List.of(string("service.name", "first"), string("service.name", "second"))))
        .containsEntry("service_name", "second");
  }

  @Test
  void labelNamesFollowPrometheusOtlpTranslator() {
    assertThat(LokiOtlpLabels.normalizeLabelName("http.method")).isEqualTo("http_method");
    assertThat(LokiOtlpLabels.normalizeLabelName("k8s.pod.name")).isEqualTo("k8s_pod_name");
    assertThat(LokiOtlpLabels.normalizeLabelName("already_valid")).isEqualTo("already_valid");
    assertThat(LokiOtlpLabels.normalizeLabelName("123invalid")).isEqualTo("key_123invalid");
    assertThat(LokiOtlpLabels.normalizeLabelName("0.0")).isEqualTo("key_0_0");
    assertThat(LokiOtlpLabels.normalizeLabelName("__reserved__")).isEqualTo("__reserved__");
    assertThat(LokiOtlpLabels.normalizeLabelName("__a.b__")).isEqualTo("__a_b__");
    assertThat(LokiOtlpLabels.normalizeLabelName("_leading")).isEqualTo("_leading");
    assertThat(LokiOtlpLabels.normalizeLabelName("a__b")).isEqualTo("a_b");
    assertThat(LokiOtlpLabels.normalizeLabelName("a.-/b")).isEqualTo("a_b");
    assertThat(LokiOtlpLabels.normalizeLabelName("trailing.")).isEqualTo("trailing_");
    assertThat(LokiOtlpLabels.normalizeLabelName("größe")).isEqualTo("gr_e");
    assertThat(LokiOtlpLabels.normalizeLabelName("emoji😀x")).isEqualTo("emoji_x");
  }

  @Test
  void labelNamesThatNormaliseToNothingAreRejected() {
    assertThatThrownBy(() -> LokiOtlpLabels.normalizeLabelName(""))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("label name is empty");
    assertThatThrownBy(() -> LokiOtlpLabels.normalizeLabelName("日本"))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("normalization for label name \"日本\" resulted in invalid name \"_\"");
    assertThatThrownBy(() -> LokiOtlpLabels.normalizeLabelName("____"))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("normalization for label name \"____\" resulted in invalid name \"____\"");
  }

  private static KeyValue string(String key, String value) {
    return keyValue(key, AnyValue.newBuilder().setStringValue(value).build());
  }

  private static KeyValue keyValue(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }
}
