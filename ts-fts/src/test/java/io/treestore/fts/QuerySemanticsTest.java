package io.treestore.fts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.index.Tuple;
import io.treestore.txn.Database;
import io.treestore.txn.Transaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query language: {@code +required}, {@code -excluded}, phrases (stop words keep their
 * gaps), {@code field:term} and {@code field:"phrase"}, field boosts, duplicate clauses, words
 * that analyze to several tokens. First on a hand-made corpus whose scores the test computes
 * from the BM25 formula, then on random queries mixing every operator against
 * {@link QueryModel}, with pruning on and off.
 */
class QuerySemanticsTest {
  private static final long SEED = Long.getLong("ts.seed", System.nanoTime());
  private static final List<String> FIELDS = List.of("title", "text");

  @TempDir Path dir;

  // ---------------------------------------------------------------- the hand-made corpus
  //
  //   a: title "Company policy"  text "The policy of the company is strict"
  //      positions company 0, policy 1 | the 2, policy 3, of 4, the 5, company 6, is 7,
  //      strict 8; dl = 5 (stop words are not counted)
  //   b: title "Travel"          text "policy for the company travel"
  //      travel 0 | policy 1, for 2, the 3, company 4, travel 5; dl = 4
  //   c: title "Policy policy"   text "company"
  //      policy 0, policy 1 | company 2; dl = 3
  //   d: title "Other"           text "nothing relevant here"; dl = 4
  //
  //   N = 4, total 16 tokens, avgdl = 4; df(policy) = df(company) = 3, df(travel) =
  //   df(strict) = 1

  private static final double N = 4;
  private static final double AVGDL = 4;

  private static double idf(double df) {
    return Math.log(1 + (N - df + 0.5) / (df + 0.5));
  }

  /** One BM25 term: {@code idf · tf / (tf + k1 · (1 − b + b · dl / avgdl))}. */
  private static double bm25(double idf, double tf, int dl) {
    return idf * tf / (tf + 1.2 * (1 - 0.75 + 0.75 * dl / AVGDL));
  }

  private static final double P = idf(3);
  private static final double C = idf(3);
  private static final double T = idf(1);

