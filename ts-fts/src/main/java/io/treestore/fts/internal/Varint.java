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

  /** A cursor over a byte range that reads varints and reports malformed input. */
  static final class Reader {
    private final byte[] b;
    private final int end;
    private int pos;

    Reader(byte[] b) {
      this(b, 0, b.length);
    }

    Reader(byte[] b, int offset, int end) {
      this.b = b;
      this.pos = offset;
      this.end = end;
    }

    int pos() {
      return pos;
    }

    void skip(int n) {
      if (n < 0 || n > end - pos) {
        throw new IllegalArgumentException("posting truncated at offset " + pos);
      }
      pos += n;
    }

    int read() {
      int v = 0;
      for (int shift = 0; shift < 35; shift += 7) {
        if (pos >= end) {
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
      return pos == end;
    }
  }
}
