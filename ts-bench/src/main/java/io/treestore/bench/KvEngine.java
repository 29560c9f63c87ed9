package io.treestore.bench;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The small key-value surface that {@link KvBenchmark} drives, implemented once per engine so
 * that TreeStore and its peers run exactly the same workload in the same JMH run.
 *
 * <p>Keys and values are {@code byte[]}; keys order as unsigned bytes in all three engines.
 * Each adapter uses its engine's natural {@code byte[]} API and its fastest documented path:
 * what an application holding {@code byte[]} keys would write. Copies that an engine's API
 * makes (TreeStore copies in and out, LMDB must copy out of its memory map to produce a
 * {@code byte[]}, MVStore stores and returns the caller's arrays) are part of the measured
 * operation.
 *
 * <p>Not thread-safe: one benchmark thread per engine instance.
 */
interface KvEngine extends AutoCloseable {

  /** Engine names accepted by {@link #open}, as used in {@code @Param}. */
  String TREESTORE = "treestore";
  /** LMDB through lmdbjava. */
  String LMDB = "lmdb";
  /** H2 MVStore. */
  String MVSTORE = "mvstore";

  /**
   * Opens (creating if needed) an engine's store in a directory.
   *
   * @param engine {@link #TREESTORE}, {@link #LMDB} or {@link #MVSTORE}
   * @param dir an existing directory owned by this engine
   * @param cacheBytes the engine's own page cache in bytes (TreeStore: page bytes; MVStore:
   *     rounded down to MiB, at least 1, counted in MVStore's estimate of heap bytes); LMDB
   *     has no cache of its own and ignores it (it reads through the OS page cache)
   * @return the open engine
   * @throws IllegalArgumentException for an unknown engine name
   */
  static KvEngine open(String engine, Path dir, long cacheBytes) {
    return switch (engine) {
      case TREESTORE -> new TreeStoreKv(dir, cacheBytes);
      case LMDB -> new LmdbKv(dir);
      case MVSTORE -> new MvStoreKv(dir, cacheBytes, false);
      default -> throw new IllegalArgumentException("unknown engine '" + engine
          + "', expected one of " + TREESTORE + ", " + LMDB + ", " + MVSTORE);
    };
  }

  /**
   * Loads an empty store with the data set through the engine's fastest load path and makes
   * it durable.
   *
   * @param data the data set; its {@link KvData#sorted} keys are loaded in order
   */
  void load(KvData data);

  /**
   * Looks up a key.
   *
   * @param key the key
   * @return the value as a {@code byte[]}, or {@code null} if absent
   */
  byte @Nullable [] get(byte[] key);

  /**
   * Inserts or replaces an entry, visible to later reads at once but not durable until
   * {@link #commit()}.
   *
   * @param key the key
   * @param value the value
   */
  void put(byte[] key, byte[] value);

  /**
   * Removes the first {@code count} keys of {@code keys} (absent keys are ignored), not
   * durably. Used between iterations to undo the inserts of the last one.
   *
   * @param keys the keys
   * @param count how many of them
   */
  void deleteAll(byte[][] keys, int count);

  /**
   * Reads up to {@code n} entries in key order starting at the smallest key {@code >= from},
   * materializing each key and value as a {@code byte[]}.
   *
   * @param from the start key
   * @param n the most entries to read
   * @param bh receives every key and value; if {@code null}, they are read and dropped
   * @return the number of entries read
   */
  int scan(byte[] from, int n, @Nullable Blackhole bh);

  /** Makes every change so far durable (flush, commit or sync, with fsync). */
  void commit();

  /**
   * Returns a one-line description of the engine's cache figures, or of its configuration
   * when it has no cache counters.
   *
   * @return text for the benchmark log
   */
  String report();

  /**
   * Starts the cache counters that {@link #report()} gives "since mark" figures for; called
   * when setup is over, so that the report covers the warmup and measured iterations only.
   * Engines without resettable counters ignore it.
   */
  default void mark() {}

  /**
   * Returns how much of the engine's cache the whole data set takes, in the unit of its cache
   * capacity, after a full scan with a cache larger than the data: the basis of the
   * "data four times the cache" case.
   *
   * @param fileBytes the size of the engine's files after the load
   * @return bytes (TreeStore: page bytes held; MVStore: its estimate of heap bytes; LMDB: the
   *     file size, for reporting only)
   */
  long cacheFootprint(long fileBytes);

  /** Closes the store, making changes durable. */
  @Override
  void close();

  /**
   * Returns the bytes of all regular files under a directory.
   *
   * @param dir the directory
   * @return the sum of file sizes
   */
  static long diskBytes(Path dir) {
    return TxnBenchFiles.bytesUnder(dir);
  }
}
