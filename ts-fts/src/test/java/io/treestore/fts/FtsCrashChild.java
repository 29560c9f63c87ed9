package io.treestore.fts;

import io.treestore.index.Tuple;
import io.treestore.txn.Database;
import io.treestore.txn.DatabaseOptions;
import io.treestore.txn.Transaction;
import io.treestore.wal.Durability;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

/**
 * The process that {@link FtsCrashRecoveryTest} kills: opens the database in {@code SYNC} mode
 * with small checkpoint and log segment thresholds (checkpoints and segment rotations happen
 * all the time), and runs transactions from several threads until it is killed. Transaction
 * {@code n} of thread {@code t} in run {@code r} indexes {@link #size} new units
 * {@code ("c", r, t, n, i)} with the texts {@link #text} (each holding the transaction's marker
 * word {@link #marker}) and replaces the thread's unit {@code ("latest", r, t)} with
 * {@link #latest}; {@code ACK r t n} is printed after each commit returns.
 *
 * <p>Usage: {@code FtsCrashChild <dir> <seed> <run> <threads>}. Prints {@code READY} once open,
 * {@code FAILED ...} on an unexpected error. Exits with 3 if not killed within two minutes.
 */
final class FtsCrashChild {
  static final FullTextIndex FTS = new FullTextIndex("crash", FullTextOptions.defaults());
  private static final String[] WORDS = {"revenue", "growth", "interest", "policy", "risk",
      "capital", "liquidity", "segment", "margin", "outlook", "guidance", "dividend"};

  private FtsCrashChild() {}

  static DatabaseOptions options() {
    return DatabaseOptions.defaults().withDurability(Durability.SYNC)
        .withCheckpoints(128 * 1024, 150).withWalSegments(64 * 1024, 0)
        .withCacheBytes(4L << 20);
  }

  private static Random random(long seed, int run, int thread, long n) {
    return new Random(seed * 1_000_003L + run * 10_007L + thread * 101L + n * 7L);
  }

  /** The number of units transaction n indexes: 1 to 4. */
  static int size(long seed, int run, int thread, long n) {
    return 1 + random(seed, run, thread, n).nextInt(4);
  }

  /** The word only the units of that transaction hold. */
  static String marker(int run, int thread, long n) {
    return "m" + run + "x" + thread + "x" + n;
  }

  static Tuple key(int run, int thread, long n, int i) {
    return Tuple.of("c", (long) run, (long) thread, n, (long) i);
  }

  static Tuple latestKey(int run, int thread) {
    return Tuple.of("latest", (long) run, (long) thread);
  }

  static String text(long seed, int run, int thread, long n, int i) {
    Random r = random(seed, run, thread, n * 31 + i + 1);
    StringBuilder sb = new StringBuilder(marker(run, thread, n));
    int words = 3 + r.nextInt(30);
    for (int w = 0; w < words; w++) {
      sb.append(' ').append(WORDS[r.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }

  static String latest(int run, int thread, long n) {
    return "latest of thread " + thread + " is " + marker(run, thread, n);
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    int run = Integer.parseInt(args[2]);
    int threads = Integer.parseInt(args[3]);
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false,
        StandardCharsets.UTF_8);
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
      synchronized (out) {
        out.println("FAILED " + t.getName() + " " + e);
        out.flush();
      }
      e.printStackTrace();
      Runtime.getRuntime().halt(4);
    });
    Database db = Database.open(dir, options());
    synchronized (out) {
      out.println("READY");
      out.flush();
    }
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread.ofPlatform().name("worker-" + t).start(() -> {
        for (long n = 0; ; n++) {
          try (Transaction tx = db.begin()) {
            int m = size(seed, run, thread, n);
            for (int i = 0; i < m; i++) {
              FTS.index(tx, key(run, thread, n, i), Unit.of(run + "." + thread, "title",
                  "unit " + i, "text", text(seed, run, thread, n, i)));
            }
            FTS.index(tx, latestKey(run, thread), Unit.of(null, "text",
                latest(run, thread, n)));
            tx.commit();
          }
          synchronized (out) {
            out.println("ACK " + run + " " + thread + " " + n);
            out.flush();
          }
        }
      });
    }
    Thread.sleep(120_000);
    System.err.println("FtsCrashChild: not killed within two minutes");
    Runtime.getRuntime().halt(3);
  }
}
