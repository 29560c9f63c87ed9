package io.treestore.page;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * An unchecked failure of TreeStore's storage layer: an I/O error of the underlying file
 * system, a file that is corrupt or of an unsupported format, or an operation refused because
 * an earlier failure made the file read-only.
 *
 * <p>Every instance names the file it concerns ({@link #file()}), so that an operator can tell
 * which file of a data directory failed. Subclasses distinguish the cases a caller may want
 * to handle: {@link CorruptionException} and {@link FormatVersionException}.
 */
public class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Path file;

  /**
   * Creates an exception about {@code file}.
   *
   * @param file the file concerned
   * @param message what failed; the file name is prefixed to it
   * @param cause the underlying exception, or {@code null}
   */
  public StorageException(Path file, String message, @Nullable Throwable cause) {
    super(file + ": " + message, cause);
    this.file = file;
  }

  /**
   * Returns the file this failure concerns.
   *
   * @return the file path, as given when the file was opened
   */
  public Path file() {
    return file;
  }
}
