package io.treestore.page;

import java.nio.file.Path;

/**
 * A file was written in a format version this build cannot read: newer than it knows (written
 * by a later TreeStore) or older than the oldest it still reads.
 *
 * <p>Unlike {@link CorruptionException} the file is intact; it needs another build of
 * TreeStore.
 */
public class FormatVersionException extends StorageException {
  private static final long serialVersionUID = 1L;

  private final int found;
  private final int minSupported;
  private final int maxSupported;

  /**
   * Creates the exception.
   *
   * @param file the file whose format is not supported
   * @param found the format version stored in the file
   * @param minSupported the oldest version this build reads
   * @param maxSupported the newest version this build reads
   */
  public FormatVersionException(Path file, int found, int minSupported, int maxSupported) {
    super(file, "format version " + found + " is not supported (this build reads "
        + minSupported + " to " + maxSupported + ")", null);
    this.found = found;
    this.minSupported = minSupported;
    this.maxSupported = maxSupported;
  }

  /**
   * Returns the format version found in the file.
   *
   * @return the stored version
   */
  public int found() {
    return found;
  }

  /**
   * Returns the oldest format version this build reads.
   *
   * @return the minimum supported version
   */
  public int minSupported() {
    return minSupported;
  }

  /**
   * Returns the newest format version this build reads.
   *
   * @return the maximum supported version
   */
  public int maxSupported() {
    return maxSupported;
  }
}
