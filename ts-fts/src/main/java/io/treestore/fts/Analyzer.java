package io.treestore.fts;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits text into the terms a {@link FullTextIndex} indexes and a query searches for.
 * Implementations are found with {@link java.util.ServiceLoader} (see {@link Analyzers}): a
 * plugin jar provides them as a service on the module path or the class path. The built-in
 * one is {@link StandardAnalyzer} ({@code standard}).
 *
 * <p>Contract: deterministic (the same text always gives the same tokens; an index is
 * re-analyzed to remove a unit's old postings), thread-safe, and never changing meaning for a
 * given {@link #name()} (an index records the name of its analyzer).
 */
public interface Analyzer {
  /**
   * Returns the analyzer's stable name.
   *
   * @return 1 to 64 ASCII letters, digits, {@code _} or {@code -}
   */
  String name();

  /**
   * Analyzes text.
   *
   * @param text the text; any {@code char}s, including control characters and unpaired
   *     surrogates
   * @return the tokens in text order, with strictly increasing positions; offsets within the
   *     text
   */
  List<Token> analyze(String text);

  /**
   * Returns the tokens of a text whose term is one of {@code terms}: exactly {@link
   * #analyze}'s tokens with the others left out, positions and offsets unchanged. A search
   * calls it to find the matches for a hit's snippet; an analyzer may override it to skip
   * building the tokens it leaves out.
   *
   * @param text the text, as for {@link #analyze}
   * @param terms the terms wanted
   * @return those tokens, in text order
   */
  default List<Token> analyzeMatching(String text, Set<String> terms) {
    List<Token> out = new ArrayList<>();
    for (Token t : analyze(text)) {
      if (terms.contains(t.term())) {
        out.add(t);
      }
    }
    return out;
  }
}
