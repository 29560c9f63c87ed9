package io.treestore.fts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.index.Tuple;
import io.treestore.txn.Database;
import io.treestore.txn.Transaction;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.util.SmallFloat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lucene as a second, independent BM25 implementation: the same units are indexed into a
 * Lucene in-memory index through a Lucene analyzer that emits exactly our
 * {@link StandardAnalyzer}'s tokens (terms, position increments, offsets), one text field
 * holding the unit's joined text, scored with {@code BM25Similarity(1.2, 0.75)}, and many OR
 * queries (a {@link BooleanQuery} of {@link TermQuery} SHOULD clauses) are run against both.
 *
 * <p>The two cannot agree exactly: Lucene stores a document's length in one byte
 * ({@code SmallFloat.intToByte4}: exact below 24 tokens, then about 3 significant bits, up to
 * 12.5 % off), scores in {@code float}, and counts only documents with at least one token in
 * {@code docCount} (our N counts every unit). That shifts scores by a few percent and
 * reorders units whose scores are near each other, and occasionally swaps the 10th and 11th
 * unit. So the test measures, over all queries, the fraction whose top-10 unit sets are
 * identical, the fraction of ranks holding the same unit, the mean overlap of the top-10 sets,
 * and the score difference on the units both return, and asserts documented minimums that
 * sit below the measured values with a margin. Ties are broken the same way on both sides
 * (Lucene by doc id, documents added in unit-key order; ours by unit key).
 */
class LuceneAgreementTest {
  private static final long SEED = Long.getLong("ts.seed", System.nanoTime());
  private static final String FIELD = "body";
  private static final int K = 10;

  @TempDir Path dir;

  /** Feeds our analyzer's tokens to Lucene unchanged. */
  static final class OurAnalyzer extends org.apache.lucene.analysis.Analyzer {
    @Override
    protected TokenStreamComponents createComponents(String fieldName) {
      return new TokenStreamComponents(new OurTokenizer());
    }
  }

  static final class OurTokenizer extends Tokenizer {
    private final StandardAnalyzer analyzer = new StandardAnalyzer();
    private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
    private final OffsetAttribute offset = addAttribute(OffsetAttribute.class);
    private final PositionIncrementAttribute increment =
        addAttribute(PositionIncrementAttribute.class);
    private List<Token> tokens = List.of();
    private int next;
    private int lastPosition;
    private int length;

    @Override
    public void reset() throws IOException {
      super.reset();
      StringBuilder sb = new StringBuilder();
      char[] buf = new char[8192];
      Reader r = input;
      for (int n; (n = r.read(buf)) > 0; ) {
        sb.append(buf, 0, n);
      }
      length = sb.length();
      tokens = analyzer.analyze(sb.toString());
      next = 0;
      lastPosition = -1;
    }

    @Override
    public boolean incrementToken() {
      if (next >= tokens.size()) {
        return false;
      }
      clearAttributes();
      Token t = tokens.get(next++);
      term.setEmpty().append(t.term());
      offset.setOffset(correctOffset(t.start()), correctOffset(t.end()));
      increment.setPositionIncrement(t.position() - lastPosition);
      lastPosition = t.position();
      return true;
    }

    @Override
    public void end() throws IOException {
      super.end();
      int end = correctOffset(length);
      offset.setOffset(end, end);
    }
  }

