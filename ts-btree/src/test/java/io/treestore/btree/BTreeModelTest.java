package io.treestore.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Long random operation sequences against a {@link TreeMap} oracle: puts (small, large and
 * overflow values), deletes, point reads, forward/reverse/range/prefix scans, cursor walks,
 * flushes, snapshots, and close/reopen from disk, which must restore the last flushed state
 * exactly. The seed is printed on failure.
 */
class BTreeModelTest {
  static final Comparator CMP = new Comparator();

  static final class Comparator implements java.util.Comparator<byte[]> {
    @Override
    public int compare(byte[] a, byte[] b) {
      return Arrays.compareUnsigned(a, b);
    }
  }

  static List<Long> seeds() {
    return seeds(0x5EED_0000L, 24);
  }

  /** {@code n} consecutive seeds from {@code -Dts.seed}, or from {@code defaultBase}. */
  static List<Long> seeds(long defaultBase, int n) {
    List<Long> s = new ArrayList<>();
    long base = Long.getLong("ts.seed", defaultBase);
    for (int i = 0; i < n; i++) {
      s.add(base + i);
    }
    return s;
  }

  @TempDir Path dir;

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomOperationsMatchTreeMap(long seed) {
    try {
      run(seed);
    } catch (Throwable t) {
      throw new AssertionError("failed with seed " + seed + " (rerun with -Dts.seed=" + seed
          + "): " + t, t);
    }
  }

  private void run(long seed) {
    Random rnd = new Random(seed);
    Path file = dir.resolve("model-" + seed + ".ts");
    int pageSize = rnd.nextInt(4) == 0 ? 8192 : 4096;
    // Small caches exercise eviction and reloading from disk.
    BTreeOptions opts = BTreeOptions.defaults().withPageSize(pageSize)
        .withCacheBytes(rnd.nextBoolean() ? 64 * 1024 : 8L << 20);
    int keySpace = 50 + rnd.nextInt(rnd.nextBoolean() ? 200 : 3000);
    NavigableMap<byte[], byte[]> model = new TreeMap<>(CMP);
    NavigableMap<byte[], byte[]> durable = new TreeMap<>(CMP);
    BTreeFile f = BTreeFile.open(file, opts);
    BTree t = f.tree("t");
    int ops = 2500 + rnd.nextInt(2500);
    List<Map.Entry<byte[], byte[]>> sharedReads = new ArrayList<>();
    for (int op = 0; op < ops; op++) {
      int what = rnd.nextInt(100);
      try {
        if (what < 45) {
          byte[] k = key(rnd, keySpace);
          byte[] v = value(rnd);
          boolean existed = t.put(k, v);
          assertEquals(model.containsKey(k), existed, "put existed");
          model.put(k, v);
        } else if (what < 65) {
          byte[] k = key(rnd, keySpace);
          assertEquals(model.remove(k) != null, t.delete(k), "delete existed");
        } else if (what < 80) {
          byte[] k = key(rnd, keySpace);
          byte[] expected = model.get(k);
          // Shared reads hand out the cached array itself: the same bytes as a copy, and
          // never changed by later writes (checked at the end against the copy taken now).
          boolean shared = rnd.nextBoolean();
          byte[] actual = shared ? t.getShared(k) : t.get(k);
          if (shared && actual != null) {
            sharedReads.add(Map.entry(actual, actual.clone()));
          }
          if (expected == null) {
            assertNull(actual, "get of absent key");
          } else {
            assertArrayEquals(expected, actual, "get");
          }
        } else if (what < 88) {
          checkScan(rnd, t, model, keySpace);
        } else if (what < 91) {
          checkCursor(rnd, t, model, keySpace);
        } else if (what < 93) {
          f.flush();
          durable = new TreeMap<>(model);
        } else if (what < 95) {
          // A two-step flush: writes made between capture and completion are not in it, and
          // copies of nodes and large values it writes meanwhile must not leak or double-free.
          NavigableMap<byte[], byte[]> captured = new TreeMap<>(model);
          try (PendingFlush pf = f.startFlush(new byte[0])) {
            for (int i = rnd.nextInt(40); i > 0; i--) {
              byte[] k = key(rnd, keySpace);
              if (rnd.nextInt(3) == 0) {
                t.delete(k);
                model.remove(k);
              } else {
                byte[] v = value(rnd);
                t.put(k, v);
                model.put(k, v);
              }
            }
            pf.complete();
          }
          durable = captured;
        } else if (what < 97) {
          // A snapshot stays unchanged under later writes.
          try (Snapshot s = f.snapshot()) {
            NavigableMap<byte[], byte[]> frozen = new TreeMap<>(model);
            for (int i = 0; i < 30; i++) {
              byte[] k = key(rnd, keySpace);
              t.put(k, value(rnd));
              model.put(k, t.get(k));
            }
            assertContent(frozen, s.tree("t"));
          }
        } else if (what < 99) {
          // Reopen: unflushed changes are lost, flushed ones kept.
          if (rnd.nextBoolean()) {
            f.closeWithoutFlush();
            model = new TreeMap<>(durable);
          } else {
            f.close();
            durable = new TreeMap<>(model);
          }
          f = BTreeFile.open(file, opts);
          t = f.tree("t");
          assertContent(model, t);
        } else {
          assertContent(model, t);
        }
        assertEquals(model.size(), t.size(), "size");
      } catch (Throwable e) {
        throw new AssertionError("op " + op + " (kind " + what + "): " + e.getMessage(), e);
      }
    }
    assertContent(model, t);
    for (Map.Entry<byte[], byte[]> e : sharedReads) {
      assertArrayEquals(e.getValue(), e.getKey(), "a shared value changed after it was read");
    }
    f.close();
    try (BTreeFile g = BTreeFile.open(file, opts)) {
      assertContent(model, g.tree("t"));
      InvariantChecker.check(g);
    }
  }

