package io.treestore.btree;

import io.treestore.btree.internal.TreeCursor;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The entries of a {@link Range}, in the range's order, from one version of a tree.
 *
 * <p>An iterator over a live tree pins its version until it is exhausted or closed; close it
 * when stopping early (try-with-resources). Not thread-safe.
 */
public final class EntryIterator implements Iterator<Entry>, AutoCloseable {
  private final Cursor cursor;
  private final Range range;
  private boolean done;
  private boolean started;

  EntryIterator(Cursor cursor, Range range) {
    this.cursor = cursor;
    this.range = range;
  }

  private void start() {
    started = true;
    TreeCursor c = cursor.raw();
    boolean ok;
    if (!range.isReverse()) {
      byte[] lo = range.lowerRef();
      ok = lo == null ? c.first() : c.seek(lo);
      while (ok && !range.aboveLower(c.key())) {
        ok = c.next();
      }
      ok = ok && range.belowUpper(c.key());
    } else {
      byte[] hi = range.upperRef();
      ok = hi == null ? c.last() : c.seekAtOrBefore(hi);
      while (ok && !range.belowUpper(c.key())) {
        ok = c.prev();
      }
      ok = ok && range.aboveLower(c.key());
    }
    if (!ok) {
      finish();
    }
  }

  private void finish() {
    done = true;
    cursor.close();
  }

  /**
   * Returns whether another entry follows.
   *
   * @return {@code true} if {@link #next()} returns an entry
   */
  @Override
  public boolean hasNext() {
    if (!started) {
      start();
    }
    return !done;
  }

  /**
   * Returns the next entry (copies of key and value).
   *
   * @return the entry
   * @throws NoSuchElementException if the range is exhausted
   */
  @Override
  public Entry next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    TreeCursor c = cursor.raw();
    Entry e = new Entry(cursor.key(), cursor.value());
    boolean ok = range.isReverse() ? c.prev() : c.next();
    if (ok) {
      ok = range.isReverse() ? range.aboveLower(c.key()) : range.belowUpper(c.key());
    }
    if (!ok) {
      finish();
    }
    return e;
  }

  /** Stops the iteration and releases the pin. Idempotent. */
  @Override
  public void close() {
    done = true;
    cursor.close();
  }
}
