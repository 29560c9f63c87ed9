package io.treestore.page;

/**
 * Counters of a {@link PageCache}.
 *
 * @param hits lookups answered from the cache
 * @param misses lookups that decoded the page from the file
 * @param evictions entries removed to respect the capacity
 * @param sizeBytes bytes currently held: page data (a page size per page) plus derived values
 * @param capacityBytes the configured capacity in bytes
 */
public record CacheStats(long hits, long misses, long evictions, long sizeBytes,
    long capacityBytes) {

  /**
   * Returns the fraction of lookups answered from the cache.
   *
   * @return {@code hits / (hits + misses)} in [0, 1], or 1 when there was no lookup
   */
  public double hitRate() {
    long total = hits + misses;
    return total == 0 ? 1.0 : (double) hits / total;
  }
}
