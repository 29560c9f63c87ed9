package io.treestore.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers run without locks while one writer updates, deletes and flushes with a tiny page
 * cache, so that pages are constantly freed, reused and evicted. Every value carries its own
 * key and a checksum, so a reader that ever touched a reused page would see a mismatch or a
 * corruption error; every scan must be strictly ordered; and a snapshot must read the same
 * content twice no matter what the writer does in between.
 */
class ConcurrentReadersTest {
  @TempDir Path dir;

  private static byte[] key(int i) {
    return String.format("key-%06d", i).getBytes();
  }

  /** Value = key, round (8 bytes), filler, CRC of everything before it. */
  private static byte[] value(byte[] key, long round, int fill) {
    ByteBuffer b = ByteBuffer.allocate(key.length + 8 + fill + 8);
    b.put(key).putLong(round);
    for (int i = 0; i < fill; i++) {
      b.put((byte) (round + i));
    }
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putLong(crc.getValue());
    return b.array();
  }

  private static void verify(byte[] key, byte[] v) {
    assertTrue(v.length >= key.length + 16, "value too short");
    assertArrayEquals(key, Arrays.copyOf(v, key.length), "value belongs to another key");
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(v, 0, v.length - 8);
    assertEquals(crc.getValue(), ByteBuffer.wrap(v).getLong(v.length - 8), "value checksum");
  }

  @Test
  void readersNeverSeeTornOrReusedPages() throws Exception {
    BTreeOptions opts = BTreeOptions.defaults().withCacheBytes(16 * 4096);
    try (BTreeFile f = BTreeFile.open(dir.resolve("c.ts"), opts)) {
      BTree t = f.tree("t");
      int n = 3000;
      for (int i = 0; i < n; i++) {
        t.put(key(i), value(key(i), 0, 60));
      }
      f.flush();
      AtomicBoolean stop = new AtomicBoolean();
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      AtomicLong reads = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        final int id = r;
        threads.add(Thread.ofPlatform().name("reader-" + r).start(() -> {
          Random rnd = new Random(100 + id);
          try {
            while (!stop.get()) {
              int kind = rnd.nextInt(3);
              if (kind == 0) {
                byte[] k = key(rnd.nextInt(n));
                // A shared read may return a large value assembled before: it must still be
                // this key's, even after its overflow pages were freed and reused.
                byte[] v = rnd.nextBoolean() ? t.get(k) : t.getShared(k);
                if (v != null) {
                  verify(k, v);
                }
              } else if (kind == 1) {
                byte[] prev = null;
                int seen = 0;
                try (EntryIterator it = t.scan(Range.atLeast(key(rnd.nextInt(n))))) {
                  while (it.hasNext() && seen++ < 200) {
                    Entry e = it.next();
                    verify(e.key(), e.value());
                    if (prev != null) {
                      assertTrue(Arrays.compareUnsigned(prev, e.key()) < 0, "scan order");
                    }
                    prev = e.key();
                  }
                }
              } else {
                try (Snapshot s = f.snapshot()) {
                  TreeReader sr = s.tree("t");
                  List<byte[]> first = new ArrayList<>();
                  sr.forEach(Range.prefix("key-001".getBytes()), e -> first.add(e.value()));
                  Thread.onSpinWait();
                  List<byte[]> second = new ArrayList<>();
                  sr.forEach(Range.prefix("key-001".getBytes()), e -> second.add(e.value()));
                  assertEquals(first.size(), second.size(), "snapshot changed size");
                  for (int i = 0; i < first.size(); i++) {
                    assertArrayEquals(first.get(i), second.get(i), "snapshot changed");
                  }
                  byte[] k = key(rnd.nextInt(n));
                  byte[] once = sr.getShared(k);
                  Thread.onSpinWait();
                  byte[] again = sr.getShared(k);
                  if (once == null) {
                    assertNull(again, "snapshot changed");
                  } else {
                    verify(k, once);
                    assertArrayEquals(once, again, "snapshot changed");
                  }
                }
              }
              reads.incrementAndGet();
            }
          } catch (Throwable e) {
            errors.add(e);
          }
        }));
      }
      Random rnd = new Random(42);
      long deadline = System.nanoTime() + 3_000_000_000L;
      long round = 1;
      while (System.nanoTime() < deadline && errors.isEmpty()) {
        for (int j = 0; j < 200; j++) {
          int i = rnd.nextInt(n);
          if (rnd.nextInt(8) == 0) {
            t.delete(key(i));
          } else {
            t.put(key(i), value(key(i), round, rnd.nextInt(4) == 0 ? 3000 : 60));
          }
        }
        f.flush();
        round++;
      }
      stop.set(true);
      for (Thread th : threads) {
        th.join();
      }
      if (!errors.isEmpty()) {
        AssertionError e = new AssertionError("reader failed after " + round + " rounds");
        errors.forEach(e::addSuppressed);
        throw e;
      }
      assertTrue(reads.get() > 100, "readers made progress: " + reads.get());
      assertTrue(round > 5, "writer made progress: " + round);
      InvariantChecker.check(f);
    }
  }
}
