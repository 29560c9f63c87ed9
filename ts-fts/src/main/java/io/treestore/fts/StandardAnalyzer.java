package io.treestore.fts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The built-in {@code standard} analyzer, exactly as the design specifies:
 *
 * <ul>
 *   <li>a token is a maximal run of code points whose Unicode general category is a letter
 *       ({@code L*}: {@link Character#isLetter(int)}) or a decimal digit ({@code Nd}:
 *       {@link Character#isDigit(int)}); everything else separates tokens;
 *   <li>tokens longer than {@value #MAX_TOKEN_CODE_POINTS} code points (counted before
 *       lower-casing) are dropped;
 *   <li>tokens are lower-cased with {@link String#toLowerCase(Locale)} and
 *       {@link Locale#ROOT};
 *   <li>tokens in the English stop list ({@link #STOP_WORDS}, 33 words, the list Lucene's
 *       {@code EnglishAnalyzer} uses) are dropped.
 * </ul>
 *
 * <p>Every run of letters and digits takes a position, including dropped ones, so a phrase
 * query keeps the distances of its words. Stateless and thread-safe.
 */
public final class StandardAnalyzer implements Analyzer {
  /** The analyzer's name. */
  public static final String NAME = "standard";

  /** Tokens longer than this many code points are dropped. */
  public static final int MAX_TOKEN_CODE_POINTS = 255;

  /** The stop words, lower-case. */
  public static final Set<String> STOP_WORDS = Set.of("a", "an", "and", "are", "as", "at", "be",
      "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of", "on", "or", "such",
      "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will",
      "with");

  /** Creates the analyzer (also used by {@link java.util.ServiceLoader}). */
  public StandardAnalyzer() {
    // stateless
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Returns whether a code point is part of a token.
   *
   * @param cp a code point
   * @return {@code true} for letters ({@code L*}) and decimal digits ({@code Nd})
   */
  public static boolean isTokenCodePoint(int cp) {
    return Character.isLetter(cp) || Character.isDigit(cp);
  }

  /** The longest stop word's length: longer tokens skip the stop-list lookup. */
  private static final int MAX_STOP_WORD_CHARS =
      STOP_WORDS.stream().mapToInt(String::length).max().orElse(0);

  /** {@link #isTokenCodePoint} for the ASCII range, looked up without Unicode tables. */
  private static final boolean[] ASCII_TOKEN = new boolean[128];

  static {
    for (int c = 0; c < 128; c++) {
      ASCII_TOKEN[c] = isTokenCodePoint(c);
    }
  }

  @Override
  public List<Token> analyze(String text) {
    return tokens(text, null);
  }

  /**
   * As {@link #analyze}, filtered to {@code terms}, without building the other tokens: an
   * all-ASCII run whose length is no term's length is passed over without allocating (its
   * lower-cased form has the same length), and only the remaining runs are lower-cased and
   * looked up.
   */
  @Override
  public List<Token> analyzeMatching(String text, Set<String> terms) {
    return tokens(text, terms);
  }

  /** The tokens of {@code text}; with {@code terms}, only those whose term is one of them. */
  private static List<Token> tokens(String text, @Nullable Set<String> terms) {
    // with terms: which lengths an all-ASCII run must have to be one of them
    boolean[] length = new boolean[0];
    if (terms != null) {
      int longest = 0;
      for (String t : terms) {
        longest = Math.max(longest, t.length());
      }
      length = new boolean[longest + 1];
      for (String t : terms) {
        length[t.length()] = true;
      }
    }
    List<Token> out = new ArrayList<>();
    // one bulk copy, then a plain array loop: charAt on a non-Latin-1 string checks its
    // bounds and coder on every call
    char[] a = text.toCharArray();
    int n = a.length;
    int i = 0;
    int position = 0;
    while (i < n) {
      int skip = nonToken(a, i);
      if (skip > 0) {
        i += skip;
        continue;
      }
      int start = i;
      int count = 0;
      boolean ascii = true;
      while (i < n) {
        char c = a[i];
        if (c < 128) {
          if (!ASCII_TOKEN[c]) {
            break;
          }
          i++;
        } else {
          int cp = Character.codePointAt(a, i);
          if (!isTokenCodePoint(cp)) {
            break;
          }
          ascii = false;
          i += Character.charCount(cp);
        }
        count++;
      }
      int len = i - start;
      boolean candidate = terms == null || !ascii || (len < length.length && length[len]);
      if (count <= MAX_TOKEN_CODE_POINTS && candidate) {
        String term = text.substring(start, i).toLowerCase(Locale.ROOT);
        if ((terms == null || terms.contains(term))
            && (term.length() > MAX_STOP_WORD_CHARS || !STOP_WORDS.contains(term))) {
          out.add(new Token(term, position, start, i));
        }
      }
      position++;
    }
    return out;
  }

  /** Returns 0 if a token starts at {@code i}, else the chars of the code point there. */
  private static int nonToken(char[] a, int i) {
    char c = a[i];
    if (c < 128) {
      return ASCII_TOKEN[c] ? 0 : 1;
    }
    int cp = Character.codePointAt(a, i);
    return isTokenCodePoint(cp) ? 0 : Character.charCount(cp);
  }

  @Override
  public String toString() {
    return NAME;
  }
}
