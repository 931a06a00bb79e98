package io.icegate.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.wal.CopiedRequests.SegmentRequests;
import io.icegate.storage.wal.WalStore.RequestRows;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The decision which rows of live WAL segments are copies: the lowest-numbered segment holding a
 * request keeps its rows, later ones lose exactly that request's rows. Expected ranges are
 * worked out by hand from the segments below.
 */
class CopiedRequestsTest {

  private static SegmentRequests ranged(long sequence, long rows, RequestRows... requests) {
    return SegmentRequests.written(sequence, rows, List.of(requests));
  }

  private static RequestRows r(String fingerprint, long first, long count) {
    return new RequestRows(fingerprint, first, count);
  }

  /** A footer written before row ranges were recorded. */
  private static SegmentRequests old(long sequence, long rows, boolean allKeyed, String... keys) {
    return new SegmentRequests(sequence, rows, Set.of(keys), allKeyed, null);
  }

  @Test
  void theLowestNumberKeepsARequestWhateverOrderTheSegmentsAreListedIn() {
    SegmentRequests three = ranged(3, 5, r("a", 0, 2), r("b", 2, 3));
    SegmentRequests four = ranged(4, 4, r("b", 0, 4));
    SegmentRequests five = ranged(5, 4, r("c", 0, 1), r("a", 1, 2), r("d", 3, 1));

    Map<Long, RowRanges> copies = CopiedRequests.decide(Set.of(), List.of(five, three, four));

    assertThat(copies).containsOnlyKeys(4L, 5L);
    assertThat(copies.get(4L)).isEqualTo(RowRanges.of(0, 4)); // all of b: a whole copy
    assertThat(copies.get(5L)).isEqualTo(RowRanges.of(1, 2)); // a only; c and d stay
  }

  @Test
  void overlappingRequestSetsLoseOnlyWhatALowerSegmentHolds() {
    SegmentRequests one = ranged(1, 2, r("a", 0, 1), r("b", 1, 1));
    SegmentRequests two = ranged(2, 6, r("b", 0, 2), r("c", 2, 4));
    SegmentRequests three = ranged(3, 10, r("a", 0, 3), r("d", 3, 2), r("c", 5, 5));

    Map<Long, RowRanges> copies = CopiedRequests.decide(Set.of(), List.of(one, two, three));

    assertThat(copies).containsOnlyKeys(2L, 3L);
    assertThat(copies.get(2L).ranges()).containsExactly(new long[] {0, 2});
    // a (rows 0..2) and c (rows 5..9); d (3..4) is new.
    assertThat(copies.get(3L).ranges()).containsExactly(new long[] {0, 3}, new long[] {5, 5});
    assertThat(copies.get(3L).rows()).isEqualTo(8);
  }

  @Test
  void keysOfCompactedSegmentsCountAsLowerDown() {
    SegmentRequests seven = ranged(7, 9, r("y", 0, 5), r("x", 5, 2));

    Map<Long, RowRanges> copies = CopiedRequests.decide(Set.of("x"), List.of(seven));

    assertThat(copies.get(7L)).isEqualTo(RowRanges.of(5, 2));
  }

  @Test
  void rowsOfUnfingerprintedRequestsAreNeverCopies() {
    // Rows 0..2 came from a request without a fingerprint, then a (3..4) and b (5..5).
    SegmentRequests one = ranged(1, 2, r("a", 0, 1), r("b", 1, 1));
    SegmentRequests two = ranged(2, 6, r("a", 3, 2), r("b", 5, 1));

    Map<Long, RowRanges> copies = CopiedRequests.decide(Set.of(), List.of(one, two));

    assertThat(copies.get(2L)).isEqualTo(RowRanges.of(3, 3));
    assertThat(copies.get(2L).coversFirst(6)).isFalse();
  }

  @Test
  void aRequestTwiceInOneSegmentKeepsItsFirstRows() {
    SegmentRequests one = ranged(1, 4, r("a", 0, 2), r("a", 2, 2));

    assertThat(CopiedRequests.decide(Set.of(), List.of(one)).get(1L))
        .isEqualTo(RowRanges.of(2, 2));
  }

