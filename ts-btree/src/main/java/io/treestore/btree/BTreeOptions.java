package io.treestore.btree;

import io.treestore.page.ChannelFactory;
import io.treestore.page.PageFile;
import java.util.Objects;

/**
 * How to open a {@link BTreeFile}. Immutable; the {@code with...} methods return modified
 * copies.
 *
 * @param pageSize bytes per page for a new file: a power of two in [4096, 65536], default
 *     4096. Larger pages mean wider nodes and larger maximum keys ({@code pageSize / 4 - 32}
 *     bytes). An existing file keeps its own page size. Not mutable at runtime.
 * @param cacheBytes capacity of the page cache in bytes of page data, {@code >= 0}, default
 *     64 MiB; 0 disables caching. Not mutable at runtime.
 * @param create whether a missing file is created, default {@code true}
 * @param readOnly whether to open for reading only, default {@code false}; writes then throw
 * @param channels opens the file's channels; replace only to inject faults in tests
 */
public record BTreeOptions(int pageSize, long cacheBytes, boolean create, boolean readOnly,
    ChannelFactory channels) {

  /** Default page cache capacity: 64 MiB. */
  public static final long DEFAULT_CACHE_BYTES = 64L << 20;

  /**
   * Validates the options.
   *
   * @throws IllegalArgumentException if {@code pageSize} is not a power of two in range or
   *     {@code cacheBytes} is negative
   */
  public BTreeOptions {
    if (Integer.bitCount(pageSize) != 1 || pageSize < PageFile.MIN_PAGE_SIZE
        || pageSize > PageFile.MAX_PAGE_SIZE) {
      throw new IllegalArgumentException("pageSize must be a power of two in ["
          + PageFile.MIN_PAGE_SIZE + ", " + PageFile.MAX_PAGE_SIZE + "], was " + pageSize);
    }
    if (cacheBytes < 0) {
      throw new IllegalArgumentException("cacheBytes must be >= 0, was " + cacheBytes);
    }
    Objects.requireNonNull(channels, "channels");
  }

  /**
   * Returns the defaults: 4 KiB pages, 64 MiB cache, create if missing, read-write.
   *
   * @return the default options
   */
  public static BTreeOptions defaults() {
    return new BTreeOptions(PageFile.DEFAULT_PAGE_SIZE, DEFAULT_CACHE_BYTES, true, false,
        ChannelFactory.DEFAULT);
  }

  /**
   * Returns a copy with another page size.
   *
   * @param pageSize bytes, a power of two in [4096, 65536]
   * @return the modified options
   */
  public BTreeOptions withPageSize(int pageSize) {
    return new BTreeOptions(pageSize, cacheBytes, create, readOnly, channels);
  }

  /**
   * Returns a copy with another cache capacity.
   *
   * @param cacheBytes bytes, {@code >= 0}
   * @return the modified options
   */
  public BTreeOptions withCacheBytes(long cacheBytes) {
    return new BTreeOptions(pageSize, cacheBytes, create, readOnly, channels);
  }

  /**
   * Returns a copy with another creation flag.
   *
   * @param create whether a missing file is created
   * @return the modified options
   */
  public BTreeOptions withCreate(boolean create) {
    return new BTreeOptions(pageSize, cacheBytes, create, readOnly, channels);
  }

  /**
   * Returns a copy with another read-only flag.
   *
   * @param readOnly whether to open for reading only
   * @return the modified options
   */
  public BTreeOptions withReadOnly(boolean readOnly) {
    return new BTreeOptions(pageSize, cacheBytes, create, readOnly, channels);
  }

  /**
   * Returns a copy with another channel factory.
   *
   * @param channels the factory
   * @return the modified options
   */
  public BTreeOptions withChannels(ChannelFactory channels) {
    return new BTreeOptions(pageSize, cacheBytes, create, readOnly, channels);
  }
}
