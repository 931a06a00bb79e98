package io.icegate.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelFieldCollation.Direction;
import org.apache.calcite.rel.RelFieldCollation.NullDirection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The top-N sort against a plain Java sort of the same rows: many batches, many equal first keys
 * (settled by the second key), a few nulls, an offset, both directions. The top-N drops rows on
 * arrival once it has kept N; none of them may be one of the answer's.
 */
class SortOperatorTest {
  private RootAllocator root;
  private BufferAllocator query;

  /** One input row: a key (null allowed) and a unique name. */
  private record Row(Long key, String name) {}

  @BeforeEach
  void setUp() {
    root = new RootAllocator();
    query = root.newChildAllocator("query", 0, Long.MAX_VALUE);
  }

  @AfterEach
  void tearDown() {
    assertThat(query.getAllocatedMemory()).as("query allocator empty").isZero();
    query.close();
    root.close();
  }

  @Test
  void topNEqualsTheFirstRowsOfAFullSortWhateverTheDirection() {
    List<Row> rows = rows(60_000, 4_000);
    for (Direction direction : List.of(Direction.DESCENDING, Direction.ASCENDING)) {
      for (NullDirection nulls : List.of(NullDirection.FIRST, NullDirection.LAST)) {
        for (long[] cut : new long[][] {{0, 1000}, {25, 10}, {0, 1}, {0, 20_000}}) {
          List<RelFieldCollation> keys =
              List.of(
                  new RelFieldCollation(0, direction, nulls),
                  new RelFieldCollation(1, Direction.ASCENDING));
          assertThat(run(rows, keys, cut[0], cut[1]))
              .as("%s %s offset %d fetch %d", direction, nulls, cut[0], cut[1])
              .isEqualTo(expected(rows, direction, nulls, cut[0], cut[1]));
        }
      }
    }
  }

  @Test
  void aBatchOfOneRowAndNoInputAtAll() {
    List<RelFieldCollation> newest = List.of(new RelFieldCollation(0, Direction.DESCENDING));
    List<Row> one = List.of(new Row(5L, "only"));
    assertThat(run(one, newest, 0, 3)).containsExactly("only");
    assertThat(run(List.of(), newest, 0, 3)).isEmpty();
  }

  @Test
  void aLimitWithoutKeysKeepsThatManyOfTheRowsOverManyCompactions() {
    // No keys: any `fetch` rows after `offset` will do, over inputs many times the limit.
    List<Row> rows = rows(40_000, 100);
    List<String> kept = run(rows, List.of(), 5, 8_192);
    assertThat(kept).hasSize(8_192).doesNotHaveDuplicates();
    assertThat(rows.stream().map(Row::name).toList()).containsAll(kept);
  }

  /** {@code count} rows with keys in {@code [0, distinct)}, every 997th null. */
  private static List<Row> rows(int count, int distinct) {
    SplittableRandom random = new SplittableRandom(11);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Long key = i % 997 == 0 ? null : (long) random.nextInt(distinct);
      rows.add(new Row(key, String.format("row-%06d", i)));
    }
    return rows;
  }

  private static List<String> expected(
      List<Row> rows, Direction direction, NullDirection nulls, long offset, long fetch) {
    Comparator<Long> byKey =
        direction == Direction.DESCENDING ? Comparator.reverseOrder() : Comparator.naturalOrder();
    Comparator<Long> withNulls =
        nulls == NullDirection.FIRST ? Comparator.nullsFirst(byKey) : Comparator.nullsLast(byKey);
    return rows.stream()
        .sorted(Comparator.comparing(Row::key, withNulls).thenComparing(Row::name))
        .skip(offset)
        .limit(fetch)
        .map(Row::name)
        .toList();
  }

  /** The names the sort emits, fed {@code rows} in batches of 777. */
  private List<String> run(
      List<Row> rows, List<RelFieldCollation> keys, long offset, long fetch) {
    ExecContext context =
        new ExecContext(query, null, System.nanoTime() + 60_000_000_000L, () -> false, 1);
    Operator input =
        new Operator() {
          int at;

          @Override
          public VectorSchemaRoot next() {
            if (at >= rows.size()) {
              return null;
            }
            int n = Math.min(777, rows.size() - at);
            BigIntVector key = new BigIntVector("key", query);
            VarCharVector name = new VarCharVector("name", query);
            key.allocateNew(n);
            name.allocateNew(n);
            for (int i = 0; i < n; i++) {
              Row row = rows.get(at + i);
              if (row.key() == null) {
                key.setNull(i);
              } else {
                key.set(i, row.key());
              }
              name.setSafe(i, row.name().getBytes(StandardCharsets.UTF_8));
            }
            key.setValueCount(n);
            name.setValueCount(n);
            at += n;
            VectorSchemaRoot batch = new VectorSchemaRoot(List.of(key, name));
            batch.setRowCount(n);
            return batch;
          }

          @Override
          public void close() {}
        };
    List<String> names = new ArrayList<>();
    try (SortOperator sort = new SortOperator(context, input, keys, offset, fetch)) {
      for (VectorSchemaRoot out = sort.next(); out != null; out = sort.next()) {
        try (VectorSchemaRoot batch = out) {
          VarCharVector name = (VarCharVector) batch.getVector(1);
          for (int i = 0; i < batch.getRowCount(); i++) {
            names.add(new String(name.get(i), StandardCharsets.UTF_8));
          }
        }
      }
    }
    return names;
  }
}
