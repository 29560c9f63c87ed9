package io.treestore.btree;

import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Read access to one tree: point lookups, cursors and range scans. Keys and values are
 * byte arrays; keys are ordered as unsigned bytes, lexicographically. Arrays passed in are not
 * retained; arrays returned are copies owned by the caller.
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
