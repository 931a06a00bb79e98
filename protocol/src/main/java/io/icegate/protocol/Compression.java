package io.icegate.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.xerial.snappy.Snappy;

/**
 * Decompression of request bodies: gzip ({@code Content-Encoding: gzip}, as OTLP/HTTP, Loki push
 * and remote-write clients send them), raw DEFLATE (Loki's {@code Content-Encoding: deflate}) and
 * the Snappy block format (the body of every Loki protobuf push and Prometheus remote write). The
 * limit applies to the inflated size, because a few kilobytes of compressed data can expand to
 * gigabytes: a limit on the compressed body alone does not bound memory.
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
    checkLimit(maxBytes);
    try (var in = new GZIPInputStream(new ByteArrayInputStream(body), CHUNK)) {
      return readAll(in, body.length, maxBytes);
    } catch (EOFException e) {
      throw new ProtocolException("invalid gzip body: unexpected end of data", e);
    } catch (IOException e) {
      // ZipException messages are short and user-facing ("Not in GZIP format",
      // "invalid block type", "Corrupt GZIP trailer").
      throw new ProtocolException("invalid gzip body: " + reason(e), e);
    }
  }

  /**
   * Inflates a raw DEFLATE stream (RFC 1951, no zlib or gzip header), which is what Loki's push
   * endpoint reads for {@code Content-Encoding: deflate} (Go's {@code compress/flate}).
   *
   * @throws PayloadTooLargeException if the inflated body would be larger than {@code maxBytes}
   * @throws ProtocolException if the body is not a complete, valid DEFLATE stream
   */
  public static byte[] inflate(byte[] body, int maxBytes) {
    checkLimit(maxBytes);
    Inflater inflater = new Inflater(true);
    try (var in = new InflaterInputStream(new ByteArrayInputStream(body), inflater, CHUNK)) {
      byte[] inflated = readAll(in, body.length, maxBytes);
      if (!inflater.finished()) {
        throw new ProtocolException("invalid deflate body: unexpected end of data");
      }
      return inflated;
    } catch (EOFException e) {
      throw new ProtocolException("invalid deflate body: unexpected end of data", e);
    } catch (IOException e) {
      throw new ProtocolException("invalid deflate body: " + reason(e), e);
    } finally {
      inflater.end();
    }
  }

  /**
   * Uncompresses a body in the Snappy <em>block</em> format (not the framed stream format), as Loki
   * push and Prometheus remote-write clients send it. The block starts with its uncompressed
   * length, which is checked against the limit before anything is allocated: a 30-byte body may
   * claim four gigabytes.
   *
   * <p>snappy-java decodes in native code, which it extracts to {@code java.io.tmpdir} on first use
   * (another directory with {@code -Dorg.xerial.snappy.tempdir}); if it cannot load it, its {@code
   * SnappyError} propagates: a fault of the server, not of the request.
   *
   * @throws PayloadTooLargeException if the declared uncompressed length exceeds {@code maxBytes}
   * @throws ProtocolException if the body is not a valid Snappy block
   */
  public static byte[] snappyUncompress(byte[] body, int maxBytes) {
    checkLimit(maxBytes);
    try {
      // A declared length of 2^31 or more comes back negative.
      int length = Snappy.uncompressedLength(body);
      if (length < 0 || length > maxBytes) {
        throw new PayloadTooLargeException(
            "decompressed body exceeds the limit of " + maxBytes + " bytes");
      }
      // uncompress(byte[]) allocates exactly the declared length, and the native decoder fails
      // rather than write past it when the data disagrees with its header.
      return Snappy.uncompress(body);
    } catch (IOException e) {
      // snappy-java reports PARSING_ERROR(2) or FAILED_TO_UNCOMPRESS(5); Go's snappy package,
      // which Loki and Prometheus use, says "corrupt input" for both.
      throw new ProtocolException("invalid snappy body: corrupt input", e);
    }
  }

  private static void checkLimit(int maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
    }
  }

  private static byte[] readAll(InputStream in, int compressedLength, int maxBytes)
      throws IOException {
    var out =
        new ByteArrayOutputStream((int) Math.min(maxBytes, Math.max(CHUNK, 4L * compressedLength)));
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
  }

  private static String reason(IOException e) {
    return e.getMessage() == null ? "corrupt data" : e.getMessage();
  }
}