  @Test
  void anOldFooterIsACopyOnlyWholeAndOnlyWhenEveryRequestIsKeyedAndSeen() {
    SegmentRequests one = ranged(1, 3, r("a", 0, 1), r("b", 1, 2));
    SegmentRequests allSeen = old(2, 7, true, "a", "b");
    SegmentRequests notAllKeyed = old(3, 5, false, "a");
    SegmentRequests oneUnseen = old(4, 4, true, "a", "e");

    Map<Long, RowRanges> copies =
        CopiedRequests.decide(Set.of(), List.of(one, allSeen, notAllKeyed, oneUnseen));

    assertThat(copies).containsOnlyKeys(2L);
    assertThat(copies.get(2L)).isEqualTo(RowRanges.of(0, 7));
  }

  @Test
  void anOldFootersKeysStillMakeLaterCopiesRecognisable() {
    SegmentRequests old = old(1, 5, false, "a", "e");
    SegmentRequests later = ranged(2, 6, r("e", 0, 2), r("f", 2, 4));

    Map<Long, RowRanges> copies = CopiedRequests.decide(Set.of(), List.of(later, old));

    assertThat(copies).containsOnlyKeys(2L);
    assertThat(copies.get(2L)).isEqualTo(RowRanges.of(0, 2));
  }

  @Test
  void aFooterIsReadWithAndWithoutRowRanges() {
    Map<String, String> current =
        Map.of(
            WalDirectory.FINGERPRINTS_KEY, "f1,f2",
            WalDirectory.ALL_KEYED_KEY, "false",
            CopiedRequests.REQUEST_ROWS_KEY, "3:2,9:1");
    SegmentRequests read = SegmentRequests.fromFooter(4, 10, current);
    assertThat(read.requests()).containsExactly(r("f1", 3, 2), r("f2", 9, 1));
    assertThat(read.fingerprints()).containsExactlyInAnyOrder("f1", "f2");
    assertThat(read.allKeyed()).isFalse();

    Map<String, String> older =
        Map.of(WalDirectory.FINGERPRINTS_KEY, "f1,f2", WalDirectory.ALL_KEYED_KEY, "true");
    SegmentRequests before = SegmentRequests.fromFooter(4, 10, older);
    assertThat(before.requests()).isNull();
    assertThat(before.allKeyed()).isTrue();
    assertThat(before.fingerprints()).containsExactlyInAnyOrder("f1", "f2");

    // Ranges that don't line up with the fingerprints are not trusted: read as an old footer.
    Map<String, String> broken =
        Map.of(WalDirectory.FINGERPRINTS_KEY, "f1,f2", CopiedRequests.REQUEST_ROWS_KEY, "3:2");
    assertThat(SegmentRequests.fromFooter(4, 10, broken).requests()).isNull();

    assertThat(CopiedRequests.format(List.of(r("f1", 3, 2), r("f2", 9, 1)))).isEqualTo("3:2,9:1");
  }

  @Test
  void rowRangesMergeAndMarkTheRowsOfABatch() {
    RowRanges ranges =
        RowRanges.of(
            List.of(
                new long[] {10, 5}, new long[] {0, 2}, new long[] {13, 4}, new long[] {2, 1},
                new long[] {30, 0}));
    // [0,2) and [2,3) touch; [10,15) and [13,17) overlap; the empty range is dropped.
    assertThat(ranges.ranges()).containsExactly(new long[] {0, 3}, new long[] {10, 7});
    assertThat(ranges.contains(2)).isTrue();
    assertThat(ranges.contains(3)).isFalse();
    assertThat(ranges.contains(16)).isTrue();
    assertThat(ranges.contains(17)).isFalse();
    assertThat(ranges.coversFirst(3)).isTrue();
    assertThat(ranges.coversFirst(4)).isFalse();

    boolean[] keep = new boolean[10];
    // Rows 8..17: 10..16 are excluded.
    assertThat(ranges.keep(8, 10, keep)).isEqualTo(3);
    assertThat(keep)
        .containsExactly(true, true, false, false, false, false, false, false, false, true);
    // Rows 11..13, inside a range that started before them.
    assertThat(ranges.keep(11, 3, keep)).isZero();
    assertThat(RowRanges.NONE.keep(0, 4, keep)).isEqualTo(4);
  }
}
