package io.treestore.txn;

import io.treestore.wal.Durability;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The process that {@link ProcessCrashTest} kills: opens the database in {@code SYNC} mode with
 * small checkpoint and segment thresholds (so checkpoints, segment rotation and deletion
 * happen all the time), creates the accounts of {@link CrashWorkload} if needed, and runs
 * random transactions from several threads until it is killed, printing {@code ACK <lsn> <id>
 * <description>} after each commit returns. With a kill point ({@link KillPoints}) it halts
 * itself at the N-th occurrence of that point.
 *
 * <p>Usage: {@code CrashChild <dir> <seed> <run> <threads> <killPoint|none> <n>}. Prints
 * {@code READY <lastLsn>} once open. Exits with 3 if not killed within two minutes.
 */
final class CrashChild {
  static final long CHECKPOINT_WAL_BYTES = 256 * 1024;
  static final long CHECKPOINT_MILLIS = 200;
  static final long SEGMENT_BYTES = 64 * 1024;

  private CrashChild() {}

  static DatabaseOptions options() {
    return DatabaseOptions.defaults().withDurability(Durability.SYNC)
        .withCheckpoints(CHECKPOINT_WAL_BYTES, CHECKPOINT_MILLIS)
        .withWalSegments(SEGMENT_BYTES, 0).withCacheBytes(4L << 20);
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    int run = Integer.parseInt(args[2]);
    int threads = Integer.parseInt(args[3]);
    KillPoints.Point point = args[4].equals("none") ? null : KillPoints.Point.valueOf(args[4]);
    long at = Long.parseLong(args[5]);
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out),
        false, StandardCharsets.UTF_8);
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
      synchronized (out) {
        out.println("FAILED " + t.getName() + " " + e);
        out.flush();
      }
      e.printStackTrace();
      Runtime.getRuntime().halt(4);
    });
    DatabaseOptions o = options();
    KillPoints kp = new KillPoints(point, at, o.pageSize(), out);
    Database db = Database.open(dir, o.withChannels(kp.pages(), kp.wal()));
    kp.arm(dir.resolve(Database.WAL_DIR));
    synchronized (out) {
      out.println("READY " + db.lastCommittedLsn());
      out.flush();
    }
    if (CrashWorkload.setup(db)) {
      synchronized (out) {
        out.println("ACK " + db.lastCommittedLsn() + " " + CrashWorkload.SETUP + " S");
        out.flush();
      }
    }
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Random rnd = new Random(seed * 1_000_003L + run * 101L + t);
      String prefix = "r" + run + "-t" + t + "-";
      ts.add(Thread.ofPlatform().name("worker-" + t).start(() -> {
        for (long n = 0; ; n++) {
          String id = prefix + n;
          String desc = CrashWorkload.draw(rnd);
          long lsn = CrashWorkload.run(db, id, desc);
          synchronized (out) {
            out.println("ACK " + lsn + " " + id + " " + desc);
            out.flush();
          }
        }
      }));
    }
    Thread.sleep(120_000);
    System.err.println("CrashChild: not killed within two minutes");
    Runtime.getRuntime().halt(3);
  }
}
