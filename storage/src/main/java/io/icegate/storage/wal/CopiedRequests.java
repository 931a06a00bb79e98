package io.icegate.storage.wal;

import io.icegate.storage.wal.WalStore.RequestRows;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which rows of a shared WAL's live segments are copies of requests stored in lower-numbered
 * segments: two replicas that each took the same client request before either could see the
 * other's segment both wrote it. The lowest-numbered segment holding a request keeps its rows;
 * every later segment's rows of that request are a copy, skipped by scans and compaction. The
 * answer depends only on the segments' footers and numbers, so every replica that has listed the
 * same segments computes the same one.
 *
 * <p>The footer lists the segment's request fingerprints ({@code icegate.wal.request_fingerprints},
 * in row order) and, since per-request ranges were added, each one's rows ({@value
 * #REQUEST_ROWS_KEY}: {@code firstRow:rowCount} per fingerprint, in the same order). A segment
 * written before that has no ranges: it is a copy only as a whole, when every request in it is
 * fingerprinted ({@code icegate.wal.all_requests_keyed}) and each is stored lower down.
 */
final class CopiedRequests {
  /** Footer key: {@code firstRow:rowCount} for each listed fingerprint, in the same order. */
  static final String REQUEST_ROWS_KEY = "icegate.wal.request_rows";

  private CopiedRequests() {}

  /**
   * What one segment's footer says of its requests. {@code requests} is null for a footer
   * without row ranges (written before they were recorded); {@code fingerprints} is every
   * fingerprint the footer lists.
   */
  record SegmentRequests(
      long sequence, long rows, Set<String> fingerprints, boolean allKeyed,
      List<RequestRows> requests) {
    SegmentRequests {
      fingerprints = Set.copyOf(fingerprints);
      requests = requests == null ? null : List.copyOf(requests);
    }

    /** A segment this process wrote: its requests and their rows are known. */
    static SegmentRequests written(long sequence, long rows, List<RequestRows> requests) {
      Set<String> fingerprints = new LinkedHashSet<>();
      long keyedRows = 0;
      for (RequestRows r : requests) {
        fingerprints.add(r.fingerprint());
        keyedRows += r.rowCount();
      }
      return new SegmentRequests(sequence, rows, fingerprints, keyedRows == rows, requests);
    }

    /** Reads the request keys of a segment's footer. */
    static SegmentRequests fromFooter(long sequence, long rows, Map<String, String> footer) {
      List<String> listed = new ArrayList<>();
      String written = footer.get(WalDirectory.FINGERPRINTS_KEY);
      if (written != null && !written.isEmpty()) {
        listed.addAll(List.of(written.split(",")));
      }
      boolean allKeyed = "true".equals(footer.get(WalDirectory.ALL_KEYED_KEY));
      return new SegmentRequests(
          sequence, rows, new HashSet<>(listed), allKeyed,
          parseRows(listed, footer.get(REQUEST_ROWS_KEY)));
    }

    /** The fingerprints of a footer's ranges; null when it has none (or they don't line up). */
    private static List<RequestRows> parseRows(List<String> fingerprints, String ranges) {
      if (ranges == null) {
        return null;
      }
      String[] parts = ranges.isEmpty() ? new String[0] : ranges.split(",");
      if (parts.length != fingerprints.size()) {
        return null;
      }
      List<RequestRows> requests = new ArrayList<>(parts.length);
      for (int i = 0; i < parts.length; i++) {
        int colon = parts[i].indexOf(':');
        if (colon < 0) {
          return null;
        }
        try {
          requests.add(
              new RequestRows(
                  fingerprints.get(i),
                  Long.parseLong(parts[i].substring(0, colon)),
                  Long.parseLong(parts[i].substring(colon + 1))));
        } catch (NumberFormatException e) {
          return null;
        }
      }
      return requests;
    }
  }

  /** The footer value of {@link #REQUEST_ROWS_KEY} for {@code requests}, in their order. */
  static String format(List<RequestRows> requests) {
    StringBuilder out = new StringBuilder();
    for (RequestRows r : requests) {
      out.append(out.length() == 0 ? "" : ",").append(r.firstRow()).append(':').append(r.rowCount());
    }
    return out.toString();
  }

  /**
   * The copied rows of each segment that has any, by number. {@code earlier}: fingerprints of
   * segments below all of {@code segments} (compacted ones still remembered); {@code segments}:
   * the live ones, in any order — they are taken lowest number first.
   *
   * <p>A segment with row ranges loses exactly the ranges of requests already seen (lower down,
   * or earlier in itself). One without loses all its rows if every request in it is
   * fingerprinted and already seen, else nothing; its fingerprints count as seen either way, as
   * its rows are kept.
   */
  static Map<Long, RowRanges> decide(Set<String> earlier, Collection<SegmentRequests> segments) {
    List<SegmentRequests> inOrder = new ArrayList<>(segments);
    inOrder.sort(Comparator.comparingLong(SegmentRequests::sequence));
    Set<String> seen = new HashSet<>(); // in the live segments; earlier is not copied
    Map<Long, RowRanges> copies = new HashMap<>();
    for (SegmentRequests segment : inOrder) {
      if (segment.requests() != null) {
        List<long[]> copied = new ArrayList<>();
        for (RequestRows r : segment.requests()) {
          if (earlier.contains(r.fingerprint()) || !seen.add(r.fingerprint())) {
            copied.add(new long[] {r.firstRow(), r.rowCount()});
          }
        }
        if (!copied.isEmpty()) {
          copies.put(segment.sequence(), RowRanges.of(copied));
        }
      } else if (segment.allKeyed()
          && !segment.fingerprints().isEmpty()
          && segment.fingerprints().stream()
              .allMatch(f -> earlier.contains(f) || seen.contains(f))) {
        copies.put(segment.sequence(), RowRanges.of(0, segment.rows()));
      } else {
        seen.addAll(segment.fingerprints());
      }
    }
    return copies;
  }
}
