package io.treestore.index;

import io.treestore.btree.Entry;
import io.treestore.txn.ScanIterator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Iterates over the rows of a table or index scan, in key order (or reverse order). Close it
 * when stopping early, as with {@link ScanIterator}.
 *
 * <p>Not thread-safe. {@link #next()} throws {@link TupleFormatException} or the codec's
 * {@link IllegalArgumentException} if a stored key or record does not decode, and
 * {@link IllegalStateException} if an index entry points to a missing record (an index that
 * disagrees with its table; {@link Table#check} reports the details).
 *
 * @param <R> the record type
 */
public final class RowIterator<R> implements Iterator<Row<R>>, AutoCloseable {
  private final ScanIterator scan;
  private final Function<Entry, @Nullable Row<R>> map;
  private @Nullable Row<R> next;

  RowIterator(ScanIterator scan, Function<Entry, @Nullable Row<R>> map) {
    this.scan = scan;
    this.map = map;
  }

  @Override
  public boolean hasNext() {
    while (next == null && scan.hasNext()) {
      next = map.apply(scan.next());
    }
    return next != null;
  }

  @Override
  public Row<R> next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Row<R> r = next;
    next = null;
    return r;
  }

  /** Releases the underlying scan. Idempotent. */
  @Override
  public void close() {
    scan.close();
  }
}
