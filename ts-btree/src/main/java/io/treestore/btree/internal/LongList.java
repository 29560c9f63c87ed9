package io.treestore.btree.internal;

import java.util.Arrays;

/** A growable list of primitive longs. Not thread-safe. */
final class LongList {
  private long[] a = new long[16];
  private int n;

  void add(long v) {
    if (n == a.length) {
      a = Arrays.copyOf(a, n * 2);
    }
    a[n++] = v;
  }

  void addAll(LongList o) {
    for (int i = 0; i < o.n; i++) {
      add(o.a[i]);
    }
  }

  long get(int i) {
    return a[i];
  }

  long removeLast() {
    return a[--n];
  }

  int size() {
    return n;
  }

  boolean isEmpty() {
    return n == 0;
  }

  void truncate(int size) {
    n = Math.min(n, size);
  }

  void clear() {
    n = 0;
  }

  long[] toArray() {
    return Arrays.copyOf(a, n);
  }

  LongList copy() {
    LongList c = new LongList();
    c.a = Arrays.copyOf(a, Math.max(16, n));
    c.n = n;
    return c;
  }

  /** Sorts descending, so that {@link #removeLast()} returns the smallest. */
  void sortDescending() {
    Arrays.sort(a, 0, n);
    for (int i = 0, j = n - 1; i < j; i++, j--) {
      long t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
