package io.treestore.server.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The {@code standard} analyzer and BM25 of DESIGN.md section 5, written from the text of the
 * design (not from the server's code): tokens are maximal runs of letters (L*) and decimal
 * digits (Nd), lower-cased with Locale.ROOT, English stop words and tokens over 255 code
 * points dropped; a node's text is its title, summary, prefix_summary and text joined by
 * newlines; k1 = 1.2, b = 0.75, idf = ln(1 + (N - df + 0.5) / (df + 0.5)), statistics over
 * every indexed node.
 */
final class Bm25 {
  static final Set<String> STOP = Set.of("a", "an", "and", "are", "as", "at", "be", "but",
      "by", "for", "if", "in", "into", "is", "it", "no", "not", "of", "on", "or", "such",
      "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will",
      "with");

  /**
   * One indexed node.
   *
   * @param docId its document
   * @param node the node
   * @param tf term frequencies
   * @param length tokens
   */
  record Doc(String docId, Trees.Node node, Map<String, Integer> tf, int length) {}

  /**
   * An expected hit.
   *
   * @param docId the document
   * @param nodeId the node
   * @param score the BM25 score
   */
  record Scored(String docId, String nodeId, double score) {}

  private final List<Doc> docs = new ArrayList<>();
  private final Map<String, Integer> df = new HashMap<>();
  private long tokens;

  /** Indexes every node of a tree (one version). */
  void add(Trees.Tree t) {
    for (Trees.Node n : t.nodes()) {
      StringBuilder text = new StringBuilder();
      for (String f : new String[] {"title", "summary", "prefix_summary", "text"}) {
        String v = n.text(f);
        if (v != null) {
          if (!text.isEmpty()) {
            text.append('\n');
          }
          text.append(v);
        }
      }
      List<String> toks = tokens(text.toString());
      Map<String, Integer> tf = new HashMap<>();
      for (String s : toks) {
        tf.merge(s, 1, Integer::sum);
      }
      for (String s : tf.keySet()) {
        df.merge(s, 1, Integer::sum);
      }
      tokens += toks.size();
      docs.add(new Doc(t.docId(), n, tf, toks.size()));
    }
  }

  static List<String> tokens(String s) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      if (!word(cp)) {
        i += Character.charCount(cp);
        continue;
      }
      int start = i;
      int count = 0;
      while (i < s.length() && word(s.codePointAt(i))) {
        i += Character.charCount(s.codePointAt(i));
        count++;
      }
      if (count > 255) {
        continue;
      }
      String tok = s.substring(start, i).toLowerCase(Locale.ROOT);
      if (!STOP.contains(tok)) {
        out.add(tok);
      }
    }
    return out;
  }

  private static boolean word(int cp) {
    return Character.isLetter(cp) || Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER;
  }

  /** Scores every node with at least one query term, best first, ties by doc and node id. */
  List<Scored> search(String query, Predicate<Doc> filter) {
    Set<String> terms = new LinkedHashSet<>(tokens(query));
    int n = docs.size();
    double avgdl = (double) tokens / n;
    List<Scored> out = new ArrayList<>();
    for (Doc d : docs) {
      if (!filter.test(d)) {
        continue;
      }
      double score = 0;
      boolean any = false;
      for (String t : terms) {
        Integer tf = d.tf().get(t);
        if (tf == null) {
          continue;
        }
        any = true;
        int dfT = df.get(t);
        double idf = Math.log(1 + (n - dfT + 0.5) / (dfT + 0.5));
        score += idf * tf / (tf + 1.2 * (1 - 0.75 + 0.75 * d.length() / avgdl));
      }
      if (any) {
        out.add(new Scored(d.docId(), d.node().id(), score));
      }
    }
    out.sort(Comparator.comparingDouble(Scored::score).reversed()
        .thenComparing(Scored::docId).thenComparing(Scored::nodeId));
    return out;
  }
}
