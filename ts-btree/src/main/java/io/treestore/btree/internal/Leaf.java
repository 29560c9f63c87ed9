package io.treestore.btree.internal;

/**
 * A leaf: keys in strictly ascending unsigned order and, for each, a value that is either a
 * {@code byte[]} (stored inline, or, in a dirty leaf, a large value not yet written to its
 * overflow chain) or an {@link OverflowRef}.
 *
 * <p>When a flush writes a dirty leaf that holds large values, it writes their overflow chains
 * and records the values as written ({@link #valsForCopy()}: references instead of arrays), so
 * that copies made afterwards share the chains instead of writing them again.
 */
public final class Leaf extends Node {
  final byte[][] keys;
  final Object[] vals;
  private volatile Object @org.jspecify.annotations.Nullable [] stored;

  Leaf(long pageId, long generation, byte[][] keys, Object[] vals, int bytes) {
    this(pageId, generation, keys, vals, bytes, heads(keys));
  }

  Leaf(long pageId, long generation, byte[][] keys, Object[] vals, int bytes, long[] heads) {
    super(pageId, generation, bytes, heads);
    this.keys = keys;
    this.vals = vals;
  }

  /**
   * Returns the values to copy into a new leaf: the written form if a flush wrote this leaf's
   * large values, else {@link #vals}. The caller must check, with {@code ==}, which one it got
   * (see {@link NodeStore#retireLeaf}).
   *
   * @return the values array (not to be modified)
   */
  Object[] valsForCopy() {
    Object[] s = stored;
    return s != null ? s : vals;
  }

  /** Records the written form of the values; called once, before {@link #assign}. */
  void store(Object[] written) {
    stored = written;
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
