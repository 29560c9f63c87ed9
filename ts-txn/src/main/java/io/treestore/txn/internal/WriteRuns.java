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
 * keyspace's writes stably, so writes of the same key stay in commit order, and folds them
 * with {@link Write#then}. The sort works on the keys' first 8 bytes as unsigned longs
 * (a radix sort, see {@link #sort}) and compares whole keys only where those are equal.
 *
 * <p>Not thread-safe: one thread fills and finishes it.
 */
public final class WriteRuns {
  /** A write with its key and the key's first 8 bytes, big-endian, zero-padded. */
  private record Keyed(long head, byte[] key, Write write) {}

  private static final Comparator<Keyed> ORDER = (a, b) -> Arrays.compareUnsigned(a.key, b.key);

  /**
   * One keyspace's run: keys strictly ascending, one write each.
   *
   * @param keys the keys
   * @param values for each key the value a put leaves, {@code null} for a delete or a merge
   * @param merges for each key the merge to resolve against the stored value, else
   *     {@code null}
   */
  public record Run(byte[][] keys, byte[][] values, Write[] merges) {}

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
      Keyed[] sorted = sort(ks.getValue());
      int n = sorted.length;
      byte[][] keys = new byte[n][];
      byte[][] values = new byte[n][];
      Write[] merges = new Write[n];
      int o = 0;
      for (int i = 0; i < n; ) {
        Keyed k = sorted[i];
        Write w = k.write;
        int j = i + 1;
        for (; j < n && sorted[j].head == k.head && Arrays.equals(sorted[j].key, k.key); j++) {
          w = Write.then(w, sorted[j].write);
        }
        // Fresh copies, allocated in key order next to each other: whoever applies the run
        // then reads memory in address order instead of wherever decoding left each array.
        keys[o] = k.key.clone();
        if (w.kind() == Write.PUT) {
          values[o] = w.value().clone();
        } else if (w.kind() == Write.MERGE) {
          merges[o] = w;
        }
        o++;
        i = j;
      }
      out.put(ks.getKey(), new Run(Arrays.copyOf(keys, o), Arrays.copyOf(values, o),
          Arrays.copyOf(merges, o)));
    }
    return out;
  }

  /**
   * Sorts stably by key: a least-significant-digit radix sort of the 8-byte heads (stable,
   * linear, over two primitive arrays instead of comparisons that chase pointers; passes whose
   * byte is the same for every write are skipped), then a stable comparison sort of each
   * group of equal heads whose keys differ beyond their first 8 bytes.
   */
  private static Keyed[] sort(ArrayList<Keyed> list) {
    int n = list.size();
    long[] h = new long[n];
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      h[i] = list.get(i).head;
      idx[i] = i;
    }
    long[] h2 = new long[n];
    int[] idx2 = new int[n];
    int[] count = new int[257];
    for (int shift = 0; shift < 64; shift += 8) {
      Arrays.fill(count, 0);
      for (int i = 0; i < n; i++) {
        count[(int) (h[i] >>> shift) & 0xFF]++;
      }
      if (count[(int) (h[0] >>> shift) & 0xFF] == n) {
        continue;  // every head has the same byte here
      }
      int sum = 0;
      for (int b = 0; b < 256; b++) {
        int c = count[b];
        count[b] = sum;
        sum += c;
      }
      for (int i = 0; i < n; i++) {
        int at = count[(int) (h[i] >>> shift) & 0xFF]++;
        h2[at] = h[i];
        idx2[at] = idx[i];
      }
      long[] th = h;
      h = h2;
      h2 = th;
      int[] ti = idx;
      idx = idx2;
      idx2 = ti;
    }
    Keyed[] sorted = new Keyed[n];
    for (int i = 0; i < n; i++) {
      sorted[i] = list.get(idx[i]);
    }
    for (int i = 0; i < n; ) {
      int j = i + 1;
      while (j < n && h[j] == h[i]) {
        j++;
      }
      if (j - i > 1) {
        Arrays.sort(sorted, i, j, ORDER);
      }
      i = j;
    }
    return sorted;
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
