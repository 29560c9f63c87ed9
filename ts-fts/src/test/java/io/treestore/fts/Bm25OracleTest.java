package io.treestore.fts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.index.Tuple;
import io.treestore.txn.Database;
import io.treestore.txn.DatabaseOptions;
import io.treestore.txn.Transaction;
import io.treestore.wal.Durability;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * BM25 scores and rankings against the independent brute-force scorer, on the real PageIndex
 * trees and on random corpora, with and without pruning.
 */
class Bm25OracleTest {
  private static final long SEED = Long.getLong("ts.seed", System.nanoTime());

  @TempDir Path dir;

  static DatabaseOptions fast() {
    return DatabaseOptions.defaults().withDurability(Durability.NONE);
  }

  /**
   * Indexes the units, 500 a transaction: one by one without grouping, in batches (each
   * posting block written once) with it.
   */
  static void load(Database db, FullTextIndex fts, List<Corpus.Doc> docs) {
    for (int i = 0; i < docs.size(); i += 500) {
      try (Transaction tx = db.begin()) {
        Map<Tuple, Unit> batch = new LinkedHashMap<>();
        for (Corpus.Doc d : docs.subList(i, Math.min(docs.size(), i + 500))) {
          if (fts.options().groupElements() == 0) {
            fts.index(tx, d.key(), d.unit());
          } else {
            batch.put(d.key(), d.unit());
          }
        }
        assertEquals(0, fts.indexAll(tx, batch));
        tx.commit();
      }
    }
    try (Transaction tx = db.beginReadOnly()) {
      assertTrue(fts.check(tx, 5).ok(), () -> fts.check(tx, 5).toString());
    }
  }

  /** Without grouping, and grouped by document (the corpora's keys are (document, node)). */
  static FullTextOptions options(int groupElements) {
    return FullTextOptions.defaults().withGroupElements(groupElements);
  }

  /** Asserts equal scores rank by rank and equal keys wherever the order is not a near-tie. */
  static void assertSameRanking(String query, List<BruteForce.Scored> expected, List<Hit> hits,
      int k) {
    int n = Math.min(k, expected.size());
    assertEquals(n, hits.size(), "hit count for '" + query + "'");
    for (int i = 0; i < n; i++) {
      double want = expected.get(i).score();
      double got = hits.get(i).score();
      assertEquals(want, got, Math.abs(want) * 1e-9, "score at rank " + i + " for '" + query
          + "'");
      boolean nearTie = (i > 0 && close(expected.get(i - 1).score(), want))
          || (i + 1 < expected.size() && close(expected.get(i + 1).score(), want));
      if (!nearTie) {
        assertEquals(expected.get(i).key(), hits.get(i).unitKey(), "unit at rank " + i
            + " for '" + query + "'");
      }
    }
  }

  private static boolean close(double a, double b) {
    return Math.abs(a - b) <= Math.abs(a) * 1e-9;
  }

