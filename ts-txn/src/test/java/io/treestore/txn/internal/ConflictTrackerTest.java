package io.treestore.txn.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.btree.Range;
import io.treestore.txn.ConflictException;
import io.treestore.txn.MergeOperator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link ConflictTracker} against a model that keeps every commit ever recorded: a commit that
 * began at LSN {@code s} conflicts exactly when a commit after {@code s} wrote (put, delete or
 * merge) a key it puts or deletes (its own merges never conflict), a key it read, or a key
 * inside a range it scanned.
 * Random commits over a small key space (so that conflicts are common), random pruning, and
 * validations from every start LSN the pruning still allows; seeded, the seed in each failure.
 */
class ConflictTrackerTest {
  private static final long SEED = Long.getLong("ts.seed", 0xC0FF_1C7L);
  private static final String[] KEYSPACES = {"a", "b"};
  private static final MergeOperator ADD = MergeOperator.INT64_ADD;

  /** One recorded commit of the model. */
  private record Commit(long lsn, Map<String, NavigableMap<byte[], Write>> writes) {}

  @Test
  void agreesWithTheFullHistory() {
    for (int round = 0; round < 40; round++) {
      SplittableRandom rnd = new SplittableRandom(SEED + round);
      ConflictTracker t = new ConflictTracker();
      List<Commit> history = new ArrayList<>();
      long lsn = 0;
      long pruned = 0;  // validations start at or after this LSN
      int checks = 0;
      for (int step = 0; step < 400; step++) {
        int op = rnd.nextInt(10);
        if (op < 4) {
          var w = writes(rnd);
          t.record(++lsn, w);
          history.add(new Commit(lsn, w));
        } else if (op == 4) {
          pruned = pruned + rnd.nextLong(lsn - pruned + 1);
          t.prune(pruned);
        } else {
          long start = pruned + rnd.nextLong(lsn - pruned + 1);
          var w = writes(rnd);
          ReadSet reads = rnd.nextBoolean() ? null : reads(rnd);
          String expected = model(history, start, w, reads);
          String actual = null;
          try {
            t.validate(start, w, reads);
          } catch (ConflictException e) {
            actual = e.keyspace() + "/" + Arrays.toString(e.key());
          }
          assertEquals(expected != null, actual != null, "seed=" + (SEED + round) + " step "
              + step + ": start " + start + ", model says " + expected + ", tracker " + actual);
          checks++;
        }
      }
      assertTrue(checks > 100);
    }
  }

  @Test
  void aLoneWriterIsNeverCheckedAgainstItsOwnPastAndPruningForgetsAll() {
    ConflictTracker t = new ConflictTracker();
    for (long lsn = 1; lsn <= 1000; lsn++) {
      var w = writes(new SplittableRandom(lsn));
      t.validate(lsn - 1, w, null);  // began after the previous commit: never a conflict
      t.record(lsn, w);
    }
    assertTrue(t.size() > 0);
    t.prune(1000);
    assertEquals(0, t.size());
    t.validate(0, writes(new SplittableRandom(1)), null);  // nothing remembered any more
  }

  private static Map<String, NavigableMap<byte[], Write>> writes(SplittableRandom rnd) {
    Map<String, NavigableMap<byte[], Write>> m = new TreeMap<>();
    int n = 1 + rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      String ks = KEYSPACES[rnd.nextInt(KEYSPACES.length)];
      byte[] key = {(byte) rnd.nextInt(24)};
      int kind = rnd.nextInt(5);
      Write w = kind == 0 ? Write.delete() : kind == 1 ? Write.merge(ADD, new byte[8])
          : Write.put(new byte[] {1});
      m.computeIfAbsent(ks, k -> new TreeMap<>(Write.KEY_ORDER)).put(key, w);
    }
    return m;
  }

  private static ReadSet reads(SplittableRandom rnd) {
    ReadSet r = new ReadSet();
    for (int i = rnd.nextInt(3); i > 0; i--) {
      r.key(KEYSPACES[rnd.nextInt(KEYSPACES.length)], new byte[] {(byte) rnd.nextInt(24)});
    }
    for (int i = rnd.nextInt(2); i > 0; i--) {
      int lo = rnd.nextInt(24);
      int hi = lo + rnd.nextInt(6);
      r.range(KEYSPACES[rnd.nextInt(KEYSPACES.length)],
          Range.between(new byte[] {(byte) lo}, rnd.nextBoolean(), new byte[] {(byte) hi},
              rnd.nextBoolean()));
    }
    return r;
  }

  /** The first conflict the full history shows, or {@code null}. */
  private static String model(List<Commit> history, long start,
      Map<String, NavigableMap<byte[], Write>> writes, ReadSet reads) {
    for (Commit c : history) {
      if (c.lsn() <= start) {
        continue;
      }
      for (var ks : c.writes().entrySet()) {
        for (byte[] k : ks.getValue().keySet()) {
          NavigableMap<byte[], Write> mine = writes.get(ks.getKey());
          if (mine != null && mine.containsKey(k) && mine.get(k).kind() != Write.MERGE) {
            return ks.getKey() + "/" + Arrays.toString(k) + " written";
          }
          if (reads != null && hit(reads, ks.getKey(), k)) {
            return ks.getKey() + "/" + Arrays.toString(k) + " read";
          }
        }
      }
    }
    return null;
  }

  private static boolean hit(ReadSet reads, String ks, byte[] k) {
    for (byte[] r : reads.keys.getOrDefault(ks, List.of())) {
      if (Arrays.equals(r, k)) {
        return true;
      }
    }
    for (Range r : reads.ranges.getOrDefault(ks, List.of())) {
      int lo = Arrays.compareUnsigned(k, r.lower());
      int hi = Arrays.compareUnsigned(k, r.upper());
      if ((lo > 0 || (lo == 0 && r.lowerInclusive())) && (hi < 0 || (hi == 0
          && r.upperInclusive()))) {
        return true;
      }
    }
    return false;
  }
}
