package io.treestore.page;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.testkit.DelegatingChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The page file on its own: creation, page round trips at every supported page size, the
 * alternating meta pages and their generation rule, checksum and misplaced-page detection
 * with file and offset, page-size detection when page 0 is damaged, refusal of bad input,
 * and the fsync-failure rule (never retried: the file turns read-only). Also the reader
 * table's epoch rule, the page cache's byte weighting and its derived entries.
 */
class PageFileTest {
  @TempDir Path dir;

  private static PageFileOptions opts(int pageSize) {
    return new PageFileOptions(pageSize, true, false, ChannelFactory.DEFAULT);
  }

  private static byte[] page(int size, int fill) {
    byte[] p = new byte[size];
    for (int i = PageFile.HEADER_SIZE; i < size; i++) {
      p[i] = (byte) (fill + i);
    }
    return p;
  }

  @ParameterizedTest(name = "{0}-byte pages")
  @ValueSource(ints = {4096, 8192, 16384, 32768, 65536})
  void pagesAndMetaRoundTripAtEveryPageSize(int ps) {
    Path f = dir.resolve("p" + ps);
    try (PageFile pf = PageFile.open(f, opts(ps))) {
      assertEquals(0, pf.meta().generation());
      assertFalse(Files.exists(dir.resolve("p" + ps + ".creating")));
      pf.writePage(2, PageType.LEAF, 1, page(ps, 7));
      pf.writePage(3, PageType.OVERFLOW, 1, page(ps, 9));
      pf.sync();
      pf.commitMeta(1, 4, new byte[] {1, 2, 3});
    }
    try (PageFile pf = PageFile.open(f, opts(4096))) {
      assertEquals(ps, pf.pageSize(), "an existing file keeps its page size");
      assertEquals(new Meta(1, 4, new byte[] {1, 2, 3}), pf.meta());
      byte[] p = pf.readPage(2);
      assertEquals(PageType.LEAF, PageFile.typeOf(p));
      assertEquals(1, PageFile.generationOf(p));
      assertArrayEquals(java.util.Arrays.copyOfRange(page(ps, 7), PageFile.HEADER_SIZE, ps),
          java.util.Arrays.copyOfRange(p, PageFile.HEADER_SIZE, ps));
      assertEquals(PageType.OVERFLOW, PageFile.typeOf(pf.readPage(3)));
    }
  }

  @Test
  void theValidMetaPageWithTheHigherGenerationWins() throws IOException {
    Path f = dir.resolve("gens");
    try (PageFile pf = PageFile.open(f, opts(4096))) {
      for (long g = 1; g <= 5; g++) {
        pf.commitMeta(g, 2, new byte[] {(byte) g});
      }
      assertThrows(IllegalArgumentException.class, () -> pf.commitMeta(7, 2, new byte[0]),
          "generations must follow each other");
      assertThrows(IllegalArgumentException.class,
          () -> pf.commitMeta(6, 2, new byte[pf.maxMetaPayload() + 1]));
    }
    // Generation 5 lives in slot 1; damage it and generation 4 (slot 0) is used.
    flip(f, 4096 + 100);
    try (PageFile pf = PageFile.open(f, opts(4096))) {
      assertEquals(4, pf.meta().generation());
      assertTrue(pf.metaDamage().orElseThrow().startsWith("meta page 1 "),
          pf.metaDamage().toString());
      pf.commitMeta(5, 2, new byte[0]);
      assertTrue(pf.metaDamage().isEmpty(), "rewriting the damaged slot repairs it");
    }
  }

  @Test
  void pageSizeIsFoundFromPageOneWhenPageZeroIsDamaged() throws IOException {
    Path f = dir.resolve("probe");
    try (PageFile pf = PageFile.open(f, opts(16384))) {
      pf.commitMeta(1, 2, new byte[] {42});
    }
    flip(f, 36); // the page-size field of meta page 0
    try (PageFile pf = PageFile.open(f, opts(4096))) {
      assertEquals(16384, pf.pageSize());
      assertArrayEquals(new byte[] {42}, pf.meta().payload());
    }
  }

