package io.treestore.txn;

import io.treestore.btree.BTreeFile;
import io.treestore.btree.BTreeOptions;
import io.treestore.btree.BTreeStats;
import io.treestore.btree.EntryIterator;
import io.treestore.btree.PendingFlush;
import io.treestore.btree.Range;
import io.treestore.btree.Snapshot;
import io.treestore.btree.WriteBatch;
import io.treestore.page.StorageException;
import io.treestore.txn.internal.CommitCodec;
import io.treestore.txn.internal.ConflictTracker;
import io.treestore.txn.internal.ReadSet;
import io.treestore.txn.internal.Write;
import io.treestore.txn.internal.WriteRuns;
import io.treestore.wal.Durability;
import io.treestore.wal.Wal;
import io.treestore.wal.WalReader;
import io.treestore.wal.WalRecord;
import io.treestore.wal.WalStats;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A durable, transactional, multi-keyspace key-value database: a B+Tree data file
 * ({@code data.ts}) plus a write-ahead log ({@code wal/}) in one directory.
 *
 * <h2>Commit protocol</h2>
 * <ol>
 *   <li>Under the commit lock: validate the transaction against the commits since it began
 *       (see {@link Isolation}), append ONE log record holding its whole write set (the record's
 *       LSN is the commit's timestamp), and remember its keys for later validations.
 *   <li>Without any lock: wait until the record is durable; concurrent committers share one
 *       write and one {@code fsync} (group commit, in {@link io.treestore.wal.Wal}).
 *   <li>Apply the write set to the B+Trees in LSN order (each commit waits for its
 *       predecessor), publishing all of it to readers at once, then acknowledge.
 * </ol>
 * With {@link Durability#GROUP_ASYNC} step 2 is skipped: the commit is applied and
 * acknowledged at once, and the log's background thread writes and syncs it within
 * {@link DatabaseOptions#groupAsyncMillis()}; a crash loses about the last interval of
 * acknowledged commits, never part of one. A checkpoint first waits until the log is durable
 * up to the LSN it covers (the write-ahead rule). With {@link Durability#NONE} step 2 waits
 * for the write to the operating system only.
 * Readers never block and are never blocked: a transaction reads a copy-on-write snapshot of
 * the trees taken at begin.
 *
 * <h2>Checkpoints and recovery</h2>
 * A checkpoint flushes the trees as of the last applied LSN {@code L} to the data file (its
 * meta page records {@code L}) and deletes the log segments wholly before {@code L + 1}. A
 * background thread starts one when the log has grown by
 * {@link DatabaseOptions#checkpointWalBytes()} or after
 * {@link DatabaseOptions#checkpointIntervalMillis()}. {@link #open} loads the data file's
 * durable state at {@code L} and replays the log records after {@code L}; records are applied
 * whole, so the state after recovery is a prefix of the commit order that contains every
 * acknowledged commit. While a checkpoint writes, commits go on (appended, applied and
 * acknowledged): the checkpoint captures the trees and their LSN at once, then
 * writes them while new commits are applied (they become durable in the data file at the
 * next checkpoint, and in the log already).
 *
 * <h2>Failures</h2>
 * If the log cannot be written or synced, or applying a durable record fails, the database
 * turns read-only and says why ({@link #failure()}); reads keep working. Reopen it to recover:
 * recovery replays what reached the disk. A checkpoint whose data-file sync fails does the
 * same. A checkpoint whose write fails (a full disk, an I/O error) changes nothing durable: an
 * explicit {@link #checkpoint()} throws and may be called again; the background checkpointer
 * logs a WARNING, counts it ({@link DatabaseStats#checkpointFailures()}) and tries again after
 * 1 s, doubling the wait up to 60 s, while commits go on into the log (so that writes succeed
 * throughout and checkpoints resume once the disk has room again, as PostgreSQL's
 * checkpointer does).
 *
 * <h2>Thread safety</h2>
 * Thread-safe. Each {@link Transaction} is confined to one thread at a time.
 */
public final class Database implements AutoCloseable {
  /** Name of the data file inside the database directory. */
  public static final String DATA_FILE = "data.ts";
  /** Name of the log directory inside the database directory. */
  public static final String WAL_DIR = "wal";
  /** Longest keyspace name, in UTF-8 bytes. */
  public static final int MAX_KEYSPACE_BYTES = 250;

  private static final String TREE_PREFIX = "k:";
  private static final long META_MAGIC = 0x5453_5458_4E00_0001L; // "TSTXN", 0, format 1
  private static final System.Logger LOG = System.getLogger(Database.class.getName());

  private final Path dir;
  private final DatabaseOptions options;
  private final BTreeFile file;
  private final Wal wal;
  private final Map<String, MergeOperator> operators = new HashMap<>();
  private final int maxKey;

  private final ReentrantLock commitLock = new ReentrantLock();
  /** Whether commits are acknowledged before their log record is synced (GROUP_ASYNC). */
  private final boolean asyncCommit;
  private final ConflictTracker tracker = new ConflictTracker();
  private final Set<StartMark> tracked = ConcurrentHashMap.newKeySet();
  private final ReentrantLock applyLock = new ReentrantLock();
  /** Durable commits not applied yet, by LSN; see {@link #applyInOrder}. */
  private final ConcurrentHashMap<Long, Unapplied> durableUnapplied = new ConcurrentHashMap<>();
  private volatile long appliedLsn;
  private final ReentrantLock checkpointLock = new ReentrantLock();
  private volatile long checkpointLsn;
  private volatile long walBytesAtCheckpoint;
  private volatile long lastCheckpointNanos = System.nanoTime();
  private volatile long checkpointDurationNanos;
  private volatile @Nullable String failure;
  private volatile boolean closed;
  private final @Nullable Thread checkpointer;
  private int commitsSincePrune;
  private static final long PRUNE_MIN_KEYS = 1 << 16;
  /**
   * The conflict tracker's size that triggers a prune before the next 256th commit: twice its
   * size after the last prune, at least {@link #PRUNE_MIN_KEYS}, so that large transactions
   * do not pile up millions of keys (every lookup in a commit's validation gets slower) while
   * prunes that find nothing to drop (long-lived readers) stay amortized linear.
   */
  private long pruneAtKeys = PRUNE_MIN_KEYS;

  private final LongAdder commits = new LongAdder();
  private final LongAdder conflicts = new LongAdder();
  private final LongAdder rollbacks = new LongAdder();
  private final LongAdder active = new LongAdder();
  private final LongAdder checkpoints = new LongAdder();
  private final LongAdder checkpointFailures = new LongAdder();
  /** First wait before a failed background checkpoint is tried again; doubles up to max. */
  private static final long CHECKPOINT_RETRY_MIN_NANOS = 1_000_000_000L;
  private static final long CHECKPOINT_RETRY_MAX_NANOS = 60_000_000_000L;
  // Checkpointer thread only.
  private long checkpointRetryDelayNanos;
  private long checkpointRetryAtNanos = System.nanoTime();

  private Database(Path dir, DatabaseOptions options, BTreeFile file, Wal wal) {
    this.asyncCommit = options.durability() == Durability.GROUP_ASYNC;
    this.dir = dir;
    this.options = options;
    this.file = file;
    this.wal = wal;
    operators.put(MergeOperator.INT64_ADD.name(), MergeOperator.INT64_ADD);
    for (MergeOperator op : options.mergeOperators()) {
      if (operators.putIfAbsent(op.name(), op) != null) {
        throw new IllegalArgumentException("two merge operators are named '" + op.name() + "'");
      }
    }
    this.maxKey = file.maxKeySize();
    boolean background = options.checkpointWalBytes() > 0 || options.checkpointIntervalMillis() > 0;
    this.checkpointer = background
        ? Thread.ofPlatform().daemon().name("treestore-checkpointer-" + dir.getFileName())
            .unstarted(this::checkpointLoop)
        : null;
  }

  /**
   * Opens or creates the database in {@code dir} with default options.
   *
   * @param dir the database directory (created if missing)
   * @return the open database
   * @throws StorageException on an I/O error or damage (see {@link #open(Path, DatabaseOptions)})
   */
  public static Database open(Path dir) {
    return open(dir, DatabaseOptions.defaults());
  }

  /**
   * Opens or creates the database in {@code dir} and recovers it: loads the data file's last
   * checkpoint at LSN {@code L}, replays the log records after {@code L}, and starts the
   * background checkpointer.
   *
   * @param dir the database directory (created if missing)
   * @param options the options
   * @return the open database
   * @throws io.treestore.page.CorruptionException if the data file is damaged
   * @throws io.treestore.wal.WalCorruptionException if the log is damaged other than at its
   *     tail
   * @throws StorageException on an I/O error, or if the log does not reach the data file's
   *     checkpoint (log files were lost), or a log record cannot be decoded
   */
  public static Database open(Path dir, DatabaseOptions options) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    try {
      Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new StorageException(dir, "cannot create the database directory: " + e, e);
    }
    BTreeFile file = BTreeFile.open(dir.resolve(DATA_FILE), new BTreeOptions(options.pageSize(),
        options.cacheBytes(), true, false, options.pageChannels()));
    Wal wal = null;
    try {
      long checkpoint = decodeMeta(file);
      wal = Wal.open(dir.resolve(WAL_DIR), options.walOptions(), checkpoint + 1);
      if (wal.lastLsn() < checkpoint) {
        throw new StorageException(dir.resolve(WAL_DIR), "the log ends at LSN " + wal.lastLsn()
            + " but the data file's checkpoint is at LSN " + checkpoint
            + ": log segments were lost", null);
      }
      Database db = new Database(dir, options, file, wal);
      db.checkpointLsn = checkpoint;
      db.appliedLsn = checkpoint;
      db.recover();
      wal.setDurableListener(db::applyDurable);
      db.walBytesAtCheckpoint = wal.sizeBytes();
      if (db.checkpointer != null) {
        db.checkpointer.start();
      }
      return db;
    } catch (RuntimeException e) {
      if (wal != null) {
        wal.close();
      }
      file.closeWithoutFlush();
      throw e;
    }
  }

  private static long decodeMeta(BTreeFile file) {
    byte[] u = file.userData();
    if (u.length == 0) {
      return 0;
    }
    ByteBuffer b = ByteBuffer.wrap(u);
    if (u.length != 16 || b.getLong() != META_MAGIC) {
      throw new StorageException(file.path(), "the data file's meta record is not a database "
          + "checkpoint (" + u.length + " bytes)", null);
    }
    return b.getLong();
  }

  private static byte[] encodeMeta(long lsn) {
    return ByteBuffer.allocate(16).putLong(META_MAGIC).putLong(lsn).array();
  }

  /**
   * Log bytes of commit records replayed as one B+Tree batch: enough that nodes many commits
   * touch are copied once per batch, small enough that the decoded writes stay a few times
   * this size in memory.
   */
  private static final long REPLAY_BATCH_BYTES = 32L << 20;

  /** Commits decoded from the log and combined into sorted runs, ready to apply. */
  private record Replay(Map<String, WriteRuns.Run> runs, long lastLsn, long commits) {}

  /**
   * Replays the log after the checkpoint. Batches of about {@link #REPLAY_BATCH_BYTES} of log
   * are read, decoded and sorted on a helper thread while the previous batch is applied to
   * the B+Trees on this one, so the two halves of the work overlap.
   */
  private void recover() {
    long from = appliedLsn + 1;
    if (from > wal.lastLsn()) {
      return;
    }
    long n = 0;
    java.util.concurrent.ExecutorService reader = java.util.concurrent.Executors
        .newSingleThreadExecutor(Thread.ofPlatform().name("treestore-recovery-reader")
            .daemon().factory());
    java.util.concurrent.Future<Replay> next = null;
    try (WalReader r = wal.read(from)) {
      next = reader.submit(() -> readBatch(r));
      while (true) {
        Replay batch = joinReplay(next);
        next = null;
        if (batch.commits() == 0) {
          break;
        }
        next = reader.submit(() -> readBatch(r));
        applyRuns(batch.runs());
        appliedLsn = batch.lastLsn();
        n += batch.commits();
      }
    } finally {
      if (next != null) {
        next.cancel(false);
        try {
          next.get();
        } catch (Exception ignored) {
          // The replay already failed; this batch is not needed.
        }
      }
      reader.shutdown();
    }
    LOG.log(System.Logger.Level.INFO, "{0}: replayed {1} commits after checkpoint LSN {2}",
        dir, n, checkpointLsn);
  }

  private Replay joinReplay(java.util.concurrent.Future<Replay> f) {
    try {
      return f.get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException(wal.directory(), "recovery interrupted", e);
    }
  }

  /** Reads, decodes and combines the next batch of commit records; none left: 0 commits. */
  private Replay readBatch(WalReader r) {
    WriteRuns runs = new WriteRuns();
    long bytes = 0;
    long last = 0;
    long commits = 0;
    while (bytes < REPLAY_BATCH_BYTES && r.hasNext()) {
      WalRecord rec = r.next();
      if (rec.type() != CommitCodec.COMMIT) {
        throw new StorageException(wal.directory(), "unknown log record type " + rec.type()
            + " at LSN " + rec.lsn(), null);
      }
      try {
        CommitCodec.decode(rec.payload(), operators::get, runs);
      } catch (IllegalArgumentException e) {
        throw new StorageException(wal.directory(), "log record at LSN " + rec.lsn()
            + " cannot be decoded: " + e.getMessage(), e);
      }
      bytes += rec.payload().length;
      last = rec.lsn();
      commits++;
    }
    return new Replay(runs.finish(), last, commits);
  }

  // ------------------------------------------------------------------ names and checks

  static String treeName(String keyspace) {
    return TREE_PREFIX + keyspace;
  }

  static void checkKeyspace(String keyspace) {
    Objects.requireNonNull(keyspace, "keyspace");
    int n = keyspace.getBytes(StandardCharsets.UTF_8).length;
    if (n == 0 || n > MAX_KEYSPACE_BYTES) {
      throw new IllegalArgumentException("keyspace name must be 1 to " + MAX_KEYSPACE_BYTES
          + " UTF-8 bytes, was " + n);
    }
  }

  void checkWrite(String keyspace, byte[] key, byte[] value) {
    checkKeyspace(keyspace);
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (key.length > maxKey) {
      throw new IllegalArgumentException("key is " + key.length + " bytes, at most " + maxKey);
    }
    if (value.length > (1 << 30)) {
      throw new IllegalArgumentException("value is " + value.length + " bytes, at most "
          + (1 << 30));
    }
  }

  void checkOperator(MergeOperator op) {
    Objects.requireNonNull(op, "operator");
    if (operators.get(op.name()) != op) {
      throw new IllegalArgumentException("merge operator '" + op.name() + "' is not registered"
          + " (registered: " + new TreeSet<>(operators.keySet()) + ")");
    }
  }

  /**
   * Returns the largest key accepted.
   *
   * @return bytes, {@code pageSize / 4 - 32}
   */
  public int maxKeySize() {
    return maxKey;
  }

  // ------------------------------------------------------------------ transactions

  /**
   * Begins a read-write transaction with snapshot isolation.
   *
   * @return the transaction; close it (commit or roll back)
   * @throws IllegalStateException if the database is closed
   */
  public Transaction begin() {
    return begin(Isolation.SNAPSHOT);
  }

  /**
   * Begins a read-write transaction.
   *
   * @param isolation the isolation level
   * @return the transaction
   * @throws IllegalStateException if the database is closed
   */
  public Transaction begin(Isolation isolation) {
    return start(isolation, false);
  }

  /**
   * Begins a read-only transaction: it sees a consistent snapshot, never conflicts and never
   * blocks anything.
   *
   * @return the transaction
   */
  public Transaction beginReadOnly() {
    return start(Isolation.SNAPSHOT, true);
  }

  private Transaction start(Isolation isolation, boolean readOnly) {
    Objects.requireNonNull(isolation, "isolation");
    checkOpen();
    // The snapshot is taken after reading appliedLsn, so it includes at least that commit.
    // The start is registered before the snapshot exists, so that pruning can never drop a
    // conflict entry the transaction will need.
    long start = appliedLsn;
    StartMark mark = null;
    if (!readOnly || isolation == Isolation.SERIALIZABLE) {
      mark = new StartMark(start);
      tracked.add(mark);
    }
    Snapshot s;
    try {
      s = file.snapshot();
    } catch (RuntimeException e) {
      if (mark != null) {
        tracked.remove(mark);
      }
      throw e;
    }
    Transaction tx = new Transaction(this, s, start, isolation, readOnly, mark);
    active.increment();
    return tx;
  }

  /**
   * Runs {@code body} in a transaction and commits it, retrying the whole body after a
   * {@link ConflictException} (up to 10 attempts, with randomized exponential backoff from
   * 1 ms). Any other exception rolls back and propagates. The body may run more than once, so
   * it must not have side effects outside the transaction.
   *
   * @param <T> the result type
   * @param isolation the isolation level
   * @param body reads and writes through the transaction and returns a result
   * @return the body's result of the attempt that committed
   * @throws ConflictException if every attempt conflicted
   */
  public <T> T inTransaction(Isolation isolation, Function<Transaction, T> body) {
    return inTransaction(isolation, 10, body);
  }

  /**
   * As {@link #inTransaction(Isolation, Function)} with a given number of attempts.
   *
   * @param <T> the result type
   * @param isolation the isolation level
   * @param maxAttempts attempts before giving up, {@code >= 1}
   * @param body the transaction body
   * @return the body's result
   * @throws ConflictException if every attempt conflicted
   * @throws IllegalArgumentException if {@code maxAttempts < 1}
   */
  public <T> T inTransaction(Isolation isolation, int maxAttempts,
      Function<Transaction, T> body) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
    for (int attempt = 1; ; attempt++) {
      try (Transaction tx = begin(isolation)) {
        T result = body.apply(tx);
        tx.commit();
        return result;
      } catch (ConflictException e) {
        if (attempt >= maxAttempts) {
          throw e;
        }
        long ceiling = 1_000_000L << Math.min(attempt - 1, 6);
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling));
      }
    }
  }

  long commit(Transaction tx, Map<String, NavigableMap<byte[], Write>> writes,
      @Nullable ReadSet reads) {
    if (writes.isEmpty()) {
      if (reads != null && !reads.isEmpty()) {
        commitLock.lock();
        try {
          validate(tx, writes, reads);
        } finally {
          commitLock.unlock();
        }
      }
      return tx.startLsn();
    }
    long lsn;
    commitLock.lock();
    try {
      checkWritable();
      validate(tx, writes, reads);
      byte[] payload = CommitCodec.encode(writes);
      try {
        lsn = wal.append(CommitCodec.COMMIT, payload, false);
      } catch (RuntimeException e) {
        throw fail("the log append failed", e);
      }
      tracker.record(lsn, writes);
      // Registered before it is durable, so that whoever makes it durable can apply it.
      durableUnapplied.put(lsn, new Unapplied(writes, Thread.currentThread()));
      if (++commitsSincePrune >= 256 || tracker.size() > pruneAtKeys) {
        commitsSincePrune = 0;
        tracker.prune(oldestStart());
        pruneAtKeys = Math.max(PRUNE_MIN_KEYS, 2L * tracker.size());
      }
    } finally {
      commitLock.unlock();
    }
    if (!asyncCommit) {
      try {
        wal.awaitDurable(lsn);
      } catch (RuntimeException e) {
        durableUnapplied.remove(lsn);
        throw fail("the log write or sync of LSN " + lsn + " failed", e);
      }
    }
    applyInOrder(lsn);
    commits.increment();
    maybeWakeCheckpointer();
    return lsn;
  }

  private void validate(Transaction tx, Map<String, NavigableMap<byte[], Write>> writes,
      @Nullable ReadSet reads) {
    try {
      tracker.validate(tx.startLsn(), writes, reads);
    } catch (ConflictException e) {
      conflicts.increment();
      throw e;
    }
  }

  /** A registered transaction start; identity matters, not the value. */
  static final class StartMark {
    final long lsn;

    StartMark(long lsn) {
      this.lsn = lsn;
    }
  }

  private long oldestStart() {
    long min = appliedLsn;
    for (StartMark m : tracked) {
      min = Math.min(min, m.lsn);
    }
    return min;
  }

  /**
   * Ends a transaction.
   *
   * @param mark its registered start, if any
   * @param uncounted whether it ends without counting as a rollback: it committed, or it was
   *     read-only
   */
  void finish(@Nullable StartMark mark, boolean uncounted) {
    if (mark != null) {
      tracked.remove(mark);
    }
    active.decrement();
    if (!uncounted) {
      rollbacks.increment();
    }
  }

  /**
   * Makes a durable commit visible, in LSN order, without a lock convoy. Each committer
   * registers its writes and its thread in {@link #durableUnapplied} when it appends its
   * record; whoever gets {@link #applyLock} applies every consecutive registered commit that is
   * durable in one B+Tree batch and unparks their committers, which return without taking the
   * lock. Usually that is the thread that made the group durable, told by the log before it
   * wakes the group's committers ({@link #applyDurable}), so a committer is woken once. A
   * committer that finds the lock taken, or its predecessor not applicable yet, parks. Every
   * thread that releases the lock checks again whether the next commit is applicable, so none
   * is left behind (the combining pattern of flat combining; Hendler et al., SPAA 2010).
   *
   * @param lsn the committer's own LSN, durable and registered
   */
  private void applyInOrder(long lsn) {
    while (true) {
      if (appliedLsn >= lsn) {
        return;
      }
      if (applyLock.tryLock()) {
        try {
          long bound = visibleBound();
          while (applicable(bound)) {
            applyRegistered(bound);
          }
        } finally {
          applyLock.unlock();
        }
        // A commit that became applicable while the lock was held (made durable by a leader
        // whose listener found the lock taken, or registered by a committer that then failed
        // to get the lock and parked) is waiting for exactly this check: apply it if this
        // thread's own commit still waits, else wake its committer to apply it.
        if (applicable(visibleBound())) {
          if (appliedLsn < lsn) {
            continue;
          }
          Unapplied next = durableUnapplied.get(appliedLsn + 1);
          if (next != null) {
            LockSupport.unpark(next.committer());
          }
          return;
        }
      }
      if (appliedLsn >= lsn) {
        return;
      }
      String f = failure;
      if (f != null) {
        durableUnapplied.remove(lsn);
        throw new StorageException(dir, "database is read-only: " + f, null);
      }
      if (!applicable(visibleBound()) || applyLock.isLocked()) {
        LockSupport.park(this);
      }
    }
  }

  /**
   * The LSN up to which registered commits may be applied, that is made visible: those durable
   * as the log's mode promises; in {@link Durability#GROUP_ASYNC} mode every registered commit,
   * since such a commit is acknowledged before its {@code fsync}, which the log's background
   * thread issues within {@link DatabaseOptions#groupAsyncMillis()}.
   */
  private long visibleBound() {
    return asyncCommit ? Long.MAX_VALUE : wal.durableLsn();
  }

  /** Whether the commit after {@link #appliedLsn} is registered and at most {@code bound}. */
  private boolean applicable(long bound) {
    return failure == null && appliedLsn < bound && durableUnapplied.containsKey(appliedLsn + 1);
  }

  /**
   * The log's durable listener: applies, on the thread that just made a group durable, the
   * registered commits up to {@code durable} and unparks their committers. Skipped if the apply
   * lock is taken (its holder, or the committers themselves, apply them then).
   */
  private void applyDurable(long durable) {
    if (failure != null || !applyLock.tryLock()) {
      return;
    }
    try {
      while (applicable(durable)) {
        applyRegistered(durable);
      }
    } catch (StorageException e) {
      // fail() recorded it and woke the committers, which report it.
    } finally {
      applyLock.unlock();
    }
    if (applicable(visibleBound())) {
      Unapplied next = durableUnapplied.get(appliedLsn + 1);
      if (next != null) {
        LockSupport.unpark(next.committer());
      }
    }
  }

  /**
   * Applies the registered commits that follow {@link #appliedLsn}, up to {@code bound}.
   * Caller holds applyLock.
   */
  private void applyRegistered(long bound) {
    long first = appliedLsn + 1;
    ArrayList<Unapplied> run = new ArrayList<>();
    for (long next = first; next <= bound; next++) {
      Unapplied u = durableUnapplied.remove(next);
      if (u == null) {
        break;
      }
      run.add(u);
    }
    long last = first + run.size() - 1;
    List<Map<String, NavigableMap<byte[], Write>>> commits = new ArrayList<>(run.size());
    for (Unapplied u : run) {
      commits.add(u.writes());
    }
    try {
      applyRuns(WriteRuns.of(commits));
    } catch (RuntimeException | Error e) {
      StorageException failed = fail("applying the durable commits at LSN " + first + " to "
          + last + " failed", e);
      // They are no longer registered, so fail() did not wake them: each finds the failure.
      unparkOthers(run);
      if (e instanceof Error err) {
        throw err;
      }
      throw failed;
    }
    appliedLsn = last;
    unparkOthers(run);
  }

  private static void unparkOthers(List<Unapplied> run) {
    Thread self = Thread.currentThread();
    for (Unapplied u : run) {
      if (u.committer() != self) {
        LockSupport.unpark(u.committer());
      }
    }
  }

  /**
   * Releases {@link #applyLock} taken by a thread that is not a committer (checkpoint, backup):
   * committers that found it taken parked, so the committer of the next commit in order, if
   * registered, is woken to apply the waiting run.
   */
  private void releaseApplyLock() {
    applyLock.unlock();
    Unapplied next = durableUnapplied.get(appliedLsn + 1);
    if (next != null) {
      LockSupport.unpark(next.committer());
    }
  }

  /** A durable commit waiting to be applied, and the thread waiting for it. */
  private record Unapplied(Map<String, NavigableMap<byte[], Write>> writes, Thread committer) {
  }

  /**
   * Applies consecutive commits to the B+Trees in one batch: their writes are combined per
   * keyspace into one sorted run ({@link WriteRuns}), and each run goes into its tree in one
   * descent ({@link WriteBatch#applySorted}), so a node that many of the commits touch is
   * copied once.
   */
  private void applyRuns(Map<String, WriteRuns.Run> runs) {
    for (String ks : runs.keySet()) {
      file.tree(treeName(ks));
    }
    file.write(batch -> {
      for (var ks : runs.entrySet()) {
        String t = treeName(ks.getKey());
        byte[][] keys = ks.getValue().keys();
        byte[][] values = ks.getValue().values();
        Write[] merges = ks.getValue().merges();
        for (int i = 0; i < keys.length; i++) {
          if (merges[i] != null) {
            values[i] = merges[i].resolve(batch.get(t, keys[i]));
          }
        }
        batch.applySorted(t, keys, values);
      }
    });
  }

  private StorageException fail(String what, Throwable cause) {
    String reason = what + ": " + cause.getMessage();
    applyLock.lock();
    try {
      if (failure == null) {
        failure = reason;
        LOG.log(System.Logger.Level.ERROR, "{0}: database turns read-only: {1}", dir, reason);
      }
      for (Unapplied u : durableUnapplied.values()) {
        LockSupport.unpark(u.committer());
      }
    } finally {
      applyLock.unlock();
    }
    return new StorageException(dir, reason + " (the database is now read-only; reopen it to "
        + "recover)", cause);
  }

  private void checkWritable() {
    checkOpen();
    String f = failure;
    if (f != null) {
      throw new StorageException(dir, "database is read-only after a failure: " + f, null);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(dir + ": database is closed");
    }
  }

  // ------------------------------------------------------------------ checkpoints

  /**
   * Makes the applied state durable in the data file and deletes the log segments it covers.
   * Commits go on meanwhile: the state is captured at once and written without blocking them.
   *
   * @return the LSN the checkpoint covers
   * @throws StorageException if the data file cannot be written or synced
   */
  public long checkpoint() {
    checkWritable();
    checkpointLock.lock();
    try {
      long t0 = System.nanoTime();
      long lsn;
      PendingFlush pending;
      // Capture the trees and the LSN they include together (no commit is being applied),
      // then write without holding up commits.
      applyLock.lock();
      try {
        lsn = appliedLsn;
        pending = file.startFlush(encodeMeta(lsn));
      } finally {
        releaseApplyLock();
      }
      try (pending) {
        if (asyncCommit) {
          // The write-ahead rule: the data file must not get ahead of the durable log, or a
          // crash would leave a checkpoint at an LSN the log never reached.
          try {
            wal.awaitDurable(lsn);
          } catch (RuntimeException e) {
            throw fail("the log could not be synced up to LSN " + lsn + " for a checkpoint", e);
          }
        }
        pending.complete();
      } catch (RuntimeException e) {
        if (failure != null) {
          throw e;
        }
        if (file.isReadOnly()) {
          // A failed sync: the data file refuses writes from now on, so the database must.
          throw fail("checkpoint at LSN " + lsn + " failed", e);
        }
        throw e;
      }
      checkpointLsn = lsn;
      wal.deleteSegmentsBefore(lsn + 1);
      walBytesAtCheckpoint = wal.sizeBytes();
      lastCheckpointNanos = System.nanoTime();
      checkpointDurationNanos = lastCheckpointNanos - t0;
      checkpoints.increment();
      return lsn;
    } finally {
      checkpointLock.unlock();
    }
  }

  private void maybeWakeCheckpointer() {
    Thread t = checkpointer;
    if (t != null && options.checkpointWalBytes() > 0
        && wal.sizeBytes() - walBytesAtCheckpoint >= options.checkpointWalBytes()) {
      LockSupport.unpark(t);
    }
  }

  private void checkpointLoop() {
    while (!closed) {
      LockSupport.parkNanos(this, 50_000_000L);
      if (closed || failure != null) {
        continue;
      }
      boolean bySize = options.checkpointWalBytes() > 0
          && wal.sizeBytes() - walBytesAtCheckpoint >= options.checkpointWalBytes();
      boolean byTime = options.checkpointIntervalMillis() > 0
          && System.nanoTime() - lastCheckpointNanos
              >= options.checkpointIntervalMillis() * 1_000_000L
          && appliedLsn > checkpointLsn;
      if ((bySize || byTime) && System.nanoTime() - checkpointRetryAtNanos >= 0) {
        try {
          checkpoint();
          checkpointRetryDelayNanos = 0;
        } catch (RuntimeException e) {
          if (closed) {
            continue;
          }
          if (file.isReadOnly() || wal.isReadOnly()) {
            // A failed sync: the data file or the log refuses writes from now on.
            fail("background checkpoint failed", e);
            continue;
          }
          // Nothing durable changed (a failed write is undone): retry later, as an explicit
          // checkpoint may be retried, instead of stopping the database's writes.
          checkpointFailures.increment();
          checkpointRetryDelayNanos = Math.min(CHECKPOINT_RETRY_MAX_NANOS,
              Math.max(CHECKPOINT_RETRY_MIN_NANOS, 2 * checkpointRetryDelayNanos));
          checkpointRetryAtNanos = System.nanoTime() + checkpointRetryDelayNanos;
          LOG.log(System.Logger.Level.WARNING, "{0}: background checkpoint failed, retrying in"
              + " {1} s: {2}", dir, checkpointRetryDelayNanos / 1_000_000_000L, e.toString());
        }
      }
    }
  }

  // ------------------------------------------------------------------ snapshots and backup

  /**
   * Takes a consistent read-only view of every keyspace, for long reads and backups.
   *
   * @return the snapshot; close it
   */
  public DbSnapshot snapshot() {
    checkOpen();
    long lsn = appliedLsn;
    return new DbSnapshot(file.snapshot(), lsn);
  }

  /**
   * Writes a consistent copy of the database, as of the last applied commit, to an empty or
   * missing directory, while the database stays online. The copy opens with {@link #open}.
   *
   * @param target the directory to create
   * @return the LSN the backup covers
   * @throws IllegalArgumentException if {@code target} exists and is not an empty directory
   * @throws StorageException on an I/O error
   */
  public long backup(Path target) {
    checkOpen();
    try {
      if (Files.exists(target)) {
        try (var s = Files.list(target)) {
          if (s.findAny().isPresent()) {
            throw new IllegalArgumentException("backup target " + target + " is not empty");
          }
        }
      }
      Files.createDirectories(target);
    } catch (java.io.IOException e) {
      throw new StorageException(target, "cannot create the backup directory: " + e, e);
    }
    Snapshot snap;
    long lsn;
    applyLock.lock();
    try {
      lsn = appliedLsn;
      snap = file.snapshot();
    } finally {
      releaseApplyLock();
    }
    try (snap; BTreeFile copy = BTreeFile.open(target.resolve(DATA_FILE),
        new BTreeOptions(options.pageSize(), 8L << 20, true, false,
            io.treestore.page.ChannelFactory.DEFAULT))) {
      for (String t : snap.treeNames()) {
        try (EntryIterator it = snap.tree(t).scan(Range.all())) {
          copy.tree(t).bulkLoad(new EntryAdapter(it));
        }
      }
      copy.flush(encodeMeta(lsn));
    }
    try (Wal w = Wal.open(target.resolve(WAL_DIR), options.walOptions()
        .withChannels(io.treestore.wal.WalChannels.DEFAULT), lsn + 1)) {
      LOG.log(System.Logger.Level.INFO, "{0}: backup at LSN {1} written to {2}", dir, lsn,
          target);
    }
    return lsn;
  }

  /** Adapts an entry iterator to the bulk loader's input. */
  private record EntryAdapter(EntryIterator it)
      implements java.util.Iterator<Map.Entry<byte[], byte[]>> {
    @Override
    public boolean hasNext() {
      return it.hasNext();
    }

    @Override
    public Map.Entry<byte[], byte[]> next() {
      var e = it.next();
      return Map.entry(e.key(), e.value());
    }
  }

  // ------------------------------------------------------------------ state

  /**
   * Returns the names of the keyspaces.
   *
   * @return the keyspaces that exist now, sorted
   */
  public Set<String> keyspaces() {
    checkOpen();
    Set<String> out = new TreeSet<>();
    for (String t : file.treeNames()) {
      if (t.startsWith(TREE_PREFIX)) {
        out.add(t.substring(TREE_PREFIX.length()));
      }
    }
    return out;
  }

  /**
   * Returns the LSN of the last commit applied (visible to new transactions).
   *
   * @return the LSN, {@code >= 0}
   */
  public long lastCommittedLsn() {
    return appliedLsn;
  }

  /**
   * Returns the LSN covered by the last checkpoint.
   *
   * @return the LSN, {@code >= 0}
   */
  public long checkpointLsn() {
    return checkpointLsn;
  }

  /**
   * Tells whether writes are refused after a failure.
   *
   * @return {@code true} if {@link #failure()} is present
   */
  public boolean isReadOnly() {
    return failure != null;
  }

  /**
   * Returns why the database turned read-only.
   *
   * @return the reason, if it failed
   */
  public Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  /**
   * Returns the directory.
   *
   * @return the database directory
   */
  public Path directory() {
    return dir;
  }

  /**
   * Verifies the data file as of the last checkpoint, reading every page from disk past the
   * cache: checksums, B+Tree invariants (order, bounds, depth, fill, counts, overflow
   * chains), that every page is used once or free, and both meta pages. Call
   * {@link #checkpoint()} first to include the latest commits. Readers and writers continue
   * meanwhile; checkpoints wait.
   *
   * @return the report; {@code ok()} when the file is sound
   * @throws IllegalStateException if the database is closed
   * @throws io.treestore.page.StorageException on an I/O error
   */
  public io.treestore.btree.CheckReport check() {
    checkOpen();
    return file.check();
  }

  /**
   * Returns counters and gauges for monitoring. Counting free pages reads the free list.
   *
   * @return the figures at this moment
   */
  public DatabaseStats stats() {
    checkOpen();
    BTreeStats b = file.stats();
    WalStats w = wal.stats();
    return new DatabaseStats(active.sum(), commits.sum(), conflicts.sum(), rollbacks.sum(),
        wal.sizeBytes(), wal.lastLsn(), appliedLsn, checkpointLsn, checkpoints.sum(),
        checkpointFailures.sum(), checkpointDurationNanos / 1_000_000.0, b.cache().hitRate(),
        w.groups(), w.records(), w.syncs(), w.syncNanos(), b);
  }

  /**
   * Stops the checkpointer, writes a final checkpoint (unless the database failed), and closes
   * the log and the data file. Open transactions must not be used afterwards. Idempotent.
   *
   * @throws StorageException if the final checkpoint fails; the files are closed anyway
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    try {
      if (failure == null) {
        checkpoint();
      }
    } finally {
      shutdown();
    }
  }

  /** Stops the checkpointer and closes the log and the data file (without flushing). */
  private void shutdown() {
    closed = true;
    Thread t = checkpointer;
    if (t != null) {
      LockSupport.unpark(t);
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      wal.close();
    } finally {
      file.closeWithoutFlush();
    }
  }

  /**
   * Closes without a final checkpoint, as a crash would (the log still holds every
   * acknowledged commit). For tests.
   */
  public void closeWithoutCheckpoint() {
    if (closed) {
      return;
    }
    shutdown();
  }
}
