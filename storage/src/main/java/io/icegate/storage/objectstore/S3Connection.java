package io.icegate.storage.objectstore;

import io.icegate.storage.LakeConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * One S3-compatible store as both its users see it: Iceberg's {@code S3FileIO} (data files,
 * table metadata, reading WAL segments) gets {@link #fileIoProperties()}, and the WAL and the
 * compaction lease use {@link #client()} directly, because S3FileIO cannot make a conditional
 * PUT ({@code If-None-Match} / {@code If-Match}).
 *
 * <p>Both use the JDK's HttpURLConnection client (no Netty or Apache client on the classpath),
 * so the SDK never has to choose between HTTP implementations.
 */
public final class S3Connection implements AutoCloseable {
  /**
   * A bound on each S3 call, retries included. The WAL's safety argument (docs/architecture.md,
   * "WAL on object storage") needs every PUT to end, one way or the other, well within the
   * age at which compaction fills gaps.
   */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

  private final LakeConfig.Storage.S3 settings;
  private final S3Client client;

  private S3Connection(LakeConfig.Storage.S3 settings, S3Client client) {
    this.settings = settings;
    this.client = client;
  }

  public static S3Connection open(LakeConfig.Storage.S3 settings) {
    var builder =
        S3Client.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(credentials(settings))
            .serviceConfiguration(
                S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyleAccess()).build())
            .overrideConfiguration(
                ClientOverrideConfiguration.builder()
                    .apiCallTimeout(CALL_TIMEOUT)
                    .apiCallAttemptTimeout(CALL_TIMEOUT.dividedBy(2))
                    .build());
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    if (settings.region() != null) {
      builder.region(Region.of(settings.region()));
    } else if (settings.endpoint() != null) {
      // A custom endpoint ignores the region except for signing; don't fail for want of one.
      builder.region(Region.US_EAST_1);
    }
    return new S3Connection(settings, builder.build());
  }

  private static AwsCredentialsProvider credentials(LakeConfig.Storage.S3 settings) {
    if (settings.accessKeyId() != null) {
      return StaticCredentialsProvider.create(
          AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey()));
    }
    return DefaultCredentialsProvider.builder().build();
  }

  public S3Client client() {
    return client;
  }

  public LakeConfig.Storage.S3 settings() {
    return settings;
  }

  public String bucket() {
    return settings.bucket();
  }

  /** Catalog properties that make Iceberg's S3FileIO talk to this store. */
  public Map<String, String> fileIoProperties() {
    Map<String, String> p = new HashMap<>();
    p.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    p.put("http-client.type", "urlconnection");
    if (settings.endpoint() != null) {
      p.put("s3.endpoint", settings.endpoint().toString());
    }
    p.put("s3.path-style-access", Boolean.toString(settings.pathStyleAccess()));
    if (settings.region() != null) {
      p.put("client.region", settings.region());
    } else if (settings.endpoint() != null) {
      p.put("client.region", Region.US_EAST_1.id());
    }
    if (settings.accessKeyId() != null) {
      p.put("s3.access-key-id", settings.accessKeyId());
      p.put("s3.secret-access-key", settings.secretAccessKey());
    }
    return p;
  }

  @Override
  public void close() {
    client.close();
  }
}
