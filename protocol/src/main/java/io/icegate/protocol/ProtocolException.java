package io.icegate.protocol;

/**
 * A request body or parameter that cannot be decoded. The message is written for the client that
 * sent it: it names what was wrong (a field path, a parameter, a limit) and never contains a Java
 * class name or a stack trace, so the server can put it into an error response as it is.
 */
public class ProtocolException extends RuntimeException {
  public ProtocolException(String message) {
    super(message);
  }

  public ProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
