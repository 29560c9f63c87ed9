package io.treestore.fts.internal;

import java.io.ByteArrayOutputStream;

/** Unsigned LEB128 variable-length integers (as in Protocol Buffers). */
final class Varint {
  private Varint() {}

  static void write(ByteArrayOutputStream out, int v) {
    if (v < 0) {
      throw new IllegalArgumentException("negative varint " + v);
    }
    while ((v & ~0x7F) != 0) {
      out.write((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.write(v);
  }

  /** A cursor over a byte array that reads varints and reports malformed input. */
  static final class Reader {
    private final byte[] b;
    private int pos;

    Reader(byte[] b) {
      this.b = b;
    }

    int pos() {
      return pos;
    }

    void skip(int n) {
      if (n < 0 || pos + n > b.length) {
        throw new IllegalArgumentException("posting truncated at offset " + pos);
      }
      pos += n;
    }

    int read() {
      int v = 0;
      for (int shift = 0; shift < 35; shift += 7) {
        if (pos >= b.length) {
          throw new IllegalArgumentException("posting truncated at offset " + pos);
        }
        int x = b[pos++] & 0xFF;
        v |= (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          if (v < 0) {
            throw new IllegalArgumentException("varint out of range at offset " + pos);
          }
          return v;
        }
      }
      throw new IllegalArgumentException("varint too long at offset " + pos);
    }

    boolean atEnd() {
      return pos == b.length;
    }
  }
}
