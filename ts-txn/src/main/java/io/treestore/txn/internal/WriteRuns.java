package io.treestore.txn.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The writes of consecutive commits, gathered per keyspace and turned into one run per
 * keyspace sorted by key with one write per key, ready for
 * {@link io.treestore.btree.WriteBatch#applySorted}.
 *
 * <p>Writes are added commit by commit, each commit's writes of a keyspace in ascending key
 * order (as a commit's write set and its log record hold them). {@link #finish} sorts each
 * keyspace's writes stably (TimSort finds the commits' ascending runs and merges them), so
 * writes of the same key stay in commit order, and folds them with {@link Write#then}. Keys
 * are compared by their first 8 bytes as an unsigned long first, which decides almost every
 * comparison of distinct keys without touching the arrays again.
 *
 * <p>Not thread-safe: one thread fills and finishes it.
 */
public final class WriteRuns {
  /** A write with its key and the key's first 8 bytes, big-endian, zero-padded. */
  private record Keyed(long head, byte[] key, Write write) {}

  private static final Comparator<Keyed> ORDER = (a, b) -> {
    int c = Long.compareUnsigned(a.head, b.head);
    return c != 0 ? c : Arrays.compareUnsigned(a.key, b.key);
  };

  /**
   * One keyspace's run: keys strictly ascending, one write each.
   *
   * @param keys the keys
   * @param writes the write of each key
   */
  public record Run(byte[][] keys, Write[] writes) {}

  private final Map<String, ArrayList<Keyed>> byKeyspace = new HashMap<>();
  private long count;

  /** Creates an empty set of runs. */
  public WriteRuns() {}

  /**
   * Gathers the runs of commits' write sets.
   *
   * @param commits write sets in commit order, each keyspace's writes in ascending key order
   * @return the runs, per keyspace
   */
  public static Map<String, Run> of(
      Iterable<? extends Map<String, ? extends NavigableMap<byte[], Write>>> commits) {
    WriteRuns runs = new WriteRuns();
    for (var writes : commits) {
      for (var ks : writes.entrySet()) {
        for (var e : ks.getValue().entrySet()) {
          runs.add(ks.getKey(), e.getKey(), e.getValue());
        }
      }
    }
    return runs.finish();
  }

  /**
   * Adds a write after every write added so far.
   *
   * @param keyspace the keyspace
   * @param key the key (kept, not copied)
   * @param write the write (kept, not copied; never modified)
   */
  public void add(String keyspace, byte[] key, Write write) {
    ArrayList<Keyed> l = byKeyspace.get(keyspace);
    if (l == null) {
      l = new ArrayList<>();
      byKeyspace.put(keyspace, l);
    }
    l.add(new Keyed(head(key), key, write));
    count++;
  }

  /**
   * Returns the number of writes added.
   *
   * @return writes
   */
  public long size() {
    return count;
  }

  /**
   * Sorts and folds the writes into one run per keyspace.
   *
   * @return the runs, per keyspace
   */
  public Map<String, Run> finish() {
    Map<String, Run> out = new HashMap<>();
    for (var ks : byKeyspace.entrySet()) {
      ArrayList<Keyed> all = ks.getValue();
      all.sort(ORDER);
      int n = all.size();
      byte[][] keys = new byte[n][];
      Write[] writes = new Write[n];
      int o = 0;
      for (int i = 0; i < n; ) {
        Keyed k = all.get(i);
        Write w = k.write;
        int j = i + 1;
        for (; j < n && all.get(j).head == k.head && Arrays.equals(all.get(j).key, k.key); j++) {
          w = Write.then(w, all.get(j).write);
        }
        keys[o] = k.key;
        writes[o++] = w;
        i = j;
      }
      out.put(ks.getKey(), new Run(Arrays.copyOf(keys, o), Arrays.copyOf(writes, o)));
    }
    return out;
  }

  private static long head(byte[] k) {
    long h = 0;
    int n = Math.min(8, k.length);
    for (int i = 0; i < n; i++) {
      h |= (k[i] & 0xFFL) << (56 - 8 * i);
    }
    return h;
  }
}
