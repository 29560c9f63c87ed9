package io.treestore.bench;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * The data set of {@link KvBenchmark}: {@value #COUNT} distinct random keys of
 * {@value #KEY_BYTES} bytes from a seeded {@link SplittableRandom}, each with a
 * {@value #VALUE_BYTES}-byte pseudo-random value derived from the key (so a lookup can be
 * checked without storing the values).
 *
 * <p>The system property {@value #KEYS_PROPERTY} replaces the number of entries (more than
 * {@value #SCAN_LENGTH}; the comparison runner's tiny test profile uses it); the keys are then
 * the first that many of the same generator.
 *
 * <p>Immutable after construction; built once per JVM by {@link #get()} and shared.
 */
final class KvData {
  /** Number of entries loaded. */
  static final int COUNT = 1_000_000;
  /** System property replacing {@link #COUNT}. */
  static final String KEYS_PROPERTY = "ts.bench.kv.keys";
  /** Key length in bytes. */
  static final int KEY_BYTES = 16;
  /** Value length in bytes. */
  static final int VALUE_BYTES = 100;
  /** Seed of the key generator; keys are the same in every run and for every engine. */
  static final long SEED = 0x7EE5_70BEL;
  /** Entries read by one range scan. */
  static final int SCAN_LENGTH = 1_000;

  private static volatile @Nullable KvData instance;

  /** The keys in generation (random) order: the lookup order of the point-get benchmark. */
  final byte[][] keys;
  /** The same keys in unsigned byte order: the load order. */
  final byte[][] sorted;
  /**
   * Start keys of the range scans: random existing keys whose rank leaves at least
   * {@link #SCAN_LENGTH} entries after them, so every scan reads exactly that many.
   */
  final byte[][] scanStarts;

  private KvData() {
    SplittableRandom rnd = new SplittableRandom(SEED);
    int count = Integer.getInteger(KEYS_PROPERTY, COUNT);
    if (count <= SCAN_LENGTH) {
      throw new IllegalArgumentException(KEYS_PROPERTY + " must be above " + SCAN_LENGTH
          + ", was " + count);
    }
    byte[][] k = new byte[count][];
    for (int i = 0; i < count; i++) {
      k[i] = randomKey(rnd);
    }
    byte[][] s = k.clone();
    Arrays.sort(s, Arrays::compareUnsigned);
    for (int i = 1; i < count; i++) {
      if (Arrays.equals(s[i - 1], s[i])) {
        throw new IllegalStateException("duplicate random key; change SEED");
      }
    }
    byte[][] starts = new byte[1 << 16][];
    for (int i = 0; i < starts.length; i++) {
      starts[i] = s[rnd.nextInt(count - SCAN_LENGTH)];
    }
    this.keys = k;
    this.sorted = s;
    this.scanStarts = starts;
  }

  /**
   * Returns the shared data set, building it on first use (about a second).
   *
   * @return the data set
   */
  static KvData get() {
    KvData d = instance;
    if (d == null) {
      synchronized (KvData.class) {
        d = instance;
        if (d == null) {
          d = new KvData();
          instance = d;
        }
      }
    }
    return d;
  }

  /**
   * Returns a fresh random key.
   *
   * @param rnd the generator
   * @return {@value #KEY_BYTES} random bytes
   */
  static byte[] randomKey(SplittableRandom rnd) {
    byte[] b = new byte[KEY_BYTES];
    rnd.nextBytes(b);
    return b;
  }

  /**
   * Returns the value stored for a key: {@value #VALUE_BYTES} bytes from a generator seeded
   * with the key's first eight bytes.
   *
   * @param key the key
   * @return a new array
   */
  static byte[] valueFor(byte[] key) {
    long seed = 0;
    for (int i = 0; i < 8; i++) {
      seed = (seed << 8) | (key[i] & 0xFF);
    }
    byte[] v = new byte[VALUE_BYTES];
    new SplittableRandom(seed).nextBytes(v);
    return v;
  }

  /**
   * Returns the sorted entries with their values, computed as they are consumed.
   *
   * @return an iterator over {@link #sorted} and {@link #valueFor}
   */
  Iterator<Map.Entry<byte[], byte[]>> sortedEntries() {
    return new Iterator<>() {
      private int i;

      @Override
      public boolean hasNext() {
        return i < sorted.length;
      }

      @Override
      public Map.Entry<byte[], byte[]> next() {
        if (i >= sorted.length) {
          throw new NoSuchElementException();
        }
        byte[] k = sorted[i++];
        return Map.entry(k, valueFor(k));
      }
    };
  }
}
