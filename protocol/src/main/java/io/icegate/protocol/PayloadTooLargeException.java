package io.icegate.protocol;

/**
 * A body that inflates beyond the allowed size. Kept apart from other decoding errors because the
 * answer differs: HTTP 413 rather than 400, and the sender should split its batches rather than fix
 * its encoder.
 */
public final class PayloadTooLargeException extends ProtocolException {
  public PayloadTooLargeException(String message) {
    super(message);
  }
}
