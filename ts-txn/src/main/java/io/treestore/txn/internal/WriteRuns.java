package io.treestore.txn.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import org.jspecify.annotations.Nullable;

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
  /**
   * A write: its key as a slice of a buffer (a log record's payload, or the key array itself),
   * the key's first 8 bytes (big-endian, zero-padded), and for a put its value as a slice, for
   * a merge the merge. Slices let recovery decode a record without allocating its keys and
   * values: they are copied once, in key order, by {@link #finish}.
   */
  private record Keyed(long head, byte[] kbuf, int koff, int klen, byte kind,
      byte @Nullable [] vbuf, int voff, int vlen, @Nullable Write merge) {
    boolean sameKey(Keyed o) {
      return head == o.head && Arrays.equals(kbuf, koff, koff + klen, o.kbuf, o.koff,
          o.koff + o.klen);
    }

    /** This write as a {@link Write} (copying a put's value). */
    Write toWrite() {
      return switch (kind) {
        case Write.PUT -> Write.put(Arrays.copyOfRange(vbuf, voff, voff + vlen));
        case Write.DELETE -> Write.delete();
        default -> merge;
      };
    }
  }

  private static final Comparator<Keyed> ORDER = (a, b) -> Arrays.compareUnsigned(a.kbuf,
      a.koff, a.koff + a.klen, b.kbuf, b.koff, b.koff + b.klen);

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
    var it = commits.iterator();
    if (it.hasNext()) {
      var first = it.next();
      if (!it.hasNext()) {
        return single(first);
      }
    }
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

  /** The runs of one commit, whose write sets are sorted with one write per key already. */
  private static Map<String, Run> single(
      Map<String, ? extends NavigableMap<byte[], Write>> writes) {
    Map<String, Run> out = new HashMap<>();
    for (var ks : writes.entrySet()) {
      int n = ks.getValue().size();
      byte[][] keys = new byte[n][];
      byte[][] values = new byte[n][];
      Write[] merges = new Write[n];
      int i = 0;
      for (var e : ks.getValue().entrySet()) {
        Write w = e.getValue();
        keys[i] = e.getKey();
        if (w.kind() == Write.PUT) {
          values[i] = w.value();
        } else if (w.kind() == Write.MERGE) {
          merges[i] = w;
        }
        i++;
      }
      out.put(ks.getKey(), new Run(keys, values, merges));
    }
    return out;
  }

  /**
   * Adds a write after every write added so far.
   *
   * @param keyspace the keyspace
   * @param key the key (kept, not copied)
   * @param write the write (kept, not copied; never modified)
   */
  public void add(String keyspace, byte[] key, Write write) {
    byte kind = write.kind();
    byte[] v = kind == Write.PUT ? write.value() : null;
    list(keyspace).add(new Keyed(head(key, 0, key.length), key, 0, key.length, kind, v, 0,
        v == null ? 0 : v.length, kind == Write.MERGE ? write : null));
  }

  /**
   * Adds a put whose key and value are slices of a buffer, after every write added so far.
   *
   * @param keyspace the keyspace
   * @param buf the buffer (kept; must not change until {@link #finish})
   * @param koff the key's offset
   * @param klen the key's length
   * @param voff the value's offset
   * @param vlen the value's length
   */
  public void addPut(String keyspace, byte[] buf, int koff, int klen, int voff, int vlen) {
    list(keyspace).add(new Keyed(head(buf, koff, klen), buf, koff, klen, Write.PUT, buf, voff,
        vlen, null));
  }

  /**
   * Adds a delete whose key is a slice of a buffer, after every write added so far.
   *
   * @param keyspace the keyspace
   * @param buf the buffer (kept; must not change until {@link #finish})
   * @param koff the key's offset
   * @param klen the key's length
   */
  public void addDelete(String keyspace, byte[] buf, int koff, int klen) {
    list(keyspace).add(new Keyed(head(buf, koff, klen), buf, koff, klen, Write.DELETE, null, 0,
        0, null));
  }

  private ArrayList<Keyed> list(String keyspace) {
    ArrayList<Keyed> l = byKeyspace.get(keyspace);
    if (l == null) {
      l = new ArrayList<>();
      byKeyspace.put(keyspace, l);
    }
    return l;
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
        Keyed last = k;
        Write folded = null;  // set once a merge is involved
        int j = i + 1;
        for (; j < n && sorted[j].sameKey(k); j++) {
          Keyed next = sorted[j];
          if (next.kind == Write.MERGE) {
            folded = Write.then(folded != null ? folded : last.toWrite(), next.merge);
          } else {
            folded = null;
          }
          last = next;
        }
        // Slices of log records become fresh arrays, allocated in key order next to each
        // other: whoever applies the run then reads memory in address order instead of
        // wherever decoding left each record. Whole arrays (a commit's own) are kept.
        keys[o] = slice(k.kbuf, k.koff, k.klen);
        if (folded != null) {
          if (folded.kind() == Write.PUT) {
            values[o] = folded.value();
          } else if (folded.kind() == Write.MERGE) {
            merges[o] = folded;
          }
        } else if (last.kind == Write.PUT) {
          values[o] = slice(last.vbuf, last.voff, last.vlen);
        } else if (last.kind == Write.MERGE) {
          merges[o] = last.merge;
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
   * Sorts stably by key: a least-significant-digit radix sort of the 8-byte heads (Knuth,
   * The Art of Computer Programming vol. 3, section 5.2.5; stable, linear, over two primitive
   * arrays instead of comparisons that chase pointers; passes whose byte is the same for
   * every write are skipped), then a stable comparison sort of each group of equal heads,
   * whose keys may differ beyond their first 8 bytes.
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
    int[] count = new int[256];
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

  private static byte[] slice(byte[] buf, int off, int len) {
    return off == 0 && len == buf.length ? buf : Arrays.copyOfRange(buf, off, off + len);
  }

  private static long head(byte[] buf, int off, int len) {
    long h = 0;
    int n = Math.min(8, len);
    for (int i = 0; i < n; i++) {
      h |= (buf[off + i] & 0xFFL) << (56 - 8 * i);
    }
    return h;
  }
}
