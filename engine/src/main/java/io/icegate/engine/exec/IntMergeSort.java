package io.icegate.engine.exec;

/**
 * A stable merge sort of an {@code int[]} by a primitive comparator, so sorting row positions
 * boxes nothing. Stability keeps equal keys in input (commit) order.
 */
public final class IntMergeSort {
  /** Compares two ints. */
  @FunctionalInterface
  public interface IntComparator {
    int compare(int a, int b);
  }

  private IntMergeSort() {}

  public static void sort(int[] values, IntComparator comparator) {
    int[] buffer = new int[values.length];
    sort(values, buffer, 0, values.length, comparator);
  }

  private static void sort(int[] a, int[] buffer, int from, int to, IntComparator cmp) {
    if (to - from < 16) {
      for (int i = from + 1; i < to; i++) {
        int v = a[i];
        int j = i - 1;
        while (j >= from && cmp.compare(a[j], v) > 0) {
          a[j + 1] = a[j];
          j--;
        }
        a[j + 1] = v;
      }
      return;
    }
    int mid = (from + to) >>> 1;
    sort(a, buffer, from, mid, cmp);
    sort(a, buffer, mid, to, cmp);
    if (cmp.compare(a[mid - 1], a[mid]) <= 0) {
      return;
    }
    System.arraycopy(a, from, buffer, from, to - from);
    int i = from;
    int j = mid;
    int k = from;
    while (i < mid && j < to) {
      a[k++] = cmp.compare(buffer[j], buffer[i]) < 0 ? buffer[j++] : buffer[i++];
    }
    while (i < mid) {
      a[k++] = buffer[i++];
    }
    while (j < to) {
      a[k++] = buffer[j++];
    }
  }
}
