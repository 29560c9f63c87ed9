package io.treestore.btree.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.treestore.btree.BTree;
import io.treestore.btree.BTreeFile;
import io.treestore.btree.BTreeOptions;
import io.treestore.btree.CheckReport;
import io.treestore.btree.Entry;
import io.treestore.btree.EntryIterator;
import io.treestore.btree.Range;
import io.treestore.page.ChannelFactory;
import io.treestore.page.CorruptionException;
import io.treestore.page.PageCache;
import io.treestore.page.PageFile;
import io.treestore.page.PageFileOptions;
import io.treestore.page.StorageException;
import io.treestore.testkit.FuzzCorpus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the decoding of on-disk B+Tree data with arbitrary bytes (Jazzer). Without the
 * {@code JAZZER_FUZZ} environment variable only the checked-in inputs under
 * {@code src/test/resources/io/treestore/btree/internal/PageDecoderFuzzTestInputs/<method>/}
 * run, as a regression test.
 *
 * <p>Proves the contract for damaged data: whatever the bytes, a reader gets either correct
 * data or a {@link CorruptionException} naming the file and a page whose offset is
 * {@code pageId * pageSize} — never another exception, a hang or wrong data.
 * <ul>
 *   <li>{@link #decodePage}: the input becomes one page of a real file (page id and CRC32C
 *       fixed up so that the input reaches the decoder, unless the input asks otherwise), is
 *       read with {@link PageFile#readPage} and decoded with {@link Layout#decode}; the
 *       decoded node is then used as readers use it: its children are loaded and its values,
 *       overflow chains included, read. A node that decodes re-encodes to the same node.
 *   <li>{@link #openFile}: a small real file (two trees, overflow values, a free list, two
 *       generations) is cut to a prefix and has bytes changed as the input says, then opened
 *       read-only, read completely and checked. What is read must be the data of the
 *       generation the file opened at, and {@code check()} must report, not throw.
 * </ul>
 */
class PageDecoderFuzzTest {
  private static final int PAGE = 4096;
  /** Longest overflow value the harness follows (a corrupt length may claim up to 1 GiB). */
  private static final int MAX_FOLLOWED_VALUE = 1 << 20;

  private static Fixture fixture;
  /** Inputs run per fuzz test method, to prove that the regression corpus was found. */
  private static final Map<String, Integer> RUNS = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Fails if Jazzer ran fewer inputs than the checked-in corpus holds (plus the empty input):
   * a corpus that is not found, e.g. because resources are not visible on the module path,
   * would otherwise pass silently.
   */
  @AfterAll
  static void everyCorpusInputRan() throws Exception {
    for (Map.Entry<String, Integer> e : RUNS.entrySet()) {
      FuzzCorpus.checkEveryInputRan(PageDecoderFuzzTest.class.getResource(
          "PageDecoderFuzzTestInputs/" + e.getKey()), e.getKey(), e.getValue(), 1);
    }
  }

  // ------------------------------------------------------------------ target 1: one page

  /**
   * Input: bytes {@code [0, 4096)} are the page (zero-padded); if the input is longer, bit 0
   * of byte 4096 keeps the input's checksum and bit 1 its page id instead of fixing them.
   *
   * @param input the fuzzer's bytes
   */
  @FuzzTest
  void decodePage(byte[] input) throws IOException {
    RUNS.merge("decodePage", 1, Integer::sum);
    Fixture fx = fixture();
    byte[] page = Arrays.copyOf(input, PAGE);
    int flags = input.length > PAGE ? input[PAGE] : 0;
    ByteBuffer b = ByteBuffer.wrap(page);
    if ((flags & 2) == 0) {
      b.putLong(8, fx.slot);
    }
    if ((flags & 1) == 0) {
      b.putInt(0, crc(page));
    }
    fx.raw.write(ByteBuffer.wrap(page), fx.slot * PAGE);
    fx.store.cache.invalidate(fx.slot);
    Node n;
    try {
      n = fx.layout.decode(fx.file, fx.slot, fx.file.readPage(fx.slot));
    } catch (CorruptionException e) {
      assertNamesPage(e, fx.file.path());
      return;
    }
    assertReEncodes(fx, page, n);
    try {
      use(fx, n);
    } catch (CorruptionException e) {
      assertNamesPage(e, fx.file.path());
    }
  }

  /** Reads what a reader would read below a decoded node: children and values. */
  private static void use(Fixture fx, Node n) {
    if (n instanceof Branch br) {
      for (int i = 0; i <= Math.min(br.count(), 8); i++) {
        Node child = fx.store.child(br, i);
        assertTrue(child.generation() <= br.generation(), "child newer than its parent");
      }
      return;
    }
    Leaf l = (Leaf) n;
    for (int i = 0; i < l.count(); i++) {
      Object raw = l.rawValue(i);
      if (raw instanceof OverflowRef r) {
        if (r.length() <= MAX_FOLLOWED_VALUE) {
          assertEquals(r.length(), fx.store.value(raw).length, "overflow value length");
        }
      } else {
        assertTrue(((byte[]) raw).length <= fx.layout.maxEntry, "inline value too long");
      }
    }
  }

  /** Encoding a decoded node and decoding it again gives the same node. */
  private static void assertReEncodes(Fixture fx, byte[] page, Node n) {
    byte[] again = new byte[PAGE];
    if (n instanceof Leaf l) {
      fx.layout.encodeLeaf(l, again);
    } else {
      Branch br = (Branch) n;
      fx.layout.encodeBranch(br.keys, br.ids, again);
    }
    System.arraycopy(page, 0, again, 0, PageFile.HEADER_SIZE);
    Node m = fx.layout.decode(fx.file, fx.slot, again);
    assertEquals(n.getClass(), m.getClass());
    assertEquals(n.count(), m.count());
    for (int i = 0; i < n.count(); i++) {
      assertArrayEquals(n.key(i), m.key(i));
      if (n instanceof Leaf a) {
        Object x = a.rawValue(i);
        Object y = ((Leaf) m).rawValue(i);
        assertTrue(x instanceof byte[] xb && y instanceof byte[] yb ? Arrays.equals(xb, yb)
            : x.equals(y), "value " + i + " re-encodes differently");
      }
    }
    if (n instanceof Branch a) {
      assertArrayEquals(a.ids, ((Branch) m).ids);
    }
  }

  // ------------------------------------------------------------------ target 2: a whole file

  /**
   * Input: bytes {@code [0, 4)} (big-endian, modulo the image length + 1) give the length of
   * the prefix of the image that is kept (the whole image if the input is shorter); every
   * following group of 4 bytes is a 24-bit offset (modulo the prefix length) and a byte XORed
   * into the image there.
   *
   * @param input the fuzzer's bytes
   */
  @FuzzTest
  void openFile(byte[] input) throws IOException {
    RUNS.merge("openFile", 1, Integer::sum);
    Fixture fx = fixture();
    byte[] image = fx.image;
    int len = image.length;
    if (input.length >= 4) {
      len = (int) (Integer.toUnsignedLong(ByteBuffer.wrap(input).getInt(0))
          % (image.length + 1));
    }
    byte[] img = Arrays.copyOf(image, len);
    for (int i = 4; i + 4 <= input.length && len > 0; i += 4) {
      int off = (((input[i] & 0xFF) << 16) | ((input[i + 1] & 0xFF) << 8)
          | (input[i + 2] & 0xFF)) % len;
      img[off] ^= input[i + 3];
    }
    Files.write(fx.damaged, img);
    BTreeFile f;
    try {
      f = BTreeFile.open(fx.damaged, BTreeOptions.defaults().withReadOnly(true)
          .withCacheBytes(0));
    } catch (CorruptionException e) {
      assertNamesPageOrEnd(e, fx.damaged, len);
      return;
    } catch (StorageException e) {
      if (len == 0 && e.getMessage().contains("empty")) {
        return; // documented: an empty file cannot be opened read-only
      }
      throw e;
    }
    try {
      Map<String, Map<ByteKey, byte[]>> want = fx.states.get(f.generation());
      assertTrue(want != null, "opened at unknown generation " + f.generation());
      for (String name : f.treeNames()) {
        assertTrue(want.containsKey(name), "unknown tree " + name);
        readTree(f.tree(name), want.get(name), fx.damaged);
      }
      CheckReport r = f.check();
      if (Arrays.equals(img, image)) {
        assertEquals(List.of(), r.problems());
      }
    } finally {
      f.close();
    }
  }

  private static void readTree(BTree t, Map<ByteKey, byte[]> want, Path path) {
    for (Range range : List.of(Range.all(), Range.all().reversed())) {
      try (EntryIterator it = t.scan(range)) {
        while (it.hasNext()) {
          Entry e = it.next();
          assertArrayEquals(want.get(new ByteKey(e.key())), e.value(), "scanned value");
        }
      } catch (CorruptionException e) {
        assertNamesPage(e, path);
      }
    }
    for (Map.Entry<ByteKey, byte[]> e : want.entrySet()) {
      try {
        byte[] v = t.get(e.getKey().bytes());
        if (v != null) {
          assertArrayEquals(e.getValue(), v, "value read by get");
        }
      } catch (CorruptionException ce) {
        assertNamesPage(ce, path);
      }
    }
  }

  // ------------------------------------------------------------------ assertions and fixture

  private static void assertNamesPage(CorruptionException e, Path path) {
    assertEquals(path, e.file(), "file named by " + e);
    assertTrue(e.pageId() >= 0, "no page named by " + e);
    assertEquals(expectedOffset(e.pageId()), e.offset(), "offset named by " + e);
  }

  /** Open failures name a page, or (truncation) the end of the file. */
  private static void assertNamesPageOrEnd(CorruptionException e, Path path, long size) {
    assertEquals(path, e.file(), "file named by " + e);
    if (e.pageId() < 0) {
      assertEquals(size, e.offset(), "a damage not in a page must be the file's end: " + e);
    } else {
      assertEquals(expectedOffset(e.pageId()), e.offset(), "offset named by " + e);
    }
  }

  static int crc(byte[] page) {
    CRC32C c = new CRC32C();
    c.update(page, 4, page.length - 4);
    return (int) c.getValue();
  }

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

  /** Files shared by all inputs of a run; built deterministically, so page ids are stable. */
  static final class Fixture {
    Path dir;
    /** A real file whose page {@link #slot} (just past its data) receives the fuzzed page. */
    PageFile file;
    FileChannel raw;
    long slot;
    Layout layout;
    NodeStore store;
    /** The file image {@link #openFile} damages, and where it writes the damaged copy. */
    byte[] image;
    Path damaged;
    /** Content of the image per generation: tree, key, value. */
    Map<Long, Map<String, Map<ByteKey, byte[]>>> states = new HashMap<>();
  }

  static synchronized Fixture fixture() throws IOException {
    if (fixture != null) {
      return fixture;
    }
    Fixture fx = new Fixture();
    fx.dir = Files.createTempDirectory("page-fuzz");
    fx.dir.toFile().deleteOnExit();
    Path pages = fx.dir.resolve("pages.ts");
    Path template = fx.dir.resolve("template.ts");
    fx.damaged = fx.dir.resolve("damaged.ts");
    build(pages, new HashMap<>());
    build(template, fx.states);
    fx.image = Files.readAllBytes(template);
    fx.file = PageFile.open(pages, new PageFileOptions(PAGE, false, false,
        ChannelFactory.DEFAULT));
    fx.slot = fx.file.meta().pageCount();
    fx.raw = FileChannel.open(pages, StandardOpenOption.WRITE);
    fx.layout = new Layout(PAGE);
    fx.store = new NodeStore(fx.file, new PageCache(0, PAGE));
    for (Path p : List.of(pages, template, fx.damaged)) {
      p.toFile().deleteOnExit();
    }
    fixture = fx;
    return fx;
  }

  /**
   * Writes the deterministic test file: generation 1 has tree {@code t} (200 entries, a
   * three-page overflow value, two levels) and tree {@code u}; generation 2 changes both, so
   * that the free list is not empty.
   */
  static void build(Path path, Map<Long, Map<String, Map<ByteKey, byte[]>>> states) {
    Map<String, Map<ByteKey, byte[]>> trees = new HashMap<>();
    trees.put("t", new HashMap<>());
    trees.put("u", new HashMap<>());
    try (BTreeFile f = BTreeFile.open(path, BTreeOptions.defaults().withPageSize(PAGE))) {
      for (int i = 0; i < 200; i++) {
        byte[] v = new byte[i == 17 ? 10_000 : 30];
        Arrays.fill(v, (byte) i);
        put(f, trees, "t", key(i), v);
      }
      put(f, trees, "u", key(1), new byte[] {1});
      states.put(f.flush(), copy(trees));
      for (int i = 0; i < 200; i += 3) {
        f.tree("t").delete(key(i));
        trees.get("t").remove(new ByteKey(key(i)));
      }
      put(f, trees, "u", key(2), new byte[5000]);
      states.put(f.flush(), copy(trees));
    }
  }

  private static void put(BTreeFile f, Map<String, Map<ByteKey, byte[]>> trees, String tree,
      byte[] k, byte[] v) {
    f.tree(tree).put(k, v);
    trees.get(tree).put(new ByteKey(k), v);
  }

  private static Map<String, Map<ByteKey, byte[]>> copy(Map<String, Map<ByteKey, byte[]>> m) {
    Map<String, Map<ByteKey, byte[]>> c = new HashMap<>();
    m.forEach((k, v) -> c.put(k, new HashMap<>(v)));
    return c;
  }

  static byte[] key(int i) {
    return String.format("key-%04d", i).getBytes(StandardCharsets.US_ASCII);
  }

  /** The offset a corruption report names for a page: its position, or the largest long. */
  private static long expectedOffset(long pageId) {
    return pageId > Long.MAX_VALUE / PAGE - 1 ? Long.MAX_VALUE : pageId * PAGE;
  }
}
