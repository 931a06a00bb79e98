package io.icegate.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestFingerprintTest {
  private static final byte[] BODY = "the same protobuf bytes".getBytes(StandardCharsets.UTF_8);

  @Test
  void theSamePayloadOfTheSameTenantAndSignalIsOneRequest() {
    assertThat(RequestFingerprint.ofPayload("t1", "logs", BODY))
        .isEqualTo(RequestFingerprint.ofPayload("t1", "logs", BODY.clone()))
        .matches("[0-9a-f]{32}");
  }

  @Test
  void tenantSignalKindAndBodyEachTellRequestsApart() {
    String base = RequestFingerprint.ofPayload("t1", "logs", BODY);
    assertThat(RequestFingerprint.ofPayload("t2", "logs", BODY)).isNotEqualTo(base);
    assertThat(RequestFingerprint.ofPayload("t1", "spans", BODY)).isNotEqualTo(base);
    assertThat(RequestFingerprint.ofKey("t1", "logs", "the same protobuf bytes"))
        .isNotEqualTo(base);
    byte[] changed = BODY.clone();
    changed[changed.length - 1] ^= 1;
    assertThat(RequestFingerprint.ofPayload("t1", "logs", changed)).isNotEqualTo(base);
  }

  @Test
  void partsAreFramedSoTheirBoundariesCount() {
    // Without length prefixes both would hash "ablogs..." the same way.
    assertThat(RequestFingerprint.ofPayload("ab", "logs", BODY))
        .isNotEqualTo(RequestFingerprint.ofPayload("a", "blogs", BODY));
    assertThat(RequestFingerprint.ofKey("t", "logs", "k1"))
        .isNotEqualTo(RequestFingerprint.ofKey("t", "logs", "k2"));
  }
}
