package io.icegate.logql;

import java.util.Arrays;

/**
 * The patterns of {@code ip()} filters, read as Loki reads them (Go's {@code net/netip} and
 * {@code netipx}): an address ({@code 192.168.0.1}, {@code ::1}, {@code fe80::1%eth0}), a CIDR
 * prefix ({@code 10.0.0.0/8}) or a range ({@code 10.0.0.1-10.0.0.9}, no spaces).
 */
final class IpPattern {
  private IpPattern() {}

  /** An address: its bytes (4 or 16) and zone ("" for none). */
  private record Address(byte[] bytes, String zone) {}

  /** Whether Loki accepts {@code pattern} in {@code ip()}. */
  static boolean isValid(String pattern) {
    return parseAddress(pattern) != null || isPrefix(pattern) || isRange(pattern);
  }

  private static boolean isPrefix(String s) {
    int slash = s.lastIndexOf('/');
    if (slash < 0) {
      return false;
    }
    Address address = parseAddress(s.substring(0, slash));
    if (address == null || !address.zone().isEmpty()) {
      return false;
    }
    String bits = s.substring(slash + 1);
    // Go refuses a sign and leading zeros here.
    if (bits.isEmpty() || (bits.length() > 1 && (bits.charAt(0) < '1' || bits.charAt(0) > '9'))) {
      return false;
    }
    for (int i = 0; i < bits.length(); i++) {
      if (bits.charAt(i) < '0' || bits.charAt(i) > '9') {
        return false;
      }
    }
    if (bits.length() > 3) {
      return false;
    }
    return Integer.parseInt(bits) <= address.bytes().length * 8;
  }

  private static boolean isRange(String s) {
    int hyphen = s.indexOf('-');
    if (hyphen < 0) {
      return false;
    }
    Address from = parseAddress(s.substring(0, hyphen));
    Address to = parseAddress(s.substring(hyphen + 1));
    return from != null
        && to != null
        && from.bytes().length == to.bytes().length
        && from.zone().equals(to.zone())
        && Arrays.compareUnsigned(from.bytes(), to.bytes()) <= 0;
  }

  // Go's netip.ParseAddr: the first '.', ':' or '%' decides the form.
  private static Address parseAddress(String s) {
    for (int i = 0; i < s.length(); i++) {
      switch (s.charAt(i)) {
        case '.':
          byte[] v4 = new byte[4];
          return ipv4Fields(s, 0, s.length(), v4, 0) ? new Address(v4, "") : null;
        case ':':
          return parseIpv6(s);
        case '%':
          return null;
        default:
          break;
      }
    }
    return null;
  }

  // Four decimal fields 0-255 without leading zeros, into out[at..at+4].
  private static boolean ipv4Fields(String in, int from, int to, byte[] out, int at) {
    int value = 0;
    int digits = 0;
    int field = 0;
    for (int i = from; i < to; i++) {
      char c = in.charAt(i);
      if (c >= '0' && c <= '9') {
        if (digits == 1 && value == 0) {
          return false; // leading zero
        }
        value = value * 10 + (c - '0');
        digits++;
        if (value > 255) {
          return false;
        }
      } else if (c == '.') {
        if (i == from || i == to - 1 || in.charAt(i - 1) == '.' || field == 3) {
          return false;
        }
        out[at + field++] = (byte) value;
        value = 0;
        digits = 0;
      } else {
        return false;
      }
    }
    if (field < 3) {
      return false;
    }
    out[at + 3] = (byte) value;
    return true;
  }

  // Go's netip parseIPv6: groups of 1-4 hex digits, one "::", an IPv4 tail, a "%zone".
  private static Address parseIpv6(String in) {
    String s = in;
    String zone = "";
    int percent = s.indexOf('%');
    if (percent >= 0) {
      zone = s.substring(percent + 1);
      s = s.substring(0, percent);
      if (zone.isEmpty()) {
        return null;
      }
    }
    int end = s.length(); // where s ends in `in`, for the IPv4 tail
    byte[] ip = new byte[16];
    int ellipsis = -1;
    int p = 0; // read position in s
    if (s.length() >= 2 && s.charAt(0) == ':' && s.charAt(1) == ':') {
      ellipsis = 0;
      p = 2;
      if (p == s.length()) {
        return new Address(ip, zone);
      }
    }
    int i = 0;
    while (i < 16) {
      int off = 0;
      int acc = 0;
      while (p + off < s.length()) {
        int digit = Character.digit(s.charAt(p + off), 16);
        if (digit < 0 || s.charAt(p + off) > 'f') {
          break;
        }
        acc = (acc << 4) + digit;
        if (off > 3 || acc > 0xFFFF) {
          return null;
        }
        off++;
      }
      if (off == 0) {
        return null;
      }
      if (p + off < s.length() && s.charAt(p + off) == '.') {
        if ((ellipsis < 0 && i != 12) || i + 4 > 16) {
          return null;
        }
        if (!ipv4Fields(s, p, end, ip, i)) {
          return null;
        }
        p = s.length();
        i += 4;
        break;
      }
      ip[i] = (byte) (acc >> 8);
      ip[i + 1] = (byte) acc;
      i += 2;
      p += off;
      if (p == s.length()) {
        break;
      }
      if (s.charAt(p) != ':' || p + 1 == s.length()) {
        return null;
      }
      p++;
      if (s.charAt(p) == ':') {
        if (ellipsis >= 0) {
          return null;
        }
        ellipsis = i;
        p++;
        if (p == s.length()) {
          break;
        }
      }
    }
    if (p != s.length()) {
      return null;
    }
    if (i < 16) {
      if (ellipsis < 0) {
        return null;
      }
      int n = 16 - i;
      for (int j = i - 1; j >= ellipsis; j--) {
        ip[j + n] = ip[j];
      }
      Arrays.fill(ip, ellipsis, ellipsis + n, (byte) 0);
    } else if (ellipsis >= 0) {
      return null;
    }
    return new Address(ip, zone);
  }
}
