package io.treestore.fts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.fts.internal.Snippets;
import io.treestore.index.Tuple;
import io.treestore.txn.Database;
import io.treestore.txn.Transaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snippets of hits: matched terms wrapped in the marks, the window around the best cluster of
 * matched terms, no word cut at either edge (stop words included), control characters and line
 * breaks shown as spaces, an ellipsis where text was cut; a unit matched only in its title
 * still gets a snippet showing the match.
 */
class SnippetTest {
  private static final long SEED = Long.getLong("ts.seed", System.nanoTime());
  private static final String ELLIPSIS = "\u2026";

  @TempDir Path dir;

  private final StandardAnalyzer analyzer = new StandardAnalyzer();

  private String snippet(String text, Set<String> terms, int chars) {
    return Snippets.make(text, analyzer.analyze(text), terms, chars, "[", "]");
  }

  /** The snippet without marks and ellipses, which must be a piece of the cleaned text. */
  private static String plain(String snippet) {
    return snippet.replace("[", "").replace("]", "").replace(ELLIPSIS, "");
  }

  private static String clean(String text) {
    StringBuilder sb = new StringBuilder();
    for (char c : text.toCharArray()) {
      boolean space = Character.isISOControl(c) || Character.isWhitespace(c);
      if (space) {
        if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ' ') {
          sb.append(' ');
        }
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  @Test
  void matchedTermsAreMarkedAndTheWholeTextShownWhenItFits() {
    String text = "Revenue grew 12% in the first quarter; revenue of services grew most.";
    String s = snippet(text, Set.of("revenue", "grew"), 200);
    assertEquals("[Revenue] [grew] 12% in the first quarter; [revenue] of services [grew] most.",
        s);
    // marks are any strings; tokens are marked, not substrings of other words
    assertEquals("<em>grew</em>-n-ups regrew <em>grew</em>", Snippets.make(
        "grew-n-ups regrew grew", analyzer.analyze("grew-n-ups regrew grew"), Set.of("grew"),
        200, "<em>", "</em>"));
  }

  @Test
  void theWindowHoldsTheBestClusterAndEllipsesMarkTheCuts() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      sb.append("filler").append(i).append(' ');
    }
    sb.append("alpha filler beta filler gamma ");
    for (int i = 40; i < 60; i++) {
      sb.append("filler").append(i).append(' ');
    }
    sb.append("alpha ");
    for (int i = 60; i < 100; i++) {
      sb.append("filler").append(i).append(' ');
    }
    String text = sb.toString().strip();
    String s = snippet(text, Set.of("alpha", "beta", "gamma"), 60);
    assertTrue(s.startsWith(ELLIPSIS) && s.endsWith(ELLIPSIS), s);
    assertTrue(s.contains("[alpha] filler [beta] filler [gamma]"), s);
    assertTrue(plain(s).length() <= 60, s);
    // more distinct terms beat more matches: the lone later alpha is not chosen even though a
    // window of alpha twice exists nowhere; a window with two distinct terms beats one with
    // the same term twice
    String t = "beta beta beta beta " + "x ".repeat(40) + "alpha gamma " + "y ".repeat(40);
    String u = snippet(t, Set.of("alpha", "beta", "gamma"), 20);
    assertTrue(u.contains("[alpha] [gamma]"), u);
    // the window starts at the beginning when the cluster is there: no leading ellipsis
    String v = snippet("alpha beta " + "z ".repeat(100), Set.of("alpha"), 20);
    assertTrue(v.startsWith("[alpha]"), v);
    assertTrue(v.endsWith(ELLIPSIS), v);
    // and at the end: no trailing ellipsis
    String w = snippet("z ".repeat(100) + "omega", Set.of("omega"), 20);
    assertTrue(w.startsWith(ELLIPSIS) && w.endsWith("[omega]"), w);
  }

  @Test
  void controlCharactersAndLineBreaksBecomeSpaces() {
    String text = "first\u0000line\r\n\r\nsecond\tline\u0007 with \u001B[31m color\u2028end";
    String s = snippet(text, Set.of("second"), 200);
    assertEquals("first line [second] line with [31m color end", s);
    for (char c : s.toCharArray()) {
      assertFalse(Character.isISOControl(c), s);
    }
  }

