package io.icegate.storage.wal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Identifies a client request for deduplication: SHA-256 over tenant, signal and either the
 * client's idempotency key or the request's canonical bytes (the decoded protobuf message
 * re-serialized, so the same payload sent as JSON or protobuf, gzip'd or not, is one request).
 */
public final class RequestFingerprint {
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
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {tenant, signal, kind}) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        sha.update((byte) (bytes.length >>> 8));
        sha.update((byte) bytes.length);
        sha.update(bytes);
      }
      sha.update(body);
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
