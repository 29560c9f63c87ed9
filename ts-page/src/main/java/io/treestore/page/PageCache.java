package io.treestore.page;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.function.LongFunction;

/**
 * A bounded cache of decoded, immutable pages, keyed by page id.
 *
 * <p>Built on Caffeine (W-TinyLFU eviction; Einziger, Friedman and Manes, "TinyLFU: A Highly
 * Efficient Cache Admission Policy", ACM TOS 2017). Every entry weighs one page size, so the
 * capacity is the number of bytes of page data held, not the JVM heap the decoded objects
 * take (which is typically 1.5 to 3 times more). Values must be immutable: they are shared by
 * all readers.
 *
 * <p>Because a page id is reused once its page is free, the writer replaces the entry with
 * {@link #put} whenever it writes a page, and readers never ask for a page that is free (the
 * reclamation discipline of {@link ReaderTable}).
 *
 * <p>Thread-safe; lookups do not block each other.
 */
public final class PageCache {
  private final Cache<Long, Object> cache;
  private final long capacityBytes;
  private final int pageSize;

  /**
   * Creates a cache.
   *
   * @param capacityBytes the most bytes of page data to hold, {@code >= 0}; 0 disables
   *     caching (every read decodes the page again)
   * @param pageSize the weight of one entry, in bytes
   * @throws IllegalArgumentException if {@code capacityBytes < 0} or {@code pageSize <= 0}
   */
  public PageCache(long capacityBytes, int pageSize) {
    if (capacityBytes < 0) {
      throw new IllegalArgumentException("capacityBytes must be >= 0, was " + capacityBytes);
    }
    if (pageSize <= 0) {
      throw new IllegalArgumentException("pageSize must be > 0, was " + pageSize);
    }
    this.capacityBytes = capacityBytes;
    this.pageSize = pageSize;
    this.cache = Caffeine.newBuilder()
        .maximumWeight(capacityBytes)
        .weigher((Long k, Object v) -> pageSize)
        .executor(Runnable::run)
        .recordStats()
        .build();
  }

  /**
   * Returns the cached value of a page, decoding it on a miss.
   *
   * @param <T> the decoded type
   * @param pageId the page
   * @param decoder reads and decodes the page; called at most once per miss, and its
   *     exception (e.g. {@link CorruptionException}) propagates with nothing cached
   * @return the decoded page
   */
  @SuppressWarnings("unchecked")
  public <T> T get(long pageId, LongFunction<T> decoder) {
    // One lookup, so that hits and misses are each counted once (Caffeine's get reads the map
    // without locking on a hit).
    return (T) cache.get(pageId, k -> decoder.apply(k));
  }

  /**
   * Stores the decoded value of a page just written, replacing any older entry for its id.
   *
   * @param pageId the page
   * @param value its decoded, immutable value
   */
  public void put(long pageId, Object value) {
    if (capacityBytes > 0) {
      cache.put(pageId, value);
    }
  }

  /**
   * Removes a page's entry, if any.
   *
   * @param pageId the page
   */
  public void invalidate(long pageId) {
    cache.invalidate(pageId);
  }

  /**
   * Returns the configured capacity.
   *
   * @return bytes of page data
   */
  public long capacityBytes() {
    return capacityBytes;
  }

  /**
   * Returns counters since creation. Counts are approximate while lookups run concurrently.
   *
   * @return hits, misses, evictions and the bytes currently held
   */
  public CacheStats stats() {
    var s = cache.stats();
    long size = cache.estimatedSize();
    return new CacheStats(s.hitCount(), s.missCount(), s.evictionCount(), size * pageSize,
        capacityBytes);
  }
}
