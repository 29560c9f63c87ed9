package io.treestore.btree;

import org.jspecify.annotations.Nullable;

/**
 * Writes to several trees of one {@link BTreeFile} that become visible together; see
 * {@link BTreeFile#write}. Arrays passed in are copied. A batch is confined to the thread
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
   * Reads an entry, seeing the batch's own writes.
   *
   * @param tree the tree name
   * @param key the key
   * @return a copy of the value, or {@code null} if absent
   * @throws IllegalArgumentException if the tree does not exist
   */
  byte @Nullable [] get(String tree, byte[] key);
}
