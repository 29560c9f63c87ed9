package io.treestore.fts.internal;

import io.treestore.fts.SearchOptions;
import io.treestore.fts.internal.ParsedQuery.Clause;
import io.treestore.fts.internal.ParsedQuery.Occur;
import io.treestore.txn.ReadView;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import org.jspecify.annotations.Nullable;

/**
 * Runs a parsed query over one read view: document-at-a-time evaluation of the clauses'
 * posting cursors, BM25 scoring, a bounded heap of the top k, and MaxScore pruning (Turtle and
 * Flood, "Query evaluation: strategies and optimizations", IP&amp;M 1995): optional clauses are
 * sorted by their score upper bound; once the heap is full, the clauses whose bounds together
 * cannot beat the k-th score become non-essential, units found only in them are never
 * visited, and a unit's scoring stops as soon as its partial score plus the remaining bounds
 * falls below the k-th score. A term's upper bound is its idf (BM25's saturation
 * {@code tf / (tf + k1 * norm)} is below 1); a phrase's is the sum of its terms' idfs.
 *
 * <p>BM25 as in the design: {@code idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5))},
 * {@code score = Σ idf(t) * tf / (tf + k1 * (1 - b + b * dl / avgdl))} (Robertson and
 * Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond", 2009; Lucene's
 * BM25Similarity without its length quantization). Field boosts weight the term frequency
 * per field ({@code tf = Σ boost_f * tf_f}, the simple BM25F of Robertson, Zaragoza and
 * Taylor, CIKM 2004), which is plain BM25 when every boost is 1. A unit's score is summed in
 * clause order whatever pruning did, so pruning never changes a score's last bit.
 */
public final class Searcher {
  private static final double SLACK = 1e-12;

  private final ReadView view;
  private final Keys keys;
  private final int fields;
  private final double k1;
  private final double b;
  private final double avgdl;
  private final long units;
  private final double[] boosts;
  private long postingsScored;
  private java.util.function.@Nullable Predicate<byte[]> unitFilter;

  /**
   * A result before snippets.
   *
   * @param unit the encoded unit key
   * @param score the score
   * @param path the unit's path, or {@code null}
   */
  public record Scored(byte[] unit, double score, @Nullable String path) {}

  /**
   * What a search found.
   *
   * @param hits the top units, best first
   * @param matched units scored completely
   * @param postingsScored postings decoded
   */
  public record Outcome(List<Scored> hits, long matched, long postingsScored) {}

  /**
   * Prepares a search.
   *
   * @param view where to read
   * @param keys the index's keyspaces
   * @param fields the number of fields
   * @param k1 BM25 k1
   * @param b BM25 b
   * @param boosts the query's field boosts
   */
  public Searcher(ReadView view, Keys keys, int fields, double k1, double b, double[] boosts) {
    this.view = view;
    this.keys = keys;
    this.fields = fields;
    this.k1 = k1;
    this.b = b;
    this.boosts = boosts;
    this.units = counter(view, keys.stats(), Keys.UNITS);
    long tokens = counter(view, keys.stats(), Keys.TOKENS);
    this.avgdl = units == 0 ? 0 : (double) tokens / units;
  }

  /**
   * Reads an int64 counter.
   *
   * @param view where to read
   * @param keyspace the keyspace
   * @param key the key
   * @return the value, 0 if absent
   * @throws IllegalStateException if the stored value is not 8 bytes
   */
  public static long counter(ReadView view, String keyspace, byte[] key) {
    byte[] v = view.get(keyspace, key);
    if (v == null) {
      return 0;
    }
    if (v.length != 8) {
      throw new IllegalStateException(keyspace + ": counter value of " + v.length
          + " bytes, not 8");
    }
    return ByteBuffer.wrap(v).getLong();
  }

