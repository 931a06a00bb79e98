package io.icegate.bench;

import io.icegate.storage.Lake;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A reproducible log corpus: {@code services} services in prod and dev, lines of 150–300 bytes
 * (plain text and JSON), about 5% of them errors, spread evenly over {@code spanNanos}. Written
 * through the real ingest path (Arrow batches → WAL), then compacted into Iceberg files.
 */
public final class LogCorpus {
  public static final long T0 = 1_767_225_600_000_000_000L; // 2026-01-01T00:00:00Z
  private static final String[] PATHS = {"/cart", "/pay", "/search", "/login", "/items/42"};
  private static final String[] WORDS = {
    "request", "handled", "upstream", "cache", "miss", "hit", "retry", "latency", "db", "query",
    "user", "session", "token", "refresh", "queue", "consumer", "offset", "commit", "shard"
  };

  private final int records;
  private final int services;
  private final long spanNanos;
  private long bodyBytes;

  public LogCorpus(int records, int services, long spanNanos) {
    this.records = records;
    this.services = services;
    this.spanNanos = spanNanos;
  }

  /** Total bytes of the log lines written, for throughput figures. */
  public long bodyBytes() {
    return bodyBytes;
  }

  public long spanNanos() {
    return spanNanos;
  }

  public long endNanos() {
    return T0 + spanNanos + 1;
  }

  /** Writes the corpus into {@code lake} in requests of {@code batch} records. */
  public void writeTo(Lake lake, BufferAllocator allocator, int batch) throws Exception {
    SplittableRandom random = new SplittableRandom(42);
    List<CompletableFuture<?>> acks = new ArrayList<>();
    for (int start = 0; start < records; start += batch) {
      int n = Math.min(batch, records - start);
      int service = (start / batch) % services;
      String env = service % 3 == 0 ? "dev" : "prod";
      ScopeLogs.Builder scope = ScopeLogs.newBuilder();
      for (int i = 0; i < n; i++) {
        long ts = T0 + (long) ((start + i) * (double) spanNanos / records);
        String line = line(random);
        bodyBytes += line.length();
        scope.addLogRecords(
            LogRecord.newBuilder()
                .setTimeUnixNano(ts)
                .setSeverityText(line.contains("error") ? "ERROR" : "INFO")
                .setBody(AnyValue.newBuilder().setStringValue(line)));
      }
      ExportLogsServiceRequest request =
          ExportLogsServiceRequest.newBuilder()
              .addResourceLogs(
                  ResourceLogs.newBuilder()
                      .setResource(
                          Resource.newBuilder()
                              .addAttributes(kv("service.name", "svc-" + service))
                              .addAttributes(kv("deployment.environment", env)))
                      .addScopeLogs(scope))
              .build();
      var built = LogsBatchBuilder.build(request, "fake", T0, allocator);
      acks.add(lake.logsWal().append("fake", built.batch()));
      if (acks.size() >= 8) {
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get();
        acks.clear();
      }
    }
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get();
  }

  /** Compacts the whole WAL into Iceberg files. */
  public static void compactAll(Lake lake) throws IOException {
    while (lake.compact().segments() > 0) {
      // keep going until the WAL is empty
    }
  }

  static String line(SplittableRandom random) {
    int kind = random.nextInt(100);
    StringBuilder sb = new StringBuilder(300);
    if (kind < 30) {
      sb.append("{\"level\":\"")
          .append(kind < 5 ? "error" : "info")
          .append("\",\"path\":\"")
          .append(PATHS[random.nextInt(PATHS.length)])
          .append("\",\"status\":")
          .append(kind < 5 ? 500 : 200)
          .append(",\"duration_ms\":")
          .append(random.nextInt(2000))
          .append(",\"user\":\"user_")
          .append(random.nextInt(10_000))
          .append("\",\"msg\":\"");
      words(sb, random, 120 + random.nextInt(100));
      sb.append("\"}");
    } else {
      sb.append(kind < 35 ? "level=error " : "level=info ")
          .append("method=GET path=")
          .append(PATHS[random.nextInt(PATHS.length)])
          .append(" user_")
          .append(random.nextInt(10_000))
          .append(kind < 35 ? " failed " : " ok ");
      words(sb, random, 150 + random.nextInt(150));
    }
    return sb.toString();
  }

  private static void words(StringBuilder sb, SplittableRandom random, int length) {
    int target = sb.length() + length;
    while (sb.length() < target) {
      sb.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
    }
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}