  /**
   * What the comparison found: agreement of ours with Lucene, and of Lucene with our formula
   * computed the way Lucene computes it (lengths through its one-byte norm, {@code float}s,
   * {@code docCount} for N), which shows that the lossy norms explain the differences.
   */
  record Agreement(int queries, double sameSet, double sameRank, double overlap,
      double medianScoreDiff, double maxScoreDiff, double emulatedSameSet,
      double emulatedMaxScoreDiff) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%d queries: identical top-%d sets %.1f %%, same unit"
          + " at the same rank %.1f %%, mean top-%d overlap %.1f %%, score difference on"
          + " common units median %.2f %% max %.2f %%; with Lucene's length quantization"
          + " emulated: identical top-%d sets %.1f %%, max score difference %.5f %%", queries,
          K, 100 * sameSet, 100 * sameRank, K, 100 * overlap, 100 * medianScoreDiff,
          100 * maxScoreDiff, K, 100 * emulatedSameSet, 100 * emulatedMaxScoreDiff);
    }
  }

  /** Our BM25 computed as Lucene's BM25Similarity computes it, for every unit. */
  static final class LuceneEmulation {
    private final List<Map<String, Integer>> tf = new ArrayList<>();
    private final int[] normByte;
    private final Map<String, Integer> df = new HashMap<>();
    private final long docCount;
    private final float avgdl;

    LuceneEmulation(List<Corpus.Doc> sorted) {
      StandardAnalyzer a = new StandardAnalyzer();
      normByte = new int[sorted.size()];
      long total = 0;
      long withTokens = 0;
      for (int i = 0; i < sorted.size(); i++) {
        List<Token> t = a.analyze(String.join("\n", sorted.get(i).fields().values()));
        Map<String, Integer> m = new HashMap<>();
        for (Token k : t) {
          m.merge(k.term(), 1, Integer::sum);
        }
        for (String term : m.keySet()) {
          df.merge(term, 1, Integer::sum);
        }
        tf.add(m);
        normByte[i] = SmallFloat.intToByte4(t.size()) & 0xFF;
        total += t.size();
        withTokens += t.isEmpty() ? 0 : 1;
      }
      docCount = withTokens;
      avgdl = (float) (total / (double) withTokens);
    }

    /**
     * Scores every document holding a term into {@code scores} (by doc id) and returns the
     * doc ids of the best k, ties by doc id.
     */
    List<Integer> top(Set<String> terms, int k, Map<Integer, Float> scores) {
      for (int d = 0; d < tf.size(); d++) {
        float s = 0;
        boolean any = false;
        for (String t : terms) {
          Integer f = tf.get(d).get(t);
          if (f == null) {
            continue;
          }
          any = true;
          float idf = (float) Math.log(1 + (docCount - df.get(t) + 0.5D) / (df.get(t) + 0.5D));
          float weight = idf; // boost 1
          float normInverse = 1f / (1.2f * ((1 - 0.75f)
              + 0.75f * SmallFloat.byte4ToInt((byte) normByte[d]) / avgdl));
          s += weight - weight / (1f + f * normInverse);
        }
        if (any) {
          scores.put(d, s);
        }
      }
      return scores.entrySet().stream().sorted((x, y) -> {
        int c = Float.compare(y.getValue(), x.getValue());
        return c != 0 ? c : Integer.compare(x.getKey(), y.getKey());
      }).limit(k).map(Map.Entry::getKey).toList();
    }
  }

  private Agreement compare(String name, List<Corpus.Doc> docs, List<String> queries)
      throws IOException {
    // Lucene, documents in unit-key order so that doc-id ties break like ours
    List<Corpus.Doc> sorted = new ArrayList<>(docs);
    sorted.sort((x, y) -> Arrays.compareUnsigned(x.key().encode(), y.key().encode()));
    BM25Similarity bm25 = new BM25Similarity(1.2f, 0.75f);
    FullTextIndex fts = new FullTextIndex(name, FullTextOptions.defaults());
    int sameSet = 0;
    int sameRank = 0;
    int ranks = 0;
    double overlap = 0;
    List<Double> diffs = new ArrayList<>();
    int emulatedSameSet = 0;
    double emulatedMaxDiff = 0;
    LuceneEmulation emulation = new LuceneEmulation(sorted);
    try (ByteBuffersDirectory lucene = new ByteBuffersDirectory();
        Database db = Database.open(dir.resolve(name), Bm25OracleTest.fast())) {
      IndexWriterConfig cfg = new IndexWriterConfig(new OurAnalyzer()).setSimilarity(bm25)
          .setMergePolicy(NoMergePolicy.INSTANCE).setRAMBufferSizeMB(512);
      try (IndexWriter w = new IndexWriter(lucene, cfg)) {
        for (int i = 0; i < sorted.size(); i++) {
          Document d = new Document();
          d.add(new TextField(FIELD, String.join("\n", sorted.get(i).fields().values()),
              Field.Store.NO));
          d.add(new StoredField("i", i));
          w.addDocument(d);
        }
      }
      Bm25OracleTest.load(db, fts, docs);
      try (DirectoryReader reader = DirectoryReader.open(lucene);
          Transaction tx = db.beginReadOnly()) {
        IndexSearcher searcher = new IndexSearcher(reader);
        searcher.setSimilarity(bm25);
        searcher.setQueryCache(null);
        StandardAnalyzer analyzer = new StandardAnalyzer();
        for (String q : queries) {
          BooleanQuery.Builder b = new BooleanQuery.Builder();
          Set<String> terms = new LinkedHashSet<>();
          for (Token t : analyzer.analyze(q)) {
            terms.add(t.term());
          }
          for (String t : terms) {
            b.add(new TermQuery(new Term(FIELD, t)), BooleanClause.Occur.SHOULD);
          }
          List<Tuple> theirs = new ArrayList<>();
          Map<Tuple, Double> theirScores = new HashMap<>();
          Set<Integer> theirIds = new HashSet<>();
          Map<Integer, Float> emulated = new HashMap<>();
          Set<Integer> emulatedIds = new HashSet<>(emulation.top(terms, K, emulated));
          for (ScoreDoc sd : searcher.search(b.build(), K).scoreDocs) {
            int i = searcher.storedFields().document(sd.doc).getField("i").numericValue()
                .intValue();
            theirs.add(sorted.get(i).key());
            theirIds.add(i);
            theirScores.put(sorted.get(i).key(), (double) sd.score);
            emulatedMaxDiff = Math.max(emulatedMaxDiff, Math.abs(sd.score - emulated.get(i))
                / sd.score);
          }
          if (theirIds.equals(emulatedIds)) {
            emulatedSameSet++;
          }
          List<Hit> hits = fts.search(tx, q, SearchOptions.defaults().withLimit(K)).hits();
          List<Tuple> ours = hits.stream().map(Hit::unitKey).toList();
          assertEquals(theirs.size(), ours.size(), "both find min(10, matching units) for '"
              + q + "' (seed " + SEED + ")");
          if (new HashSet<>(ours).equals(new HashSet<>(theirs))) {
            sameSet++;
          }
          Set<Tuple> common = new HashSet<>(ours);
          common.retainAll(new HashSet<>(theirs));
          overlap += ours.isEmpty() ? 1 : (double) common.size() / ours.size();
          for (int r = 0; r < ours.size(); r++) {
            ranks++;
            if (ours.get(r).equals(theirs.get(r))) {
              sameRank++;
            }
          }
          for (Hit h : hits) {
            Double s = theirScores.get(h.unitKey());
            if (s != null) {
              diffs.add(Math.abs(s - h.score()) / h.score());
            }
          }
        }
      }
    }
    diffs.sort(null);
    return new Agreement(queries.size(), (double) sameSet / queries.size(),
        ranks == 0 ? 1 : (double) sameRank / ranks, overlap / queries.size(),
        diffs.isEmpty() ? 0 : diffs.get(diffs.size() / 2),
        diffs.isEmpty() ? 0 : diffs.get(diffs.size() - 1),
        (double) emulatedSameSet / queries.size(), emulatedMaxDiff);
  }

  /** OR queries of 1 to 4 words: half drawn from the vocabulary, half from unit texts. */
  private static List<String> queries(List<Corpus.Doc> docs, long seed, int n) {
    Random r = new Random(seed);
    List<String> vocab = new BruteForce(docs).vocabulary();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int words = 1 + r.nextInt(4);
      StringBuilder q = new StringBuilder();
      for (int j = 0; j < words; j++) {
        String w;
        if (r.nextBoolean()) {
          w = vocab.get(r.nextInt(vocab.size()));
        } else {
          List<String> t = List.of();
          while (t.isEmpty()) {
            Corpus.Doc d = docs.get(r.nextInt(docs.size()));
            t = BruteForce.tokenize(String.join("\n", d.fields().values()));
          }
          w = t.get(r.nextInt(t.size()));
        }
        q.append(j > 0 ? " " : "").append(w);
      }
      out.add(q.toString());
    }
    return out;
  }

  @Test
  void realTreesAgreeWithLucene() throws Exception {
    List<Corpus.Doc> docs = Corpus.pageIndex();
    Agreement a = compare("pageindex", docs, queries(docs, SEED, 300));
    System.out.println("LuceneAgreementTest real trees (" + docs.size() + " units, seed " + SEED
        + "): " + a);
    // Measured with seeds 1 to 4 (300 queries each): identical top-10 sets 81.3 to 85.3 %,
    // same unit at the same rank 74.9 to 78.4 %, mean overlap 98.1 to 98.5 %, median score
    // difference about 0.5 % (max 7 %). The real nodes are long (hundreds to thousands of
    // tokens), where Lucene's one-byte length (SmallFloat.intToByte4, 3 significant bits)
    // is up to 12.5 % off, so near-ties reorder often; with that quantization emulated the
    // sets agree on 100 % of the queries and scores to 1e-7, which shows that the norms are
    // the whole difference. Minimums: about 5 standard deviations of a 300-query sample below
    // the lowest measured rates.
    assertAgreement(a, 0.70, 0.65, 0.95, 0.02);
  }

  @Test
  void randomCorpusAgreesWithLucene() throws Exception {
    List<Corpus.Doc> docs = Corpus.random(SEED, 3000, 1500, 40);
    Agreement a = compare("random", docs, queries(docs, SEED + 1, 300));
    System.out.println("LuceneAgreementTest random corpus (" + docs.size() + " units, seed "
        + SEED + "): " + a);
    // Measured with seeds 1 to 4 (300 queries each): identical top-10 sets 88.7 to 95.0 %,
    // same rank 92.2 to 94.0 %, mean overlap 98.8 to 99.5 %, median score difference 0.02 %.
    // Units are short (at most about 120 tokens; lengths below 24 are exact in one byte), so
    // fewer near-ties move.
    assertAgreement(a, 0.80, 0.85, 0.97, 0.005);
  }

  /**
   * Phrases, stop words inside included, match exactly the units Lucene's {@code PhraseQuery}
   * matches when given our tokens' positions: the position increments fed to Lucene are ours.
   * One field per unit, since our phrases never span two fields and Lucene's cannot tell
   * fields apart in the one joined text.
   */
  @Test
  void phrasesMatchTheUnitsLucenesPhraseQueriesMatch() throws Exception {
    List<Corpus.Doc> docs = new ArrayList<>();
    for (Corpus.Doc d : Corpus.random(SEED + 2, 1500, 60, 30)) {
      docs.add(new Corpus.Doc(d.key(), Map.of("text", String.join(" ",
          d.fields().values())), d.path()));
    }
    List<Corpus.Doc> sorted = new ArrayList<>(docs);
    sorted.sort((x, y) -> Arrays.compareUnsigned(x.key().encode(), y.key().encode()));
    FullTextIndex fts = new FullTextIndex("phrases", FullTextOptions.defaults());
    StandardAnalyzer analyzer = new StandardAnalyzer();
    Random r = new Random(SEED + 2);
    int nonEmpty = 0;
    try (ByteBuffersDirectory lucene = new ByteBuffersDirectory();
        Database db = Database.open(dir.resolve("phrases"), Bm25OracleTest.fast())) {
      try (IndexWriter w = new IndexWriter(lucene, new IndexWriterConfig(new OurAnalyzer()))) {
        for (int i = 0; i < sorted.size(); i++) {
          Document d = new Document();
          d.add(new TextField(FIELD, sorted.get(i).fields().get("text"), Field.Store.NO));
          d.add(new StoredField("i", i));
          w.addDocument(d);
        }
      }
      Bm25OracleTest.load(db, fts, docs);
      try (DirectoryReader reader = DirectoryReader.open(lucene);
          Transaction tx = db.beginReadOnly()) {
        IndexSearcher searcher = new IndexSearcher(reader);
        for (int q = 0; q < 200; q++) {
          String[] words = docs.get(r.nextInt(docs.size())).fields().get("text").split(" ");
          int len = Math.min(words.length, 2 + r.nextInt(3));
          int from = r.nextInt(words.length - len + 1);
          String phrase = String.join(" ", List.of(words).subList(from, from + len));
          List<Token> tokens = analyzer.analyze(phrase);
          if (tokens.size() < 2) {
            continue;
          }
          PhraseQuery.Builder b = new PhraseQuery.Builder();
          for (Token t : tokens) {
            b.add(new Term(FIELD, t.term()), t.position() - tokens.get(0).position());
          }
          Set<Tuple> theirs = new HashSet<>();
          for (ScoreDoc sd : searcher.search(b.build(), docs.size()).scoreDocs) {
            theirs.add(sorted.get(searcher.storedFields().document(sd.doc).getField("i")
                .numericValue().intValue()).key());
          }
          Set<Tuple> ours = new HashSet<>();
          for (Hit h : fts.search(tx, "\"" + phrase + "\"", SearchOptions.defaults()
              .withLimit(SearchOptions.MAX_LIMIT).withPruning(false)).hits()) {
            ours.add(h.unitKey());
          }
          assertEquals(theirs, ours, "units matching \"" + phrase + "\" (seed " + SEED + ")");
          nonEmpty += ours.isEmpty() ? 0 : 1;
        }
      }
    }
    assertTrue(nonEmpty > 100, nonEmpty + " phrases matched");
  }

  private static void assertAgreement(Agreement a, double sameSet, double sameRank,
      double overlap, double medianScoreDiff) {
    String ctx = a + " (seed " + SEED + ")";
    assertTrue(a.sameSet() >= sameSet, "identical top-10 sets below " + sameSet + ": " + ctx);
    assertTrue(a.sameRank() >= sameRank, "same unit at the same rank below " + sameRank + ": "
        + ctx);
    assertTrue(a.overlap() >= overlap, "mean top-10 overlap below " + overlap + ": " + ctx);
    assertTrue(a.medianScoreDiff() <= medianScoreDiff, "median score difference above "
        + medianScoreDiff + ": " + ctx);
    // Lucene against our formula with Lucene's quantized lengths: the same up to float
    // rounding, and the same top-10 sets except where float rounding breaks an exact tie
    assertTrue(a.emulatedSameSet() >= 0.99, "emulated Lucene top-10 sets: " + ctx);
    assertTrue(a.emulatedMaxScoreDiff() <= 1e-5, "emulated Lucene scores: " + ctx);
  }
}
