package io.icegate.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.series.Labels;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The label-set hash limit_ratio samples by. Expected hashes were computed with the reference
 * XXH64 implementation (the Python {@code xxhash} 4.0.1 package), on bytes laid out as
 * Prometheus's string labels lay out a label set; none come from the code under test.
 */
class LabelHashTest {
  @Test
  void xxh64MatchesTheReferenceImplementation() {
    assertThat(LabelHash.xxh64(new byte[0])).isEqualTo(0xef46db3751d8e999L);
    assertThat(LabelHash.xxh64("abc".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(0x44bc2cf5ad770999L);
    // 42 bytes: one 32-byte stripe, then an 8-byte and a 2-byte tail.
    assertThat(LabelHash.xxh64(
            "0123456789abcdef0123456789abcdef0123456789".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(0xa76190c3acf08a1cL);
    byte[] hundred = new byte[100];
    for (int i = 0; i < 100; i++) {
      hundred[i] = (byte) i;
    }
    assertThat(LabelHash.xxh64(hundred)).isEqualTo(0x6ac1e58032166597L);
  }

  @Test
  void labelSetsAreHashedInPrometheusLayout() {
    assertThat(LabelHash.hash(Labels.of("a", "é"))).isEqualTo(0x51a07d9ba44b9fe7L);
    // A value of 255 bytes or more gets the long length form.
    assertThat(LabelHash.hash(Labels.of("__name__", "m", "long", "x".repeat(300))))
        .isEqualTo(0xbd96389d78cb6549L);
  }

  @Test
  void offsetsSplitLimitTestSeriesAsPrometheusDoes() {
    // limit.test's series: with ratio 0.5 these five of eight fall below 0.5.
    assertThat(offset("0", "production")).isCloseTo(0.09456038582361823, within());
    assertThat(offset("1", "production")).isCloseTo(0.09967529271752745, within());
    assertThat(offset("0", "canary")).isCloseTo(0.9782463706693543, within());
    assertThat(offset("1", "canary")).isCloseTo(0.2047467588166679, within());
    assertThat(offset("2", "canary")).isCloseTo(0.86158214749638, within());
    assertThat(offset("3", "canary")).isCloseTo(0.32521287713803193, within());
    assertThat(offset("histogram_1", "canary")).isCloseTo(0.5298450788620908, within());
    assertThat(offset("histogram_2", "canary")).isCloseTo(0.15600858441100363, within());
  }

  @Test
  void unsignedHashesConvertLikeGo() {
    assertThat(LabelHash.unsignedToDouble(-1L)).isEqualTo(0x1p64);
    assertThat(LabelHash.unsignedToDouble(0x8000000000000000L)).isEqualTo(0x1p63);
    assertThat(LabelHash.unsignedToDouble(42L)).isEqualTo(42.0);
  }

  private static double offset(String instance, String group) {
    return LabelHash.offset(Labels.of("__name__", "http_requests", "job", "api-server",
        "instance", instance, "group", group));
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-15);
  }
}
