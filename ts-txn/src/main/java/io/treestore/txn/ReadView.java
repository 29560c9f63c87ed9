package io.treestore.txn;

import io.treestore.btree.Range;
import org.jspecify.annotations.Nullable;

/**
 * Read access to the keyspaces of a {@link Database} as of one consistent point: implemented by
 * {@link Transaction} (its snapshot plus its own writes) and by {@link DbSnapshot}. Layers
 * above the database (indexes, full-text search) read through this type so that the same code
 * serves a transaction and a long-lived snapshot.
 *
 * <p>Thread-safety is that of the implementation: a {@link Transaction} belongs to one thread,
 * a {@link DbSnapshot} may be shared.
 */
public sealed interface ReadView permits Transaction, DbSnapshot {
  /**
   * Reads a key.
   *
   * @param keyspace the keyspace, 1 to {@link Database#MAX_KEYSPACE_BYTES} UTF-8 bytes
   * @param key the key
   * @return a copy of the value, or {@code null} if the key or the keyspace is absent
   * @throws IllegalArgumentException if the keyspace name is invalid
   * @throws IllegalStateException if the view is closed or the transaction ended
   */
  byte @Nullable [] get(String keyspace, byte[] key);

  /**
   * Reads a key without copying its value, for readers that only decode it (the tables of
   * {@code ts-index} read their records this way). The array may be shared with the
   * database's cache and with every other reader of the value, so it must not be modified: a
   * change would show in later reads of the value in this process (never in the stored data).
   * It never changes and may be kept.
   *
   * @param keyspace the keyspace, 1 to {@link Database#MAX_KEYSPACE_BYTES} UTF-8 bytes
   * @param key the key
   * @return the value as this view sees it, read-only, or {@code null} if the key or the
   *     keyspace is absent
   * @throws IllegalArgumentException if the keyspace name is invalid
   * @throws IllegalStateException if the view is closed or the transaction ended
   */
  byte @Nullable [] getShared(String keyspace, byte[] key);

  /**
   * Iterates over a key range; close the iterator when stopping early.
   *
   * @param keyspace the keyspace
   * @param range keys and direction
   * @return the entries (copies), in key order (or reverse order for a reversed range)
   * @throws IllegalArgumentException if the keyspace name is invalid
   * @throws IllegalStateException if the view is closed or the transaction ended
   */
  ScanIterator scan(String keyspace, Range range);
}
