package io.treestore.btree.internal;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A position in one immutable tree version: the path of nodes from the root to a leaf and the
 * index taken at each level. B+Trees that are copied on write cannot keep sibling links (a
 * changed leaf would force a copy of all its left neighbours), so moving past the end of a leaf
 * climbs the path to the next branch entry and descends again; the amortized cost per step is
 * constant.
 *
 * <p>Not thread-safe; the tree version it walks must stay reachable (pinned) while in use.
 */
public final class TreeCursor {
  private final NodeStore s;
  private final @Nullable Node root;
  private Node[] path = new Node[8];
  private int[] idx = new int[8];
  private int depth = -1;
  private boolean valid;

  /**
   * Creates an unpositioned cursor.
   *
   * @param s the node store
   * @param root the tree version's root, or {@code null} for an empty tree
   */
  public TreeCursor(NodeStore s, @Nullable Node root) {
    this.s = s;
    this.root = root;
  }

  /**
   * Returns whether the cursor is on an entry.
   *
   * @return {@code true} if {@link #key()} and {@link #rawValue()} may be called
   */
  public boolean valid() {
    return valid;
  }

  /**
   * Returns the current key; the caller must not modify it.
   *
   * @return the key
   * @throws IllegalStateException if not {@link #valid()}
   */
  public byte[] key() {
    check();
    return ((Leaf) path[depth]).keys[idx[depth]];
  }

  /**
   * Returns the current stored value.
   *
   * @return a {@code byte[]} (not to be modified) or an {@link OverflowRef}
   * @throws IllegalStateException if not {@link #valid()}
   */
  public Object rawValue() {
    check();
    return ((Leaf) path[depth]).vals[idx[depth]];
  }

  private void check() {
    if (!valid) {
      throw new IllegalStateException("cursor is not positioned on an entry");
    }
  }

  private void push(int level, Node n) {
    if (level > TreeOps.MAX_DEPTH) {
      throw s.file.corruption(n.pageId(), "tree deeper than " + TreeOps.MAX_DEPTH
          + " levels: its pages form a cycle");
    }
    if (level >= path.length) {
      path = Arrays.copyOf(path, path.length * 2);
      idx = Arrays.copyOf(idx, idx.length * 2);
    }
    path[level] = n;
    depth = level;
  }

  /** Descends from {@code path[level]} (whose index is set) to the leftmost or rightmost leaf. */
  private void descend(int level, boolean leftmost) {
    Node n = path[level];
    while (n instanceof Branch b) {
      n = s.child(b, idx[level]);
      level++;
      push(level, n);
      idx[level] = leftmost ? 0 : (n instanceof Branch ? n.count() : n.count() - 1);
    }
  }

  /**
   * Moves to the smallest key.
   *
   * @return whether there is one
   */
  public boolean first() {
    if (root == null) {
      return valid = false;
    }
    push(0, root);
    idx[0] = 0;
    descend(0, true);
    return valid = path[depth].count() > 0;
  }

  /**
   * Moves to the largest key.
   *
   * @return whether there is one
   */
  public boolean last() {
    if (root == null) {
      return valid = false;
    }
    push(0, root);
    idx[0] = root instanceof Branch ? root.count() : root.count() - 1;
    descend(0, false);
    return valid = path[depth].count() > 0;
  }

  /**
   * Moves to the smallest key {@code >= key}.
   *
   * @param key the target
   * @return whether there is such a key
   */
  public boolean seek(byte[] key) {
    if (root == null) {
      return valid = false;
    }
    Node n = root;
    int level = 0;
    push(0, n);
    while (n instanceof Branch b) {
      int ci = TreeOps.childIndex(b, key);
      idx[level] = ci;
      n = s.child(b, ci);
      push(++level, n);
    }
    int i = TreeOps.search(n, key);
    idx[level] = i >= 0 ? i : -(i + 1);
    if (idx[level] < n.count()) {
      return valid = true;
    }
    idx[level] = n.count() - 1;
    valid = n.count() > 0;
    return valid && next();
  }

  /**
   * Moves to the largest key {@code <= key}.
   *
   * @param key the target
   * @return whether there is such a key
   */
  public boolean seekAtOrBefore(byte[] key) {
    if (!seek(key)) {
      return last();
    }
    if (Arrays.compareUnsigned(key(), key) > 0) {
      return prev();
    }
    return true;
  }

  /**
   * Moves to the next key.
   *
   * @return whether there is one; if not, the cursor becomes invalid
   */
  public boolean next() {
    check();
    if (++idx[depth] < path[depth].count()) {
      return true;
    }
    for (int level = depth - 1; level >= 0; level--) {
      if (idx[level] < path[level].count()) {
        idx[level]++;
        depth = level;
        descend(level, true);
        return true;
      }
    }
    return valid = false;
  }

  /**
   * Moves to the previous key.
   *
   * @return whether there is one; if not, the cursor becomes invalid
   */
  public boolean prev() {
    check();
    if (--idx[depth] >= 0) {
      return true;
    }
    for (int level = depth - 1; level >= 0; level--) {
      if (idx[level] > 0) {
        idx[level]--;
        depth = level;
        descend(level, false);
        return true;
      }
    }
    return valid = false;
  }
}
