package io.icegate.storage.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ChunkBufferPoolTest {
  @Test
  void aBufferHasExactlyTheSizeAskedForAndIsLentAgainOnceHandedBack() {
    ChunkBufferPool pool = new ChunkBufferPool(1 << 20);
    ByteBuffer first = pool.allocate(100_000);
    assertThat(first.remaining()).isEqualTo(100_000);
    assertThat(first.position()).isZero();
    first.position(500);
    pool.release(first);
    ByteBuffer second = pool.allocate(90_000);
    assertThat(second).isSameAs(first);
    assertThat(second.position()).isZero();
    assertThat(second.remaining()).isEqualTo(90_000);
    assertThat(pool.reused()).isEqualTo(1);
  }

  @Test
  void aBufferHandedBackTwiceIsLentOnce() {
    ChunkBufferPool pool = new ChunkBufferPool(1 << 20);
    ByteBuffer buffer = pool.allocate(4096);
    pool.release(buffer);
    pool.release(buffer);
    ByteBuffer a = pool.allocate(4096);
    ByteBuffer b = pool.allocate(4096);
    assertThat(a).isSameAs(buffer);
    assertThat(b).isNotSameAs(buffer);
  }

  @Test
  void aLargeFreeBufferIsNotLentForASmallChunk() {
    ChunkBufferPool pool = new ChunkBufferPool(64 << 20);
    ByteBuffer large = pool.allocate(8 << 20);
    pool.release(large);
    assertThat(pool.allocate(1 << 20)).isNotSameAs(large);
    assertThat(pool.allocate(5 << 20)).isSameAs(large);
  }

  @Test
  void freeBuffersBeyondTheLimitAreLeftToTheCollector() {
    ChunkBufferPool pool = new ChunkBufferPool(3 << 20);
    ByteBuffer a = pool.allocate(2 << 20);
    ByteBuffer b = pool.allocate(2 << 20);
    pool.release(a);
    pool.release(b);
    assertThat(pool.retainedBytes()).isEqualTo(2 << 20);
    assertThat(pool.allocate(2 << 20)).isSameAs(a);
    assertThat(pool.allocate(2 << 20)).isNotSameAs(b);
    pool.release(ByteBuffer.allocateDirect(16));
    assertThat(pool.retainedBytes()).isZero();
  }
}
