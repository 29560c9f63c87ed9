package io.treestore.bench;

import io.treestore.txn.Database;
import io.treestore.txn.DatabaseOptions;
import io.treestore.txn.Transaction;
import io.treestore.wal.Durability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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

/**
 * Recovery: the time {@link Database#open} takes to replay a large write-ahead log, reported
 * by the benchmark log as MiB of log per second.
 *
 * <h2>Workload</h2>
 * Once per trial (untimed), a fresh database is written with {@link Durability#NONE} and
 * checkpoints disabled ({@code DatabaseOptions.defaults().withCheckpoints(0, 0)}) until its
 * log holds {@link #walMiB} MiB: single-thread transactions of {@value #ROWS} puts each, keys
 * drawn uniformly from {@value #KEY_SPACE} distinct {@value TxnBenchFiles#KEY_BYTES}-byte keys
 * (so most puts overwrite and the live data stays about 150 MB, while the log holds every
 * write), {@value TxnBenchFiles#VALUE_BYTES}-byte values; then
 * {@link Database#closeWithoutCheckpoint()}, as a crash would leave it: an empty data file
 * and the whole history in the log. Each measured operation is one {@link Database#open}
 * with {@code DatabaseOptions.defaults().withCheckpoints(0, 0)} (SYNC, as a production
 * restart; no checkpoint thread, so the log is not consumed): the log is checked segment by
 * segment, then every record is decoded and applied to the B+Tree. After each open (untimed)
 * the recovered last LSN is checked against the one written, and the database is closed
 * without a checkpoint, so every open replays the same log. {@link Mode#SingleShotTime}.
 * <ul>
 *   <li>{@code cache=warm}: the log files are in the operating system's page cache (a
 *       restart after a process crash): measures the replay's CPU cost.
 *   <li>{@code cache=cold}: before each open (untimed) every file is fsynced and its pages
 *       dropped from the page cache ({@code dd iflag=nocache count=0}, i.e.
 *       {@code posix_fadvise(POSIX_FADV_DONTNEED)}, on these files only), as after a reboot:
 *       includes reading the log from the disk.
 * </ul>
 *
 * <h2>Code path modeled</h2>
 * {@code Database.open} → {@code Wal.open} → {@code Recovery.run} (reads and CRC32C-checks
 * every frame of every segment, and in SYNC mode fsyncs the segments once) →
 * {@code Database.recover} ({@code WalReader} over the segments, {@code CommitCodec.decode},
 * {@code applyToTrees}: one {@code BTreeFile.write} batch per commit).
 *
 * <h2>Run</h2>
 * {@snippet lang="shell" :
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --sun-misc-unsafe-memory-access=allow \
 *     --enable-native-access=ALL-UNNAMED -jar ts-bench/target/benchmarks.jar \
 *     RecoveryBenchmark -rf json -rff docs/benchmarks/txn-recovery-DATE.json
 * }
 * (build as in {@link TxnCommitBenchmark}). Each trial prints
 * {@code [recovery] ... MiB/s} per open; the JMH score is milliseconds per open, and MiB/s is
 * {@code walBytes / 2^20 / (score / 1000)} with walBytes printed at setup. Use
 * {@code -p walMiB=256} for a shorter run. The default run (2 trials) takes about 3 minutes.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {
    "-Xms4g", "-Xmx4g",
    "--sun-misc-unsafe-memory-access=allow",
    "--enable-native-access=ALL-UNNAMED"})
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, batchSize = 1)
@Measurement(iterations = 4, batchSize = 1)
public class RecoveryBenchmark {
  /** Puts per transaction written. */
  static final int ROWS = 100;
  /** Distinct keys written. */
  static final int KEY_SPACE = 1 << 20;

  /** Size of the log to replay, in MiB. */
  @Param({"1024"})
  public int walMiB;

  /** {@code warm}: the log is in the page cache; {@code cold}: dropped before each open. */
  @Param({"warm", "cold"})
  public String cache;

  private Path dir;
  private long walBytes;
  private long lastLsn;
  private Database opened;
  private long t0;

  /** Creates the state; JMH calls this once per trial. */
  public RecoveryBenchmark() {}

  /** Writes the log (untimed) and closes the database without a checkpoint. */
  @Setup(Level.Trial)
  public void setUp() {
    if (!cache.equals("warm") && !cache.equals("cold")) {
      throw new IllegalArgumentException("cache must be warm or cold: " + cache);
    }
    dir = TxnBenchFiles.createDir("recovery-");
    long target = (long) walMiB << 20;
    DatabaseOptions write = DatabaseOptions.defaults().withDurability(Durability.NONE)
        .withCheckpoints(0, 0);
    long start = System.nanoTime();
    SplittableRandom rnd = new SplittableRandom(0x2EC0_7E2EL);
    byte[] value = new byte[TxnBenchFiles.VALUE_BYTES];
    rnd.nextBytes(value);
    long commits = 0;
    Database db = Database.open(dir, write);
    try {
      Path wal = dir.resolve(Database.WAL_DIR);
      while (true) {
        try (Transaction tx = db.begin()) {
          for (int i = 0; i < ROWS; i++) {
            tx.put(TxnTreeStorePeer.KEYSPACE, key(rnd.nextInt(KEY_SPACE)), value);
          }
          tx.commit();
        }
        commits++;
        if ((commits & 255) == 0 && TxnBenchFiles.bytesUnder(wal) >= target) {
          break;
        }
      }
      lastLsn = db.lastCommittedLsn();
    } finally {
      db.closeWithoutCheckpoint();
    }
    walBytes = TxnBenchFiles.bytesUnder(dir.resolve(Database.WAL_DIR));
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf("[recovery] wrote %d commits x %d rows, lastLsn=%d, walBytes=%d"
        + " (%.1f MiB), data file %d bytes, in %.1f s (%.1f MiB/s)%n", commits, ROWS, lastLsn,
        walBytes, walBytes / 1048576.0, Files.exists(dir.resolve(Database.DATA_FILE))
            ? TxnBenchFiles.bytesUnder(dir) - walBytes : 0, secs, walBytes / 1048576.0 / secs);
  }

  /** The key with index {@code i}: a scrambled 8-byte prefix (random order) and the index. */
  static byte[] key(int i) {
    long x = i * 0x9E37_79B9_7F4A_7C15L;
    x ^= x >>> 29;
    return ByteBuffer.allocate(TxnBenchFiles.KEY_BYTES).putLong(x).putLong(i).array();
  }

  /** For {@code cache=cold}: syncs every file of the database and drops it from the cache. */
  @Setup(Level.Invocation)
  public void prepare() {
    if (cache.equals("cold")) {
      List<Path> files;
      try (Stream<Path> s = Files.walk(dir)) {
        files = s.filter(Files::isRegularFile).toList();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (Path f : files) {
        dropFromPageCache(f);
      }
    }
    t0 = System.nanoTime();
  }

  private static void dropFromPageCache(Path f) {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ch.force(true); // dirty pages cannot be dropped
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Process p = new ProcessBuilder("dd", "if=" + f, "iflag=nocache", "count=0",
          "status=none").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalStateException("dd failed for " + f + ": " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Checks what was recovered and closes the database without a checkpoint. */
  @TearDown(Level.Invocation)
  public void closeOpened() {
    double secs = (System.nanoTime() - t0) / 1e9;
    Database db = opened;
    opened = null;
    try {
      if (db.lastCommittedLsn() != lastLsn) {
        throw new IllegalStateException("recovered up to LSN " + db.lastCommittedLsn()
            + ", expected " + lastLsn);
      }
    } finally {
      db.closeWithoutCheckpoint();
    }
    System.out.printf("[recovery] %s open replayed %.1f MiB in %.2f s (incl. JMH overhead):"
        + " %.1f MiB/s%n", cache, walBytes / 1048576.0, secs, walBytes / 1048576.0 / secs);
  }

  /** Deletes the database. */
  @TearDown(Level.Trial)
  public void tearDown() {
    TxnBenchFiles.deleteDir(dir);
  }

  /**
   * Opens the database, replaying the whole log.
   *
   * @return the LSN of the last recovered commit
   */
  @Benchmark
  public long open() {
    Database db = Database.open(dir, DatabaseOptions.defaults().withCheckpoints(0, 0));
    opened = db;
    return db.lastCommittedLsn();
  }
}
