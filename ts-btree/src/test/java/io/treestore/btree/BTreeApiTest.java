package io.treestore.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.page.StorageException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public contract of {@link BTreeFile} and {@link BTree} at its edges: size limits with
 * clear errors that change nothing, values of 16 MiB and more, bulk loading (and its failure
 * modes), several trees in one file, user data in the meta page, read-only opening, and
 * rejected page sizes.
 */
class BTreeApiTest {
  @TempDir Path dir;

  @Test
  void keyLimitIsEnforcedWithAClearErrorAndNoChange() {
    try (BTreeFile f = BTreeFile.open(dir.resolve("k.ts"))) {
      BTree t = f.tree("t");
      assertEquals(992, t.maxKeySize());
      byte[] max = new byte[992];
      t.put(max, "ok".getBytes());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> t.put(new byte[993], new byte[1]));
      assertTrue(e.getMessage().contains("993") && e.getMessage().contains("992"),
          e.getMessage());
      assertEquals(1, t.size());
      t.put(new byte[0], "empty key".getBytes());
      assertArrayEquals("empty key".getBytes(), t.get(new byte[0]));
      f.flush();
      InvariantChecker.check(f);
    }
    try (BTreeFile f = BTreeFile.open(dir.resolve("k64.ts"),
        BTreeOptions.defaults().withPageSize(65536))) {
      assertEquals(65536 / 4 - 32, f.tree("t").maxKeySize());
    }
  }

  /** Regression: replacing values by smaller ones merged the root's only two children. */
  @Test
  void shrinkingValuesMergeLeavesAndCollapseTheRoot() {
    try (BTreeFile f = BTreeFile.open(dir.resolve("shrink.ts"))) {
      BTree t = f.tree("t");
      for (int i = 0; i < 6; i++) {
        t.put(new byte[] {(byte) i}, new byte[900]);
      }
      f.flush();
      assertTrue(f.check().nodes() >= 3, "expected a root over two leaves");
      for (int i = 0; i < 6; i++) {
        t.put(new byte[] {(byte) i}, new byte[] {(byte) i});
      }
      f.flush();
      CheckReport r = InvariantChecker.check(f);
      assertEquals(6, r.entries());
      for (int i = 0; i < 6; i++) {
        assertArrayEquals(new byte[] {(byte) i}, t.get(new byte[] {(byte) i}));
      }
    }
  }

  @Test
  void largeValuesRoundTripAndReleaseTheirPages() {
    Random rnd = new Random(1);
    byte[] v16 = new byte[16 << 20];
    rnd.nextBytes(v16);
    byte[] v20 = new byte[20 << 20 | 12345];
    rnd.nextBytes(v20);
    Path p = dir.resolve("big.ts");
    try (BTreeFile f = BTreeFile.open(p)) {
      BTree t = f.tree("t");
      t.put("a".getBytes(), v16);
      t.put("b".getBytes(), v20);
      t.put("c".getBytes(), "small".getBytes());
      assertArrayEquals(v16, t.get("a".getBytes()), "before flush");
      f.flush();
      assertArrayEquals(v20, t.get("b".getBytes()), "after flush");
    }
    try (BTreeFile f = BTreeFile.open(p)) {
      BTree t = f.tree("t");
      assertArrayEquals(v16, t.get("a".getBytes()), "after reopen");
      assertArrayEquals(v20, t.get("b".getBytes()), "after reopen");
      long freeBefore = f.stats().freePages();
      t.put("a".getBytes(), "replaced".getBytes());
      f.flush();
      f.flush();
      long freed = f.stats().freePages() - freeBefore;
      assertTrue(freed >= (16 << 20) / 4096, "overflow pages released: " + freed);
      CheckReport r = InvariantChecker.check(f);
      assertTrue(r.overflowPages() >= (20 << 20) / 4096);
    }
  }

  @Test
  void bulkLoadBuildsAValidTreeFromSortedInput() {
    Random rnd = new Random(9);
    NavigableMap<byte[], byte[]> model = new TreeMap<>(BTreeModelTest.CMP);
    for (int i = 0; i < 60_000; i++) {
      byte[] k = new byte[4 + rnd.nextInt(30)];
      rnd.nextBytes(k);
      byte[] v = new byte[rnd.nextInt(50) == 0 ? 5000 : rnd.nextInt(200)];
      rnd.nextBytes(v);
      model.put(k, v);
    }
    Path p = dir.resolve("bulk.ts");
    try (BTreeFile f = BTreeFile.open(p)) {
      BTree t = f.tree("t");
      assertEquals(model.size(), t.bulkLoad(model.entrySet().iterator()));
      BTreeModelTest.assertContent(model, t);
      f.flush();
    }
    try (BTreeFile f = BTreeFile.open(p)) {
      BTree t = f.tree("t");
      BTreeModelTest.assertContent(model, t);
      CheckReport r = InvariantChecker.check(f);
      assertEquals(model.size(), r.entries());
      // Writes after a bulk load keep the tree valid.
      for (int i = 0; i < 2000; i++) {
        byte[] k = new byte[8];
        rnd.nextBytes(k);
        t.put(k, k);
        model.put(k, k);
      }
      f.flush();
      BTreeModelTest.assertContent(model, t);
      InvariantChecker.check(f);
    }
  }

  @Test
  void bulkLoadOfSmallInputsIsValid() {
    for (int n : new int[] {0, 1, 2, 3, 17, 100, 1000}) {
      try (BTreeFile f = BTreeFile.open(dir.resolve("small-" + n + ".ts"))) {
        NavigableMap<byte[], byte[]> model = new TreeMap<>(BTreeModelTest.CMP);
        for (int i = 0; i < n; i++) {
          model.put(ByteBuffer.allocate(4).putInt(i).array(), new byte[100]);
        }
        BTree t = f.tree("t");
        t.bulkLoad(model.entrySet().iterator());
        BTreeModelTest.assertContent(model, t);
        f.flush();
        InvariantChecker.check(f);
      }
    }
  }

  @Test
  void bulkLoadRejectsUnsortedInputAndLeavesNothingBehind() {
    try (BTreeFile f = BTreeFile.open(dir.resolve("bad.ts"))) {
      BTree t = f.tree("t");
      List<Map.Entry<byte[], byte[]>> entries = new ArrayList<>();
      for (int i = 0; i < 5000; i++) {
        entries.add(Map.entry(ByteBuffer.allocate(4).putInt(i).array(), new byte[300]));
      }
      entries.add(Map.entry(ByteBuffer.allocate(4).putInt(7).array(), new byte[1]));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> t.bulkLoad(entries.iterator()));
      assertTrue(e.getMessage().contains("ascending"), e.getMessage());
      assertEquals(0, t.size());
      assertFalse(t.cursor().first());
      f.flush();
      InvariantChecker.check(f);
      t.put("x".getBytes(), "y".getBytes());
      assertThrows(IllegalStateException.class,
          () -> t.bulkLoad(List.of(Map.entry("a".getBytes(), "b".getBytes())).iterator()));
    }
  }

  @Test
  void treesUserDataAndReopen() {
    Path p = dir.resolve("multi.ts");
    try (BTreeFile f = BTreeFile.open(p)) {
      f.tree("nodes").put("n1".getBytes(), "root".getBytes());
      f.tree("pages").put("p1".getBytes(), "n1".getBytes());
      f.tree("empty");
      f.flush("checkpoint-lsn=42".getBytes());
    }
    try (BTreeFile f = BTreeFile.open(p)) {
      assertEquals(java.util.Set.of("nodes", "pages", "empty"), f.treeNames());
      assertArrayEquals("root".getBytes(), f.tree("nodes").get("n1".getBytes()));
      assertArrayEquals("n1".getBytes(), f.tree("pages").get("p1".getBytes()));
      assertEquals(0, f.tree("empty").size());
      assertArrayEquals("checkpoint-lsn=42".getBytes(), f.userData());
      assertNull(f.tree("nodes").get("n2".getBytes()));
      InvariantChecker.check(f);
    }
  }

  @Test
  void writeBatchesAreAtomicForReadersAndRollBackOnFailure() throws Exception {
    try (BTreeFile f = BTreeFile.open(dir.resolve("batch.ts"),
        BTreeOptions.defaults().withCacheBytes(8 * 4096))) {
      f.tree("a");
      f.tree("b");
      // Invariant: for every i, a[i] + b[i] == 1000.
      f.write(w -> {
        for (int i = 0; i < 500; i++) {
          w.put("a", key(i), num(1000));
          w.put("b", key(i), num(0));
        }
      });
      f.flush();
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicReference<Throwable> error =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread reader = Thread.ofPlatform().name("batch-reader").start(() -> {
        try {
          while (!stop.get()) {
            try (Snapshot s = f.snapshot()) {
              TreeReader a = s.tree("a");
              TreeReader b = s.tree("b");
              for (int i = 0; i < 500; i += 7) {
                long sum = ByteBuffer.wrap(a.get(key(i))).getLong()
                    + ByteBuffer.wrap(b.get(key(i))).getLong();
                assertEquals(1000, sum, "torn batch visible at " + i);
              }
            }
          }
        } catch (Throwable t) {
          error.set(t);
        }
      });
      Random rnd = new Random(4);
      for (int round = 0; round < 300 && error.get() == null; round++) {
        f.write(w -> {
          for (int j = 0; j < 20; j++) {
            int i = rnd.nextInt(500);
            long x = rnd.nextInt(1001);
            w.put("a", key(i), num(x));
            w.put("b", key(i), num(1000 - x));
          }
        });
        if (round % 50 == 0) {
          f.flush();
        }
      }
      stop.set(true);
      reader.join();
      if (error.get() != null) {
        throw new AssertionError(error.get());
      }
      // A failing body applies nothing.
      byte[] before = f.tree("a").get(key(1));
      assertThrows(IllegalStateException.class, () -> f.write(w -> {
        w.put("a", key(1), num(-1));
        assertArrayEquals(num(-1), w.get("a", key(1)), "the batch reads its own write");
        throw new IllegalStateException("abort");
      }));
      assertArrayEquals(before, f.tree("a").get(key(1)));
      assertThrows(IllegalArgumentException.class,
          () -> f.write(w -> w.put("missing", key(1), num(1))));
      f.flush();
      InvariantChecker.check(f);
    }
  }

  private static byte[] key(int i) {
    return ByteBuffer.allocate(4).putInt(i).array();
  }

  private static byte[] num(long x) {
    return ByteBuffer.allocate(8).putLong(x).array();
  }

  @Test
  void readOnlyFilesRefuseWrites() {
    Path p = dir.resolve("ro.ts");
    try (BTreeFile f = BTreeFile.open(p)) {
      f.tree("t").put("a".getBytes(), "b".getBytes());
    }
    try (BTreeFile f = BTreeFile.open(p, BTreeOptions.defaults().withReadOnly(true))) {
      BTree t = f.tree("t");
      assertArrayEquals("b".getBytes(), t.get("a".getBytes()));
      assertThrows(StorageException.class, () -> t.put("c".getBytes(), "d".getBytes()));
      assertThrows(StorageException.class, () -> f.tree("new"));
    }
    assertThrows(StorageException.class,
        () -> BTreeFile.open(dir.resolve("missing.ts"), BTreeOptions.defaults().withCreate(false)));
    assertFalse(Files.exists(dir.resolve("missing.ts")));
  }

  @Test
  void invalidOptionsAndNamesAreRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> BTreeOptions.defaults().withPageSize(3000));
    assertThrows(IllegalArgumentException.class,
        () -> BTreeOptions.defaults().withPageSize(1 << 17));
    assertThrows(IllegalArgumentException.class,
        () -> BTreeOptions.defaults().withCacheBytes(-1));
    try (BTreeFile f = BTreeFile.open(dir.resolve("n.ts"))) {
      assertThrows(IllegalArgumentException.class, () -> f.tree(""));
      assertThrows(IllegalArgumentException.class, () -> f.tree("x".repeat(256)));
      assertThrows(IllegalArgumentException.class,
          () -> f.flush(new byte[4096]), "user data larger than the meta page");
    }
  }
}