  @Test
  void damagedAndMisplacedPagesAreReportedWithFileAndOffset() throws IOException {
    Path f = dir.resolve("damage");
    try (PageFile pf = PageFile.open(f, opts(4096))) {
      pf.writePage(2, PageType.LEAF, 1, page(4096, 1));
      pf.writePage(3, PageType.LEAF, 1, page(4096, 2));
      pf.sync();
      pf.commitMeta(1, 4, new byte[0]);
    }
    flip(f, 2 * 4096 + 1000);
    // A valid page copied to the wrong place: its header names page 3.
    byte[] p3 = new byte[4096];
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ch.read(ByteBuffer.wrap(p3), 3 * 4096);
      ch.write(ByteBuffer.wrap(p3), 4 * 4096);
    }
    try (PageFile pf = PageFile.open(f, opts(4096))) {
      CorruptionException e = assertThrows(CorruptionException.class, () -> pf.readPage(2));
      assertEquals(f, e.file());
      assertEquals(2 * 4096, e.offset());
      assertEquals(2, e.pageId());
      assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
      CorruptionException m = assertThrows(CorruptionException.class, () -> pf.readPage(4));
      assertTrue(m.getMessage().contains("names page 3"), m.getMessage());
      CorruptionException beyond = assertThrows(CorruptionException.class,
          () -> pf.readPage(100));
      assertEquals(100 * 4096, beyond.offset());
      assertThrows(CorruptionException.class, () -> pf.readPage(Long.MAX_VALUE / 2));
    }
  }

  @Test
  void badInputIsRefusedWithoutTouchingTheFile() throws IOException {
    assertThrows(IllegalArgumentException.class, () -> opts(5000));
    assertThrows(IllegalArgumentException.class, () -> opts(2048));
    assertThrows(IllegalArgumentException.class, () -> opts(1 << 17));
    Path f = dir.resolve("bad");
    try (PageFile pf = PageFile.open(f, opts(4096))) {
      assertThrows(IllegalArgumentException.class,
          () -> pf.writePage(1, PageType.LEAF, 1, new byte[4096]), "meta pages");
      assertThrows(IllegalArgumentException.class,
          () -> pf.writePage(2, PageType.META, 1, new byte[4096]));
      assertThrows(IllegalArgumentException.class,
          () -> pf.writePage(2, PageType.LEAF, 1, new byte[100]));
      assertThrows(IllegalArgumentException.class, () -> pf.readPage(0));
    }
    assertEquals(2 * 4096, Files.size(f));
    Files.write(dir.resolve("empty"), new byte[0]);
    assertThrows(CorruptionException.class, () -> PageFile.open(dir.resolve("empty"), opts(4096)));
    Files.write(dir.resolve("junk"), new byte[9000]);
    assertThrows(CorruptionException.class, () -> PageFile.open(dir.resolve("junk"), opts(4096)));
    assertThrows(StorageException.class, () -> PageFile.open(dir.resolve("missing"),
        new PageFileOptions(4096, false, false, ChannelFactory.DEFAULT)));
  }

  @Test
  void aFailedSyncIsNeverRetriedAndTheFileTurnsReadOnly() {
    AtomicBoolean failSync = new AtomicBoolean();
    AtomicLong syncs = new AtomicLong();
    ChannelFactory faulty = (path, options) -> new FailingForce(
        FileChannel.open(path, options), path, failSync, syncs);
    Path f = dir.resolve("fsync");
    try (PageFile pf = PageFile.open(f, new PageFileOptions(4096, true, false, faulty))) {
      pf.writePage(2, PageType.LEAF, 1, page(4096, 3));
      failSync.set(true);
      StorageException e = assertThrows(StorageException.class, pf::sync);
      assertTrue(e.getMessage().contains("fsync failed"), e.getMessage());
      failSync.set(false);
      long before = syncs.get();
      assertTrue(pf.isReadOnly());
      assertThrows(StorageException.class, pf::sync, "no retry after a failed fsync");
      assertThrows(StorageException.class, () -> pf.commitMeta(1, 3, new byte[0]));
      assertThrows(StorageException.class,
          () -> pf.writePage(2, PageType.LEAF, 1, page(4096, 3)));
      assertEquals(before, syncs.get(), "the failed sync was not retried");
      assertEquals(PageType.LEAF, PageFile.typeOf(pf.readPage(2)), "reads still work");
    }
  }

  @Test
  void readersPinGenerationsUntilTheyClose() throws Exception {
    ReaderTable t = new ReaderTable(5);
    assertEquals(5, t.oldestPinned());
    ReaderTable.Pin a = t.pin();
    t.advance(6);
    ReaderTable.Pin b = t.pin();
    t.advance(7);
    assertEquals(5, t.oldestPinned(), "a reader of generation 5 is still open");
    a.close();
    a.close();
    assertEquals(6, t.oldestPinned());
    b.close();
    assertEquals(7, t.oldestPinned());
    assertThrows(IllegalArgumentException.class, () -> t.advance(7));
    // Many threads pinning while generations advance: a pin never lands on a retired epoch
    // unseen by oldestPinned.
    List<Thread> threads = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong violations = new AtomicLong();
    long[] floor = {7};
    for (int i = 0; i < 3; i++) {
      threads.add(Thread.ofPlatform().name("pinner-" + i).start(() -> {
        while (!stop.get()) {
          try (ReaderTable.Pin p = t.pin()) {
            if (p.generation() < floor[0] - 1) {
              violations.incrementAndGet();
            }
          }
        }
      }));
    }
    for (long g = 8; g < 5000; g++) {
      t.advance(g);
      floor[0] = g;
      assertTrue(t.oldestPinned() <= g);
    }
    stop.set(true);
    for (Thread th : threads) {
      th.join();
    }
    assertEquals(0, t.activeReaders());
    assertEquals(4999, t.oldestPinned());
  }

  @Test
  void theCacheHoldsPagesByByteWeightAndCountsHitsAndMisses() {
    PageCache c = new PageCache(10 * 4096, 4096);
    AtomicLong decodes = new AtomicLong();
    for (int round = 0; round < 3; round++) {
      for (long id = 2; id < 7; id++) {
        assertEquals("page" + id, c.get(id, k -> {
          decodes.incrementAndGet();
          return "page" + k;
        }));
      }
    }
    assertEquals(5, decodes.get(), "each page decoded once while it fits");
    CacheStats s = c.stats();
    assertEquals(10, s.hits());
    assertEquals(5, s.misses());
    assertEquals(5 * 4096, s.sizeBytes());
    c.put(3, "rewritten");
    assertEquals("rewritten", c.get(3, k -> "stale"));
    for (long id = 100; id < 200; id++) {
      c.put(id, "x");
    }
    c.get(1000, k -> "y");
    assertTrue(c.stats().sizeBytes() <= 10 * 4096 + 4096, "bounded by bytes: " + c.stats());
    assertThrows(IllegalArgumentException.class, () -> new PageCache(-1, 4096));
    assertEquals(1.0, new PageCache(0, 4096).stats().hitRate());
  }

  @Test
  void derivedEntriesWeighTheirSizeAndDieWithTheirPage() {
    PageCache c = new PageCache(64 * 4096, 4096);
    AtomicLong computes = new AtomicLong();
    java.util.function.LongFunction<byte[]> assemble = id -> {
      computes.incrementAndGet();
      return new byte[] {(byte) id, (byte) computes.get()};
    };
    byte[] first = c.getDerived(7, 10_000, assemble);
    assertTrue(first == c.getDerived(7, 10_000, assemble), "a hit returns the same array");
    assertEquals(1, computes.get());
    assertEquals(10_000, c.stats().sizeBytes(), "weighs its own size, not a page");
    // The page's own entry and the derived one do not collide.
    assertEquals("page 7", c.get(7, k -> "page " + k));
    assertEquals(10_000 + 4096, c.stats().sizeBytes());
    // Writing the page again drops what was derived from its old contents.
    c.put(7, "page 7 again");
    byte[] second = c.getDerived(7, 10_000, assemble);
    assertEquals(2, computes.get());
    assertEquals(2, second[1]);
    c.invalidate(7);
    c.getDerived(7, 10_000, assemble);
    assertEquals(3, computes.get(), "invalidate drops the derived entry too");
    // More than a sixteenth of the capacity: computed every time, never cached.
    c.getDerived(9, 64 * 4096 / 16 + 1, assemble);
    c.getDerived(9, 64 * 4096 / 16 + 1, assemble);
    assertEquals(5, computes.get());
    // A failing computation caches nothing.
    assertThrows(CorruptionException.class, () -> c.getDerived(11, 100, id -> {
      throw new CorruptionException(Path.of("f"), 11 * 4096L, 11, "damaged");
    }));
    assertEquals(11, c.<byte[]>getDerived(11, 100, assemble)[0]);
    // No capacity: values are computed but not kept.
    PageCache none = new PageCache(0, 4096);
    none.getDerived(3, 100, assemble);
    none.getDerived(3, 100, assemble);
    assertEquals(8, computes.get());
  }

  private static void flip(Path f, long offset) throws IOException {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ 0x5A));
      b.rewind();
      ch.write(b, offset);
    }
  }

  /** A channel whose {@code force} can be made to fail; counts the calls that reach disk. */
  private static final class FailingForce extends DelegatingChannel {
    private final AtomicBoolean fail;
    private final AtomicLong syncs;

    FailingForce(FileChannel d, Path path, AtomicBoolean fail, AtomicLong syncs) {
      super(d, path);
      this.fail = fail;
      this.syncs = syncs;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      if (fail.get()) {
        throw new IOException("Input/output error (injected)");
      }
      syncs.incrementAndGet();
      super.force(metaData);
    }
  }
}
