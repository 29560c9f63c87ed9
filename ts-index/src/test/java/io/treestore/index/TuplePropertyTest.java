package io.treestore.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Properties of the tuple encoding over random tuples of every element type (edge cases
 * included: 0x00/0xFF bytes, U+0000 and non-BMP code points, int64 extremes, -0.0, NaN,
 * infinities and subnormals, Instant.MIN/MAX and negative seconds with nanos, nested tuples
 * with nulls, empty tuples), checked against {@link TupleModel}, an independent model of the
 * documented order:
 * <ul>
 *   <li>{@code decode(encode(t))} equals {@code t} and holds the model's values;
 *   <li>the unsigned order of encodings, {@code compareTo} and the model agree in sign, over
 *       pairs built to share prefixes;
 *   <li>the encoding of a prefix is a byte prefix, and concatenation of tuples concatenates
 *       encodings;
 *   <li>{@code equals} and {@code hashCode} agree with each other and with the order.
 * </ul>
 * Seeded: the seed is printed and in every failure message; rerun with {@code -Dts.seed=}.
 */
class TuplePropertyTest {
  private static final long DEFAULT_SEED = 0x7A_B1E5L;

  static long seed(String test) {
    long seed = Long.getLong("ts.seed", DEFAULT_SEED);
    System.out.println(test + " seed=" + seed + " (rerun with -Dts.seed=" + seed + ")");
    return seed;
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static boolean startsWith(byte[] a, byte[] prefix) {
    return a.length >= prefix.length && Arrays.equals(a, 0, prefix.length, prefix, 0,
        prefix.length);
  }

  @Test
  void randomTuplesRoundTripAndKeepTheirValues() {
    long seed = seed("roundTrip");
    Random rnd = new Random(seed);
    for (int i = 0; i < 20_000; i++) {
      List<@Nullable Object> m = TupleModel.randomTuple(rnd, 6);
      Tuple t = Tuple.of(TupleModel.asInput(rnd, m));
      String ctx = "seed " + seed + " #" + i + " " + TupleModel.show(m);
      assertEquals(m.size(), t.size(), ctx);
      assertTrue(TupleModel.equal(m, TupleModel.toModel(t)), ctx + ": values changed by of()");
      byte[] enc = t.encode();
      Tuple back = Tuple.decode(enc);
      assertEquals(t, back, ctx + " encoded " + hex(enc));
      assertEquals(t.hashCode(), back.hashCode(), ctx);
      assertTrue(TupleModel.equal(m, TupleModel.toModel(back)), ctx + ": decoded "
          + TupleModel.show(TupleModel.toModel(back)));
      assertArrayEquals(enc, back.encode(), ctx + ": encoding is not canonical");
      // A slice of a larger array decodes alike.
      byte[] padded = new byte[enc.length + 5];
      Arrays.fill(padded, (byte) 0xFF);
      System.arraycopy(enc, 0, padded, 2, enc.length);
      assertEquals(t, Tuple.decode(padded, 2, enc.length), ctx);
      // fromList and toList are inverses.
      assertEquals(t, Tuple.fromList(t.toList()), ctx);
      for (int j = 0; j < t.size(); j++) {
        assertEquals(expectedType(m.get(j)), t.type(j), ctx + " type of element " + j);
      }
    }
  }

  @Test
  void prefixLengthIsTheLengthOfTheLeadingElementsEncoding() {
    long seed = seed("prefixLength");
    Random rnd = new Random(seed);
    for (int i = 0; i < 20_000; i++) {
      Tuple t = Tuple.of(TupleModel.asInput(rnd, TupleModel.randomTuple(rnd, 6)));
      byte[] enc = t.encode();
      for (int n = 0; n <= t.size() + 1; n++) {
        int expected = n >= t.size() ? enc.length : t.subTuple(0, n).encode().length;
        assertEquals(expected, Tuple.prefixLength(enc, n), "seed " + seed + " #" + i + " " + t
            + " first " + n);
      }
    }
    assertThrows(IllegalArgumentException.class, () -> Tuple.prefixLength(new byte[0], -1));
    // ends that are not there are reported, with where the element starts
    TupleFormatException e = assertThrows(TupleFormatException.class,
        () -> Tuple.prefixLength(new byte[] {0x02, 'a', 'b'}, 1));
    assertEquals(0, e.offset());
    assertThrows(TupleFormatException.class,
        () -> Tuple.prefixLength(new byte[] {0x14, 1, 2}, 1));
    assertThrows(TupleFormatException.class,
        () -> Tuple.prefixLength(new byte[] {0x7E}, 1));
    assertThrows(TupleFormatException.class,
        () -> Tuple.prefixLength(new byte[] {0x05, 0x14, 0, 0, 0, 0, 0, 0, 0, 1}, 1));
  }

  @Test
  void decodeElementsIsTheSubTupleOfThoseElements() {
    long seed = seed("decodeElements");
    Random rnd = new Random(seed);
    for (int i = 0; i < 20_000; i++) {
      Tuple t = Tuple.of(TupleModel.asInput(rnd, TupleModel.randomTuple(rnd, 6)));
      byte[] enc = t.encode();
      int from = rnd.nextInt(t.size() + 2);
      int to = from + rnd.nextInt(t.size() + 2);
      Tuple expected = t.subTuple(Math.min(from, t.size()), Math.min(to, t.size()));
      assertEquals(expected, Tuple.decodeElements(enc, from, to), "seed " + seed + " #" + i
          + " " + t + " [" + from + ", " + to + ")");
    }
    assertThrows(IllegalArgumentException.class, () -> Tuple.decodeElements(new byte[0], -1,
        0));
    assertThrows(IllegalArgumentException.class, () -> Tuple.decodeElements(new byte[0], 2,
        1));
    // an element passed over that does not end is reported, as is a bad decoded element
    assertThrows(TupleFormatException.class,
        () -> Tuple.decodeElements(new byte[] {0x02, 'a', 'b'}, 1, 2));
    assertThrows(TupleFormatException.class,
        () -> Tuple.decodeElements(new byte[] {0x02, 'a', 0, 0x7E}, 1, 2));
  }

  private static Tuple.Type expectedType(@Nullable Object v) {
    return switch (v) {
      case null -> Tuple.Type.NULL;
      case byte[] b -> Tuple.Type.BYTES;
      case String s -> Tuple.Type.STRING;
      case List<?> l -> Tuple.Type.TUPLE;
      case Long l -> Tuple.Type.INT64;
      case Double d -> Tuple.Type.DOUBLE;
      case Boolean b -> Tuple.Type.BOOLEAN;
      case Instant i -> Tuple.Type.TIMESTAMP;
      default -> throw new AssertionError();
    };
  }

  @Test
  void byteOrderOfEncodingsIsTupleOrderAndModelOrder() {
    long seed = seed("order");
    Random rnd = new Random(seed);
    int equalPairs = 0;
    int deepPairs = 0;
    for (int i = 0; i < 30_000; i++) {
      List<@Nullable Object> ma = TupleModel.randomTuple(rnd, 5);
      List<@Nullable Object> mb = TupleModel.related(rnd, ma);
      Tuple a = Tuple.of(TupleModel.asInput(rnd, ma));
      Tuple b = Tuple.of(TupleModel.asInput(rnd, mb));
      byte[] ea = a.encode();
      byte[] eb = b.encode();
      int model = Integer.signum(TupleModel.compare(ma, mb));
      String ctx = "seed " + seed + " #" + i + "\n a=" + TupleModel.show(ma) + " " + hex(ea)
          + "\n b=" + TupleModel.show(mb) + " " + hex(eb);
      assertEquals(model, Integer.signum(a.compareTo(b)), ctx + "\n compareTo vs model");
      assertEquals(-model, Integer.signum(b.compareTo(a)), ctx + "\n compareTo not antisymmetric");
      assertEquals(model, Integer.signum(Arrays.compareUnsigned(ea, eb)),
          ctx + "\n encoded order vs model");
      assertEquals(model == 0, a.equals(b), ctx + "\n equals vs model");
      assertEquals(model == 0, Arrays.equals(ea, eb), ctx + "\n equal tuples, equal bytes");
      if (model == 0) {
        equalPairs++;
        assertEquals(a.hashCode(), b.hashCode(), ctx + "\n hashCode of equal tuples");
      }
      int mismatch = Arrays.mismatch(ea, eb);
      if (mismatch > 8) {
        deepPairs++;
      }
    }
    // The generator must produce the interesting cases, or the property proves little.
    assertTrue(equalPairs > 1_000, "equal pairs: " + equalPairs);
    assertTrue(deepPairs > 10_000, "pairs differing after byte 8: " + deepPairs);
  }

  @Test
  void sortingByEncodingSortsByTupleOrder() {
    long seed = seed("sort");
    Random rnd = new Random(seed);
    List<Tuple> tuples = new ArrayList<>();
    List<@Nullable Object> last = TupleModel.randomTuple(rnd, 4);
    for (int i = 0; i < 3_000; i++) {
      last = rnd.nextInt(4) == 0 ? TupleModel.randomTuple(rnd, 4) : TupleModel.related(rnd, last);
      tuples.add(TupleModel.toTuple(last));
    }
    List<Tuple> byTuple = new ArrayList<>(tuples);
    byTuple.sort(Tuple::compareTo);
    List<Tuple> byModel = new ArrayList<>(tuples);
    byModel.sort((x, y) -> TupleModel.compare(TupleModel.toModel(x), TupleModel.toModel(y)));
    List<Tuple> byBytes = new ArrayList<>(tuples);
    byBytes.sort((x, y) -> Arrays.compareUnsigned(x.encode(), y.encode()));
    for (int i = 0; i < tuples.size(); i++) {
      assertEquals(0, byModel.get(i).compareTo(byTuple.get(i)), "seed " + seed + " position " + i);
      assertEquals(0, byModel.get(i).compareTo(byBytes.get(i)), "seed " + seed + " position " + i);
    }
  }

  @Test
  void prefixEncodingIsBytePrefixAndConcatenationConcatenates() {
    long seed = seed("prefix");
    Random rnd = new Random(seed);
    for (int i = 0; i < 10_000; i++) {
      Tuple t = TupleModel.toTuple(TupleModel.randomTuple(rnd, 6));
      byte[] enc = t.encode();
      String ctx = "seed " + seed + " #" + i + " " + t;
      for (int k = 0; k <= t.size(); k++) {
        Tuple p = t.subTuple(0, k);
        byte[] pe = p.encode();
        assertTrue(startsWith(enc, pe), ctx + ": prefix of " + k + " elements " + hex(pe)
            + " not a prefix of " + hex(enc));
        assertTrue(p.compareTo(t) <= 0, ctx);
        Tuple rest = t.subTuple(k, t.size());
        Tuple joined = p.concat(rest);
        assertEquals(t, joined, ctx);
        byte[] both = Arrays.copyOf(pe, pe.length + rest.encode().length);
        System.arraycopy(rest.encode(), 0, both, pe.length, rest.encode().length);
        assertArrayEquals(enc, both, ctx + ": concat of encodings at " + k);
        assertEquals(t, p.add(rest.toList().toArray()), ctx);
      }
      assertArrayEquals(new byte[0], t.subTuple(0, 0).encode(), ctx);
    }
  }

  @Test
  void equalsAndHashCodeFollowValuesNotRepresentation() {
    assertEquals(Tuple.of(1L, 2.5), Tuple.of(1, 2.5f));
    assertEquals(Tuple.of(1L), Tuple.of((short) 1));
    assertEquals(Tuple.of(1L), Tuple.of((byte) 1));
    assertEquals(Tuple.of(1L).hashCode(), Tuple.of(1).hashCode());
    assertEquals(Tuple.of(new byte[] {1, 0}), Tuple.of((Object) new byte[] {1, 0}));
    assertEquals(Tuple.of(new byte[] {1, 0}).hashCode(), Tuple.of(new byte[] {1, 0}).hashCode());
    assertEquals(Tuple.of(Double.NaN), Tuple.of(Double.longBitsToDouble(0x7FF0_0000_0000_0001L)));
    assertEquals(Tuple.of(Double.NaN).hashCode(),
        Tuple.of(Double.longBitsToDouble(0x7FF0_0000_0000_0001L)).hashCode());
    assertEquals(Tuple.of(Float.NaN), Tuple.of(Double.NaN));
    assertNotEquals(Tuple.of(0.0), Tuple.of(-0.0));
    assertNotEquals(Tuple.of(1L), Tuple.of(1.0), "int64 and double are different types");
    assertNotEquals(Tuple.of("a"), Tuple.of(new byte[] {'a'}));
    assertNotEquals(Tuple.of((Object) null), Tuple.EMPTY);
    assertNotEquals(Tuple.of(Tuple.EMPTY), Tuple.EMPTY);
    assertEquals(Tuple.of(Tuple.of("x", null)), Tuple.of(Tuple.of("x", null)));
    assertFalse(Tuple.EMPTY.equals(null));
    assertFalse(Tuple.EMPTY.equals(List.of()));
    assertEquals(0, Tuple.EMPTY.size());
    assertArrayEquals(new byte[0], Tuple.EMPTY.encode());
    assertEquals(Tuple.EMPTY, Tuple.decode(new byte[0]));
    // Byte arrays are copied in and out.
    byte[] in = {1, 2};
    Tuple t = Tuple.of((Object) in);
    in[0] = 9;
    assertArrayEquals(new byte[] {1, 2}, t.getBytes(0));
    t.getBytes(0)[1] = 9;
    ((byte[]) t.get(0))[1] = 9;
    assertArrayEquals(new byte[] {1, 2}, t.getBytes(0));
    assertThrows(UnsupportedOperationException.class, () -> t.toList().add(1));
  }

  @Test
  void documentedEncodingsAndOrderEdgeCases() {
    HexFormat h = HexFormat.of();
    assertEquals("00", h.formatHex(Tuple.of((Object) null).encode()));
    assertEquals("0100ff6100", h.formatHex(Tuple.of((Object) new byte[] {0, 'a'}).encode()));
    assertEquals("026100026200", h.formatHex(Tuple.of("a", "b").encode()));
    assertEquals("0500ff00", h.formatHex(Tuple.of(Tuple.of((Object) null)).encode()));
    assertEquals("0500", h.formatHex(Tuple.of(Tuple.EMPTY).encode()));
    assertEquals("148000000000000001", h.formatHex(Tuple.of(1L).encode()));
    assertEquals("147fffffffffffffff", h.formatHex(Tuple.of(-1L).encode()));
    assertEquals("218000000000000000", h.formatHex(Tuple.of(0.0).encode()));
    assertEquals("217fffffffffffffff", h.formatHex(Tuple.of(-0.0).encode()));
    assertEquals("21fff8000000000000", h.formatHex(Tuple.of(Double.NaN).encode()));
    assertEquals("2627", h.formatHex(Tuple.of(false, true).encode()));
    assertEquals("33" + "7fffffffffffffff" + "3b9ac9ff",
        h.formatHex(Tuple.of(Instant.ofEpochSecond(-1, 999_999_999)).encode()));

    // Type order, then value order; each list is strictly ascending.
    assertAscending(null, new byte[0], "", Tuple.EMPTY, Long.MIN_VALUE, Double.NEGATIVE_INFINITY,
        false, true, Instant.MIN);
    assertAscending(new byte[0], new byte[] {0}, new byte[] {0, 0}, new byte[] {0, 1},
        new byte[] {1}, new byte[] {0x7F}, new byte[] {(byte) 0x80}, new byte[] {(byte) 0xFF},
        new byte[] {(byte) 0xFF, 0});
    // By code point: U+FFFF before U+1F600 although its UTF-16 char is larger than 0xD83D.
    assertAscending("", "\0", "\0\0", "a", "a\0", "a\0b", "a\1", "ab", "\u007F", "\u0080",
        "\uE000", "\uFFFF", "\uD83D\uDE00", "\uDBFF\uDFFF");
    assertAscending(Long.MIN_VALUE, Long.MIN_VALUE + 1, -1L, 0L, 1L, Long.MAX_VALUE);
    assertAscending(Double.NEGATIVE_INFINITY, -Double.MAX_VALUE, -1.0, -Double.MIN_NORMAL,
        -Double.MIN_VALUE, -0.0, 0.0, Double.MIN_VALUE, Math.nextDown(Double.MIN_NORMAL),
        Double.MIN_NORMAL, 1.0, Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NaN);
    assertAscending(Instant.MIN, Instant.MIN.plusNanos(1), Instant.ofEpochSecond(-1, 0),
        Instant.ofEpochSecond(-1, 999_999_999), Instant.EPOCH, Instant.ofEpochSecond(0, 1),
        Instant.MAX.minusNanos(1), Instant.MAX);
    assertAscending(Tuple.EMPTY, Tuple.of((Object) null), Tuple.of(null, null),
        Tuple.of(null, "a"), Tuple.of(new byte[0]), Tuple.of("a"), Tuple.of("a", null),
        Tuple.of("a", Tuple.EMPTY), Tuple.of("a", 1L), Tuple.of("b"), Tuple.of(1L));
    // A proper prefix sorts first, also when the longer tuple continues with a null.
    assertTrue(Tuple.of("a").compareTo(Tuple.of("a", null)) < 0);
    assertTrue(Tuple.of(Tuple.of("a")).compareTo(Tuple.of(Tuple.of("a"), null)) < 0);
    assertTrue(Tuple.of(Tuple.of("a"), "z").compareTo(Tuple.of(Tuple.of("a", null))) < 0);
  }

  /** Asserts that single-element tuples of the values are in strictly ascending order. */
  private static void assertAscending(@Nullable Object... values) {
    for (int i = 0; i + 1 < values.length; i++) {
      Tuple a = Tuple.of(values[i]);
      Tuple b = Tuple.of(values[i + 1]);
      String ctx = a + " < " + b;
      assertTrue(a.compareTo(b) < 0, ctx + " (compareTo)");
      assertTrue(b.compareTo(a) > 0, ctx + " (compareTo reversed)");
      assertTrue(Arrays.compareUnsigned(a.encode(), b.encode()) < 0, ctx + " (encoding "
          + hex(a.encode()) + " vs " + hex(b.encode()) + ")");
      assertTrue(TupleModel.compare(TupleModel.toModel(a), TupleModel.toModel(b)) < 0,
          ctx + " (model)");
      assertNotEquals(a, b, ctx);
    }
  }

  @Test
  void accessorsReturnNormalizedValuesAndRefuseOtherTypes() {
    Tuple t = Tuple.of("s", 7, 2.5f, true, new byte[] {3}, Instant.EPOCH, Tuple.of(1), null);
    assertEquals("s", t.getString(0));
    assertEquals(7L, t.getLong(1));
    assertEquals(7L, t.get(1));
    assertEquals(2.5, t.getDouble(2));
    assertTrue(t.getBoolean(3));
    assertArrayEquals(new byte[] {3}, t.getBytes(4));
    assertEquals(Instant.EPOCH, t.getInstant(5));
    assertEquals(Tuple.of(1L), t.getTuple(6));
    assertNull(t.get(7));
    assertEquals(Tuple.Type.NULL, t.type(7));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> t.getLong(0));
    assertTrue(e.getMessage().contains("element 0") && e.getMessage().contains("STRING"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> t.getString(7));
    assertThrows(IndexOutOfBoundsException.class, () -> t.get(8));
    assertThrows(IndexOutOfBoundsException.class, () -> t.subTuple(2, 1));
    assertEquals("(\"s\", 7, 2.5, true, b\"\\x03\", 1970-01-01T00:00:00Z, (1,), null)",
        t.toString());
    assertEquals("()", Tuple.EMPTY.toString());
  }
}
