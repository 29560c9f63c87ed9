package io.treestore.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link WriteBatch#applySorted} against a {@link TreeMap} oracle: random sorted runs of puts
 * and deletes of every size (one key to thousands, a few keys spread over the whole tree,
 * dense ranges, runs that delete whole ranges so that leaves and branches empty out, values
 * small, large and in overflow chains), interleaved with single puts and deletes, flushes,
 * two-step flushes, snapshots and reopens. After every flush the file's invariants (order,
 * separator bounds, fill, depth, counts, page accounting) are checked from disk.
 */
class SortedApplyModelTest {
  @TempDir Path dir;

  static List<Long> seeds() {
    return BTreeModelTest.seeds(0x5047_0000L, 16);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void sortedRunsMatchTreeMap(long seed) {
    try {
      run(seed);
    } catch (Throwable t) {
      throw new AssertionError("failed with seed " + seed + " (rerun with -Dts.seed=" + seed
          + "): " + t, t);
    }
  }

  private void run(long seed) {
    Random rnd = new Random(seed);
    Path file = dir.resolve("sorted-" + seed + ".ts");
    BTreeOptions opts = BTreeOptions.defaults().withPageSize(rnd.nextInt(3) == 0 ? 8192 : 4096)
        .withCacheBytes(rnd.nextBoolean() ? 64 * 1024 : 8L << 20);
    int keySpace = 200 + rnd.nextInt(rnd.nextBoolean() ? 2_000 : 30_000);
    NavigableMap<byte[], byte[]> model = new TreeMap<>(BTreeModelTest.CMP);
    NavigableMap<byte[], byte[]> durable = new TreeMap<>(BTreeModelTest.CMP);
    BTreeFile f = BTreeFile.open(file, opts);
    f.tree("t");
    f.tree("other");
    int steps = 150 + rnd.nextInt(150);
    for (int step = 0; step < steps; step++) {
      int what = rnd.nextInt(100);
      try {
        if (what < 60) {
          sortedRun(rnd, f, model, keySpace);
        } else if (what < 75) {
          BTree t = f.tree("t");
          for (int i = rnd.nextInt(30); i > 0; i--) {
            byte[] k = BTreeModelTest.key(rnd, keySpace);
            if (rnd.nextInt(3) == 0) {
              assertEquals(model.remove(k) != null, t.delete(k), "delete existed");
            } else {
              byte[] v = BTreeModelTest.value(rnd);
              assertEquals(model.put(k, v) != null, t.put(k, v), "put existed");
            }
          }
        } else if (what < 85) {
          f.flush();
          durable = new TreeMap<>(model);
          InvariantChecker.check(f);
        } else if (what < 90) {
          NavigableMap<byte[], byte[]> captured = new TreeMap<>(model);
          try (PendingFlush pf = f.startFlush(new byte[0])) {
            sortedRun(rnd, f, model, keySpace);
            pf.complete();
          }
          durable = captured;
          InvariantChecker.check(f);
        } else if (what < 95) {
          try (Snapshot s = f.snapshot()) {
            NavigableMap<byte[], byte[]> frozen = new TreeMap<>(model);
            sortedRun(rnd, f, model, keySpace);
            BTreeModelTest.assertContent(frozen, s.tree("t"));
          }
        } else {
          if (rnd.nextBoolean()) {
            f.closeWithoutFlush();
            model = new TreeMap<>(durable);
          } else {
            f.close();
            durable = new TreeMap<>(model);
          }
          f = BTreeFile.open(file, opts);
        }
        assertEquals(model.size(), f.tree("t").size(), "size");
        assertEquals(0, f.tree("other").size(), "untouched tree");
        if (rnd.nextInt(10) == 0) {
          BTreeModelTest.assertContent(model, f.tree("t"));
        }
      } catch (Throwable e) {
        throw new AssertionError("step " + step + " (kind " + what + "): " + e.getMessage(), e);
      }
    }
    BTreeModelTest.assertContent(model, f.tree("t"));
    f.close();
    try (BTreeFile g = BTreeFile.open(file, opts)) {
      BTreeModelTest.assertContent(model, g.tree("t"));
      InvariantChecker.check(g);
    }
  }

  /** One applySorted call of a random shape, mirrored in the model. */
  private static void sortedRun(Random rnd, BTreeFile f, NavigableMap<byte[], byte[]> model,
      int keySpace) {
    NavigableMap<byte[], byte[]> run = new TreeMap<>(BTreeModelTest.CMP);
    int shape = rnd.nextInt(5);
    if (shape == 0 && !model.isEmpty()) {
      // Delete a whole range of existing keys (empties leaves and whole subtrees).
      List<byte[]> keys = new ArrayList<>(model.keySet());
      int from = rnd.nextInt(keys.size());
      int to = Math.min(keys.size(), from + 1 + rnd.nextInt(Math.max(1, keys.size() / 2)));
      for (byte[] k : keys.subList(from, to)) {
        run.put(k, null);
      }
      if (rnd.nextInt(4) == 0) {
        run.put(BTreeModelTest.key(rnd, keySpace), BTreeModelTest.value(rnd));
      }
    } else {
      int n = shape == 1 ? 1 + rnd.nextInt(3) : shape == 2 ? rnd.nextInt(5_000)
          : rnd.nextInt(400);
      int deletePercent = rnd.nextInt(3) == 0 ? 70 : rnd.nextInt(30);
      for (int i = 0; i < n; i++) {
        byte[] k = BTreeModelTest.key(rnd, keySpace);
        run.put(k, rnd.nextInt(100) < deletePercent ? null : BTreeModelTest.value(rnd));
      }
    }
    byte[][] keys = run.keySet().toArray(new byte[0][]);
    byte[][] vals = run.values().toArray(new byte[0][]);
    long expected = 0;
    for (Map.Entry<byte[], byte[]> e : run.entrySet()) {
      boolean had = model.containsKey(e.getKey());
      if (e.getValue() == null) {
        model.remove(e.getKey());
        expected -= had ? 1 : 0;
      } else {
        model.put(e.getKey(), e.getValue());
        expected += had ? 0 : 1;
      }
    }
    long[] delta = new long[1];
    f.write(b -> delta[0] = b.applySorted("t", keys, vals));
    assertEquals(expected, delta[0], "count delta");
  }

  @Test
  void aRunIntoAnEmptyTreeBuildsAWholeTree() {
    try (BTreeFile f = BTreeFile.open(dir.resolve("bulk.ts"), BTreeOptions.defaults())) {
      BTree t = f.tree("t");
      int n = 100_000;
      byte[][] keys = new byte[n][];
      byte[][] vals = new byte[n][];
      for (int i = 0; i < n; i++) {
        keys[i] = String.format("key-%08d", i).getBytes();
        vals[i] = ("value " + i).getBytes();
      }
      long[] d = new long[1];
      f.write(b -> d[0] = b.applySorted("t", keys, vals));
      assertEquals(n, d[0]);
      assertEquals(n, t.size());
      assertArrayEquals(vals[77_777], t.get(keys[77_777]));
      f.flush();
      InvariantChecker.check(f);
      // Deleting everything empties the tree.
      byte[][] none = new byte[n][];
      f.write(b -> d[0] = b.applySorted("t", keys, none));
      assertEquals(-n, d[0]);
      assertEquals(0, t.size());
      f.flush();
      InvariantChecker.check(f);
    }
  }

  @Test
  void badRunsChangeNothing() {
    try (BTreeFile f = BTreeFile.open(dir.resolve("bad.ts"), BTreeOptions.defaults())) {
      BTree t = f.tree("t");
      t.put("a".getBytes(), "1".getBytes());
      byte[][] unordered = {"c".getBytes(), "b".getBytes()};
      byte[][] two = {"x".getBytes(), "y".getBytes()};
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> f.write(b -> b.applySorted("t", unordered, two)));
      assertEquals("keys must be strictly ascending; key 1 is not greater than the one before",
          e.getMessage());
      byte[][] dup = {"c".getBytes(), "c".getBytes()};
      assertThrows(IllegalArgumentException.class,
          () -> f.write(b -> b.applySorted("t", dup, two)));
      byte[][] one = {"z".getBytes()};
      e = assertThrows(IllegalArgumentException.class,
          () -> f.write(b -> b.applySorted("t", one, two)));
      assertEquals("1 keys but 2 values", e.getMessage());
      byte[][] huge = {new byte[5000]};
      assertThrows(IllegalArgumentException.class,
          () -> f.write(b -> b.applySorted("t", huge, one)));
      assertThrows(IllegalArgumentException.class,
          () -> f.write(b -> b.applySorted("missing", one, one)));
      // A run that fails part way (after an accepted put) leaves nothing behind either.
      assertThrows(IllegalArgumentException.class, () -> f.write(b -> {
        b.put("t", "b".getBytes(), "2".getBytes());
        b.applySorted("t", unordered, two);
      }));
      assertEquals(1, t.size());
      assertArrayEquals("1".getBytes(), t.get("a".getBytes()));
    }
  }
}
