package io.treestore.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Malformed input: bytes that are not exactly one canonical tuple encoding are refused by
 * {@link Tuple#decode} with a {@link TupleFormatException} that names what is wrong and the
 * offset of the element that is wrong (for a nested tuple that lacks its terminator: the end
 * of the input, where the terminator is missing); values without an encoding are refused by
 * {@link Tuple#of} with an {@link IllegalArgumentException} naming the element.
 */
class TupleFormatTest {
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] x(String hex) {
    return HEX.parseHex(hex.replace(" ", ""));
  }

  private static byte[] cat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /** Asserts that the bytes are refused, with the message and offset given. */
  private static void assertMalformed(byte[] bytes, int offset, String message) {
    TupleFormatException e = assertThrows(TupleFormatException.class, () -> Tuple.decode(bytes),
        () -> "decoded " + HEX.formatHex(bytes));
    String ctx = HEX.formatHex(bytes) + ": " + e.getMessage();
    assertEquals(offset, e.offset(), ctx);
    assertTrue(e.getMessage().contains(message), ctx + " should say " + message);
    assertTrue(e.getMessage().endsWith("at offset " + offset), ctx);
    // Inside a larger array the offset still counts from the start of the slice.
    byte[] padded = new byte[bytes.length + 7];
    System.arraycopy(bytes, 0, padded, 3, bytes.length);
    TupleFormatException s = assertThrows(TupleFormatException.class,
        () -> Tuple.decode(padded, 3, bytes.length));
    assertEquals(offset, s.offset(), "slice: " + ctx);
    assertEquals(e.getMessage(), s.getMessage());
    // And the exception is an IllegalArgumentException, as the codecs document.
    assertTrue(e instanceof IllegalArgumentException);
  }

  private static final byte[] ONE = Tuple.of(1L).encode(); // 9 bytes
  private static final byte[] AB = Tuple.of("ab").encode(); // 02 61 62 00

  @Test
  void truncatedElements() {
    assertMalformed(x("14"), 0, "truncated 8-byte element");
    assertMalformed(x("14 80 00 00 00 00 00 00"), 0, "truncated 8-byte element");
    assertMalformed(cat(AB, x("21 80")), 4, "truncated 8-byte element");
    assertMalformed(cat(ONE, x("14 00")), 9, "truncated 8-byte element");
    assertMalformed(x("33 80 00"), 0, "truncated 8-byte element");
    assertMalformed(x("33 80 00 00 00 00 00 00 00"), 0, "truncated timestamp");
    assertMalformed(cat(AB, x("33 80 00 00 00 00 00 00 00 00 00 00")), 4, "truncated timestamp");
    // Cutting a valid encoding anywhere: the element that is cut is named, unless the cut
    // leaves another canonical encoding (an escaped 0x00 cut after the 0x00 is a terminator).
    Tuple whole = Tuple.of("x", 5L, 2.5, Instant.ofEpochSecond(-3, 7), new byte[] {0, 1},
        Tuple.of("n", null));
    byte[] full = whole.encode();
    // Elements start at 0 ("x"), 3 (5), 12 (2.5), 21 (instant), 34 (bytes 00 ff 01) and 39
    // (nested: 05, string "n" at 40, escaped null at 43, terminator at 45).
    assertEquals(46, full.length);
    int[] starts = {0, 3, 12, 21, 34, 39, 46};
    for (int cut = 0; cut <= full.length; cut++) {
      byte[] part = Arrays.copyOf(full, cut);
      int elements = indexOf(starts, cut);
      if (elements >= 0) {
        assertEquals(whole.subTuple(0, elements), Tuple.decode(part), "cut at " + cut);
        continue;
      }
      if (cut == 36 || cut == 44) {
        Tuple t = Tuple.decode(part);
        assertEquals(cut == 36 ? Tuple.of(new byte[0]) : Tuple.of(Tuple.of("n")),
            t.subTuple(t.size() - 1, t.size()), "cut at " + cut);
        assertEquals(HEX.formatHex(part), HEX.formatHex(t.encode()), "cut at " + cut);
        continue;
      }
      int expected;
      if (cut < 39) {
        expected = 0;
        for (int s : starts) {
          if (s < cut) {
            expected = s;
          }
        }
      } else {
        expected = cut <= 42 ? 40 : cut; // the nested string, else where the input ends
      }
      final int n = cut;
      TupleFormatException e = assertThrows(TupleFormatException.class,
          () -> Tuple.decode(part), () -> "cut at " + n);
      assertEquals(expected, e.offset(), "cut at " + cut + ": " + e.getMessage());
    }
  }

  private static int indexOf(int[] a, int v) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void unknownTypeCodes() {
    for (int code : new int[] {0x03, 0x04, 0x06, 0x10, 0x13, 0x15, 0x20, 0x22, 0x25, 0x28, 0x32,
        0x34, 0x7F, 0x80, 0xFE, 0xFF}) {
      String msg = String.format("unknown type code 0x%02x", code);
      assertMalformed(new byte[] {(byte) code}, 0, msg);
      assertMalformed(cat(ONE, new byte[] {(byte) code, 0, 0}), 9, msg);
      assertMalformed(cat(x("05 27"), new byte[] {(byte) code}), 2, msg);
    }
    // 0xFF right after a top-level null is not an escape (only inside nested tuples).
    assertMalformed(x("00 ff"), 1, "unknown type code 0xff");
  }

  @Test
  void unterminatedStringsBytesAndNestedTuples() {
    assertMalformed(x("01"), 0, "byte string not terminated");
    assertMalformed(x("01 61 62"), 0, "byte string not terminated");
    assertMalformed(x("01 61 00 ff"), 0, "byte string not terminated"); // an escaped 0x00
    assertMalformed(x("27 01 ff ff"), 1, "byte string not terminated");
    assertMalformed(x("02"), 0, "byte string not terminated");
    assertMalformed(x("02 61 62"), 0, "byte string not terminated");
    assertMalformed(cat(AB, x("02 00 ff")), 4, "byte string not terminated");
    assertMalformed(x("05 02 61"), 1, "byte string not terminated");
    // A nested tuple without its terminator: the offset is the end, where it is missing.
    assertMalformed(x("05"), 1, "nested tuple not terminated");
    assertMalformed(x("05 27 26"), 3, "nested tuple not terminated");
    assertMalformed(x("05 00 ff"), 3, "nested tuple not terminated"); // an escaped null
    assertMalformed(x("05 05 00"), 3, "nested tuple not terminated");
    assertMalformed(cat(AB, x("05 14 80 00 00 00 00 00 00 01")), 14,
        "nested tuple not terminated");
    // ... whereas the same bytes terminated decode.
    assertEquals(Tuple.of(Tuple.of(true, false)), Tuple.decode(x("05 27 26 00")));
    assertEquals(Tuple.of(Tuple.of((Object) null)), Tuple.decode(x("05 00 ff 00")));
    assertEquals(Tuple.of(Tuple.EMPTY, null), Tuple.decode(x("05 00 00")));
  }

  @Test
  void invalidUtf8() {
    String[] bad = {
        "c0 80", // overlong U+0000 (modified UTF-8)
        "c1 bf", // overlong
        "e0 80 80", // overlong
        "ed a0 80", // an encoded high surrogate (CESU-8)
        "ed b0 80", // an encoded low surrogate
        "ed a0 bd ed b8 80", // a surrogate pair encoded as two 3-byte sequences
        "f4 90 80 80", // above U+10FFFF
        "f8 88 80 80 80", // 5-byte form
        "80", // a lone continuation byte
        "61 bf", // a continuation byte after ASCII
        "e2 82", // a truncated sequence
        "ff", // never valid in UTF-8
        "fe"};
    for (String b : bad) {
      assertMalformed(cat(x("02"), cat(x(b), x("00"))), 0, "invalid UTF-8 in string");
      assertMalformed(cat(AB, cat(x("02"), cat(x(b), x("00")))), 4, "invalid UTF-8 in string");
      assertMalformed(cat(x("05 02"), cat(x(b), x("00 00"))), 1, "invalid UTF-8 in string");
    }
    // Valid UTF-8, the largest code point and U+0000 included, decodes.
    assertEquals(Tuple.of("\0\uDBFF\uDFFF\u20AC"), Tuple.decode(x("02 00 ff f4 8f bf bf e2 82 ac 00")));
    // Bytes elements take anything.
    assertEquals(Tuple.of((Object) x("c0 80 ff")), Tuple.decode(x("01 c0 80 ff 00")));
  }

  @Test
  void nonCanonicalNaNs() {
    // Encoded payload = bits with the sign bit flipped (positive) or all bits flipped (negative).
    long[] nans = {0x7FF0_0000_0000_0001L, 0x7FF8_0000_0000_0001L, 0x7FFF_FFFF_FFFF_FFFFL,
        0xFFF8_0000_0000_0000L, 0xFFF0_0000_0000_0001L};
    for (long bits : nans) {
      long v = bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
      byte[] enc = cat(x("21"), java.nio.ByteBuffer.allocate(8).putLong(v).array());
      assertMalformed(enc, 0, "non-canonical NaN");
      assertMalformed(cat(ONE, enc), 9, "non-canonical NaN");
    }
    assertEquals(Tuple.of(Double.NaN), Tuple.decode(x("21 ff f8 00 00 00 00 00 00")));
  }

  @Test
  void timestampsOutOfRange() {
    String zero = "80 00 00 00 00 00 00 00";
    assertMalformed(x("33 " + zero + " 3b 9a ca 00"), 0, "timestamp out of range"); // 1e9 ns
    assertMalformed(x("33 " + zero + " ff ff ff ff"), 0, "timestamp out of range"); // -1 ns
    assertMalformed(x("33 " + zero + " 80 00 00 00"), 0, "timestamp out of range");
    assertMalformed(cat(AB, x("33 " + zero + " 3b 9a ca 00")), 4, "timestamp out of range");
    for (long seconds : new long[] {Instant.MAX.getEpochSecond() + 1,
        Instant.MIN.getEpochSecond() - 1, Long.MAX_VALUE, Long.MIN_VALUE}) {
      byte[] enc = cat(x("33"), java.nio.ByteBuffer.allocate(12)
          .putLong(seconds ^ Long.MIN_VALUE).putInt(0).array());
      assertMalformed(enc, 0, "timestamp out of range");
    }
    assertEquals(Tuple.of(Instant.EPOCH.plusNanos(999_999_999)),
        Tuple.decode(x("33 " + zero + " 3b 9a c9 ff")));
    assertEquals(Tuple.of(Instant.MAX), Tuple.decode(Tuple.of(Instant.MAX).encode()));
  }

  @Test
  void sliceBoundsAreChecked() {
    byte[] b = ONE;
    assertEquals(Tuple.of(1L), Tuple.decode(cat(AB, b), 4, 9));
    assertEquals(Tuple.EMPTY, Tuple.decode(b, 9, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> Tuple.decode(b, 5, 5));
    assertThrows(IndexOutOfBoundsException.class, () -> Tuple.decode(b, -1, 2));
    assertThrows(IndexOutOfBoundsException.class, () -> Tuple.decode(b, 0, -1));
    // A slice that cuts an element is malformed, though the array goes on.
    TupleFormatException e = assertThrows(TupleFormatException.class,
        () -> Tuple.decode(b, 0, 8));
    assertEquals(0, e.offset());
  }

  @Test
  void unsupportedElementTypesAreRejected() {
    Object[] bad = {'c', new BigInteger("1"), new int[] {1}, new Object(), List.of(1L),
        UUID.randomUUID(), LocalDate.EPOCH, new StringBuilder("s"), new Byte[] {1},
        java.util.Optional.empty()};
    for (Object b : bad) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Tuple.of("ok", 1, b), b.getClass().getName());
      assertTrue(e.getMessage().contains("tuple element 2"), e.getMessage());
      assertTrue(e.getMessage().contains(b.getClass().getName()), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> Tuple.fromList(Arrays.asList(b)));
      assertThrows(IllegalArgumentException.class, () -> Tuple.of("x").add(b));
    }
  }

  @Test
  void unpairedSurrogatesAreRejected() {
    String[][] bad = {{"\uD800", "0"}, {"a\uDC00b", "1"}, {"ab\uD83D", "2"},
        {"\uDE00\uD83D", "0"}, {"\uD83D\uDE00\uDE00", "2"}, {"\uD83D\uD83D\uDE00", "0"}};
    for (String[] b : bad) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Tuple.of(1L, b[0]), b[0]);
      assertTrue(e.getMessage().contains("tuple element 1"), e.getMessage());
      assertTrue(e.getMessage().contains("unpaired surrogate at char " + b[1]), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> Tuple.of(Tuple.of(b[0])));
      assertThrows(IllegalArgumentException.class, () -> Tuple.fromList(List.of(b[0])));
    }
    // Paired surrogates are fine.
    assertEquals("\uD83D\uDE00", Tuple.of("\uD83D\uDE00").getString(0));
  }

  @Test
  void nestingIsLimitedSoThatNoInputExhaustsTheStack() {
    int max = Tuple.MAX_NESTING;
    Tuple deepest = Tuple.of("leaf", null);
    for (int i = 0; i < max; i++) {
      deepest = Tuple.of(deepest, i);
    }
    byte[] enc = deepest.encode();
    assertEquals(deepest, Tuple.decode(enc));
    // Concatenation and sub-tuples do not nest deeper.
    assertEquals(deepest, Tuple.decode(Tuple.of(1L).concat(deepest).add("z").subTuple(1, 3)
        .encode()));
    Tuple tooDeep = deepest;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Tuple.of("x", tooDeep));
    assertTrue(e.getMessage().contains("tuple element 1 holds tuples nested " + (max + 1)
        + " levels deep"), e.getMessage());
    // The same depth as bytes: MAX_NESTING levels decode, one more is malformed.
    byte[] ok = new byte[2 * max];
    Arrays.fill(ok, 0, max, (byte) 0x05);
    Tuple t = Tuple.decode(ok);
    assertArrayEquals(ok, t.encode());
    byte[] deeper = new byte[2 * max + 2];
    Arrays.fill(deeper, 0, max + 1, (byte) 0x05);
    assertMalformed(deeper, max, "tuples nested deeper than " + max + " levels");
    assertMalformed(cat(AB, deeper), 4 + max, "tuples nested deeper than " + max + " levels");
    // However long the input: a TupleFormatException, not a StackOverflowError.
    byte[] huge = new byte[1 << 20];
    Arrays.fill(huge, (byte) 0x05);
    assertMalformed(huge, max, "tuples nested deeper than " + max + " levels");
  }
}