  /**
   * Returns BM25's idf.
   *
   * @param n the number of units
   * @param df the units containing the term
   * @return {@code ln(1 + (n - df + 0.5) / (df + 0.5))}
   */
  public static double idf(long n, long df) {
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  private double norm(int dl) {
    return k1 * (1 - b + b * dl / avgdl);
  }

  private abstract static class Scorer implements AutoCloseable {
    final int clause;
    final double bound;
    byte @Nullable [] doc;

    Scorer(int clause, double bound) {
      this.clause = clause;
      this.bound = bound;
    }

    abstract boolean next();

    abstract boolean advance(byte[] target);

    abstract double score();

    abstract @Nullable String path();

    @Override
    public abstract void close();

    boolean at(byte[] unit) {
      return doc != null && Arrays.equals(doc, unit);
    }
  }

  private final class TermScorer extends Scorer {
    private final PostingCursor cursor;
    private final double idf;
    private final int field;
    private @Nullable Posting posting;

    TermScorer(int clause, byte[] termKey, byte[] unitPrefix, double idf, int field) {
      super(clause, idf);
      this.cursor = new PostingCursor(view, keys.postings(), termKey, unitPrefix);
      this.idf = idf;
      this.field = field;
    }

    private boolean settle(boolean found) {
      while (found) {
        posting = null;
        if (field < 0) {
          doc = cursor.unit();
          return true;
        }
        Posting p = decode();
        if (p.tf()[field] > 0) {
          doc = cursor.unit();
          return true;
        }
        found = cursor.next();
      }
      doc = null;
      return false;
    }

    private Posting decode() {
      Posting p = posting;
      if (p == null) {
        postingsScored++;
        p = cursor.posting(fields);
        posting = p;
      }
      return p;
    }

    @Override
    boolean next() {
      return settle(cursor.next());
    }

    @Override
    boolean advance(byte[] target) {
      if (doc != null && Arrays.compareUnsigned(doc, target) >= 0) {
        return true;
      }
      if (cursor.exhausted()) {
        doc = null;
        return false;
      }
      return settle(cursor.advance(target));
    }

    @Override
    double score() {
      Posting p = decode();
      double tf = 0;
      if (field < 0) {
        for (int f = 0; f < fields; f++) {
          tf += boosts[f] * p.tf()[f];
        }
      } else {
        tf = boosts[field] * p.tf()[field];
      }
      return idf * tf / (tf + norm(p.dl()));
    }

    @Override
    @Nullable String path() {
      return cursor.path();
    }

    @Override
    public void close() {
      cursor.close();
    }
  }

  private final class PhraseScorer extends Scorer {
    private final PostingCursor[] cursors;
    private final int[] offsets;
    private final double idfSum;
    private final int field;
    private double frequency;
    private int dl;

    PhraseScorer(int clause, List<byte[]> termKeys, int[] offsets, byte[] unitPrefix,
        double idfSum, int field) {
      super(clause, idfSum);
      this.cursors = new PostingCursor[termKeys.size()];
      for (int i = 0; i < cursors.length; i++) {
        cursors[i] = new PostingCursor(view, keys.postings(), termKeys.get(i), unitPrefix);
      }
      this.offsets = offsets;
      this.idfSum = idfSum;
      this.field = field;
    }

    /** Aligns the cursors (each already positioned) on the next unit holding the phrase. */
    private boolean align() {
      while (true) {
        byte[] target = null;
        for (PostingCursor c : cursors) {
          byte[] u = c.unit();
          if (u == null) {
            doc = null;
            return false;
          }
          if (target == null || Arrays.compareUnsigned(u, target) > 0) {
            target = u;
          }
        }
        boolean same = true;
        for (PostingCursor c : cursors) {
          if (!c.advance(java.util.Objects.requireNonNull(target))) {
            doc = null;
            return false;
          }
          if (!Arrays.equals(c.unit(), target)) {
            same = false;
          }
        }
        if (same && matches()) {
          doc = target;
          return true;
        }
        if (same && !cursors[0].next()) {
          doc = null;
          return false;
        }
      }
    }

    private boolean matches() {
      Posting[] p = new Posting[cursors.length];
      for (int i = 0; i < cursors.length; i++) {
        postingsScored++;
        p[i] = cursors[i].posting(fields);
      }
      double freq = 0;
      int[] first = p[0].positions();
      for (int k = 0; k < first.length; k++) {
        int start = first[k];
        int f = p[0].fieldOf(k);
        if (field >= 0 && f != field) {
          continue;
        }
        boolean all = true;
        for (int i = 1; i < cursors.length && all; i++) {
          int idx = Arrays.binarySearch(p[i].positions(), start + offsets[i]);
          all = idx >= 0 && p[i].fieldOf(idx) == f;
        }
        if (all) {
          freq += boosts[f];
        }
      }
      frequency = freq;
      dl = p[0].dl();
      return freq > 0;
    }

    @Override
    boolean next() {
      if (doc == null) {
        for (PostingCursor c : cursors) {
          if (!c.next()) {
            return false;
          }
        }
      } else if (!cursors[0].next()) {
        doc = null;
        return false;
      }
      return align();
    }

    @Override
    boolean advance(byte[] target) {
      if (doc != null && Arrays.compareUnsigned(doc, target) >= 0) {
        return true;
      }
      if (cursors[0].unit() == null && !cursors[0].exhausted()) {
        for (PostingCursor c : cursors) {
          if (!c.next()) {
            doc = null;
            return false;
          }
        }
      }
      if (!cursors[0].advance(target)) {
        doc = null;
        return false;
      }
      return align();
    }

    @Override
    double score() {
      return idfSum * frequency / (frequency + norm(dl));
    }

    @Override
    @Nullable String path() {
      return cursors[0].path();
    }

    @Override
    public void close() {
      for (PostingCursor c : cursors) {
        c.close();
      }
    }
  }

  /**
   * Runs the query.
   *
   * @param query the parsed query
   * @param options limit, filters and pruning
   * @return the top units
   */
  public Outcome run(ParsedQuery query, SearchOptions options) {
    return run(query, options, null);
  }

  /**
   * Runs the query, keeping only units whose encoded key passes a filter.
   *
   * @param query the parsed query
   * @param options limit, filters and pruning
   * @param unitFilter tested on each candidate's encoded unit key before it is scored, or
   *     {@code null} for all
   * @return the top units
   */
  public Outcome run(ParsedQuery query, SearchOptions options,
      java.util.function.@Nullable Predicate<byte[]> unitFilter) {
    this.unitFilter = unitFilter;
    if (units <= 0) {
      return new Outcome(List.of(), 0, 0);
    }
    byte[] unitPrefix = options.keyPrefix() == null ? new byte[0]
        : options.keyPrefix().encode();
    List<Scorer> required = new ArrayList<>();
    List<Scorer> optional = new ArrayList<>();
    List<Scorer> excluded = new ArrayList<>();
    List<Clause> clauses = query.clauses();
    try {
      for (int i = 0; i < clauses.size(); i++) {
        Clause c = clauses.get(i);
        List<byte[]> termKeys = new ArrayList<>();
        double idfSum = 0;
        boolean missing = false;
        for (String t : new LinkedHashSet<>(c.terms())) {
          byte[] tk = Keys.term(t);
          long df = counter(view, keys.df(), tk);
          if (df <= 0) {
            missing = true;
          }
          idfSum += idf(units, df);
        }
        for (String t : c.terms()) {
          termKeys.add(Keys.term(t));
        }
        if (missing) {
          if (c.occur() == Occur.MUST) {
            return new Outcome(List.of(), 0, 0);
          }
          continue;
        }
        Scorer s = c.phrase()
            ? new PhraseScorer(i, termKeys, c.offsets(), unitPrefix, idfSum, c.field())
            : new TermScorer(i, termKeys.get(0), unitPrefix, idfSum, c.field());
        (c.occur() == Occur.MUST ? required : c.occur() == Occur.SHOULD ? optional : excluded)
            .add(s);
      }
      if (required.isEmpty() && optional.isEmpty()) {
        return new Outcome(List.of(), 0, 0);
      }
      return evaluate(required, optional, excluded, clauses.size(), options);
    } finally {
      for (List<Scorer> l : List.of(required, optional, excluded)) {
        for (Scorer s : l) {
          s.close();
        }
      }
    }
  }

  private static final Comparator<Scored> WORST_FIRST = (x, y) -> {
    int c = Double.compare(x.score(), y.score());
    return c != 0 ? c : Arrays.compareUnsigned(y.unit(), x.unit());
  };

  private Outcome evaluate(List<Scorer> required, List<Scorer> optional, List<Scorer> excluded,
      int clauseCount, SearchOptions options) {
    int k = options.limit();
    optional.sort(Comparator.comparingDouble(s -> s.bound));
    double[] ub = new double[optional.size()];
    double sum = 0;
    for (int i = 0; i < ub.length; i++) {
      sum += optional.get(i).bound;
      ub[i] = sum;
    }
    double optionalBound = sum;
    double requiredBound = 0;
    for (Scorer s : required) {
      requiredBound += s.bound;
      if (!s.next()) {
        return new Outcome(List.of(), 0, postingsScored);
      }
    }
    if (required.isEmpty()) {
      for (Scorer s : optional) {
        s.next();
      }
    } else {
      for (Scorer s : optional) {
        // positioned lazily by advance
        s.doc = null;
      }
    }
    PriorityQueue<Scored> heap = new PriorityQueue<>(k + 1, WORST_FIRST);
    long matched = 0;
    String pathPrefix = options.pathPrefix();
    while (true) {
      double theta = options.pruning() && heap.size() == k ? heap.peek().score() : -1;
      double limit = theta < 0 ? -1 : theta * (1 - SLACK);
      byte[] cand;
      int essentialFrom;
      if (!required.isEmpty()) {
        if (requiredBound + optionalBound < limit) {
          break;
        }
        cand = alignRequired(required);
        if (cand == null) {
          break;
        }
        essentialFrom = optional.size();
      } else {
        essentialFrom = 0;
        while (essentialFrom < ub.length && ub[essentialFrom] < limit) {
          essentialFrom++;
        }
        if (essentialFrom == ub.length) {
          break;
        }
        cand = null;
        for (int i = essentialFrom; i < optional.size(); i++) {
          byte[] d = optional.get(i).doc;
          if (d != null && (cand == null || Arrays.compareUnsigned(d, cand) < 0)) {
            cand = d;
          }
        }
        if (cand == null) {
          break;
        }
      }
      boolean ok = true;
      String path = null;
      // stays at the candidate until the next step: the hit's path is read from it
      Scorer at = required.isEmpty() ? firstAt(optional, essentialFrom, cand)
          : required.get(0);
      if (pathPrefix != null) {
        path = at.path();
        ok = path != null && (path.equals(pathPrefix) || path.startsWith(pathPrefix + "."));
      }
      if (ok && unitFilter != null) {
        ok = unitFilter.test(cand);
      }
      for (int i = 0; ok && i < excluded.size(); i++) {
        Scorer x = excluded.get(i);
        if (x.advance(cand) && x.at(cand)) {
          ok = false;
        }
      }
      if (ok) {
        double[] parts = new double[clauseCount];
        double s = 0;
        for (Scorer r : required) {
          double p = r.score();
          parts[r.clause] = p;
          s += p;
        }
        for (int i = essentialFrom; i < optional.size(); i++) {
          Scorer o = optional.get(i);
          if (o.at(cand)) {
            double p = o.score();
            parts[o.clause] = p;
            s += p;
          }
        }
        boolean pruned = false;
        for (int i = essentialFrom - 1; i >= 0; i--) {
          if (s + ub[i] < limit) {
            pruned = true;
            break;
          }
          Scorer o = optional.get(i);
          if (o.advance(cand) && o.at(cand)) {
            double p = o.score();
            parts[o.clause] = p;
            s += p;
          }
        }
        if (!pruned) {
          double score = 0;
          for (double p : parts) {
            score += p;
          }
          matched++;
          // the path is decoded only for a unit that enters the top k
          Scored hit = new Scored(cand, score, path);
          if (heap.size() < k || WORST_FIRST.compare(hit, heap.peek()) > 0) {
            if (heap.size() >= k) {
              heap.poll();
            }
            heap.add(pathPrefix != null ? hit : new Scored(cand, score, at.path()));
          }
        }
      }
      if (!required.isEmpty()) {
        if (!required.get(0).next()) {
          break;
        }
      } else {
        for (int i = essentialFrom; i < optional.size(); i++) {
          Scorer o = optional.get(i);
          if (o.at(cand)) {
            o.next();
          }
        }
      }
    }
    List<Scored> out = new ArrayList<>(heap);
    out.sort(WORST_FIRST.reversed());
    return new Outcome(out, matched, postingsScored);
  }

  private static Scorer firstAt(List<Scorer> scorers, int from, byte[] cand) {
    for (int i = from; i < scorers.size(); i++) {
      if (scorers.get(i).at(cand)) {
        return scorers.get(i);
      }
    }
    throw new IllegalStateException("no scorer at the candidate");
  }

  private static byte @Nullable [] alignRequired(List<Scorer> required) {
    while (true) {
      byte[] target = null;
      for (Scorer r : required) {
        if (r.doc == null) {
          return null;
        }
        if (target == null || Arrays.compareUnsigned(r.doc, target) > 0) {
          target = r.doc;
        }
      }
      boolean same = true;
      for (Scorer r : required) {
        if (!r.advance(java.util.Objects.requireNonNull(target))) {
          return null;
        }
        if (!r.at(target)) {
          same = false;
        }
      }
      if (same) {
        return target;
      }
    }
  }
}
