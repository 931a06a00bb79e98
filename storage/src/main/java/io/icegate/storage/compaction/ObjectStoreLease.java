package io.icegate.storage.compaction;

import io.icegate.storage.objectstore.S3Connection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The compaction lease as one small object beside the WAL ({@code wal/<table>/_compaction.lease},
 * JSON {@code {"holder": "...", "expires_at_ms": N}}), taken and renewed with conditional writes:
 * {@code If-None-Match: *} when there is none, {@code If-Match: <etag>} to replace an expired one
 * (or our own) — two replicas racing for it cannot both succeed. Released by a conditional
 * DELETE; a holder that dies simply lets it expire.
 *
 * <p>Expiry is judged by the reader's clock against the writer's, so the holder stops
 * committing {@link #SKEW_MARGIN} before its own expiry. The lease saves wasted work; the
 * commit's own validation (see {@code LakeTable.commitCompaction}) guarantees that two
 * compactions of the same segments never both land even if clocks lie.
 */
public final class ObjectStoreLease implements CompactionLease {
  static final Duration SKEW_MARGIN = Duration.ofSeconds(30);
  private static final Logger LOG = LoggerFactory.getLogger(ObjectStoreLease.class);
  private static final Pattern EXPIRES = Pattern.compile("\"expires_at_ms\"\\s*:\\s*(\\d+)");
  private static final Pattern HOLDER = Pattern.compile("\"holder\"\\s*:\\s*\"([^\"]*)\"");

  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final Duration ttl;
  private final Clock clock;
  private final String holder = UUID.randomUUID().toString();

  public ObjectStoreLease(S3Connection connection, String key, Duration ttl, Clock clock) {
    this.s3 = connection.client();
    this.bucket = connection.bucket();
    this.key = key;
    this.ttl = ttl;
    this.clock = clock;
  }

  @Override
  public Held tryAcquire() throws IOException {
    try {
      String etag;
      String body;
      try {
        ResponseBytes<GetObjectResponse> current =
            s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
        etag = current.response().eTag();
        body = current.asString(StandardCharsets.UTF_8);
      } catch (NoSuchKeyException e) {
        etag = null;
        body = null;
      }
      long now = clock.millis();
      if (body != null) {
        Matcher expires = EXPIRES.matcher(body);
        Matcher owner = HOLDER.matcher(body);
        boolean ours = owner.find() && owner.group(1).equals(holder);
        if (!ours && expires.find() && Long.parseLong(expires.group(1)) > now) {
          return null;
        }
      }
      long expiresAt = now + ttl.toMillis();
      String json = "{\"holder\": \"" + holder + "\", \"expires_at_ms\": " + expiresAt + "}";
      String expected = etag;
      PutObjectResponse put =
          s3.putObject(
              b -> {
                b.bucket(bucket).key(key).contentType("application/json");
                if (expected == null) {
                  b.ifNoneMatch("*");
                } else {
                  b.ifMatch(expected);
                }
              },
              RequestBody.fromString(json, StandardCharsets.UTF_8));
      LOG.debug("compaction lease taken key={} holder={}", key, holder);
      return new ObjectHeld(put.eTag(), now + ttl.minus(SKEW_MARGIN).toMillis());
    } catch (S3Exception e) {
      if (e.statusCode() == 412 || e.statusCode() == 409) {
        return null; // another replica took it between our read and our write
      }
      throw new IOException("compaction lease " + key + ": " + e.getMessage(), e);
    } catch (SdkException e) {
      throw new IOException("compaction lease " + key + ": " + e.getMessage(), e);
    }
  }

  private final class ObjectHeld implements Held {
    private final String etag;
    private final long validUntilMillis;

    ObjectHeld(String etag, long validUntilMillis) {
      this.etag = etag;
      this.validUntilMillis = validUntilMillis;
    }

    @Override
    public boolean stillHeld() {
      return clock.millis() < validUntilMillis;
    }

    @Override
    public void close() {
      try {
        s3.deleteObject(b -> b.bucket(bucket).key(key).ifMatch(etag));
      } catch (SdkException e) {
        // Taken over after expiry, or unreachable: either way it expires on its own.
        LOG.debug("releasing the compaction lease failed", e);
      }
    }
  }
}
