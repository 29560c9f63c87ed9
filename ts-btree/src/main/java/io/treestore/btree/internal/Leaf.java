package io.treestore.btree.internal;

/**
 * A leaf: keys in strictly ascending unsigned order and, for each, a value that is either a
 * {@code byte[]} (stored inline, or, in a dirty leaf, a large value not yet written to its
 * overflow chain) or an {@link OverflowRef}.
 */
public final class Leaf extends Node {
  final byte[][] keys;
  final Object[] vals;

  Leaf(long pageId, long generation, byte[][] keys, Object[] vals, int bytes) {
    super(pageId, generation, bytes);
    this.keys = keys;
    this.vals = vals;
  }

  @Override
  public int count() {
    return keys.length;
  }

  @Override
  public byte[] key(int i) {
    return keys[i];
  }

  /**
   * Returns the stored form of value {@code i}.
   *
   * @param i index in {@code [0, count())}
   * @return a {@code byte[]} (not to be modified) or an {@link OverflowRef}
   */
  public Object rawValue(int i) {
    return vals[i];
  }
}
