package io.icegate.storage.parquet;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Page decompression for {@link ColumnarArrowReader}: ZSTD pages in one call of zstd-jni's
 * one-shot decoder into an array of the page's known size. Parquet-java's default codec goes
 * through zstd-jni's streaming decoder (a stream object, its buffers and a copy per page), which
 * profiled as two thirds of a scan's time. Other codecs, and compression, are left to the default
 * factory.
 */
final class PageDecompressors implements CompressionCodecFactory {
  private final java.util.function.Supplier<CompressionCodecFactory> newFallback;
  /** Made on first need only: building parquet-java's factory sets up a Hadoop configuration. */
  private CompressionCodecFactory fallback;

  PageDecompressors(java.util.function.Supplier<CompressionCodecFactory> newFallback) {
    this.newFallback = newFallback;
  }

  private CompressionCodecFactory fallback() {
    if (fallback == null) {
      fallback = newFallback.get();
    }
    return fallback;
  }

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codec) {
    return fallback().getCompressor(codec);
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    if (codec != CompressionCodecName.ZSTD) {
      return fallback().getDecompressor(codec);
    }
    return new BytesInputDecompressor() {
      @Override
      public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
        // Lazily: a page the reader skips whole (its rows all filtered out) is never inflated.
        // The compressed bytes stay where parquet-java read them — a slice of the row group's
        // chunk buffer, which lives until the reader moves past the row group — unless they
        // span two buffers, when they are gathered into one array.
        ByteBuffer source =
            bytes.toByteBuffer(HeapByteBufferAllocator.getInstance(), ignored -> {});
        if (!source.hasArray()) {
          source = ByteBuffer.wrap(bytes.toByteArray());
        }
        return BytesInput.from(
            new LazyZstdPage(
                source.array(), source.arrayOffset() + source.position(), source.remaining(),
                uncompressedSize),
            uncompressedSize);
      }

      @Override
      public void decompress(
          ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
          throws IOException {
        fallback().getDecompressor(codec)
            .decompress(input, compressedSize, output, uncompressedSize);
      }

      @Override
      public void release() {}
    };
  }

  /**
   * Parquet-java's page of a stream ({@code BytesInput.from(InputStream, int)}) keeps the stream
   * in a private field; read through this handle, a page this factory made can be inflated
   * straight into a caller's reused array. Null when the field isn't there (another parquet-java
   * version): pages are then read as parquet-java reads them.
   */
  private static final java.lang.invoke.VarHandle STREAM = streamHandle();

  private static java.lang.invoke.VarHandle streamHandle() {
    try {
      Class<?> type = Class.forName("org.apache.parquet.bytes.BytesInput$StreamBytesInput");
      return java.lang.invoke.MethodHandles.privateLookupIn(
              type, java.lang.invoke.MethodHandles.lookup())
          .findVarHandle(type, "in", java.io.InputStream.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Inflates {@code page} into the start of {@code into} (at least {@code page.size()} long) when
   * it is a ZSTD page of this factory not read yet, and says whether it did; false leaves the
   * page untouched, to be read as usual.
   */
  static boolean inflateInto(BytesInput page, byte[] into) throws IOException {
    if (STREAM == null || !page.getClass().getName().endsWith("$StreamBytesInput")) {
      return false;
    }
    if (!(STREAM.get(page) instanceof LazyZstdPage lazy) || lazy.position != 0
        || lazy.inflated != null || into.length < lazy.size) {
      return false;
    }
    lazy.inflate(into, 0);
    lazy.position = lazy.size;
    return true;
  }

  /**
   * A ZSTD page as a stream that inflates on its first read — straight into the reader's array
   * when it asks for the whole page at once, as {@code BytesInput.toByteArray} does.
   */
  private static final class LazyZstdPage extends java.io.InputStream {
    /**
     * One decoding context per reading thread: a context is about 100 KB of tables that the
     * one-shot static call would allocate and set up again for every page.
     */
    private static final ThreadLocal<ZstdDecompressCtx> CONTEXT =
        ThreadLocal.withInitial(ZstdDecompressCtx::new);

    private final byte[] compressed;
    private final int compressedFrom;
    private final int compressedLength;
    private final int size;
    private byte[] inflated;
    private int position;

    LazyZstdPage(byte[] compressed, int compressedFrom, int compressedLength, int size) {
      this.compressed = compressed;
      this.compressedFrom = compressedFrom;
      this.compressedLength = compressedLength;
      this.size = size;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      if (position >= size) {
        return -1;
      }
      if (inflated == null && position == 0 && length >= size) {
        inflate(into, offset);
        position = size;
        return size;
      }
      if (inflated == null) {
        inflated = new byte[size];
        inflate(inflated, 0);
      }
      int n = Math.min(length, size - position);
      System.arraycopy(inflated, position, into, offset, n);
      position += n;
      return n;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    private void inflate(byte[] into, int offset) throws IOException {
      long written;
      try {
        written =
            CONTEXT.get().decompressByteArray(
                into, offset, size, compressed, compressedFrom, compressedLength);
      } catch (ZstdException e) {
        throw new IOException("zstd page: " + e.getMessage(), e);
      }
      if (written != size) {
        throw new IOException(
            "zstd page decompressed to " + written + " bytes, the header says " + size);
      }
    }
  }

  @Override
  public void release() {
    if (fallback != null) {
      fallback.release();
    }
  }
}
