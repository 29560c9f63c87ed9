package io.treestore.btree;

import io.treestore.btree.internal.NodeStore;
import io.treestore.btree.internal.TreeCursor;
import io.treestore.page.ReaderTable;
import org.jspecify.annotations.Nullable;

/**
 * A movable position over one version of a tree: the version current when the cursor was
 * created (for a live {@link BTree}) or the snapshot's version. Writes made afterwards are not
 * seen, and the cursor never sees a partial write.
 *
 * <p>A cursor taken from a live tree pins that version until {@link #close()}; pinned pages
 * are not reused, so close cursors promptly (try-with-resources). A cursor from a
 * {@link Snapshot} is valid until the snapshot closes.
 *
 * <p>Not thread-safe: use one cursor per thread. Methods throw {@link IllegalStateException}
 * after {@link #close()}.
 */
public final class Cursor implements AutoCloseable {
  private final TreeCursor c;
  private final NodeStore store;
  private final ReaderTable.@Nullable Pin pin;
  private final @Nullable Snapshot snapshot;
  private boolean closed;

  Cursor(NodeStore store, TreeCursor c, ReaderTable.@Nullable Pin pin,
      @Nullable Snapshot snapshot) {
    this.store = store;
    this.c = c;
    this.pin = pin;
    this.snapshot = snapshot;
  }

  private void open() {
    if (closed) {
      throw new IllegalStateException("cursor is closed");
    }
    if (snapshot != null) {
      snapshot.checkOpen();
    }
  }

  /**
   * Moves to the smallest key.
   *
   * @return whether the tree has a key (the cursor is then valid)
   */
  public boolean first() {
    open();
    return c.first();
  }

  /**
   * Moves to the largest key.
   *
   * @return whether the tree has a key
   */
  public boolean last() {
    open();
    return c.last();
  }

  /**
   * Moves to the smallest key greater than or equal to {@code key}.
   *
   * @param key the target key
   * @return whether such a key exists
   */
  public boolean seek(byte[] key) {
    open();
    return c.seek(key);
  }

  /**
   * Moves to the largest key less than or equal to {@code key}.
   *
   * @param key the target key
   * @return whether such a key exists
   */
  public boolean seekAtOrBefore(byte[] key) {
    open();
    return c.seekAtOrBefore(key);
  }

  /**
   * Moves to the next key in ascending order.
   *
   * @return whether there is one; if not the cursor becomes invalid
   * @throws IllegalStateException if the cursor is not valid
   */
  public boolean next() {
    open();
    return c.next();
  }

  /**
   * Moves to the previous key.
   *
   * @return whether there is one; if not the cursor becomes invalid
   * @throws IllegalStateException if the cursor is not valid
   */
  public boolean prev() {
    open();
    return c.prev();
  }

  /**
   * Returns whether the cursor is on an entry.
   *
   * @return {@code true} if {@link #key()} and {@link #value()} may be called
   */
  public boolean isValid() {
    return !closed && c.valid();
  }

  /**
   * Returns a copy of the current key.
   *
   * @return the key
   * @throws IllegalStateException if the cursor is not valid
   */
  public byte[] key() {
    open();
    return c.key().clone();
  }

  /**
   * Returns a copy of the current value, reading its overflow pages if it is large.
   *
   * @return the value
   * @throws IllegalStateException if the cursor is not valid
   * @throws io.treestore.page.CorruptionException if a page of the value is damaged
   */
  public byte[] value() {
    open();
    return store.value(c.rawValue());
  }

  TreeCursor raw() {
    open();
    return c;
  }

  /** Releases the cursor's pin. Idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (pin != null) {
        pin.close();
      }
    }
  }
}