  @ParameterizedTest(name = "group elements {0}")
  @ValueSource(ints = {0, 1})
  void realTreesMatchTheBruteForceScorer(int group) throws Exception {
    List<Corpus.Doc> docs = Corpus.pageIndex();
    assertTrue(docs.size() > 100, "dataset has " + docs.size() + " nodes");
    BruteForce oracle = new BruteForce(docs);
    FullTextIndex fts = new FullTextIndex("nodes", options(group));
    try (Database db = Database.open(dir, fast())) {
      load(db, fts, docs);
      List<String> queries = new ArrayList<>(List.of("revenue growth", "interpretive release",
          "broker dealer best interest", "lectures", "annual report 2023", "Earnings per share",
          "cash flow operations", "Regulation Best Interest", "Geschäftsjahr", "the of and",
          "q1 fy25 revenue revenue"));
      Random r = new Random(SEED);
      List<String> vocab = oracle.vocabulary();
      for (int i = 0; i < 60; i++) {
        int n = 1 + r.nextInt(4);
        StringBuilder q = new StringBuilder();
        for (int j = 0; j < n; j++) {
          q.append(j > 0 ? " " : "").append(vocab.get(r.nextInt(vocab.size())));
        }
        queries.add(q.toString());
      }
      try (Transaction tx = db.beginReadOnly()) {
        for (String q : queries) {
          List<BruteForce.Scored> expected = oracle.search(q, 1.2, 0.75);
          for (int k : new int[] {1, 10, 100}) {
            SearchOptions o = SearchOptions.defaults().withLimit(k);
            List<Hit> pruned = fts.search(tx, q, o).hits();
            List<Hit> full = fts.search(tx, q, o.withPruning(false)).hits();
            assertSameRanking(q + " (seed " + SEED + ")", expected, pruned, k);
            assertEquals(full, pruned.stream().map(h -> new Hit(h.unitKey(), h.score(),
                h.path(), h.snippet())).toList(), "pruning changed the hits of '" + q + "'");
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "group elements {0}")
  @ValueSource(ints = {0, 1})
  void randomCorporaMatchTheBruteForceScorerWithOtherParameters(int group) {
    for (int round = 0; round < 3; round++) {
      long seed = SEED + round;
      List<Corpus.Doc> docs = Corpus.random(seed, 1500, 300 + 400 * round, 40);
      BruteForce oracle = new BruteForce(docs);
      double k1 = new double[] {1.2, 0.0, 2.5}[round];
      double b = new double[] {0.75, 1.0, 0.0}[round];
      FullTextIndex fts = new FullTextIndex("r" + round,
          options(group).withBm25(k1, b));
      Path d = dir.resolve("r" + round);
      try (Database db = Database.open(d, fast())) {
        load(db, fts, docs);
        Random r = new Random(seed);
        List<String> vocab = oracle.vocabulary();
        try (Transaction tx = db.beginReadOnly()) {
          for (int i = 0; i < 40; i++) {
            int n = 1 + r.nextInt(5);
            StringBuilder q = new StringBuilder();
            for (int j = 0; j < n; j++) {
              q.append(j > 0 ? " " : "").append(vocab.get(r.nextInt(vocab.size())));
            }
            String query = q.toString();
            int k = 1 + r.nextInt(30);
            List<Hit> hits = fts.search(tx, query, SearchOptions.defaults().withLimit(k)).hits();
            assertSameRanking(query + " (seed " + seed + ")", oracle.search(query, k1, b), hits,
                k);
            assertEquals(hits, fts.search(tx, query, SearchOptions.defaults().withLimit(k)
                .withPruning(false)).hits(), "pruning changed '" + query + "' seed " + seed);
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "group elements {0}")
  @ValueSource(ints = {0, 1})
  void pruningSkipsMostPostingsOfCommonTerms(int group) {
    List<Corpus.Doc> docs = Corpus.random(SEED, 20_000, 2000, 30);
    BruteForce oracle = new BruteForce(docs);
    FullTextIndex fts = new FullTextIndex("big", options(group));
    try (Database db = Database.open(dir, fast())) {
      load(db, fts, docs);
      List<String> vocab = oracle.vocabulary();
      List<String> byDf = new ArrayList<>(vocab);
      byDf.sort((x, y) -> Integer.compare(oracle.df(y), oracle.df(x)));
      String common = byDf.get(0) + " " + byDf.get(1) + " " + byDf.get(2);
      String rare = byDf.get(byDf.size() / 3);
      String query = common + " " + rare;
      try (Transaction tx = db.beginReadOnly()) {
        SearchResult pruned = fts.search(tx, query, SearchOptions.defaults());
        SearchResult full = fts.search(tx, query, SearchOptions.defaults().withPruning(false));
        assertEquals(full.hits(), pruned.hits());
        assertSameRanking(query, oracle.search(query, 1.2, 0.75), pruned.hits(), 10);
        long total = 0;
        for (String t : query.split(" ")) {
          total += oracle.df(t);
        }
        assertEquals(total, full.postingsScored(), "without pruning every posting is scored");
        assertTrue(pruned.postingsScored() * 2 < total, "pruned search scored "
            + pruned.postingsScored() + " of " + total + " postings for '" + query + "'");
      }
    }
  }

  @ParameterizedTest(name = "group elements {0}")
  @ValueSource(ints = {0, 1})
  void keyPrefixAndSubtreeFiltersMatchTheOracleRestrictedToThoseUnits(int group)
      throws Exception {
    List<Corpus.Doc> docs = Corpus.pageIndex();
    FullTextIndex fts = new FullTextIndex("nodes", options(group));
    try (Database db = Database.open(dir, fast())) {
      load(db, fts, docs);
      String doc = docs.get(docs.size() / 2).key().getString(0);
      String path = "2";
      List<Corpus.Doc> inDoc = docs.stream().filter(d -> d.key().getString(0).equals(doc))
          .toList();
      String query = "revenue income results interest";
      BruteForce all = new BruteForce(docs);
      try (Transaction tx = db.beginReadOnly()) {
        List<Hit> hits = fts.search(tx, query, SearchOptions.defaults().withLimit(50)
            .withKeyPrefix(Tuple.of(doc))).hits();
        List<BruteForce.Scored> expected = all.search(query, 1.2, 0.75).stream()
            .filter(s -> s.key().getString(0).equals(doc)).toList();
        assertSameRanking(query, expected, hits, 50);
        List<Hit> sub = fts.search(tx, query, SearchOptions.defaults().withLimit(50)
            .withKeyPrefix(Tuple.of(doc)).withPathPrefix(path)).hits();
        List<BruteForce.Scored> subExpected = expected.stream().filter(s -> {
          String p = inDoc.stream().filter(d -> d.key().equals(s.key())).findFirst()
              .orElseThrow().path();
          return p.equals(path) || p.startsWith(path + ".");
        }).toList();
        assertSameRanking(query, subExpected, sub, 50);
        for (Hit h : sub) {
          assertTrue(h.path().equals(path) || h.path().startsWith(path + "."), h.path());
        }
      }
    }
  }
}
