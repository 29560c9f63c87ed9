package io.treestore.index;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An immutable text held as its UTF-8 bytes and turned into a {@link String} only when first
 * asked for one: a long string element decoded from a stored {@link Tuple} (the text of a
 * document section, tens of kilobytes) that the caller may pass on without ever reading it, or
 * write to a UTF-8 wire format as it is ({@link #writeUtf8To}, {@link #toUtf8}).
 *
 * <p>The bytes are always well-formed UTF-8 (RFC 3629; the Unicode Standard, section 3.9,
 * table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF): the factories check
 * them, so {@link #toString()} never meets a malformed sequence and never substitutes
 * U+FFFD.
 *
 * <p>Equality and order are those of the text: two instances are equal when their bytes are,
 * which for well-formed UTF-8 is when their strings are; {@link #compareTo} orders by code
 * point, which is the unsigned order of the UTF-8 bytes. An instance is never equal to a
 * {@link String}; compare {@code toString()} or use {@link #contentEquals}.
 *
 * <p>Immutable and thread-safe: the decoded string is computed at most once per thread that
 * races for it and every computation gives an equal string (as {@link String#hashCode()}
 * caches its hash).
 */
public final class Utf8Text implements CharSequence, Comparable<Utf8Text> {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;
  /** The empty text. */
  public static final Utf8Text EMPTY = new Utf8Text(new byte[0], 0, 0, "");

  /** The bytes are {@code utf8[offset, offset + length)}; the array may be shared, unchanged. */
  private final byte[] utf8;
  private final int offset;
  private final int length;
  private @Nullable String string;

  /**
   * Takes {@code utf8[offset, offset + length)}, which the caller has checked to be
   * well-formed and promises never to change.
   */
  Utf8Text(byte[] utf8, int offset, int length, @Nullable String string) {
    this.utf8 = utf8;
    this.offset = offset;
    this.length = length;
    this.string = string;
  }

  /**
   * Returns the text of a string.
   *
   * @param s the string
   * @return its text, holding its UTF-8 encoding and the string itself
   * @throws IllegalArgumentException if {@code s} holds an unpaired surrogate, which has no
   *     UTF-8 encoding (the message gives its char index)
   */
  public static Utf8Text of(String s) {
    Objects.requireNonNull(s, "s");
    int bad = unpairedSurrogate(s);
    if (bad >= 0) {
      throw new IllegalArgumentException("text holds an unpaired surrogate at char " + bad
          + "; it has no UTF-8 encoding");
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return new Utf8Text(b, 0, b.length, s);
  }

  /**
   * Returns the text of UTF-8 bytes (copied).
   *
   * @param utf8 the bytes
   * @return the text
   * @throws IllegalArgumentException if the bytes are not well-formed UTF-8 (the message
   *     gives the offset of the first byte of the first bad sequence)
   */
  public static Utf8Text ofUtf8(byte[] utf8) {
    return ofUtf8(utf8, 0, utf8.length);
  }

  /**
   * Returns the text of a slice of UTF-8 bytes (copied).
   *
   * @param utf8 the array
   * @param offset where the text starts
   * @param length its length in bytes
   * @return the text
   * @throws IllegalArgumentException if the slice is not well-formed UTF-8 (the message
   *     gives the offset, from {@code offset}, of the first bad sequence)
   * @throws IndexOutOfBoundsException if the slice is outside the array
   */
  public static Utf8Text ofUtf8(byte[] utf8, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, utf8.length);
    int bad = malformedAt(utf8, offset, offset + length);
    if (bad >= 0) {
      throw new IllegalArgumentException("malformed UTF-8 at byte " + (bad - offset)
          + " of " + length);
    }
    return new Utf8Text(Arrays.copyOfRange(utf8, offset, offset + length), 0, length, null);
  }

  /**
   * Returns the index of the first byte of the first malformed UTF-8 sequence in
   * {@code b[from, to)}, or -1 if the range is well-formed UTF-8. ASCII runs are passed over
   * eight bytes at a time; other sequences are checked against table 3-7 of the Unicode
   * Standard (section 3.9).
   */
  static int malformedAt(byte[] b, int from, int to) {
    int i = from;
    while (i < to) {
      if (i + 8 <= to && (((long) LONGS.get(b, i)) & HIGH_BITS) == 0) {
        i += 8;
        continue;
      }
      if (b[i] >= 0) {
        i++;
        continue;
      }
      int n = sequenceEnd(b, i, to);
      if (n < 0) {
        return i;
      }
      i = n;
    }
    return -1;
  }

  /**
   * Scans a string element's body from {@code from}: returns the index of the first 0x00 byte
   * before {@code to} (or {@code to}) if the bytes before it are well-formed UTF-8, else
   * {@code -1 - i} where {@code i} is the start of the first malformed sequence. One pass,
   * eight bytes at a time while they are ASCII and not zero (the zero-byte test of Mycroft,
   * 1987, as in Hacker's Delight, 2nd ed., section 6-1); a multi-byte sequence never holds a
   * 0x00 byte.
   */
  static int scanToZero(byte[] b, int from, int to) {
    int i = from;
    while (i < to) {
      if (i + 8 <= to) {
        long v = (long) LONGS.get(b, i);
        if (((((v - 0x0101010101010101L) & ~v) | v) & HIGH_BITS) == 0) {
          i += 8;
          continue;
        }
      }
      int x = b[i];
      if (x == 0) {
        return i;
      }
      if (x > 0) {
        i++;
        continue;
      }
      int n = sequenceEnd(b, i, to);
      if (n < 0) {
        return -1 - i;
      }
      i = n;
    }
    return to;
  }

  /**
   * Checks the multi-byte sequence whose lead byte (0x80 or above) is at {@code i}: returns the
   * index after it, or -1 if it is malformed or cut by {@code to} (table 3-7 of the Unicode
   * Standard, section 3.9).
   */
  private static int sequenceEnd(byte[] b, int i, int to) {
    int lead = b[i] & 0xFF;
    int n;
    int lo = 0x80;
    int hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      n = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      n = 2;
      if (lead == 0xE0) {
        lo = 0xA0;
      } else if (lead == 0xED) {
        hi = 0x9F;
      }
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      n = 3;
      if (lead == 0xF0) {
        lo = 0x90;
      } else if (lead == 0xF4) {
        hi = 0x8F;
      }
    } else {
      return -1;
    }
    if (i + n >= to) {
      return -1; // fewer than n continuation bytes left
    }
    int second = b[i + 1] & 0xFF;
    if (second < lo || second > hi) {
      return -1;
    }
    for (int k = 2; k <= n; k++) {
      if ((b[i + k] & 0xC0) != 0x80) {
        return -1;
      }
    }
    return i + n + 1;
  }

  /**
   * Returns the char index of the first surrogate in {@code s} that is not half of a
   * high-low pair (such a string has no UTF-8 encoding), or -1 if there is none.
   */
  static int unpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Returns the length of the UTF-8 encoding.
   *
   * @return the number of bytes, {@code >= 0}
   */
  public int utf8Length() {
    return length;
  }

  /**
   * Returns a copy of the UTF-8 encoding.
   *
   * @return the bytes, well-formed UTF-8
   */
  public byte[] toUtf8() {
    return Arrays.copyOfRange(utf8, offset, offset + length);
  }

  /**
   * Writes the UTF-8 encoding to a stream, without decoding it.
   *
   * @param out the stream
   * @throws IOException if the stream fails
   */
  public void writeUtf8To(OutputStream out) throws IOException {
    out.write(utf8, offset, length);
  }

  /**
   * The array holding the bytes, for the tuple encoder, which must not change it; the bytes
   * are {@code array()[arrayOffset(), arrayOffset() + utf8Length())}.
   */
  byte[] array() {
    return utf8;
  }

  /** Where the bytes start in {@link #array()}. */
  int arrayOffset() {
    return offset;
  }

  /**
   * Returns whether the text is empty.
   *
   * @return {@code true} if it has no characters
   */
  @Override
  public boolean isEmpty() {
    return length == 0;
  }

  /**
   * Returns the length in UTF-16 chars, as {@link String#length()}; decodes the text if it
   * was not decoded yet.
   *
   * @return the length, {@code >= 0}
   */
  @Override
  public int length() {
    return toString().length();
  }

  /**
   * Returns a UTF-16 char, as {@link String#charAt}; decodes the text if it was not decoded
   * yet.
   *
   * @param index 0 to {@code length() - 1}
   * @return the char
   * @throws IndexOutOfBoundsException if the index is out of range
   */
  @Override
  public char charAt(int index) {
    return toString().charAt(index);
  }

  /**
   * Returns a range of UTF-16 chars, as {@link String#subSequence}; decodes the text if it was
   * not decoded yet.
   *
   * @param start the first char index
   * @param end one past the last
   * @return the chars, a {@link String}
   * @throws IndexOutOfBoundsException if the range is out of bounds
   */
  @Override
  public CharSequence subSequence(int start, int end) {
    return toString().subSequence(start, end);
  }

  /**
   * Returns whether the text has the same chars as a char sequence.
   *
   * @param cs the sequence, or {@code null} (never equal)
   * @return whether they are equal as strings
   */
  public boolean contentEquals(@Nullable CharSequence cs) {
    if (cs instanceof Utf8Text u) {
      return equals(u);
    }
    return cs != null && toString().contentEquals(cs);
  }

  /**
   * Returns the text as a string, decoding the UTF-8 bytes on the first call (JDK decoder;
   * the bytes are known to be well-formed) and the same string after.
   *
   * @return the string
   */
  @Override
  public String toString() {
    String s = string;
    if (s == null) {
      s = new String(utf8, offset, length, StandardCharsets.UTF_8);
      string = s;
    }
    return s;
  }

  /**
   * Orders by code point, as {@link Tuple} orders strings: the unsigned order of the UTF-8
   * bytes.
   *
   * @param other another text
   * @return negative, zero or positive
   */
  @Override
  public int compareTo(Utf8Text other) {
    return Arrays.compareUnsigned(utf8, offset, offset + length, other.utf8, other.offset,
        other.offset + other.length);
  }

  /**
   * Returns whether another object is a text with the same bytes, hence the same string.
   *
   * @param o another object
   * @return whether it is an equal {@code Utf8Text}
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Utf8Text u && Arrays.equals(utf8, offset, offset + length, u.utf8,
        u.offset, u.offset + u.length);
  }

  /**
   * Returns a hash of the bytes.
   *
   * @return the hash
   */
  @Override
  public int hashCode() {
    int h = 1;
    for (int i = offset; i < offset + length; i++) {
      h = 31 * h + utf8[i];
    }
    return h;
  }
}
