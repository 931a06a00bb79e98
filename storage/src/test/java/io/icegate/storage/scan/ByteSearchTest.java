package io.icegate.storage.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ByteSearchTest {
  /** The obvious quadratic search, as the reference. */
  private static int naive(byte[] h, int from, int to, byte[] needle) {
    outer:
    for (int p = Math.max(from, 0); p + needle.length <= to; p++) {
      for (int j = 0; j < needle.length; j++) {
        if (h[p + j] != needle[j]) {
          continue outer;
        }
      }
      return p;
    }
    return -1;
  }

  @Test
  void agreesWithTheNaiveSearchOnRandomInputs() {
    SplittableRandom random = new SplittableRandom(1);
    // Small alphabets make many partial matches; bytes ≥ 0x80 check sign handling.
    byte[][] alphabets = {
      "ab".getBytes(StandardCharsets.UTF_8),
      "erro ".getBytes(StandardCharsets.UTF_8),
      {(byte) 0x80, (byte) 0xff, 0x7f, 0x00, 'a'}
    };
    int checks = 0;
    for (int round = 0; round < 20_000; round++) {
      byte[] alphabet = alphabets[round % alphabets.length];
      byte[] h = new byte[random.nextInt(0, 120)];
      for (int i = 0; i < h.length; i++) {
        h[i] = alphabet[random.nextInt(alphabet.length)];
      }
      // Up to 24 bytes: short needles compare byte by byte, long ones eight at a time.
      byte[] needle = new byte[random.nextInt(1, 25)];
      for (int i = 0; i < needle.length; i++) {
        needle[i] = alphabet[random.nextInt(alphabet.length)];
      }
      int from = h.length == 0 ? 0 : random.nextInt(h.length + 1);
      int to = from + random.nextInt(h.length - from + 1);
      assertThat(new ByteSearch(needle).indexOf(h, from, to))
          .as("needle %s in %s [%d, %d)", java.util.Arrays.toString(needle),
              java.util.Arrays.toString(h), from, to)
          .isEqualTo(naive(h, from, to, needle));
      checks++;
    }
    assertThat(checks).isEqualTo(20_000);
  }

  @Test
  void findsMatchesAtEveryPositionOfALongHaystack() {
    byte[] needle = "error".getBytes(StandardCharsets.UTF_8);
    ByteSearch search = new ByteSearch(needle);
    for (int at = 0; at + needle.length <= 100; at++) {
      byte[] h = new byte[100];
      java.util.Arrays.fill(h, (byte) 'r'); // "rr" is the pair searched for: hits everywhere
      System.arraycopy(needle, 0, h, at, needle.length);
      assertThat(search.indexOf(h, 0, h.length)).as("at %d", at).isEqualTo(at);
      assertThat(search.indexOf(h, 0, at + needle.length - 1)).isEqualTo(-1);
    }
  }

  @Test
  void findsLongNeedlesAmongNearMisses() {
    // Near misses in every byte of the needle, each alone, at every offset of a long haystack.
    byte[] needle = "user_99999 failed login".getBytes(StandardCharsets.UTF_8);
    ByteSearch search = new ByteSearch(needle);
    for (int miss = 0; miss < needle.length; miss++) {
      byte[] near = needle.clone();
      near[miss] ^= 0x01;
      for (int at = 0; at + needle.length <= 64; at++) {
        byte[] h = "user_9999 user_99999 user_999999 ".repeat(3).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(near, 0, h, at, near.length);
        assertThat(search.indexOf(h, 0, h.length)).as("miss %d at %d", miss, at)
            .isEqualTo(naive(h, 0, h.length, needle));
        System.arraycopy(needle, 0, h, at, needle.length);
        assertThat(search.indexOf(h, 0, h.length)).as("at %d", at)
            .isEqualTo(naive(h, 0, h.length, needle));
      }
    }
  }

  @Test
  void anEmptyNeedleIsRefused() {
    assertThatThrownBy(() -> new ByteSearch(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
