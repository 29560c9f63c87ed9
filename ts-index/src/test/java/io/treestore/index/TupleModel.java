package io.treestore.index;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * An independent model of tuples for the tests: a tuple is a {@link List} of normalized Java
 * values ({@code null}, {@code byte[]}, {@link String}, {@link Long}, {@link Double},
 * {@link Boolean}, {@link Instant}, or a nested {@link List}), ordered as the class description
 * of {@link Tuple} says, written from that description without looking at the encoding:
 * element types by rank (null, bytes, string, nested, int64, double, false, true, timestamp),
 * then bytes unsigned, strings by code point, int64 numerically, doubles by
 * {@link Double#compare}, instants chronologically, nested tuples recursively; a proper prefix
 * first. Also random generators of model tuples biased to the edge cases of every type.
 */
final class TupleModel {
  private TupleModel() {}

  // ------------------------------------------------------------------ order

  private static int rank(@Nullable Object v) {
    return switch (v) {
      case null -> 0;
      case byte[] b -> 1;
      case String s -> 2;
      case List<?> l -> 3;
      case Long l -> 4;
      case Double d -> 5;
      case Boolean b -> b ? 7 : 6;
      case Instant i -> 8;
      default -> throw new AssertionError("not a model value: " + v.getClass());
    };
  }

  /**
   * Compares two model tuples.
   *
   * @param a a model tuple
   * @param b another
   * @return negative, zero or positive
   */
  static int compare(List<?> a, List<?> b) {
    int n = Math.min(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      int c = compareValues(a.get(i), b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  static int compareValues(@Nullable Object a, @Nullable Object b) {
    int ra = rank(a);
    int rb = rank(b);
    if (ra != rb) {
      return Integer.compare(ra, rb);
    }
    return switch (a) {
      case null -> 0;
      case byte[] x -> {
        byte[] y = (byte[]) b;
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
          int c = Integer.compare(x[i] & 0xFF, y[i] & 0xFF);
          if (c != 0) {
            yield c;
          }
        }
        yield Integer.compare(x.length, y.length);
      }
      case String x -> {
        int[] p = x.codePoints().toArray();
        int[] q = ((String) b).codePoints().toArray();
        for (int i = 0; i < Math.min(p.length, q.length); i++) {
          if (p[i] != q[i]) {
            yield Integer.compare(p[i], q[i]);
          }
        }
        yield Integer.compare(p.length, q.length);
      }
      case List<?> x -> compare(x, (List<?>) b);
      case Long x -> Long.compare(x, (Long) b);
      case Double x -> Double.compare(x, (Double) b);
      case Boolean x -> 0;
      case Instant x -> {
        Instant y = (Instant) b;
        int c = Long.compare(x.getEpochSecond(), y.getEpochSecond());
        yield c != 0 ? c : Integer.compare(x.getNano(), y.getNano());
      }
      default -> throw new AssertionError();
    };
  }

  /**
   * Compares the first {@code bound.size()} elements of {@code t} with {@code bound}: the
   * comparison {@link TupleRange} documents for its bounds.
   */
  static int comparePrefix(List<?> t, List<?> bound) {
    return compare(t.subList(0, Math.min(t.size(), bound.size())), bound);
  }

  // ------------------------------------------------------------------ conversions

  /** Builds the tuple of a model tuple. */
  static Tuple toTuple(List<?> model) {
    Object[] out = new Object[model.size()];
    for (int i = 0; i < out.length; i++) {
      Object v = model.get(i);
      out[i] = v instanceof List<?> l ? toTuple(l) : v;
    }
    return Tuple.of(out);
  }

  /** Reads a tuple back into a model tuple through its public accessors. */
  static List<@Nullable Object> toModel(Tuple t) {
    List<@Nullable Object> out = new ArrayList<>();
    for (int i = 0; i < t.size(); i++) {
      Object v = t.get(i);
      out.add(v instanceof Tuple n ? toModel(n) : v);
    }
    return out;
  }

  /** Deep equality of model tuples, by the model order. */
  static boolean equal(List<?> a, List<?> b) {
    return compare(a, b) == 0;
  }

  /** A readable form of a model tuple (byte arrays in hex, strings with code points). */
  static String show(List<?> model) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < model.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      Object v = model.get(i);
      switch (v) {
        case null -> sb.append("null");
        case byte[] b -> sb.append("0x").append(java.util.HexFormat.of().formatHex(b));
        case String s -> sb.append('"').append(s).append("\"").append(
            Arrays.toString(s.codePoints().mapToObj(Integer::toHexString).toArray()));
        case List<?> l -> sb.append(show(l));
        case Double d -> sb.append(d).append("d(0x")
            .append(Long.toHexString(Double.doubleToRawLongBits(d))).append(')');
        default -> sb.append(v).append(" (").append(v.getClass().getSimpleName()).append(')');
      }
    }
    return sb.append(']').toString();
  }

  // ------------------------------------------------------------------ random values

  static final long[] LONGS = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -256, -1, 0, 1, 255, 256,
      Integer.MAX_VALUE, Long.MAX_VALUE - 1, Long.MAX_VALUE};
  static final double[] DOUBLES = {-0.0, 0.0, Double.NaN, Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL,
      -Double.MIN_NORMAL, Math.nextDown(Double.MIN_NORMAL), Double.MAX_VALUE, -Double.MAX_VALUE,
      1.0, -1.0, Math.nextUp(1.0), 0.1, -0.1,
      // a NaN with a payload: encoded as the canonical NaN, and equal to it
      Double.longBitsToDouble(0x7FF0_0000_0000_0001L),
      Double.longBitsToDouble(0xFFF8_0000_0000_0000L)};
  static final Instant[] INSTANTS = {Instant.MIN, Instant.MIN.plusNanos(1), Instant.MAX,
      Instant.MAX.minusNanos(1), Instant.EPOCH, Instant.ofEpochSecond(-1, 999_999_999),
      Instant.ofEpochSecond(-1, 0), Instant.ofEpochSecond(-1, 1), Instant.ofEpochSecond(0, 1),
      Instant.ofEpochSecond(-62_135_596_800L, 500), Instant.parse("2024-02-29T12:00:00Z")};
  static final int[] CODE_POINTS = {0, 'a', 'b', 'z', 0x7F, 0x80, 0xFF, 0x7FF, 0x800, 0xD7FF,
      0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
  static final byte[] BYTES = {0x00, (byte) 0xFF, 0x01, (byte) 0xFE, 0x7F, (byte) 0x80, 'a'};

  static long randomLong(Random rnd) {
    return switch (rnd.nextInt(3)) {
      case 0 -> LONGS[rnd.nextInt(LONGS.length)];
      case 1 -> rnd.nextInt(21) - 10;
      default -> rnd.nextLong();
    };
  }

  static double randomDouble(Random rnd) {
    return switch (rnd.nextInt(4)) {
      case 0, 1 -> DOUBLES[rnd.nextInt(DOUBLES.length)];
      case 2 -> { // a subnormal, either sign
        double d = Double.longBitsToDouble(rnd.nextLong() & 0x000F_FFFF_FFFF_FFFFL);
        yield rnd.nextBoolean() ? d : -d;
      }
      default -> Double.longBitsToDouble(rnd.nextLong());
    };
  }

  static Instant randomInstant(Random rnd) {
    if (rnd.nextBoolean()) {
      return INSTANTS[rnd.nextInt(INSTANTS.length)];
    }
    long s = rnd.nextInt(3) == 0
        ? Instant.MIN.getEpochSecond() + Math.floorMod(rnd.nextLong(),
            Instant.MAX.getEpochSecond() - Instant.MIN.getEpochSecond() + 1)
        : rnd.nextInt(2_000_001) - 1_000_000;
    return Instant.ofEpochSecond(s, rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(1_000_000_000));
  }

  static byte[] randomBytes(Random rnd) {
    byte[] b = new byte[rnd.nextInt(7)];
    for (int i = 0; i < b.length; i++) {
      b[i] = rnd.nextBoolean() ? BYTES[rnd.nextInt(BYTES.length)] : (byte) rnd.nextInt();
    }
    return b;
  }

  static String randomString(Random rnd) {
    StringBuilder sb = new StringBuilder();
    // one in 16 long enough (up to 2,400 code points, 512 UTF-8 bytes or more at the upper
    // end) that decoding keeps it as UTF-8 text (Utf8Text)
    int n = rnd.nextInt(16) == 0 ? 100 + rnd.nextInt(2_300) : rnd.nextInt(6);
    for (int i = 0; i < n; i++) {
      int cp;
      switch (rnd.nextInt(4)) {
        case 0, 1 -> cp = CODE_POINTS[rnd.nextInt(CODE_POINTS.length)];
        case 2 -> {
          cp = rnd.nextInt(0x10000);
          if (Character.isSurrogate((char) cp)) {
            cp = 'x';
          }
        }
        default -> cp = 0x10000 + rnd.nextInt(0x100000);
      }
      sb.appendCodePoint(cp);
    }
    return sb.toString();
  }

  /** A random element of any type; nested tuples down to {@code depth} more levels. */
  static @Nullable Object randomValue(Random rnd, int depth) {
    int kind = rnd.nextInt(depth > 0 ? 9 : 8);
    return switch (kind) {
      case 0 -> null;
      case 1 -> randomBytes(rnd);
      case 2 -> randomString(rnd);
      case 3 -> randomLong(rnd);
      case 4 -> randomDouble(rnd);
      case 5 -> rnd.nextBoolean();
      case 6 -> randomInstant(rnd);
      case 7 -> rnd.nextInt(3) == 0 ? null : randomString(rnd);
      default -> randomNested(rnd, depth - 1);
    };
  }

  /** A nested model tuple, biased to nulls (which a nested encoding escapes) and emptiness. */
  static List<@Nullable Object> randomNested(Random rnd, int depth) {
    List<@Nullable Object> out = new ArrayList<>();
    int n = rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      out.add(rnd.nextInt(3) == 0 ? null : randomValue(rnd, depth));
    }
    return out;
  }

  /** A random model tuple of 0 to {@code maxSize} elements. */
  static List<@Nullable Object> randomTuple(Random rnd, int maxSize) {
    List<@Nullable Object> out = new ArrayList<>();
    int n = rnd.nextInt(maxSize + 1);
    for (int i = 0; i < n; i++) {
      out.add(randomValue(rnd, 2));
    }
    return out;
  }

  /**
   * A tuple that shares a prefix with {@code a}: a copy of {@code a} (equal), a prefix of it,
   * a prefix plus other elements, or a prefix plus a close neighbor of the next element (so
   * that the comparison goes deep into the element, nested tuples included).
   */
  static List<@Nullable Object> related(Random rnd, List<?> a) {
    int k = rnd.nextInt(a.size() + 1);
    List<@Nullable Object> b = new ArrayList<>(a.subList(0, k));
    switch (rnd.nextInt(5)) {
      case 0 -> {
        return new ArrayList<>(a);
      }
      case 1 -> { } // a prefix
      case 2 -> {
        int extra = 1 + rnd.nextInt(2);
        for (int i = 0; i < extra; i++) {
          b.add(randomValue(rnd, 2));
        }
      }
      default -> {
        b.add(k < a.size() ? neighbor(rnd, a.get(k)) : randomValue(rnd, 2));
        if (rnd.nextBoolean()) {
          b.add(randomValue(rnd, 1));
        }
      }
    }
    return b;
  }

  /** A value of the same type close to {@code v} (or equal to it). */
  static @Nullable Object neighbor(Random rnd, @Nullable Object v) {
    return switch (v) {
      case null -> rnd.nextBoolean() ? null : randomValue(rnd, 1);
      case byte[] b -> switch (rnd.nextInt(4)) {
        case 0 -> concat(b, new byte[] {0x00});
        case 1 -> concat(b, new byte[] {(byte) 0xFF});
        case 2 -> b.length == 0 ? new byte[] {0x00} : Arrays.copyOf(b, b.length - 1);
        default -> {
          byte[] c = b.clone();
          if (c.length > 0) {
            c[c.length - 1] = (byte) (c[c.length - 1] + (rnd.nextBoolean() ? 1 : -1));
          }
          yield c;
        }
      };
      case String s -> switch (rnd.nextInt(4)) {
        case 0 -> s + "\0";
        case 1 -> s + new String(Character.toChars(
            CODE_POINTS[rnd.nextInt(CODE_POINTS.length)]));
        case 2 -> s.isEmpty() ? "\0" : s.substring(0, s.offsetByCodePoints(s.length(), -1));
        default -> s + randomString(rnd);
      };
      case List<?> l -> related(rnd, l);
      case Long l -> switch (rnd.nextInt(3)) {
        case 0 -> l + 1;
        case 1 -> l - 1;
        default -> -l;
      };
      case Double d -> switch (rnd.nextInt(4)) {
        case 0 -> Math.nextUp(d);
        case 1 -> Math.nextDown(d);
        case 2 -> -d;
        default -> d;
      };
      case Boolean b -> !b;
      case Instant i -> {
        long nanos = rnd.nextBoolean() ? 1 : -1;
        if (i.equals(Instant.MAX) || i.equals(Instant.MIN)) {
          yield i;
        }
        yield i.plusNanos(nanos);
      }
      default -> throw new AssertionError();
    };
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /**
   * The elements of a model tuple as a user might pass them to {@link Tuple#of}: integers
   * that fit sometimes as Integer, Short or Byte, doubles that are floats sometimes as Float.
   */
  static Object[] asInput(Random rnd, List<?> model) {
    Object[] out = new Object[model.size()];
    for (int i = 0; i < out.length; i++) {
      Object v = model.get(i);
      out[i] = switch (v) {
        case Long l when l == l.byteValue() && rnd.nextInt(3) == 0 -> l.byteValue();
        case Long l when l == l.shortValue() && rnd.nextInt(3) == 0 -> l.shortValue();
        case Long l when l == l.intValue() && rnd.nextBoolean() -> l.intValue();
        case Double d when (double) d.floatValue() == d && rnd.nextBoolean() -> d.floatValue();
        case List<?> l -> Tuple.of(asInput(rnd, l));
        case String str when rnd.nextInt(4) == 0 -> Utf8Text.of(str);
        case byte[] b -> b.clone();
        case null -> null;
        default -> v;
      };
    }
    return out;
  }
}