  @Test
  void wordsAreNeverCutNotEvenStopWordsTheAnalyzerDropped() {
    // the window edges fall inside "their" and "of", which are not tokens
    String text = "xx their - target rest of the text here and more words";
    String s = snippet(text, Set.of("target"), 20);
    assertEquals(ELLIPSIS + " - [target] rest" + ELLIPSIS, s);
    // an unmatched unit (no term in its text) shows its beginning, also uncut
    String u = snippet("nothing matches here at all, really nothing", Set.of("zzz"), 20);
    assertEquals("nothing matches here" + ELLIPSIS, u);
    // a word longer than 255 code points is dropped by the analyzer but is still a word
    String longWord = "l".repeat(300);
    String v = snippet("target " + longWord, Set.of("target"), 20);
    assertEquals("[target]" + ELLIPSIS, v);
    // surrogate pairs are never split
    String emoji = "\uD83D\uDE00".repeat(20);
    String x = snippet(emoji + "target" + emoji, Set.of("target"), 20);
    assertTrue(plain(x).codePoints().noneMatch(c -> c >= 0xD800 && c <= 0xDFFF), x);
  }

  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{Nd}]+");

  /** The first word of {@code text} that {@code [from, to)} cuts, or {@code null}. */
  private static String cutWord(String text, int from, int to) {
    Matcher m = WORD.matcher(text);
    while (m.find()) {
      boolean startsInside = m.start() < from && m.end() > from;
      boolean endsInside = m.start() < to && m.end() > to;
      if (startsInside || endsInside) {
        return m.group();
      }
    }
    return null;
  }

  /** Random texts: the snippet is an uncut, cleaned piece of the text holding a match. */
  @Test
  void randomSnippetsCutNoWordAndShowAMatch() {
    Random r = new Random(SEED);
    List<String> words = new ArrayList<>(List.of("alpha", "beta", "gamma", "delta", "the",
        "of", "their", "x", "12", "café", "中文", "\uD835\uDC00\uD835\uDC01", "Alpha",
        "BETA", "\u0130x"));
    String[] seps = {" ", " ", " ", ", ", ".\n", "\t", "\u0000", " - ", "\r\n"};
    for (int round = 0; round < 3000; round++) {
      StringBuilder sb = new StringBuilder();
      int n = 1 + r.nextInt(80);
      for (int i = 0; i < n; i++) {
        sb.append(words.get(r.nextInt(words.size()))).append(seps[r.nextInt(seps.length)]);
      }
      String text = sb.toString();
      Set<String> terms = new HashSet<>(List.of(words.get(r.nextInt(4)),
          words.get(r.nextInt(words.size())).toLowerCase(Locale.ROOT)));
      int chars = 16 + r.nextInt(60);
      String s = snippet(text, terms, chars);
      String ctx = "text '" + text + "' terms " + terms + " chars " + chars + " snippet '" + s
          + "' (seed " + SEED + ")";
      // what a search uses: only the matching tokens, found without building the others;
      // they are the filtered tokens, and the snippet is the same
      List<Token> matching = analyzer.analyzeMatching(text, terms);
      assertEquals(analyzer.analyze(text).stream().filter(t -> terms.contains(t.term()))
          .toList(), matching, ctx);
      assertEquals(s, Snippets.make(text, matching, terms, chars, "[", "]"), ctx);
      String p = plain(s).strip();
      String cleaned = clean(text);
      assertTrue(cleaned.contains(p), "snippet is a piece of the cleaned text: " + ctx);
      // every word of the snippet is a whole word of the text: the piece occurs somewhere
      // without cutting a word (not necessarily at its first occurrence: "x gamma" also
      // occurs inside "İx gamma")
      String cut = null;
      for (int at = cleaned.indexOf(p); at >= 0; at = cleaned.indexOf(p, at + 1)) {
        cut = cutWord(cleaned, at, at + p.length());
        if (cut == null) {
          break;
        }
      }
      assertNull(cut, "cut word '" + cut + "': " + ctx);
      boolean anyMatch = analyzer.analyze(text).stream().anyMatch(t -> terms.contains(
          t.term()));
      if (anyMatch) {
        assertTrue(s.contains("["), "a match is shown: " + ctx);
      }
      // the window is at most chars long
      assertTrue(p.length() <= chars, "window over " + chars + " chars: " + ctx);
      // an ellipsis only where text was cut
      if (s.startsWith(ELLIPSIS)) {
        assertFalse(cleaned.startsWith(p), "leading ellipsis but nothing cut: " + ctx);
      }
      if (!s.endsWith(ELLIPSIS)) {
        assertTrue(cleaned.strip().endsWith(p), "text cut without an ellipsis: " + ctx);
      }
    }
  }

  @Test
  void hitsCarrySnippetsWithTheSearchOptionsMarks() {
    FullTextIndex fts = new FullTextIndex("s", FullTextOptions.defaults());
    try (Database db = Database.open(dir, Bm25OracleTest.fast())) {
      try (Transaction tx = db.begin()) {
        fts.index(tx, Tuple.of("t"), Unit.of("1", "title", "Liquidity", "text",
            "Cash\u0000and\u0007equivalents were stable through the year. " + "More text. "
                .repeat(40)));
        fts.index(tx, Tuple.of("u"), Unit.of("2", "text", "Intro. " + "Words here. "
            .repeat(30) + "The liquidity position improved markedly at year end."));
        tx.commit();
      }
      try (Transaction tx = db.beginReadOnly()) {
        SearchOptions o = new SearchOptions(10, null, null, 60, "<<", ">>", true);
        List<Hit> hits = fts.search(tx, "liquidity", o).hits();
        assertEquals(2, hits.size());
        Hit t = hits.stream().filter(h -> h.unitKey().equals(Tuple.of("t"))).findFirst()
            .orElseThrow();
        // matched only in the title: the snippet starts with the title's match
        assertTrue(t.snippet().startsWith("<<Liquidity>> Cash and equivalents"), t.snippet());
        assertTrue(t.snippet().endsWith(ELLIPSIS), t.snippet());
        Hit u = hits.stream().filter(h -> h.unitKey().equals(Tuple.of("u"))).findFirst()
            .orElseThrow();
        assertTrue(u.snippet().startsWith(ELLIPSIS), u.snippet());
        assertTrue(u.snippet().contains("<<liquidity>> position improved"), u.snippet());
        assertTrue(plain(u.snippet().replace("<<", "").replace(">>", "")).length() <= 60,
            u.snippet());
        // excluded terms are not marked; required and phrase terms are
        Hit p = fts.search(tx, "+\"cash and equivalents\" -improved stable", o).hits().get(0);
        assertTrue(p.snippet().contains("<<Cash>> and <<equivalents>> were <<stable>> through"),
            p.snippet());
        assertTrue(p.snippet().endsWith(ELLIPSIS), p.snippet());
      }
    }
  }
}
