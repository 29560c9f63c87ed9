package io.treestore.btree.internal;

import io.treestore.page.PageFile;
import io.treestore.page.PageType;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Sizes and the byte format of B+Tree pages for one page size.
 *
 * <h2>Page payloads (after the 24-byte page header; integers big-endian)</h2>
 * <pre>
 * Leaf    --&gt; count:u16, Entry^count
 * Entry   --&gt; keyLen:varint, key, kind:u8, (kind 0: valueLen:varint, value
 *                                         | kind 1: valueLen:varint, firstPage:u64)
 * Branch  --&gt; count:u16, child0:u64, (keyLen:varint, key, child:u64)^count
 * </pre>
 * {@code varint} is unsigned LEB128 of a 32-bit value. Keys of a leaf are strictly ascending
 * in unsigned lexicographic order; a branch's keys are ascending separators. Overflow pages
 * are specified by {@link NodeStore}.
 *
 * <h2>Size limits</h2>
 * The usable payload of a page is {@code capacity = pageSize - 26}. No entry may take more
 * than {@code maxEntry = capacity / 4} bytes, so every page holds at least four entries and
 * splitting an overfull node always yields two nodes that fit. Keys are at most
 * {@code maxKey = pageSize / 4 - 32} bytes (992 for 4 KiB pages). A value is stored inline when
 * its entry fits in {@code maxEntry}, otherwise in an overflow chain.
 *
 * <p>Immutable and thread-safe.
 */
public final class Layout {
  /** Fixed part of leaf and branch payloads: the u16 count. */
  static final int FIXED = 2;
  /** Bytes of a branch's first child id. */
  static final int CHILD0 = 8;
  /** Largest value length accepted: 1 GiB. */
  public static final int MAX_VALUE = 1 << 30;

  final int pageSize;
  final int capacity;
  final int maxEntry;
  final int maxKey;
  final int underflow;

  /**
   * Creates the layout for a page size.
   *
   * @param pageSize bytes per page
   */
  public Layout(int pageSize) {
    this.pageSize = pageSize;
    this.capacity = pageSize - PageFile.HEADER_SIZE - FIXED;
    this.maxEntry = capacity / 4;
    this.maxKey = pageSize / 4 - 32;
    this.underflow = capacity * 2 / 5;
  }

  /**
   * Returns the largest key length accepted.
   *
   * @return bytes
   */
  public int maxKey() {
    return maxKey;
  }

  /**
   * Returns the usable payload bytes of a node page.
   *
   * @return bytes
   */
  public int capacity() {
    return capacity;
  }

  static int varintLen(int v) {
    return v < (1 << 7) ? 1 : v < (1 << 14) ? 2 : v < (1 << 21) ? 3 : v < (1 << 28) ? 4 : 5;
  }

  /** Whether a value of this length is stored inline next to a key of this length. */
  boolean inline(int keyLen, int valueLen) {
    return varintLen(keyLen) + keyLen + 1 + varintLen(valueLen) + valueLen <= maxEntry;
  }

  int leafEntrySize(byte[] key, Object val) {
    int k = varintLen(key.length) + key.length + 1;
    if (val instanceof byte[] v) {
      return inline(key.length, v.length) ? k + varintLen(v.length) + v.length
          : k + varintLen(v.length) + 8;
    }
    OverflowRef r = (OverflowRef) val;
    return k + varintLen(r.length()) + 8;
  }

  static int branchEntrySize(byte[] key) {
    return varintLen(key.length) + key.length + 8;
  }

  int leafBytes(byte[][] keys, Object[] vals, int from, int to) {
    int b = FIXED;
    for (int i = from; i < to; i++) {
      b += leafEntrySize(keys[i], vals[i]);
    }
    return b;
  }

  static int branchBytes(byte[][] keys, int from, int to) {
    int b = FIXED + CHILD0;
    for (int i = from; i < to; i++) {
      b += branchEntrySize(keys[i]);
    }
    return b;
  }

  // ---- encoding ----

  /** Serializes a leaf whose large values are already {@link OverflowRef}s. */
  void encodeLeaf(Leaf leaf, byte[] page) {
    Arrays.fill(page, (byte) 0);
    ByteBuffer b = ByteBuffer.wrap(page);
    b.position(PageFile.HEADER_SIZE);
    b.putShort((short) leaf.keys.length);
    for (int i = 0; i < leaf.keys.length; i++) {
      byte[] k = leaf.keys[i];
      putVarint(b, k.length);
      b.put(k);
      if (leaf.vals[i] instanceof byte[] v) {
        b.put((byte) 0);
        putVarint(b, v.length);
        b.put(v);
      } else {
        OverflowRef r = (OverflowRef) leaf.vals[i];
        b.put((byte) 1);
        putVarint(b, r.length());
        b.putLong(r.firstPage());
      }
    }
  }

