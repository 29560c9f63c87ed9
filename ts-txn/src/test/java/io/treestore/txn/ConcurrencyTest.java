package io.treestore.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.btree.Entry;
import io.treestore.btree.Range;
import io.treestore.wal.Durability;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads running random transactions against a model, with checkpoints running in the
 * background:
 * <ul>
 *   <li>SNAPSHOT: concurrent transfers between accounts of two keyspaces (retried after
 *       conflicts) lose no update (every final balance equals the initial one plus the
 *       transfers that committed, also after recovery from the log); read-only transactions,
 *       read-write transactions and {@link DbSnapshot}s always see the global sum (no torn
 *       commit), never see a value that a transaction wrote and overwrote or rolled back (no
 *       dirty read), and read the same values when they read again (no non-repeatable read,
 *       gets and scans agree); counters kept with {@code add} count every committed transfer.
 *   <li>SERIALIZABLE: the doctors-on-call write skew under contention never leaves nobody on
 *       call, and a range that transactions count before inserting into it never exceeds its
 *       limit (no phantom), whereas under SNAPSHOT both anomalies occur (forced with a barrier,
 *       and counted in the free-running runs).
 * </ul>
 * Seeded: the seed is printed and in every failure message; rerun with {@code -Dts.seed=}.
 * Thread scheduling makes a rerun similar, not identical.
 */
class ConcurrencyTest {
  private static final long DEFAULT_SEED = 0x5EED_C0DEL;
  private static final long POISON = Long.MIN_VALUE;

