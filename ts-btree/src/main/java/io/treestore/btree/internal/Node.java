package io.treestore.btree.internal;

/**
 * An immutable B+Tree node: a {@link Leaf} or a {@link Branch}.
 *
 * <p>A node is <em>clean</em> when it has been written to a page ({@code pageId >= 2}) and
 * <em>dirty</em> when it exists only in memory ({@code pageId == 0}); dirty nodes are created
 * by copy-on-write since the last flush and are referenced directly by their parents. Fields
 * are final (but the page id and generation, assigned once when a flush wrote the node) and
 * arrays are never modified after construction, so a node may be shared by any number of
 * readers and snapshots without synchronization.
 */
public abstract sealed class Node permits Leaf, Branch {
  /** The page holding this node, or 0 while it is dirty; assigned once. */
  private volatile long pageId;
  /** The flush generation that wrote the page; while dirty, the store's dirty mark (huge). */
  private volatile long generation;
  /** Serialized payload size in bytes (page header excluded). */
  public final int bytes;
  /**
   * The first 8 bytes of each key as a big-endian long (zero-padded): binary search compares
   * these, in one contiguous array, and looks at the key itself only when they are equal.
   */
  final long[] heads;

  /** Reads 8 bytes of a byte array as one big-endian long. */
  private static final java.lang.invoke.VarHandle BIG_ENDIAN_LONG =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class,
          java.nio.ByteOrder.BIG_ENDIAN);

  Node(long pageId, long generation, int bytes, long[] heads) {
    this.pageId = pageId;
    this.generation = generation;
    this.bytes = bytes;
    this.heads = heads;
  }

  /**
   * Returns the head of a key: its first 8 bytes as a big-endian long, zero-padded. Heads
   * compare (unsigned) like the keys, except that keys equal in their first 8 bytes (or
   * differing only by trailing zero bytes within them) have equal heads.
   *
   * @param k the key
   * @return the head
   */
  static long head(byte[] k) {
    if (k.length >= 8) {
      return (long) BIG_ENDIAN_LONG.get(k, 0);
    }
    long h = 0;
    for (int i = 0; i < k.length; i++) {
      h |= (k[i] & 0xFFL) << (56 - 8 * i);
    }
    return h;
  }

  /**
   * Computes the heads of keys.
   *
   * @param keys the keys
   * @return their heads
   */
  static long[] heads(byte[][] keys) {
    long[] h = new long[keys.length];
    for (int i = 0; i < keys.length; i++) {
      h[i] = head(keys[i]);
    }
    return h;
  }

  /**
   * Returns the page holding this node.
   *
   * @return the page id, or 0 if the node has not been written (or its flush has not
   *     finished)
   */
  public final long pageId() {
    return pageId;
  }

  /**
   * Returns the generation of the flush that wrote this node.
   *
   * @return the generation; for a dirty node a value near {@link Long#MAX_VALUE} telling
   *     since which flush it exists (see {@code NodeStore.dirtyMark})
   */
  public final long generation() {
    return generation;
  }

  /**
   * Records that a flush wrote this dirty node to a page: from now on it is clean. Called once,
   * after the flush's meta page is durable (or at once for pages written by a bulk load).
   *
   * @param id the page
   * @param gen the flush generation
   */
  void assign(long id, long gen) {
    generation = gen;
    pageId = id;
  }

  /**
   * Returns whether this node is only in memory.
   *
   * @return {@code true} for a node not yet written to a page
   */
  public final boolean isDirty() {
    return pageId == 0;
  }

  /**
   * Returns the number of keys.
   *
   * @return entries of a leaf, separator keys of a branch
   */
  public abstract int count();

  /**
   * Returns key {@code i}; the caller must not modify it.
   *
   * @param i index in {@code [0, count())}
   * @return the key
   */
  public abstract byte[] key(int i);
}
