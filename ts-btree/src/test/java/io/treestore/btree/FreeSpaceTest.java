package io.treestore.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Free pages are reused, so the file does not grow under an update-heavy workload of constant
 * size; a flush writes a number of pages that depends on what changed, not on how much space
 * is free; and pages an open snapshot can reach are not reused until it closes.
 */
class FreeSpaceTest {
  @TempDir Path dir;

  private static byte[] key(int i) {
    return ByteBuffer.allocate(8).putLong(i * 0x9E3779B97F4A7C15L).array();
  }

  private static byte[] value(Random rnd, int len) {
    byte[] v = new byte[len];
    rnd.nextBytes(v);
    return v;
  }

  @Test
  void fileDoesNotGrowUnderConstantSizeUpdates() {
    Random rnd = new Random(7);
    try (BTreeFile f = BTreeFile.open(dir.resolve("grow.ts"))) {
      BTree t = f.tree("t");
      for (int i = 0; i < 5000; i++) {
        t.put(key(i), value(rnd, 200));
      }
      f.flush();
      long afterWarmup = 0;
      for (int round = 0; round < 300; round++) {
        for (int j = 0; j < 300; j++) {
          int k = rnd.nextInt(5000);
          if (rnd.nextInt(10) == 0) {
            t.delete(key(k));
            t.put(key(k), value(rnd, 150 + rnd.nextInt(100)));
          } else {
            t.put(key(k), value(rnd, 200));
          }
        }
        if (round % 50 == 7) {
          t.put(key(99_999), value(rnd, 100_000)); // overflow chains come and go too
        }
        f.flush();
        if (round == 30) {
          afterWarmup = f.stats().pageCount();
        }
      }
      long end = f.stats().pageCount();
      assertTrue(end <= afterWarmup * 11 / 10 + 40,
          "file grew from " + afterWarmup + " to " + end + " pages at constant data size");
      CheckReport r = InvariantChecker.check(f);
      assertEquals(5001, r.entries());
    }
  }

  @Test
  void flushCostDoesNotDependOnFreeSpace() {
    CountingChannels io = new CountingChannels();
    BTreeOptions opts = BTreeOptions.defaults().withChannels(io);
    Random rnd = new Random(11);
    try (BTreeFile f = BTreeFile.open(dir.resolve("cost.ts"), opts)) {
      BTree t = f.tree("t");
      for (int i = 0; i < 2000; i++) {
        t.put(key(i), value(rnd, 100));
      }
      f.flush();
      long small = maxPagesPerSmallFlush(f, t, io, rnd);

      // Create a large amount of free space: 300k entries in a second tree, then drop it.
      BTree big = f.tree("big");
      big.bulkLoad(java.util.stream.IntStream.range(0, 300_000)
          .mapToObj(i -> Map.entry(ByteBuffer.allocate(8).putLong(i).array(), value(rnd, 200)))
          .iterator());
      f.flush();
      f.dropTree("big");
      f.flush();
      long free = f.stats().freePages();
      // Rewriting the free list (8 bytes per free page) would cost this many pages:
      long freeListPages = free * 8 / 4096;
      assertTrue(freeListPages > 25, "expected a large free list, got " + free + " free pages");
      long large = maxPagesPerSmallFlush(f, t, io, rnd);
      assertTrue(large <= small + 3 && large < freeListPages / 2,
          "a one-entry flush wrote " + large + " pages with " + free
              + " free pages, versus " + small + " with almost none");
      InvariantChecker.check(f);
    }
  }

  private static long maxPagesPerSmallFlush(BTreeFile f, BTree t, CountingChannels io,
      Random rnd) {
    long max = 0;
    for (int i = 0; i < 20; i++) {
      t.put(key(rnd.nextInt(2000)), value(rnd, 100));
      long before = io.bytesWritten.get();
      f.flush();
      long pages = (io.bytesWritten.get() - before) / 4096;
      max = Math.max(max, pages);
    }
    return max;
  }

  @Test
  void snapshotPinsPagesUntilClosed() {
    Random rnd = new Random(3);
    try (BTreeFile f = BTreeFile.open(dir.resolve("pin.ts"),
        BTreeOptions.defaults().withCacheBytes(32 * 4096))) {
      BTree t = f.tree("t");
      NavigableMap<byte[], byte[]> before = new TreeMap<>(BTreeModelTest.CMP);
      for (int i = 0; i < 1000; i++) {
        byte[] v = value(rnd, 100);
        t.put(key(i), v);
        before.put(key(i), v);
      }
      f.flush();
      long pagesBefore;
      try (Snapshot s = f.snapshot()) {
        for (int round = 0; round < 5; round++) {
          for (int i = 0; i < 1000; i++) {
            t.put(key(i), value(rnd, 100));
          }
          f.flush();
        }
        // The snapshot still reads the old content, from pages that were not reused.
        BTreeModelTest.assertContent(before, s.tree("t"));
        pagesBefore = f.stats().pageCount();
      }
      for (int round = 0; round < 10; round++) {
        for (int i = 0; i < 1000; i++) {
          t.put(key(i), value(rnd, 100));
        }
        f.flush();
      }
      long pagesAfter = f.stats().pageCount();
      assertTrue(pagesAfter <= pagesBefore + 10,
          "pages released by the closed snapshot were not reused: " + pagesBefore + " -> "
              + pagesAfter);
      InvariantChecker.check(f);
    }
  }

  @Test
  void droppedTreeReleasesItsPages() {
    Random rnd = new Random(5);
    try (BTreeFile f = BTreeFile.open(dir.resolve("drop.ts"))) {
      BTree t = f.tree("a");
      for (int i = 0; i < 3000; i++) {
        t.put(key(i), value(rnd, i % 100 == 0 ? 20_000 : 150));
      }
      f.flush();
      long used = f.stats().pageCount() - f.stats().freePages();
      assertTrue(f.dropTree("a"));
      f.flush();
      f.flush();
      long usedAfter = f.stats().pageCount() - f.stats().freePages();
      assertTrue(usedAfter < used / 10, "pages in use " + used + " -> " + usedAfter);
      assertEquals(java.util.Set.of(), f.treeNames());
      InvariantChecker.check(f);
      // The space is reused by the next tree.
      long count = f.stats().pageCount();
      BTree b = f.tree("b");
      for (int i = 0; i < 3000; i++) {
        b.put(key(i), value(rnd, 150));
      }
      f.flush();
      assertEquals(count, f.stats().pageCount(), "new data should fit in the freed pages");
      for (Map.Entry<byte[], byte[]> e : Map.of(key(1), new byte[0]).entrySet()) {
        b.put(e.getKey(), e.getValue());
        assertArrayEquals(e.getValue(), b.get(e.getKey()));
      }
    }
  }
}
