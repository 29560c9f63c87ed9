package io.treestore.fts;

import java.util.List;

/**
 * The answer to a search.
 *
 * @param hits the top hits by descending score, ties by ascending unit key (tuple order)
 * @param matched the units that matched the query and filters and were scored completely
 *     (units skipped by pruning are not counted)
 * @param postingsScored posting entries decoded and scored; with pruning this is typically
 *     far below the total length of the query terms' posting lists
 */
public record SearchResult(List<Hit> hits, long matched, long postingsScored) {
  /**
   * Copies the hits.
   *
   * @throws NullPointerException if {@code hits} is null
   */
  public SearchResult {
    hits = List.copyOf(hits);
  }
}
