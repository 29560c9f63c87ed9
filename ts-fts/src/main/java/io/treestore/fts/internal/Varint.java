package io.treestore.fts.internal;

import java.util.Arrays;


/** Unsigned LEB128 variable-length integers (as in Protocol Buffers). */
final class Varint {
  private Varint() {}

  /**
   * A growable byte buffer for encoding. Unlike {@link java.io.ByteArrayOutputStream}, whose
   * methods are synchronized, it takes no lock per byte. Not thread-safe.
   */
  static final class Out {
    private byte[] buf;
    private int size;

    /** Creates a buffer with room for {@code capacity} bytes (it grows as needed). */
    Out(int capacity) {
      buf = new byte[Math.max(16, capacity)];
    }

    /** Appends {@code v} as a varint; rejects a negative value. */
    void varint(int v) {
      if (v < 0) {
        throw new IllegalArgumentException("negative varint " + v);
      }
      ensure(5);
      while ((v & ~0x7F) != 0) {
        buf[size++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
    }

    /** Appends {@code b[off, off + len)}. */
    void bytes(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, size, len);
      size += len;
    }

    /** Returns the bytes written, in an array of exactly that length. */
    byte[] toByteArray() {
      return size == buf.length ? buf : Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }
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