  private static Map<String, Double> scores(Object... keysAndScores) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndScores.length; i += 2) {
      m.put((String) keysAndScores[i], (Double) keysAndScores[i + 1]);
    }
    return m;
  }

  private static void assertHits(FullTextIndex fts, Transaction tx, String query,
      Map<String, Double> expected) {
    for (boolean pruning : new boolean[] {true, false}) {
      List<Hit> hits = fts.search(tx, query, SearchOptions.defaults().withPruning(pruning))
          .hits();
      Map<String, Double> got = new LinkedHashMap<>();
      for (Hit h : hits) {
        got.put(h.unitKey().getString(0), h.score());
      }
      assertEquals(expected.keySet(), got.keySet(), "units matching '" + query + "'");
      for (Map.Entry<String, Double> e : expected.entrySet()) {
        assertEquals(e.getValue(), got.get(e.getKey()), e.getValue() * 1e-12,
            "score of " + e.getKey() + " for '" + query + "'");
      }
      for (int i = 1; i < hits.size(); i++) {
        Hit x = hits.get(i - 1);
        Hit y = hits.get(i);
        assertTrue(x.score() > y.score() || (x.score() == y.score()
            && x.unitKey().getString(0).compareTo(y.unitKey().getString(0)) < 0),
            "order of hits for '" + query + "': " + hits);
      }
    }
  }

  @Test
  void handMadeCorpusScoresAsTheFormulaSays() {
    FullTextIndex fts = new FullTextIndex("hand", FullTextOptions.defaults().withFields(FIELDS));
    try (Database db = Database.open(dir, Bm25OracleTest.fast())) {
      try (Transaction tx = db.begin()) {
        fts.index(tx, Tuple.of("a"), Unit.of(null, "title", "Company policy", "text",
            "The policy of the company is strict"));
        fts.index(tx, Tuple.of("b"), Unit.of(null, "title", "Travel", "text",
            "policy for the company travel"));
        fts.index(tx, Tuple.of("c"), Unit.of(null, "title", "Policy policy", "text",
            "company"));
        fts.index(tx, Tuple.of("d"), Unit.of(null, "title", "Other", "text",
            "nothing relevant here"));
        tx.commit();
      }
      try (Transaction tx = db.beginReadOnly()) {
        assertEquals(new IndexStatistics(4, 16), fts.statistics(tx));
        assertEquals(3, fts.documentFrequency(tx, "policy"));
        assertEquals(3, fts.documentFrequency(tx, "company"));
        assertEquals(1, fts.documentFrequency(tx, "travel"));
        assertEquals(0, fts.documentFrequency(tx, "the"));

        Map<String, Double> policy = scores("c", bm25(P, 2, 3), "a", bm25(P, 2, 5), "b",
            bm25(P, 1, 4));
        assertHits(fts, tx, "policy", policy);
        // case, duplicates and a one-token phrase all give the same single clause
        assertHits(fts, tx, "POLICY", policy);
        assertHits(fts, tx, "policy policy Policy", policy);
        assertHits(fts, tx, "\"policy\"", policy);
        assertHits(fts, tx, "\"the policy\"", policy); // a phrase of one token after analysis
        assertHits(fts, tx, "policy +policy", policy); // required wins, counted once
        assertHits(fts, tx, "+policy", policy);
        assertHits(fts, tx, "policy the of", policy); // stop words vanish

        // field restriction: only occurrences in that field count, idf stays the unit df
        assertHits(fts, tx, "title:policy", scores("c", bm25(P, 2, 3), "a", bm25(P, 1, 5)));
        assertHits(fts, tx, "text:policy", scores("b", bm25(P, 1, 4), "a", bm25(P, 1, 5)));
        // the same term unrestricted and restricted are two clauses
        assertHits(fts, tx, "policy text:policy", scores("a", bm25(P, 2, 5) + bm25(P, 1, 5),
            "b", bm25(P, 1, 4) + bm25(P, 1, 4), "c", bm25(P, 2, 3)));

        // boosts weight the term frequency per field
        assertHits(fts, tx, "policy title^2", scores("c", bm25(P, 4, 3), "a", bm25(P, 3, 5),
            "b", bm25(P, 1, 4)));
        assertHits(fts, tx, "title^2 title:policy", scores("c", bm25(P, 4, 3), "a",
            bm25(P, 2, 5)));
        assertHits(fts, tx, "title^0.5 policy text^3", scores("a", bm25(P, 3.5, 5), "b",
            bm25(P, 3, 4), "c", bm25(P, 1, 3)));
        assertHits(fts, tx, "title^3 title^1 policy", policy); // the last boost counts

        // required and excluded
        assertHits(fts, tx, "+travel policy", scores("b", bm25(T, 2, 4) + bm25(P, 1, 4)));
        assertHits(fts, tx, "policy -strict", scores("c", bm25(P, 2, 3), "b",
            bm25(P, 1, 4)));
        assertHits(fts, tx, "-policy travel", scores());
        assertHits(fts, tx, "travel -title:policy", scores("b", bm25(T, 2, 4)));
        assertHits(fts, tx, "+policy +company +strict", scores("a", bm25(P, 2, 5)
            + bm25(C, 2, 5) + bm25(idf(1), 1, 5)));
        assertHits(fts, tx, "+policy +nosuchword", scores());
        assertHits(fts, tx, "policy nosuchword", policy);

        // phrases keep the gaps of stop words: "policy of the company" is policy, two
        // positions, company; "policy for the company" has the same gaps
        Map<String, Double> gap = scores("b", bm25(P + C, 1, 4), "a", bm25(P + C, 1, 5));
        assertHits(fts, tx, "\"policy of the company\"", gap);
        assertHits(fts, tx, "\"Policy, of... THE company!\"", gap);
        assertHits(fts, tx, "\"policy in an company\"", gap);
        assertHits(fts, tx, "text:\"policy of the company\"", gap);
        assertHits(fts, tx, "title:\"policy of the company\"", scores());
        assertHits(fts, tx, "\"policy company\"", scores()); // c has it only across fields
        assertHits(fts, tx, "\"policy the company\"", scores()); // one gap: nowhere
        assertHits(fts, tx, "\"company policy\"", scores("a", bm25(C + P, 1, 5)));
        assertHits(fts, tx, "\"company policy\" title^3", scores("a", bm25(C + P, 3, 5)));
        assertHits(fts, tx, "text:\"company policy\"", scores());
        // a repeated term: its idf counts once
        assertHits(fts, tx, "\"policy policy\"", scores("c", bm25(P, 1, 3)));
        assertHits(fts, tx, "title:\"policy policy\" title^2", scores("c", bm25(P, 2, 3)));
        assertHits(fts, tx, "company -\"company policy\"", scores("c", bm25(C, 1, 3), "b",
            bm25(C, 1, 4)));
        assertHits(fts, tx, "+\"company policy\" strict", scores("a", bm25(C + P, 1, 5)
            + bm25(idf(1), 1, 5)));

        // a word that analyzes to several tokens gives several clauses with its modifier
        Map<String, Double> policyTravel = scores("b", bm25(P, 1, 4) + bm25(T, 2, 4), "c",
            bm25(P, 2, 3), "a", bm25(P, 2, 5));
        assertHits(fts, tx, "policy-travel", policyTravel);
        assertHits(fts, tx, "policy travel", policyTravel);
        assertHits(fts, tx, "+policy-travel", scores("b", bm25(P, 1, 4) + bm25(T, 2, 4)));
        assertHits(fts, tx, "-policy/travel company", scores());
        assertHits(fts, tx, "\"policy-for-the-company\"", gap);
        assertHits(fts, tx, "policy-for-the-company", scores("a", bm25(P, 2, 5)
            + bm25(C, 2, 5), "b", bm25(P, 1, 4) + bm25(C, 1, 4), "c", bm25(P, 2, 3)
            + bm25(C, 1, 3)));
        // a word whose part before ':' or '^' is not a field is an ordinary word
        assertHits(fts, tx, "heading:travel", scores("b", bm25(T, 2, 4)));
        assertHits(fts, tx, "travel^2", scores("b", bm25(T, 2, 4)));
      }
    }
  }

  // ---------------------------------------------------------------- random queries

  private static final String[] WEIGHTS = {"0.5", "2", "3", "1.5", "10", "0.25"};

  private static QueryModel.Query randomQuery(Random r, List<Corpus.Doc> docs,
      List<String> vocab) {
    List<String> fields = FullTextOptions.PAGEINDEX_FIELDS;
    List<Object> parts = new ArrayList<>();
    int n = 1 + r.nextInt(6);
    boolean positive = false;
    for (int i = 0; i < n; i++) {
      int kind = r.nextInt(10);
      if (kind == 0) {
        parts.add(new QueryModel.Boost(r.nextInt(fields.size()), WEIGHTS[r.nextInt(
            WEIGHTS.length)]));
        continue;
      }
      QueryModel.Occur occur = switch (r.nextInt(6)) {
        case 0, 1 -> QueryModel.Occur.MUST;
        case 2 -> QueryModel.Occur.MUST_NOT;
        default -> QueryModel.Occur.SHOULD;
      };
      int field = r.nextInt(3) == 0 ? r.nextInt(fields.size()) : -1;
      String text;
      boolean phrase = kind <= 3;
      if (phrase) {
        // two to four consecutive words of a unit's field, punctuation and stop words kept
        Corpus.Doc d = docs.get(r.nextInt(docs.size()));
        List<String> present = new ArrayList<>(d.fields().keySet());
        String f = present.get(r.nextInt(present.size()));
        if (field >= 0 && r.nextBoolean()) {
          field = fields.indexOf(f);
        }
        String[] words = d.fields().get(f).split(" ");
        int len = Math.min(words.length, 2 + r.nextInt(3));
        int from = r.nextInt(words.length - len + 1);
        text = String.join(" ", List.of(words).subList(from, from + len));
        if (r.nextInt(8) == 0) {
          text = text.replace(vocab.get(0), vocab.get(1)); // sometimes nowhere
        }
      } else if (kind == 4) {
        text = String.join("-", vocab.get(r.nextInt(vocab.size())),
            vocab.get(r.nextInt(vocab.size())));
      } else if (kind == 5) {
        text = List.copyOf(StandardAnalyzer.STOP_WORDS).get(r.nextInt(33));
      } else {
        text = vocab.get(Math.min(vocab.size() - 1, (int) Math.abs(r.nextGaussian()
            * vocab.size() / 4)));
        if (r.nextInt(5) == 0) {
          text = text.toUpperCase(java.util.Locale.ROOT);
        }
      }
      if (r.nextInt(10) == 0 && !parts.isEmpty()) {
        parts.add(parts.get(r.nextInt(parts.size()))); // a duplicate
      }
      positive |= occur != QueryModel.Occur.MUST_NOT;
      parts.add(new QueryModel.Clause(occur, field, text, phrase));
    }
    if (!positive) {
      parts.add(new QueryModel.Clause(QueryModel.Occur.SHOULD, -1, vocab.get(r.nextInt(
          vocab.size())), false));
    }
    return new QueryModel.Query(parts);
  }

  @Test
  void randomQueriesMixingEveryOperatorMatchTheModel() {
    List<Corpus.Doc> docs = Corpus.random(SEED, 1500, 150, 25);
    QueryModel model = new QueryModel(FullTextOptions.PAGEINDEX_FIELDS, docs, 1.2, 0.75);
    // vocabulary by document frequency, so that the Gaussian draw favours common words
    List<String> vocab = new ArrayList<>(new BruteForce(docs).vocabulary());
    vocab.sort((x, y) -> Integer.compare(model.df(y), model.df(x)));
    FullTextIndex fts = new FullTextIndex("q", FullTextOptions.defaults());
    Random r = new Random(SEED);
    int nonEmpty = 0;
    int phrases = 0;
    try (Database db = Database.open(dir, Bm25OracleTest.fast())) {
      Bm25OracleTest.load(db, fts, docs);
      try (Transaction tx = db.beginReadOnly()) {
        for (int i = 0; i < 400; i++) {
          QueryModel.Query q = randomQuery(r, docs, vocab);
          String text = q.render(FullTextOptions.PAGEINDEX_FIELDS);
          String ctx = text + " (seed " + SEED + ", query " + i + ")";
          List<BruteForce.Scored> expected = model.search(q);
          int k = 1 + r.nextInt(40);
          SearchOptions o = SearchOptions.defaults().withLimit(k);
          SearchResult pruned = fts.search(tx, text, o);
          SearchResult full = fts.search(tx, text, o.withPruning(false));
          Bm25OracleTest.assertSameRanking(ctx, expected, pruned.hits(), k);
          assertEquals(full.hits(), pruned.hits(), "pruning changed the hits of " + ctx);
          assertEquals(expected.size(), full.matched(), "matched units of " + ctx);
          nonEmpty += expected.isEmpty() ? 0 : 1;
          phrases += text.contains("\"") && !expected.isEmpty() ? 1 : 0;
        }
      }
    }
    System.out.println("QuerySemanticsTest: " + nonEmpty + " of 400 random queries found"
        + " units, " + phrases + " with phrases (seed " + SEED + ")");
    assertTrue(nonEmpty > 150 && phrases > 30, nonEmpty + " non-empty, " + phrases
        + " phrase queries with hits: the generator must exercise the operators");
  }
}
