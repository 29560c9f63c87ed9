package io.treestore.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * Opens the {@link FileChannel}s through which the log reads, writes, truncates and syncs its
 * segments, and syncs its directory.
 *
 * <p>Production code uses {@link #DEFAULT}. Tests substitute an implementation whose channels
 * inject faults (failed or short writes, a full disk, failed syncs) or count writes and syncs.
 * Every byte the log reads or writes and every {@code fsync} it issues goes through a channel
 * opened here; listing and deleting segment files use {@link java.nio.file.Files} directly.
 * Implementations must be thread-safe.
 */
@FunctionalInterface
public interface WalChannels {
  /**
   * Opens channels with {@link FileChannel#open(Path, Set,
   * java.nio.file.attribute.FileAttribute[])}.
   */
  WalChannels DEFAULT = FileChannel::open;

  /**
   * Opens {@code path}.
   *
   * @param path a segment file, or (for {@link #syncDirectory}) the log directory
   * @param options the open options, as for {@link FileChannel#open(Path, Set,
   *     java.nio.file.attribute.FileAttribute[])}
   * @return an open channel, owned by the caller
   * @throws IOException if the file cannot be opened
   */
  FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException;

  /**
   * Makes the directory entries of {@code dir} durable (a directory {@code fsync}), so that
   * segment files created, renamed or deleted in it survive power loss. The default opens
   * {@code dir} for reading through {@link #open} and calls {@code force(true)} on it.
   *
   * @param dir the directory
   * @throws IOException if the directory cannot be opened or synced
   */
  default void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = open(dir, Set.of(StandardOpenOption.READ))) {
      ch.force(true);
    }
  }
}
