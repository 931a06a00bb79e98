package io.icegate.storage.parquet;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
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
        byte[] source = bytes.toByteArray();
        byte[] target = new byte[uncompressedSize];
        long size =
            Zstd.decompressByteArray(target, 0, uncompressedSize, source, 0, source.length);
        if (Zstd.isError(size)) {
          throw new IOException("zstd page: " + Zstd.getErrorName(size));
        }
        if (size != uncompressedSize) {
          throw new IOException(
              "zstd page decompressed to " + size + " bytes, the header says " + uncompressedSize);
        }
        return BytesInput.from(target);
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

  @Override
  public void release() {
    if (fallback != null) {
      fallback.release();
    }
  }
}
