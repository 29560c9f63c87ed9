package io.treestore.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.AuxCounters;
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

/**
 * Group commit: durable commits per second with 1, 4, 16 and 64 threads committing at once,
 * TreeStore against SQLite and H2 MVStore in the same JMH run, next to two baselines that are
 * not databases: TreeStore's log alone ({@code wal}, {@link TxnWalPeer}) and a bare
 * leader/follower group commit with nothing around it ({@code floor}, {@link TxnFloorPeer}),
 * which tells how far blocking commits can scale on the machine at all.
 *
 * <h2>Workload</h2>
 * {@link #threads} committer threads (platform threads started at trial setup, stopped at
 * teardown) each loop: one transaction inserting one row (fresh random
 * {@value TxnBenchFiles#KEY_BYTES}-byte key, {@value TxnBenchFiles#VALUE_BYTES}-byte value),
 * returning once durable (see {@link TxnPeer}), then a shared {@link LongAdder} is incremented.
 * All threads share one database, opened empty in a fresh directory on a disk. Keys are random
 * 128-bit values from per-thread seeded generators, so transactions never conflict. SQLite runs
 * one connection per thread (it has no group commit: writers take the write lock in turn and
 * each commit fsyncs the WAL; waiting writers sleep in SQLite's busy handler); MVStore commits
 * are serialized by its store lock for the chunk write, the syncs run concurrently. The machine
 * has 2 cores: most committers are blocked in I/O waits, which is the point.
 *
 * <h2>Measurement</h2>
 * The score is the total number of transactions all committer threads together completed in
 * a fixed wall-clock interval, divided by that interval. The one JMH thread only observes:
 * {@link #observe} parks 20 ms and publishes, in the {@link Commits} auxiliary counter, the
 * commits completed since its first call in the current iteration (the count is taken at the
 * start of the first call, right after JMH takes its start time, and at the end of the last
 * call, right before JMH takes its stop time, so the counted interval and the timed interval
 * agree to within microseconds). JMH divides the counter by the iteration's measured time, so
 * the score to read is the secondary metric {@code commits} (commits per second, all
 * committers together); the primary score is the observer's own calls per second (about 50)
 * and means nothing. Committers run through warmup, measurement and the gaps between
 * iterations without pause, so each measured interval is a steady-state window.
 *
 * <p>Why not JMH {@link Threads}: JMH measures each benchmark thread's own time and sums the
 * per-thread rates {@code ops_i / time_i}. With an engine that starves some threads (SQLite's
 * busy handler sleeps a waiting writer for up to 100 ms at a time), a thread that waited out
 * most of the iteration and then finished one quick commit after its own clock started
 * reports a rate for commits it never did: the smoke run showed SQLite at 20,000 "ops/s"
 * while it committed 3,000 rows per second. Counting completed transactions in one shared
 * counter over one interval has no such bias: a starved thread contributes exactly the
 * commits it finished. Each committer also counts its own commits, and teardown prints the
 * smallest, median and largest per-thread count of the trial, so starvation is visible in
 * the log.
 *
 * <h2>Code path modeled</h2>
 * TreeStore {@code Database.commit}: the commit lock covers validation, encoding and
 * {@code Wal.append(..., false)} only; {@code Wal.awaitDurable} then makes one waiter the
 * leader, which writes every record buffered so far with one positional write and one
 * {@code force(false)} while later committers queue the next group; then the leader applies
 * the group's commits to the B+Trees in LSN order, in one batch under the apply lock, before
 * it wakes their committers ({@code Database.applyInOrder}, flat combining). The
 * {@code wal} and {@code floor} baselines are described in {@link TxnWalPeer} and
 * {@link TxnFloorPeer}.
 *
 * <h2>Run</h2>
 * {@snippet lang="shell" :
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --sun-misc-unsafe-memory-access=allow \
 *     --enable-native-access=ALL-UNNAMED -jar ts-bench/target/benchmarks.jar \
 *     TxnGroupCommitBenchmark -rf json -rff docs/benchmarks/txn-group-DATE.json
 * }
 * (build as in {@link TxnCommitBenchmark}). Select cases with {@code -p engine=treestore} and
 * {@code -p threads=1,16}. The default run (20 trials) takes about 7 minutes. Results are in
 * {@code docs/benchmarks-txn.md}.
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
@Threads(1)
public class TxnGroupCommitBenchmark {
  /** The engine under test. */
  @Param({TxnPeer.TREESTORE, TxnPeer.SQLITE, TxnPeer.MVSTORE, TxnPeer.WAL, TxnPeer.FLOOR})
  public String engine;

  /** Committer threads. */
  @Param({"1", "4", "16", "64"})
  public int threads;

  private Path dir;
  private TxnPeer peer;
  private final LongAdder done = new LongAdder();
  private final List<Thread> committers = new ArrayList<>();
  private long[] perThread = new long[0];
  private volatile boolean running;
  private volatile @Nullable Throwable failure;

  /** Creates the state; JMH calls this once per trial. */
  public TxnGroupCommitBenchmark() {}

  /** Opens the engine in a fresh directory and starts the committers. */
  @Setup(Level.Trial)
  public void setUp() {
    dir = TxnBenchFiles.createDir("txngroup-" + engine + "-" + threads + "-");
    peer = TxnPeer.open(engine, dir);
    System.out.printf("[txn] %s threads=%d settings: %s%n", engine, threads, peer.settings());
    running = true;
    perThread = new long[threads];
    for (int t = 0; t < threads; t++) {
      TxnPeer.Session session = peer.session();
      TxnBenchFiles.Rows rows = new TxnBenchFiles.Rows(1, 0x6C0_4417L + 31L * t);
      int index = t;
      committers.add(Thread.ofPlatform().name("committer-" + t).start(() -> {
        long mine = 0;
        try {
          while (running) {
            session.commit(rows.nextKeys(), rows.values());
            done.increment();
            mine++;
          }
        } catch (Throwable e) {
          failure = e;
        } finally {
          perThread[index] = mine; // published to tearDown by Thread.join
          session.close();
        }
      }));
    }
  }

  /**
   * Stops the committers, prints the engine's counters, closes it and deletes its files.
   *
   * @throws InterruptedException if interrupted while joining the committers
   */
  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    running = false;
    for (Thread t : committers) {
      t.join();
    }
    long[] sorted = perThread.clone();
    java.util.Arrays.sort(sorted);
    System.out.printf("%n[txn] %s threads=%d at end: counted %d commits (per thread min %d,"
        + " median %d, max %d); %s, files %d bytes%n", engine, threads, done.sum(), sorted[0],
        sorted[sorted.length / 2], sorted[sorted.length - 1], peer.report(),
        TxnBenchFiles.bytesUnder(dir));
    peer.close();
    TxnBenchFiles.deleteDir(dir);
    if (failure != null) {
      throw new IllegalStateException("a committer failed", failure);
    }
  }

  /** Commits completed during the current iteration: JMH reports them per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Commits {
    /** Commits completed since the first observation of the iteration; read by JMH. */
    public long commits;
    private long base;
    private boolean started;

    /** Creates the counter; JMH calls this. */
    public Commits() {}

    /** Forgets the previous iteration: the next observation takes a new base. */
    @Setup(Level.Iteration)
    public void reset() {
      started = false;
      commits = 0;
    }
  }

  /**
   * Publishes the commits completed since the first call of this iteration, then parks
   * 20 ms and publishes them again.
   *
   * @param c the iteration's counter
   */
  @Benchmark
  public void observe(Commits c) {
    if (!c.started) {
      c.base = done.sum();
      c.started = true;
    }
    LockSupport.parkNanos(20_000_000L);
    Throwable f = failure;
    if (f != null) {
      throw new IllegalStateException("a committer failed", f);
    }
    c.commits = done.sum() - c.base;
  }
}
