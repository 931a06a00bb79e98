package io.icegate.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

class CompressionTest {
  @Test
  void gunzipRestoresTheOriginalBytes() {
    byte[] original = "hello, world ".repeat(1000).getBytes(StandardCharsets.UTF_8);

    assertThat(Compression.gunzip(gzip(original), original.length)).isEqualTo(original);
  }

  @Test
  void concatenatedMembersAreOneStream() {
    byte[] a = gzip("first ".getBytes(StandardCharsets.UTF_8));
    byte[] b = gzip("second".getBytes(StandardCharsets.UTF_8));
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);

    assertThat(new String(Compression.gunzip(both, 100), StandardCharsets.UTF_8))
        .isEqualTo("first second");
  }

  @Test
  void bodyThatInflatesBeyondTheLimitIsRejectedAsTooLarge() {
    // 64 MiB of zeros compress to about 64 KiB: a small decompression bomb.
    byte[] bomb = gzip(new byte[64 << 20]);
    assertThat(bomb.length).isLessThan(128 << 10);

    assertThatThrownBy(() -> Compression.gunzip(bomb, 1 << 20))
        .isInstanceOf(PayloadTooLargeException.class)
        .hasMessage("decompressed body exceeds the limit of 1048576 bytes");
  }

  @Test
  void bodyOfExactlyTheLimitIsAccepted() {
    assertThat(Compression.gunzip(gzip(new byte[4096]), 4096)).hasSize(4096);
  }

  @Test
  void bodyThatIsNotGzipIsRejected() {
    byte[] plain = "{\"resourceLogs\":[]}".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> Compression.gunzip(plain, 1000))
        .isInstanceOf(ProtocolException.class)
        .isNotInstanceOf(PayloadTooLargeException.class)
        .hasMessage("invalid gzip body: Not in GZIP format");
  }

  @Test
  void truncatedGzipIsRejected() {
    byte[] full = gzip("some log lines ".repeat(100).getBytes(StandardCharsets.UTF_8));
    byte[] truncated = Arrays.copyOf(full, full.length / 2);

    assertThatThrownBy(() -> Compression.gunzip(truncated, 1 << 20))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("invalid gzip body: unexpected end of data");
  }

  @Test
  void corruptedGzipIsRejected() {
    byte[] corrupt = gzip("some log lines ".repeat(100).getBytes(StandardCharsets.UTF_8));
    for (int i = 10; i < corrupt.length - 8; i++) {
      corrupt[i] = (byte) 0xff;
    }

    assertThatThrownBy(() -> Compression.gunzip(corrupt, 1 << 20))
        .isInstanceOf(ProtocolException.class)
        .hasMessageStartingWith("invalid gzip body: ");
  }

  // ---- raw DEFLATE (Loki's Content-Encoding: deflate) ----

  @Test
  void inflateRestoresTheOriginalBytes() {
    byte[] original = "line\n".repeat(1000).getBytes(StandardCharsets.UTF_8);

    assertThat(Compression.inflate(deflate(original), original.length)).isEqualTo(original);
  }

  @Test
  void inflateStopsAtTheLimit() {
    assertThatThrownBy(() -> Compression.inflate(deflate(new byte[1 << 20]), 1000))
        .isInstanceOf(PayloadTooLargeException.class)
        .hasMessage("decompressed body exceeds the limit of 1000 bytes");
  }

  @Test
  void truncatedOrCorruptDeflateIsRejected() {
    byte[] full = deflate("some log lines ".repeat(100).getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> Compression.inflate(Arrays.copyOf(full, full.length / 2), 1 << 20))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("invalid deflate body: unexpected end of data");
    assertThatThrownBy(() -> Compression.inflate(new byte[] {(byte) 0xff, 0x00, 0x01}, 1 << 20))
        .isInstanceOf(ProtocolException.class)
        .hasMessageStartingWith("invalid deflate body: ");
  }

  // ---- Snappy block format ----

  @Test
  void snappyRestoresTheOriginalBytes() throws IOException {
    byte[] original = "sample ".repeat(1000).getBytes(StandardCharsets.UTF_8);

    assertThat(Compression.snappyUncompress(Snappy.compress(original), original.length))
        .isEqualTo(original);
  }

  @Test
  void snappyLengthIsCheckedBeforeAnythingIsAllocated() {
    // A five-byte header that declares 4 GiB - 1 of data, and nothing after it.
    byte[] claim = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
    // 2 GiB - 1: fits in an int, but far beyond the limit.
    byte[] large = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07};

    assertThatThrownBy(() -> Compression.snappyUncompress(claim, 1 << 20))
        .isInstanceOf(PayloadTooLargeException.class)
        .hasMessage("decompressed body exceeds the limit of 1048576 bytes");
    assertThatThrownBy(() -> Compression.snappyUncompress(large, 1 << 20))
        .isInstanceOf(PayloadTooLargeException.class);
  }

  @Test
  void snappyOfExactlyTheLimitIsAccepted() throws IOException {
    assertThat(Compression.snappyUncompress(Snappy.compress(new byte[4096]), 4096)).hasSize(4096);
  }

  @Test
  void corruptSnappyIsRejectedWithGosWords() throws IOException {
    byte[] valid = Snappy.compress("some samples ".repeat(50).getBytes(StandardCharsets.UTF_8));
    byte[] truncated = Arrays.copyOf(valid, valid.length - 3);

    for (byte[] corrupt : new byte[][] {new byte[0], {(byte) 0x80}, {5, 1, 2, 3}, truncated}) {
      assertThatThrownBy(() -> Compression.snappyUncompress(corrupt, 1 << 20))
          .isInstanceOf(ProtocolException.class)
          .isNotInstanceOf(PayloadTooLargeException.class)
          .hasMessage("invalid snappy body: corrupt input");
    }
  }

  private static byte[] deflate(byte[] data) {
    var bytes = new ByteArrayOutputStream();
    try (var out = new DeflaterOutputStream(bytes, new Deflater(Deflater.BEST_SPEED, true))) {
      out.write(data);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] gzip(byte[] data) {
    var bytes = new ByteArrayOutputStream();
    try (var out = new GZIPOutputStream(bytes)) {
      out.write(data);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return bytes.toByteArray();
  }
}
