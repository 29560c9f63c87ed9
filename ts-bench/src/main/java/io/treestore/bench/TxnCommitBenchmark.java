package io.treestore.bench;

import io.treestore.bench.runner.TrialFacts;
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

/**
 * Latency of one durable transaction, one thread: TreeStore against SQLite (WAL mode,
 * {@code synchronous=FULL}) and H2 MVStore ({@code TransactionStore}, commit + sync) in the
 * same JMH run; {@link WalFsyncBenchmark} gives the raw {@code fsync} floor on the same file
 * system in the same run.
 *
 * <h2>Workload</h2>
 * Each operation is one transaction that inserts {@link #rows} rows (1: "one small put per
 * transaction"; 100: a batch) of a fresh random {@value TxnBenchFiles#KEY_BYTES}-byte key and
 * a {@value TxnBenchFiles#VALUE_BYTES}-byte value, and returns once the transaction is
 * durable (see {@link TxnPeer} and each adapter for exactly what that means per engine). The
 * database starts empty in a fresh directory on a disk (see {@link TxnBenchFiles}) and grows
 * by every commit of warmup and measurement (26 s: about 135,000 one-row transactions for
 * TreeStore and SQLite, about 25,000 hundred-row ones for TreeStore, on the machine of the
 * report). Key generation (a few hundred nanoseconds) is inside the measured time. Mode
 * {@link Mode#SampleTime}: JMH samples the latency of individual commits, so the result has
 * percentiles (p50, p90, p99, p99.9, max).
 *
 * <h2>Code path modeled</h2>
 * TreeStore: {@code Database.begin}, {@code Transaction.put}, {@code Transaction.commit} →
 * {@code Database.commit}: conflict validation and {@code CommitCodec.encode} under the
 * commit lock, {@code Wal.append(type, payload, false)}, then {@code Wal.awaitDurable}, where
 * the single committer becomes the group leader and does one positional write and one
 * {@code FileChannel.force(false)}; then {@code applyInOrder} (B+Tree write batch, published
 * to readers). Background checkpoints (every 64 MiB of log or 60 s, defaults) may run during
 * the measurement, as in production.
 *
 * <h2>Run</h2>
 * {@snippet lang="shell" :
 * ./mvnw -B -q -o install -DskipTests -pl ts-page,ts-wal,ts-btree,ts-txn
 * ./mvnw -B -q package -DskipTests -pl ts-bench
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --sun-misc-unsafe-memory-access=allow \
 *     --enable-native-access=ALL-UNNAMED -jar ts-bench/target/benchmarks.jar \
 *     'TxnCommitBenchmark|WalFsyncBenchmark' -rf json -rff docs/benchmarks/txn-DATE.json
 * }
 * Select cases with {@code -p engine=treestore,sqlite} and {@code -p rows=1}; {@code lmdb}
 * ({@link TxnLmdbPeer}) is also accepted (the comparison runner adds it, with the
 * {@code --add-opens} flags lmdbjava needs; by hand, pass those with {@code -jvmArgsPrepend}
 * as {@link KvBenchmark}'s fork gets them). The default
 * run (6 trials, plus 2 of {@link WalFsyncBenchmark}) takes about 3.6 minutes. Results are in
 * {@code docs/benchmarks-txn.md}.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {
    "-Xms2g", "-Xmx2g",
    "--sun-misc-unsafe-memory-access=allow",
    "--enable-native-access=ALL-UNNAMED"})
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 4, time = 5)
@Threads(1)
public class TxnCommitBenchmark {
  /** The engine under test. */
  @Param({TxnPeer.TREESTORE, TxnPeer.SQLITE, TxnPeer.MVSTORE})
  public String engine;

  /** Rows inserted by each transaction. */
  @Param({"1", "100"})
  public int rows;

  private Path dir;
  private TxnPeer peer;
  private TxnPeer.Session session;
  private TxnBenchFiles.Rows source;

  /** Creates the state; JMH calls this once per trial. */
  public TxnCommitBenchmark() {}

  /** Opens the engine in a fresh directory and prints its durability settings. */
  @Setup(Level.Trial)
  public void setUp() {
    dir = TxnBenchFiles.createDir("txncommit-" + engine + "-");
    peer = TxnPeer.open(engine, dir);
    session = peer.session();
    source = new TxnBenchFiles.Rows(rows, 0x7C0_4417L);
    System.out.printf("[txn] %s rows=%d settings: %s%n", engine, rows, peer.settings());
    TrialFacts.diskUsage(() -> TxnBenchFiles.bytesUnder(dir));
    TrialFacts.note(TrialFacts.SETTINGS, engine, peer.settings());
  }

  /** Prints the engine's counters, closes it and deletes its directory. */
  @TearDown(Level.Trial)
  public void tearDown() {
    System.out.printf("%n[txn] %s rows=%d at end: %s, files %d bytes%n", engine, rows,
        peer.report(), TxnBenchFiles.bytesUnder(dir));
    session.close();
    peer.close();
    TxnBenchFiles.deleteDir(dir);
  }

  /** Runs one durable transaction of {@link #rows} inserts. */
  @Benchmark
  public void commit() {
    session.commit(source.nextKeys(), source.values());
  }
}
