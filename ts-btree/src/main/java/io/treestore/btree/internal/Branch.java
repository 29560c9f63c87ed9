package io.treestore.btree.internal;

import org.jspecify.annotations.Nullable;

/**
 * A branch: {@code n} separator keys and {@code n + 1} children. Child {@code i} holds the
 * keys {@code k} with {@code keys[i-1] <= k < keys[i]}.
 *
 * <p>Each child is referenced by page id ({@code ids[i]}) when it is clean, or by object
 * ({@code kids[i]}, with {@code ids[i] == 0}) when it is dirty. A clean branch has
 * {@code kids == null}; clean children are loaded through the page cache so that memory stays
 * bounded by the cache.
 */
public final class Branch extends Node {
  final byte[][] keys;
  final long[] ids;
  final Node @Nullable [] kids;
  /**
   * Children of a clean branch that are themselves branches, kept once loaded so that a
   * lookup goes through the page cache only for the leaf. Branches are about one page in
   * {@code fanout}, so this bounds memory to a small fraction of the tree. Filled lazily;
   * a racing fill stores an equivalent node, so no synchronization is needed.
   */
  private Node @Nullable [] loadedBranches;

  Branch(long pageId, long generation, byte[][] keys, long[] ids, Node @Nullable [] kids,
      int bytes) {
    this(pageId, generation, keys, ids, kids, bytes, heads(keys));
  }

  Branch(long pageId, long generation, byte[][] keys, long[] ids, Node @Nullable [] kids,
      int bytes, long[] heads) {
    super(pageId, generation, bytes, heads);
    this.keys = keys;
    this.ids = ids;
    this.kids = kids;
  }

  @Override
  public int count() {
    return keys.length;
  }

  @Override
  public byte[] key(int i) {
    return keys[i];
  }

  /** Returns a branch child loaded before, or {@code null}. */
  @Nullable Node loadedBranch(int i) {
    Node[] l = loadedBranches;
    return l == null ? null : l[i];
  }

  /** Keeps a loaded child if it is a branch. */
  void rememberLoaded(int i, Node child) {
    if (child instanceof Branch) {
      Node[] l = loadedBranches;
      if (l == null) {
        l = new Node[ids.length];
        loadedBranches = l;
      }
      l[i] = child;
    }
  }

  /**
   * Returns the in-memory child {@code i}, if it is dirty.
   *
   * @param i index in {@code [0, count()]}
   * @return the dirty child, or {@code null} if the child is clean (see {@link #childId})
   */
  public @Nullable Node dirtyChild(int i) {
    return kids == null ? null : kids[i];
  }

  /**
   * Returns the page id of child {@code i}.
   *
   * @param i index in {@code [0, count()]}
   * @return the page id, or 0 if the child is dirty
   */
  public long childId(int i) {
    return ids[i];
  }
}
