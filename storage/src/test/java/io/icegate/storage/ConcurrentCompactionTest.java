package io.icegate.storage;

import static io.icegate.storage.OtlpLogs.line;
import static io.icegate.storage.OtlpLogs.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.scan.ScanRequest;
import io.icegate.storage.table.LogsTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.io.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest, compaction and queries at the same time: every scan sees each acknowledged row exactly
 * once — no gap while segments move into Iceberg, no duplicate while both hold them.
 */
class ConcurrentCompactionTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final Compactor.Policy EAGER =
      new Compactor.Policy(Duration.ZERO, 1L << 20, Duration.ofSeconds(30));

  @TempDir Path dir;

  @Test
  void scansDuringCompactionNeverMissOrRepeatAnAcknowledgedRow() throws Exception {
    Set<String> acked = ConcurrentHashMap.newKeySet();
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicInteger scans = new AtomicInteger();
    AtomicInteger compactions = new AtomicInteger();
    try (RootAllocator allocator = new RootAllocator();
        Lake lake = Lake.openLocal(dir, Duration.ofMillis(2), EAGER, Duration.ZERO)) {
      Thread writer =
          thread(failure, () -> {
            for (int i = 0; i < 250; i++) {
              String body = "line-" + i;
              var built =
                  LogsBatchBuilder.build(request("svc", line(T0 + i, body)), "fake", T0, allocator);
              lake.logsWal().append("fake", built.batch()).get();
              acked.add(body);
            }
            writing.set(false);
          });
      Thread compactor =
          thread(failure, () -> {
            while (writing.get()) {
              if (lake.compact().segments() > 0) {
                compactions.incrementAndGet();
              }
            }
          });
      Thread reader =
          thread(failure, () -> {
            while (writing.get()) {
              Set<String> before = new HashSet<>(acked);
              List<String> seen = bodies(lake, allocator);
              Set<String> distinct = new HashSet<>(seen);
              assertThat(distinct).as("no row twice").hasSize(seen.size());
              assertThat(distinct).as("every row acked before the scan").containsAll(before);
              scans.incrementAndGet();
            }
          });
      writer.join();
      compactor.join();
      reader.join();
      if (failure.get() != null) {
        throw new AssertionError(failure.get());
      }
      assertThat(new HashSet<>(bodies(lake, allocator))).isEqualTo(acked);
      assertThat(compactions.get()).as("compaction ran while writing").isPositive();
      assertThat(scans.get()).as("scans ran while compacting").isPositive();
    }
  }

  private static Thread thread(AtomicReference<Throwable> failure, ThrowingRunnable body) {
    Thread t =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (Throwable e) {
                failure.compareAndSet(null, e);
              }
            });
    t.start();
    return t;
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static List<String> bodies(Lake lake, RootAllocator allocator) throws Exception {
    List<String> out = new ArrayList<>();
    var scan = new ScanRequest(LogsTable.NAME, "fake", Long.MIN_VALUE, Long.MAX_VALUE,
        List.of(LogsTable.BODY));
    try (CloseableIterator<VectorSchemaRoot> it = lake.scanner().open(scan, allocator)) {
      while (it.hasNext()) {
        try (VectorSchemaRoot batch = it.next()) {
          VarCharVector body = (VarCharVector) batch.getVector(LogsTable.BODY);
          for (int i = 0; i < batch.getRowCount(); i++) {
            out.add(new String(body.get(i), StandardCharsets.UTF_8));
          }
        }
      }
    }
    return out;
  }
}
