package io.treestore.fts.internal;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * One posting: a term's occurrences in one unit, with what scoring and filtering need so that
 * a search never reads the unit itself. Value layout (varints, unsigned LEB128):
 * {@code pathLen+1 (0 = no path), path UTF-8, dl, fieldCount, tf per field, positions as
 * deltas}; the positions of field 0 come first, then field 1's, and so on.
 *
 * @param path the unit's outline path, or {@code null}
 * @param dl the unit's length in tokens
 * @param tf term frequency per field (by the index's field order)
 * @param positions all positions, ascending
 */
public record Posting(@Nullable String path, int dl, int[] tf, int[] positions) {
  /**
   * Encodes the posting.
   *
   * @return the value bytes
   */
  public byte[] encode() {
    byte @Nullable [] p = path == null ? null : path.getBytes(StandardCharsets.UTF_8);
    Varint.Out out = new Varint.Out(8 + (p == null ? 0 : p.length) + tf.length
        + positions.length * 2);
    if (p == null) {
      out.varint(0);
    } else {
      out.varint(p.length + 1);
      out.bytes(p, 0, p.length);
    }
    out.varint(dl);
    out.varint(tf.length);
    for (int t : tf) {
      out.varint(t);
    }
    int prev = 0;
    for (int q : positions) {
      out.varint(q - prev);
      prev = q;
    }
    return out.toByteArray();
  }

  /**
   * Reads only the path.
   *
   * @param value an encoded posting
   * @return the path, or {@code null}
   * @throws IllegalArgumentException if the bytes are malformed
   */
  public static @Nullable String path(byte[] value) {
    return path(value, 0, value.length);
  }

  /**
   * Reads only the path of a posting held in part of an array.
   *
   * @param b the array
   * @param offset where the posting starts
   * @param length its length in bytes
   * @return the path, or {@code null}
   * @throws IllegalArgumentException if the bytes are malformed
   */
  public static @Nullable String path(byte[] b, int offset, int length) {
    Varint.Reader r = new Varint.Reader(b, offset, offset + length);
    int n = r.read();
    if (n == 0) {
      return null;
    }
    int start = r.pos();
    r.skip(n - 1);
    return new String(b, start, n - 1, StandardCharsets.UTF_8);
  }

  /**
   * Decodes a posting.
   *
   * @param value the bytes
   * @param fields the index's field count
   * @return the posting
   * @throws IllegalArgumentException if the bytes are malformed
   */
  public static Posting decode(byte[] value, int fields) {
    return decode(value, 0, value.length, fields);
  }

  /**
   * Decodes a posting held in part of an array.
   *
   * @param value the array
   * @param offset where the posting starts
   * @param length its length in bytes
   * @param fields the index's field count
   * @return the posting
   * @throws IllegalArgumentException if the bytes are malformed (the message gives the
   *     offset in the array)
   */
  public static Posting decode(byte[] value, int offset, int length, int fields) {
    Varint.Reader r = new Varint.Reader(value, offset, offset + length);
    int n = r.read();
    String path = null;
    if (n > 0) {
      int start = r.pos();
      r.skip(n - 1);
      path = new String(value, start, n - 1, StandardCharsets.UTF_8);
    }
    int dl = r.read();
    int nf = r.read();
    if (nf != fields) {
      throw new IllegalArgumentException("posting has " + nf + " fields, the index " + fields);
    }
    int[] tf = new int[nf];
    long total = 0;
    for (int i = 0; i < nf; i++) {
      tf[i] = r.read();
      total += tf[i];
    }
    if (total == 0 || total > dl) {
      throw new IllegalArgumentException("posting term frequency " + total
          + " does not fit unit length " + dl);
    }
    int[] positions = new int[(int) total];
    int prev = 0;
    for (int i = 0; i < positions.length; i++) {
      int d = r.read();
      if (i > 0 && d == 0) {
        throw new IllegalArgumentException("posting positions not increasing");
      }
      prev += d;
      positions[i] = prev;
    }
    if (!r.atEnd()) {
      throw new IllegalArgumentException("posting has trailing bytes at offset " + r.pos());
    }
    return new Posting(path, dl, tf, positions);
  }

  /**
   * Returns the field of the {@code i}-th position.
   *
   * @param i an index into {@link #positions()}
   * @return the field index
   */
  public int fieldOf(int i) {
    int f = 0;
    int end = tf[0];
    while (i >= end) {
      f++;
      end += tf[f];
    }
    return f;
  }
}