  void encodeBranch(byte[][] keys, long[] ids, byte[] page) {
    Arrays.fill(page, (byte) 0);
    ByteBuffer b = ByteBuffer.wrap(page);
    b.position(PageFile.HEADER_SIZE);
    b.putShort((short) keys.length);
    b.putLong(ids[0]);
    for (int i = 0; i < keys.length; i++) {
      putVarint(b, keys[i].length);
      b.put(keys[i]);
      b.putLong(ids[i + 1]);
    }
  }

  /**
   * Decodes a validated leaf or branch page.
   *
   * @param file the file, for corruption reports
   * @param pageId the page's id
   * @param page the page bytes as returned by {@link PageFile#readPage}
   * @return the clean node
   * @throws io.treestore.page.CorruptionException if the page is not a node or its content is
   *     malformed
   */
  public Node decode(PageFile file, long pageId, byte[] page) {
    PageType type = PageFile.typeOf(page);
    long gen = PageFile.generationOf(page);
    ByteBuffer b = ByteBuffer.wrap(page);
    b.position(PageFile.HEADER_SIZE);
    int count = Short.toUnsignedInt(b.getShort());
    try {
      if (type == PageType.LEAF) {
        byte[][] keys = new byte[count][];
        Object[] vals = new Object[count];
        for (int i = 0; i < count; i++) {
          keys[i] = getBytes(b, getVarint(b), maxKey, "key");
          if (i > 0 && Arrays.compareUnsigned(keys[i - 1], keys[i]) >= 0) {
            throw file.corruption(pageId, "leaf keys out of order at entry " + i);
          }
          int kind = b.get();
          int len = getVarint(b);
          if (kind == 0) {
            vals[i] = getBytes(b, len, maxEntry, "value");
          } else if (kind == 1) {
            long first = b.getLong();
            if (first < 2 || len < 0 || len > MAX_VALUE) {
              throw file.corruption(pageId, "bad overflow reference at entry " + i);
            }
            vals[i] = new OverflowRef(first, len);
          } else {
            throw file.corruption(pageId, "unknown value kind " + kind + " at entry " + i);
          }
        }
        return new Leaf(pageId, gen, keys, vals, b.position() - PageFile.HEADER_SIZE);
      } else if (type == PageType.BRANCH) {
        if (count == 0) {
          throw file.corruption(pageId, "branch without keys");
        }
        byte[][] keys = new byte[count][];
        long[] ids = new long[count + 1];
        ids[0] = b.getLong();
        for (int i = 0; i < count; i++) {
          keys[i] = getBytes(b, getVarint(b), maxKey, "key");
          if (i > 0 && Arrays.compareUnsigned(keys[i - 1], keys[i]) >= 0) {
            throw file.corruption(pageId, "branch keys out of order at entry " + i);
          }
          ids[i + 1] = b.getLong();
        }
        for (long id : ids) {
          if (id < 2) {
            throw file.corruption(pageId, "branch child id " + id + " out of range");
          }
        }
        return new Branch(pageId, gen, keys, ids, null, b.position() - PageFile.HEADER_SIZE);
      }
      throw file.corruption(pageId, "expected a leaf or branch page, found " + type);
    } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
      throw file.corruption(pageId, "malformed " + type + " page: " + e);
    }
  }

  private static byte[] getBytes(ByteBuffer b, int len, int max, String what) {
    if (len < 0 || len > max || len > b.remaining()) {
      throw new IllegalArgumentException(what + " length " + len + " out of range");
    }
    byte[] out = new byte[len];
    b.get(out);
    return out;
  }

  static void putVarint(ByteBuffer b, int v) {
    while ((v & ~0x7F) != 0) {
      b.put((byte) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    b.put((byte) v);
  }

  static int getVarint(ByteBuffer b) {
    int v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      int x = b.get();
      v |= (x & 0x7F) << shift;
      if ((x & 0x80) == 0) {
        if (v < 0) {
          throw new IllegalArgumentException("varint out of range");
        }
        return v;
      }
    }
    throw new IllegalArgumentException("varint longer than 5 bytes");
  }
}
