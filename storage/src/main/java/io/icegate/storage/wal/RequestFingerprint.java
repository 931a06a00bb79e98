package io.icegate.storage.wal;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * Identifies a client request for deduplication: a 128-bit Murmur3 hash over tenant, signal and
 * either the client's idempotency key or the request's canonical bytes (the decoded protobuf
 * message re-serialized, so the same payload sent as JSON or protobuf, gzip'd or not, is one
 * request).
 *
 * <p>Why not a cryptographic digest: every payload is hashed in full on the ingest path, and
 * SHA-256 ran at about 0.4 GB/s here — a tenth of the server's CPU at 250k records/s. Murmur3
 * runs about three times faster. Two different requests of one tenant share a fingerprint by
 * accident with odds around 2^-64 within the dedupe window; a client that crafts a collision on
 * purpose can only get its own second request dropped, since the tenant is hashed in. Fingerprints
 * are 32 hex digits; WAL segments written by a build that used SHA-256 carry 64, which never
 * equal these, so a request acknowledged before an upgrade and retried after it is stored twice.
 */
public final class RequestFingerprint {
  private static final HashFunction HASH = Hashing.murmur3_128(0x1ce6a7e);

  private RequestFingerprint() {}

  /** The fingerprint of a payload without an idempotency key. */
  public static String ofPayload(String tenant, String signal, byte[] canonicalPayload) {
    return digest(tenant, signal, "payload", canonicalPayload);
  }

  /** The fingerprint of a request that carries an {@code Idempotency-Key}. */
  public static String ofKey(String tenant, String signal, String idempotencyKey) {
    return digest(tenant, signal, "key", idempotencyKey.getBytes(StandardCharsets.UTF_8));
  }

  private static String digest(String tenant, String signal, String kind, byte[] body) {
    Hasher hasher = HASH.newHasher(body.length + 64);
    for (String part : new String[] {tenant, signal, kind}) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
      hasher.putInt(bytes.length);
      hasher.putBytes(bytes);
    }
    hasher.putBytes(body);
    return hasher.hash().toString();
  }
}
