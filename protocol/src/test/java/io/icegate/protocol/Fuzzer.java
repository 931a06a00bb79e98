package io.icegate.protocol;

import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Mutation fuzzing with a fixed seed, so a failure is reproducible: valid inputs are damaged a few
 * bytes at a time (bit flips, boundary values, insertions, deletions, duplicated and spliced
 * ranges, truncation, JSON tokens) and handed to a decoder, which must either accept the input or
 * throw a {@link ProtocolException}. Anything else (another runtime exception, a stack overflow, an
 * out-of-memory error) fails the test with the seed, the round and the input.
 */
public final class Fuzzer {
  private static final byte[][] TOKENS =
      Arrays.stream(
              new String[] {
                "{",
                "}",
                "[",
                "]",
                "\"",
                ",",
                ":",
                "null",
                "true",
                "-",
                "0",
                "1e999",
                "18446744073709551616",
                "\\u",
                "\\ud800",
                "NaN",
                "\"\":",
                "{\"a\":",
                "[[[[",
                "\u00e9",
                "\uffff",
                "=",
                "`",
                "'"
              })
          .map(token -> token.getBytes(StandardCharsets.UTF_8))
          .toArray(byte[][]::new);

  private static final int[] BOUNDARY_BYTES = {0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x0a, 0x22};

  private Fuzzer() {}

  /** Runs {@code rounds} mutated inputs through {@code decoder}. */
  public static void assertOnlyProtocolExceptions(
      long seed, int rounds, List<byte[]> corpus, Consumer<byte[]> decoder) {
    Random random = new Random(seed);
    int rejected = 0;
    for (int round = 0; round < rounds; round++) {
      byte[] input = corpus.get(random.nextInt(corpus.size()));
      int mutations = 1 + random.nextInt(4);
      for (int i = 0; i < mutations; i++) {
        input = mutate(random, input, corpus);
      }
      try {
        decoder.accept(input);
      } catch (ProtocolException expected) {
        rejected++;
      } catch (Throwable unexpected) {
        throw new AssertionError(
            "seed "
                + seed
                + ", round "
                + round
                + ": "
                + unexpected
                + " for input (base64) "
                + Base64.getEncoder().encodeToString(input),
            unexpected);
      }
    }
    if (rejected == 0) {
      fail("seed %d: no mutated input was rejected; the fuzzer is not reaching the decoder", seed);
    }
  }

  private static byte[] mutate(Random random, byte[] input, List<byte[]> corpus) {
    if (input.length == 0) {
      return new byte[] {(byte) random.nextInt(256)};
    }
    int at = random.nextInt(input.length);
    switch (random.nextInt(9)) {
      case 0 -> {
        byte[] out = input.clone();
        out[at] ^= (byte) (1 << random.nextInt(8));
        return out;
      }
      case 1 -> {
        byte[] out = input.clone();
        out[at] = (byte) BOUNDARY_BYTES[random.nextInt(BOUNDARY_BYTES.length)];
        return out;
      }
      case 2 -> {
        byte[] out = input.clone();
        out[at] = (byte) random.nextInt(256);
        return out;
      }
      case 3 -> {
        return Arrays.copyOf(input, at); // truncate
      }
      case 4 -> {
        int length = 1 + random.nextInt(Math.min(16, input.length - at));
        return splice(input, at, length, new byte[0]); // delete
      }
      case 5 -> {
        byte[] inserted = new byte[1 + random.nextInt(8)];
        random.nextBytes(inserted);
        return splice(input, at, 0, inserted);
      }
      case 6 -> {
        int length = 1 + random.nextInt(Math.min(64, input.length - at));
        byte[] range = Arrays.copyOfRange(input, at, at + length);
        return splice(input, random.nextInt(input.length + 1), 0, range); // duplicate
      }
      case 7 -> {
        byte[] other = corpus.get(random.nextInt(corpus.size()));
        int from = other.length == 0 ? 0 : random.nextInt(other.length);
        return splice(input, at, input.length - at, Arrays.copyOfRange(other, from, other.length));
      }
      default -> {
        return splice(input, at, 0, TOKENS[random.nextInt(TOKENS.length)]);
      }
    }
  }

  private static byte[] splice(byte[] input, int at, int remove, byte[] insert) {
    byte[] out = new byte[input.length - remove + insert.length];
    System.arraycopy(input, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(input, at + remove, out, at + insert.length, input.length - at - remove);
    return out;
  }
}
