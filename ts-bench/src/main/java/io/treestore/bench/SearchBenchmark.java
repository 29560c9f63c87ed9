package io.treestore.bench;

import io.treestore.bench.runner.TrialFacts;
import io.treestore.fts.FullTextIndex;
import io.treestore.fts.FullTextOptions;
import io.treestore.fts.SearchOptions;
import io.treestore.index.Tuple;
import io.treestore.txn.Database;
import io.treestore.txn.Transaction;
import io.treestore.wal.Durability;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
import org.sqlite.SQLiteConfig;

/**
 * Keyword search, top 10 by BM25, at the index level: TreeStore's full-text index against
 * SQLite FTS5 and Lucene, over the same node texts, in the same JMH run.
 *
 * <h2>Data and engines</h2>
 * The corpus is named as in {@link StoresBenchmark} ({@link #corpus}: a synthetic
 * {@code <nodes>-<text>} corpus or {@code real}) and each engine's index is built once per run:
 * <ul>
 *   <li>{@code treestore}: the {@code documents} store built by {@link StoresData} (its
 *       full-text index {@code documents.nodes}: fields title, summary, prefix summary and text,
 *       each weighing 1; unit key (document, version, node)), opened with durability
 *       {@code SYNC} and a page cache of twice the store; a search is a read-only transaction
 *       and {@link FullTextIndex#search} with limit 10 (MaxScore pruning on, the default). It
 *       builds a 200-character snippet for each of the 10 hits, which cannot be switched off:
 *       the two peers return ids and scores only, so TreeStore does more work per search;
 *   <li>{@code sqlite}: the FTS5 table {@code nodes_fts} of the SQLite store built by
 *       {@link StoresData} ({@code unicode61} tokenizer, {@code rank = bm25(0,1,1,1,1)}), a
 *       separate connection with a page cache of twice the file; the statement joins the
 *       10 best rows (FTS5 sorts inside the virtual table, {@code ORDER BY rank LIMIT 10}) to
 *       {@code nodes} for the node ids;
 *   <li>{@code lucene}: {@link LuceneIndex}.
 * </ul>
 * Each search returns the document id, node id and score of up to 10 hits.
 *
 * <h2>Operations</h2>
 * Two-word queries of real words, any word may match ({@link StoresCorpus#queries}; TreeStore
 * {@code "a b"}, SQLite {@code a OR b}, Lucene two {@code SHOULD} term clauses), drawn once per
 * trial with a fixed seed and cycled, the same for every engine:
 * {@link #searchCorpus} over all nodes; {@link #searchDocument} within one document, drawn in
 * proportion to its nodes (TreeStore: key prefix (document, version); SQLite: the column filter
 * {@code doc_id : ...}; Lucene: a {@code FILTER} clause on {@code doc}). Before measuring, every
 * query is run once (capped by {@value StoresBenchmark#WARM_PROPERTY}, default 20 s), and the
 * setup fails if no query finds anything. Mode {@code SampleTime}, one thread.
 *
 * <h2>Run</h2>
 * {@snippet lang="shell" :
 * java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *     -Dts.bench.stores=/tmp/ts-bench-stores -jar ts-bench/target/benchmarks.jar \
 *     SearchBenchmark -p corpus=real -rf json -rff search.json
 * }
 * The comparison runner ({@code io.treestore.bench.runner.BenchmarkRunner}) runs it for its
 * profile's corpora.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx8g", "-XX:+UseG1GC",
    "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class SearchBenchmark {
  /** The engine: {@code treestore}, {@code sqlite} or {@code lucene}. */
  @Param({"treestore", "sqlite", "lucene"})
  public String engine;

  /** The corpus (see {@link StoresBenchmark}). */
  @Param({"50k-pages"})
  public String corpus;

  private static final int QUERIES = 1_024;
  private static final long WARM_NANOS = Long.getLong(StoresBenchmark.WARM_PROPERTY, 20_000L)
      * 1_000_000L;
  /** The name of the documents store's full-text index (the store name, then "nodes"). */
  static final String TREESTORE_INDEX = "documents.nodes";

  /**
   * One hit.
   *
   * @param docId the document
   * @param nodeId the node
   * @param score the engine's BM25 score
   */
  public record Hit(String docId, String nodeId, double score) {}

  private String[] queries;
  private String[] docIds;
  private int next;
  private @Nullable TreeStoreDocs treestore;
  private @Nullable Database db;
  /** The documents store's index: default options, units grouped by (document, version). */
  private final FullTextIndex fts = new FullTextIndex(TREESTORE_INDEX,
      FullTextOptions.defaults().withGroupElements(2));
  private final SearchOptions top10 = SearchOptions.defaults().withLimit(10);
  private @Nullable Connection sqlite;
  private @Nullable PreparedStatement sqliteAll;
  private @Nullable PreparedStatement sqliteDoc;
  private @Nullable LuceneIndex lucene;

  /** Creates the state (JMH does). */
  public SearchBenchmark() {
    // fields are set in setup
  }

  /**
   * Opens the engine's index, draws the queries and runs each once.
   *
   * @param params the benchmark being run
   * @throws SQLException if SQLite fails
   */
  @Setup(Level.Trial)
  public void setup(BenchmarkParams params) throws SQLException {
    String op = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
    PageIndexShape shape = PageIndexShape.load();
    StoresCorpus c = StoresCorpus.named(corpus, shape);
    String settings;
    switch (engine) {
      case "treestore" -> {
        Path dbDir = StoresData.built(engine, c, corpus).resolve("db");
        long bytes = StoresData.sizeOf(dbDir);
        TreeStoreDocs t = new TreeStoreDocs(dbDir, Durability.SYNC,
            Math.max(256L << 20, 2 * bytes));
        treestore = t;
        db = t.database();
        TrialFacts.diskUsage(() -> StoresData.sizeOf(dbDir));
        settings = "treestore index=" + TREESTORE_INDEX + " " + fts.options() + " " + top10
            + " cacheBytes=" + Math.max(256L << 20, 2 * bytes);
      }
      case "sqlite" -> {
        Path dbDir = StoresData.built(engine, c, corpus).resolve("db");
        Path file = dbDir.resolve("nodes.db");
        long bytes = StoresData.sizeOf(dbDir);
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setCacheSize((int) -Math.max(256L << 10, 2 * bytes / 1024));
        Connection conn = org.sqlite.JDBC.createConnection("jdbc:sqlite:" + file,
            config.toProperties());
        sqlite = conn;
        String hit = "SELECT n.doc_id, n.node_id, -f.rank FROM nodes_fts f JOIN nodes n"
            + " ON n.rowid = f.rowid WHERE nodes_fts MATCH ? ORDER BY f.rank LIMIT 10";
        sqliteAll = conn.prepareStatement(hit);
        sqliteDoc = conn.prepareStatement(hit);
        try (Statement s = conn.createStatement()) {
          for (String q : new String[] {"SELECT count(*), sum(length(block)) FROM nodes_fts_data",
              "SELECT count(*) FROM nodes_fts_idx", "SELECT count(*) FROM nodes_fts_docsize",
              "SELECT count(*), sum(length(doc_id)), sum(length(node_id)) FROM nodes"}) {
            try (ResultSet r = s.executeQuery(q)) {
              r.next();
            }
          }
        }
        TrialFacts.diskUsage(() -> StoresData.sizeOf(dbDir));
        settings = "sqlite fts5 unicode61 rank=bm25(0,1,1,1,1) journal_mode=WAL cache_size="
            + Math.max(256L << 10, 2 * bytes / 1024) + " KiB";
      }
      case "lucene" -> {
        LuceneIndex l = new LuceneIndex(LuceneIndex.built(c, corpus));
        lucene = l;
        TrialFacts.diskUsage(l::diskBytes);
        settings = l.settings();
      }
      default -> throw new IllegalArgumentException(
          "engine must be treestore, sqlite or lucene: " + engine);
    }
    System.out.println("\n[search] " + settings);
    TrialFacts.note(TrialFacts.SETTINGS, engine, settings);
    TrialFacts.note(TrialFacts.DATASET, corpus, StoresData.describe(c, corpus));
    draw(c);
    long t0 = System.nanoTime();
    long hits = 0;
    int warmed = 0;
    while (warmed < QUERIES && System.nanoTime() - t0 < WARM_NANOS) {
      hits += (op.equals("searchDocument") ? searchDocument() : searchCorpus()).size();
      warmed++;
    }
    next = 0;
    if (warmed > 0 && hits == 0) {
      throw new IllegalStateException(engine + " found nothing for " + warmed + " queries");
    }
    System.out.printf(Locale.ROOT, "[search] %s %s %s: %d queries warmed in %.1f s, %.2f hits"
        + " per answer%n", engine, corpus, op, warmed, (System.nanoTime() - t0) / 1e9,
        warmed == 0 ? 0.0 : (double) hits / warmed);
  }

  private void draw(StoresCorpus c) {
    SplittableRandom r = new SplittableRandom(StoresData.SEED ^ 0x5EA2C4L);
    long[] cumulative = new long[c.docs.size()];
    long sum = 0;
    for (int d = 0; d < c.docs.size(); d++) {
      sum += c.docs.get(d).size();
      cumulative[d] = sum;
    }
    List<String> qs = c.queries(QUERIES);
    queries = qs.toArray(String[]::new);
    docIds = new String[QUERIES];
    for (int i = 0; i < QUERIES; i++) {
      long x = r.nextLong(sum);
      int d = java.util.Arrays.binarySearch(cumulative, x + 1);
      docIds[i] = StoresCorpus.docId(d >= 0 ? d : -d - 1);
    }
  }

  private int target() {
    int i = next;
    next = i + 1 == queries.length ? 0 : i + 1;
    return i;
  }

  private List<Hit> search(String query, @Nullable String docId) {
    List<Hit> out = new ArrayList<>(10);
    try {
      switch (engine) {
        case "treestore" -> {
          SearchOptions o = docId == null ? top10
              : top10.withKeyPrefix(Tuple.of(docId, StoresCorpus.VERSION));
          try (Transaction tx = db.beginReadOnly()) {
            for (io.treestore.fts.Hit h : fts.search(tx, query, o).hits()) {
              out.add(new Hit(h.unitKey().getString(0), h.unitKey().getString(2), h.score()));
            }
          }
        }
        case "sqlite" -> {
          String words = String.join(" OR ", query.split(" "));
          PreparedStatement s;
          if (docId == null) {
            s = sqliteAll;
            s.setString(1, words);
          } else {
            s = sqliteDoc;
            s.setString(1, "doc_id : " + docId + " AND (" + words + ")");
          }
          try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
              out.add(new Hit(r.getString(1), r.getString(2), r.getDouble(3)));
            }
          }
        }
        default -> {
          for (LuceneIndex.Hit h : lucene.search(query, docId)) {
            out.add(new Hit(h.docId(), h.nodeId(), h.score()));
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("sqlite: " + e, e);
    }
    return out;
  }

  /** Closes the engine. */
  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      if (sqlite != null) {
        sqlite.close();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("sqlite: " + e, e);
    }
    if (treestore != null) {
      treestore.close();
    }
    if (lucene != null) {
      lucene.close();
    }
  }

  /**
   * Top 10 over the whole corpus.
   *
   * @return the hits
   */
  @Benchmark
  public List<Hit> searchCorpus() {
    return search(queries[target()], null);
  }

  /**
   * Top 10 within one document.
   *
   * @return the hits
   */
  @Benchmark
  public List<Hit> searchDocument() {
    int i = target();
    return search(queries[i], docIds[i]);
  }
}
