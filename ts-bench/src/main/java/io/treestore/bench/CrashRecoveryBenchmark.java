package io.treestore.bench;

import io.treestore.bench.runner.TrialFacts;
import io.treestore.txn.Database;
import io.treestore.txn.DatabaseOptions;
import io.treestore.txn.Transaction;
import io.treestore.wal.Durability;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.jspecify.annotations.Nullable;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.sqlite.SQLiteConfig;

/**
 * Recovery after a crash: the time from opening a store that was not shut down cleanly to the
 * answer of its first read, TreeStore against SQLite, H2 MVStore and LMDB, after the same
 * committed history, each engine with its default checkpoint behaviour.
 *
 * <h2>Workload</h2>
 * Once per trial (untimed) a fresh store takes {@link #txns} transactions of {@value #ROWS}
 * puts each: keys drawn from {@value #KEY_SPACE} distinct {@value TxnBenchFiles#KEY_BYTES}-byte
 * keys ({@link RecoveryBenchmark#key}), {@value TxnBenchFiles#VALUE_BYTES}-byte values whose
 * first 8 bytes are the transaction's number. The writer does not wait for the disk (the files
 * are copied from the page cache, so that matters only for the setup's speed), and the store is
 * then left as a process crash after the last commit leaves it:
 * <ul>
 *   <li>TreeStore: {@code Durability.NONE}, default checkpoints (every 64 MiB of log or 60 s),
 *       then {@link Database#closeWithoutCheckpoint()}: the log since the last checkpoint must
 *       be replayed;
 *   <li>SQLite: WAL mode, {@code synchronous=OFF}, default automatic checkpoints (every 1,000
 *       WAL pages), {@code BEGIN IMMEDIATE ... COMMIT} per transaction; the database and WAL
 *       files are copied while the connection is open (no {@code -shm}), so opening must rebuild
 *       the WAL index from the WAL;
 *   <li>MVStore: a {@code byte[]} map with MVStore's default background commit (at most every
 *       second), one explicit {@code commit()} after the last put; the file is copied while
 *       the store is open;
 *   <li>LMDB: one write transaction per transaction, {@code MDB_NOSYNC}; the data file is
 *       copied while the environment is open.
 * </ul>
 * Each measured operation (single shot) opens a fresh copy of that crash image (copied before
 * the timer starts) with the engine's production settings (TreeStore
 * {@code DatabaseOptions.defaults()}; SQLite WAL, {@code synchronous=FULL}; MVStore defaults;
 * LMDB default flags) and reads the last transaction's last key; after the timer the value is
 * checked (the last transaction must have survived) and the store closed. The files are in the
 * OS page cache (a process crash, not a power loss).
 *
 * <h2>What it shows</h2>
 * A write-ahead-log engine pays at restart for the log written since its last checkpoint:
 * TreeStore replays logical records, SQLite re-reads its WAL (physical pages, kept short by
 * its checkpoints). MVStore and LMDB have no log to replay (copy-on-write files whose newest
 * root is found on open). {@link RecoveryBenchmark} measures TreeStore's replay of a large log
 * in depth.
 *
 * <h2>Run</h2>
 * {@snippet lang="shell" :
 * java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *     -jar ts-bench/target/benchmarks.jar CrashRecoveryBenchmark -rf json -rff recovery.json
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, batchSize = 1)
@Measurement(iterations = 8, batchSize = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g",
    "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"})
public class CrashRecoveryBenchmark {
  /** Puts per transaction. */
  static final int ROWS = 10;
  /** Distinct keys. */
  static final int KEY_SPACE = 100_000;
  private static final String KEYSPACE = "kv";

  /** The engine: {@code treestore}, {@code sqlite}, {@code mvstore} or {@code lmdb}. */
  @Param({"treestore", "sqlite", "mvstore", "lmdb"})
  public String engine;

  /** Transactions committed before the crash. */
  @Param({"20000"})
  public int txns;

  private Path dir;
  private Path image;
  private @Nullable Path work;
  private byte[] lastKey;
  private long lastTxn;
  private @Nullable AutoCloseable opened;
  private byte @Nullable [] read;

  /** Creates the state (JMH does). */
  public CrashRecoveryBenchmark() {
    // fields are set in setup
  }

  /**
   * Writes the history and leaves the crash image (untimed).
   *
   * @throws Exception if an engine fails
   */
  @Setup(Level.Trial)
  public void setup() throws Exception {
    dir = TxnBenchFiles.createDir("crash-" + engine + "-");
    image = dir.resolve("image");
    Files.createDirectories(image);
    Path live = dir.resolve("live");
    Files.createDirectories(live);
    long t0 = System.nanoTime();
    SplittableRandom rnd = new SplittableRandom(0xC2A5_4EC0L);
    switch (engine) {
      case "treestore" -> writeTreeStore(image, rnd);
      case "sqlite" -> writeSqlite(live, rnd);
      case "mvstore" -> writeMvStore(live, rnd);
      case "lmdb" -> writeLmdb(live, rnd);
      default -> throw new IllegalArgumentException(
          "engine must be treestore, sqlite, mvstore or lmdb: " + engine);
    }
    TxnBenchFiles.deleteDir(live);
    long bytes = TxnBenchFiles.bytesUnder(image);
    String settings = String.format(Locale.ROOT, "%s: %d transactions x %d puts written in"
        + " %.1f s; crash image %.1f MB (%s)", engine, txns, ROWS,
        (System.nanoTime() - t0) / 1e9, bytes / 1e6, listing(image));
    System.out.println("\n[crash] " + settings);
    TrialFacts.diskUsage(() -> TxnBenchFiles.bytesUnder(image));
    TrialFacts.note(TrialFacts.SETTINGS, engine, settings);
  }

  private static String listing(Path d) throws IOException {
    StringBuilder b = new StringBuilder();
    try (Stream<Path> s = Files.walk(d)) {
      for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
        b.append(b.isEmpty() ? "" : ", ").append(d.relativize(p)).append(' ')
            .append(Files.size(p));
      }
    }
    return b.toString();
  }

  private byte[] value(long txn) {
    byte[] v = new byte[TxnBenchFiles.VALUE_BYTES];
    ByteBuffer.wrap(v).putLong(txn);
    Arrays.fill(v, 8, v.length, (byte) txn);
    return v;
  }

  /** Calls {@code put} for every row of every transaction, {@code commit} after each. */
  private void history(SplittableRandom rnd, Put put, Commit commit) throws Exception {
    for (long t = 1; t <= txns; t++) {
      byte[] v = value(t);
      for (int i = 0; i < ROWS; i++) {
        byte[] k = RecoveryBenchmark.key(rnd.nextInt(KEY_SPACE));
        put.put(k, v);
        lastKey = k;
      }
      commit.commit();
      lastTxn = t;
    }
  }

  /** One put. */
  @FunctionalInterface
  private interface Put {
    void put(byte[] key, byte[] value) throws Exception;
  }

  /** One commit. */
  @FunctionalInterface
  private interface Commit {
    void commit() throws Exception;
  }

  private void writeTreeStore(Path into, SplittableRandom rnd) throws Exception {
    Database db = Database.open(into, DatabaseOptions.defaults()
        .withDurability(Durability.NONE));
    try {
      AtomicReference<Transaction> tx = new AtomicReference<>(db.begin());
      history(rnd, (k, v) -> tx.get().put(KEYSPACE, k, v), () -> {
        tx.get().commit();
        tx.get().close();
        tx.set(db.begin());
      });
      tx.get().close();
    } finally {
      db.closeWithoutCheckpoint();
    }
  }

  private static Connection sqlite(Path file, boolean durable) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(durable ? SQLiteConfig.SynchronousMode.FULL
        : SQLiteConfig.SynchronousMode.OFF);
    return org.sqlite.JDBC.createConnection("jdbc:sqlite:" + file, config.toProperties());
  }

  private void writeSqlite(Path live, SplittableRandom rnd) throws Exception {
    Path file = live.resolve("kv.db");
    try (Connection c = sqlite(file, false); Statement s = c.createStatement()) {
      s.executeUpdate("CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID");
      try (PreparedStatement begin = c.prepareStatement("BEGIN IMMEDIATE");
          PreparedStatement ins = c.prepareStatement("INSERT OR REPLACE INTO kv (k, v)"
              + " VALUES (?, ?)");
          PreparedStatement commit = c.prepareStatement("COMMIT")) {
        begin.execute();
        history(rnd, (k, v) -> {
          ins.setBytes(1, k);
          ins.setBytes(2, v);
          ins.executeUpdate();
        }, () -> {
          commit.execute();
          begin.execute();
        });
        commit.execute();
      }
      // the crash: copy the files while the connection is open, without the shared index
      for (String name : new String[] {"kv.db", "kv.db-wal"}) {
        Path f = live.resolve(name);
        if (Files.exists(f)) {
          Files.copy(f, image.resolve(name));
        }
      }
    }
  }

  private void writeMvStore(Path live, SplittableRandom rnd) throws Exception {
    MVStore store = new MVStore.Builder().fileName(live.resolve("kv.mv").toString()).open();
    try {
      MVMap<byte[], byte[]> map = map(store);
      history(rnd, map::put, () -> { });
      store.commit();
      Files.copy(live.resolve("kv.mv"), image.resolve("kv.mv"));
    } finally {
      store.close();
    }
  }

  private static MVMap<byte[], byte[]> map(MVStore store) {
    return store.openMap(KEYSPACE, new MVMap.Builder<byte[], byte[]>()
        .keyType(ByteArrayDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
  }

  private static Env<ByteBuffer> lmdb(Path d, EnvFlags... flags) {
    return Env.create().setMapSize(TxnLmdbPeer.MAP_SIZE).setMaxDbs(1).open(d.toFile(), flags);
  }

  private void writeLmdb(Path live, SplittableRandom rnd) throws Exception {
    try (Env<ByteBuffer> env = lmdb(live, EnvFlags.MDB_NOSYNC)) {
      Dbi<ByteBuffer> db = env.openDbi(KEYSPACE, DbiFlags.MDB_CREATE);
      ByteBuffer kb = ByteBuffer.allocateDirect(64);
      ByteBuffer vb = ByteBuffer.allocateDirect(TxnBenchFiles.VALUE_BYTES);
      AtomicReference<Txn<ByteBuffer>> tx = new AtomicReference<>(env.txnWrite());
      history(rnd, (k, v) -> {
        kb.clear();
        kb.put(k).flip();
        vb.clear();
        vb.put(v).flip();
        db.put(tx.get(), kb, vb);
      }, () -> {
        tx.get().commit();
        tx.get().close();
        tx.set(env.txnWrite());
      });
      tx.get().close();
      Files.copy(live.resolve("data.mdb"), image.resolve("data.mdb"));
    }
  }

  /**
   * Copies the crash image to a fresh directory (untimed).
   *
   * @throws IOException if copying fails
   */
  @Setup(Level.Invocation)
  public void copyImage() throws IOException {
    Path w = Files.createTempDirectory(dir, "open-");
    try (Stream<Path> s = Files.walk(image)) {
      for (Path p : s.toList()) {
        Path t = w.resolve(image.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    work = w;
    read = null;
  }

  /**
   * Opens the copy and reads the last transaction's last key.
   *
   * @return the value read
   * @throws Exception if the engine fails
   */
  @Benchmark
  public byte @Nullable [] open() throws Exception {
    Path w = work;
    byte[] v;
    switch (engine) {
      case "treestore" -> {
        Database db = Database.open(w, DatabaseOptions.defaults());
        opened = db;
        try (Transaction tx = db.beginReadOnly()) {
          v = tx.get(KEYSPACE, lastKey);
        }
      }
      case "sqlite" -> {
        Connection c = sqlite(w.resolve("kv.db"), true);
        opened = c;
        try (PreparedStatement s = c.prepareStatement("SELECT v FROM kv WHERE k = ?")) {
          s.setBytes(1, lastKey);
          try (ResultSet r = s.executeQuery()) {
            v = r.next() ? r.getBytes(1) : null;
          }
        }
      }
      case "mvstore" -> {
        MVStore store = new MVStore.Builder().fileName(w.resolve("kv.mv").toString()).open();
        opened = store::close;
        v = map(store).get(lastKey);
      }
      default -> {
        Env<ByteBuffer> env = lmdb(w);
        opened = env;
        Dbi<ByteBuffer> db = env.openDbi(KEYSPACE);
        ByteBuffer kb = ByteBuffer.allocateDirect(64);
        kb.put(lastKey).flip();
        try (Txn<ByteBuffer> tx = env.txnRead()) {
          ByteBuffer b = db.get(tx, kb);
          v = b == null ? null : new byte[b.remaining()];
          if (b != null) {
            b.get(v);
          }
        }
      }
    }
    read = v;
    return v;
  }

  /**
   * Checks that the last transaction survived, closes the store and deletes the copy
   * (untimed).
   *
   * @throws Exception if closing fails
   */
  @TearDown(Level.Invocation)
  public void check() throws Exception {
    AutoCloseable o = opened;
    opened = null;
    try {
      byte[] v = read;
      if (v == null || !Arrays.equals(v, value(lastTxn))) {
        throw new IllegalStateException(engine + ": the last transaction (" + lastTxn
            + ") was not recovered");
      }
    } finally {
      if (o != null) {
        o.close();
      }
      TxnBenchFiles.deleteDir(work);
      work = null;
    }
  }

  /** Deletes the trial's directory. */
  @TearDown(Level.Trial)
  public void tearDown() {
    TxnBenchFiles.deleteDir(dir);
  }

}
