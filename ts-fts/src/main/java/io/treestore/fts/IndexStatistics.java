package io.treestore.fts;

/**
 * The collection statistics BM25 uses, as of one read view.
 *
 * @param units N, the number of indexed units, {@code >= 0}
 * @param tokens the total number of tokens of all units (the sum of unit lengths)
 */
public record IndexStatistics(long units, long tokens) {
  /**
   * Returns the average unit length.
   *
   * @return {@code tokens / units}, or 0 for an empty index
   */
  public double averageLength() {
    return units == 0 ? 0 : (double) tokens / units;
  }
}
