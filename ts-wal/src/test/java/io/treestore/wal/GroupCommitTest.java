package io.treestore.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit: 16 threads append concurrently in {@link Durability#SYNC} mode.
 *
 * <p>Proves that every append returns a distinct LSN, that together they are exactly 1..N,
 * that every appender's record is durable when its append returns, that replay returns every
 * record with its payload, and that concurrent appenders share {@code fsync}s: the number of
 * segment {@code fsync}s is at most half the number of appends (the measured ratio is
 * printed). Also the pattern of a caller that appends without waiting and then waits with
 * {@code awaitDurable}. Seeded; the seed is in the failure messages.
 */
class GroupCommitTest {
  private static final long SEED = Long.getLong("ts.seed", 0x5EED_0004L);
  private static final int THREADS = 16;
  private static final int PER_THREAD = 150;

  @TempDir Path dir;

  @Test
  void concurrentAppendersShareFsyncs() throws Exception {
    runConcurrent(false);
  }

  @Test
  void appendThenAwaitDurableSharesFsyncs() throws Exception {
    runConcurrent(true);
  }

  private void runConcurrent(boolean appendThenAwait) throws Exception {
    FaultyChannels ch = new FaultyChannels();
    Map<Long, byte[]> byLsn = new ConcurrentHashMap<>();
    long syncsBefore;
    long syncsAfter;
    try (Wal wal = Wal.open(dir, WalOptions.defaults().withChannels(ch))) {
      syncsBefore = ch.segmentForces.get();
      CyclicBarrier start = new CyclicBarrier(THREADS);
      List<Future<?>> done = new ArrayList<>();
      try (ExecutorService pool = Executors.newFixedThreadPool(THREADS,
          Thread.ofPlatform().name("appender-", 0).factory())) {
        for (int t = 0; t < THREADS; t++) {
          int id = t;
          done.add(pool.submit(() -> {
            Random rnd = new Random(SEED + id);
            start.await();
            for (int i = 0; i < PER_THREAD; i++) {
              byte[] p = new byte[8 + rnd.nextInt(200)];
              rnd.nextBytes(p);
              long lsn;
              if (appendThenAwait) {
                lsn = wal.append((byte) (1 + id), p, false);
                wal.awaitDurable(lsn);
              } else {
                lsn = wal.append((byte) (1 + id), p);
              }
              assertTrue(wal.durableLsn() >= lsn, "durable when append returns");
              if (byLsn.put(lsn, p) != null) {
                throw new AssertionError("LSN " + lsn + " returned twice");
              }
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      }
      syncsAfter = ch.segmentForces.get();
      int n = THREADS * PER_THREAD;
      assertEquals(n, byLsn.size(), "seed=" + SEED);
      for (long lsn = 1; lsn <= n; lsn++) {
        assertTrue(byLsn.containsKey(lsn), "seed=" + SEED + ": LSN " + lsn + " missing");
      }
      assertEquals(n, wal.lastLsn());
      assertEquals(n, wal.durableLsn());
      List<WalRecord> all = Logs.readAll(wal, 1);
      assertEquals(n, all.size());
      long frameBytes = 0;
      for (WalRecord r : all) {
        assertArrayEquals(byLsn.get(r.lsn()), r.payload(), "seed=" + SEED + " LSN " + r.lsn());
        frameBytes += Wal.FRAME_HEADER_BYTES + r.payload().length;
      }
      WalStats stats = wal.stats();
      assertEquals(n, stats.records(), "every record written once");
      assertEquals(frameBytes, stats.bytes());
      assertTrue(stats.groups() >= 1 && stats.groups() <= n / 2, "groups " + stats.groups());
      assertTrue(stats.syncs() >= 1 && stats.syncs() <= stats.groups()
          && stats.syncs() <= ch.segmentForces.get() - syncsBefore, "syncs " + stats);
      long syncs = syncsAfter - syncsBefore;
      System.out.printf("group commit (%s): %d appends, %d fsyncs, ratio %.3f%n",
          appendThenAwait ? "append+awaitDurable" : "append", n, syncs, (double) syncs / n);
      assertTrue(syncs <= n / 2, "seed=" + SEED + ": " + syncs + " fsyncs for " + n
          + " appends: group commit did not group");
    }
    try (Wal wal = Wal.open(dir, WalOptions.defaults())) {
      assertEquals(THREADS * PER_THREAD, wal.lastLsn());
    }
  }
}
