package io.treestore.btree;

import io.treestore.btree.internal.Engine;
import io.treestore.btree.internal.TreeCursor;
import io.treestore.btree.internal.TreeOps;
import io.treestore.page.ReaderTable;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A consistent, read-only view of every tree of a {@link BTreeFile} as of the moment it was
 * taken. Later writes, flushes and drops do not change it.
 *
 * <p>A snapshot pins the pages it can reach: they are not reused until it is closed, so the
 * file may grow while an old snapshot stays open. Always close it (try-with-resources).
 *
 * <p>Thread-safe: any number of threads may read through one snapshot. Reads after
 * {@link #close()} throw {@link IllegalStateException}.
 */
public final class Snapshot implements AutoCloseable {
  private final Engine engine;
  private final Engine.Version version;
  private final ReaderTable.Pin pin;
  private volatile boolean closed;

  Snapshot(Engine engine, Engine.Version version, ReaderTable.Pin pin) {
    this.engine = engine;
    this.version = version;
    this.pin = pin;
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("snapshot is closed");
    }
    engine.checkOpen();
  }

  /**
   * Returns the names of the trees in this snapshot.
   *
   * @return the names, sorted
   */
  public Set<String> treeNames() {
    checkOpen();
    return new TreeSet<>(version.trees().keySet());
  }

  /**
   * Tells whether the snapshot has a tree of this name.
   *
   * @param name the tree name
   * @return {@code true} if the tree existed when the snapshot was taken
   */
  public boolean hasTree(String name) {
    checkOpen();
    return version.trees().containsKey(name);
  }

  /**
   * Returns the durable generation at the time the snapshot was taken.
   *
   * @return the flush generation
   */
  public long generation() {
    return pin.generation();
  }

  /**
   * Returns a reader of one tree as of this snapshot, valid until the snapshot closes.
   *
   * @param name the tree name
   * @return the reader
   * @throws IllegalArgumentException if the snapshot has no tree of that name
   */
  public TreeReader tree(String name) {
    checkOpen();
    Engine.TreeState st = version.trees().get(name);
    if (st == null) {
      throw new IllegalArgumentException("no tree named '" + name + "' in this snapshot; trees: "
          + treeNames());
    }
    return new View(name, st);
  }

  /** Releases the snapshot's pin. Idempotent. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      pin.close();
    }
  }

  private final class View implements TreeReader {
    private final String name;
    private final Engine.TreeState st;

    View(String name, Engine.TreeState st) {
      this.name = name;
      this.st = st;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public byte @Nullable [] get(byte[] key) {
      byte[] v = getShared(key);
      return v == null ? null : v.clone();
    }

    @Override
    public byte @Nullable [] getShared(byte[] key) {
      Objects.requireNonNull(key, "key");
      checkOpen();
      Object raw = TreeOps.get(engine.store, st.root(), key);
      return raw == null ? null : engine.store.sharedValue(raw);
    }

    @Override
    public boolean containsKey(byte[] key) {
      Objects.requireNonNull(key, "key");
      checkOpen();
      return TreeOps.get(engine.store, st.root(), key) != null;
    }

    @Override
    public long size() {
      checkOpen();
      return st.count();
    }

    @Override
    public Cursor cursor() {
      checkOpen();
      return new Cursor(engine.store, new TreeCursor(engine.store, st.root()), null,
          Snapshot.this);
    }

    @Override
    public EntryIterator scan(Range range) {
      Objects.requireNonNull(range, "range");
      return new EntryIterator(cursor(), range);
    }
  }
}
