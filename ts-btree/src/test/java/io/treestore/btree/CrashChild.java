package io.treestore.btree;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;

/**
 * The process that {@link CrashTest} kills: it opens a {@link BTreeFile}, continues the seeded
 * workload from the round recorded in the file's user data, and flushes after every round.
 *
 * <p>The workload is a pure function of the seed and the round number ({@link #round}), so the
 * parent recomputes the expected content of every round without talking to the child. Each
 * round ends with {@code flush(userData = round)}, so the durable round of a file is its user
 * data and its generation equals its round.
 *
 * <p>Protocol on standard output, one line each, printed (and flushed) before or after the
 * step it names:
 * <pre>
 * READY &lt;generation&gt; &lt;round&gt;    after opening, before the first write
 * FLUSHING &lt;round&gt;              immediately before flush() of that round
 * FLUSHED &lt;round&gt; &lt;generation&gt;  as soon as flush() returned (the round is acknowledged)
 * DIGEST &lt;round&gt; &lt;sha256&gt;       {@link #digest} of the trees as the live file
 *                               shows them after that flush
 * DONE                          after the last round when maxRounds was reached
 * </pre>
 * The digest cross-checks the parent's model against the live file. Arguments:
 * {@code file seed maxRounds cacheBytes pageSize}.
 */
public final class CrashChild {
  /** Trees the workload writes; a missing tree counts as empty. */
  static final List<String> TREES = List.of("a", "b", "c");
  /** Unsigned lexicographic order, the order of the trees' keys. */
  static final Comparator<byte[]> UNSIGNED = Arrays::compareUnsigned;

  private CrashChild() {}

  /**
   * Runs the child.
   *
   * @param args file, seed, maxRounds, cacheBytes, pageSize
   */
  public static void main(String[] args) {
    try {
      run(Path.of(args[0]), Long.parseLong(args[1]), Long.parseLong(args[2]),
          Long.parseLong(args[3]), Integer.parseInt(args[4]));
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(2);
    }
  }

