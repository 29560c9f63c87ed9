package io.treestore.bench;

import io.treestore.bench.runner.TrialFacts;
import io.treestore.stores.documents.DocumentApi;
import io.treestore.wal.Durability;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * TreeStore's {@code documents} store against SQLite on the same PageIndex trees, in the same
 * JMH run: ingest of a 300-node tree in one durable transaction, GetNode, GetChildren,
 * GetSubtree (depth 2 and full), GetAncestorPath, GetNodesByPage and top-10 keyword search
 * (in one document and over the whole corpus).
 *
 * <h2>Data</h2>
 * A seeded synthetic corpus shaped like the real PageIndex trees ({@link StoresCorpus},
 * {@link PageIndexShape}), named by {@link #corpus}: {@code 50k-pages} (50,000 nodes, each with
 * the text of its pages, as the real {@code .with_text} trees), {@code 50k-none} and
 * {@code 1m-none} (50,000 and 1,000,000 nodes without text: titles, pages and summaries, as the
 * published PageIndex output), and {@code real}: the real PageIndex trees of the data set
 * directory with their page texts ({@link StoresCorpus#named}; the comparison runner uses it and
 * other sizes, any {@code <nodes>-<text>} name works). Every document is version
 * {@value StoresCorpus#VERSION}; reads name that version. The stores are built once per run
 * ({@link StoresData}) and reopened by every trial with durable settings and a cache of
 * twice the data, at most half the heap ({@link StoresData#cacheBytes}): TreeStore
 * ({@link TreeStoreDocs}) with durability {@code SYNC} and that {@code cacheBytes}; SQLite
 * ({@link SqliteDocs}) with {@code journal_mode=WAL}, {@code synchronous=FULL} and that
 * {@code cache_size}; engine {@code postgres}
 * (not in the default parameters; the comparison runner adds it) is PostgreSQL on loopback
 * ({@link PostgresDocs}, cluster from {@link PostgresPeer}). Before measuring, every
 * target of the benchmark is run once (and SQLite reads its whole file once), so reads are
 * served from each engine's cache.
 *
 * <h2>Operations</h2>
 * Targets are drawn once per trial with a fixed seed (the same for both engines) and cycled:
 * <ul>
 *   <li>{@link #getNode}: a node drawn uniformly from all nodes;
 *   <li>{@link #getChildren}, {@link #getSubtreeDepth2}, {@link #getSubtreeFull}: a node drawn
 *       uniformly from the nodes that have children;
 *   <li>{@link #getAncestorPath}: a node drawn uniformly from the nodes below the roots;
 *   <li>{@link #getNodesByPage}: a document drawn in proportion to its nodes, a page drawn
 *       uniformly from its pages;
 *   <li>{@link #searchDocument}: a two-word query (any word may match; real words, see
 *       {@link StoresCorpus#queries}) in a document drawn in proportion to its nodes, top 10
 *       with snippets and the hits' ancestors' titles; {@link #searchAll}: the same over all
 *       documents;
 *   <li>{@link #ingest300}: a fixed 300-node tree drawn like the corpus trees (for
 *       {@code real}: the largest real tree, {@link StoresCorpus#ingestDocument}), stored as a new
 *       document in one transaction made durable before the call returns (TreeStore
 *       {@code SYNC}, SQLite WAL with {@code synchronous=FULL}), into a copy of the built
 *       store; the documents ingested in an iteration are deleted after it, untimed.
 * </ul>
 * Mode {@code SampleTime}: every call is timed, JMH reports p50, p90, p99 and more; one thread,
 * so throughput is the inverse of the mean. The system property {@value #WARM_PROPERTY} caps
 * the setup's warming (milliseconds, default 20,000). Each trial registers its store's size
 * with {@link TrialFacts#diskUsage} and notes the engine's settings for the runner's report.
 *
 * <h2>Run</h2>
 * {@snippet lang="shell" :
 * java -Xmx1g --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *     -Dts.bench.stores=/tmp/ts-bench-stores -jar ts-bench/target/benchmarks.jar \
 *     StoresBenchmark -p corpus=50k-pages -rf json -rff stores.json
 * rm -rf /tmp/ts-bench-stores
 * }
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx12g", "-XX:+UseG1GC",
    "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class StoresBenchmark {
  /** The engine. */
  @Param({"treestore", "sqlite"})
  public String engine;

  /** The corpus (see the class comment). */
  @Param({"50k-pages", "1m-none"})
  public String corpus;

  private static final int TARGETS = 16_384;
  private static final int QUERIES = 1_024;
  /** System property: longest time in ms the setup spends running targets before the warmup. */
  static final String WARM_PROPERTY = "ts.bench.warmMillis";
  /** Longest time the setup spends running targets before the JMH warmup. */
  private static final long WARM_NANOS = Long.getLong(WARM_PROPERTY, 20_000L) * 1_000_000L;
  /** Nodes of the ingested tree. */
  static final int INGEST_NODES = 300;

  private DocsEngine docs;
  private @Nullable Path work;
  private String[] docIds;
  private String[] nodeIds;
  private int[] pages;
  private @Nullable String[] queries;
  private int next;
  private String ingestJson;
  private final List<String> ingested = new ArrayList<>();
  private int ingestCounter;

  /** Creates the state (JMH does). */
  public StoresBenchmark() {
    // fields are set in setup
  }

  /**
   * Builds or reuses the store, opens it, draws and warms the targets.
   *
   * @param params the benchmark being run
   */
  @Setup(Level.Trial)
  public void setup(BenchmarkParams params) {
    String op = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
    PageIndexShape shape = PageIndexShape.load();
    System.out.println("\n[stores] " + shape.describe());
    StoresCorpus c = StoresCorpus.named(corpus, shape);
    long bytes;
    if (engine.equals("postgres")) {
      String url = PostgresPeer.urlForThisJvm();
      PostgresDocs p = new PostgresDocs(url, PostgresDocs.ensureBuilt(url, c, corpus));
      bytes = p.diskBytes();
      TrialFacts.diskUsage(p::diskBytes);
      docs = p;
    } else {
      Path built = StoresData.built(engine, c, corpus);
      Path db;
      if (op.equals("ingest300")) {
        work = StoresData.copy(built);
        db = work;
      } else {
        db = built.resolve("db");
      }
      bytes = StoresData.sizeOf(db);
      TrialFacts.diskUsage(() -> StoresData.sizeOf(db));
      if (engine.equals("treestore")) {
        docs = new TreeStoreDocs(db, Durability.SYNC, StoresData.cacheBytes(bytes));
      } else if (engine.equals("sqlite")) {
        SqliteDocs s = new SqliteDocs(db, true, StoresData.cacheBytes(bytes) / 1024);
        s.warm();
        System.out.print("[stores] plans:\n" + s.plans());
        docs = s;
      } else {
        throw new IllegalArgumentException("engine must be treestore, sqlite or postgres: "
            + engine);
      }
    }
    System.out.println("[stores] " + docs.settings());
    TrialFacts.note(TrialFacts.SETTINGS, engine, docs.settings());
    TrialFacts.note(TrialFacts.DATASET, corpus, StoresData.describe(c, corpus));
    ingestJson = c.ingestDocument(INGEST_NODES);
    draw(c, op);
    long t0 = System.nanoTime();
    int n = op.startsWith("search") ? QUERIES : op.equals("ingest300") ? 0 : TARGETS;
    int warmed = 0;
    long results = 0;
    while (warmed < n && System.nanoTime() - t0 < WARM_NANOS) {
      Object answer = run(op);
      results += switch (answer) {
        case DocumentApi.SearchResult sr -> sr.hits().size();
        case DocumentApi.NodeList nl -> nl.nodes().size();
        case DocumentApi.Node nd -> 1 + descendants(nd);
        default -> 0;
      };
      warmed++;
    }
    next = 0;
    System.out.printf(Locale.ROOT, "[stores] %s %s %s: %d documents, %d nodes, store %.1f MB;"
        + " warmed %d targets in %.1f s, %.2f nodes or hits per answer%n", engine, corpus, op,
        c.docs.size(), c.nodes, bytes / 1e6, warmed, (System.nanoTime() - t0) / 1e9,
        warmed == 0 ? 0.0 : (double) results / warmed);
  }

  private static int descendants(DocumentApi.Node n) {
    int k = 0;
    if (n.children() != null) {
      for (DocumentApi.Node c : n.children()) {
        k += 1 + descendants(c);
      }
    }
    return k;
  }

  private Object run(String op) {
    return switch (op) {
      case "getNode" -> getNode();
      case "getChildren" -> getChildren();
      case "getSubtreeDepth2" -> getSubtreeDepth2();
      case "getSubtreeFull" -> getSubtreeFull();
      case "getAncestorPath" -> getAncestorPath();
      case "getNodesByPage" -> getNodesByPage();
      case "searchDocument" -> searchDocument();
      case "searchAll" -> searchAll();
      default -> throw new IllegalArgumentException(op);
    };
  }

  /** Draws the targets of {@code op} (the same for both engines). */
  private void draw(StoresCorpus c, String op) {
    SplittableRandom r = new SplittableRandom(StoresData.SEED ^ op.hashCode());
    // every node as (doc, index), filtered by what the operation needs
    int total = 0;
    for (StoresCorpus.Tree t : c.docs) {
      total += t.size();
    }
    int[] nodeDoc = new int[total];
    int[] nodeIdx = new int[total];
    int k = 0;
    for (int d = 0; d < c.docs.size(); d++) {
      StoresCorpus.Tree t = c.docs.get(d);
      for (int j = 0; j < t.size(); j++) {
        boolean ok = switch (op) {
          case "getChildren", "getSubtreeDepth2", "getSubtreeFull" -> t.kids()[j] > 0;
          case "getAncestorPath" -> t.depth()[j] > 0;
          default -> true;
        };
        if (ok) {
          nodeDoc[k] = d;
          nodeIdx[k] = j;
          k++;
        }
      }
    }
    int n = op.startsWith("search") ? QUERIES : TARGETS;
    docIds = new String[n];
    nodeIds = new String[n];
    pages = new int[n];
    List<String> qs = c.queries(n);
    queries = new String[n];
    for (int i = 0; i < n; i++) {
      int pick = r.nextInt(k);
      StoresCorpus.Tree t = c.docs.get(nodeDoc[pick]);
      docIds[i] = StoresCorpus.docId(nodeDoc[pick]);
      nodeIds[i] = StoresCorpus.nodeId(nodeIdx[pick]);
      pages[i] = 1 + r.nextInt(t.pages());
      queries[i] = qs.get(i);
    }
    next = 0;
  }

  private int target() {
    int i = next;
    next = i + 1 == docIds.length ? 0 : i + 1;
    return i;
  }

  /**
   * Deletes the documents ingested in the iteration (untimed).
   */
  @TearDown(Level.Iteration)
  public void dropIngested() {
    for (String d : ingested) {
      docs.delete(d);
    }
    ingested.clear();
  }

  /** Closes the engine and deletes a working copy. */
  @TearDown(Level.Trial)
  public void tearDown() {
    System.out.println("\n[stores] at end: " + docs.settings());
    docs.close();
    if (work != null) {
      StoresData.deleteTree(work);
    }
  }

  /**
   * Ingests the 300-node tree as a new document, durably, in one transaction.
   *
   * @return nodes stored
   */
  @Benchmark
  @Warmup(iterations = 2, time = 4)
  @Measurement(iterations = 10, time = 4)
  public int ingest300() {
    String id = "ingest" + (ingestCounter++);
    ingested.add(id);
    return docs.ingest(id, ingestJson);
  }

  /**
   * GetNode.
   *
   * @return the node
   */
  @Benchmark
  public DocumentApi.Node getNode() {
    int i = target();
    return docs.getNode(docIds[i], nodeIds[i]);
  }

  /**
   * GetChildren of a node with children.
   *
   * @return the children
   */
  @Benchmark
  public DocumentApi.NodeList getChildren() {
    int i = target();
    return docs.getChildren(docIds[i], nodeIds[i]);
  }

  /**
   * GetSubtree to depth 2 of a node with children.
   *
   * @return the subtree
   */
  @Benchmark
  public DocumentApi.Node getSubtreeDepth2() {
    int i = target();
    return docs.getSubtree(docIds[i], nodeIds[i], 2);
  }

  /**
   * GetSubtree without depth limit of a node with children.
   *
   * @return the subtree
   */
  @Benchmark
  public DocumentApi.Node getSubtreeFull() {
    int i = target();
    return docs.getSubtree(docIds[i], nodeIds[i], null);
  }

  /**
   * GetAncestorPath of a node below the roots.
   *
   * @return the ancestors
   */
  @Benchmark
  public DocumentApi.NodeList getAncestorPath() {
    int i = target();
    return docs.getAncestorPath(docIds[i], nodeIds[i]);
  }

  /**
   * GetNodesByPage.
   *
   * @return the nodes
   */
  @Benchmark
  public DocumentApi.NodeList getNodesByPage() {
    int i = target();
    return docs.getNodesByPage(docIds[i], pages[i]);
  }

  /**
   * Top-10 search in one document.
   *
   * @return the hits
   */
  @Benchmark
  public DocumentApi.SearchResult searchDocument() {
    int i = target();
    return docs.search(queries[i], docIds[i]);
  }

  /**
   * Top-10 search over all documents.
   *
   * @return the hits
   */
  @Benchmark
  public DocumentApi.SearchResult searchAll() {
    int i = target();
    return docs.search(queries[i], null);
  }
}
