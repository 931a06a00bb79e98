package io.icegate.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.server.loki.LokiErrors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Response bodies written into recycled direct pieces, through a real listener and client. */
class DirectBodyTest {
  @Test
  void bytesWrittenAcrossManyPiecesComeBackInOrder() {
    DirectBody body = new DirectBody(ByteBufAllocator.DEFAULT);
    byte[] expected = randomBytes(3 * DirectBody.PIECE_BYTES + 12_345, 1);
    // Uneven writes, single bytes among them, so writes straddle piece boundaries.
    int at = 0;
    int step = 1;
    while (at < expected.length) {
      int n = Math.min(step, expected.length - at);
      if (n == 1) {
        body.write(expected[at]);
      } else {
        body.write(expected, at, n);
      }
      at += n;
      step = step * 7 % 100_003 + 1;
    }
    assertThat(body.size()).isEqualTo(expected.length);
    ByteBuf all = body.take();
    try {
      byte[] got = new byte[all.readableBytes()];
      all.getBytes(all.readerIndex(), got);
      assertThat(got).isEqualTo(expected);
    } finally {
      all.release();
    }
    assertThatThrownBy(() -> body.write(1)).isInstanceOf(IllegalStateException.class);
    body.release();
  }

  @Test
  void releasedPiecesAreKeptAndReusedWithoutTheirOldBytes() {
    DirectBody first = new DirectBody(ByteBufAllocator.DEFAULT);
    first.write(randomBytes(2 * DirectBody.PIECE_BYTES, 2), 0, 2 * DirectBody.PIECE_BYTES);
    int keptBefore = DirectBody.keptPieces();
    first.release();
    assertThat(DirectBody.keptPieces()).isEqualTo(keptBefore + 2);

    DirectBody second = new DirectBody(ByteBufAllocator.DEFAULT);
    second.write(new byte[] {42, 43}, 0, 2);
    assertThat(DirectBody.keptPieces()).isEqualTo(keptBefore + 1);
    ByteBuf all = second.take();
    try {
      assertThat(all.readableBytes()).isEqualTo(2);
      assertThat(all.getByte(0)).isEqualTo((byte) 42);
      assertThat(all.getByte(1)).isEqualTo((byte) 43);
    } finally {
      all.release();
    }
  }

  @Test
  void piecesPastTheKeptNumberAreFreedAtOnce() {
    java.lang.management.BufferPoolMXBean direct =
        java.lang.management.ManagementFactory.getPlatformMXBeans(
                java.lang.management.BufferPoolMXBean.class).stream()
            .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
    int extra = 40;
    int pieces = DirectBody.KEPT_PIECES + extra;
    DirectBody body = new DirectBody(ByteBufAllocator.DEFAULT);
    byte[] chunk = new byte[DirectBody.PIECE_BYTES];
    for (int i = 0; i < pieces; i++) {
      body.write(chunk, 0, chunk.length);
    }
    long peak = direct.getMemoryUsed();
    body.release();
    assertThat(DirectBody.keptPieces()).isEqualTo(DirectBody.KEPT_PIECES);
    // The pieces not kept gave their memory back without waiting for a collection.
    assertThat(direct.getMemoryUsed()).isLessThanOrEqualTo(peak - (long) extra * chunk.length);
  }

  @Test
  void aLargeBodyReachesTheClientWholeAndItsPiecesReturnAfterTheWrite() throws Exception {
    NioEventLoopGroup boss = new NioEventLoopGroup(1);
    NioEventLoopGroup io = new NioEventLoopGroup(1);
    ExecutorService workers = Executors.newFixedThreadPool(2);
    byte[] expected = randomBytes(20 * DirectBody.PIECE_BYTES + 7, 3);
    Handler large =
        exchange -> {
          DirectBody body = exchange.directBody();
          try {
            body.write(expected, 0, expected.length);
            exchange.respond(HttpResponseStatus.OK, "application/octet-stream", body, Map.of());
          } finally {
            body.release();
          }
        };
    HttpListener listener =
        HttpListener.start(
            "test", "127.0.0.1", 0, 1 << 20, 1 << 20, Map.of("/large", large),
            LokiErrors.renderer(), boss, io, workers, new InFlight(), (name, route, status) -> {});
    try {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI uri = URI.create("http://127.0.0.1:" + listener.port() + "/large");
      for (int round = 0; round < 3; round++) {
        HttpResponse<byte[]> r = client.send(
            HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(expected.length);
        assertThat(r.body()).isEqualTo(expected);
      }
      // Once written, the 21 pieces went back to the free list (the socket releases them
      // after the last byte is sent, on the event loop).
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (DirectBody.keptPieces() < 21 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(DirectBody.keptPieces()).isGreaterThanOrEqualTo(21);
    } finally {
      listener.close();
      workers.shutdownNow();
      boss.shutdownGracefully();
      io.shutdownGracefully();
    }
  }

  private static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    return b;
  }
}
