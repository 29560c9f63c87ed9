package io.treestore.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Utf8Text} and the string elements that {@link Tuple} decodes as one: the check of
 * well-formed UTF-8 against the JDK's strict decoder on random, mostly near-valid byte strings,
 * round trips of random strings over every plane, order by code point, and the tuple's
 * handling of long strings (decoded as text, equal to the same tuple built from strings,
 * malformed UTF-8 refused with its offset). Seeded as {@link TuplePropertyTest}.
 */
class Utf8TextTest {
  /** The JDK's answer: the offset of the first malformed sequence, or -1. */
  private static int jdkMalformedAt(byte[] b) {
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(b);
    CharBuffer out = CharBuffer.allocate(2 * b.length + 2);
    CoderResult r = d.decode(in, out, true);
    if (r.isError()) {
      return in.position();
    }
    r = d.flush(out);
    return r.isError() ? in.position() : -1;
  }

  /** Bytes built from valid sequences, then some of them broken. */
  private static byte[] nearlyValid(Random rnd) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int n = rnd.nextInt(40);
    for (int i = 0; i < n; i++) {
      switch (rnd.nextInt(6)) {
        case 0 -> out.writeBytes("plain ascii text".substring(rnd.nextInt(16)).getBytes(
            StandardCharsets.US_ASCII));
        case 1 -> out.write(rnd.nextInt(0x80));
        case 2 -> out.write(rnd.nextInt(256));
        default -> {
          int cp;
          do {
            cp = switch (rnd.nextInt(5)) {
              case 0 -> 0x80 + rnd.nextInt(0x780);
              case 1 -> 0x800 + rnd.nextInt(0xF800);
              case 2 -> 0x10000 + rnd.nextInt(0x100000);
              case 3 -> TupleModel.CODE_POINTS[rnd.nextInt(TupleModel.CODE_POINTS.length)];
              default -> 0xD7F0 + rnd.nextInt(0x30);
            };
          } while (Character.isSurrogate((char) cp) && cp < 0x10000);
          out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
        }
      }
    }
    byte[] b = out.toByteArray();
    if (b.length > 0 && rnd.nextBoolean()) {
      int k = rnd.nextInt(3);
      for (int j = 0; j < k; j++) {
        int at = rnd.nextInt(b.length);
        b[at] = switch (rnd.nextInt(5)) {
          case 0 -> (byte) (0x80 + rnd.nextInt(0x40)); // a stray continuation
          case 1 -> (byte) (0xC0 + rnd.nextInt(2)); // always overlong
          case 2 -> (byte) 0xED; // may start a surrogate
          case 3 -> (byte) (0xF4 + rnd.nextInt(12)); // above U+10FFFF or invalid
          default -> (byte) rnd.nextInt(256);
        };
      }
    }
    if (b.length > 0 && rnd.nextInt(4) == 0) {
      b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length)); // maybe cut inside a sequence
    }
    return b;
  }

  @Test
  void theCheckAgreesWithTheJdkStrictDecoder() {
    long seed = TuplePropertyTest.seed("utf8Check");
    Random rnd = new Random(seed);
    int malformed = 0;
    for (int i = 0; i < 200_000; i++) {
      byte[] b = nearlyValid(rnd);
      int expected = jdkMalformedAt(b);
      int actual = Utf8Text.malformedAt(b, 0, b.length);
      assertEquals(expected, actual, () -> "seed " + seed + ": " + HexFormat.of().formatHex(b));
      if (expected >= 0) {
        malformed++;
        int at = expected;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Utf8Text.ofUtf8(b));
        assertEquals("malformed UTF-8 at byte " + at + " of " + b.length, e.getMessage());
      } else {
        assertEquals(new String(b, StandardCharsets.UTF_8), Utf8Text.ofUtf8(b).toString());
      }
    }
    assertTrue(malformed > 20_000 && malformed < 180_000, "malformed: " + malformed);
  }

  @Test
  void theScanForAStringsEndChecksTheBytesBeforeIt() {
    long seed = TuplePropertyTest.seed("utf8Scan");
    Random rnd = new Random(seed);
    for (int i = 0; i < 100_000; i++) {
      byte[] b = nearlyValid(rnd);
      int zero = 0;
      while (zero < b.length && b[zero] != 0) {
        zero++;
      }
      int bad = Utf8Text.malformedAt(b, 0, zero);
      int expected = bad >= 0 ? -1 - bad : zero;
      int from = b.length == 0 ? 0 : Math.min(rnd.nextInt(3), zero);
      if (from > 0 && Utf8Text.malformedAt(b, from, zero) != bad) {
        continue; // starting inside a sequence: another answer, checked below from 0
      }
      assertEquals(expected, Utf8Text.scanToZero(b, from, b.length),
          () -> "seed " + seed + ": " + HexFormat.of().formatHex(b));
    }
  }

  @Test
  void tableRecordsShareTheirArrayAndStayEqualToCopies() {
    String text = "\u00e9t\u00e9 ".repeat(200) + "\ud834\udd1e";
    Tuple built = Tuple.of("id", text, "tail", 1L);
    byte[] stored = built.encode();
    Tuple owned = RecordCodec.tuple().decode(stored.clone());
    Tuple copied = Tuple.decode(stored);
    assertEquals(built, owned);
    assertEquals(copied, owned);
    assertEquals(copied.getText(1), owned.getText(1));
    assertEquals(copied.getText(1).hashCode(), owned.getText(1).hashCode());
    assertEquals(0, copied.getText(1).compareTo(owned.getText(1)));
    assertEquals(text, owned.getString(1));
    assertArrayEquals(stored, owned.encode());
    assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), owned.getText(1).toUtf8());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      owned.getText(1).writeUtf8To(out);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), out.toByteArray());
    // a slice compares by its own bytes only
    Tuple longer = Tuple.decode(Tuple.of("id", text + "x").encode());
    assertTrue(owned.getText(1).compareTo(longer.getText(1)) < 0);
    assertNotEquals(owned.getText(1), longer.getText(1));
  }

  @Test
  void edgeSequences() {
    String[] bad = {"80", "bf", "c0af", "c1bf", "e080af", "e09fbf", "eda080", "edbfbf",
        "f08f8080", "f4908080", "f5808080", "ff", "fe", "c2", "e0a0", "f09080", "c241", "e0a041",
        "f0908041"};
    for (String h : bad) {
      byte[] b = HexFormat.of().parseHex("41" + h);
      assertEquals(1, Utf8Text.malformedAt(b, 0, b.length), h);
    }
    String[] good = {"c280", "dfbf", "e0a080", "ed9fbf", "ee8080", "efbfbf", "f0908080",
        "f48fbfbf", "7f", "00"};
    for (String h : good) {
      byte[] b = HexFormat.of().parseHex("41" + h);
      assertEquals(-1, Utf8Text.malformedAt(b, 0, b.length), h);
    }
  }

  @Test
  void randomStringsRoundTripAndOrderByCodePoint() {
    long seed = TuplePropertyTest.seed("utf8RoundTrip");
    Random rnd = new Random(seed);
    Utf8Text prev = Utf8Text.EMPTY;
    String prevString = "";
    for (int i = 0; i < 20_000; i++) {
      String s = TupleModel.randomString(rnd);
      Utf8Text t = Utf8Text.of(s);
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      assertArrayEquals(utf8, t.toUtf8());
      assertEquals(utf8.length, t.utf8Length());
      assertEquals(s, t.toString());
      assertEquals(s.length(), t.length());
      assertEquals(s.isEmpty(), t.isEmpty());
      Utf8Text fromBytes = Utf8Text.ofUtf8(utf8);
      assertEquals(t, fromBytes);
      assertEquals(t.hashCode(), fromBytes.hashCode());
      assertEquals(s, fromBytes.toString());
      assertSame(fromBytes.toString(), fromBytes.toString());
      assertTrue(fromBytes.contentEquals(s));
      assertTrue(fromBytes.contentEquals(t));
      assertEquals(Integer.signum(TupleModel.compareValues(prevString, s)),
          Integer.signum(prev.compareTo(t)), () -> "seed " + seed);
      assertEquals(prevString.equals(s), prev.equals(t));
      prev = t;
      prevString = s;
    }
  }

  @Test
  void badInputIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Utf8Text.of("a\uD800b"));
    assertEquals("text holds an unpaired surrogate at char 1; it has no UTF-8 encoding",
        e.getMessage());
    byte[] b = {'x', 'y', (byte) 0xC3, (byte) 0xA9, (byte) 0xFF};
    assertEquals("y\u00e9", Utf8Text.ofUtf8(b, 1, 3).toString());
    assertEquals("malformed UTF-8 at byte 2 of 3",
        assertThrows(IllegalArgumentException.class, () -> Utf8Text.ofUtf8(b, 2, 3))
            .getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> Utf8Text.ofUtf8(b, 3, 3));
    assertFalse(Utf8Text.of("a").equals("a"));
  }

  @Test
  void longStringsDecodeAsTextEqualToTheStrings() {
    String text = "Section 4.2 \u2014 caf\u00e9 \ud83d\ude00 ".repeat(40);
    String shortOne = "short";
    Tuple built = Tuple.of("doc", text, shortOne, 7L);
    Tuple decoded = Tuple.decode(built.encode());
    assertEquals(built, decoded);
    assertEquals(0, built.compareTo(decoded));
    assertEquals(built.hashCode(), decoded.hashCode());
    assertEquals(text, decoded.getString(1));
    assertEquals(text, decoded.get(1));
    assertInstanceOf(String.class, decoded.get(1));
    assertEquals(Tuple.Type.STRING, decoded.type(1));
    assertEquals(Utf8Text.of(text), decoded.getText(1));
    assertEquals(Utf8Text.of(shortOne), decoded.getText(2));
    assertArrayEquals(built.encode(), decoded.encode());
    assertArrayEquals(built.encode(), Tuple.of("doc", Utf8Text.of(text), shortOne, 7L)
        .encode());
    assertEquals(built.toString(), decoded.toString());
    // a text with U+0000 (escaped in the encoding) decodes alike
    String withNul = text + "\0" + text;
    Tuple t2 = Tuple.decode(Tuple.of(withNul).encode());
    assertEquals(withNul, t2.getString(0));
    assertEquals(Utf8Text.of(withNul), t2.getText(0));
    assertThrows(IllegalArgumentException.class, () -> decoded.getText(3));
    assertNotEquals(decoded, Tuple.of("doc", text + "x", shortOne, 7L));
  }

  @Test
  void malformedUtf8InALongStringIsReportedWithItsOffset() {
    byte[] enc = Tuple.of(7L, "a".repeat(1_000)).encode();
    int element = 9; // after the int64 (code and 8 bytes)
    enc[element + 1 + 600] = (byte) 0xC0;
    TupleFormatException e = assertThrows(TupleFormatException.class, () -> Tuple.decode(enc));
    assertEquals(element, e.offset());
    assertTrue(e.getMessage().contains("invalid UTF-8"), e.getMessage());
  }
}
