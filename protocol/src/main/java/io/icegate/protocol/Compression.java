package io.icegate.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.zip.GZIPInputStream;

/**
 * Decompression of request bodies ({@code Content-Encoding: gzip}, as OTLP/HTTP, Loki push and
 * remote-write clients send them). The limit applies to the inflated size, because a few kilobytes
 * of gzip can expand to gigabytes: a limit on the compressed body alone does not bound memory.
 */
public final class Compression {
  private static final int CHUNK = 8192;

  private Compression() {}

  /**
   * Inflates a gzip body (several concatenated gzip members are one stream, as RFC 1952 allows).
   *
   * @param maxBytes the largest inflated size accepted
   * @throws PayloadTooLargeException if the inflated body would be larger than {@code maxBytes};
   *     inflation stops at that point, so no more than {@code maxBytes} plus one chunk is held
   * @throws ProtocolException if the body is not a complete, valid gzip stream
   */
  public static byte[] gunzip(byte[] body, int maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
    }
    try (var in = new GZIPInputStream(new ByteArrayInputStream(body), CHUNK)) {
      var out =
          new ByteArrayOutputStream((int) Math.min(maxBytes, Math.max(CHUNK, 4L * body.length)));
      byte[] buffer = new byte[CHUNK];
      int n;
      while ((n = in.read(buffer)) > 0) {
        if (out.size() + (long) n > maxBytes) {
          throw new PayloadTooLargeException(
              "decompressed body exceeds the limit of " + maxBytes + " bytes");
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } catch (EOFException e) {
      throw new ProtocolException("invalid gzip body: unexpected end of data", e);
    } catch (IOException e) {
      // ZipException messages are short and user-facing ("Not in GZIP format",
      // "invalid block type", "Corrupt GZIP trailer").
      String reason = e.getMessage() == null ? "corrupt data" : e.getMessage();
      throw new ProtocolException("invalid gzip body: " + reason, e);
    }
  }
}
