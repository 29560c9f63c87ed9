package io.treestore.bench;

import java.nio.file.Path;

/**
 * The durable-commit surface that {@link TxnCommitBenchmark} and
 * {@link TxnGroupCommitBenchmark} drive, implemented once per engine so that TreeStore and its
 * peers run exactly the same transactions in the same JMH run.
 *
 * <p>One call of {@link Session#commit} is one transaction: it inserts or replaces
 * {@code keys.length} rows and returns only when the transaction is durable (it survives a
 * power loss, as far as {@code fsync} promises): TreeStore {@code Durability.SYNC}; SQLite WAL
 * mode with {@code synchronous=FULL}; H2 MVStore {@code TransactionStore} commit, then
 * {@code MVStore.commit()} and {@code MVStore.sync()}; LMDB {@code mdb_txn_commit} with the
 * default (synced) environment flags. Each adapter's class comment says
 * exactly what it calls; {@link #settings()} reads the settings back from the engine for the
 * benchmark log.
 *
 * <p>The peer is shared by all benchmark threads; each thread opens its own {@link Session}
 * (SQLite needs a connection per thread).
 */
interface TxnPeer extends AutoCloseable {

  /** TreeStore {@code io.treestore.txn.Database}. */
  String TREESTORE = "treestore";
  /** SQLite through xerial sqlite-jdbc. */
  String SQLITE = "sqlite";
  /** H2 MVStore with its {@code TransactionStore}. */
  String MVSTORE = "mvstore";
  /** LMDB through lmdbjava, synced commits. */
  String LMDB = "lmdb";
  /** TreeStore's log alone ({@link TxnWalPeer}): a baseline, not a database. */
  String WAL = "wal";
  /** Bare group commit with no database ({@link TxnFloorPeer}): the machine's floor. */
  String FLOOR = "floor";

  /**
   * Opens (creating) an engine's database in an empty directory.
   *
   * @param engine {@link #TREESTORE}, {@link #SQLITE}, {@link #MVSTORE}, {@link #LMDB},
   *     {@link #WAL} or {@link #FLOOR}
   * @param dir an existing empty directory owned by this engine
   * @return the open engine
   * @throws IllegalArgumentException for an unknown engine name
   */
  static TxnPeer open(String engine, Path dir) {
    return switch (engine) {
      case TREESTORE -> new TxnTreeStorePeer(dir);
      case SQLITE -> new TxnSqlitePeer(dir);
      case MVSTORE -> new TxnMvStorePeer(dir);
      case LMDB -> new TxnLmdbPeer(dir);
      case WAL -> new TxnWalPeer(dir);
      case FLOOR -> new TxnFloorPeer(dir);
      default -> throw new IllegalArgumentException("unknown engine '" + engine
          + "', expected one of " + TREESTORE + ", " + SQLITE + ", " + MVSTORE + ", " + LMDB
          + ", " + WAL + ", " + FLOOR);
    };
  }

  /**
   * Opens a session for the calling thread. Sessions are closed by {@link #close()} too.
   *
   * @return a session, to be used by one thread
   */
  Session session();

  /**
   * Returns the engine's version and durability settings, read back from the engine where it
   * can tell them.
   *
   * @return one line for the benchmark log
   */
  String settings();

  /**
   * Returns counters for the benchmark log (commits, checkpoints, file sizes).
   *
   * @return one line
   */
  String report();

  /** Closes every session and the engine. */
  @Override
  void close();

  /** One thread's handle: for SQLite a connection with its prepared statement. */
  interface Session extends AutoCloseable {
    /**
     * Runs one transaction that puts {@code keys[i] -> values[i]} for every {@code i} and
     * returns once it is durable.
     *
     * @param keys the keys, fresh arrays (an engine may keep them)
     * @param values the values, same length as {@code keys}
     */
    void commit(byte[][] keys, byte[][] values);

    /** Releases the session. Idempotent. */
    @Override
    void close();
  }
}
