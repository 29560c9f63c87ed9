package io.treestore.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Temporary directories and rows for the durability benchmarks ({@link TxnCommitBenchmark},
 * {@link TxnGroupCommitBenchmark}, {@link WalFsyncBenchmark}, {@link RecoveryBenchmark}).
 *
 * <p>Directories are created under the system property {@value #DIR_PROPERTY} if set, else
 * under {@code java.io.tmpdir}; set it on the launching JVM ({@code java -Dts.bench.dir=...
 * -jar benchmarks.jar}), forks inherit it. A durable-commit benchmark on a RAM file system
 * would measure nothing, so a directory on {@code tmpfs} or {@code ramfs} is refused.
 *
 * <p>{@link #createDir} first runs {@code sync} (all file systems), so that the write-back
 * of an earlier trial (MVStore writes hundreds of megabytes per trial) is finished before the
 * next trial's warmup begins, and does not fall into its measurement.
 */
final class TxnBenchFiles {
  /** System property naming the parent of the benchmark directories. */
  static final String DIR_PROPERTY = "ts.bench.dir";
  /** Key length in bytes of every row. */
  static final int KEY_BYTES = 16;
  /** Value length in bytes of every row. */
  static final int VALUE_BYTES = 100;

  private TxnBenchFiles() {}

  /**
   * Runs {@code sync} and then creates a fresh directory on a real (disk-backed) file system
   * and prints where it is, with the wall-clock time (to match trials with the machine's load
   * samples).
   *
   * @param prefix the directory name prefix
   * @return the new empty directory
   * @throws IllegalStateException if the parent is on a RAM file system
   */
  static Path createDir(String prefix) {
    String base = System.getProperty(DIR_PROPERTY, System.getProperty("java.io.tmpdir"));
    try {
      Path parent = Path.of(base);
      Files.createDirectories(parent);
      FileStore fs = Files.getFileStore(parent);
      if (fs.type().equals("tmpfs") || fs.type().equals("ramfs")) {
        throw new IllegalStateException(parent + " is on " + fs.type() + ": durable commits "
            + "must be measured on a disk; set -D" + DIR_PROPERTY + "=<dir on a disk>");
      }
      syncAll();
      Path dir = Files.createTempDirectory(parent, prefix);
      System.out.printf("%n[txn] %s directory %s on %s (%s)%n",
          java.time.LocalTime.now().withNano(0), dir, fs.name(), fs.type());
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the {@code sync} command: writes back every dirty page of every file system. */
  private static void syncAll() throws IOException {
    long start = System.nanoTime();
    try {
      Process p = new ProcessBuilder("sync").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IOException("sync failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running sync", e);
    }
    System.out.printf("%n[txn] sync took %.1f ms%n", (System.nanoTime() - start) / 1e6);
  }

  /**
   * Writes zeros over the first {@code bytes} bytes of a file in 1 MiB writes and syncs it
   * with {@code force(true)}, so that later writes in place commit no change of the file's size
   * or block allocation (a preallocated log, ADR 0010).
   *
   * @param ch the file, open for writing
   * @param bytes how many bytes to zero-fill, a multiple of 1 MiB
   * @throws IOException if a write or the sync fails
   */
  static void zeroFill(FileChannel ch, long bytes) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
    for (long off = 0; off < bytes; off += zeros.capacity()) {
      zeros.clear();
      while (zeros.hasRemaining()) {
        ch.write(zeros, off + zeros.position());
      }
    }
    ch.force(true);
  }

  /**
   * Deletes a directory and everything in it; does nothing if it is {@code null}.
   *
   * @param dir the directory
   */
  static void deleteDir(@Nullable Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Returns the bytes of all regular files under a directory.
   *
   * @param dir the directory
   * @return the sum of file sizes
   */
  static long bytesUnder(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One thread's row source: fresh random {@value #KEY_BYTES}-byte keys (seeded, so runs
   * repeat; a new array per row because MVStore keeps the caller's arrays) and one random
   * {@value #VALUE_BYTES}-byte value shared by all rows. Random 128-bit keys never collide,
   * so every put inserts a new row and concurrent transactions never conflict.
   */
  static final class Rows {
    private final SplittableRandom rnd;
    private final byte[][] keys;
    private final byte[][] values;

    /**
     * Creates a source of transactions of {@code rows} rows.
     *
     * @param rows rows per transaction
     * @param seed the generator seed (use a different one per thread)
     */
    Rows(int rows, long seed) {
      this.rnd = new SplittableRandom(seed);
      this.keys = new byte[rows][];
      this.values = new byte[rows][];
      byte[] value = new byte[VALUE_BYTES];
      rnd.nextBytes(value);
      java.util.Arrays.fill(values, value);
    }

    /**
     * Fills the key array with fresh keys for the next transaction.
     *
     * @return the keys
     */
    byte[][] nextKeys() {
      for (int i = 0; i < keys.length; i++) {
        byte[] k = new byte[KEY_BYTES];
        rnd.nextBytes(k);
        keys[i] = k;
      }
      return keys;
    }

    /**
     * Returns the values, one per row.
     *
     * @return the values
     */
    byte[][] values() {
      return values;
    }
  }
}
