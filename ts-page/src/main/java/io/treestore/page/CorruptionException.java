package io.treestore.page;

import java.nio.file.Path;

/**
 * Data read from a file failed validation: a checksum mismatch, a page whose header names
 * another page or an unexpected type, a structure whose fields are out of range, or a file
 * shorter than its meta page says.
 *
 * <p>The damaged bytes are never returned as data. The exception carries the file and the byte
 * offset of the damaged unit (a page, a record) so that the damage can be located with a hex
 * viewer or {@code treestore check}. The page id is {@code -1} where the damage is not in a
 * page.
 */
public class CorruptionException extends StorageException {
  private static final long serialVersionUID = 1L;

  private final long offset;
  private final long pageId;

  /**
   * Creates a corruption report.
   *
   * @param file the damaged file
   * @param offset byte offset of the damaged unit in {@code file}, {@code >= 0}
   * @param pageId id of the damaged page, or {@code -1} if the unit is not a page
   * @param reason what check failed, e.g. "checksum mismatch (stored 0x..., computed 0x...)"
   */
  public CorruptionException(Path file, long offset, long pageId, String reason) {
    super(file, "corruption at offset " + offset + (pageId >= 0 ? " (page " + pageId + ")" : "")
        + ": " + reason, null);
    this.offset = offset;
    this.pageId = pageId;
  }

  /**
   * Returns the byte offset in {@link #file()} of the damaged unit.
   *
   * @return the offset in bytes, {@code >= 0}
   */
  public long offset() {
    return offset;
  }

  /**
   * Returns the id of the damaged page.
   *
   * @return the page id, or {@code -1} when the damaged unit is not a page
   */
  public long pageId() {
    return pageId;
  }
}
