package io.icegate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.server.loki.LokiErrors;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A real listener (Netty, the Loki error renderer) with an in-flight body budget of one body:
 * while a push is being handled, a second one is refused 429 before its handler runs, in Loki's
 * error shape and with {@code Retry-After}, so Promtail and Alloy back off instead of hammering.
 */
class InflightBodyBudgetTest {
  private static final int MAX_BODY = 64 * 1024;

  @Test
  void aBodyBeyondTheBudgetIsRefused429WithRetryAfterInLokisShape() throws Exception {
    NioEventLoopGroup boss = new NioEventLoopGroup(1);
    NioEventLoopGroup io = new NioEventLoopGroup(1);
    ExecutorService workers = Executors.newFixedThreadPool(2);
    CountDownLatch firstArrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Handler slow =
        exchange -> {
          firstArrived.countDown();
          release.await(30, TimeUnit.SECONDS);
          exchange.respond(HttpResponseStatus.NO_CONTENT, "text/plain", new byte[0]);
        };
    HttpListener listener =
        HttpListener.start(
            "loki", "127.0.0.1", 0, MAX_BODY, MAX_BODY,
            Map.of("/loki/api/v1/push", slow), LokiErrors.renderer(), boss, io, workers,
            new InFlight(), (name, route, status) -> {});
    try {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI uri = URI.create("http://127.0.0.1:" + listener.port() + "/loki/api/v1/push");
      byte[] body = new byte[40 * 1024];
      CompletableFuture<HttpResponse<String>> first =
          client.sendAsync(post(uri, body), HttpResponse.BodyHandlers.ofString());
      assertThat(firstArrived.await(30, TimeUnit.SECONDS)).isTrue();

      // 40 KiB held, 40 more would exceed the 64 KiB budget.
      HttpResponse<String> refused = client.send(post(uri, body),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(refused.headers().firstValue("Content-Type")).hasValue(LokiErrors.CONTENT_TYPE);
      assertThat(refused.body())
          .contains("\"code\":429")
          .contains("request bodies of more than 65536 bytes in flight (max_inflight_body_bytes)");

      release.countDown();
      assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
      // The budget is free again: the same body now goes through.
      assertThat(client.send(post(uri, body), HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(204);
    } finally {
      release.countDown();
      listener.close();
      workers.shutdownNow();
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      io.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static HttpRequest post(URI uri, byte[] body) {
    return HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }
}
