package io.treestore.fts;

import io.treestore.index.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An independent model of the query language and its BM25 scoring, written from the design
 * and the documented syntax, not from the code: units are tokenized with a regular expression
 * (letters and decimal digits, lower-cased, stop words and over-long runs dropped, every run
 * taking a position), and a query is given as structured clauses that the model both renders
 * to query text and evaluates directly.
 */
final class QueryModel {
  private static final Pattern RUN = Pattern.compile("[\\p{L}\\p{Nd}]+");
  private static final Set<String> STOP = Set.of(("a an and are as at be but by for if in into"
      + " is it no not of on or such that the their then there these they this to was will"
      + " with").split(" "));

  /** How a clause takes part. */
  enum Occur { SHOULD, MUST, MUST_NOT }

  /** One token: term, position, field index. */
  record Tok(String term, int position, int field) {}

  /**
   * One clause as written: {@code text} is a word (possibly several tokens) or, for a phrase,
   * the text between the quotes.
   */
  record Clause(Occur occur, int field, String text, boolean phrase) {}

  /** A field boost as written: {@code field^weight}. */
  record Boost(int field, String weight) {}

  /** A query: clauses and boosts in the order written. */
  record Query(List<Object> parts) {
    String render(List<String> fields) {
      StringBuilder sb = new StringBuilder();
      for (Object p : parts) {
        if (!sb.isEmpty()) {
          sb.append(' ');
        }
        if (p instanceof Boost b) {
          sb.append(fields.get(b.field())).append('^').append(b.weight());
        } else {
          Clause c = (Clause) p;
          sb.append(c.occur() == Occur.MUST ? "+" : c.occur() == Occur.MUST_NOT ? "-" : "");
          if (c.field() >= 0) {
            sb.append(fields.get(c.field())).append(':');
          }
          sb.append(c.phrase() ? "\"" + c.text() + "\"" : c.text());
        }
      }
      return sb.toString();
    }
  }

  private record Unit(Tuple key, List<Tok> tokens) {}

  /** An analyzed clause: terms with offsets (one term for a term clause). */
  private record Analyzed(Occur occur, int field, List<String> terms, List<Integer> offsets) {}

  private final List<String> fields;
  private final List<Unit> units = new ArrayList<>();
  private final Map<String, Integer> df = new HashMap<>();
  private final double k1;
  private final double b;
  private final double avgdl;

  QueryModel(List<String> fields, List<Corpus.Doc> docs, double k1, double b) {
    this.fields = fields;
    this.k1 = k1;
    this.b = b;
    long total = 0;
    for (Corpus.Doc d : docs) {
      List<Tok> toks = new ArrayList<>();
      int[] pos = {0};
      for (int f = 0; f < fields.size(); f++) {
        String text = d.fields().get(fields.get(f));
        if (text != null) {
          toks.addAll(tokenize(text, f, pos));
        }
      }
      units.add(new Unit(d.key(), toks));
      total += toks.size();
      Set<String> distinct = new HashSet<>();
      for (Tok t : toks) {
        distinct.add(t.term());
      }
      for (String t : distinct) {
        df.merge(t, 1, Integer::sum);
      }
    }
    avgdl = docs.isEmpty() ? 0 : (double) total / docs.size();
  }

  /** Tokenizes one text; {@code pos[0]} is the next position and is advanced. */
  static List<Tok> tokenize(String text, int field, int[] pos) {
    List<Tok> out = new ArrayList<>();
    Matcher m = RUN.matcher(text);
    while (m.find()) {
      String raw = m.group();
      int p = pos[0]++;
      if (raw.codePointCount(0, raw.length()) > 255) {
        continue;
      }
      String t = raw.toLowerCase(Locale.ROOT);
      if (!STOP.contains(t)) {
        out.add(new Tok(t, p, field));
      }
    }
    return out;
  }

  int df(String term) {
    return df.getOrDefault(term, 0);
  }

  private double idf(String term) {
    int n = units.size();
    int d = df(term);
    return Math.log(1 + (n - d + 0.5) / (d + 0.5));
  }

  /** Evaluates a query: every matching unit with its score, best first, ties by key. */
  List<BruteForce.Scored> search(Query q) {
    double[] boosts = new double[fields.size()];
    Arrays.fill(boosts, 1);
    Map<String, Analyzed> clauses = new LinkedHashMap<>();
    for (Object p : q.parts()) {
      if (p instanceof Boost bo) {
        boosts[bo.field()] = Double.parseDouble(bo.weight());
        continue;
      }
      Clause c = (Clause) p;
      List<Tok> toks = tokenize(c.text(), -1, new int[] {0});
      List<Analyzed> as = new ArrayList<>();
      if (c.phrase() && toks.size() > 1) {
        List<String> terms = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        for (Tok t : toks) {
          terms.add(t.term());
          offsets.add(t.position() - toks.get(0).position());
        }
        as.add(new Analyzed(c.occur(), c.field(), terms, offsets));
      } else {
        for (Tok t : toks) {
          as.add(new Analyzed(c.occur(), c.field(), List.of(t.term()), List.of(0)));
        }
      }
      for (Analyzed a : as) {
        // a clause written twice counts once; required wins over optional
        String key = (a.occur() == Occur.MUST_NOT) + "|" + a.field() + "|" + a.terms() + "|"
            + a.offsets();
        Analyzed old = clauses.get(key);
        if (old == null || (old.occur() == Occur.SHOULD && a.occur() == Occur.MUST)) {
          clauses.put(key, a);
        }
      }
    }
    List<BruteForce.Scored> out = new ArrayList<>();
    for (Unit u : units) {
      boolean ok = true;
      boolean anyMatch = false;
      double score = 0;
      for (Analyzed a : clauses.values()) {
        double freq = frequency(u, a, boosts);
        if (freq == 0) {
          if (a.occur() == Occur.MUST) {
            ok = false;
          }
          continue;
        }
        if (a.occur() == Occur.MUST_NOT) {
          ok = false;
          continue;
        }
        anyMatch = true;
        double idf = 0;
        for (String t : new LinkedHashSet<>(a.terms())) {
          idf += idf(t);
        }
        double norm = k1 * (1 - b + b * u.tokens().size() / avgdl);
        score += idf * freq / (freq + norm);
      }
      if (ok && anyMatch) {
        out.add(new BruteForce.Scored(u.key(), score));
      }
    }
    out.sort(Comparator.comparingDouble(BruteForce.Scored::score).reversed()
        .thenComparing((x, y) -> Arrays.compareUnsigned(x.key().encode(), y.key().encode())));
    return out;
  }

  /**
   * The clause's weighted frequency in a unit: for a term, the sum over its occurrences of
   * the boost of the occurrence's field; for a phrase, the same over the places where every
   * term sits at its offset, all in one field; only in the clause's field if it names one.
   */
  private static double frequency(Unit u, Analyzed a, double[] boosts) {
    double freq = 0;
    for (Tok first : u.tokens()) {
      if (!first.term().equals(a.terms().get(0))) {
        continue;
      }
      if (a.field() >= 0 && first.field() != a.field()) {
        continue;
      }
      boolean all = true;
      for (int i = 1; i < a.terms().size() && all; i++) {
        int want = first.position() + a.offsets().get(i);
        boolean found = false;
        for (Tok t : u.tokens()) {
          if (t.position() == want && t.term().equals(a.terms().get(i))
              && t.field() == first.field()) {
            found = true;
            break;
          }
        }
        all = found;
      }
      if (all) {
        freq += boosts[first.field()];
      }
    }
    return freq;
  }
}
