package io.icegate.engine.promql;

/**
 * Natural string order (digit runs compared as numbers), which {@code sort_by_label} uses so that
 * {@code instance="10"} sorts after {@code instance="9"}.
 */
final class NaturalOrder {
  private NaturalOrder() {}

  static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char x = a.charAt(i);
      char y = b.charAt(j);
      if (Character.isDigit(x) && Character.isDigit(y)) {
        int si = i;
        int sj = j;
        while (i < a.length() && Character.isDigit(a.charAt(i))) {
          i++;
        }
        while (j < b.length() && Character.isDigit(b.charAt(j))) {
          j++;
        }
        String na = a.substring(si, i).replaceFirst("^0+(?=.)", "");
        String nb = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
        if (na.length() != nb.length()) {
          return Integer.compare(na.length(), nb.length());
        }
        int c = na.compareTo(nb);
        if (c != 0) {
          return c;
        }
        continue;
      }
      if (x != y) {
        return Character.compare(x, y);
      }
      i++;
      j++;
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
