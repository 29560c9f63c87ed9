package io.treestore.bench;

import io.treestore.bench.runner.TrialFacts;
import io.treestore.wal.Durability;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
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
 * Mixed reads and durable writes from {@value #CLIENTS} concurrent clients on one documents
 * store: TreeStore against SQLite and PostgreSQL in the same JMH run.
 *
 * <h2>Workload</h2>
 * {@value #CLIENTS} JMH threads share one store of the corpus {@link #corpus} (named as in
 * {@link StoresBenchmark}; a copy of the built store for TreeStore and SQLite, the built schema
 * for PostgreSQL). Each call draws, from the thread's own seeded generator:
 * <ul>
 *   <li>45 %: GetNode of a node drawn uniformly from all nodes;
 *   <li>45 %: GetChildren of a node drawn uniformly from the nodes with children;
 *   <li>10 %: a durable write: a new {@value #WRITE_NODES}-node document (drawn like the corpus
 *       trees, {@link StoresCorpus#ingestTree}) stored in one transaction that is durable when
 *       the call returns (TreeStore {@code SYNC}, so concurrent writers share a log sync; SQLite
 *       WAL with {@code synchronous=FULL}, writers serialized by {@code BEGIN IMMEDIATE} and
 *       SQLite's busy handler; PostgreSQL {@code synchronous_commit = on}).
 * </ul>
 * Clients: TreeStore is one thread-safe {@code TreeStore} shared by all threads; SQLite and
 * PostgreSQL get one connection per thread, as their documentation requires (SQLite: page
 * cache per connection, the store's size times two divided among the connections, at least
 * 16 MiB each). The documents written are removed after the trial (untimed).
 *
 * <h2>Measurement</h2>
 * Mode {@code SampleTime} over all threads: p50 is essentially a read, p99 and above the
 * writes. Throughput (all clients) is {@value #CLIENTS} divided by the mean. The machine of the
 * reports has 2 cores: the clients mostly wait, which is what 16 clients on a small server do.
 *
 * <h2>Run</h2>
 * {@snippet lang="shell" :
 * java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *     -Dts.bench.stores=/tmp/ts-bench-stores -jar ts-bench/target/benchmarks.jar \
 *     MixedBenchmark -p engine=treestore,sqlite -rf json -rff mixed.json
 * }
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx8g", "-XX:+UseG1GC",
    "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class MixedBenchmark {
  /** Client threads. */
  static final int CLIENTS = 16;
  /** Nodes of each written document. */
  static final int WRITE_NODES = 5;
  /** Share of calls that write, in percent. */
  static final int WRITE_PERCENT = 10;

  /** The engine: {@code treestore}, {@code sqlite} or {@code postgres}. */
  @Param({"treestore", "sqlite", "postgres"})
  public String engine;

  /** The corpus (see {@link StoresBenchmark}). */
  @Param({"50k-none"})
  public String corpus;

  private @Nullable Path work;
  private @Nullable DocsEngine shared;
  private String pgUrl = "";
  private String pgSchema = "";
  private long sqliteCacheKib;
  private final List<DocsEngine> opened = new ArrayList<>();
  private final ConcurrentLinkedQueue<String> written = new ConcurrentLinkedQueue<>();
  private final AtomicLong writes = new AtomicLong();
  String[] anyDoc;
  String[] anyNode;
  String[] parentDoc;
  String[] parentNode;
  String writeJson;

  /** Creates the state (JMH does). */
  public MixedBenchmark() {
    // fields are set in setup
  }

  /** Builds or reuses the store, copies it for writing and opens the shared engine. */
  @Setup(Level.Trial)
  public void setup() {
    StoresCorpus c = StoresCorpus.named(corpus, PageIndexShape.load());
    String settings;
    switch (engine) {
      case "treestore", "sqlite" -> {
        Path w = StoresData.copy(StoresData.built(engine, c, corpus));
        work = w;
        long bytes = StoresData.sizeOf(w);
        TrialFacts.diskUsage(() -> StoresData.sizeOf(w));
        if (engine.equals("treestore")) {
          DocsEngine t = new TreeStoreDocs(w, Durability.SYNC, StoresData.cacheBytes(bytes));
          shared = t;
          opened.add(t);
          settings = t.settings();
        } else {
          sqliteCacheKib = Math.max(16L << 10, StoresData.cacheBytes(bytes) / 1024 / CLIENTS);
          SqliteDocs first = new SqliteDocs(w, true, sqliteCacheKib);
          first.warm();
          settings = first.settings() + " x " + CLIENTS + " connections";
          first.close();
        }
      }
      case "postgres" -> {
        pgUrl = PostgresPeer.urlForThisJvm();
        pgSchema = PostgresDocs.ensureBuilt(pgUrl, c, corpus);
        PostgresDocs p = new PostgresDocs(pgUrl, pgSchema);
        opened.add(p);
        TrialFacts.diskUsage(p::diskBytes);
        settings = p.settings() + " x " + CLIENTS + " connections";
      }
      default -> throw new IllegalArgumentException(
          "engine must be treestore, sqlite or postgres: " + engine);
    }
    System.out.println("\n[mixed] " + settings);
    TrialFacts.note(TrialFacts.SETTINGS, engine, settings);
    TrialFacts.note(TrialFacts.DATASET, corpus, StoresData.describe(c, corpus));
    List<String[]> all = new ArrayList<>();
    List<String[]> parents = new ArrayList<>();
    for (int d = 0; d < c.docs.size(); d++) {
      StoresCorpus.Tree t = c.docs.get(d);
      for (int j = 0; j < t.size(); j++) {
        String[] id = {StoresCorpus.docId(d), StoresCorpus.nodeId(j)};
        all.add(id);
        if (t.kids()[j] > 0) {
          parents.add(id);
        }
      }
    }
    anyDoc = all.stream().map(a -> a[0]).toArray(String[]::new);
    anyNode = all.stream().map(a -> a[1]).toArray(String[]::new);
    parentDoc = parents.stream().map(a -> a[0]).toArray(String[]::new);
    parentNode = parents.stream().map(a -> a[1]).toArray(String[]::new);
    writeJson = c.ingestTree(WRITE_NODES);
  }

  /**
   * Opens a client's own engine (SQLite, PostgreSQL) or returns the shared one (TreeStore).
   *
   * @return the engine for one thread
   */
  synchronized DocsEngine client() {
    if (shared != null) {
      return shared;
    }
    DocsEngine e = engine.equals("sqlite") ? new SqliteDocs(work, true, sqliteCacheKib)
        : new PostgresDocs(pgUrl, pgSchema);
    opened.add(e);
    return e;
  }

  /** Removes the written documents, closes every engine and deletes the working copy. */
  @TearDown(Level.Trial)
  public void tearDown() {
    DocsEngine any = opened.get(0);
    if (engine.equals("postgres")) {
      for (String d : written) {
        any.delete(d);
      }
    }
    System.out.printf(Locale.ROOT, "%n[mixed] %s %s: %d durable writes; at end: %s%n", engine,
        corpus, writes.get(), any.settings());
    for (DocsEngine e : opened) {
      e.close();
    }
    if (work != null) {
      StoresData.deleteTree(work);
    }
  }

  /** One client: its engine, its generator and its document counter. */
  @State(Scope.Thread)
  public static class Client {
    DocsEngine docs;
    SplittableRandom random;
    String prefix;
    int counter;

    /** Creates the state (JMH does). */
    public Client() {
      // fields are set in setup
    }

    /**
     * Connects and seeds the client.
     *
     * @param b the benchmark
     * @param t the thread's parameters
     */
    @Setup(Level.Trial)
    public void setup(MixedBenchmark b, ThreadParams t) {
      docs = b.client();
      random = new SplittableRandom(StoresData.SEED + 31L * t.getThreadIndex());
      prefix = "mixed-" + t.getThreadIndex() + "-";
    }
  }

  /**
   * One call of the mix: GetNode, GetChildren or a durable write.
   *
   * @param c the client
   * @return the answer
   */
  @Benchmark
  @Threads(CLIENTS)
  public Object mixed(Client c) {
    int x = c.random.nextInt(100);
    if (x < WRITE_PERCENT) {
      String id = c.prefix + (c.counter++);
      int n = c.docs.ingest(id, writeJson);
      written.add(id);
      writes.incrementAndGet();
      return n;
    }
    if (x < WRITE_PERCENT + (100 - WRITE_PERCENT) / 2) {
      int i = c.random.nextInt(anyDoc.length);
      return c.docs.getNode(anyDoc[i], anyNode[i]);
    }
    int i = c.random.nextInt(parentDoc.length);
    return c.docs.getChildren(parentDoc[i], parentNode[i]);
  }
}
