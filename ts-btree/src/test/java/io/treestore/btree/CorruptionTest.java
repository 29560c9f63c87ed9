package io.treestore.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.treestore.btree.internal.Branch;
import io.treestore.btree.internal.Layout;
import io.treestore.btree.internal.Leaf;
import io.treestore.btree.internal.Node;
import io.treestore.btree.internal.OverflowRef;
import io.treestore.page.ChannelFactory;
import io.treestore.page.CorruptionException;
import io.treestore.page.PageFile;
import io.treestore.page.PageFileOptions;
import io.treestore.page.PageType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Damaged files: bytes flipped in a leaf, a branch, an overflow page, one or both meta pages,
 * a page overwritten by another valid page (a misdirected write), and a truncated file.
 *
 * <p>Proves that reading damaged data raises {@link CorruptionException} naming the file and
 * the damaged page's offset and id, and never returns wrong data: every read that does not
 * touch the damaged page returns exactly the value written, every read that does fails, and
 * scans return a correct prefix (or suffix, in reverse) before failing. A damaged meta page
 * makes the file open at the other one's state (the older generation when the newer one is
 * damaged); with both damaged, or the file truncated, opening fails. {@link BTreeFile#check()}
 * reports the damaged page.
 *
 * <p>The file is built once per test with a deterministic workload: tree {@code t} holds long
 * keys with a shared 100-byte prefix (so the tree is three levels deep) and some values that
 * need overflow chains; which page is damaged, and how, is seeded. The seed is printed.
 */
class CorruptionTest {
  private static final int PAGE = 4096;
  private static final long SEED = Long.getLong("ts.seed", 0xC0DE_0000L);
  private static final java.util.Comparator<byte[]> UNSIGNED = Arrays::compareUnsigned;

  /** Puts the seed in front of every failure. */
  @RegisterExtension
  static final TestExecutionExceptionHandler SEED_ON_FAILURE = (context, t) -> {
    AssertionError e = new AssertionError("seed " + SEED + " (rerun with -Dts.seed=" + SEED
        + "): " + t, t);
    e.setStackTrace(t.getStackTrace());
    throw e;
  };

  @TempDir Path dir;
  private Path file;
  private NavigableMap<byte[], byte[]> expected;
  private PageMap pages;

  @BeforeEach
  void build() {
    file = dir.resolve("damaged.ts");
    expected = new TreeMap<>(UNSIGNED);
    Random rnd = new Random(SEED);
    try (BTreeFile f = BTreeFile.open(file)) {
      BTree t = f.tree("t");
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < 3000; i++) {
        order.add(i);
      }
      java.util.Collections.shuffle(order, rnd);
      for (int i : order) {
        byte[] v = new byte[i % 300 == 7 ? 20_000 + rnd.nextInt(5000) : 20 + rnd.nextInt(40)];
        rnd.nextBytes(v);
        t.put(key(i), v);
        expected.put(key(i), v);
      }
      f.tree("other").put(key(1), new byte[] {1, 2, 3});
      f.flush();
    }
    pages = PageMap.of(file, "t");
    assertTrue(pages.depth >= 3, "tree depth " + pages.depth + ", the test needs 3 levels");
  }

  private static byte[] key(int i) {
    return ("p".repeat(100) + String.format("%06d", i)).getBytes(StandardCharsets.US_ASCII);
  }

  // ------------------------------------------------------------------ node and overflow pages

  /** Where in a page to damage it: a header field, the payload, the zero tail. */
  static Stream<Arguments> positions() {
    return Stream.of(
        Arguments.of("checksum", 1),
        Arguments.of("type", 4),
        Arguments.of("page id", 15),
        Arguments.of("generation", 23),
        Arguments.of("entry count", 25),
        Arguments.of("payload", 200),
        Arguments.of("middle", PAGE / 2),
        Arguments.of("last byte", PAGE - 1));
  }

  @ParameterizedTest(name = "leaf, {0} byte")
  @MethodSource("positions")
  void damagedLeafIsReportedNeverRead(String what, int offset) {
    long leaf = pages.pick(PageType.LEAF, new Random(SEED + offset));
    flip(file, leaf * PAGE + offset, new Random(SEED + offset));
    assertReadsFailExactlyAt(leaf, pages.keysUnder.get(leaf));
  }

  @ParameterizedTest(name = "branch, {0} byte")
  @MethodSource("positions")
  void damagedBranchIsReportedNeverRead(String what, int offset) {
    long branch = pages.pick(PageType.BRANCH, new Random(SEED + offset));
    flip(file, branch * PAGE + offset, new Random(SEED + offset));
    assertReadsFailExactlyAt(branch, pages.keysUnder.get(branch));
  }

  @ParameterizedTest(name = "overflow, {0} byte")
  @MethodSource("positions")
  void damagedOverflowPageIsReportedNeverRead(String what, int offset) {
    long overflow = pages.pick(PageType.OVERFLOW, new Random(SEED + offset));
    flip(file, overflow * PAGE + offset, new Random(SEED + offset));
    assertReadsFailExactlyAt(overflow, pages.keysUnder.get(overflow));
  }

  /** A valid page of another id written at the wrong place: the header names the other id. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"LEAF", "BRANCH", "OVERFLOW"})
  void misdirectedWriteIsReported(String type) throws IOException {
    Random rnd = new Random(SEED);
    long victim = pages.pick(PageType.valueOf(type), rnd);
    long source;
    do {
      source = pages.pick(PageType.valueOf(type), rnd);
    } while (source == victim);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(PAGE);
      ch.read(b, source * PAGE);
      ch.write(b.flip(), victim * PAGE);
    }
    assertReadsFailExactlyAt(victim, pages.keysUnder.get(victim));
  }

  /** The root is read when the file opens: damage there fails the open, naming the page. */
  @Test
  void damagedRootFailsTheOpenNamingIt() {
    flip(file, pages.root * PAGE + 300, new Random(SEED));
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> BTreeFile.open(file).closeWithoutFlush());
    assertNames(e, pages.root);
  }

  // ------------------------------------------------------------------ meta pages

  @ParameterizedTest(name = "newer meta damaged at byte {0}")
  @ValueSource(ints = {2, 4, 12, 20, 30, 38, 44, 50, 60, PAGE - 1})
  void damagedNewerMetaOpensAtTheOlderGeneration(int offset) {
    NavigableMap<byte[], byte[]> older = copy(expected);
    long gen = modifyAndFlush();
    assertEquals(2, gen);
    flip(file, (gen % 2) * PAGE + offset, new Random(SEED + offset));
    try (BTreeFile f = BTreeFile.open(file)) {
      assertEquals(1, f.generation());
      assertContent(f, older);
      List<String> problems = f.check().problems();
      assertEquals(1, problems.size(), "the damaged meta page is reported: " + problems);
      assertTrue(problems.get(0).contains("meta page " + (gen % 2)), problems.get(0));
      // The next flush rewrites the damaged slot; the file is whole again.
      f.tree("t").put(key(5000), new byte[] {5});
      older.put(key(5000), new byte[] {5});
      assertEquals(2, f.flush());
      assertEquals(List.of(), f.check().problems());
    }
    try (BTreeFile f = BTreeFile.open(file)) {
      assertEquals(2, f.generation());
      assertContent(f, older);
      assertEquals(List.of(), f.check().problems());
    }
  }

  @ParameterizedTest(name = "older meta damaged at byte {0}")
  @ValueSource(ints = {2, 4, 12, 30, 44, 60})
  void damagedOlderMetaOpensAtTheNewerGeneration(int offset) {
    long gen = modifyAndFlush();
    flip(file, ((gen - 1) % 2) * PAGE + offset, new Random(SEED + offset));
    try (BTreeFile f = BTreeFile.open(file)) {
      assertEquals(gen, f.generation());
      assertContent(f, expected);
    }
  }

  /**
   * {@code check()} must report a damaged meta page: the file still opens through the other
   * one, but has lost its fallback, and guarantee 4 says {@code check} finds every damage.
   */
  @Test
  void checkReportsADamagedMetaPage() {
    long gen = modifyAndFlush();
    long slot = (gen - 1) % 2;
    flip(file, slot * PAGE + 100, new Random(SEED));
    try (BTreeFile f = BTreeFile.open(file)) {
      CheckReport r = f.check();
      assertTrue(r.problems().stream().anyMatch(p -> p.contains("meta page " + slot)
              || p.contains("(page " + slot + ")")),
          "check() does not report damaged meta page " + slot + " at offset " + slot * PAGE
              + ": " + r);
    }
  }

  @Test
  void bothMetaPagesDamagedFailsTheOpen() {
    modifyAndFlush();
    flip(file, 30, new Random(SEED));
    flip(file, PAGE + 30, new Random(SEED + 1));
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> BTreeFile.open(file).closeWithoutFlush());
    assertEquals(file, e.file());
    assertEquals(0, e.pageId());
    assertEquals(0, e.offset());
    assertTrue(e.getMessage().contains("meta"), e.getMessage());
  }

  // ------------------------------------------------------------------ truncation

  @ParameterizedTest(name = "truncated to {0} (-1 = one byte short, -2 = half the pages)")
  @ValueSource(longs = {100, PAGE, PAGE + 100, 2 * PAGE, -2, -1})
  void truncatedFileFailsTheOpen(long length) throws IOException {
    long size = file.toFile().length();
    long cut = length == -1 ? size - 1 : length == -2 ? size / PAGE / 2 * PAGE : length;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(cut);
    }
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> BTreeFile.open(file).closeWithoutFlush());
    assertEquals(file, e.file());
    if (cut < 2 * PAGE) {
      // The meta pages themselves are cut: no valid meta page (or only one, whose page count
      // exceeds the file).
      assertTrue(e.offset() == 0 || e.offset() == cut, "offset " + e.offset());
    } else {
      assertEquals(cut, e.offset(), "the damage starts where the file ends");
    }
    assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("meta"),
        e.getMessage());
  }

  // ------------------------------------------------------------------ writes over damage

  /**
   * A write that fails on damaged data must change nothing. Replacing a large value first
   * releases its overflow chain page by page ({@code NodeStore.retireValue}); when a later page
   * of the chain is damaged the put fails, but the pages released before stay in the list of
   * pages to free at the next flush although the tree still references them. That flush then
   * records live pages as free.
   */
  @Test
  void failedPutOverDamagedChainFreesNoLivePage() {
    Map.Entry<ByteKey, List<Long>> chain = pages.chains.entrySet().iterator().next();
    long damaged = chain.getValue().get(1);
    flip(file, damaged * PAGE + 200, new Random(SEED));
    try (BTreeFile f = BTreeFile.open(file)) {
      BTree t = f.tree("t");
      CorruptionException e = assertThrows(CorruptionException.class,
          () -> t.put(chain.getKey().bytes(), new byte[] {1}));
      assertNames(e, damaged);
      t.put(key(9000), new byte[] {9});
      f.flush();
      List<String> problems = f.check().problems();
      assertTrue(problems.stream().noneMatch(p -> p.contains("used twice")),
          "a failed put released pages the tree still uses: " + problems);
    }
  }

  /**
   * Continues {@link #failedPutOverDamagedChainFreesNoLivePage} to its consequence: once the
   * wrongly released first page of the chain is reused by a new value of the same size,
   * reading the old key must fail, not return the new value's bytes.
   */
  @Test
  void failedPutOverDamagedChainNeverLeadsToWrongData() {
    Map.Entry<ByteKey, List<Long>> chain = pages.chains.entrySet().iterator().next();
    byte[] k = chain.getKey().bytes();
    long damaged = chain.getValue().get(1);
    flip(file, damaged * PAGE + 200, new Random(SEED));
    byte[] other = new byte[expected.get(k).length];
    new Random(SEED).nextBytes(other);
    try (BTreeFile f = BTreeFile.open(file)) {
      BTree t = f.tree("t");
      assertThrows(CorruptionException.class, () -> t.put(k, new byte[] {1}));
      t.put(key(9000), new byte[] {9});
      f.flush();
      t.put(key(9001), other);
      f.flush();
      t.put(key(9002), other);
      f.flush();
      byte[] v;
      try {
        v = t.get(k);
      } catch (CorruptionException e) {
        return; // the damage is reported: fine
      }
      assertFalse(Arrays.equals(v, other), "get returned another key's value");
      assertArrayEquals(expected.get(k), v, "get returned wrong data");
    }
  }

  /**
   * A branch whose checksum is valid but which lists itself as a child (a cycle, as a bug in a
   * writer could produce) must be reported by {@code check()}, not crash it.
   */
  @Test
  void checkReportsABranchThatIsItsOwnChild() throws IOException {
    long branch = pages.levels.entrySet().stream()
        .filter(e -> e.getValue() == 2 && pages.types.get(e.getKey()) == PageType.BRANCH)
        .map(Map.Entry::getKey).findFirst().orElseThrow();
    rewrite(file, branch, b -> b.putLong(PageFile.HEADER_SIZE + 2, branch));
    try (BTreeFile f = BTreeFile.open(file)) {
      CheckReport r;
      try {
        r = f.check();
      } catch (StackOverflowError e) {
        throw new AssertionError("check() recursed forever through page " + branch, e);
      }
      assertTrue(r.problems().stream().anyMatch(p -> p.contains("page " + branch)),
          r.toString());
    }
  }

  /**
   * A meta page whose checksum is valid but whose page count exceeds the file must be refused
   * at open, whatever the count: {@code pageCount * pageSize} must not overflow.
   */
  @ParameterizedTest(name = "page count {0}")
  @ValueSource(longs = {1L << 40, 1L << 51, 1L << 52, (1L << 52) + 100})
  void metaPageCountBeyondTheFileFailsTheOpen(long pageCount) throws IOException {
    // Generation 1 is in meta page 1; page 0 still holds generation 0 (page count 2).
    rewrite(file, 1, b -> b.putLong(40, pageCount));
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> BTreeFile.open(file).closeWithoutFlush(),
        "opened a file of " + file.toFile().length() + " bytes whose meta page says it has "
            + pageCount + " pages");
    assertEquals(file, e.file());
  }

  // ------------------------------------------------------------------ helpers

  /** Deletes and adds some entries and flushes (generation 2); updates {@link #expected}. */
  private long modifyAndFlush() {
    try (BTreeFile f = BTreeFile.open(file)) {
      BTree t = f.tree("t");
      for (int i = 0; i < 3000; i += 7) {
        t.delete(key(i));
        expected.remove(key(i));
      }
      for (int i = 3000; i < 3100; i++) {
        t.put(key(i), new byte[] {(byte) i});
        expected.put(key(i), new byte[] {(byte) i});
      }
      return f.flush();
    }
  }

  /**
   * Reopens the file and reads every key, both scans and {@code check()}: reads of
   * {@code mustFail} fail with a {@link CorruptionException} naming {@code page}, every other
   * read returns the written value, scans return a correct prefix (suffix) and then fail.
   */
  private void assertReadsFailExactlyAt(long page, Set<ByteKey> mustFail) {
    assertFalse(mustFail.isEmpty());
    try (BTreeFile f = BTreeFile.open(file, BTreeOptions.defaults().withCacheBytes(0))) {
      BTree t = f.tree("t");
      for (Map.Entry<byte[], byte[]> e : expected.entrySet()) {
        boolean damaged = mustFail.contains(new ByteKey(e.getKey()));
        try {
          byte[] v = t.get(e.getKey());
          assertFalse(damaged, "read of a key stored under damaged page " + page
              + " returned data");
          assertArrayEquals(e.getValue(), v, "value of an undamaged key");
        } catch (CorruptionException ce) {
          assertTrue(damaged, "read of a key not under page " + page + " failed: " + ce);
          assertNames(ce, page);
        }
      }
      List<Map.Entry<byte[], byte[]>> all = new ArrayList<>(expected.entrySet());
      assertScanFails(t, Range.all(), all, page);
      assertScanFails(t, Range.all().reversed(), all.reversed(), page);
      assertEquals(3, f.tree("other").get(key(1)).length, "other trees stay readable");
      CheckReport r = f.check();
      assertTrue(r.problems().stream().anyMatch(p -> p.contains(file.toString())
              && p.contains("offset " + page * PAGE) && p.contains("(page " + page + ")")),
          "check() must name page " + page + " at offset " + page * PAGE + ": " + r);
    }
  }

  private void assertScanFails(BTree t, Range range, List<Map.Entry<byte[], byte[]>> all,
      long page) {
    int i = 0;
    try (EntryIterator it = t.scan(range)) {
      while (it.hasNext()) {
        Entry e = it.next();
        assertArrayEquals(all.get(i).getKey(), e.key(), "key " + i + " of the scan");
        assertArrayEquals(all.get(i).getValue(), e.value(), "value " + i + " of the scan");
        i++;
      }
      fail("a scan over damaged page " + page + " ended normally after " + i + " entries");
    } catch (CorruptionException ce) {
      assertNames(ce, page);
    }
  }

  private void assertNames(CorruptionException e, long page) {
    assertEquals(file, e.file(), "file named by " + e);
    assertEquals(page, e.pageId(), "page named by " + e);
    assertEquals(page * PAGE, e.offset(), "offset named by " + e);
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  private static void assertContent(BTreeFile f, NavigableMap<byte[], byte[]> want) {
    List<Entry> got = new ArrayList<>();
    try (EntryIterator it = f.tree("t").scan(Range.all())) {
      it.forEachRemaining(got::add);
    }
    assertEquals(want.size(), got.size(), "entries");
    int i = 0;
    for (Map.Entry<byte[], byte[]> e : want.entrySet()) {
      assertArrayEquals(e.getKey(), got.get(i).key(), "key " + i);
      assertArrayEquals(e.getValue(), got.get(i).value(), "value " + i);
      i++;
    }
  }

  private static NavigableMap<byte[], byte[]> copy(NavigableMap<byte[], byte[]> m) {
    NavigableMap<byte[], byte[]> c = new TreeMap<>(UNSIGNED);
    c.putAll(m);
    return c;
  }

  /** XORs the byte at {@code offset} with a seeded non-zero mask. */
  static void flip(Path file, long offset, Random rnd) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ (1 + rnd.nextInt(255))));
      ch.write(b.rewind(), offset);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Edits a page in place and recomputes its checksum, so the edit passes validation. */
  static void rewrite(Path file, long page, java.util.function.Consumer<ByteBuffer> edit)
      throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(PAGE);
      ch.read(b, page * PAGE);
      edit.accept(b);
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      crc.update(b.array(), 4, PAGE - 4);
      b.putInt(0, (int) crc.getValue());
      ch.write(b.rewind(), page * PAGE);
    }
  }

  /** A byte array with value equality, for sets of keys. */
  record ByteKey(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof ByteKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }

  /**
   * The pages of one tree, found by walking it from the durable meta page with the on-disk
   * format of {@link Layout} (the test's independent view of which page holds what).
   */
  static final class PageMap {
    final Map<Long, PageType> types = new TreeMap<>();
    final Map<Long, Set<ByteKey>> keysUnder = new TreeMap<>();
    /** The overflow chain of each large value, in chain order. */
    final Map<ByteKey, List<Long>> chains = new java.util.LinkedHashMap<>();
    /** The level of each branch and leaf, 1 for the root. */
    final Map<Long, Integer> levels = new TreeMap<>();
    long root;
    int depth;

    static PageMap of(Path path, String tree) {
      PageMap m = new PageMap();
      try (PageFile pf = PageFile.open(path,
          new PageFileOptions(PAGE, false, true, ChannelFactory.DEFAULT))) {
        Layout layout = new Layout(pf.pageSize());
        long catalog = ByteBuffer.wrap(pf.meta().payload()).getLong(0);
        Leaf cat = (Leaf) layout.decode(pf, catalog, pf.readPage(catalog));
        for (int i = 0; i < cat.count(); i++) {
          if (new String(cat.key(i), StandardCharsets.UTF_8).equals(tree)) {
            m.root = ByteBuffer.wrap((byte[]) cat.rawValue(i)).getLong(0);
          }
        }
        m.walk(pf, layout, m.root, 1);
      }
      return m;
    }

    private Set<ByteKey> walk(PageFile pf, Layout layout, long id, int level) {
      depth = Math.max(depth, level);
      Node n = layout.decode(pf, id, pf.readPage(id));
      levels.put(id, level);
      Set<ByteKey> keys = new HashSet<>();
      if (n instanceof Branch b) {
        types.put(id, PageType.BRANCH);
        for (int i = 0; i <= b.count(); i++) {
          keys.addAll(walk(pf, layout, b.childId(i), level + 1));
        }
      } else {
        Leaf l = (Leaf) n;
        types.put(id, PageType.LEAF);
        for (int i = 0; i < l.count(); i++) {
          ByteKey k = new ByteKey(l.key(i));
          keys.add(k);
          if (l.rawValue(i) instanceof OverflowRef r) {
            List<Long> chain = new ArrayList<>();
            chains.put(k, chain);
            for (long p = r.firstPage(); p != 0; ) {
              chain.add(p);
              types.put(p, PageType.OVERFLOW);
              keysUnder.put(p, Set.of(k));
              p = ByteBuffer.wrap(pf.readPage(p)).getLong(PageFile.HEADER_SIZE);
            }
          }
        }
      }
      keysUnder.put(id, keys);
      return keys;
    }

    /** A seeded choice among the pages of a type, never the root. */
    long pick(PageType type, Random rnd) {
      List<Long> ids = types.entrySet().stream()
          .filter(e -> e.getValue() == type && e.getKey() != root)
          .map(Map.Entry::getKey)
          .toList();
      return ids.get(rnd.nextInt(ids.size()));
    }
  }
}
