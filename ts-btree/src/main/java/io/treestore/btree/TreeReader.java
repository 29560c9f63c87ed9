package io.treestore.btree;

import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Read access to one tree: point lookups, cursors and range scans. Keys and values are
 * byte arrays; keys are ordered as unsigned bytes, lexicographically. Arrays passed in are not
 * retained; arrays returned are copies owned by the caller, except those of
 * {@link #getShared}.
 *
 * <p>Implementations are thread-safe and never block: reads run concurrently with each other
 * and with the writer. Each call sees one complete version of the tree.
 */
public interface TreeReader {
  /**
   * Returns the tree's name.
   *
   * @return the name it was created with
   */
  String name();

  /**
   * Returns the value of {@code key}.
   *
   * @param key the key
   * @return a copy of the value, or {@code null} if the key is absent
   * @throws io.treestore.page.CorruptionException if a page on the path is damaged
   */
  byte @Nullable [] get(byte[] key);

  /**
   * Returns the value of {@code key} without copying it, for readers that only decode it.
   * The array may be the one the tree keeps in its cache and hands to every other reader of
   * the value (a large value is assembled from its overflow pages once and then shared), so
   * it must not be modified: a change would show in later reads of the value in this process
   * (never in the stored data). It may be kept for as long as needed; it never changes.
   *
   * <p>The default implementation returns {@link #get}'s copy.
   *
   * @param key the key
   * @return the value, read-only, or {@code null} if the key is absent
   * @throws io.treestore.page.CorruptionException if a page on the path is damaged
   */
  default byte @Nullable [] getShared(byte[] key) {
    return get(key);
  }

  /**
   * Returns whether {@code key} is present.
   *
   * @param key the key
   * @return {@code true} if present
   */
  boolean containsKey(byte[] key);

  /**
   * Returns the number of entries.
   *
   * @return the entry count, {@code >= 0}
   */
  long size();

  /**
   * Opens a cursor over the current version; close it when done.
   *
   * @return an unpositioned cursor
   */
  Cursor cursor();

  /**
   * Iterates over the entries of a range; close the iterator if you stop early.
   *
   * @param range the keys and direction
   * @return the iterator
   */
  EntryIterator scan(Range range);

  /**
   * Applies {@code action} to every entry of a range, in the range's order.
   *
   * @param range the keys and direction
   * @param action called once per entry
   */
  default void forEach(Range range, Consumer<Entry> action) {
    try (EntryIterator it = scan(range)) {
      while (it.hasNext()) {
        action.accept(it.next());
      }
    }
  }
}
