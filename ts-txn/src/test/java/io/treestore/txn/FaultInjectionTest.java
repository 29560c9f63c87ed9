package io.treestore.txn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.treestore.btree.BTreeFile;
import io.treestore.btree.BTreeOptions;
import io.treestore.page.ChannelFactory;
import io.treestore.page.StorageException;
import io.treestore.wal.Durability;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * I/O faults on the log and on the data file ({@link FaultyStorage}): failed writes, short
 * writes followed by an error, failed fsyncs, a full disk ("No space left on device") and a
 * failed segment creation. For each, while several threads commit:
 * <ul>
 *   <li>the committing threads get a {@link StorageException} whose message names what failed
 *       (the log or the checkpoint) and the original error;
 *   <li>the database turns read-only ({@link Database#failure()} says why) and stays so even
 *       after the fault clears, as documented, until it is reopened;
 *   <li>reads keep working: a new read-only transaction sees every acknowledged commit;
 *   <li>after reopening (fault cleared) no acknowledged commit is lost, no transaction is
 *       partly visible, and writes succeed again.
 * </ul>
 * A checkpoint whose data-file fsync fails is reported, turns the database read-only, and
 * reopening recovers everything from the log; one whose data-file write fails is reported and
 * changes nothing durable: an explicit checkpoint may be retried, and the background
 * checkpointer retries by itself while commits go on.
 * Seeded: rerun with {@code -Dts.seed=}.
 */
class FaultInjectionTest {
  private static final long DEFAULT_SEED = 0xFA17_0001L;

  @TempDir Path dir;

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static long seed() {
    long seed = Long.getLong("ts.seed", DEFAULT_SEED);
    System.out.println("FaultInjectionTest seed=" + seed + " (rerun with -Dts.seed=" + seed
        + ")");
    return seed;
  }

  /** Commit {@code id} writes a marker, two values in two keyspaces, and a counter. */
  static void writeTxn(Transaction tx, long id) {
    tx.put("txns", b("t/" + id), b("1"));
    tx.put("a", b("k/" + id), b("a-" + id));
    tx.put("b", b("k/" + id), b("b-" + id + "-".repeat((int) Math.floorMod(id, 200L))));
    tx.add("c", b("count"), 1);
  }

  /**
   * Checks that every acknowledged commit is visible, that every attempted commit is wholly
   * visible or wholly absent, and that the counter counts the markers.
   */
  static void verify(Transaction tx, Set<Long> acked, Set<Long> attempted, String ctx) {
    long present = 0;
    for (long id : attempted) {
      byte[] m = tx.get("txns", b("t/" + id));
      byte[] a = tx.get("a", b("k/" + id));
      byte[] bb = tx.get("b", b("k/" + id));
      if (m == null) {
        assertFalse(acked.contains(id), ctx + ": acknowledged commit " + id + " lost");
        assertNull(a, ctx + ": commit " + id + " partly visible");
        assertNull(bb, ctx + ": commit " + id + " partly visible");
      } else {
        present++;
        assertArrayEquals(b("a-" + id), a, ctx + ": commit " + id + " partly visible");
        assertArrayEquals(b("b-" + id + "-".repeat((int) Math.floorMod(id, 200L))), bb,
            ctx + ": commit " + id + " partly visible");
      }
    }
    assertEquals(present, tx.getLong("c", b("count")), ctx + ": counter disagrees with the "
        + "markers");
  }

  /** What a group of committing threads did until the fault stopped them. */
  private static final class Run {
    final Set<Long> acked = ConcurrentHashMap.newKeySet();
    final Set<Long> attempted = ConcurrentHashMap.newKeySet();
    final List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger running = new AtomicInteger();
    volatile boolean stop;
    long nextBase = 0;
  }

  /** Starts {@code threads} committers that stop at their first storage error. */
  private static List<Thread> commit(Database db, Run run, int threads, int perThread) {
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long base = run.nextBase + t * 1_000_000L;
      run.running.incrementAndGet();
      ts.add(Thread.ofPlatform().name("committer-" + t).start(() -> {
        try {
          for (int n = 0; n < perThread && !run.stop; n++) {
            long id = base + n;
            run.attempted.add(id);
            try (Transaction tx = db.begin()) {
              writeTxn(tx, id);
              tx.commit();
              run.acked.add(id);
            } catch (StorageException e) {
              run.errors.add(e);
              return;
            } catch (RuntimeException e) {
              run.errors.add(new AssertionError("unexpected exception type", e));
              return;
            }
          }
        } finally {
          run.running.decrementAndGet();
        }
      }));
    }
    run.nextBase += threads * 1_000_000L;
    return ts;
  }

  private static void join(List<Thread> ts) throws InterruptedException {
    for (Thread t : ts) {
      t.join(TimeUnit.MINUTES.toMillis(2));
      if (t.isAlive()) {
        fail("thread " + t.getName() + " hangs");
      }
    }
  }

  private static String chain(Throwable t) {
    StringBuilder s = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      s.append(c).append(" <- ");
    }
    return s.toString();
  }

  private static void awaitAcked(Run run, int n, String ctx) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (run.acked.size() < n) {
      if (System.nanoTime() > deadline || (run.running.get() == 0)) {
        fail(ctx + ": only " + run.acked.size() + " commits acknowledged, errors "
            + run.errors);
      }
      Thread.sleep(1);
    }
  }

  /** The faults of the log tested below. */
  enum LogFault {
    /** Every write fails with ENOSPC. */
    FULL_DISK,
    /** A write writes half its bytes, then the next fails with ENOSPC. */
    SHORT_WRITE,
    /** An fsync fails with EIO. */
    FSYNC,
    /** Creating the next segment fails with ENOSPC (tiny segments rotate often). */
    SEGMENT_CREATE
  }

  private static DatabaseOptions logOptions(FaultyStorage fs) {
    return DatabaseOptions.defaults().withCheckpoints(0, 0)
        .withWalSegments(16 * 1024, 0).withChannels(fs.pages(), fs.wal());
  }

  @ParameterizedTest
  @EnumSource(LogFault.class)
  void logFaultLosesNoAcknowledgedCommitAndTurnsTheDatabaseReadOnlyUntilReopened(LogFault fault)
      throws Exception {
    long seed = seed();
    Random rnd = new Random(seed + fault.ordinal());
    String ctx = "seed " + seed + ", " + fault;
    Path d = dir.resolve("log-" + fault);
    FaultyStorage fs = new FaultyStorage();
    Run run = new Run();
    try (Database db = Database.open(d, logOptions(fs))) {
      List<Thread> ts = commit(db, run, 4, 100_000);
      awaitAcked(run, 20 + rnd.nextInt(80), ctx);
      String expected = switch (fault) {
        case FULL_DISK -> {
          fs.log.writesBeforeFailure.set(rnd.nextInt(3));
          yield FaultyStorage.ENOSPC;
        }
        case SHORT_WRITE -> {
          fs.log.shortWrite = true;
          fs.log.writesBeforeFailure.set(rnd.nextInt(3));
          yield FaultyStorage.ENOSPC;
        }
        case FSYNC -> {
          fs.log.failForces.set(1);
          yield FaultyStorage.EIO;
        }
        case SEGMENT_CREATE -> {
          fs.log.failCreate = true;
          yield FaultyStorage.ENOSPC;
        }
      };
      join(ts);
      assertTrue(fs.log.fired.get() > 0, ctx + ": the fault never fired");
      assertFalse(run.errors.isEmpty(), ctx + ": no committer saw the fault");
      for (Throwable e : run.errors) {
        if (e instanceof AssertionError a) {
          throw a;
        }
        String all = chain(e);
        assertTrue(all.contains(expected), ctx + ": the error does not give the cause: " + all);
        assertTrue(e.getMessage().contains("log") || e.getMessage().contains("read-only"),
            ctx + ": the error does not say what failed: " + e.getMessage());
      }
      assertTrue(db.isReadOnly(), ctx + ": the database should be read-only");
      String why = db.failure().orElseThrow();
      assertTrue(why.contains("log") && why.contains(expected), ctx + ": failure() = " + why);
      // Reads keep working and see every acknowledged commit.
      try (Transaction tx = db.beginReadOnly()) {
        verify(tx, run.acked, run.attempted, ctx + ", read-only after the fault");
      }
      // The fault clears; the documented behavior: read-only until reopened.
      fs.clear();
      run.attempted.add(-1L);
      StorageException e = assertThrows(StorageException.class, () -> {
        try (Transaction tx = db.begin()) {
          writeTxn(tx, -1);
          tx.commit();
        }
      });
      assertTrue(e.getMessage().contains("read-only"), ctx + ": " + e.getMessage());
      System.out.printf("FaultInjectionTest %s: %d acknowledged, %d failed; failure: %s%n",
          fault, run.acked.size(), run.errors.size(), why);
    }
    reopenAndContinue(d, logOptions(fs), run, ctx);
  }

  /**
   * Reopening while the disk is still full: recovery needs no new space, so the database
   * opens and serves reads; the first commit fails clearly and turns it read-only; once the
   * disk has room, reopening makes writes work again.
   */
  @Test
  void reopeningWhileTheDiskIsStillFullServesReadsAndRefusesWritesClearly() throws Exception {
    long seed = seed();
    String ctx = "seed " + seed + ", reopen on a full disk";
    Path d = dir.resolve("still-full");
    FaultyStorage fs = new FaultyStorage();
    Run run = new Run();
    try (Database db = Database.open(d, logOptions(fs))) {
      join(commit(db, run, 2, 40));
      assertEquals(List.of(), run.errors, ctx);
      db.closeWithoutCheckpoint();
    }
    fs.log.writesBeforeFailure.set(0);
    fs.data.writesBeforeFailure.set(0);
    try (Database db = Database.open(d, logOptions(fs))) {
      try (Transaction tx = db.beginReadOnly()) {
        verify(tx, run.acked, run.attempted, ctx + ", reopened");
      }
      run.attempted.add(-2L);
      StorageException e = assertThrows(StorageException.class, () -> {
        try (Transaction tx = db.begin()) {
          writeTxn(tx, -2);
          tx.commit();
        }
      });
      assertTrue(chain(e).contains(FaultyStorage.ENOSPC) && e.getMessage().contains("log"),
          ctx + ": " + chain(e));
      assertTrue(db.isReadOnly(), ctx);
      try (Transaction tx = db.beginReadOnly()) {
        verify(tx, run.acked, run.attempted, ctx + ", after the failed commit");
      }
    }
    fs.clear();
    reopenAndContinue(d, logOptions(fs), run, ctx);
  }

  /** Reopens with the fault cleared: nothing acknowledged is lost, and writes work again. */
  private static void reopenAndContinue(Path d, DatabaseOptions o, Run run, String ctx)
      throws Exception {
    try (Database db = Database.open(d, o)) {
      assertFalse(db.isReadOnly());
      try (Transaction tx = db.beginReadOnly()) {
        verify(tx, run.acked, run.attempted, ctx + ", after reopening");
      }
      Run more = new Run();
      more.nextBase = run.nextBase;
      join(commit(db, more, 2, 50));
      assertEquals(List.of(), more.errors, ctx + ": writes fail after reopening");
      run.acked.addAll(more.acked);
      run.attempted.addAll(more.attempted);
      db.checkpoint();
      db.closeWithoutCheckpoint();
    }
    try (Database db = Database.open(d, o)) {
      try (Transaction tx = db.beginReadOnly()) {
        verify(tx, run.acked, run.attempted, ctx + ", after the second reopening");
      }
    }
  }

  /** Options with a background checkpoint every 20 ms and small log segments. */
  private static DatabaseOptions backgroundCheckpoints(FaultyStorage fs) {
    return DatabaseOptions.defaults().withDurability(Durability.SYNC)
        .withCheckpoints(0, 20).withWalSegments(16 * 1024, 0)
        .withChannels(fs.pages(), fs.wal());
  }

  /** The faults of the data file tested below. */
  enum DataFault {
    /** Page writes fail with ENOSPC. */
    FULL_DISK,
    /** A page write writes half, then the next fails. */
    SHORT_WRITE,
    /** The data file's fsync fails with EIO. */
    FSYNC
  }

  /**
   * A background checkpoint whose page write fails (a full disk, a short write) changes
   * nothing durable: the checkpointer counts it and tries again later, commits keep being
   * acknowledged meanwhile, the database never turns read-only, and once the disk has room
   * a checkpoint succeeds; the data file is sound and nothing acknowledged is lost.
   */
  @ParameterizedTest
  @EnumSource(value = DataFault.class, names = {"FULL_DISK", "SHORT_WRITE"})
  void backgroundCheckpointWriteFailureIsRetriedWhileCommitsGoOn(DataFault fault)
      throws Exception {
    long seed = seed();
    Random rnd = new Random(seed + 20 + fault.ordinal());
    String ctx = "seed " + seed + ", background checkpoint retried after " + fault;
    Path d = dir.resolve("retry-" + fault);
    FaultyStorage fs = new FaultyStorage();
    DatabaseOptions o = backgroundCheckpoints(fs);
    Run run = new Run();
    try (Database db = Database.open(d, o)) {
      List<Thread> ts = commit(db, run, 3, 100_000);
      awaitAcked(run, 50 + rnd.nextInt(100), ctx);
      fs.data.shortWrite = fault == DataFault.SHORT_WRITE;
      fs.data.writesBeforeFailure.set(rnd.nextInt(4));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (db.stats().checkpointFailures() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertTrue(db.stats().checkpointFailures() >= 1, ctx + ": no checkpoint failed");
      awaitAcked(run, run.acked.size() + 50, ctx + ", commits during the fault");
      assertFalse(db.isReadOnly(), ctx + ": " + db.failure());
      long before = db.checkpointLsn();
      long applied = db.lastCommittedLsn();
      assertTrue(before < applied, ctx + ": a checkpoint covered commits made during the fault");
      fs.clear();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (db.checkpointLsn() < applied && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertTrue(db.checkpointLsn() >= applied, ctx + ": checkpoints did not resume: at LSN "
          + db.checkpointLsn() + ", applied " + applied);
      run.stop = true;
      join(ts);
      assertEquals(List.of(), run.errors, ctx);
      assertFalse(db.isReadOnly(), ctx);
      try (Transaction tx = db.beginReadOnly()) {
        verify(tx, run.acked, run.attempted, ctx + ", after the fault");
      }
      System.out.printf("FaultInjectionTest background checkpoint %s: %d acknowledged, %d"
          + " failed checkpoints, checkpoint LSN %d%n", fault, run.acked.size(),
          db.stats().checkpointFailures(), db.checkpointLsn());
      db.closeWithoutCheckpoint();
    }
    checkDataFile(d, ctx);
    reopenAndContinue(d, o, run, ctx);
  }

  @ParameterizedTest
  @EnumSource(value = DataFault.class, names = {"FSYNC"})
  void backgroundCheckpointFsyncFailureTurnsReadOnlyAndReopeningRecoversFromTheLog(
      DataFault fault) throws Exception {
    long seed = seed();
    Random rnd = new Random(seed + 10 + fault.ordinal());
    String ctx = "seed " + seed + ", checkpoint " + fault;
    Path d = dir.resolve("data-" + fault);
    FaultyStorage fs = new FaultyStorage();
    DatabaseOptions o = backgroundCheckpoints(fs);
    Run run = new Run();
    String expected = fault == DataFault.FSYNC ? FaultyStorage.EIO : FaultyStorage.ENOSPC;
    long checkpointBefore;
    try (Database db = Database.open(d, o)) {
      List<Thread> ts = commit(db, run, 3, 100_000);
      awaitAcked(run, 50 + rnd.nextInt(100), ctx);
      checkpointBefore = db.checkpointLsn();
      switch (fault) {
        case FULL_DISK -> fs.data.writesBeforeFailure.set(rnd.nextInt(4));
        case SHORT_WRITE -> {
          fs.data.shortWrite = true;
          fs.data.writesBeforeFailure.set(rnd.nextInt(4));
        }
        case FSYNC -> fs.data.failForces.set(1);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!db.isReadOnly() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      run.stop = true;
      join(ts);
      assertTrue(db.isReadOnly(), ctx + ": a failed checkpoint should turn the database "
          + "read-only");
      String why = db.failure().orElseThrow();
      assertTrue(why.contains(expected) && why.contains(Database.DATA_FILE),
          ctx + ": failure() does not say what failed: " + why);
      if (fault != DataFault.FSYNC) {
        assertTrue(why.contains("checkpoint"), ctx + ": failure() = " + why);
      }
      for (Throwable e : run.errors) {
        if (e instanceof AssertionError a) {
          throw a;
        }
        assertTrue(chain(e).contains(expected), ctx + ": " + chain(e));
      }
      try (Transaction tx = db.beginReadOnly()) {
        verify(tx, run.acked, run.attempted, ctx + ", read-only after the fault");
      }
      fs.clear();
      run.attempted.add(-1L);
      assertThrows(StorageException.class, () -> {
        try (Transaction tx = db.begin()) {
          writeTxn(tx, -1);
          tx.commit();
        }
      });
      assertThrows(StorageException.class, db::checkpoint, ctx);
      System.out.printf("FaultInjectionTest checkpoint %s: %d acknowledged, checkpoint LSN %d;"
          + " failure: %s%n", fault, run.acked.size(), db.checkpointLsn(), why);
    }
    try (Database db = Database.open(d, o)) {
      assertTrue(db.checkpointLsn() >= checkpointBefore);
    }
    reopenAndContinue(d, o, run, ctx);
    checkDataFile(d, ctx);
  }

  /** Runs the B+Tree checker over the data file (page accounting, checksums, order). */
  private static void checkDataFile(Path d, String ctx) {
    try (BTreeFile f = BTreeFile.open(d.resolve(Database.DATA_FILE),
        new BTreeOptions(4096, 1 << 20, false, true, ChannelFactory.DEFAULT))) {
      assertEquals(List.of(), f.check().problems(), ctx + ": data file check");
    }
  }

  /**
   * An explicit checkpoint whose page write fails reports it; nothing durable changed (the
   * B+Tree file restores its state), so the database stays writable and a later checkpoint
   * succeeds and leaves a sound file.
   */
  @ParameterizedTest
  @EnumSource(value = DataFault.class, names = {"FULL_DISK", "SHORT_WRITE"})
  void explicitCheckpointWriteFailureIsReportedAndCanBeRetried(DataFault fault)
      throws Exception {
    long seed = seed();
    String ctx = "seed " + seed + ", explicit checkpoint " + fault;
    Path d = dir.resolve("explicit-" + fault);
    FaultyStorage fs = new FaultyStorage();
    DatabaseOptions o = DatabaseOptions.defaults().withCheckpoints(0, 0)
        .withChannels(fs.pages(), fs.wal());
    Run run = new Run();
    try (Database db = Database.open(d, o)) {
      join(commit(db, run, 2, 100));
      db.checkpoint();
      join(commit(db, run, 2, 100));
      fs.data.shortWrite = fault == DataFault.SHORT_WRITE;
      fs.data.writesBeforeFailure.set(3);
      StorageException e = assertThrows(StorageException.class, db::checkpoint);
      assertTrue(chain(e).contains(FaultyStorage.ENOSPC)
          && e.getMessage().contains(Database.DATA_FILE), ctx + ": " + chain(e));
      fs.clear();
      try (Transaction tx = db.beginReadOnly()) {
        verify(tx, run.acked, run.attempted, ctx + ", after the failed checkpoint");
      }
      join(commit(db, run, 2, 100));
      assertEquals(List.of(), run.errors, ctx);
      db.checkpoint();
      db.closeWithoutCheckpoint();
    }
    checkDataFile(d, ctx);
    reopenAndContinue(d, o, run, ctx);
  }

  /**
   * An explicit checkpoint whose fsync fails makes the data file refuse writes. The database
   * should say so at once (turn read-only, as after a failed background checkpoint) instead of
   * accepting the next commit into the log and then failing to apply it.
   */
  @Test
  void explicitCheckpointFsyncFailureTurnsTheDatabaseReadOnly() throws Exception {
    long seed = seed();
    String ctx = "seed " + seed + ", explicit checkpoint fsync";
    Path d = dir.resolve("explicit-fsync");
    FaultyStorage fs = new FaultyStorage();
    DatabaseOptions o = DatabaseOptions.defaults().withCheckpoints(0, 0)
        .withChannels(fs.pages(), fs.wal());
    Run run = new Run();
    try (Database db = Database.open(d, o)) {
      join(commit(db, run, 2, 50));
      fs.data.failForces.set(1);
      StorageException e = assertThrows(StorageException.class, db::checkpoint);
      assertTrue(chain(e).contains(FaultyStorage.EIO), ctx + ": " + chain(e));
      fs.clear();
      assertTrue(db.isReadOnly(), ctx + ": the data file is read-only after its failed fsync, "
          + "but the database still accepts commits");
      run.attempted.add(999_999_999L);
      StorageException c = assertThrows(StorageException.class, () -> {
        try (Transaction tx = db.begin()) {
          writeTxn(tx, 999_999_999L);
          tx.commit();
        }
      });
      assertTrue(c.getMessage().contains("read-only"), ctx + ": " + c.getMessage());
    }
    reopenAndContinue(d, o, run, ctx);
  }
}
