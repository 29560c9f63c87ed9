package io.treestore.wal;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * An unchecked failure of the write-ahead log: an I/O error of the underlying file system, a
 * segment that is damaged or of an unsupported format, an append whose write or {@code fsync}
 * failed, or an operation refused because an earlier failure made the log read-only.
 *
 * <p>Every instance names the file it concerns ({@link #file()}): a segment file, or the log
 * directory when the failure is not tied to one segment. When an I/O error caused the failure,
 * the original {@link java.io.IOException} is the {@linkplain #getCause() cause}. The subclass
 * {@link WalCorruptionException} reports damaged bytes.
 */
public class WalException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Path file;

  /**
   * Creates an exception about {@code file}.
   *
   * @param file the segment file or log directory concerned
   * @param message what failed; the file name is prefixed to it
   * @param cause the underlying exception, or {@code null}
   */
  public WalException(Path file, String message, @Nullable Throwable cause) {
    super(file + ": " + message, cause);
    this.file = file;
  }

  /**
   * Returns the file this failure concerns.
   *
   * @return a segment file, or the log directory
   */
  public Path file() {
    return file;
  }
}
