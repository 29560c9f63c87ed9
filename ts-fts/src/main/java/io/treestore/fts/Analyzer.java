package io.treestore.fts;

import java.util.List;

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
}
