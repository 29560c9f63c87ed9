package io.treestore.fts;

import io.treestore.index.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An independent BM25 scorer for OR queries of plain words: it re-tokenizes every unit with a
 * regular expression written from the design's text and computes the formula directly.
 */
final class BruteForce {
  private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{Nd}]+");
  private static final Set<String> STOP = Set.of(("a an and are as at be but by for if in into"
      + " is it no not of on or such that the their then there these they this to was will"
      + " with").split(" "));

  record Scored(Tuple key, double score) {}

  private final List<Corpus.Doc> docs;
  private final List<List<String>> tokens = new ArrayList<>();
  private final Map<String, Integer> df = new HashMap<>();
  private final double avgdl;

  BruteForce(List<Corpus.Doc> docs) {
    this.docs = docs;
    long total = 0;
    for (Corpus.Doc d : docs) {
      List<String> t = tokenize(String.join("\n", d.fields().values()));
      tokens.add(t);
      total += t.size();
      for (String term : new LinkedHashSet<>(t)) {
        df.merge(term, 1, Integer::sum);
      }
    }
    avgdl = (double) total / docs.size();
  }

  static List<String> tokenize(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = TOKEN.matcher(text);
    while (m.find()) {
      String raw = m.group();
      if (raw.codePointCount(0, raw.length()) > 255) {
        continue;
      }
      String t = raw.toLowerCase(Locale.ROOT);
      if (!STOP.contains(t)) {
        out.add(t);
      }
    }
    return out;
  }

  /** Scores every unit that holds at least one query term; best first, ties by key. */
  List<Scored> search(String query, double k1, double b) {
    List<String> terms = new ArrayList<>(new LinkedHashSet<>(tokenize(query)));
    int n = docs.size();
    List<Scored> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<String> t = tokens.get(i);
      int dl = t.size();
      double score = 0;
      boolean any = false;
      for (String q : terms) {
        int tf = 0;
        for (String x : t) {
          if (x.equals(q)) {
            tf++;
          }
        }
        if (tf == 0) {
          continue;
        }
        any = true;
        int d = df.get(q);
        double idf = Math.log(1 + (n - d + 0.5) / (d + 0.5));
        score += idf * tf / (tf + k1 * (1 - b + b * dl / avgdl));
      }
      if (any) {
        out.add(new Scored(docs.get(i).key(), score));
      }
    }
    out.sort(Comparator.comparingDouble(Scored::score).reversed()
        .thenComparing((x, y) -> Arrays.compareUnsigned(x.key().encode(), y.key().encode())));
    return out;
  }

  List<String> vocabulary() {
    List<String> v = new ArrayList<>(df.keySet());
    v.sort(null);
    return v;
  }

  int df(String term) {
    return df.getOrDefault(term, 0);
  }
}
