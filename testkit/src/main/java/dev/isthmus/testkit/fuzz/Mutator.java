package dev.isthmus.testkit.fuzz;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Makes hostile variants of valid inputs, the way byte-level fuzzers do: bit flips, boundary values
 * (0, 1, -1, 0x7f, 0x80, 0xff, lengths at and around the input's own), inserted, deleted, repeated and
 * spliced ranges, and tokens of the format under test. Deterministic for a given {@link Random}.
 */
final class Mutator {

    private static final int[] INTERESTING_BYTES = {0x00, 0x01, 0x7f, 0x80, 0xff, '\r', '\n', ' ', ':', '"', '\'', '\t', '%',
        '\\', '{', '[', '-', '0', '9'};
    private static final long[] INTERESTING_INTS = {0, 1, -1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
        0x7fffffff, 0x80000000L, 0xffffffffL};

    private final Random random;
    private final List<byte[]> dictionary;
    private final int maxLength;

    Mutator(Random random, List<String> dictionary, int maxLength) {
        this.random = random;
        this.dictionary = dictionary.stream().map(token -> token.getBytes(ISO_8859_1)).toList();
        this.maxLength = maxLength;
    }

    /** One to four stacked mutations of {@code input}; {@code other} is a second corpus entry to splice with. */
    byte[] mutate(byte[] input, byte[] other) {
        byte[] out = input;
        int rounds = 1 + random.nextInt(4);
        for (int i = 0; i < rounds; i++) {
            out = once(out, other);
        }
        return out.length > maxLength ? Arrays.copyOf(out, maxLength) : out;
    }

    private byte[] once(byte[] in, byte[] other) {
        int choice = random.nextInt(in.length == 0 ? 3 : 10);
        switch (choice) {
            case 0:
                return insert(in, random.nextInt(in.length + 1), randomBytes(1 + random.nextInt(16)));
            case 1:
                return dictionary.isEmpty() ? in : insert(in, random.nextInt(in.length + 1), dictionary.get(random.nextInt(dictionary.size())));
            case 2:
                return splice(in, other);
            case 3: {
                byte[] out = in.clone();
                int at = random.nextInt(in.length);
                out[at] ^= (byte) (1 << random.nextInt(8));
                return out;
            }
            case 4: {
                byte[] out = in.clone();
                out[random.nextInt(in.length)] = (byte) INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)];
                return out;
            }
            case 5: {
                int from = random.nextInt(in.length);
                int to = from + 1 + random.nextInt(Math.min(in.length - from, 64));
                byte[] out = new byte[in.length - (to - from)];
                System.arraycopy(in, 0, out, 0, from);
                System.arraycopy(in, to, out, from, in.length - to);
                return out;
            }
            case 6: {
                int from = random.nextInt(in.length);
                int length = 1 + random.nextInt(Math.min(in.length - from, 256));
                byte[] range = Arrays.copyOfRange(in, from, from + length);
                int times = 1 + random.nextInt(random.nextBoolean() ? 4 : 64);
                byte[] repeated = new byte[range.length * times];
                for (int i = 0; i < times; i++) {
                    System.arraycopy(range, 0, repeated, i * range.length, range.length);
                }
                return insert(in, from, repeated);
            }
            case 7: {
                byte[] out = in.clone();
                int width = random.nextBoolean() ? 2 : (random.nextBoolean() ? 1 : 4);
                if (out.length < width) {
                    return out;
                }
                long value = random.nextInt(3) == 0 ? in.length + random.nextInt(5) - 2 : INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)];
                int at = random.nextInt(out.length - width + 1);
                for (int i = 0; i < width; i++) {
                    out[at + i] = (byte) (value >>> (8 * (width - 1 - i)));
                }
                return out;
            }
            case 8:
                return Arrays.copyOf(in, random.nextInt(in.length));
            default: {
                byte[] out = in.clone();
                int at = random.nextInt(in.length);
                out[at] = (byte) random.nextInt(256);
                return out;
            }
        }
    }

    private byte[] splice(byte[] in, byte[] other) {
        int head = random.nextInt(in.length + 1);
        int tail = other.length == 0 ? 0 : random.nextInt(other.length);
        byte[] out = new byte[head + other.length - tail];
        System.arraycopy(in, 0, out, 0, head);
        System.arraycopy(other, tail, out, head, other.length - tail);
        return out;
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] insert(byte[] in, int at, byte[] what) {
        byte[] out = new byte[in.length + what.length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(in, at, out, at + what.length, in.length - at);
        return out;
    }
}
