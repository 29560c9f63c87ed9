package io.treestore.btree.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Applies a run of writes with strictly ascending keys to a copy-on-write B+Tree in one
 * descent: every node the run touches is copied once, however many of the run's keys it holds,
 * instead of once per key as {@link TreeOps#put} and {@link TreeOps#delete} do.
 *
 * <h2>Algorithm</h2>
 * A branch splits the run between its children by its separators (binary search of each
 * touched child's upper bound in the run) and rebuilds itself once from the results. A leaf
 * merges the run into its entries (a linear merge) and cuts the result into as many leaves as
 * its size needs, balanced by bytes (each at most {@link Layout#capacity()}, all but the last
 * at least about half of it). A child whose entries are all deleted is dropped with one of its
 * separators; a new child below the underflow threshold is merged with, or takes entries from,
 * a neighbour, as a single delete does. Old separators stay valid bounds because every new
 * child holds only keys of the range its old child covered. This is the batch update of
 * B-trees (keys sorted in memory so that updates falling into the same leaf are done
 * together; Soisalon-Soininen, Ylönen and Pollari-Malmi, "Concurrency Control in B-Trees with
 * Batch Updates", IEEE TKDE 8(6), 1996), in copy-on-write form.
 *
 * <p>Called by one writer at a time, like every write of {@link TreeOps}.
 */
public final class SortedApply {
  private SortedApply() {}

  /** Nodes that replace one node, and the separators between them ({@code nodes - 1}). */
  private record Piece(List<Node> nodes, List<byte[]> seps) {}

  /** The change in the tree's entry count; set by {@link #apply}. */
  static final class Delta {
    long count;
  }

  /**
   * Applies writes to a tree.
   *
   * @param s the node store (frees replaced pages and overflow chains)
   * @param root the current root, or {@code null} for an empty tree
   * @param keys keys in strictly ascending unsigned order, owned by the tree from now on
   * @param vals for each key its new value (owned by the tree from now on), or {@code null} to
   *     delete it
   * @param d receives the change in the number of entries
   * @return the new root ({@code null} when the tree became empty); {@code root} itself when
   *     nothing changed
   * @throws io.treestore.page.CorruptionException if a page on the way is damaged; nothing was
   *     published, but the caller must forget the pages this call retired
   */
  static @Nullable Node apply(NodeStore s, @Nullable Node root, byte[][] keys,
      byte @Nullable [][] vals, Delta d) {
    if (keys.length == 0) {
      return root;
    }
    Node from = root != null ? root
        : new Leaf(0, s.dirtyMark, new byte[0][], new Object[0], Layout.FIXED);
    // The keys' heads, computed in one pass over the run: merges and searches compare these
    // first and touch a key's bytes only when heads are equal.
    long[] kh = new long[keys.length];
    for (int i = 0; i < keys.length; i++) {
      kh[i] = Node.head(keys[i]);
    }
    Piece p = applyNode(s, from, keys, kh, vals, 0, keys.length, d, 0);
    if (p == null) {
      return root;
    }
    while (p.nodes.size() > 1) {
      Row row = new Row(p.nodes.size());
      for (int k = 0; k < p.nodes.size(); k++) {
        if (k > 0) {
          row.addSep(p.seps.get(k - 1));
        }
        row.add(0, p.nodes.get(k), true);
      }
      fixUnderfull(s, row, s.dirtyMark);
      p = row.n == 1 ? new Piece(List.of(row.nodes[0]), List.of()) : buildBranches(s, row);
    }
    if (p.nodes.isEmpty()) {
      return null;
    }
    Node n = p.nodes.get(0);
    while (n instanceof Branch b && b.count() == 0) {
      n = s.child(b, 0);
    }
    return n instanceof Leaf l && l.count() == 0 ? null : n;
  }

  /** Returns the replacement of {@code n}, or {@code null} if the writes change nothing. */
  private static @Nullable Piece applyNode(NodeStore s, Node n, byte[][] keys, long[] kh,
      byte @Nullable [][] vals, int from, int to, Delta d, int depth) {
    if (depth > TreeOps.MAX_DEPTH) {
      throw s.file.corruption(n.pageId(), "tree deeper than " + TreeOps.MAX_DEPTH
          + " levels: its pages form a cycle");
    }
    return n instanceof Leaf l ? applyLeaf(s, l, keys, kh, vals, from, to, d)
        : applyBranch(s, (Branch) n, keys, kh, vals, from, to, d, depth);
  }

  private static @Nullable Piece applyLeaf(NodeStore s, Leaf l, byte[][] keys, long[] kh,
      byte @Nullable [][] vals, int from, int to, Delta d) {
    Layout L = s.layout;
    Object[] src = l.valsForCopy();
    byte[][] lk = l.keys;
    long[] lh = l.heads;
    int n = lk.length;
    byte[][] ok = new byte[n + to - from][];
    Object[] ov = new Object[ok.length];
    long[] oh = new long[ok.length];
    int o = 0;
    int i = 0;
    int j = from;
    boolean changed = false;
    long delta = 0;
    long bytes = l.bytes;
    while (i < n || j < to) {
      int c = i == n ? 1 : j == to ? -1 : compare(lh[i], lk[i], kh[j], keys[j]);
      if (c < 0) {
        // Copy the leaf's entries before the next write in one piece: a few writes into a
        // full leaf then cost a few searches instead of a comparison per entry.
        int p = j == to ? n : gallop(lh, lk, i, n, kh[j], keys[j]);
        System.arraycopy(lk, i, ok, o, p - i);
        System.arraycopy(lh, i, oh, o, p - i);
        System.arraycopy(src, i, ov, o, p - i);
        o += p - i;
        i = p;
      } else {
        byte[] v = vals[j];
        if (c == 0) {
          bytes -= L.leafEntrySize(lk[i], src[i]);
          s.retireValue(src[i++]);
          changed = true;
          if (v == null) {
            delta--;
          }
        } else if (v != null) {
          changed = true;
          delta++;
        }
        if (v != null) {
          bytes += L.leafEntrySize(keys[j], v);
          ok[o] = keys[j];
          oh[o] = kh[j];
          ov[o++] = v;
        }
        j++;
      }
    }
    if (!changed) {
      return null;
    }
    s.retireLeaf(l, src);
    d.count += delta;
    if (o > 0 && bytes <= L.capacity) {
      return new Piece(List.of(new Leaf(0, s.dirtyMark, Arrays.copyOf(ok, o),
          Arrays.copyOf(ov, o), (int) bytes, Arrays.copyOf(oh, o))), List.of());
    }
    return cutLeaves(s, ok, ov, oh, o);
  }

  /** Cuts {@code n} sorted entries (and their heads) into leaves balanced by bytes. */
  private static Piece cutLeaves(NodeStore s, byte[][] keys, Object[] vals, long[] heads,
      int n) {
    Layout L = s.layout;
    List<Node> nodes = new ArrayList<>(2);
    List<byte[]> seps = new ArrayList<>(1);
    if (n == 0) {
      return new Piece(nodes, seps);
    }
    int[] size = new int[n];
    long total = 0;
    for (int i = 0; i < n; i++) {
      size[i] = L.leafEntrySize(keys[i], vals[i]);
      total += size[i];
    }
    int budget = L.capacity - Layout.FIXED;
    long pieces = (total + budget - 1) / budget;
    int start = 0;
    while (start < n) {
      long target = Math.max(1, total / Math.max(1, pieces - nodes.size()));
      int acc = 0;
      int end = start;
      while (end < n && (acc == 0 || (acc < target && acc + size[end] <= budget))) {
        acc += size[end++];
      }
      if (!nodes.isEmpty()) {
        seps.add(TreeOps.separator(keys[start - 1], keys[start]));
      }
      nodes.add(new Leaf(0, s.dirtyMark, Arrays.copyOfRange(keys, start, end),
          Arrays.copyOfRange(vals, start, end), Layout.FIXED + acc,
          Arrays.copyOfRange(heads, start, end)));
      total -= acc;
      start = end;
    }
    return new Piece(nodes, seps);
  }

  /**
   * Returns the first index in {@code [i, n)} whose key is not below {@code k} (or {@code n}),
   * given that the key at {@code i} is below it: an exponential search from {@code i}, then a
   * binary search (Bentley and Yao, "An almost optimal algorithm for unbounded searching",
   * 1976), so that the cost grows with the log of the distance, and a merge of two dense runs
   * still compares about once per entry.
   */
  private static int gallop(long[] lh, byte[][] lk, int i, int n, long h, byte[] k) {
    int lo = i;
    int step = 1;
    int hi = i + 1;
    while (hi < n && compare(lh[hi], lk[hi], h, k) < 0) {
      lo = hi;
      step <<= 1;
      hi = lo + step;
    }
    if (hi > n) {
      hi = n;
    }
    // the key at lo is below k; hi == n or the key at hi is not below k
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (compare(lh[mid], lk[mid], h, k) < 0) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return hi;
  }

  /** Compares two keys given with their heads: the heads decide unless they are equal. */
  private static int compare(long ah, byte[] a, long bh, byte[] b) {
    int c = Long.compareUnsigned(ah, bh);
    return c != 0 ? c : Arrays.compareUnsigned(a, b);
  }

  /** First index in {@code [from, to)} whose key is {@code >= bound}, or {@code to}. */
  private static int lowerBound(byte[][] keys, long[] kh, int from, int to, byte[] bound,
      long boundHead) {
    int lo = from;
    int hi = to;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (compare(kh[mid], keys[mid], boundHead, bound) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static @Nullable Piece applyBranch(NodeStore s, Branch b, byte[][] keys, long[] kh,
      byte @Nullable [][] vals, int from, int to, Delta d, int depth) {
    int count = b.count();
    // The touched children and their replacements, in child order.
    int touched = 0;
    int[] at = null;
    Piece[] pieces = null;
    boolean inPlace = true;  // every replacement is one node that needs no rebalancing
    int underflow = s.layout.underflow;
    int j = from;
    while (j < to) {
      int si = TreeOps.search(b, keys[j], kh[j]);
      int ci = si >= 0 ? si + 1 : -(si + 1);
      int end = ci < count ? lowerBound(keys, kh, j, to, b.keys[ci], b.heads[ci]) : to;
      Piece p = applyNode(s, s.child(b, ci), keys, kh, vals, j, end, d, depth + 1);
      if (p != null) {
        if (at == null) {
          int cap = Math.min(count + 1, to - j);
          at = new int[cap];
          pieces = new Piece[cap];
        }
        at[touched] = ci;
        pieces[touched++] = p;
        inPlace &= p.nodes.size() == 1 && p.nodes.get(0).bytes >= underflow;
      }
      j = end;
    }
    if (touched == 0) {
      return null;
    }
    s.retire(b);
    if (inPlace) {
      // Same children count and separators: share b's keys and heads, as TreeOps does.
      long[] ids = b.ids.clone();
      Node[] kids = b.kids == null ? new Node[ids.length] : b.kids.clone();
      for (int t = 0; t < touched; t++) {
        ids[at[t]] = 0;
        kids[at[t]] = pieces[t].nodes.get(0);
      }
      if (b.kids != null && b.generation() >= s.lastFinishMark) {
        ids = TreeOps.detach(ids, kids);
      }
      return new Piece(List.of(new Branch(0, s.dirtyMark, b.keys, ids, kids, b.bytes,
          b.heads)), List.of());
    }
    Row row = new Row(count + 1 + 2 * touched);
    int next = 0;  // the next old child not yet copied into the row
    for (int t = 0; t < touched; t++) {
      int ci = at[t];
      Piece p = pieces[t];
      for (; next < ci; next++) {
        row.addOld(b, next);
      }
      if (!p.nodes.isEmpty()) {
        if (row.n > 0) {
          row.addSep(b.keys[ci - 1]);
        }
        for (int k = 0; k < p.nodes.size(); k++) {
          if (k > 0) {
            row.addSep(p.seps.get(k - 1));
          }
          row.add(0, p.nodes.get(k), true);
        }
      }
      next = ci + 1;
    }
    for (; next <= count; next++) {
      row.addOld(b, next);
    }
    fixUnderfull(s, row, b.generation());
    if (row.n == 0) {
      return new Piece(List.of(), List.of());
    }
    return buildBranches(s, row);
  }

  /**
   * The children of a branch being rebuilt: each a page id (clean, not loaded) or a node, with
   * the separators between them ({@code n - 1}) and whether each node was made by this apply.
   */
  private static final class Row {
    long[] ids;
    Node[] nodes;
    boolean[] fresh;
    int n;
    byte[][] seps;

    Row(int capacity) {
      ids = new long[capacity];
      nodes = new Node[capacity];
      fresh = new boolean[capacity];
      seps = new byte[capacity][];
    }

    /** Copies old child {@code ci} of {@code b}, preceded by its lower separator if needed. */
    void addOld(Branch b, int ci) {
      if (n > 0) {
        addSep(b.keys[ci - 1]);
      }
      Node k = b.dirtyChild(ci);
      add(k == null ? b.ids[ci] : 0, k, false);
    }

    void add(long id, @Nullable Node node, boolean isNew) {
      if (n == ids.length) {
        grow();
      }
      ids[n] = id;
      nodes[n] = node;
      fresh[n++] = isNew;
    }

    /** Adds the separator before the next child; call before {@link #add}. */
    void addSep(byte[] k) {
      seps[n - 1] = k;
    }

    private void grow() {
      int c = ids.length * 2 + 4;
      ids = Arrays.copyOf(ids, c);
      nodes = Arrays.copyOf(nodes, c);
      fresh = Arrays.copyOf(fresh, c);
      seps = Arrays.copyOf(seps, c);
    }

    /** Removes child {@code i + 1} and separator {@code i}. */
    void removeRightOf(int i) {
      System.arraycopy(ids, i + 2, ids, i + 1, n - i - 2);
      System.arraycopy(nodes, i + 2, nodes, i + 1, n - i - 2);
      System.arraycopy(fresh, i + 2, fresh, i + 1, n - i - 2);
      System.arraycopy(seps, i + 1, seps, i, n - i - 2);
      n--;
      nodes[n] = null;
    }

    /** Inserts node {@code node} as child {@code i + 1}, with separator {@code i} before it. */
    void insertRightOf(int i, byte[] sep, Node node) {
      if (n == ids.length) {
        grow();
      }
      System.arraycopy(ids, i + 1, ids, i + 2, n - i - 1);
      System.arraycopy(nodes, i + 1, nodes, i + 2, n - i - 1);
      System.arraycopy(fresh, i + 1, fresh, i + 2, n - i - 1);
      System.arraycopy(seps, i, seps, i + 1, n - i - 1);
      ids[i + 1] = 0;
      nodes[i + 1] = node;
      fresh[i + 1] = true;
      seps[i] = sep;
      n++;
    }

    Node node(NodeStore s, int i, long gen) {
      Node k = nodes[i];
      return k != null ? k : s.load(ids[i], gen);
    }
  }

  /**
   * Merges each new underfull child with a neighbour, or rebalances the pair, as a single
   * delete does ({@code TreeOps.rebalance}).
   */
  private static void fixUnderfull(NodeStore s, Row row, long gen) {
    int underflow = s.layout.underflow;
    int t = 0;
    while (t < row.n) {
      if (row.n < 2 || !row.fresh[t] || row.nodes[t].bytes >= underflow) {
        t++;
        continue;
      }
      int li = t > 0 ? t - 1 : t;
      int si = li == t ? li + 1 : li;
      Node sib = row.node(s, si, gen);
      if (!row.fresh[si]) {
        if (sib instanceof Leaf sl) {
          s.retireLeaf(sl, sl.valsForCopy());
        } else {
          s.retire(sib);
        }
      }
      Node left = li == t ? row.nodes[t] : sib;
      Node right = li == t ? sib : row.nodes[t];
      Object merged = TreeOps.combine(s, left, row.seps[li], right);
      row.removeRightOf(li);
      row.ids[li] = 0;
      row.fresh[li] = true;
      if (merged instanceof TreeOps.Split sp) {
        row.nodes[li] = sp.left();
        row.insertRightOf(li, sp.separator(), sp.right());
        t = li + 2;
      } else {
        row.nodes[li] = (Node) merged;
        t = li;
      }
    }
  }

  /** Builds branches over a row's children, split as their size needs. */
  private static Piece buildBranches(NodeStore s, Row row) {
    int n = row.n;
    byte[][] keys = Arrays.copyOf(row.seps, n - 1);
    long[] ids = new long[n];
    Node[] nodes = new Node[n];
    for (int i = 0; i < n; i++) {
      Node k = row.nodes[i];
      long id = k == null ? row.ids[i] : k.pageId();
      if (id != 0) {
        ids[i] = id;  // clean, or written by a flush since it was made (as TreeOps.detach)
      } else {
        nodes[i] = k;
      }
    }
    int bytes = Layout.branchBytes(keys, 0, keys.length);
    List<Node> out = new ArrayList<>(2);
    List<byte[]> up = new ArrayList<>(1);
    if (bytes <= s.layout.capacity) {
      out.add(new Branch(0, s.dirtyMark, keys, ids, nodes, bytes));
      return new Piece(out, up);
    }
    int budget = s.layout.capacity - Layout.FIXED - Layout.CHILD0;
    long total = bytes - Layout.FIXED - Layout.CHILD0;
    long pieces = (total + budget - 1) / budget;
    int start = 0;  // first key of the current branch; its first child is child `start`
    while (true) {
      long target = Math.max(1, total / Math.max(1, pieces - out.size()));
      int acc = 0;
      int end = start;
      while (end < keys.length
          && (acc == 0 || (acc < target && acc + Layout.branchEntrySize(keys[end]) <= budget))) {
        acc += Layout.branchEntrySize(keys[end++]);
      }
      if (end == keys.length - 1) {
        // Promoting the last key would leave a branch without keys.
        if (acc + Layout.branchEntrySize(keys[end]) <= budget) {
          acc += Layout.branchEntrySize(keys[end++]);
        } else if (end - start >= 2) {
          acc -= Layout.branchEntrySize(keys[--end]);
        }
      }
      // Keys [start, end) and children [start, end]; keys[end] moves up.
      byte[][] bk = Arrays.copyOfRange(keys, start, end);
      out.add(new Branch(0, s.dirtyMark, bk, Arrays.copyOfRange(ids, start, end + 1),
          Arrays.copyOfRange(nodes, start, end + 1), Layout.FIXED + Layout.CHILD0 + acc));
      total -= acc;
      if (end >= keys.length) {
        return new Piece(out, up);
      }
      up.add(keys[end]);
      total -= Layout.branchEntrySize(keys[end]);
      start = end + 1;
    }
  }
}
