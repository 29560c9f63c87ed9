package io.treestore.bench;

import io.treestore.bench.runner.TrialFacts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * TreeStore against LMDB and H2 MVStore on the same ordered key-value workload, in the same
 * JMH run: random point get, random insert, sequential insert and a 1,000-entry range scan.
 *
 * <h2>Workload</h2>
 * {@value KvData#COUNT} distinct random {@value KvData#KEY_BYTES}-byte keys (seeded
 * {@link SplittableRandom}, see {@link KvData}) with {@value KvData#VALUE_BYTES}-byte values,
 * about 116 MB of raw data, loaded once per trial through each engine's fastest load path
 * (TreeStore {@code bulkLoad}, LMDB {@code MDB_APPEND} in one transaction, MVStore sorted
 * puts) and made durable; the store is then closed, reopened with the cache under test and
 * warmed by one full scan. One benchmark thread.
 * <ul>
 *   <li>{@link #randomGet}: one lookup of an existing key per operation, keys in random
 *       order; the value is returned as a {@code byte[]}.
 *   <li>{@link #randomInsert}: one insert of a new random key per operation, not durable
 *       (TreeStore {@code put} without flush; LMDB one write transaction per put, committed
 *       without fsync ({@code MDB_NOSYNC}, {@code MDB_WRITEMAP}); MVStore {@code put} without
 *       commit, automatic commits off): each put is atomic and visible at once in all three. Each iteration is
 *       exactly {@value #INSERT_BATCH} inserts (single-shot iterations, so that the data set
 *       never grows by more than that); after each iteration the inserted keys are
 *       deleted and the store made durable (flush / {@code mdb_env_sync} / commit), untimed,
 *       so every iteration starts from a clean {@value KvData#COUNT}-key store.
 *   <li>{@link #sequentialInsert}: as {@link #randomInsert} with monotonically increasing
 *       keys ({@code 0xFF} x 8 then a big-endian counter), all appended after the loaded keys,
 *       {@value #SEQUENTIAL_BATCH} per iteration.
 *   <li>{@link #rangeScan1000}: seek to a random existing key and read the next
 *       {@value KvData#SCAN_LENGTH} entries in order, each key and value materialized as a
 *       {@code byte[]} and consumed by the {@link Blackhole}; the score is per scan.
 * </ul>
 * The second parameter, {@link #cache}, selects {@code all} (every engine's cache holds the
 * whole data set: TreeStore 512 MiB page cache, MVStore 512 MiB cache, LMDB 2 GiB map) or
 * {@code quarter} (the engine's own cache holds a quarter of the data: the store is first opened
 * with a large cache and read once, and the space the data then takes in that cache, in the
 * cache's own unit, is divided by four: TreeStore page bytes, about 120 MB to 30 MB; MVStore's
 * heap estimate, 137 MiB to 34 MiB; see {@link KvEngine#cacheFootprint}). LMDB has no cache of
 * its own and reads through the OS page cache, which the benchmark cannot limit: its
 * {@code quarter} figures are the all-in-memory figures. TreeStore and MVStore misses are
 * served from the OS page cache too
 * (the file was just written and the machine has far more RAM than data), so {@code quarter}
 * measures the cost of missing the engine's cache (read system call, checksum, decode,
 * eviction), not disk latency.
 *
 * <h2>Code path modeled</h2>
 * {@code BTree.get} (reader pin, root-to-leaf descent through {@code PageCache}, value copy),
 * {@code BTree.put} (write lock, copy-on-write of the root-to-leaf path, publication of the
 * new root), and {@code BTree.cursor}/{@code Cursor.next} (the stack-based cursor that climbs
 * and descends at leaf ends, since copy-on-write leaves have no sibling links). Durability
 * ({@code BTreeFile.flush}) is excluded from every score for all three engines.
 *
 * <h2>Run</h2>
 * {@snippet lang="shell" :
 * ./mvnw -q -B install -DskipTests -pl ts-page,ts-btree
 * ./mvnw -q -B package -DskipTests -pl ts-bench
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --sun-misc-unsafe-memory-access=allow \
 *     --enable-native-access=ALL-UNNAMED -jar ts-bench/target/benchmarks.jar KvBenchmark \
 *     -rf json -rff docs/benchmarks/kv-DATE.json
 * }
 * The forked JVM gets its flags from {@link Fork#jvmArgsAppend()} below (3 GiB heap, the
 * {@code --add-opens} lmdbjava needs on JDK 17+, native access, and lmdbjava's run-time
 * argument checks disabled as its own benchmarks do); passing {@code -jvmArgsAppend} on the
 * command line replaces them. Select engines or cases with {@code -p engine=treestore,lmdb}
 * and {@code -p cache=all}. The whole default run (24 trials) took 10 to 13 minutes on
 * 2 cores. Results are in {@code docs/benchmarks-kv.md}.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {
    "-Xms3g", "-Xmx3g",
    "--sun-misc-unsafe-memory-access=allow",
    "--enable-native-access=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dlmdbjava.disable.checks=true"})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KvBenchmark {
  /** Inserts per single-shot iteration of {@link #randomInsert}. */
  static final int INSERT_BATCH = 100_000;
  /**
   * Inserts per single-shot iteration of {@link #sequentialInsert}: appends are several times
   * cheaper than random inserts, so the batch is larger to keep an iteration well above the
   * length of a GC pause.
   */
  static final int SEQUENTIAL_BATCH = 300_000;
  /** Cache for the {@code all} case: far more than any engine's data (about 130 MB). */
  static final long ALL_CACHE_BYTES = 512L << 20;

  /** The engine under test. */
  @Param({KvEngine.TREESTORE, KvEngine.LMDB, KvEngine.MVSTORE})
  public String engine;

  /** {@code all}: the data fits in the engine's cache; {@code quarter}: it is 4x the cache. */
  @Param({"all", "quarter"})
  public String cache;

  private KvData data;
  private Path dir;
  private KvEngine kv;
  private final SplittableRandom rnd = new SplittableRandom(KvData.SEED + 1);
  private final byte[] insertValue = KvData.valueFor(new byte[KvData.KEY_BYTES]);
  private final byte[][] randomKeys = new byte[INSERT_BATCH][];
  private final byte[][] sequentialKeys = new byte[SEQUENTIAL_BATCH][];
  private long sequence;
  private byte @Nullable [][] inserted;
  private int getIndex;
  private int scanIndex;

  /** Creates the state; JMH calls this once per trial. */
  public KvBenchmark() {}

  /**
   * Builds the data set, loads it, reopens the store with the cache under test and warms it.
   *
   * @throws IOException if the temporary directory cannot be created
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    data = KvData.get();
    dir = Files.createTempDirectory("kvbench-" + engine + "-");
    long t0 = System.nanoTime();
    try (KvEngine loader = engine.equals(KvEngine.MVSTORE)
        ? new MvStoreKv(dir, ALL_CACHE_BYTES, true)
        : KvEngine.open(engine, dir, ALL_CACHE_BYTES)) {
      loader.load(data);
    }
    long loadMs = (System.nanoTime() - t0) / 1_000_000;
    long fileBytes = KvEngine.diskBytes(dir);
    kv = KvEngine.open(engine, dir, ALL_CACHE_BYTES);
    warmAndCheck();
    long footprint = kv.cacheFootprint(fileBytes);
    long cacheBytes = ALL_CACHE_BYTES;
    switch (cache) {
      case "all" -> { }
      case "quarter" -> {
        cacheBytes = footprint / 4;
        kv.close();
        kv = KvEngine.open(engine, dir, cacheBytes);
        warmAndCheck();
      }
      default -> throw new IllegalArgumentException("cache must be all or quarter: " + cache);
    }
    System.out.printf("%n[kv] %s/%s: load %d ms, files %d bytes, whole data set in cache"
        + " units %d, cache %d bytes; %s%n", engine, cache, loadMs, fileBytes, footprint,
        cacheBytes, kv.report());
    kv.mark();
    // LMDB's file is sparse (sized to the map): count its pages in use instead
    TrialFacts.diskUsage(() -> engine.equals(KvEngine.LMDB) ? kv.cacheFootprint(0)
        : KvEngine.diskBytes(dir));
    TrialFacts.note(TrialFacts.SETTINGS, engine, kv.report());
  }

  /** Reads every entry once (filling the cache) and checks the data set. */
  private void warmAndCheck() {
    int count = data.keys.length;
    int n = kv.scan(data.sorted[0], count, null);
    if (n != count) {
      throw new IllegalStateException(engine + ": scan saw " + n + " entries after load");
    }
    for (int i = 0; i < 1000; i++) {
      byte[] k = data.keys[(int) ((long) i * 997 % count)];
      if (!Arrays.equals(kv.get(k), KvData.valueFor(k))) {
        throw new IllegalStateException(engine + ": wrong value after load for key " + i);
      }
    }
  }

  /** Prepares the keys the insert benchmarks will use in the coming iteration. */
  @Setup(Level.Iteration)
  public void prepareInserts() {
    for (int i = 0; i < INSERT_BATCH; i++) {
      randomKeys[i] = KvData.randomKey(rnd);
    }
    for (int i = 0; i < SEQUENTIAL_BATCH; i++) {
      byte[] k = new byte[KvData.KEY_BYTES];
      Arrays.fill(k, 0, 8, (byte) 0xFF);
      ByteBuffer.wrap(k).putLong(8, sequence++);
      sequentialKeys[i] = k;
    }
  }

  /** Undoes the last iteration's inserts and makes the store durable again (untimed). */
  @TearDown(Level.Iteration)
  public void undoInserts() {
    byte[][] keys = inserted;
    if (keys != null) {
      inserted = null;
      kv.deleteAll(keys, keys.length);
      kv.commit();
    }
  }

  /** Prints the cache figures, closes the store and deletes its directory. */
  @TearDown(Level.Trial)
  public void tearDown() {
    System.out.printf("%n[kv] %s/%s at end: %s%n", engine, cache, kv.report());
    kv.close();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Looks up one existing key, in random order.
   *
   * @return the value
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @Warmup(iterations = 3, time = 2)
  @Measurement(iterations = 8, time = 2)
  public byte @Nullable [] randomGet() {
    int i = getIndex;
    getIndex = i + 1 == data.keys.length ? 0 : i + 1;
    return kv.get(data.keys[i]);
  }

  /**
   * Inserts {@value #INSERT_BATCH} new random keys, not durably; the score is per insert.
   *
   * @return the number of inserts
   */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OperationsPerInvocation(INSERT_BATCH)
  @Warmup(iterations = 5, batchSize = 1)
  @Measurement(iterations = 20, batchSize = 1)
  public int randomInsert() {
    return insertAll(randomKeys);
  }

  /**
   * Inserts {@value #SEQUENTIAL_BATCH} keys, each greater than all before it, not durably; the
   * score is per insert.
   *
   * @return the number of inserts
   */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OperationsPerInvocation(SEQUENTIAL_BATCH)
  @Warmup(iterations = 5, batchSize = 1)
  @Measurement(iterations = 20, batchSize = 1)
  public int sequentialInsert() {
    return insertAll(sequentialKeys);
  }

  private int insertAll(byte[][] keys) {
    inserted = keys;
    KvEngine e = kv;
    byte[] v = insertValue;
    for (byte[] k : keys) {
      e.put(k, v);
    }
    return keys.length;
  }

  /**
   * Seeks to a random existing key and reads {@value KvData#SCAN_LENGTH} entries.
   *
   * @param bh consumes every key and value
   * @return the number of entries read
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @Warmup(iterations = 3, time = 2)
  @Measurement(iterations = 8, time = 2)
  public int rangeScan1000(Blackhole bh) {
    int i = scanIndex;
    scanIndex = (i + 1) & (data.scanStarts.length - 1);
    return kv.scan(data.scanStarts[i], KvData.SCAN_LENGTH, bh);
  }
}
