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
  public static final Utf8Text EMPTY = new Utf8Text(new byte[0], "");

  private final byte[] utf8;
  private @Nullable String string;

  /** Takes ownership of {@code utf8}, which the caller has checked to be well-formed. */
  Utf8Text(byte[] utf8, @Nullable String string) {
    this.utf8 = utf8;
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
    return new Utf8Text(s.getBytes(StandardCharsets.UTF_8), s);
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
    return new Utf8Text(Arrays.copyOfRange(utf8, offset, offset + length), null);
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
      int x = b[i];
      if (x >= 0) {
        i++;
        continue;
      }
      int lead = x & 0xFF;
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
        return i;
      }
      if (i + n >= to) {
        return i; // fewer than n continuation bytes left
      }
      int second = b[i + 1] & 0xFF;
      if (second < lo || second > hi) {
        return i;
      }
      for (int k = 2; k <= n; k++) {
        if ((b[i + k] & 0xC0) != 0x80) {
          return i;
        }
      }
      i += n + 1;
    }
    return -1;
  }

  private static int unpairedSurrogate(String s) {
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
    return utf8.length;
  }

  /**
   * Returns a copy of the UTF-8 encoding.
   *
   * @return the bytes, well-formed UTF-8
   */
  public byte[] toUtf8() {
    return utf8.clone();
  }

  /**
   * Writes the UTF-8 encoding to a stream, without decoding it.
   *
   * @param out the stream
   * @throws IOException if the stream fails
   */
  public void writeUtf8To(OutputStream out) throws IOException {
    out.write(utf8);
  }

  /** The bytes themselves, for the tuple encoder; callers in this package must not change them. */
  byte[] bytes() {
    return utf8;
  }

  /**
   * Returns whether the text is empty.
   *
   * @return {@code true} if it has no characters
   */
  @Override
  public boolean isEmpty() {
    return utf8.length == 0;
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
      s = new String(utf8, StandardCharsets.UTF_8);
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
    return Arrays.compareUnsigned(utf8, other.utf8);
  }

  /**
   * Returns whether another object is a text with the same bytes, hence the same string.
   *
   * @param o another object
   * @return whether it is an equal {@code Utf8Text}
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Utf8Text u && Arrays.equals(utf8, u.utf8);
  }

  /**
   * Returns a hash of the bytes.
   *
   * @return the hash
   */
  @Override
  public int hashCode() {
    return Arrays.hashCode(utf8);
  }
}