  @TempDir Path dir;

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] enc(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  private static long seed() {
    long seed = Long.getLong("ts.seed", DEFAULT_SEED);
    System.out.println("ConcurrencyTest seed=" + seed + " (rerun with -Dts.seed=" + seed + ")");
    return seed;
  }

  private static DatabaseOptions options() {
    // Small checkpoint thresholds: checkpoints (which hold back the application of commits)
    // and segment deletions run all the time, concurrently with the transactions.
    return DatabaseOptions.defaults().withDurability(Durability.NONE)
        .withCheckpoints(256 * 1024, 100).withWalSegments(128 * 1024, 0);
  }

  /** Collects the first failures of worker threads. */
  private static final class Failures {
    final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    final AtomicBoolean stop = new AtomicBoolean();

    Thread start(String name, ThrowingRunnable body) {
      return Thread.ofPlatform().name(name).start(() -> {
        try {
          body.run();
        } catch (Throwable t) {
          errors.add(t);
          stop.set(true);
        }
      });
    }

    void join(List<Thread> threads, String ctx) throws InterruptedException {
      for (Thread t : threads) {
        t.join(TimeUnit.MINUTES.toMillis(3));
        if (t.isAlive()) {
          stop.set(true);
          throw new AssertionError(ctx + ": thread " + t.getName() + " hangs");
        }
      }
      if (!errors.isEmpty()) {
        AssertionError e = new AssertionError(ctx + ": " + errors.size() + " thread(s) failed; "
            + "first: " + errors.peek(), errors.peek());
        errors.stream().skip(1).forEach(e::addSuppressed);
        throw e;
      }
    }
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }

  // ------------------------------------------------------------------ (a) snapshot transfers

  private static final String[] KS = {"checking", "savings"};
  private static final int PER_KS = 8;
  private static final long INITIAL = 1_000;

  private static byte[] acct(int i) {
    return b(String.format("acct/%03d", i));
  }

  @Test
  void snapshotTransfersLoseNoUpdateAndReadersSeeConsistentRepeatableSnapshots()
      throws Exception {
    long seed = seed();
    String ctx = "seed " + seed;
    Path d = dir.resolve("bank");
    int writers = 4;
    int readers = 3;
    int transfersPerWriter = 5_000;
    long total = 2L * PER_KS * INITIAL;
    long[][] expected = new long[2][PER_KS];
    AtomicLong committed = new AtomicLong();
    AtomicLong conflicts = new AtomicLong();
    AtomicLong reads = new AtomicLong();
    try (Database db = Database.open(d, options())) {
      db.inTransaction(Isolation.SNAPSHOT, tx -> {
        for (String ks : KS) {
          for (int i = 0; i < PER_KS; i++) {
            tx.put(ks, acct(i), enc(INITIAL));
          }
        }
        return null;
      });
      for (long[] e : expected) {
        java.util.Arrays.fill(e, INITIAL);
      }
      Failures f = new Failures();
      AtomicLong writersLeft = new AtomicLong(writers);
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        Random rnd = new Random(seed * 31 + w);
        threads.add(f.start("writer-" + w, () -> {
          long[][] mine = new long[2][PER_KS];
          try {
            for (int n = 0; n < transfersPerWriter && !f.stop.get(); n++) {
              int fk = rnd.nextInt(2);
              int fa = rnd.nextInt(PER_KS);
              int tk = rnd.nextInt(2);
              int ta = rnd.nextInt(PER_KS);
              if (fk == tk && fa == ta) {
                ta = (ta + 1) % PER_KS;
              }
              long amount = 1 + rnd.nextInt(50);
              if (rnd.nextInt(10) == 0) {
                // A transaction that writes garbage and rolls back: nobody may ever see it.
                try (Transaction tx = db.begin()) {
                  tx.put(KS[fk], acct(fa), enc(POISON));
                  tx.put(KS[tk], acct(ta), enc(POISON));
                }
              }
              while (true) {
                try (Transaction tx = db.begin()) {
                  long from = tx.getLong(KS[fk], acct(fa));
                  long to = tx.getLong(KS[tk], acct(ta));
                  // An intermediate value, overwritten before commit: a dirty read shows it.
                  tx.put(KS[fk], acct(fa), enc(POISON));
                  tx.put(KS[fk], acct(fa), enc(from - amount));
                  tx.put(KS[tk], acct(ta), enc(to + amount));
                  tx.add("stats", b("transfers"), 1);
                  tx.commit();
                  break;
                } catch (ConflictException e) {
                  conflicts.incrementAndGet();
                  Thread.yield();
                }
              }
              mine[fk][fa] -= amount;
              mine[tk][ta] += amount;
              committed.incrementAndGet();
            }
          } finally {
            synchronized (expected) {
              for (int k = 0; k < 2; k++) {
                for (int i = 0; i < PER_KS; i++) {
                  expected[k][i] += mine[k][i];
                }
              }
            }
            writersLeft.decrementAndGet();
          }
        }));
      }
      for (int r = 0; r < readers; r++) {
        int kind = r;
        Random rnd = new Random(seed * 37 + r);
        threads.add(f.start("reader-" + r, () -> {
          while (writersLeft.get() > 0 && !f.stop.get()) {
            if (kind == 2 && rnd.nextInt(4) == 0) {
              try (DbSnapshot s = db.snapshot()) {
                long sum = 0;
                for (String ks : KS) {
                  for (int i = 0; i < PER_KS; i++) {
                    byte[] v = s.get(ks, acct(i));
                    sum += ByteBuffer.wrap(v).getLong();
                  }
                }
                assertEquals(total, sum, ctx + ": a DbSnapshot sees a torn commit");
              }
              continue;
            }
            // kind 1 reads in read-write SNAPSHOT transactions that also write (and commit).
            try (Transaction tx = kind == 1 ? db.begin() : db.beginReadOnly()) {
              long[][] first = readAll(tx, ctx);
              Thread.yield(); // let commits happen between the two reads
              long[][] scanned = scanAll(tx);
              for (int k = 0; k < 2; k++) {
                assertTrue(java.util.Arrays.equals(first[k], scanned[k]), ctx + ": scan of "
                    + KS[k] + " disagrees with the gets in the same transaction "
                    + "(non-repeatable read)");
              }
              assertTrue(java.util.Arrays.deepEquals(first, readAll(tx, ctx)),
                  ctx + ": a second read in the same transaction differs");
              if (kind == 1) {
                tx.put("audit", b("reader-" + Thread.currentThread().getName()),
                    enc(first[0][0]));
                try {
                  tx.commit();
                } catch (ConflictException e) {
                  conflicts.incrementAndGet();
                }
              }
              reads.incrementAndGet();
            }
          }
        }));
      }
      f.join(threads, ctx);
      System.out.printf("ConcurrencyTest transfers: %d committed, %d conflicts retried, "
          + "%d consistent reads%n", committed.get(), conflicts.get(), reads.get());
      assertEquals(writers * (long) transfersPerWriter, committed.get(), ctx);
      assertTrue(reads.get() > 0, ctx + ": readers never ran");
      checkBank(db, expected, committed.get(), ctx + ", live");
      db.closeWithoutCheckpoint();
    }
    // Recovery replays the concurrent commits (after the last checkpoint) in commit order.
    try (Database db = Database.open(d, options())) {
      checkBank(db, expected, committed.get(), ctx + ", after recovery");
    }
  }

  private static void checkBank(Database db, long[][] expected, long transfers, String ctx) {
    try (Transaction tx = db.beginReadOnly()) {
      long[][] got = readAll(tx, ctx);
      for (int k = 0; k < 2; k++) {
        for (int i = 0; i < PER_KS; i++) {
          assertEquals(expected[k][i], got[k][i], ctx + ": balance of " + KS[k] + "/" + i
              + " (a lost or phantom update)");
        }
      }
      assertEquals(transfers, tx.getLong("stats", b("transfers")), ctx + ": counter");
    }
  }

  private static long[][] readAll(Transaction tx, String ctx) {
    long[][] out = new long[2][PER_KS];
    long sum = 0;
    for (int k = 0; k < 2; k++) {
      for (int i = 0; i < PER_KS; i++) {
        byte[] v = tx.get(KS[k], acct(i));
        assertTrue(v != null && v.length == 8, ctx + ": account missing");
        long x = ByteBuffer.wrap(v).getLong();
        assertTrue(x != POISON, ctx + ": dirty read of an overwritten or rolled-back value");
        out[k][i] = x;
        sum += x;
      }
    }
    assertEquals(2L * PER_KS * INITIAL, sum, ctx + ": sum invariant broken (torn commit)");
    return out;
  }

  private static long[][] scanAll(Transaction tx) {
    long[][] out = new long[2][PER_KS];
    for (int k = 0; k < 2; k++) {
      int i = 0;
      try (ScanIterator it = tx.scan(KS[k], Range.prefix(b("acct/")))) {
        while (it.hasNext()) {
          Entry e = it.next();
          out[k][i++] = ByteBuffer.wrap(e.value()).getLong();
        }
      }
      assertEquals(PER_KS, i);
    }
    return out;
  }

  // ------------------------------------------------------------------ (b) write skew

  private static final int DOCTORS = 8;

  private static byte[] doctor(int i) {
    return b("doc/" + i);
  }

  /** Runs the doctors workload; returns how many snapshots saw nobody on call. */
  private long doctors(Isolation iso, long seed, Path d) throws Exception {
    String ctx = "seed " + seed + ", " + iso;
    int threads = 8;
    int perThread = 2_000;
    AtomicLong violations = new AtomicLong();
    AtomicLong offCalls = new AtomicLong();
    AtomicLong conflicts = new AtomicLong();
    try (Database db = Database.open(d, options())) {
      db.inTransaction(iso, tx -> {
        for (int i = 0; i < DOCTORS; i++) {
          tx.put("oncall", doctor(i), b("1"));
        }
        return null;
      });
      Failures f = new Failures();
      List<Thread> ts = new ArrayList<>();
      AtomicLong left = new AtomicLong(threads);
      for (int t = 0; t < threads; t++) {
        Random rnd = new Random(seed * 41 + t);
        ts.add(f.start("doctor-" + t, () -> {
          try {
            for (int n = 0; n < perThread && !f.stop.get(); n++) {
              try (Transaction tx = db.begin(iso)) {
                boolean[] on = new boolean[DOCTORS];
                int count = 0;
                if (rnd.nextBoolean()) {
                  try (ScanIterator it = tx.scan("oncall", Range.prefix(b("doc/")))) {
                    while (it.hasNext()) {
                      Entry e = it.next();
                      int i = Integer.parseInt(new String(e.key(), StandardCharsets.UTF_8)
                          .substring(4));
                      on[i] = e.value()[0] == '1';
                    }
                  }
                } else {
                  for (int i = 0; i < DOCTORS; i++) {
                    on[i] = tx.get("oncall", doctor(i))[0] == '1';
                  }
                }
                for (boolean x : on) {
                  count += x ? 1 : 0;
                }
                if (count == 0) {
                  violations.incrementAndGet();
                }
                int pick = rnd.nextInt(DOCTORS);
                if (on[pick] && count >= 2) {
                  tx.put("oncall", doctor(pick), b("0")); // "someone else is on call"
                } else if (!on[pick] && rnd.nextInt(3) == 0) {
                  tx.put("oncall", doctor(pick), b("1"));
                } else {
                  continue; // nothing to do: roll back
                }
                try {
                  tx.commit();
                  if (on[pick]) {
                    offCalls.incrementAndGet();
                  }
                } catch (ConflictException e) {
                  conflicts.incrementAndGet();
                }
              }
            }
          } finally {
            left.decrementAndGet();
          }
        }));
      }
      ts.add(f.start("doctor-reader", () -> {
        while (left.get() > 0 && !f.stop.get()) {
          try (Transaction tx = db.beginReadOnly()) {
            int count = 0;
            for (int i = 0; i < DOCTORS; i++) {
              count += tx.get("oncall", doctor(i))[0] == '1' ? 1 : 0;
            }
            if (count == 0) {
              violations.incrementAndGet();
            }
          }
        }
      }));
      f.join(ts, ctx);
      System.out.printf("ConcurrencyTest doctors %s: %d went off call, %d conflicts, %d "
          + "snapshots with nobody on call%n", iso, offCalls.get(), conflicts.get(),
          violations.get());
      assertTrue(offCalls.get() > threads, ctx + ": too little contention");
    }
    return violations.get();
  }

  @Test
  void serializableKeepsADoctorOnCallUnderContention() throws Exception {
    long seed = seed();
    assertEquals(0, doctors(Isolation.SERIALIZABLE, seed, dir.resolve("doctors-ser")),
        "seed " + seed + ": under SERIALIZABLE some snapshot had nobody on call (write skew)");
    long skew = doctors(Isolation.SNAPSHOT, seed, dir.resolve("doctors-si"));
    System.out.println("ConcurrencyTest doctors: SNAPSHOT write skew reproduced in " + skew
        + " snapshots" + (skew == 0 ? " (not reproduced in this free run; the forced variant "
        + "below shows it)" : ""));
    // Forced: two transactions both see two doctors on call, then each takes one off.
    for (Isolation iso : Isolation.values()) {
      try (Database db = Database.open(dir.resolve("forced-skew-" + iso), options())) {
        db.inTransaction(iso, tx -> {
          tx.put("oncall", doctor(0), b("1"));
          tx.put("oncall", doctor(1), b("1"));
          return null;
        });
        int commits = race(2, i -> {
          Transaction tx = db.begin(iso);
          int count = 0;
          for (int k = 0; k < 2; k++) {
            count += tx.get("oncall", doctor(k))[0] == '1' ? 1 : 0;
          }
          assertEquals(2, count);
          return tx;
        }, (i, tx) -> tx.put("oncall", doctor(i), b("0")));
        assertEquals(iso == Isolation.SNAPSHOT ? 2 : 1, commits, "seed " + seed + ", " + iso);
      }
    }
  }

  @FunctionalInterface
  interface Begin {
    Transaction begin(int thread) throws Exception;
  }

  @FunctionalInterface
  interface Write {
    void write(int thread, Transaction tx) throws Exception;
  }

  /**
   * Runs {@code n} threads that each begin and read, wait for each other, then write and
   * commit; returns how many commits succeeded (the others conflicted).
   */
  private static int race(int n, Begin begin, Write write) throws Exception {
    CyclicBarrier barrier = new CyclicBarrier(n);
    AtomicLong ok = new AtomicLong();
    Failures f = new Failures();
    List<Thread> ts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int me = i;
      ts.add(f.start("race-" + i, () -> {
        try (Transaction tx = begin.begin(me)) {
          barrier.await(30, TimeUnit.SECONDS);
          write.write(me, tx);
          try {
            tx.commit();
            ok.incrementAndGet();
          } catch (ConflictException e) {
            // the anomaly was prevented
          }
        } catch (BrokenBarrierException | TimeoutException e) {
          throw new AssertionError(e);
        }
      }));
    }
    f.join(ts, "race");
    return (int) ok.get();
  }

  // ------------------------------------------------------------------ (b) phantoms

  private static final int GROUPS = 4;
  private static final int LIMIT = 5;

  private static int countGroup(Transaction tx, int g) {
    int n = 0;
    try (ScanIterator it = tx.scan("slots", Range.prefix(b("g" + g + "/")))) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  /** Runs the bounded-insert workload; returns the largest group size any snapshot saw. */
  private long phantoms(Isolation iso, long seed, Path d) throws Exception {
    String ctx = "seed " + seed + ", " + iso;
    int threads = 8;
    int perThread = 1_500;
    AtomicLong max = new AtomicLong();
    AtomicLong inserts = new AtomicLong();
    AtomicLong conflicts = new AtomicLong();
    try (Database db = Database.open(d, options())) {
      Failures f = new Failures();
      List<Thread> ts = new ArrayList<>();
      AtomicLong left = new AtomicLong(threads);
      for (int t = 0; t < threads; t++) {
        Random rnd = new Random(seed * 43 + t);
        String me = "t" + t;
        ts.add(f.start("slots-" + t, () -> {
          try {
            for (int n = 0; n < perThread && !f.stop.get(); n++) {
              int g = rnd.nextInt(GROUPS);
              try (Transaction tx = db.begin(iso)) {
                int count = countGroup(tx, g);
                max.accumulateAndGet(count, Math::max);
                if (count < LIMIT) {
                  tx.put("slots", b("g" + g + "/" + me + "-" + n), b("x"));
                } else {
                  // Free a slot: delete the first key of the group.
                  try (ScanIterator it = tx.scan("slots", Range.prefix(b("g" + g + "/")))) {
                    tx.delete("slots", it.next().key());
                  }
                }
                try {
                  tx.commit();
                  inserts.incrementAndGet();
                } catch (ConflictException e) {
                  conflicts.incrementAndGet();
                }
              }
            }
          } finally {
            left.decrementAndGet();
          }
        }));
      }
      f.join(ts, ctx);
      try (Transaction tx = db.beginReadOnly()) {
        for (int g = 0; g < GROUPS; g++) {
          max.accumulateAndGet(countGroup(tx, g), Math::max);
        }
      }
      System.out.printf("ConcurrencyTest phantoms %s: %d commits, %d conflicts, largest group "
          + "%d (limit %d)%n", iso, inserts.get(), conflicts.get(), max.get(), LIMIT);
      assertTrue(inserts.get() > threads, ctx + ": too few commits");
    }
    return max.get();
  }

  @Test
  void serializableNeverExceedsACountedLimitButSnapshotDoes() throws Exception {
    long seed = seed();
    long ser = phantoms(Isolation.SERIALIZABLE, seed, dir.resolve("slots-ser"));
    assertTrue(ser <= LIMIT, "seed " + seed + ": SERIALIZABLE let a group reach " + ser
        + " > " + LIMIT + " (phantom)");
    long si = phantoms(Isolation.SNAPSHOT, seed, dir.resolve("slots-si"));
    System.out.println("ConcurrencyTest phantoms: SNAPSHOT largest group " + si
        + (si > LIMIT ? " (phantom reproduced)" : " (not reproduced in the free run)"));
    // Forced: four transactions count LIMIT - 1 entries, then each inserts one.
    for (Isolation iso : Isolation.values()) {
      try (Database db = Database.open(dir.resolve("forced-phantom-" + iso), options())) {
        db.inTransaction(iso, tx -> {
          for (int i = 0; i < LIMIT - 1; i++) {
            tx.put("slots", b("g0/init-" + i), b("x"));
          }
          return null;
        });
        int commits = race(4, i -> {
          Transaction tx = db.begin(iso);
          assertEquals(LIMIT - 1, countGroup(tx, 0));
          return tx;
        }, (i, tx) -> tx.put("slots", b("g0/racer-" + i), b("x")));
        int size;
        try (Transaction tx = db.beginReadOnly()) {
          size = countGroup(tx, 0);
        }
        if (iso == Isolation.SNAPSHOT) {
          assertEquals(4, commits, "seed " + seed + ": SNAPSHOT does not detect the phantom");
          assertEquals(LIMIT + 3, size);
        } else {
          assertEquals(1, commits, "seed " + seed + ": SERIALIZABLE let " + commits
              + " of the racers commit");
          assertEquals(LIMIT, size);
        }
      }
    }
  }
}
