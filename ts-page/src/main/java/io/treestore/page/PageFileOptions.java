package io.treestore.page;

/**
 * How to open a {@link PageFile}.
 *
 * @param pageSize bytes per page when a new file is created: a power of two in
 *     [{@link PageFile#MIN_PAGE_SIZE}, {@link PageFile#MAX_PAGE_SIZE}], default
 *     {@link PageFile#DEFAULT_PAGE_SIZE}. An existing file keeps the page size it was created
 *     with.
 * @param create whether a missing file is created (default {@code true})
 * @param readOnly whether the file is opened for reading only (default {@code false}); all
 *     writes then fail
 * @param channels opens the file's channels; {@link ChannelFactory#DEFAULT} except in tests
 *     that inject faults
 */
public record PageFileOptions(int pageSize, boolean create, boolean readOnly,
    ChannelFactory channels) {

  /**
   * Validates the options.
   *
   * @throws IllegalArgumentException if {@code pageSize} is not a power of two in range
   */
  public PageFileOptions {
    if (Integer.bitCount(pageSize) != 1 || pageSize < PageFile.MIN_PAGE_SIZE
        || pageSize > PageFile.MAX_PAGE_SIZE) {
      throw new IllegalArgumentException("pageSize must be a power of two in ["
          + PageFile.MIN_PAGE_SIZE + ", " + PageFile.MAX_PAGE_SIZE + "], was " + pageSize);
    }
  }

  /**
   * Returns the defaults: 4 KiB pages, create if missing, read-write, default channels.
   *
   * @return the default options
   */
  public static PageFileOptions defaults() {
    return new PageFileOptions(PageFile.DEFAULT_PAGE_SIZE, true, false, ChannelFactory.DEFAULT);
  }
}
