package io.treestore.page;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * Opens the {@link FileChannel}s through which the storage layer reads, writes and syncs.
 *
 * <p>Production code uses {@link #DEFAULT}. Tests substitute a factory whose channels inject
 * faults (failed or short writes, failed syncs, a full disk) or record every write and sync
 * to build simulated crash states. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ChannelFactory {
  /** Opens channels with {@link FileChannel#open(Path, Set, java.nio.file.attribute.FileAttribute[])}. */
  ChannelFactory DEFAULT = (path, options) -> FileChannel.open(path, options);

  /**
   * Opens {@code path}.
   *
   * @param path the file (or, for syncing a directory, the directory) to open
   * @param options the open options, as for {@link FileChannel#open(Path, Set,
   *     java.nio.file.attribute.FileAttribute[])}
   * @return an open channel, owned by the caller
   * @throws IOException if the file cannot be opened
   */
  FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException;

  /**
   * Makes the directory entries of {@code dir} durable (a directory fsync), so that files
   * created, renamed or deleted in it survive power loss.
   *
   * @param dir the directory
   * @throws IOException if the directory cannot be opened or synced
   */
  default void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = open(dir, Set.of(java.nio.file.StandardOpenOption.READ))) {
      ch.force(true);
    }
  }
}
