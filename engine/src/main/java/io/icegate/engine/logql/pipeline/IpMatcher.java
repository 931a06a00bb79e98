package io.icegate.engine.logql.pipeline;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An {@code ip("...")} pattern: one address, a CIDR prefix ({@code 10.0.0.0/8}) or an inclusive
 * range ({@code 10.0.0.1-10.0.0.9}); IPv4 and IPv6 never match each other.
 */
final class IpMatcher {
  private final byte[] low;
  private final byte[] high;

  IpMatcher(String pattern) {
    int dash = pattern.indexOf('-');
    int slash = pattern.indexOf('/');
    if (dash >= 0) {
      low = parseOrThrow(pattern.substring(0, dash), pattern);
      high = parseOrThrow(pattern.substring(dash + 1), pattern);
      if (low.length != high.length || compare(low, high) > 0) {
        throw new IllegalArgumentException("ip: invalid range " + pattern);
      }
    } else if (slash >= 0) {
      byte[] base = parseOrThrow(pattern.substring(0, slash), pattern);
      int bits;
      try {
        bits = Integer.parseInt(pattern.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("ip: invalid prefix " + pattern);
      }
      if (bits < 0 || bits > base.length * 8) {
        throw new IllegalArgumentException("ip: invalid prefix " + pattern);
      }
      low = base.clone();
      high = base.clone();
      for (int b = bits; b < base.length * 8; b++) {
        low[b / 8] &= (byte) ~(0x80 >> (b % 8));
        high[b / 8] |= (byte) (0x80 >> (b % 8));
      }
    } else {
      low = parseOrThrow(pattern, pattern);
      high = low;
    }
  }

  private static byte[] parseOrThrow(String text, String pattern) {
    byte[] ip = parse(text);
    if (ip == null) {
      throw new IllegalArgumentException("ip: invalid address " + pattern);
    }
    return ip;
  }

  /** Whether {@code text} as a whole is an address in the pattern. */
  boolean matches(String text) {
    byte[] ip = parse(text);
    return ip != null && ip.length == low.length && compare(ip, low) >= 0 && compare(ip, high) <= 0;
  }

  /** Whether the line contains an address in the pattern. */
  boolean containedIn(String line) {
    int n = line.length();
    int i = 0;
    while (i < n) {
      if (!isIpChar(line.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      while (i < n && isIpChar(line.charAt(i))) {
        i++;
      }
      if (i - start >= 2 && matches(line.substring(start, i))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isIpChar(char c) {
    return (c >= '0' && c <= '9')
        || (c >= 'a' && c <= 'f')
        || (c >= 'A' && c <= 'F')
        || c == '.'
        || c == ':';
  }

  private static int compare(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }

  /** The address bytes (4 or 16), or null when {@code s} is not a literal address. */
  static byte[] parse(String s) {
    if (s.indexOf(':') < 0) {
      String[] parts = s.split("\\.", -1);
      if (parts.length != 4) {
        return null;
      }
      byte[] out = new byte[4];
      for (int i = 0; i < 4; i++) {
        String p = parts[i];
        if (p.isEmpty()
            || p.length() > 3
            || (p.length() > 1 && p.charAt(0) == '0')
            || !p.chars().allMatch(Character::isDigit)) {
          return null;
        }
        int v = Integer.parseInt(p);
        if (v > 255) {
          return null;
        }
        out[i] = (byte) v;
      }
      return out;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!isIpChar(s.charAt(i))) {
        return null;
      }
    }
    try {
      // Only hex digits, dots and colons reach here: Java reads such text as a literal address and
      // never asks DNS.
      byte[] b = InetAddress.getByName("[" + s + "]").getAddress();
      if (b.length == 4) {
        return null;
      }
      return b;
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
