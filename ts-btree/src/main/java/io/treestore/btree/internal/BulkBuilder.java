package io.treestore.btree.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Builds a B+Tree bottom-up from entries in ascending order, writing each leaf as soon as its
 * successor starts, so that memory holds only two leaves and the branch levels' separators
 * and page ids. Leaves are filled to capacity; the last node of each level is rebalanced
 * with its neighbour so that no node is underfull.
 *
 * <p>Writer only; not thread-safe.
 */
final class BulkBuilder {
  private final NodeStore s;
  private final Layout L;
  private final long gen;
  private final LongSupplier alloc;

  private final List<byte[]> keys = new ArrayList<>();
  private final List<Object> vals = new ArrayList<>();
  private int bytes = Layout.FIXED;
  private @Nullable Leaf prev;

  /** Level-1 input: child page ids and the separators between them. */
  private final List<Long> childIds = new ArrayList<>();
  private final List<byte[]> seps = new ArrayList<>();

  BulkBuilder(NodeStore s, long gen, LongSupplier alloc) {
    this.s = s;
    this.L = s.layout;
    this.gen = gen;
    this.alloc = alloc;
  }

  void add(byte[] k, byte[] v) {
    int e = L.leafEntrySize(k, v);
    if (bytes + e > L.capacity) {
      Leaf cur = new Leaf(0, Long.MAX_VALUE, keys.toArray(new byte[0][]), vals.toArray(),
          bytes);
      if (prev != null) {
        emit(prev, cur.keys[0]);
      }
      prev = cur;
      keys.clear();
      vals.clear();
      bytes = Layout.FIXED;
    }
    keys.add(k);
    vals.add(v);
    bytes += e;
  }

  private void emit(Leaf leaf, byte @Nullable [] nextFirst) {
    childIds.add(s.write(leaf, gen, alloc, null));
    if (nextFirst != null) {
      seps.add(TreeOps.separator(leaf.keys[leaf.keys.length - 1], nextFirst));
    }
  }

  /** Writes what remains and returns the root, or {@code null} if no entry was added. */
  @Nullable Node finish() {
    Leaf cur = keys.isEmpty() ? null
        : new Leaf(0, Long.MAX_VALUE, keys.toArray(new byte[0][]), vals.toArray(), bytes);
    if (prev == null) {
      return cur == null ? null : s.load(s.write(cur, gen, alloc, null), gen);
    }
    if (cur == null) {
      emit(prev, null);
    } else if (cur.bytes < L.underflow) {
      byte[][] ak = concat(prev.keys, cur.keys);
      Object[] av = concat(prev.vals, cur.vals);
      int total = L.leafBytes(ak, av, 0, ak.length);
      if (total <= L.capacity) {
        emit(TreeOps.leaf(s, ak, av), null);
      } else {
        int j = 0;
        int acc = Layout.FIXED;
        while (j < ak.length - 1 && acc < total / 2) {
          acc += L.leafEntrySize(ak[j], av[j]);
          j++;
        }
        j = Math.max(1, j);
        emit(TreeOps.leaf(s, Arrays.copyOfRange(ak, 0, j), Arrays.copyOfRange(av, 0, j)), ak[j]);
        emit(TreeOps.leaf(s, Arrays.copyOfRange(ak, j, ak.length),
            Arrays.copyOfRange(av, j, av.length)), null);
      }
    } else {
      emit(prev, cur.keys[0]);
      emit(cur, null);
    }
    List<Long> ids = new ArrayList<>(childIds);
    List<byte[]> ks = new ArrayList<>(seps);
    while (ids.size() > 1) {
      List<Long> upIds = new ArrayList<>();
      List<byte[]> upKeys = new ArrayList<>();
      buildLevel(ids, ks, upIds, upKeys);
      ids = upIds;
      ks = upKeys;
    }
    return s.load(ids.get(0), gen);
  }

  /** Groups children {@code ids} (separated by {@code ks}) into written branch nodes. */
  private void buildLevel(List<Long> ids, List<byte[]> ks, List<Long> upIds,
      List<byte[]> upKeys) {
    // Partition boundaries: node p holds children [start[p], start[p+1]).
    List<Integer> start = new ArrayList<>();
    start.add(0);
    int b = Layout.FIXED + Layout.CHILD0;
    for (int i = 1; i < ids.size(); i++) {
      int e = Layout.branchEntrySize(ks.get(i - 1));
      if (b + e > L.capacity) {
        start.add(i);
        b = Layout.FIXED + Layout.CHILD0;
      } else {
        b += e;
      }
    }
    start.add(ids.size());
    int parts = start.size() - 1;
    if (parts >= 2) {
      // Rebalance the last two nodes by bytes if the last one is underfull.
      int a = start.get(parts - 2);
      int m = start.get(parts - 1);
      int z = start.get(parts);
      if (bytesOf(ks, m, z) < L.underflow) {
        // Both halves keep at least two children (one key); the previous node was full, so
        // the pair has far more than four.
        int total = bytesOf(ks, a, z);
        int split = a + 2;
        while (split < z - 2 && bytesOf(ks, a, split) < total / 2) {
          split++;
        }
        start.set(parts - 1, split);
      }
    }
    for (int p = 0; p < parts; p++) {
      int from = start.get(p);
      int to = start.get(p + 1);
      byte[][] keys = ks.subList(from, to - 1).toArray(new byte[0][]);
      long[] childs = new long[to - from];
      for (int i = from; i < to; i++) {
        childs[i - from] = ids.get(i);
      }
      Branch br = new Branch(0, Long.MAX_VALUE, keys, childs, null,
          Layout.branchBytes(keys, 0, keys.length));
      upIds.add(s.write(br, gen, alloc, null));
      if (p + 1 < parts) {
        upKeys.add(ks.get(to - 1));
      }
    }
  }

  /** Bytes of a branch holding children [from, to): keys ks[from .. to-2]. */
  private static int bytesOf(List<byte[]> ks, int from, int to) {
    return Layout.branchBytes(ks.subList(from, to - 1).toArray(new byte[0][]), 0, to - 1 - from);
  }

  private static <T> T[] concat(T[] a, T[] b) {
    T[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
