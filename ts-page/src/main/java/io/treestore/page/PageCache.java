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
 * <p>Besides pages, the cache holds <em>derived</em> entries ({@link #getDerived}): an
 * immutable value computed from the contents of a run of pages and filed under the first one,
 * such as a large value assembled from its chain of overflow pages. A derived entry weighs its
 * own size and is dropped whenever its page is written again ({@link #put}) or invalidated, so
 * the same discipline keeps it exact.
 *
 * <p>Thread-safe; lookups do not block each other.
 */
public final class PageCache {
  private final Cache<Long, Object> cache;
  private final com.github.benmanes.caffeine.cache.Policy.Eviction<Long, Object> eviction;
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
        .weigher((Long k, Object v) -> v instanceof Derived d ? d.weight() : pageSize)
        .executor(Runnable::run)
        .recordStats()
        .build();
    this.eviction = cache.policy().eviction().orElseThrow();
  }

  /** A derived value and its weight in bytes; filed under the key {@code ~pageId}. */
  private record Derived(Object value, int weight) {}

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
   * Returns a value derived from the contents of pages starting at {@code pageId}, computing
   * and caching it on a miss. The caller must ask only while no writer can reuse the page (the
   * discipline of {@link #get}); the entry is dropped when the page is written again.
   *
   * @param <T> the value's type; the value must be immutable, since it is shared by all readers
   * @param pageId the first page the value is derived from, {@code >= 0}
   * @param weightBytes the memory the value takes, in bytes, {@code >= 0}; a value heavier than
   *     a sixteenth of the capacity is computed but not cached
   * @param compute computes the value from the page id; called at most once per miss, and its
   *     exception (e.g. {@link CorruptionException}) propagates with nothing cached
   * @return the value
   */
  @SuppressWarnings("unchecked")
  public <T> T getDerived(long pageId, int weightBytes, LongFunction<T> compute) {
    if (weightBytes > capacityBytes / 16) {
      return compute.apply(pageId);
    }
    Derived d = (Derived) cache.get(~pageId,
        k -> new Derived(compute.apply(pageId), weightBytes));
    return (T) d.value();
  }

  /**
   * Stores the decoded value of a page just written, replacing any older entry for its id and
   * dropping the values derived from its old contents.
   *
   * @param pageId the page
   * @param value its decoded, immutable value
   */
  public void put(long pageId, Object value) {
    cache.invalidate(~pageId);
    if (capacityBytes > 0) {
      cache.put(pageId, value);
    }
  }

  /**
   * Removes a page's entry and the values derived from it, if any.
   *
   * @param pageId the page
   */
  public void invalidate(long pageId) {
    cache.invalidate(pageId);
    cache.invalidate(~pageId);
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
    return new CacheStats(s.hitCount(), s.missCount(), s.evictionCount(),
        eviction.weightedSize().orElse(cache.estimatedSize() * pageSize), capacityBytes);
  }
}