  static byte[] key(Random rnd, int keySpace) {
    int k = rnd.nextInt(keySpace);
    return switch (k % 4) {
      case 0 -> ("k" + k).getBytes();
      case 1 -> new byte[] {(byte) (k >> 8), (byte) k};
      case 2 -> ("prefix/" + (k % 7) + "/" + k).getBytes();
      default -> {
        byte[] b = new byte[1 + (k % 60)];
        new Random(k).nextBytes(b);
        yield b;
      }
    };
  }

  static byte[] value(Random rnd) {
    int kind = rnd.nextInt(100);
    int len = kind < 80 ? rnd.nextInt(120) : kind < 97 ? rnd.nextInt(1500) : rnd.nextInt(40_000);
    byte[] v = new byte[len];
    rnd.nextBytes(v);
    return v;
  }

  private static void checkScan(Random rnd, TreeReader t, NavigableMap<byte[], byte[]> model,
      int keySpace) {
    Range r;
    NavigableMap<byte[], byte[]> expected;
    int kind = rnd.nextInt(5);
    byte[] a = key(rnd, keySpace);
    byte[] b = key(rnd, keySpace);
    if (CMP.compare(a, b) > 0) {
      byte[] x = a;
      a = b;
      b = x;
    }
    boolean ai = rnd.nextBoolean();
    boolean bi = rnd.nextBoolean();
    switch (kind) {
      case 0 -> {
        r = Range.all();
        expected = model;
      }
      case 1 -> {
        byte[] p = ("prefix/" + rnd.nextInt(7)).getBytes();
        r = Range.prefix(p);
        expected = new TreeMap<>(CMP);
        for (var e : model.tailMap(p, true).entrySet()) {
          if (!startsWith(e.getKey(), p)) {
            break;
          }
          expected.put(e.getKey(), e.getValue());
        }
      }
      case 2 -> {
        r = Range.between(a, ai, b, bi);
        expected = CMP.compare(a, b) == 0 && !(ai && bi) ? new TreeMap<>(CMP)
            : model.subMap(a, ai, b, bi);
      }
      case 3 -> {
        r = ai ? Range.atLeast(a) : Range.greaterThan(a);
        expected = model.tailMap(a, ai);
      }
      default -> {
        r = bi ? Range.atMost(b) : Range.lessThan(b);
        expected = model.headMap(b, bi);
      }
    }
    boolean reverse = rnd.nextBoolean();
    if (reverse) {
      r = r.reversed();
      expected = expected.descendingMap();
    }
    int limit = rnd.nextInt(4) == 0 ? rnd.nextInt(5) : Integer.MAX_VALUE;
    Iterator<Map.Entry<byte[], byte[]>> exp = expected.entrySet().iterator();
    int n = 0;
    try (EntryIterator it = t.scan(r)) {
      while (n < limit && exp.hasNext()) {
        Map.Entry<byte[], byte[]> e = exp.next();
        if (!it.hasNext()) {
          fail("scan " + kind + " ended early after " + n + " entries");
        }
        Entry got = it.next();
        assertArrayEquals(e.getKey(), got.key(), "scan key " + n);
        assertArrayEquals(e.getValue(), got.value(), "scan value " + n);
        n++;
      }
      if (limit == Integer.MAX_VALUE) {
        assertFalse(it.hasNext(), "scan " + kind + " returned extra entries");
      }
    }
  }

  private static void checkCursor(Random rnd, TreeReader t, NavigableMap<byte[], byte[]> model,
      int keySpace) {
    try (Cursor c = t.cursor()) {
      byte[] k = key(rnd, keySpace);
      boolean back = rnd.nextBoolean();
      Map.Entry<byte[], byte[]> e = back ? model.floorEntry(k) : model.ceilingEntry(k);
      boolean ok = back ? c.seekAtOrBefore(k) : c.seek(k);
      for (int steps = 0; steps < 40; steps++) {
        assertEquals(e != null, ok, "cursor validity");
        if (e == null) {
          break;
        }
        assertArrayEquals(e.getKey(), c.key(), "cursor key");
        assertArrayEquals(e.getValue(), c.value(), "cursor value");
        boolean fwd = rnd.nextBoolean();
        e = fwd ? model.higherEntry(e.getKey()) : model.lowerEntry(e.getKey());
        ok = fwd ? c.next() : c.prev();
      }
    }
  }

  static void assertContent(NavigableMap<byte[], byte[]> model, TreeReader t) {
    assertEquals(model.size(), t.size(), "size");
    Iterator<Map.Entry<byte[], byte[]>> exp = model.entrySet().iterator();
    int n = 0;
    try (EntryIterator it = t.scan(Range.all())) {
      while (exp.hasNext()) {
        Map.Entry<byte[], byte[]> e = exp.next();
        if (!it.hasNext()) {
          fail("content ends after " + n + " of " + model.size());
        }
        Entry got = it.next();
        assertArrayEquals(e.getKey(), got.key(), "key " + n);
        assertArrayEquals(e.getValue(), got.value(), "value " + n);
        assertArrayEquals(e.getValue(), t.getShared(e.getKey()), "shared value " + n);
        n++;
      }
      assertFalse(it.hasNext(), "extra entries after " + n);
    }
  }

  static boolean startsWith(byte[] a, byte[] p) {
    return a.length >= p.length && Arrays.equals(a, 0, p.length, p, 0, p.length);
  }
}
