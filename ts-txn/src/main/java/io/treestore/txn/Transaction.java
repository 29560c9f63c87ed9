package io.treestore.txn;

import io.treestore.btree.EntryIterator;
import io.treestore.btree.Range;
import io.treestore.btree.Snapshot;
import io.treestore.btree.TreeReader;
import io.treestore.txn.internal.ReadSet;
import io.treestore.txn.internal.Write;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A transaction: reads see the database as committed when it began, plus its own writes;
 * writes are buffered in memory and become visible to others, all at once, when
 * {@link #commit()} returns. Use try-with-resources: closing an uncommitted transaction rolls
 * it back.
 *
 * <pre>{@code
 * try (Transaction tx = db.begin()) {
 *   byte[] v = tx.get("nodes", key);
 *   tx.put("nodes", key, newValue);
 *   tx.commit();                 // durable when it returns (SYNC); may throw ConflictException
 * }
 * }</pre>
 *
 * <p>Keys are 0 to {@link Database#maxKeySize()} bytes, ordered as unsigned bytes; values up to
 * 1 GiB. A keyspace that does not exist reads as empty and is created by the first commit that
 * writes to it. Arrays passed in are copied; arrays returned are copies.
 *
 * <p>Not thread-safe: a transaction belongs to one thread at a time. Reads never block and are
 * never blocked by writers. Methods throw {@link IllegalStateException} once the transaction
 * has committed, rolled back or failed.
 */
public final class Transaction implements ReadView, AutoCloseable {
  private enum State { ACTIVE, COMMITTED, ROLLED_BACK }

  private final Database db;
  private final Snapshot snapshot;
  private final long startLsn;
  private final Isolation isolation;
  private final boolean readOnly;
  private final Map<String, NavigableMap<byte[], Write>> writes = new LinkedHashMap<>();
  private final @Nullable ReadSet reads;
  private State state = State.ACTIVE;
  private long commitLsn = -1;

  private final Database.@Nullable StartMark mark;

  Transaction(Database db, Snapshot snapshot, long startLsn, Isolation isolation,
      boolean readOnly, Database.@Nullable StartMark mark) {
    this.db = db;
    this.mark = mark;
    this.snapshot = snapshot;
    this.startLsn = startLsn;
    this.isolation = isolation;
    this.readOnly = readOnly;
    this.reads = isolation == Isolation.SERIALIZABLE ? new ReadSet() : null;
  }

  /**
   * Returns the LSN of the last commit this transaction's snapshot is guaranteed to include
   * (it may include a few later ones, which then count as concurrent for conflict checks).
   *
   * @return the start LSN, {@code >= 0}
   */
  public long startLsn() {
    return startLsn;
  }

  /**
   * Returns the isolation level.
   *
   * @return the level given at begin
   */
  public Isolation isolation() {
    return isolation;
  }

  /**
   * Tells whether writes are refused.
   *
   * @return {@code true} for a transaction begun with {@link Database#beginReadOnly()}
   */
  public boolean isReadOnly() {
    return readOnly;
  }

  /**
   * Returns the database this transaction belongs to, for layers that need its limits (such
   * as {@link Database#maxKeySize()}) to validate a whole change before buffering any of it.
   *
   * @return the database
   */
  public Database database() {
    return db;
  }

  private void active() {
    if (state != State.ACTIVE) {
      throw new IllegalStateException("transaction is " + state.name().toLowerCase());
    }
  }

  private void writable() {
    active();
    if (readOnly) {
      throw new IllegalStateException("read-only transaction");
    }
  }

  private @Nullable TreeReader tree(String keyspace) {
    String t = Database.treeName(keyspace);
    return snapshot.hasTree(t) ? snapshot.tree(t) : null;
  }

  /**
   * Reads a key.
   *
   * @param keyspace the keyspace
   * @param key the key
   * @return a copy of the value as this transaction sees it, or {@code null} if absent
   * @throws IllegalArgumentException if the keyspace name is invalid
   * @throws IllegalStateException if the transaction is not active
   */
  @Override
  public byte @Nullable [] get(String keyspace, byte[] key) {
    return read(keyspace, key, false);
  }

  /**
   * Reads a key without copying its value; see {@link ReadView#getShared}. The transaction's
   * own buffered value is returned as is, so it must not be modified either.
   *
   * @param keyspace the keyspace
   * @param key the key
   * @return the value as this transaction sees it, read-only, or {@code null} if absent
   * @throws IllegalArgumentException if the keyspace name is invalid
   * @throws IllegalStateException if the transaction is not active
   */
  @Override
  public byte @Nullable [] getShared(String keyspace, byte[] key) {
    return read(keyspace, key, true);
  }

  private byte @Nullable [] read(String keyspace, byte[] key, boolean shared) {
    active();
    Database.checkKeyspace(keyspace);
    Objects.requireNonNull(key, "key");
    NavigableMap<byte[], Write> own = writes.get(keyspace);
    Write w = own == null ? null : own.get(key);
    if (w != null && w.kind() != Write.MERGE) {
      byte[] v = w.value();
      return v == null || shared ? v : v.clone();
    }
    if (reads != null) {
      reads.key(keyspace, key.clone());
    }
    TreeReader r = tree(keyspace);
    // A merge operator is given a copy: it may build its result in the array it is passed.
    byte[] base = r == null ? null : shared && w == null ? r.getShared(key) : r.get(key);
    if (w == null) {
      return base;
    }
    byte[] v = w.resolve(base);
    return v == null || shared ? v : v.clone();
  }

  /**
   * Reads a counter kept with {@link #add}.
   *
   * @param keyspace the keyspace
   * @param key the key
   * @return the value, or 0 if the key is absent
   * @throws IllegalArgumentException if the stored value is not 8 bytes
   */
  public long getLong(String keyspace, byte[] key) {
    byte[] v = get(keyspace, key);
    if (v == null) {
      return 0;
    }
    if (v.length != 8) {
      throw new IllegalArgumentException("value is " + v.length + " bytes, not a counter");
    }
    return ByteBuffer.wrap(v).getLong();
  }

  /**
   * Sets a key's value.
   *
   * @param keyspace the keyspace (created at commit if missing)
   * @param key the key, at most {@link Database#maxKeySize()} bytes
   * @param value the value, at most 1 GiB
   * @throws IllegalArgumentException if the keyspace name, key or value is invalid; nothing is
   *     buffered then
   * @throws IllegalStateException if the transaction is not active or is read-only
   */
  public void put(String keyspace, byte[] key, byte[] value) {
    writable();
    db.checkWrite(keyspace, key, value);
    own(keyspace).put(key.clone(), Write.put(value.clone()));
  }

  /**
   * Removes a key (a no-op at commit if it is absent then).
   *
   * @param keyspace the keyspace
   * @param key the key
   * @throws IllegalArgumentException if the keyspace name or key is invalid
   * @throws IllegalStateException if the transaction is not active or is read-only
   */
  public void delete(String keyspace, byte[] key) {
    writable();
    db.checkWrite(keyspace, key, new byte[0]);
    own(keyspace).put(key.clone(), Write.delete());
  }

  /**
   * Adds a merge operand to a key. The operator is applied, in commit order, to the value the
   * key has when the commit is applied, so concurrent merges into the same key never conflict
   * (see {@link MergeOperator}).
   *
   * @param keyspace the keyspace
   * @param key the key
   * @param operator an operator registered in {@link DatabaseOptions#mergeOperators()} or
   *     {@link MergeOperator#INT64_ADD}
   * @param operand the delta
   * @throws IllegalArgumentException if the operator is not registered, or the arguments are
   *     invalid
   * @throws IllegalStateException if the transaction is not active or is read-only
   */
  public void merge(String keyspace, byte[] key, MergeOperator operator, byte[] operand) {
    writable();
    db.checkWrite(keyspace, key, operand);
    db.checkOperator(operator);
    NavigableMap<byte[], Write> own = own(keyspace);
    Write w = own.get(key);
    if (w == null) {
      own.put(key.clone(), Write.merge(operator, operand.clone()));
    } else {
      w.addMerge(operator, operand.clone());
    }
  }

  /**
   * Adds {@code delta} to a 64-bit counter ({@link MergeOperator#INT64_ADD}); never conflicts
   * with concurrent additions.
   *
   * @param keyspace the keyspace
   * @param key the key
   * @param delta the amount to add (may be negative)
   */
  public void add(String keyspace, byte[] key, long delta) {
    merge(keyspace, key, MergeOperator.INT64_ADD, ByteBuffer.allocate(8).putLong(delta).array());
  }

  private NavigableMap<byte[], Write> own(String keyspace) {
    return writes.computeIfAbsent(keyspace, k -> new TreeMap<>(Write.KEY_ORDER));
  }

  /**
   * Iterates over a key range as this transaction sees it: the snapshot merged with the
   * transaction's own writes. Close the iterator when stopping early.
   *
   * @param keyspace the keyspace
   * @param range the keys and direction
   * @return the entries, copies
   * @throws IllegalStateException if the transaction is not active
   */
  @Override
  public ScanIterator scan(String keyspace, Range range) {
    active();
    Database.checkKeyspace(keyspace);
    Objects.requireNonNull(range, "range");
    if (reads != null) {
      reads.range(keyspace, range);
    }
    TreeReader r = tree(keyspace);
    EntryIterator base = r == null ? null : r.scan(range);
    NavigableMap<byte[], Write> own = writes.get(keyspace);
    NavigableMap<byte[], Write> sub = own == null ? Collections.emptyNavigableMap()
        : subMap(own, range);
    return new ScanIterator(base, (range.isReverse() ? sub.descendingMap() : sub).entrySet()
        .iterator(), range.isReverse());
  }

  private static NavigableMap<byte[], Write> subMap(NavigableMap<byte[], Write> m, Range r) {
    byte[] lo = r.lower();
    byte[] hi = r.upper();
    if (lo != null && hi != null) {
      int c = Arrays.compareUnsigned(lo, hi);
      if (c > 0 || (c == 0 && !(r.lowerInclusive() && r.upperInclusive()))) {
        return Collections.emptyNavigableMap();
      }
      return m.subMap(lo, r.lowerInclusive(), hi, r.upperInclusive());
    }
    if (lo != null) {
      return m.tailMap(lo, r.lowerInclusive());
    }
    return hi != null ? m.headMap(hi, r.upperInclusive()) : m;
  }

  /**
   * Commits: validates against concurrent commits, appends one log record with the whole
   * write set, waits until it is durable (per the database's durability mode), applies it,
   * and returns. A transaction without writes commits trivially (a serializable one is still
   * validated).
   *
   * @return the commit's LSN, or the start LSN for a transaction without writes
   * @throws ConflictException if a concurrent transaction won; the transaction is rolled back
   * @throws io.treestore.page.StorageException if the database is read-only after a failure,
   *     or the log write or sync failed (the transaction may or may not be durable then, as
   *     after a crash; the database turns read-only)
   * @throws IllegalStateException if the transaction is not active
   */
  public long commit() {
    active();
    try {
      commitLsn = db.commit(this, writes, reads);
      state = State.COMMITTED;
      return commitLsn;
    } finally {
      if (state != State.COMMITTED) {
        state = State.ROLLED_BACK;
      }
      db.finish(mark, state == State.COMMITTED || readOnly);
      snapshot.close();
    }
  }

  /**
   * Discards the buffered writes. Idempotent after a rollback.
   *
   * @throws IllegalStateException if the transaction committed
   */
  public void rollback() {
    if (state == State.COMMITTED) {
      throw new IllegalStateException("transaction is committed");
    }
    if (state == State.ACTIVE) {
      state = State.ROLLED_BACK;
      db.finish(mark, readOnly);
      snapshot.close();
    }
  }

  /** Rolls back unless committed. Idempotent. */
  @Override
  public void close() {
    if (state == State.ACTIVE) {
      rollback();
    }
  }
}
