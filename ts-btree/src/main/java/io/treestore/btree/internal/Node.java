package io.treestore.btree.internal;

/**
 * An immutable B+Tree node: a {@link Leaf} or a {@link Branch}.
 *
 * <p>A node is <em>clean</em> when it has been written to a page ({@code pageId >= 2}) and
 * <em>dirty</em> when it exists only in memory ({@code pageId == 0}); dirty nodes are created
 * by copy-on-write since the last flush and are referenced directly by their parents. Fields
 * are final and arrays are never modified after construction, so a node may be shared by any
 * number of readers and snapshots without synchronization.
 */
public abstract sealed class Node permits Leaf, Branch {
  /** The page holding this node, or 0 for a dirty node. */
  public final long pageId;
  /** The flush generation that wrote the page; {@link Long#MAX_VALUE} for a dirty node. */
  public final long generation;
  /** Serialized payload size in bytes (page header excluded). */
  public final int bytes;

  Node(long pageId, long generation, int bytes) {
    this.pageId = pageId;
    this.generation = generation;
    this.bytes = bytes;
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
