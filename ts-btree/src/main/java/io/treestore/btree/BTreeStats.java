package io.treestore.btree;

import io.treestore.page.CacheStats;

/**
 * Figures of a {@link BTreeFile} at one moment.
 *
 * @param generation the durable flush generation
 * @param pageSize bytes per page
 * @param pageCount pages the file holds for the current state
 * @param freePages pages of the file that are free (listed in the free list or held for
 *     reuse), including those still waiting for readers to finish
 * @param fileBytes the file's length in bytes
 * @param cache page cache counters
 * @param activeReaders readers currently pinning a version
 */
public record BTreeStats(long generation, int pageSize, long pageCount, long freePages,
    long fileBytes, CacheStats cache, long activeReaders) {}
