package io.treestore.index;

import io.treestore.btree.Entry;
import io.treestore.txn.ScanIterator;
import java.util.Iterator;
import java.util.function.Function;

/**
 * Iterates over index entries without reading records. Close it when stopping early.
 *
 * <p>Not thread-safe. {@link #next()} throws {@link TupleFormatException} or
 * {@link IllegalStateException} if a stored entry is malformed.
 */
public final class IndexEntryIterator implements Iterator<IndexEntry>, AutoCloseable {
  private final ScanIterator scan;
  private final Function<Entry, IndexEntry> map;

  IndexEntryIterator(ScanIterator scan, Function<Entry, IndexEntry> map) {
    this.scan = scan;
    this.map = map;
  }

  @Override
  public boolean hasNext() {
    return scan.hasNext();
  }

  @Override
  public IndexEntry next() {
    return map.apply(scan.next());
  }

  /** Releases the underlying scan. Idempotent. */
  @Override
  public void close() {
    scan.close();
  }
}
