package io.treestore.btree.internal;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Copy-on-write B+Tree algorithms over immutable {@link Node}s.
 *
 * <h2>Design</h2>
 * A write copies the path from the root to the leaf it changes and returns a new root; the old
 * root still describes the old tree, which is what makes snapshots free (the approach of LMDB
 * and of H2's MVStore). Nodes are sized in bytes, not entries: a node whose serialized payload
 * exceeds {@link Layout#capacity()} is split at the byte midpoint, and a node that falls below
 * 40% of the capacity is merged with a sibling when both fit in one page, or else takes
 * entries from it so that both end near half full. Because no entry exceeds a quarter of a
 * page, every node except the root stays at least a quarter full.
 *
 * <p>Leaf separators are the shortest prefix of the right node's first key that is greater
 * than the left node's last key (suffix truncation; Bayer and Unterauer, "Prefix B-Trees",
 * ACM TODS 1977), which keeps branches wide.
 *
 * <p>Writes are called by one writer at a time; reads are thread-safe.
 */
public final class TreeOps {
  private TreeOps() {}

  /**
   * Deepest tree accepted. Every node holds at least four entries, so a real tree this deep
   * would hold more than 4^64 of them: a deeper walk means pages that form a cycle.
   */
  public static final int MAX_DEPTH = 64;

  /** Result of a write that split a node in two. */
  record Split(Node left, byte[] separator, Node right) {}

  /** Mutable outcome flags of one write. */
  static final class Outcome {
    boolean existed;
  }

  // ---------------------------------------------------------------- search helpers

  /** Index of {@code key} in a node's sorted keys, or {@code -(insertion point) - 1}. */
  static int search(Node n, byte[] key) {
    return search(n, key, Node.head(key));
  }

  /** As {@link #search(Node, byte[])}, with the key's head already computed. */
  static int search(Node n, byte[] key, long h) {
    long[] heads = n.heads;
    byte[][] keys = n instanceof Leaf l ? l.keys : ((Branch) n).keys;
    int lo = 0;
    int hi = heads.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Long.compareUnsigned(heads[mid], h);
      if (c == 0) {
        c = Arrays.compareUnsigned(keys[mid], key);
      }
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  /** The child of a branch that may hold {@code key}: the number of separators {@code <= key}. */
  static int childIndex(Branch b, byte[] key) {
    int i = search(b, key);
    return i >= 0 ? i + 1 : -(i + 1);
  }

  /**
   * Looks up a key.
   *
   * @param s the node store
   * @param root the root, or {@code null} for an empty tree
   * @param key the key
   * @return the stored value ({@code byte[]} or {@link OverflowRef}), or {@code null}
   */
  public static @Nullable Object get(NodeStore s, @Nullable Node root, byte[] key) {
    Node n = root;
    if (n == null) {
      return null;
    }
    int depth = 0;
    long h = Node.head(key);
    while (n instanceof Branch b) {
      if (++depth > MAX_DEPTH) {
        throw s.file.corruption(b.pageId(), "tree deeper than " + MAX_DEPTH
            + " levels: its pages form a cycle");
      }
      int i = search(b, key, h);
      n = s.child(b, i >= 0 ? i + 1 : -(i + 1));
    }
    Leaf l = (Leaf) n;
    int i = search(l, key, h);
    return i >= 0 ? l.vals[i] : null;
  }

  // ---------------------------------------------------------------- insert

  /**
   * Inserts or replaces {@code key}.
   *
   * @param s the node store (frees replaced pages)
   * @param root the current root, or {@code null}
   * @param key the key, owned by the tree from now on
   * @param value the value, owned by the tree from now on
   * @param out set to whether the key existed
   * @return the new root
   */
  static Node put(NodeStore s, @Nullable Node root, byte[] key, byte[] value, Outcome out) {
    if (root == null) {
      Layout L = s.layout;
      return new Leaf(0, s.dirtyMark, new byte[][] {key}, new Object[] {value},
          Layout.FIXED + L.leafEntrySize(key, value));
    }
    Object r = insert(s, root, key, value, out);
    return newRoot(s, r);
  }

  /** Makes a root from a write's result: a split grows the tree, a keyless branch shrinks it. */
  private static Node newRoot(NodeStore s, Object r) {
    Node n = r instanceof Split sp
        ? branch(s, new byte[][] {sp.separator}, new Node[] {sp.left, sp.right}) : (Node) r;
    while (n instanceof Branch b && b.count() == 0) {
      n = s.child(b, 0);
    }
    return n;
  }

  private static Object insert(NodeStore s, Node n, byte[] key, byte[] value, Outcome out) {
    Layout L = s.layout;
    if (n instanceof Leaf l) {
      int i = search(l, key);
      Object[] src = l.valsForCopy();
      byte[][] keys;
      Object[] vals;
      long[] heads;
      int bytes;
      if (i >= 0) {
        out.existed = true;
        s.retireValue(src[i]);
        keys = l.keys.clone();
        keys[i] = key;
        vals = src.clone();
        vals[i] = value;
        heads = l.heads;
        bytes = l.bytes - L.leafEntrySize(l.keys[i], src[i]) + L.leafEntrySize(key, value);
      } else {
        int at = -(i + 1);
        keys = insertAt(l.keys, at, key);
        vals = insertAt(src, at, value);
        heads = new long[l.heads.length + 1];
        System.arraycopy(l.heads, 0, heads, 0, at);
        heads[at] = Node.head(key);
        System.arraycopy(l.heads, at, heads, at + 1, l.heads.length - at);
        bytes = l.bytes + L.leafEntrySize(key, value);
      }
      s.retireLeaf(l, src);
      if (bytes > L.capacity) {
        return splitLeaf(s, keys, vals);
      }
      return new Leaf(0, s.dirtyMark, keys, vals, bytes, heads);
    }
    Branch b = (Branch) n;
    int ci = childIndex(b, key);
    Object r = insert(s, s.child(b, ci), key, value, out);
    s.retire(b);
    if (r instanceof Node c && c.bytes < L.underflow) {
      // A replaced value may be much smaller than the old one.
      return rebalance(s, b, ci, c);
    }
    return replaceChild(s, b, ci, r);
  }

  /** Replaces child {@code ci} of {@code b} with a node or a split pair; splits if needed. */
  private static Object replaceChild(NodeStore s, Branch b, int ci, Object r) {
    byte[][] keys;
    Node[] kids;
    long[] ids;
    int bytes;
    if (r instanceof Split sp) {
      keys = insertAt(b.keys, ci, sp.separator);
      bytes = b.bytes + Layout.branchEntrySize(sp.separator);
      ids = new long[b.ids.length + 1];
      kids = new Node[b.ids.length + 1];
      for (int i = 0, j = 0; i < b.ids.length; i++, j++) {
        if (i == ci) {
          kids[j] = sp.left;
          kids[++j] = sp.right;
        } else {
          ids[j] = b.ids[i];
          kids[j] = b.kids == null ? null : b.kids[i];
        }
      }
    } else {
      keys = b.keys;
      bytes = b.bytes;
      // Arrays are immutable once published: share what does not change.
      ids = b.ids;
      if (ids[ci] != 0) {
        ids = ids.clone();
        ids[ci] = 0;
      }
      kids = b.kids == null ? new Node[ids.length] : b.kids.clone();
      kids[ci] = (Node) r;
    }
    if (keys == b.keys) {
      ids = b.kids == null || b.generation() < s.lastFinishMark ? ids : detach(ids, kids);
      return new Branch(0, s.dirtyMark, keys, ids, kids, bytes, b.heads);
    }
    if (b.kids == null || b.generation() < s.lastFinishMark) {
      // No flush finished since b was made: its children are as b's copy left them.
      return bytes <= s.layout.capacity ? new Branch(0, s.dirtyMark, keys, ids, kids, bytes)
          : splitBranch(s, keys, ids, kids);
    }
    return makeBranchOrSplit(s, keys, ids, kids, bytes);
  }

  /**
   * Replaces in-memory children that a flush has written by their page ids, so that memory
   * holds only dirty nodes and the cache; returns {@code ids}, copied if it had to change.
   */
  static long[] detach(long[] ids, Node[] kids) {
    long[] out = ids;
    for (int i = 0; i < kids.length; i++) {
      Node k = kids[i];
      if (k != null) {
        long id = k.pageId();
        if (id != 0) {
          if (out == ids) {
            out = ids.clone();
          }
          out[i] = id;
          kids[i] = null;
        }
      }
    }
    return out;
  }

  private static Object makeBranchOrSplit(NodeStore s, byte[][] keys, long[] ids, Node[] kids,
      int bytes) {
    ids = detach(ids, kids);
    if (bytes <= s.layout.capacity) {
      return new Branch(0, s.dirtyMark, keys, ids, kids, bytes);
    }
    return splitBranch(s, keys, ids, kids);
  }

  private static Branch branch(NodeStore s, byte[][] keys, Node[] kids) {
    return new Branch(0, s.dirtyMark, keys, new long[kids.length], kids,
        Layout.branchBytes(keys, 0, keys.length));
  }

  private static Split splitLeaf(NodeStore s, byte[][] keys, Object[] vals) {
    Layout L = s.layout;
    int total = L.leafBytes(keys, vals, 0, keys.length);
    int acc = Layout.FIXED;
    int j = 0;
    while (j < keys.length - 1 && acc < total / 2) {
      acc += L.leafEntrySize(keys[j], vals[j]);
      j++;
    }
    j = Math.max(1, j);
    Leaf left = leaf(s, Arrays.copyOfRange(keys, 0, j), Arrays.copyOfRange(vals, 0, j));
    Leaf right = leaf(s, Arrays.copyOfRange(keys, j, keys.length),
        Arrays.copyOfRange(vals, j, vals.length));
    return new Split(left, separator(keys[j - 1], keys[j]), right);
  }

  static Leaf leaf(NodeStore s, byte[][] keys, Object[] vals) {
    Layout L = s.layout;
    return new Leaf(0, s.dirtyMark, keys, vals, L.leafBytes(keys, vals, 0, keys.length));
  }

  private static Split splitBranch(NodeStore s, byte[][] keys, long[] ids, Node[] kids) {
    int total = Layout.branchBytes(keys, 0, keys.length);
    int acc = Layout.FIXED + Layout.CHILD0;
    int j = 0;
    while (j < keys.length - 2 && acc < total / 2) {
      acc += Layout.branchEntrySize(keys[j]);
      j++;
    }
    j = Math.max(1, j);
    // keys[j] moves up; left keeps keys [0, j) and children [0, j]; right keys (j, n).
    byte[][] lk = Arrays.copyOfRange(keys, 0, j);
    byte[][] rk = Arrays.copyOfRange(keys, j + 1, keys.length);
    Branch left = new Branch(0, s.dirtyMark, lk, Arrays.copyOfRange(ids, 0, j + 1),
        Arrays.copyOfRange(kids, 0, j + 1), Layout.branchBytes(lk, 0, lk.length));
    Branch right = new Branch(0, s.dirtyMark, rk, Arrays.copyOfRange(ids, j + 1, ids.length),
        Arrays.copyOfRange(kids, j + 1, kids.length), Layout.branchBytes(rk, 0, rk.length));
    return new Split(left, keys[j], right);
  }

  /**
   * The shortest key {@code s} with {@code left < s <= right}, for {@code left < right}.
   */
  static byte[] separator(byte[] left, byte[] right) {
    int n = Math.min(left.length, right.length);
    int i = 0;
    while (i < n && left[i] == right[i]) {
      i++;
    }
    return i + 1 >= right.length ? right : Arrays.copyOf(right, i + 1);
  }

  static <T> T[] insertAt(T[] a, int at, T v) {
    T[] r = Arrays.copyOf(a, a.length + 1);
    System.arraycopy(a, at, r, at + 1, a.length - at);
    r[at] = v;
    return r;
  }

  static <T> T[] removeAt(T[] a, int at) {
    T[] r = Arrays.copyOf(a, a.length - 1);
    System.arraycopy(a, at + 1, r, at, a.length - at - 1);
    return r;
  }

  // ---------------------------------------------------------------- delete

  /**
   * Deletes {@code key}.
   *
   * @param s the node store
   * @param root the current root, or {@code null}
   * @param key the key
   * @param out set to whether the key existed
   * @return the new root ({@code null} when the tree became empty); the same object when the
   *     key was absent
   */
  static @Nullable Node delete(NodeStore s, @Nullable Node root, byte[] key, Outcome out) {
    if (root == null) {
      return null;
    }
    Object r = remove(s, root, key, out);
    if (!out.existed) {
      return root;
    }
    Node n = newRoot(s, r);
    if (n instanceof Leaf l && l.count() == 0) {
      return null;
    }
    return n;
  }

  private static Object remove(NodeStore s, Node n, byte[] key, Outcome out) {
    Layout L = s.layout;
    if (n instanceof Leaf l) {
      int i = search(l, key);
      if (i < 0) {
        return n;
      }
      out.existed = true;
      Object[] src = l.valsForCopy();
      s.retireValue(src[i]);
      s.retireLeaf(l, src);
      return new Leaf(0, s.dirtyMark, removeAt(l.keys, i), removeAt(src, i),
          l.bytes - L.leafEntrySize(l.keys[i], src[i]));
    }
    Branch b = (Branch) n;
    int ci = childIndex(b, key);
    Node child = s.child(b, ci);
    Object r = remove(s, child, key, out);
    if (r == child) {
      return n;
    }
    s.retire(b);
    if (r instanceof Node c && c.bytes < L.underflow && b.count() > 0) {
      return rebalance(s, b, ci, c);
    }
    return replaceChild(s, b, ci, r);
  }

  /** Fixes underfull child {@code ci} (already replaced by {@code c}) with a sibling. */
  private static Object rebalance(NodeStore s, Branch b, int ci, Node c) {
    Layout L = s.layout;
    int li = ci > 0 ? ci - 1 : ci;  // index of the left node of the pair
    Node sib = s.child(b, ci > 0 ? ci - 1 : ci + 1);
    if (sib instanceof Leaf sl) {
      s.retireLeaf(sl, sl.valsForCopy());
    } else {
      s.retire(sib);
    }
    Node left = ci > 0 ? sib : c;
    Node right = ci > 0 ? c : sib;
    byte[] sep = b.keys[li];
    Object merged = combine(s, left, sep, right);
    // Build the parent: children li and li+1 are replaced by the result.
    byte[][] keys;
    long[] ids;
    Node[] kids;
    int n = b.ids.length;
    if (merged instanceof Split sp) {
      keys = b.keys.clone();
      keys[li] = sp.separator;
      ids = b.ids.clone();
      kids = b.kids == null ? new Node[n] : b.kids.clone();
      ids[li] = 0;
      ids[li + 1] = 0;
      kids[li] = sp.left;
      kids[li + 1] = sp.right;
    } else {
      keys = removeAt(b.keys, li);
      ids = new long[n - 1];
      kids = new Node[n - 1];
      for (int i = 0, j = 0; i < n; i++) {
        if (i == li + 1) {
          continue;
        }
        if (i == li) {
          kids[j++] = (Node) merged;
        } else {
          ids[j] = b.ids[i];
          kids[j++] = b.kids == null ? null : b.kids[i];
        }
      }
    }
    return makeBranchOrSplit(s, keys, ids, kids, Layout.branchBytes(keys, 0, keys.length));
  }

  /** Merges two adjacent siblings into one node, or redistributes them into two. */
  static Object combine(NodeStore s, Node left, byte[] sep, Node right) {
    Layout L = s.layout;
    if (left instanceof Leaf a) {
      Leaf z = (Leaf) right;
      byte[][] keys = concat(a.keys, z.keys);
      Object[] vals = concat(a.valsForCopy(), z.valsForCopy());
      int bytes = a.bytes + z.bytes - Layout.FIXED;
      if (bytes <= L.capacity) {
        return new Leaf(0, s.dirtyMark, keys, vals, bytes);
      }
      return splitLeaf(s, keys, vals);
    }
    Branch a = (Branch) left;
    Branch z = (Branch) right;
    byte[][] keys = new byte[a.keys.length + 1 + z.keys.length][];
    System.arraycopy(a.keys, 0, keys, 0, a.keys.length);
    keys[a.keys.length] = sep;
    System.arraycopy(z.keys, 0, keys, a.keys.length + 1, z.keys.length);
    long[] ids = new long[a.ids.length + z.ids.length];
    System.arraycopy(a.ids, 0, ids, 0, a.ids.length);
    System.arraycopy(z.ids, 0, ids, a.ids.length, z.ids.length);
    Node[] kids = new Node[ids.length];
    if (a.kids != null) {
      System.arraycopy(a.kids, 0, kids, 0, a.kids.length);
    }
    if (z.kids != null) {
      System.arraycopy(z.kids, 0, kids, a.ids.length, z.kids.length);
    }
    ids = detach(ids, kids);
    int bytes = Layout.branchBytes(keys, 0, keys.length);
    if (bytes <= L.capacity) {
      return new Branch(0, s.dirtyMark, keys, ids, kids, bytes);
    }
    return splitBranch(s, keys, ids, kids);
  }

  private static <T> T[] concat(T[] a, T[] b) {
    T[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
