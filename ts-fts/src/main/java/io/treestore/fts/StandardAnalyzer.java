package io.treestore.fts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

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

  @Override
  public List<Token> analyze(String text) {
    List<Token> out = new ArrayList<>();
    int n = text.length();
    int i = 0;
    int position = 0;
    while (i < n) {
      int cp = text.codePointAt(i);
      if (!isTokenCodePoint(cp)) {
        i += Character.charCount(cp);
        continue;
      }
      int start = i;
      int count = 0;
      while (i < n) {
        cp = text.codePointAt(i);
        if (!isTokenCodePoint(cp)) {
          break;
        }
        count++;
        i += Character.charCount(cp);
      }
      if (count <= MAX_TOKEN_CODE_POINTS) {
        String term = text.substring(start, i).toLowerCase(Locale.ROOT);
        if (!STOP_WORDS.contains(term)) {
          out.add(new Token(term, position, start, i));
        }
      }
      position++;
    }
    return out;
  }

  @Override
  public String toString() {
    return NAME;
  }
}
