package io.treestore.btree.internal;

import io.treestore.page.Meta;
import io.treestore.page.PageCache;
import io.treestore.page.PageFile;
import io.treestore.page.ReaderTable;
import io.treestore.page.StorageException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The state of one B+Tree file: its named trees, the catalog that records their roots, the
 * free-space bookkeeping, and the flush that makes all of it durable at once.
 *
 * <h2>Published state</h2>
 * The current roots of all trees are one immutable {@link Version}, replaced by each write and
 * read without locking. Readers pin the current epoch of the {@link ReaderTable} before they
 * read the version and keep the pin while they walk it.
 *
 * <h2>Durable state</h2>
 * The meta page's payload (big-endian) is
 * {@code catalogRoot:u64, catalogCount:u64, freeRoot:u64, freeCount:u64, spillCount:u32,
 * spill:u64^spillCount, userLen:u32, user}; the spill ids are free pages too (see step 3).
 * The <em>catalog</em> is a B+Tree mapping each tree name (UTF-8) to
 * {@code root:u64, count:u64} (root 0 for an empty tree). The <em>free-list tree</em> maps
 * {@code (generation:u64, seq:u32)} to a packed array of u64 page ids that flush
 * {@code generation} released; generation 0 holds pages that were already reusable. This is
 * LMDB's design: the free list lives in a B+Tree, so a flush writes only what changed, never
 * the whole list (bbolt rewrites its whole free list on every commit).
 *
 * <h2>Page reuse</h2>
 * A page released by flush {@code r} is reachable from meta {@code r - 1}, which stays the
 * fallback until flush {@code r} is durable, and from readers pinned at a generation below
 * {@code r}. It is reused only when {@code r <= min(durable generation, oldest pinned
 * generation)}.
 *
 * <h2>Flush</h2>
 * <ol>
 *   <li>Take back the pages of generation-0 records.
 *   <li>Write every dirty node of the user trees and of the catalog, children first, to pages
 *       taken from the pool, from reusable free-list records, or from the end of the file.
 *   <li>Bring the free-list tree to a fixed point: its records must list exactly the pool's
 *       surplus (generation 0) and the pages released in this interval (this generation),
 *       while editing it releases and needs pages of its own. The pages reserved for its own
 *       nodes only ever grow, as do the pool and the released set, so the loop ends; reserved
 *       pages that end up unused (at most a few) are recorded in the meta page's spill list.
 *   <li>Write the free-list tree, sync the file, write and sync the meta page (the atomic
 *       step), then publish the clean roots and start a new reader epoch.
 * </ol>
 * If anything fails before the meta page is written, the in-memory state is restored and the
 * flush may be retried; pages written meanwhile were free and stay free. A failed sync makes
 * the file read-only ({@link PageFile#sync()}).
 *
 * <p>Thread safety: writes to the trees hold {@link #lock}; flushes, bulk loads, drops and
 * everything that touches the catalog, the free list or page allocation hold
 * {@link #flushLock} (taken first when both are needed); reads never lock.
 */
public final class Engine implements AutoCloseable {
  /**
   * The current roots of all trees: immutable.
   *
   * @param trees tree name to state
   */
  public record Version(Map<String, TreeState> trees) {}

  /**
   * A tree's root and entry count.
   *
   * @param root the root node, or {@code null} for an empty tree
   * @param count the number of entries
   */
  public record TreeState(@Nullable Node root, long count) {}

  /** Meta payload without spill ids and user data. */
  private static final int PAYLOAD_FIXED = 40;
  /** Most free page ids recorded in the meta payload itself (see {@link #settleFreeList}). */
  static final int MAX_SPILL = 32;
  /** Largest user data: what the meta page holds beyond the fixed part and a full spill. */
  private int maxUserData() {
    return file.maxMetaPayload() - PAYLOAD_FIXED - 8 * MAX_SPILL;
  }

  /** The page file. */
  public final PageFile file;
  /** The page cache of decoded nodes. */
  public final PageCache cache;
  /** Node and overflow I/O of the user trees; its freed list is guarded by {@link #lock}. */
  public final NodeStore store;
  /** Node I/O of the catalog and free-list trees; guarded by {@link #flushLock}. */
  private final NodeStore sys;
  /** Reader epochs that delay page reuse. */
  public final ReaderTable readers;
  /** Serializes all writers. */
  public final ReentrantLock lock = new ReentrantLock();
  /**
   * Serializes flushes, bulk loads and drops, which own the catalog, the free list and page
   * allocation. Taken before {@link #lock} when both are needed.
   */
  public final ReentrantLock flushLock = new ReentrantLock();

  private volatile Version current;
  private volatile boolean closed;

  // ---- flush state (guarded by flushLock)
  private TreeState catalog;
  private TreeState freelist;
  private final LongList pool = new LongList();
  private long pageCount;
  private byte[] userData;
  /** What the catalog durably records per tree: root id and count; absent if not durable. */
  private final Map<String, long[]> durable = new HashMap<>();
  private final int idsPerRecord;

  /**
   * Opens the engine over an open page file.
   *
   * @param file the page file, owned by the engine from now on
   * @param cacheBytes page cache capacity in bytes
   * @throws io.treestore.page.CorruptionException if the meta payload or catalog is damaged
   */
  public Engine(PageFile file, long cacheBytes) {
    this.file = file;
    this.cache = new PageCache(cacheBytes, file.pageSize());
    this.store = new NodeStore(file, cache);
    this.sys = new NodeStore(file, cache);
    Meta meta = file.meta();
    this.readers = new ReaderTable(meta.generation());
    this.pageCount = meta.pageCount();
    this.idsPerRecord = (store.layout.maxEntry - 12 - 8) / 8;
    byte[] p = meta.payload();
    if (p.length == 0) {
      catalog = new TreeState(null, 0);
      freelist = new TreeState(null, 0);
      userData = new byte[0];
    } else {
      ByteBuffer b = ByteBuffer.wrap(p);
      try {
        catalog = new TreeState(root(b.getLong(), meta.generation()), b.getLong());
        freelist = new TreeState(root(b.getLong(), meta.generation()), b.getLong());
        int spill = b.getInt();
        if (spill < 0 || spill > MAX_SPILL) {
          throw new IllegalArgumentException("spill count " + spill);
        }
        for (int i = 0; i < spill; i++) {
          long id = b.getLong();
          if (id < 2 || id >= meta.pageCount()) {
            throw new IllegalArgumentException("spilled page id " + id + " out of range");
          }
          pool.add(id);
        }
        pool.sortDescending();
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
          throw new IllegalArgumentException("user data length " + len);
        }
        userData = new byte[len];
        b.get(userData);
      } catch (RuntimeException e) {
        if (e instanceof StorageException se) {
          throw se;
        }
        throw file.corruption(meta.generation() % 2, "malformed meta payload: " + e);
      }
    }
    Map<String, TreeState> trees = new HashMap<>();
    TreeCursor c = new TreeCursor(store, catalog.root());
    for (boolean ok = c.first(); ok; ok = c.next()) {
      String name = new String(c.key(), StandardCharsets.UTF_8);
      byte[] v = (byte[]) c.rawValue();
      if (v.length != 16) {
        throw file.corruption(catalog.root() == null ? 0 : catalog.root().pageId(),
            "catalog entry for '" + name + "' has " + v.length + " bytes");
      }
      ByteBuffer b = ByteBuffer.wrap(v);
      long rid = b.getLong();
      long count = b.getLong();
      trees.put(name, new TreeState(root(rid, meta.generation()), count));
      durable.put(name, new long[] {rid, count});
    }
    current = new Version(Map.copyOf(trees));
  }

  private @Nullable Node root(long id, long gen) {
    return id == 0 ? null : store.load(id, gen);
  }

  // ------------------------------------------------------------------ reads

  /**
   * Returns the current version; pin {@link #readers} first and keep the pin while using it.
   *
   * @return the current roots
   */
  public Version current() {
    return current;
  }

  /**
   * Returns the durable user data (as of the last flush).
   *
   * @return a copy
   */
  public byte[] userData() {
    lock.lock();
    try {
      return userData.clone();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Throws if the engine is closed.
   *
   * @throws IllegalStateException if {@link #close()} was called
   */
  public void checkOpen() {
    if (closed) {
      throw new IllegalStateException(file.path() + ": closed");
    }
  }

  // ------------------------------------------------------------------ writes

  private void publish(String name, TreeState st) {
    Map<String, TreeState> m = new HashMap<>(current.trees());
    m.put(name, st);
    current = new Version(Map.copyOf(m));
  }

  private TreeState state(String name) {
    TreeState st = current.trees().get(name);
    if (st == null) {
      throw new IllegalStateException("tree '" + name + "' does not exist (dropped?)");
    }
    return st;
  }

  /**
   * Creates an empty tree if none has this name. Caller holds {@link #lock}.
   *
   * @param name the tree name
   * @return whether it was created
   */
  public boolean create(String name) {
    checkWritable();
    if (current.trees().containsKey(name)) {
      return false;
    }
    publish(name, new TreeState(null, 0));
    return true;
  }

  /**
   * Drops a tree and frees its pages. Caller holds {@link #flushLock} and {@link #lock}.
   *
   * @param name the tree name
   * @return whether it existed
   */
  public boolean drop(String name) {
    checkWritable();
    TreeState st = current.trees().get(name);
    if (st == null) {
      return false;
    }
    if (st.root() != null) {
      int freedMark = store.freed.size();
      int retiredMark = store.retiredDirty.size();
      try {
        store.retireSubtree(st.root());
      } catch (RuntimeException | Error e) {
        undoRetired(freedMark, retiredMark);
        throw e;
      }
    }
    if (durable.remove(name) != null) {
      TreeOps.Outcome o = new TreeOps.Outcome();
      catalog = new TreeState(TreeOps.delete(sys, catalog.root(), utf8(name), o),
          catalog.count() - 1);
    }
    Map<String, TreeState> m = new HashMap<>(current.trees());
    m.remove(name);
    current = new Version(Map.copyOf(m));
    return true;
  }

  /**
   * Inserts or replaces an entry. Caller holds {@link #lock}; arguments are validated and
   * owned by the tree.
   *
   * @param name the tree
   * @param key the key
   * @param value the value
   * @return whether the key existed
   */
  public boolean put(String name, byte[] key, byte[] value) {
    checkWritable();
    TreeState st = state(name);
    TreeOps.Outcome o = new TreeOps.Outcome();
    int freedMark = store.freed.size();
    int retiredMark = store.retiredDirty.size();
    Node root;
    try {
      root = TreeOps.put(store, st.root(), key, value, o);
    } catch (RuntimeException | Error e) {
      undoRetired(freedMark, retiredMark);
      throw e;
    }
    publish(name, new TreeState(root, st.count() + (o.existed ? 0 : 1)));
    return o.existed;
  }

  /**
   * Forgets the pages a failed write released: the tree still references them. (A write that
   * fails, e.g. on a damaged page, changes nothing.)
   */
  private void undoRetired(int freedMark, int retiredMark) {
    store.freed.truncate(freedMark);
    store.retiredDirty.subList(retiredMark, store.retiredDirty.size()).clear();
  }

  /**
   * Deletes an entry. Caller holds {@link #lock}.
   *
   * @param name the tree
   * @param key the key
   * @return whether the key existed
   */
  public boolean delete(String name, byte[] key) {
    checkWritable();
    TreeState st = state(name);
    TreeOps.Outcome o = new TreeOps.Outcome();
    int freedMark = store.freed.size();
    int retiredMark = store.retiredDirty.size();
    Node root;
    try {
      root = TreeOps.delete(store, st.root(), key, o);
    } catch (RuntimeException | Error e) {
      undoRetired(freedMark, retiredMark);
      throw e;
    }
    if (o.existed) {
      publish(name, new TreeState(root, st.count() - 1));
    }
    return o.existed;
  }

  /**
   * Applies several writes to several trees and publishes them as one new version, so that a
   * reader sees all of them or none. Caller holds {@link #lock}; keys and values are validated
   * and owned by the trees. If {@code body} throws, nothing is published and the pages the
   * batch released are kept.
   *
   * @param body receives the batch; it must not keep it after returning
   */
  public void batch(java.util.function.Consumer<Batch> body) {
    checkWritable();
    int freedMark = store.freed.size();
    int retiredMark = store.retiredDirty.size();
    Batch b = new Batch(current);
    try {
      body.accept(b);
    } catch (RuntimeException | Error e) {
      undoRetired(freedMark, retiredMark);
      throw e;
    }
    if (!b.changed.isEmpty()) {
      Map<String, TreeState> m = new HashMap<>(current.trees());
      m.putAll(b.changed);
      current = new Version(Map.copyOf(m));
    }
  }

  /** Writes buffered by {@link #batch}; reads see them. Single-threaded. */
  public final class Batch {
    private final Version base;
    private final Map<String, TreeState> changed = new HashMap<>();

    Batch(Version base) {
      this.base = base;
    }

    private TreeState st(String name) {
      TreeState st = changed.get(name);
      if (st == null) {
        st = base.trees().get(name);
        if (st == null) {
          throw new IllegalArgumentException("tree '" + name + "' does not exist");
        }
      }
      return st;
    }

    /**
     * Inserts or replaces an entry.
     *
     * @param tree the tree name
     * @param key the key (owned by the tree from now on)
     * @param value the value (owned by the tree from now on)
     * @return whether the key existed
     */
    public boolean put(String tree, byte[] key, byte[] value) {
      TreeState st = st(tree);
      TreeOps.Outcome o = new TreeOps.Outcome();
      Node root = TreeOps.put(store, st.root(), key, value, o);
      changed.put(tree, new TreeState(root, st.count() + (o.existed ? 0 : 1)));
      return o.existed;
    }

    /**
     * Deletes an entry.
     *
     * @param tree the tree name
     * @param key the key
     * @return whether the key existed
     */
    public boolean delete(String tree, byte[] key) {
      TreeState st = st(tree);
      TreeOps.Outcome o = new TreeOps.Outcome();
      Node root = TreeOps.delete(store, st.root(), key, o);
      if (o.existed) {
        changed.put(tree, new TreeState(root, st.count() - 1));
      }
      return o.existed;
    }

    /**
     * Applies many writes to one tree in one descent ({@link SortedApply}).
     *
     * @param tree the tree name
     * @param keys keys in strictly ascending unsigned order (owned by the tree from now on)
     * @param vals the new value of each key (owned by the tree from now on), or {@code null}
     *     to delete it
     * @return the change in the tree's number of entries
     */
    public long applySorted(String tree, byte[][] keys, byte @Nullable [][] vals) {
      TreeState st = st(tree);
      SortedApply.Delta d = new SortedApply.Delta();
      Node root = SortedApply.apply(store, st.root(), keys, vals, d);
      if (root != st.root() || d.count != 0) {
        changed.put(tree, new TreeState(root, st.count() + d.count));
      }
      return d.count;
    }

    /**
     * Reads an entry as the batch sees it (its own writes included).
     *
     * @param tree the tree name
     * @param key the key
     * @return a copy of the value, or {@code null}
     */
    public byte @Nullable [] get(String tree, byte[] key) {
      Object raw = TreeOps.get(store, st(tree).root(), key);
      return raw == null ? null : store.value(raw);
    }
  }

  private void checkWritable() {
    checkOpen();
    file.checkWritable();
  }

  // ------------------------------------------------------------------ bulk load

  /**
   * Replaces an empty tree's content with sorted entries, writing full leaves as it goes.
   * Caller holds {@link #flushLock} and {@link #lock}. On failure nothing changes and the pages written are
   * returned to the pool.
   *
   * @param name the tree, which must be empty
   * @param entries entries in strictly ascending key order; keys and values already validated
   *     by {@code validator}
   * @param validator checks each key and value (throws {@link IllegalArgumentException})
   * @return the number of entries loaded
   */
  public long bulkLoad(String name, Iterator<? extends Map.Entry<byte[], byte[]>> entries,
      java.util.function.BiConsumer<byte[], byte[]> validator) {
    checkWritable();
    TreeState st = state(name);
    if (st.count() != 0) {
      throw new IllegalStateException("bulk load needs an empty tree; '" + name + "' has "
          + st.count() + " entries");
    }
    long gen = file.meta().generation() + 1;
    LongList written = new LongList();
    java.util.function.LongSupplier alloc = () -> {
      long id = alloc();
      written.add(id);
      return id;
    };
    try {
      BulkBuilder bb = new BulkBuilder(store, gen, alloc);
      byte[] prev = null;
      long n = 0;
      while (entries.hasNext()) {
        Map.Entry<byte[], byte[]> e = entries.next();
        byte[] k = e.getKey().clone();
        byte[] v = e.getValue().clone();
        validator.accept(k, v);
        if (prev != null && Arrays.compareUnsigned(prev, k) >= 0) {
          throw new IllegalArgumentException("bulk load keys must be strictly ascending; entry "
              + n + " is not greater than the one before");
        }
        bb.add(k, v);
        prev = k;
        n++;
      }
      Node root = bb.finish();
      publish(name, new TreeState(root, n));
      return n;
    } catch (RuntimeException e) {
      for (int i = 0; i < written.size(); i++) {
        pool.add(written.get(i));
      }
      pool.sortDescending();
      throw e;
    }
  }

  // ------------------------------------------------------------------ free space

  /** Returns a page id that no durable state and no reader can reach. Under flushLock. */
  long alloc() {
    if (pool.isEmpty() && !popSafeRecord(true)) {
      return pageCount++;
    }
    return pool.removeLast();
  }

  private static byte[] recordKey(long gen, int seq) {
    return ByteBuffer.allocate(12).putLong(gen).putInt(seq).array();
  }

  /** Moves the oldest reusable free-list record into the pool. */
  private boolean popSafeRecord(boolean allowGen0) {
    if (freelist.root() == null) {
      return false;
    }
    long safe = Math.min(file.meta().generation(), readers.oldestPinned());
    TreeCursor c = new TreeCursor(sys, freelist.root());
    if (!c.seek(recordKey(allowGen0 ? 0 : 1, 0))) {
      return false;
    }
    byte[] key = c.key();
    long gen = ByteBuffer.wrap(key).getLong();
    if (gen > safe) {
      return false;
    }
    ByteBuffer v = ByteBuffer.wrap((byte[]) c.rawValue());
    TreeOps.Outcome o = new TreeOps.Outcome();
    freelist = new TreeState(TreeOps.delete(sys, freelist.root(), key, o),
        freelist.count() - 1);
    while (v.hasRemaining()) {
      pool.add(v.getLong());
    }
    pool.sortDescending();
    return true;
  }

  /** Moves every generation-0 record (the surplus of the last flush) into the pool. */
  private void takeBackSurplus() {
    while (freelist.root() != null) {
      TreeCursor c = new TreeCursor(sys, freelist.root());
      if (!c.first() || ByteBuffer.wrap(c.key()).getLong() != 0) {
        return;
      }
      popSafeRecord(true);
    }
  }

  /** Makes the records of generation {@code gen} list exactly {@code ids}; true if changed. */
  private boolean syncRecords(long gen, long[] ids) {
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> vals = new ArrayList<>();
    byte[] prefix = ByteBuffer.allocate(8).putLong(gen).array();
    TreeCursor c = new TreeCursor(sys, freelist.root());
    for (boolean ok = c.seek(prefix); ok && startsWith(c.key(), prefix); ok = c.next()) {
      keys.add(c.key());
      vals.add((byte[]) c.rawValue());
    }
    int records = (ids.length + idsPerRecord - 1) / idsPerRecord;
    boolean same = records == keys.size();
    for (int r = 0; same && r < records; r++) {
      same = Arrays.equals(keys.get(r), recordKey(gen, r))
          && Arrays.equals(vals.get(r), packIds(ids, r));
    }
    if (same) {
      return false;
    }
    TreeOps.Outcome o = new TreeOps.Outcome();
    Node root = freelist.root();
    long count = freelist.count();
    for (byte[] k : keys) {
      root = TreeOps.delete(sys, root, k, o);
      count--;
    }
    for (int r = 0; r < records; r++) {
      root = TreeOps.put(sys, root, recordKey(gen, r), packIds(ids, r), o);
      count++;
    }
    freelist = new TreeState(root, count);
    return true;
  }

  private byte[] packIds(long[] ids, int record) {
    int from = record * idsPerRecord;
    int to = Math.min(ids.length, from + idsPerRecord);
    ByteBuffer b = ByteBuffer.allocate((to - from) * 8);
    for (int i = from; i < to; i++) {
      b.putLong(ids[i]);
    }
    return b.array();
  }

  private static boolean startsWith(byte[] a, byte[] prefix) {
    return a.length >= prefix.length
        && Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
  }

  // ------------------------------------------------------------------ flush

  /**
   * A flush between its two halves: the state to make durable was captured by
   * {@link #prepareFlush}; {@link #completeFlush} writes it while writers go on.
   */
  public final class FlushJob {
    final long gen;
    final Version version;
    final List<String> changed;
    final LongList freed;
    final byte[] userData;
    final Map<Node, NodeStore.Assignment> assigned = new IdentityHashMap<>();

    FlushJob(long gen, Version version, List<String> changed, LongList freed, byte[] userData) {
      this.gen = gen;
      this.version = version;
      this.changed = changed;
      this.freed = freed;
      this.userData = userData;
    }

    /**
     * Returns the generation this flush makes durable.
     *
     * @return the generation
     */
    public long generation() {
      return gen;
    }
  }

  /**
   * Captures the current state of every tree (and {@code newUserData}) for a flush. Caller
   * holds {@link #flushLock} and {@link #lock}; afterwards only {@link #flushLock} is needed,
   * and writers may go on.
   *
   * @param newUserData the user data to record, or {@code null} to keep the current one
   * @return the job, or {@code null} if nothing changed since the last flush
   * @throws IllegalArgumentException if the user data is too large
   */
  public @Nullable FlushJob prepareFlush(byte @Nullable [] newUserData) {
    checkWritable();
    if (newUserData != null && newUserData.length > maxUserData()) {
      throw new IllegalArgumentException("user data is " + newUserData.length
          + " bytes, at most " + maxUserData());
    }
    Version v = current;
    List<String> changed = new ArrayList<>();
    for (Map.Entry<String, TreeState> e : v.trees().entrySet()) {
      long[] d = durable.get(e.getKey());
      TreeState st = e.getValue();
      Node r = st.root();
      if (d == null || (r != null && r.isDirty()) || (r == null ? 0 : r.pageId()) != d[0]
          || st.count() != d[1]) {
        changed.add(e.getKey());
      }
    }
    boolean userChanged = newUserData != null && !Arrays.equals(newUserData, userData);
    boolean catalogDirty = catalog.root() != null && catalog.root().isDirty();
    boolean freeDirty = freelist.root() != null && freelist.root().isDirty();
    if (changed.isEmpty() && !userChanged && !catalogDirty && !freeDirty
        && store.freed.isEmpty() && store.retiredDirty.isEmpty() && sys.freed.isEmpty()
        && pool.isEmpty()) {
      return null;
    }
    LongList freed = store.freed;
    store.freed = new LongList();
    store.dirtyMark--;
    store.resolveRetired(store.retiredDirty, freed);
    store.retiredDirty = new ArrayList<>();
    return new FlushJob(file.meta().generation() + 1, v, changed, freed,
        newUserData != null ? newUserData.clone() : userData);
  }

  /**
   * Writes a prepared flush and makes it durable: the changed trees' dirty nodes, the
   * catalog, the free list, a sync, then the meta page. Caller holds {@link #flushLock} (not
   * {@link #lock}: writers go on meanwhile).
   *
   * @param job the prepared flush
   * @return the new durable generation
   * @throws io.treestore.page.StorageException on an I/O error: nothing became durable, the
   *     in-memory state is as before, and the flush may be retried (after a failed sync the
   *     file is read-only and retrying fails)
   */
  public long completeFlush(FlushJob job) {
    long gen = job.gen;
    TreeState savedCatalog = catalog;
    TreeState savedFree = freelist;
    LongList savedPool = pool.copy();
    LongList savedSysFreed = sys.freed.copy();
    long savedPageCount = pageCount;
    try {
      takeBackSurplus();
      Map<String, long[]> newDurable = new HashMap<>();
      TreeOps.Outcome o = new TreeOps.Outcome();
      for (String name : job.changed) {
        TreeState st = job.version.trees().get(name);
        long rid = st.root() == null ? 0
            : store.write(st.root(), gen, this::alloc, job.assigned);
        newDurable.put(name, new long[] {rid, st.count()});
        byte[] val = ByteBuffer.allocate(16).putLong(rid).putLong(st.count()).array();
        o.existed = false;
        Node cr = TreeOps.put(sys, catalog.root(), utf8(name), val, o);
        catalog = new TreeState(cr, catalog.count() + (o.existed ? 0 : 1));
      }
      long catalogRoot = catalog.root() == null ? 0
          : sys.write(catalog.root(), gen, this::alloc, job.assigned);
      LongList reserved = settleFreeList(gen, job.freed);
      long freeRoot = 0;
      int[] next = {0};
      if (freelist.root() != null) {
        freeRoot = sys.write(freelist.root(), gen, () -> reserved.get(next[0]++), job.assigned);
      }
      int spill = reserved.size() - next[0];
      ByteBuffer p = ByteBuffer.allocate(PAYLOAD_FIXED + 8 * spill + job.userData.length);
      p.putLong(catalogRoot).putLong(catalog.count());
      p.putLong(freeRoot).putLong(freelist.count());
      p.putInt(spill);
      for (int i = next[0]; i < reserved.size(); i++) {
        p.putLong(reserved.get(i));
      }
      p.putInt(job.userData.length).put(job.userData);
      file.sync();
      file.commitMeta(gen, pageCount, p.array());
      lock.lock();
      try {
        for (Map.Entry<Node, NodeStore.Assignment> a : job.assigned.entrySet()) {
          NodeStore.apply(a.getKey(), a.getValue());
        }
        store.lastFinishMark = store.dirtyMark;
        store.dirtyMark--;
        userData = job.userData;
        durable.putAll(newDurable);
        readers.advance(gen);
      } finally {
        lock.unlock();
      }
      // The surplus is recorded in generation-0 records; spilled pages stay free here too.
      pool.clear();
      for (int i = next[0]; i < reserved.size(); i++) {
        pool.add(reserved.get(i));
      }
      pool.sortDescending();
      sys.freed.clear();
      sys.retiredDirty.clear();
      return gen;
    } catch (RuntimeException | Error e) {
      catalog = savedCatalog;
      freelist = savedFree;
      pool.clear();
      pool.addAll(savedPool);
      sys.freed.clear();
      sys.freed.addAll(savedSysFreed);
      sys.retiredDirty.clear();
      pageCount = savedPageCount;
      lock.lock();
      try {
        store.freed.addAll(job.freed);
      } finally {
        lock.unlock();
      }
      throw e;
    }
  }

  /**
   * Gives a prepared but never completed flush's freed pages back, so that the next flush
   * records them. Caller holds {@link #flushLock}.
   *
   * @param job the abandoned flush
   */
  public void abandonFlush(FlushJob job) {
    lock.lock();
    try {
      store.freed.addAll(job.freed);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Prepares and completes a flush. Caller holds {@link #flushLock} but not {@link #lock}.
   *
   * @param newUserData the user data to record, or {@code null} to keep the current one
   * @return the new durable generation, or the current one if nothing had changed
   */
  public long flush(byte @Nullable [] newUserData) {
    FlushJob job;
    lock.lock();
    try {
      job = prepareFlush(newUserData);
    } finally {
      lock.unlock();
    }
    return job == null ? file.meta().generation() : completeFlush(job);
  }

  /**
   * Edits the free-list tree until its records list exactly the pool's surplus and the pages
   * freed in this interval, and the pool holds one page for each dirty free-list node.
   *
   * @return the pages reserved for the free-list tree's dirty nodes
   */
  private LongList settleFreeList(long gen, LongList userFreed) {
    int reserve = 0;
    for (int round = 0; round < 10_000; round++) {
      int need = freelist.root() == null ? 0 : sys.countUnwritten(freelist.root());
      // Grow-only: a reservation that followed `need` down and up could oscillate forever.
      reserve = Math.max(reserve, need);
      boolean changed = false;
      while (pool.size() < reserve) {
        if (!popSafeRecord(false)) {
          pool.add(pageCount++);
        }
        changed = true;
      }
      pool.sortDescending();
      // The smallest `reserve` ids (at the end) are reserved; the rest is surplus.
      long[] all = pool.toArray();
      long[] surplus = Arrays.copyOfRange(all, 0, all.length - reserve);
      Arrays.sort(surplus);
      long[] freed = new long[userFreed.size() + sys.freed.size()];
      for (int i = 0; i < userFreed.size(); i++) {
        freed[i] = userFreed.get(i);
      }
      for (int i = 0; i < sys.freed.size(); i++) {
        freed[userFreed.size() + i] = sys.freed.get(i);
      }
      Arrays.sort(freed);
      changed |= syncRecords(0, surplus);
      changed |= syncRecords(gen, freed);
      int needAfter = freelist.root() == null ? 0 : sys.countUnwritten(freelist.root());
      if (!changed && needAfter <= reserve) {
        if (reserve - needAfter > MAX_SPILL) {
          throw new IllegalStateException("free-list settling reserved " + reserve
              + " pages for " + needAfter + " nodes");
        }
        LongList reserved = new LongList();
        for (int i = all.length - 1; i >= all.length - reserve; i--) {
          reserved.add(all[i]);
        }
        return reserved;
      }
    }
    throw new IllegalStateException("free-space bookkeeping did not converge");
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ stats

  /**
   * Returns the number of pages the file holds for the current state (durable or pending).
   * Caller holds {@link #flushLock}.
   *
   * @return pages
   */
  public long pageCount() {
    return pageCount;
  }

  /**
   * Counts the pages listed as free in the free-list tree plus those in the pool. Reads the
   * whole free list. Caller holds {@link #flushLock}.
   *
   * @return free pages
   */
  public long freePages() {
    long n = pool.size();
    TreeCursor c = new TreeCursor(store, freelist.root());
    for (boolean ok = c.first(); ok; ok = c.next()) {
      n += ((byte[]) c.rawValue()).length / 8;
    }
    return n;
  }

  /**
   * Closes the page file. Unflushed changes are lost. Caller holds {@link #flushLock} and
   * {@link #lock}.
   */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      file.close();
    }
  }
}
