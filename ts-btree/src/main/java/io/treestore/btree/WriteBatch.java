package io.treestore.btree;

import org.jspecify.annotations.Nullable;

/**
 * Writes to several trees of one {@link BTreeFile} that become visible together; see
 * {@link BTreeFile#write}. Arrays passed to {@link #put} are copied; {@link #applySorted}
 * takes ownership of the key and value arrays it is given. A batch is confined to the thread
 * running the {@code write} body and is invalid after the body returns.
 */
public interface WriteBatch {
  /**
   * Inserts or replaces an entry.
   *
   * @param tree the tree name; the tree must exist
   * @param key the key, at most the tree's maximum key size
   * @param value the value, at most 1 GiB
   * @return {@code true} if the key existed
   * @throws IllegalArgumentException if the tree does not exist or the key or value is too
   *     large; the batch is then abandoned when the exception leaves the body
   */
  boolean put(String tree, byte[] key, byte[] value);

  /**
   * Removes an entry.
   *
   * @param tree the tree name; the tree must exist
   * @param key the key
   * @return {@code true} if it was present
   * @throws IllegalArgumentException if the tree does not exist
   */
  boolean delete(String tree, byte[] key);

  /**
   * Applies many writes to one tree in one descent: each node the writes touch is copied
   * once, instead of once per key as with {@link #put} and {@link #delete}. The result is the
   * same as calling {@code put} (or {@code delete} where the value is {@code null}) for each
   * key in order. To avoid copying thousands of arrays, the tree keeps the key and value
   * arrays given (not the two outer arrays): the caller must not modify them afterwards.
   *
   * @param tree the tree name; the tree must exist
   * @param keys the keys, in strictly ascending unsigned lexicographic order, each at most the
   *     tree's maximum key size
   * @param values for each key its new value (at most 1 GiB), or {@code null} to delete it;
   *     the same length as {@code keys}
   * @return the change in the tree's number of entries (inserted minus deleted)
   * @throws IllegalArgumentException if the tree does not exist, the arrays differ in length,
   *     the keys are not strictly ascending, or a key or value is too large; the batch is then
   *     abandoned when the exception leaves the body
   */
  long applySorted(String tree, byte[][] keys, byte @Nullable [][] values);

  /**
   * Reads an entry, seeing the batch's own writes.
   *
   * @param tree the tree name
   * @param key the key
   * @return a copy of the value, or {@code null} if absent
   * @throws IllegalArgumentException if the tree does not exist
   */
  byte @Nullable [] get(String tree, byte[] key);
}
