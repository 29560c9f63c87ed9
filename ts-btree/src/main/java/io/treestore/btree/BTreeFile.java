package io.treestore.btree;

import io.treestore.btree.internal.Engine;
import io.treestore.page.PageFile;
import io.treestore.page.PageFileOptions;
import io.treestore.page.ReaderTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A file holding any number of named, persistent {@link BTree}s, flushed together.
 *
 * <pre>{@code
 * try (BTreeFile f = BTreeFile.open(Path.of("data.ts"))) {
 *   BTree t = f.tree("nodes");
 *   t.put(key, value);
 *   f.flush();                       // durable from here on
 *   try (EntryIterator it = t.scan(Range.prefix(p))) { ... }
 * }
 * }</pre>
 *
 * <h2>Durability and crash safety</h2>
 * Changes are made durable by {@link #flush()}, which writes the changed nodes to free pages
 * (copy-on-write, never over live data), syncs, and then switches the meta page, so after a
 * crash (process kill or power loss) the file opens exactly at the state of the last completed
 * flush: never a mix of two flushes. Pages freed by a flush are reused only once no durable
 * meta page and no open reader can reach them, so an update-heavy workload of constant size
 * does not grow the file. The cost of a flush is proportional to the pages it changes, not to
 * the size of the file or of its free space.
 *
 * <h2>Concurrency</h2>
 * Thread-safe. Reads never lock. Writes are serialized by a writer lock and each becomes
 * visible when it returns. Flushes, bulk loads, drops, {@link #check()} and {@link #stats()}
 * are serialized by a second, flush lock; a flush holds the writer lock only for a moment
 * while it captures the state, so writers go on while it writes and syncs
 * ({@link #startFlush}).
 *
 * <h2>Failures</h2>
 * I/O errors surface as {@link io.treestore.page.StorageException}; damaged data as
 * {@link io.treestore.page.CorruptionException} naming the file and offset. If a sync fails,
 * the file refuses further writes and must be reopened; reads keep working.
 */
public final class BTreeFile implements AutoCloseable {
  /** Longest tree name accepted, in UTF-8 bytes. */
  public static final int MAX_NAME_BYTES = 255;

  private final Engine engine;

  private BTreeFile(Engine engine) {
    this.engine = engine;
  }

  /**
   * Opens or creates a file with the default options.
   *
   * @param path the file
   * @return the open file
   * @throws io.treestore.page.StorageException on an I/O error
   * @throws io.treestore.page.CorruptionException if the file is damaged beyond the fallback
   *     meta page
   */
  public static BTreeFile open(Path path) {
    return open(path, BTreeOptions.defaults());
  }

  /**
   * Opens or creates a file.
   *
   * @param path the file
   * @param options page size (for creation), cache size, creation and read-only flags
   * @return the open file
   * @throws io.treestore.page.StorageException if the file is missing and may not be
   *     created, or on an I/O error
   * @throws io.treestore.page.CorruptionException if no meta page is valid or the catalog is
   *     damaged
   * @throws io.treestore.page.FormatVersionException if the file's format is not supported
   */
  public static BTreeFile open(Path path, BTreeOptions options) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(options, "options");
    PageFile file = PageFile.open(path, new PageFileOptions(options.pageSize(), options.create(),
        options.readOnly(), options.channels()));
    try {
      return new BTreeFile(new Engine(file, options.cacheBytes()));
    } catch (RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /**
   * Returns the tree with this name, creating it (empty) if it does not exist. A created tree
   * becomes durable at the next flush.
   *
   * @param name 1 to {@link #MAX_NAME_BYTES} bytes of UTF-8
   * @return the tree
   * @throws IllegalArgumentException if the name is empty or too long
   * @throws io.treestore.page.StorageException if the tree must be created and the file is
   *     read-only
   */
  public BTree tree(String name) {
    checkName(name);
    engine.checkOpen();
    if (!engine.current().trees().containsKey(name)) {
      engine.lock.lock();
      try {
        engine.create(name);
      } finally {
        engine.lock.unlock();
      }
    }
    return new BTree(this, engine, name);
  }

  private static void checkName(String name) {
    Objects.requireNonNull(name, "name");
    int n = name.getBytes(StandardCharsets.UTF_8).length;
    if (n == 0 || n > MAX_NAME_BYTES) {
      throw new IllegalArgumentException("tree name must be 1 to " + MAX_NAME_BYTES
          + " UTF-8 bytes, was " + n);
    }
  }

  /**
   * Tells whether a tree exists.
   *
   * @param name the tree name
   * @return {@code true} if it exists in the current state
   */
  public boolean hasTree(String name) {
    engine.checkOpen();
    return engine.current().trees().containsKey(name);
  }

  /**
   * Returns the names of the trees.
   *
   * @return the names in the current state, sorted
   */
  public Set<String> treeNames() {
    engine.checkOpen();
    return new TreeSet<>(engine.current().trees().keySet());
  }

  /**
   * Drops a tree and releases its pages (reading every page of it to find overflow chains).
   * Open snapshots keep seeing it. Durable at the next flush.
   *
   * @param name the tree name
   * @return whether it existed
   * @throws io.treestore.page.StorageException if the file is read-only
   */
  public boolean dropTree(String name) {
    engine.flushLock.lock();
    try {
      engine.lock.lock();
      try {
        return engine.drop(name);
      } finally {
        engine.lock.unlock();
      }
    } finally {
      engine.flushLock.unlock();
    }
  }

  /**
   * Applies writes to several trees atomically with respect to readers: a reader or snapshot
   * sees all of the body's writes or none. Writers wait for each other; readers do not wait.
   * Durable at the next flush, like every write.
   *
   * @param body performs the writes; if it throws, none of them is applied and the exception
   *     propagates
   * @throws IllegalArgumentException if a write names a missing tree or is too large (nothing
   *     is applied)
   * @throws io.treestore.page.StorageException if the file is read-only or failed
   */
  public void write(java.util.function.Consumer<WriteBatch> body) {
    Objects.requireNonNull(body, "body");
    engine.lock.lock();
    try {
      engine.batch(b -> body.accept(new WriteBatch() {
        private final BTree checker = new BTree(BTreeFile.this, engine, "");

        @Override
        public boolean put(String tree, byte[] key, byte[] value) {
          checker.validate(key, value);
          return b.put(tree, key.clone(), value.clone());
        }

        @Override
        public boolean delete(String tree, byte[] key) {
          Objects.requireNonNull(key, "key");
          return b.delete(tree, key);
        }

        @Override
        public long applySorted(String tree, byte[][] keys,
            byte @org.jspecify.annotations.Nullable [][] values) {
          Objects.requireNonNull(keys, "keys");
          Objects.requireNonNull(values, "values");
          if (keys.length != values.length) {
            throw new IllegalArgumentException(keys.length + " keys but " + values.length
                + " values");
          }
          byte[][] k = keys.clone();
          byte[][] v = values.clone();
          for (int i = 0; i < k.length; i++) {
            byte[] key = k[i];
            if (key == null) {
              throw new NullPointerException("keys[" + i + "]");
            }
            if (v[i] != null) {
              checker.validate(key, v[i]);
            }
            if (i > 0 && java.util.Arrays.compareUnsigned(k[i - 1], key) >= 0) {
              throw new IllegalArgumentException("keys must be strictly ascending; key " + i
                  + " is not greater than the one before");
            }
          }
          return b.applySorted(tree, k, v);
        }

        @Override
        public byte @org.jspecify.annotations.Nullable [] get(String tree, byte[] key) {
          Objects.requireNonNull(key, "key");
          return b.get(tree, key);
        }
      }));
    } finally {
      engine.lock.unlock();
    }
  }

  /**
   * Takes a consistent snapshot of all trees. Close it when done.
   *
   * @return the snapshot
   */
  public Snapshot snapshot() {
    engine.checkOpen();
    ReaderTable.Pin pin = engine.readers.pin();
    return new Snapshot(engine, engine.current(), pin);
  }

  /**
   * Makes every change made so far durable, atomically.
   *
   * @return the durable generation after the flush (unchanged if nothing had changed)
   * @throws io.treestore.page.StorageException on an I/O error: if a write failed, nothing
   *     changed and the flush may be retried; if a sync failed, the file is read-only from now
   *     on and the durable state is either the previous or the new one
   */
  public long flush() {
    engine.flushLock.lock();
    try {
      return engine.flush(null);
    } finally {
      engine.flushLock.unlock();
    }
  }

  /**
   * Makes every change durable together with an application record stored in the meta page
   * (for example the log position a checkpoint covers).
   *
   * @param userData at most {@code pageSize - 348} bytes (3748 with 4 KiB pages)
   * @return the durable generation after the flush
   * @throws IllegalArgumentException if {@code userData} is too large
   * @throws io.treestore.page.StorageException as for {@link #flush()}
   */
  public long flush(byte[] userData) {
    Objects.requireNonNull(userData, "userData");
    engine.flushLock.lock();
    try {
      return engine.flush(userData);
    } finally {
      engine.flushLock.unlock();
    }
  }

  /**
   * Starts a flush in two steps, so that writers are not held up while it writes: this call
   * captures the current state of every tree (and {@code userData}) at once, cheaply; the
   * returned {@link PendingFlush#complete()} then writes and syncs that state and switches the
   * meta page, while writes go on (they become durable at the next flush). A caller that must
   * record which writes a flush covers (a log position) captures it together with the state,
   * for example while holding its own lock that orders the writes.
   *
   * <p>Only one flush runs at a time: this call waits for a running one, and other flushes,
   * bulk loads and drops wait until the returned flush completes or is closed. Complete or
   * close it on the thread that started it.
   *
   * @param userData the application record to store with this flush
   * @return the pending flush; use try-with-resources
   * @throws IllegalArgumentException if {@code userData} is too large
   * @throws io.treestore.page.StorageException if the file is read-only or failed
   */
  public PendingFlush startFlush(byte[] userData) {
    Objects.requireNonNull(userData, "userData");
    engine.flushLock.lock();
    try {
      Engine.FlushJob job;
      engine.lock.lock();
      try {
        job = engine.prepareFlush(userData);
      } finally {
        engine.lock.unlock();
      }
      return new PendingFlush(engine, job);
    } catch (RuntimeException | Error e) {
      engine.flushLock.unlock();
      throw e;
    }
  }

  /**
   * Returns the application record of the last flush.
   *
   * @return a copy; empty if none was ever stored
   */
  public byte[] userData() {
    engine.checkOpen();
    return engine.userData();
  }

  /**
   * Returns the durable flush generation.
   *
   * @return the generation of the meta page in force
   */
  public long generation() {
    return engine.file.meta().generation();
  }

  /**
   * Tells whether the file refuses writes: opened read-only, or after a failed sync.
   *
   * @return {@code true} if writes and flushes fail
   */
  public boolean isReadOnly() {
    return engine.file.isReadOnly();
  }

  /**
   * Returns the page size of the file.
   *
   * @return bytes per page
   */
  public int pageSize() {
    return engine.file.pageSize();
  }

  /**
   * Returns the largest key the trees of this file accept.
   *
   * @return bytes: {@code pageSize / 4 - 32}
   */
  public int maxKeySize() {
    return engine.store.layout().maxKey();
  }

  /**
   * Returns the file's path.
   *
   * @return the path it was opened with
   */
  public Path path() {
    return engine.file.path();
  }

  /**
   * Returns current figures. Counting free pages reads the free list, so this is not free.
   *
   * @return the figures
   */
  public BTreeStats stats() {
    engine.flushLock.lock();
    try {
      engine.checkOpen();
      return new BTreeStats(engine.file.meta().generation(), engine.file.pageSize(),
          engine.pageCount(), engine.freePages(), engine.file.fileSize(), engine.cache.stats(),
          engine.readers.activeReaders());
    } finally {
      engine.flushLock.unlock();
    }
  }

  /**
   * Verifies the durable state (as of the last flush) from disk, bypassing the cache: page
   * checksums, key order and separator bounds, uniform leaf depth, node fill, entry counts,
   * overflow chains, that every page is used exactly once or free, and that both meta pages
   * are valid. Reads every page of the file; flushes wait meanwhile, readers and writers do
   * not.
   *
   * @return the report; {@link CheckReport#ok()} when the file is sound
   * @throws io.treestore.page.StorageException on an I/O error
   */
  public CheckReport check() {
    engine.flushLock.lock();
    try {
      engine.checkOpen();
      var r = new io.treestore.btree.internal.Checker(engine.file).run();
      return new CheckReport(r.problems(), r.generation(), r.pageCount(), r.nodes(),
          r.overflowPages(), r.freePages(), r.entries(), r.trees());
    } finally {
      engine.flushLock.unlock();
    }
  }

  /**
   * Flushes pending changes (unless the file is read-only or failed) and closes the file.
   * Idempotent.
   *
   * @throws io.treestore.page.StorageException if the final flush or the close fails; the
   *     file is closed anyway
   */
  @Override
  public void close() {
    engine.flushLock.lock();
    try {
      try {
        engine.checkOpen();
      } catch (IllegalStateException alreadyClosed) {
        return;
      }
      try {
        if (!engine.file.isReadOnly()) {
          engine.flush(null);
        }
      } finally {
        engine.lock.lock();
        try {
          engine.close();
        } finally {
          engine.lock.unlock();
        }
      }
    } finally {
      engine.flushLock.unlock();
    }
  }

  /**
   * Closes the file without flushing, discarding changes since the last flush, as a crash
   * would. Idempotent.
   */
  public void closeWithoutFlush() {
    engine.flushLock.lock();
    try {
      engine.lock.lock();
      try {
        engine.close();
      } finally {
        engine.lock.unlock();
      }
    } finally {
      engine.flushLock.unlock();
    }
  }
}
