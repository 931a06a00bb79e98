package io.icegate.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segments written at once on local disk: each is numbered when complete and its directory
 * fsync runs outside the numbering lock, yet the index only ever holds a prefix of the WAL — when
 * a write returns, its segment and every lower number are registered. Real files on a temporary
 * directory; the contents are opaque bytes, since registration does not read them.
 */
class WalDirectoryConcurrentWriteTest {

  @TempDir Path dir;

  private static WalStore.SegmentContent bytes(int n) {
    return out -> {
      try (OutputStream stream = out.create(0)) {
        stream.write(new byte[n]);
      }
    };
  }

  @Test
  void aReturnedWriteFindsItselfAndEveryLowerNumberInTheIndex() throws Exception {
    WalDirectory wal = WalDirectory.open(dir);
    int threads = 4;
    int perThread = 25;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<String>>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        results.add(pool.submit(() -> {
          List<String> problems = new ArrayList<>();
          for (int i = 0; i < perThread; i++) {
            WalSegment segment =
                wal.write(new WalStore.PendingSegment("fake", i, i, 1), bytes(10 + thread));
            List<Long> registered =
                wal.allSegments().stream().map(WalSegment::sequence).toList();
            for (long s = 1; s <= segment.sequence(); s++) {
              if (!registered.contains(s)) {
                problems.add("segment " + segment.sequence() + " returned before " + s);
              }
            }
          }
          return problems;
        }));
      }
      for (Future<List<String>> result : results) {
        assertThat(result.get()).isEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
    List<Long> sequences = wal.allSegments().stream().map(WalSegment::sequence).toList();
    assertThat(sequences).hasSize(threads * perThread);
    for (int i = 0; i < sequences.size(); i++) {
      assertThat(sequences.get(i)).isEqualTo(i + 1L);
    }
  }

  @Test
  void aWriteThatFailsTakesNoNumberAndLeavesNoFile() throws Exception {
    WalDirectory wal = WalDirectory.open(dir);
    wal.write(new WalStore.PendingSegment("fake", 1, 1, 1), bytes(5));

    assertThatThrownBy(
            () ->
                wal.write(
                    new WalStore.PendingSegment("fake", 2, 2, 1),
                    out -> {
                      throw new IOException("disk full");
                    }))
        .isInstanceOf(IOException.class);
    WalSegment next = wal.write(new WalStore.PendingSegment("fake", 3, 3, 1), bytes(5));

    assertThat(next.sequence()).isEqualTo(2);
    try (Stream<Path> files = Files.list(dir.resolve("fake"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              String.format("%020d.parquet", 1), String.format("%020d.parquet", 2));
    }
  }
}
