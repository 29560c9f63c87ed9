package io.treestore.txn.internal;

import io.treestore.btree.Range;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@code SERIALIZABLE} transaction read: point keys and scanned ranges, per keyspace.
 * A scan records its whole range even when the caller stops early (conservative). Confined to
 * the transaction's thread.
 */
public final class ReadSet {
  final Map<String, List<byte[]>> keys = new HashMap<>();
  final Map<String, List<Range>> ranges = new HashMap<>();

  /** Creates an empty read set. */
  public ReadSet() {}

  /**
   * Records a point read.
   *
   * @param keyspace the keyspace
   * @param key the key (owned)
   */
  public void key(String keyspace, byte[] key) {
    keys.computeIfAbsent(keyspace, k -> new ArrayList<>()).add(key);
  }

  /**
   * Records a scanned range.
   *
   * @param keyspace the keyspace
   * @param range the range
   */
  public void range(String keyspace, Range range) {
    ranges.computeIfAbsent(keyspace, k -> new ArrayList<>()).add(range);
  }

  /**
   * Tells whether nothing was read.
   *
   * @return {@code true} if no key and no range was recorded
   */
  public boolean isEmpty() {
    return keys.isEmpty() && ranges.isEmpty();
  }
}
