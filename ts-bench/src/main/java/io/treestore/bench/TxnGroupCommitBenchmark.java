package io.treestore.bench;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Group commit: durable commits per second with 1, 4, 16 and 64 threads committing at once,
 * TreeStore against SQLite and H2 MVStore in the same JMH run.
 *
 * <h2>Workload</h2>
 * Every thread loops: one transaction inserting one row (fresh random
 * {@value TxnBenchFiles#KEY_BYTES}-byte key, {@value TxnBenchFiles#VALUE_BYTES}-byte value),
 * returning once durable (see {@link TxnPeer}). The number of threads is set by JMH
 * {@link Threads} on one method per count ({@link #threads01} ... {@link #threads64}); all
 * threads of a trial share one database, opened empty in a fresh directory on a disk. Keys are
 * random 128-bit values from a per-thread seeded generator, so transactions never conflict.
 * Mode {@link Mode#Throughput}: the score is the total commits per second of all threads.
 * SQLite runs one connection per thread (it has no group commit: writers take the write lock
 * in turn, each commit fsyncs the WAL; waiting writers sleep in SQLite's busy handler). MVStore
 * commits are serialized by its store lock for the chunk write, the syncs run concurrently.
 * The machine has 2 cores: most threads are blocked in I/O waits, which is the point.
 *
 * <h2>Code path modeled</h2>
 * TreeStore {@code Database.commit}: the commit lock covers validation, encoding and
 * {@code Wal.append(..., false)} only; {@code Wal.awaitDurable} then makes one waiter the
 * leader, which writes every record buffered so far with one positional write and one
 * {@code force(false)} while later committers queue the next group; then
 * {@code applyInOrder} applies each commit to the B+Trees in LSN order under the apply lock.
 *
 * <h2>Run</h2>
 * {@snippet lang="shell" :
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --sun-misc-unsafe-memory-access=allow \
 *     --enable-native-access=ALL-UNNAMED -jar ts-bench/target/benchmarks.jar \
 *     TxnGroupCommitBenchmark -rf json -rff docs/benchmarks/txn-group-DATE.json
 * }
 * (build as in {@link TxnCommitBenchmark}). Select engines with
 * {@code -p engine=treestore}. The default run (12 trials) takes about 4.5 minutes.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {
    "-Xms2g", "-Xmx2g",
    "--sun-misc-unsafe-memory-access=allow",
    "--enable-native-access=ALL-UNNAMED"})
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 4)
public class TxnGroupCommitBenchmark {
  /** The engine under test. */
  @Param({TxnPeer.TREESTORE, TxnPeer.SQLITE, TxnPeer.MVSTORE})
  public String engine;

  private Path dir;
  private TxnPeer peer;

  /** Creates the state; JMH calls this once per trial. */
  public TxnGroupCommitBenchmark() {}

  /** Opens the engine in a fresh directory and prints its durability settings. */
  @Setup(Level.Trial)
  public void setUp() {
    dir = TxnBenchFiles.createDir("txngroup-" + engine + "-");
    peer = TxnPeer.open(engine, dir);
    System.out.printf("[txn] %s settings: %s%n", engine, peer.settings());
  }

  /** Prints the engine's counters, closes it (and every session) and deletes its files. */
  @TearDown(Level.Trial)
  public void tearDown() {
    System.out.printf("%n[txn] %s at end: %s, files %d bytes%n", engine, peer.report(),
        TxnBenchFiles.bytesUnder(dir));
    peer.close();
    TxnBenchFiles.deleteDir(dir);
  }

  /** One committing thread's session and key generator. */
  @State(Scope.Thread)
  public static class Committer {
    private TxnPeer.Session session;
    private TxnBenchFiles.Rows rows;

    /** Creates the state; JMH calls this once per thread and trial. */
    public Committer() {}

    /**
     * Opens this thread's session.
     *
     * @param b the shared engine
     * @param t gives this thread's index, which seeds its keys
     */
    @Setup(Level.Trial)
    public void setUp(TxnGroupCommitBenchmark b, ThreadParams t) {
      session = b.peer.session();
      rows = new TxnBenchFiles.Rows(1, 0x6C0_4417L + 31L * t.getThreadIndex());
    }

    void commit() {
      session.commit(rows.nextKeys(), rows.values());
    }
  }

  /**
   * One thread committing.
   *
   * @param c this thread's committer
   */
  @Benchmark
  @Threads(1)
  public void threads01(Committer c) {
    c.commit();
  }

  /**
   * Four threads committing.
   *
   * @param c this thread's committer
   */
  @Benchmark
  @Threads(4)
  public void threads04(Committer c) {
    c.commit();
  }

  /**
   * Sixteen threads committing.
   *
   * @param c this thread's committer
   */
  @Benchmark
  @Threads(16)
  public void threads16(Committer c) {
    c.commit();
  }

  /**
   * Sixty-four threads committing.
   *
   * @param c this thread's committer
   */
  @Benchmark
  @Threads(64)
  public void threads64(Committer c) {
    c.commit();
  }
}
