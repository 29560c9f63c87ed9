package io.treestore.txn.internal;

import io.treestore.btree.Range;
import io.treestore.txn.ConflictException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Remembers, for every key written by a recent commit, the LSN of the last commit that wrote
 * it, and validates new commits against that: a commit conflicts if a key it puts or deletes
 * was written after it began (snapshot isolation, first committer wins), or, with a read set,
 * if a key it read or a key inside a range it scanned was written after it began (optimistic
 * backward validation for serializability). Merge operands never cause a conflict: they
 * commute with each other and are applied to the value current at apply time; a put or delete
 * does conflict with a concurrent merge, which it would otherwise silently overwrite.
 *
 * <p>Entries older than every active transaction's start are useless and pruned.
 *
 * <p>Not thread-safe: used under the database's commit lock.
 */
public final class ConflictTracker {
  private final Map<String, TreeMap<byte[], Long>> lastWrite = new HashMap<>();
  private int size;
  /** The greatest LSN ever recorded (0 if none): no remembered write is newer. */
  private long maxLsn;

  /** Creates an empty tracker. */
  public ConflictTracker() {}

  /**
   * Checks a commit.
   *
   * @param startLsn the LSN the transaction's snapshot includes
   * @param writes the transaction's write set
   * @param reads the read set of a serializable transaction, or {@code null}
   * @throws ConflictException naming the first conflicting key
   */
  public void validate(long startLsn, Map<String, ? extends NavigableMap<byte[], Write>> writes,
      @Nullable ReadSet reads) {
    if (maxLsn <= startLsn) {
      // Nothing committed after the transaction began (always so for a lone writer): every
      // check below compares a write's LSN with startLsn and would find none newer.
      return;
    }
    for (var ks : writes.entrySet()) {
      TreeMap<byte[], Long> m = lastWrite.get(ks.getKey());
      if (m == null) {
        continue;
      }
      for (var e : ks.getValue().entrySet()) {
        if (e.getValue().kind() == Write.MERGE) {
          continue;
        }
        Long ts = m.get(e.getKey());
        if (ts != null && ts > startLsn) {
          throw new ConflictException(ks.getKey(), e.getKey(),
              "written by a transaction that committed at LSN " + ts + " after this one began"
                  + " (at LSN " + startLsn + ")");
        }
      }
    }
    if (reads == null) {
      return;
    }
    for (var ks : reads.keys.entrySet()) {
      TreeMap<byte[], Long> m = lastWrite.get(ks.getKey());
      if (m == null) {
        continue;
      }
      for (byte[] k : ks.getValue()) {
        Long ts = m.get(k);
        if (ts != null && ts > startLsn) {
          throw new ConflictException(ks.getKey(), k, "read by this transaction and written by "
              + "one that committed at LSN " + ts + " after this one began");
        }
      }
    }
    for (var ks : reads.ranges.entrySet()) {
      TreeMap<byte[], Long> m = lastWrite.get(ks.getKey());
      if (m == null) {
        continue;
      }
      for (Range r : ks.getValue()) {
        for (var e : sub(m, r).entrySet()) {
          if (e.getValue() > startLsn) {
            throw new ConflictException(ks.getKey(), e.getKey(), "inside a range scanned by "
                + "this transaction and written by one that committed at LSN " + e.getValue()
                + " after this one began (a phantom)");
          }
        }
      }
    }
  }

  private static NavigableMap<byte[], Long> sub(TreeMap<byte[], Long> m, Range r) {
    byte[] lo = r.lower();
    byte[] hi = r.upper();
    if (lo != null && hi != null) {
      int c = Arrays.compareUnsigned(lo, hi);
      if (c > 0 || (c == 0 && !(r.lowerInclusive() && r.upperInclusive()))) {
        return new TreeMap<>();
      }
      return m.subMap(lo, r.lowerInclusive(), hi, r.upperInclusive());
    }
    if (lo != null) {
      return m.tailMap(lo, r.lowerInclusive());
    }
    if (hi != null) {
      return m.headMap(hi, r.upperInclusive());
    }
    return m;
  }

  /**
   * Records a validated commit's writes.
   *
   * @param lsn the commit's LSN
   * @param writes its write set
   */
  public void record(long lsn, Map<String, ? extends NavigableMap<byte[], Write>> writes) {
    maxLsn = Math.max(maxLsn, lsn);
    for (var ks : writes.entrySet()) {
      TreeMap<byte[], Long> m = lastWrite.computeIfAbsent(ks.getKey(),
          k -> new TreeMap<>(Write.KEY_ORDER));
      if (m.isEmpty() && ks.getValue().comparator() == Write.KEY_ORDER) {
        // Usually so after a prune: TreeMap copies a map of the same order in linear time.
        m.putAll(new ConstantValues(ks.getValue(), lsn));
        size += m.size();
        continue;
      }
      for (byte[] k : ks.getValue().keySet()) {
        if (m.put(k, lsn) == null) {
          size++;
        }
      }
    }
  }

  /** A sorted map's keys, each mapped to one value: the shape {@code TreeMap.putAll} copies. */
  private static final class ConstantValues extends java.util.AbstractMap<byte[], Long>
      implements java.util.SortedMap<byte[], Long> {
    private final NavigableMap<byte[], Write> keys;
    private final Long value;

    ConstantValues(NavigableMap<byte[], Write> keys, long value) {
      this.keys = keys;
      this.value = value;
    }

    @Override
    public java.util.Comparator<? super byte[]> comparator() {
      return keys.comparator();
    }

    @Override
    public java.util.Set<Map.Entry<byte[], Long>> entrySet() {
      return new java.util.AbstractSet<>() {
        @Override
        public Iterator<Map.Entry<byte[], Long>> iterator() {
          Iterator<byte[]> it = keys.keySet().iterator();
          return new Iterator<>() {
            @Override
            public boolean hasNext() {
              return it.hasNext();
            }

            @Override
            public Map.Entry<byte[], Long> next() {
              return Map.entry(it.next(), value);
            }
          };
        }

        @Override
        public int size() {
          return keys.size();
        }
      };
    }

    @Override
    public int size() {
      return keys.size();
    }

    @Override
    public java.util.SortedMap<byte[], Long> subMap(byte[] from, byte[] to) {
      throw new UnsupportedOperationException();
    }

    @Override
    public java.util.SortedMap<byte[], Long> headMap(byte[] to) {
      throw new UnsupportedOperationException();
    }

    @Override
    public java.util.SortedMap<byte[], Long> tailMap(byte[] from) {
      throw new UnsupportedOperationException();
    }

    @Override
    public byte[] firstKey() {
      return keys.firstKey();
    }

    @Override
    public byte[] lastKey() {
      return keys.lastKey();
    }
  }

  /**
   * Forgets writes no active transaction can conflict with.
   *
   * @param oldestStart the smallest start LSN of the active transactions (or the current LSN
   *     if none is active)
   */
  public void prune(long oldestStart) {
    for (Iterator<TreeMap<byte[], Long>> it = lastWrite.values().iterator(); it.hasNext(); ) {
      TreeMap<byte[], Long> m = it.next();
      m.values().removeIf(ts -> {
        boolean old = ts <= oldestStart;
        if (old) {
          size--;
        }
        return old;
      });
      if (m.isEmpty()) {
        it.remove();
      }
    }
  }

  /**
   * Returns how many keys are remembered.
   *
   * @return the number of entries
   */
  public int size() {
    return size;
  }
}
