package io.treestore.wal;

import java.nio.file.Path;

/**
 * Bytes read from a segment failed validation where the log cannot end: a record that fails
 * its checksum, has an impossible length or an unexpected LSN and is followed by valid
 * records, damage in a segment that is not the last one, a damaged segment header, or a gap
 * in the LSNs between two segments.
 *
 * <p>Damaged bytes are never returned as records. The exception carries the segment file and
 * the byte offset of the damaged unit (a record frame, or {@code 0} for a segment header), so
 * that the damage can be located with a hex viewer or {@code treestore check}.
 */
public class WalCorruptionException extends WalException {
  private static final long serialVersionUID = 1L;

  private final long offset;

  /**
   * Creates a corruption report.
   *
   * @param file the damaged segment file
   * @param offset byte offset in {@code file} of the damaged frame, or {@code 0} for the
   *     segment header; {@code >= 0}
   * @param reason what check failed, e.g. "checksum mismatch (stored 0x..., computed 0x...)"
   */
  public WalCorruptionException(Path file, long offset, String reason) {
    super(file, "corruption at offset " + offset + ": " + reason, null);
    this.offset = offset;
  }

  /**
   * Returns the byte offset in {@link #file()} of the damaged unit.
   *
   * @return the offset in bytes, {@code >= 0}
   */
  public long offset() {
    return offset;
  }
}
