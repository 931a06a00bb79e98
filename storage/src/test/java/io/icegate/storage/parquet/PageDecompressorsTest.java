package io.icegate.storage.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import java.nio.charset.StandardCharsets;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;

class PageDecompressorsTest {
  private static final byte[] PAGE =
      "a page of values, a page of values, a page of values".getBytes(StandardCharsets.UTF_8);

  private static BytesInput zstdPage() throws Exception {
    PageDecompressors factory = new PageDecompressors(() -> {
      throw new AssertionError("ZSTD needs no fallback");
    });
    return factory.getDecompressor(CompressionCodecName.ZSTD)
        .decompress(BytesInput.from(Zstd.compress(PAGE)), PAGE.length);
  }

  @Test
  void aZstdPageInflatesIntoTheCallersLargerArray() throws Exception {
    byte[] reused = new byte[PAGE.length + 10];
    reused[PAGE.length] = 42;

    assertThat(PageDecompressors.inflateInto(zstdPage(), reused)).isTrue();

    assertThat(java.util.Arrays.copyOf(reused, PAGE.length)).isEqualTo(PAGE);
    assertThat(reused[PAGE.length]).isEqualTo((byte) 42);
  }

  @Test
  void anArrayTooSmallOrAnotherPageIsLeftToBeReadAsUsual() throws Exception {
    BytesInput page = zstdPage();
    assertThat(PageDecompressors.inflateInto(page, new byte[PAGE.length - 1])).isFalse();
    assertThat(page.toByteArray()).isEqualTo(PAGE);

    assertThat(PageDecompressors.inflateInto(BytesInput.from(PAGE), new byte[100])).isFalse();
  }
}
