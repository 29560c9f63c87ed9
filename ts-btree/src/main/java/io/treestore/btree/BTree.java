package io.treestore.btree;

import io.treestore.btree.internal.Engine;
import io.treestore.btree.internal.Layout;
import io.treestore.btree.internal.TreeCursor;
import io.treestore.btree.internal.TreeOps;
import io.treestore.page.ReaderTable;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One named, persistent, sorted key-value tree inside a {@link BTreeFile}.
 *
 * <p>Keys are 0 to {@link #maxKeySize()} bytes and ordered as unsigned bytes,
 * lexicographically; values are 0 to 1 GiB (values too large for a leaf are kept in overflow
 * page chains). Arrays passed in are copied; arrays returned are copies.
 *
 * <h2>Concurrency</h2>
 * Reads never take a lock and never wait: each read pins the current version (see
 * {@link io.treestore.page.ReaderTable}) and sees it whole. Writes are serialized by the
 * file's write lock and each becomes visible atomically when it returns. Any number of threads
 * may read while one writes; concurrent writers simply take turns.
 *
 * <h2>Durability</h2>
 * Writes are durable after the next {@link BTreeFile#flush()}; a crash loses the writes since
 * the last flush and nothing else.
 */
public final class BTree implements TreeReader {
  private final BTreeFile owner;
  private final Engine engine;
  private final String name;

  BTree(BTreeFile owner, Engine engine, String name) {
    this.owner = owner;
    this.engine = engine;
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * Returns the largest key length this tree accepts.
   *
   * @return bytes: {@code pageSize / 4 - 32} (992 for 4 KiB pages)
   */
  public int maxKeySize() {
    return engine.store.layout().maxKey();
  }

  private Engine.TreeState state() {
    Engine.TreeState st = engine.current().trees().get(name);
    if (st == null) {
      throw new IllegalStateException("tree '" + name + "' was dropped");
    }
    return st;
  }

  @Override
  public byte @Nullable [] get(byte[] key) {
    byte[] v = getShared(key);
    return v == null ? null : v.clone();
  }

  @Override
  public byte @Nullable [] getShared(byte[] key) {
    Objects.requireNonNull(key, "key");
    engine.checkOpen();
    try (ReaderTable.Pin pin = engine.readers.pin()) {
      Object raw = TreeOps.get(engine.store, state().root(), key);
      return raw == null ? null : engine.store.sharedValue(raw);
    }
  }

  @Override
  public boolean containsKey(byte[] key) {
    Objects.requireNonNull(key, "key");
    engine.checkOpen();
    try (ReaderTable.Pin pin = engine.readers.pin()) {
      return TreeOps.get(engine.store, state().root(), key) != null;
    }
  }

  @Override
  public long size() {
    engine.checkOpen();
    return state().count();
  }

  @Override
  public Cursor cursor() {
    engine.checkOpen();
    ReaderTable.Pin pin = engine.readers.pin();
    try {
      return new Cursor(engine.store, new TreeCursor(engine.store, state().root()), pin, null);
    } catch (RuntimeException e) {
      pin.close();
      throw e;
    }
  }

  @Override
  public EntryIterator scan(Range range) {
    Objects.requireNonNull(range, "range");
    return new EntryIterator(cursor(), range);
  }

  void validate(byte[] key, byte[] value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    int max = maxKeySize();
    if (key.length > max) {
      throw new IllegalArgumentException("key is " + key.length + " bytes, at most " + max
          + " for " + engine.file.pageSize() + "-byte pages");
    }
    if (value.length > Layout.MAX_VALUE) {
      throw new IllegalArgumentException("value is " + value.length + " bytes, at most "
          + Layout.MAX_VALUE);
    }
  }

  /**
   * Inserts or replaces the value of {@code key}.
   *
   * @param key the key, at most {@link #maxKeySize()} bytes
   * @param value the value, at most 1 GiB
   * @return {@code true} if the key existed (its value was replaced)
   * @throws IllegalArgumentException if the key or value is too large; nothing changes
   * @throws io.treestore.page.StorageException if the file is read-only or failed
   * @throws IllegalStateException if the file is closed or the tree dropped
   */
  public boolean put(byte[] key, byte[] value) {
    validate(key, value);
    byte[] k = key.clone();
    byte[] v = value.clone();
    engine.lock.lock();
    try {
      return engine.put(name, k, v);
    } finally {
      engine.lock.unlock();
    }
  }

  /**
   * Removes {@code key}.
   *
   * @param key the key
   * @return {@code true} if it was present
   * @throws io.treestore.page.StorageException if the file is read-only or failed
   * @throws IllegalStateException if the file is closed or the tree dropped
   */
  public boolean delete(byte[] key) {
    Objects.requireNonNull(key, "key");
    engine.lock.lock();
    try {
      return engine.delete(name, key);
    } finally {
      engine.lock.unlock();
    }
  }

  /**
   * Loads an empty tree from entries sorted by key, much faster than repeated {@link #put}:
   * leaves are filled to capacity and written as they are completed, so memory use does not
   * grow with the input. The entries become visible together when this method returns, and
   * durable at the next flush.
   *
   * @param sorted entries in strictly ascending key order (arrays are copied)
   * @return the number of entries loaded
   * @throws IllegalStateException if the tree is not empty
   * @throws IllegalArgumentException if the keys are not strictly ascending or an entry is too
   *     large; the tree stays empty and the pages written are released
   */
  public long bulkLoad(Iterator<? extends Map.Entry<byte[], byte[]>> sorted) {
    Objects.requireNonNull(sorted, "sorted");
    engine.flushLock.lock();
    try {
      engine.lock.lock();
      try {
        return engine.bulkLoad(name, sorted, this::validate);
      } finally {
        engine.lock.unlock();
      }
    } finally {
      engine.flushLock.unlock();
    }
  }

  /**
   * Returns the file this tree lives in.
   *
   * @return the owning file
   */
  public BTreeFile file() {
    return owner;
  }

  @Override
  public String toString() {
    return "BTree[" + name + "]";
  }
}
