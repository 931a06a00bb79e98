package io.icegate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.storage.catalog.LakeCatalog;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.servers.ObjectStoreServers;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.rest.RESTCatalog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Iceberg REST catalog option, against Nessie's REST face (/iceberg) with S3 storage. */
@ExtendWith(ObjectStoreServers.class)
class RestCatalogTest {
  private static final Compactor.Policy NOW =
      new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ZERO);
  private static ObjectStoreServers.Endpoints servers;

  @TempDir Path dir;

  @BeforeAll
  static void servers(ObjectStoreServers.Endpoints endpoints) {
    servers = endpoints;
  }

  private LakeConfig config(URI restUri) {
    return LakeConfig.local(dir)
        .withCatalog(
            new LakeConfig.Catalog.Rest(
                restUri, servers.restWarehouse(), Map.of("header.X-Test", "icegate")))
        .withStorage(
            new LakeConfig.Storage.S3(
                ObjectStoreServers.BUCKET, "rest-" + UUID.randomUUID(), servers.s3(),
                "us-east-1", true, ObjectStoreServers.ACCESS_KEY, ObjectStoreServers.SECRET_KEY))
        .withWal(Duration.ofMillis(1), Duration.ZERO)
        .withCompaction(NOW, Duration.ZERO, Duration.ofMinutes(10));
  }

  /*
   * Nessie 0.99's REST face runs an Iceberg older than ours and does not know v3's
   * timestamp_ns, which the logs table needs (Loki returns nanoseconds), so the table cannot
   * be created through it: the catalog is reached and used (the namespace is created through
   * it) and the server's own refusal comes back readable. A REST server with Iceberg >= 1.9
   * (format v3) would take the table; NessieCatalog (API v2) serves the full cycle meanwhile.
   */
  @Test
  void theRestCatalogIsReachedAndItsServerDecidesAboutTheTable() throws Exception {
    assertThatThrownBy(() -> Lake.open(config(servers.icebergRest())))
        .hasMessageContaining("timestamp_ns");
    try (RESTCatalog rest = new RESTCatalog()) {
      rest.initialize(
          "check", Map.of("uri", servers.icebergRest().toString(), "warehouse",
              servers.restWarehouse()));
      assertThat(rest.namespaceExists(LakeCatalog.NAMESPACE)).isTrue();
    }
  }

  @Test
  void aRestCatalogThatDoesNotAnswerFailsTheOpen() {
    URI nothingThere = URI.create("http://127.0.0.1:1/iceberg");
    assertThatThrownBy(() -> Lake.open(config(nothingThere)))
        .rootCause()
        .hasMessageContaining("127.0.0.1:1");
  }

  @Test
  void restPropertiesAreNeverPrinted() {
    var rest =
        new LakeConfig.Catalog.Rest(
            URI.create("http://catalog"), null, Map.of("credential", "id:secret"));
    assertThat(rest.toString()).contains("credential").doesNotContain("secret");
  }
}
