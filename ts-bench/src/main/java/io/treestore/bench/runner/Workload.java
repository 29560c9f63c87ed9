package io.treestore.bench.runner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One family of the report: which benchmark methods run with which parameters, which engines
 * are compared, and how its rows and columns are labelled.
 *
 * @param id short name, used for file names ({@code raw/<id>.json}, {@code charts/<id>.png})
 *     and {@code --only}
 * @param title the section title
 * @param intro Markdown paragraphs: what is measured and how each engine is configured
 * @param datasetParam the JMH parameter that names the data set of a result, or {@code null}
 *     when the family has one data set ({@link #fixedDataset})
 * @param fixedDataset the data set's description when {@code datasetParam} is {@code null}
 * @param engines the engines compared, TreeStore first, in column order
 * @param parts the JMH runs
 * @param labels operation label by benchmark method name
 */
public record Workload(String id, String title, String intro, @Nullable String datasetParam,
    String fixedDataset, List<String> engines, List<Part> parts, Map<String, String> labels) {

  /** The engine every ratio is relative to. */
  public static final String TREESTORE = "treestore";

  /**
   * One JMH run of a family.
   *
   * @param benchmark the benchmark class's fully qualified name
   * @param methods the benchmark methods to run
   * @param params JMH parameters, each with its values, in order
   * @param singleShot whether the methods are single-shot (iteration counts from
   *     {@link Profile#singleShotWarmups}, not times)
   */
  public record Part(String benchmark, List<String> methods, Map<String, List<String>> params,
      boolean singleShot) {

    /**
     * Returns JMH's include pattern for exactly these methods.
     *
     * @return a regular expression matched against {@code class.method}
     */
    public String include() {
      List<String> quoted = new ArrayList<>();
      for (String m : methods) {
        quoted.add(Pattern.quote(m));
      }
      return "^" + Pattern.quote(benchmark) + "\\.(" + String.join("|", quoted) + ")$";
    }

    /**
     * Returns how many trials the run has: methods times every combination of parameters.
     *
     * @return the trial count
     */
    public int trials() {
      int n = methods.size();
      for (List<String> v : params.values()) {
        n *= v.size();
      }
      return n;
    }
  }

  /**
   * Returns the display name of an engine.
   *
   * @param engine the {@code engine} parameter value
   * @return for example {@code TreeStore}, {@code H2 MVStore}
   */
  public static String engineName(String engine) {
    return switch (engine) {
      case TREESTORE -> "TreeStore";
      case "sqlite" -> "SQLite";
      case "postgres" -> "PostgreSQL";
      case "lmdb" -> "LMDB";
      case "mvstore" -> "H2 MVStore";
      case "lucene" -> "Lucene";
      default -> engine;
    };
  }

  /**
   * Returns the label of a benchmark method.
   *
   * @param method the method name
   * @return its label, or the name itself
   */
  public String label(String method) {
    return labels.getOrDefault(method, method);
  }

  /**
   * Returns the total number of trials.
   *
   * @return the sum over the parts
   */
  public int trials() {
    return parts.stream().mapToInt(Part::trials).sum();
  }

  /**
   * Returns the families of a run, in report order.
   *
   * @param p the profile
   * @param postgres whether the PostgreSQL peer is available
   * @return the workloads
   */
  public static List<Workload> all(Profile p, boolean postgres) {
    List<String> corpora = p.corpora();
    List<String> docEngines = postgres ? List.of(TREESTORE, "sqlite", "postgres")
        : List.of(TREESTORE, "sqlite");
    String pkg = "io.treestore.bench.";
    List<Workload> out = new ArrayList<>();
    out.add(new Workload("ingest", "Ingest", """
        One document stored in one transaction that is durable when the call returns: a \
        300-node tree drawn like the synthetic corpus, or, on the real trees, the largest real \
        tree (76 nodes with the text of its pages), into a store already holding the corpus. \
        TreeStore: `StoreDocument` through the embedded API, durability `SYNC`. SQLite: the \
        JSON parsed with Jackson, flattened, inserted with prepared JDBC batches in one \
        `BEGIN IMMEDIATE ... COMMIT`, WAL mode with `synchronous=FULL` (the documented \
        power-safe setting), FTS5 kept by triggers. PostgreSQL: the same rows over loopback \
        JDBC in one transaction, `synchronous_commit = on`. The documents ingested in an \
        iteration are deleted after it, untimed (`StoresBenchmark.ingest300`).""",
        "corpus", "", docEngines,
        List.of(new Part(pkg + "StoresBenchmark", List.of("ingest300"),
            params("engine", docEngines, "corpus", corpora), false)),
        Map.of("ingest300", "Ingest one document (durable)")));
    List<String> reads = List.of("getNode", "getChildren", "getSubtreeDepth2", "getSubtreeFull",
        "getAncestorPath", "getNodesByPage");
    out.add(new Workload("reads", "Tree reads", """
        The document operations of the PageIndex API, each call its own read transaction, \
        targets drawn with a fixed seed and the same for every engine: GetNode (any node), \
        GetChildren and GetSubtree (depth 2 and full; nodes with children), GetAncestorPath \
        (nodes below the roots), GetNodesByPage (a page of a document). Every engine returns \
        the same records with the same fields. TreeStore: the embedded API (`TreeStore.call`), \
        page cache twice the store. SQLite: one connection, cache twice the file, recursive \
        CTEs over a covering parent index, a `node_pages` table for pages. PostgreSQL: the same \
        schema and recursive CTEs over loopback JDBC, server-side prepared statements, one \
        connection (`StoresBenchmark`).""",
        "corpus", "", docEngines,
        List.of(new Part(pkg + "StoresBenchmark", reads,
            params("engine", docEngines, "corpus", corpora), false)),
        labels("getNode", "GetNode", "getChildren", "GetChildren", "getSubtreeDepth2",
            "GetSubtree (depth 2)", "getSubtreeFull", "GetSubtree (full)", "getAncestorPath",
            "GetAncestorPath", "getNodesByPage", "GetNodesByPage")));
    List<String> searchEngines = List.of(TREESTORE, "sqlite", "lucene");
    out.add(new Workload("search", "Keyword search (top 10, BM25)", """
        Two-word queries of real words (either may match), top 10 by BM25, at the index \
        level: TreeStore's full-text index of the documents store (`FullTextIndex.search` in \
        a read-only transaction; it also builds a snippet per hit, which the peers do not), \
        SQLite FTS5 (`ORDER BY rank LIMIT 10`, joined to the nodes for their ids), Lucene \
        (`IndexSearcher.search(query, 10)` on a memory-mapped index, stored ids of the hits). \
        Over the whole corpus, and within one document (TreeStore key prefix, FTS5 column \
        filter, Lucene filter clause). On-disk size is the whole store for TreeStore and \
        SQLite, the index alone for Lucene (`SearchBenchmark`).""",
        "corpus", "", searchEngines,
        List.of(new Part(pkg + "SearchBenchmark", List.of("searchCorpus", "searchDocument"),
            params("engine", searchEngines, "corpus", corpora), false)),
        labels("searchCorpus", "Search, whole corpus", "searchDocument",
            "Search, one document")));
    out.add(new Workload("mixed", "Mixed reads and writes, 16 clients", """
        16 client threads on one store: 45 % GetNode, 45 % GetChildren, 10 % durable writes \
        of a new 5-node document. TreeStore: one shared embedded store, `SYNC` (concurrent \
        commits share a log sync). SQLite and PostgreSQL: one connection per client, as \
        their documentation requires; SQLite writers serialize on its write lock. p50 is a \
        read, p99 mostly a write; throughput is all clients together (16 / mean latency) \
        (`MixedBenchmark`).""",
        "corpus", "", docEngines,
        List.of(new Part(pkg + "MixedBenchmark", List.of("mixed"),
            params("engine", docEngines, "corpus", corpora), false)),
        Map.of("mixed", "90 % reads / 10 % durable writes")));
    List<String> kvEngines = List.of(TREESTORE, "sqlite", "mvstore", "lmdb");
    out.add(new Workload("commit", "Durable commit latency", """
        One thread, one transaction per call inserting one fresh random 16-byte key with a \
        100-byte value, returning once durable, into a database that starts empty. TreeStore \
        `Database` with `SYNC` (log record `fdatasync`ed before commit returns); SQLite WAL \
        with `synchronous=FULL`; H2 MVStore `TransactionStore` commit then `MVStore.sync()`; \
        LMDB with its default (synced) flags. The raw floor of this file system, a 4 KiB \
        append plus `fdatasync`, is measured in the same run (`TxnCommitBenchmark`, \
        `WalFsyncBenchmark`).""",
        null, "1 row per transaction, fresh database", kvEngines,
        List.of(new Part(pkg + "TxnCommitBenchmark", List.of("commit"),
            params("engine", kvEngines, "rows", List.of("1")), false),
            new Part(pkg + "WalFsyncBenchmark", List.of("rawAppend4kForce"), Map.of(), false)),
        labels("commit", "Durable commit, 1 row", "rawAppend4kForce",
            "raw 4 KiB append + fdatasync")));
    out.add(new Workload("recovery", "Recovery after a crash", """
        The same history (transactions of 10 puts over 100,000 keys) is written to each \
        engine, which is then left as a process crash leaves it, with each engine's default \
        checkpointing. Measured: opening a copy of that image and answering the first read \
        (the last transaction's key, checked). TreeStore replays its log since the last \
        checkpoint; SQLite rebuilds its WAL index from the WAL; MVStore and LMDB have no log \
        to replay. Files are in the page cache; the time is the median of single shots \
        (`CrashRecoveryBenchmark`).""",
        null, String.format(Locale.ROOT, "%,d transactions x 10 puts, crash after the last",
            p.recoveryTxns), kvEngines,
        List.of(new Part(pkg + "CrashRecoveryBenchmark", List.of("open"),
            params("engine", kvEngines, "txns", List.of(Integer.toString(p.recoveryTxns))),
            true)),
        Map.of("open", "Open after crash + first read")));
    List<String> kv = List.of(TREESTORE, "lmdb", "mvstore");
    out.add(new Workload("kv", "Key-value layer", """
        TreeStore's B+Tree against LMDB and H2 MVStore with every engine's cache holding the \
        data: random point get, 1,000-entry range scan (average time per call), and random \
        and sequential inserts without durability (single shots of 100,000 and 300,000 \
        inserts, time per insert). Settings as in `docs/benchmarks-kv.md` (`KvBenchmark`, \
        `cache=all`).""",
        null, String.format(Locale.ROOT, "%,d random 16-byte keys, 100-byte values, all in"
            + " cache", p.kvKeys), kv,
        List.of(new Part(pkg + "KvBenchmark", List.of("randomGet", "rangeScan1000"),
            params("engine", kv, "cache", List.of("all")), false),
            new Part(pkg + "KvBenchmark", List.of("randomInsert", "sequentialInsert"),
                params("engine", kv, "cache", List.of("all")), true)),
        labels("randomGet", "Random point get", "rangeScan1000", "Range scan, 1,000 entries",
            "randomInsert", "Random insert", "sequentialInsert", "Sequential insert")));
    return out;
  }

  private static Map<String, List<String>> params(Object... namesAndValues) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      @SuppressWarnings("unchecked")
      List<String> v = (List<String>) namesAndValues[i + 1];
      m.put((String) namesAndValues[i], List.copyOf(v));
    }
    return m;
  }

  private static Map<String, String> labels(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }
}
