package io.treestore.txn;

import io.treestore.btree.Range;
import io.treestore.btree.Snapshot;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A consistent read-only view of every keyspace of a {@link Database}, for long scans and
 * exports. It includes every commit up to {@link #lsn()} (and possibly a few later ones). It
 * pins the pages it can reach until closed, so close it promptly.
 *
 * <p>Thread-safe; reads never block. Methods throw {@link IllegalStateException} after
 * {@link #close()}.
 */
public final class DbSnapshot implements ReadView, AutoCloseable {
  private final Snapshot snap;
  private final long lsn;

  DbSnapshot(Snapshot snap, long lsn) {
    this.snap = snap;
    this.lsn = lsn;
  }

  /**
   * Returns the LSN of the last commit this view is guaranteed to include.
   *
   * @return the LSN
   */
  public long lsn() {
    return lsn;
  }

  /**
   * Returns the keyspaces in this view.
   *
   * @return the names, sorted
   */
  public Set<String> keyspaces() {
    Set<String> out = new TreeSet<>();
    for (String t : snap.treeNames()) {
      if (t.startsWith("k:")) {
        out.add(t.substring(2));
      }
    }
    return out;
  }

  /**
   * Reads a key.
   *
   * @param keyspace the keyspace
   * @param key the key
   * @return a copy of the value, or {@code null} if the key or keyspace is absent
   */
  @Override
  public byte @Nullable [] get(String keyspace, byte[] key) {
    byte[] v = getShared(keyspace, key);
    return v == null ? null : v.clone();
  }

  /**
   * Reads a key without copying its value; see {@link ReadView#getShared}.
   *
   * @param keyspace the keyspace
   * @param key the key
   * @return the value, read-only, or {@code null} if the key or keyspace is absent
   */
  @Override
  public byte @Nullable [] getShared(String keyspace, byte[] key) {
    Database.checkKeyspace(keyspace);
    Objects.requireNonNull(key, "key");
    String t = Database.treeName(keyspace);
    return snap.hasTree(t) ? snap.tree(t).getShared(key) : null;
  }

  /**
   * Returns the number of keys of a keyspace.
   *
   * @param keyspace the keyspace
   * @return the count, 0 if the keyspace is absent
   */
  public long size(String keyspace) {
    Database.checkKeyspace(keyspace);
    String t = Database.treeName(keyspace);
    return snap.hasTree(t) ? snap.tree(t).size() : 0;
  }

  /**
   * Iterates over a range of a keyspace; close the iterator when stopping early.
   *
   * @param keyspace the keyspace
   * @param range keys and direction
   * @return the entries (copies); empty if the keyspace is absent
   */
  @Override
  public ScanIterator scan(String keyspace, Range range) {
    Database.checkKeyspace(keyspace);
    Objects.requireNonNull(range, "range");
    String t = Database.treeName(keyspace);
    return new ScanIterator(snap.hasTree(t) ? snap.tree(t).scan(range) : null,
        java.util.Collections.emptyIterator(), range.isReverse());
  }

  /** Releases the view. Idempotent. */
  @Override
  public void close() {
    snap.close();
  }
}
