package io.treestore.txn;

import io.treestore.btree.Entry;
import io.treestore.btree.EntryIterator;
import io.treestore.txn.internal.Write;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * The entries of a scan in a {@link Transaction} (the snapshot merged with the transaction's
 * own writes) or a {@link DbSnapshot}, in the range's order. Close it when stopping early;
 * it closes itself at the end. Not thread-safe.
 */
public final class ScanIterator implements Iterator<Entry>, AutoCloseable {
  private final @Nullable EntryIterator base;
  private final Iterator<Map.Entry<byte[], Write>> own;
  private final boolean reverse;
  private @Nullable Entry baseHead;
  private Map.@Nullable Entry<byte[], Write> ownHead;
  private @Nullable Entry next;

  ScanIterator(@Nullable EntryIterator base, Iterator<Map.Entry<byte[], Write>> own,
      boolean reverse) {
    this.base = base;
    this.own = own;
    this.reverse = reverse;
    this.baseHead = base != null && base.hasNext() ? base.next() : null;
    this.ownHead = own.hasNext() ? own.next() : null;
    advance();
  }

  private int cmp(byte[] a, byte[] b) {
    int c = Arrays.compareUnsigned(a, b);
    return reverse ? -c : c;
  }

  private void advance() {
    next = null;
    while (next == null && (baseHead != null || ownHead != null)) {
      int c = baseHead == null ? 1 : ownHead == null ? -1
          : cmp(baseHead.key(), ownHead.getKey());
      if (c < 0) {
        next = baseHead;
        baseHead = base != null && base.hasNext() ? base.next() : null;
      } else {
        byte[] baseValue = c == 0 ? baseHead.value() : null;
        byte[] v = ownHead.getValue().resolve(baseValue);
        if (v != null) {
          next = new Entry(ownHead.getKey().clone(), v.clone());
        }
        if (c == 0) {
          baseHead = base != null && base.hasNext() ? base.next() : null;
        }
        ownHead = own.hasNext() ? own.next() : null;
      }
    }
    if (next == null) {
      close();
    }
  }

  /**
   * Returns whether another entry follows.
   *
   * @return {@code true} if {@link #next()} returns an entry
   */
  @Override
  public boolean hasNext() {
    return next != null;
  }

  /**
   * Returns the next entry.
   *
   * @return the entry (copies)
   * @throws NoSuchElementException at the end
   */
  @Override
  public Entry next() {
    Entry e = next;
    if (e == null) {
      throw new NoSuchElementException();
    }
    advance();
    return e;
  }

  /** Releases the underlying cursor. Idempotent. */
  @Override
  public void close() {
    if (base != null) {
      base.close();
    }
  }
}