  private static void run(Path path, long seed, long maxRounds, long cacheBytes, int pageSize) {
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out),
        true, StandardCharsets.UTF_8);
    BTreeOptions opts = BTreeOptions.defaults().withCacheBytes(cacheBytes)
        .withPageSize(pageSize);
    BTreeFile f = BTreeFile.open(path, opts);
    long start = roundOf(f.userData());
    out.println("READY " + f.generation() + " " + start);
    FileSink sink = new FileSink(f);
    for (long r = start + 1; r <= maxRounds; r++) {
      round(seed, r, sink);
      out.println("FLUSHING " + r);
      long gen = f.flush(roundData(r));
      out.println("FLUSHED " + r + " " + gen);
      out.println("DIGEST " + r + " " + digest(read(f)));
    }
    f.close();
    out.println("DONE");
  }

  /** Returns the round recorded in a file's user data, 0 for a new file. */
  static long roundOf(byte[] userData) {
    return userData.length == 0 ? 0 : ByteBuffer.wrap(userData).getLong();
  }

  static byte[] roundData(long round) {
    return ByteBuffer.allocate(8).putLong(round).array();
  }

  // ------------------------------------------------------------------ the workload

  /** Where the workload's operations go: the real file, or the parent's model. */
  interface Sink {
    void put(String tree, byte[] key, byte[] value);

    void delete(String tree, byte[] key);

    void drop(String tree);

    void bulkLoad(String tree, NavigableMap<byte[], byte[]> sorted);
  }

  static byte[] key(int i) {
    return String.format("k%05d", i).getBytes(StandardCharsets.US_ASCII);
  }

  /** Applies the operations of one round; a pure function of (seed, round). */
  static void round(long seed, long round, Sink sink) {
    Random rnd = new Random(seed * 0x9E3779B97F4A7C15L + round * 0xBF58476D1CE4E5B9L);
    int kind = rnd.nextInt(100);
    int ops = kind < 60 ? 1 + rnd.nextInt(40) : kind < 92 ? 40 + rnd.nextInt(400)
        : 500 + rnd.nextInt(2500);
    int keySpace = 4000;
    for (int i = 0; i < ops; i++) {
      int what = rnd.nextInt(1000);
      String tree = rnd.nextInt(10) < 7 ? "a" : "b";
      if (what < 560) {
        sink.put(tree, key(rnd.nextInt(keySpace)), value(rnd));
      } else if (what < 960) {
        sink.delete(tree, key(rnd.nextInt(keySpace)));
      } else if (what < 996) {
        // A run of deletes: empties leaves and forces merges up the tree.
        int from = rnd.nextInt(keySpace);
        int n = 20 + rnd.nextInt(300);
        for (int k = from; k < Math.min(keySpace, from + n); k++) {
          sink.delete(tree, key(k));
        }
      } else if (what < 998) {
        sink.drop("b");
      } else {
        // Replace tree c wholesale by a bulk load.
        sink.drop("c");
        NavigableMap<byte[], byte[]> sorted = new TreeMap<>(UNSIGNED);
        int n = rnd.nextInt(3000);
        for (int k = 0; k < n; k++) {
          sorted.put(key(rnd.nextInt(keySpace * 2)), value(rnd));
        }
        sink.bulkLoad("c", sorted);
      }
    }
  }

  private static byte[] value(Random rnd) {
    int c = rnd.nextInt(1000);
    int len = c < 850 ? rnd.nextInt(64) : c < 970 ? 100 + rnd.nextInt(900)
        : c < 995 ? 1500 + rnd.nextInt(20_000) : 50_000 + rnd.nextInt(150_000);
    byte[] v = new byte[len];
    long x = rnd.nextLong();
    for (int i = 0; i < len; i++) {
      x = x * 6364136223846793005L + 1442695040888963407L;
      v[i] = (byte) (x >>> 56);
    }
    return v;
  }

  // ------------------------------------------------------------------ sinks and digests

  /** Applies the workload to a real file. */
  static final class FileSink implements Sink {
    private final BTreeFile f;

    FileSink(BTreeFile f) {
      this.f = f;
    }

    @Override
    public void put(String tree, byte[] key, byte[] value) {
      f.tree(tree).put(key, value);
    }

    @Override
    public void delete(String tree, byte[] key) {
      if (f.hasTree(tree)) {
        f.tree(tree).delete(key);
      }
    }

    @Override
    public void drop(String tree) {
      f.dropTree(tree);
    }

    @Override
    public void bulkLoad(String tree, NavigableMap<byte[], byte[]> sorted) {
      f.tree(tree).bulkLoad(sorted.entrySet().iterator());
    }
  }

  /** Applies the workload to in-memory sorted maps (the parent's model). */
  static final class ModelSink implements Sink {
    final Map<String, NavigableMap<byte[], byte[]>> trees = new TreeMap<>();

    ModelSink() {
      for (String t : TREES) {
        trees.put(t, new TreeMap<>(UNSIGNED));
      }
    }

    ModelSink copy() {
      ModelSink m = new ModelSink();
      for (String t : TREES) {
        m.trees.get(t).putAll(trees.get(t));
      }
      return m;
    }

    @Override
    public void put(String tree, byte[] key, byte[] value) {
      trees.get(tree).put(key, value);
    }

    @Override
    public void delete(String tree, byte[] key) {
      trees.get(tree).remove(key);
    }

    @Override
    public void drop(String tree) {
      trees.get(tree).clear();
    }

    @Override
    public void bulkLoad(String tree, NavigableMap<byte[], byte[]> sorted) {
      trees.get(tree).putAll(sorted);
    }
  }

  /** Reads every workload tree of a file, in key order; a missing tree reads as empty. */
  static Map<String, List<Entry>> read(BTreeFile f) {
    Map<String, List<Entry>> out = new TreeMap<>();
    for (String t : TREES) {
      List<Entry> entries = new ArrayList<>();
      if (f.hasTree(t)) {
        try (EntryIterator it = f.tree(t).scan(Range.all())) {
          it.forEachRemaining(entries::add);
        }
      }
      out.put(t, entries);
    }
    return out;
  }

  /** The entries of a model, in the form {@link #read} returns. */
  static Map<String, List<Entry>> entries(ModelSink m) {
    Map<String, List<Entry>> out = new TreeMap<>();
    for (String t : TREES) {
      List<Entry> entries = new ArrayList<>();
      m.trees.get(t).forEach((k, v) -> entries.add(new Entry(k, v)));
      out.put(t, entries);
    }
    return out;
  }

  /** SHA-256 over tree names, keys and values with their lengths, hex-encoded. */
  static String digest(Map<String, List<Entry>> trees) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    ByteBuffer len = ByteBuffer.allocate(4);
    for (Map.Entry<String, List<Entry>> t : trees.entrySet()) {
      md.update(t.getKey().getBytes(StandardCharsets.UTF_8));
      md.update(len.clear().putInt(t.getValue().size()).array());
      for (Entry e : t.getValue()) {
        md.update(len.clear().putInt(e.key().length).array());
        md.update(e.key());
        md.update(len.clear().putInt(e.value().length).array());
        md.update(e.value());
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
