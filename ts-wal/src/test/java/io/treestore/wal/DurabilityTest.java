package io.treestore.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability modes.
 *
 * <p>Proves that {@link Durability#NONE} never syncs anything (segments or directory, also
 * on rotation, deletion, recovery), that {@link Durability#GROUP_ASYNC} appends return before
 * their {@code fsync} and a named daemon thread makes them durable without any caller waiting
 * (checked by polling, with no timing assertion), and that in {@link Durability#SYNC} mode a
 * record is durable when its append returns, while an append that does not wait becomes
 * durable through {@link Wal#awaitDurable}.
 */
class DurabilityTest {
  @TempDir Path dir;

  @Test
  void noneNeverSyncs() {
    FaultyChannels ch = new FaultyChannels();
    WalOptions opts = Logs.none().withSegmentBytes(4096).withChannels(ch);
    try (Wal wal = Wal.open(dir, opts)) {
      for (long lsn = 1; lsn <= 100; lsn++) {
        assertEquals(lsn, wal.append((byte) 1, new byte[300]));
        assertEquals(lsn, wal.durableLsn(), "NONE: durable means written");
      }
      assertTrue(Logs.segments(dir).size() > 5);
      assertTrue(wal.deleteSegmentsBefore(50) > 0);
    }
    try (Wal wal = Wal.open(dir, opts)) {
      wal.append((byte) 1, new byte[10]);
    }
    assertTrue(ch.writes.get() > 0);
    assertEquals(0, ch.allForces(), "NONE never calls force: " + ch.events());
  }

  @Test
  void groupAsyncSyncsInTheBackground() throws Exception {
    FaultyChannels ch = new FaultyChannels();
    WalOptions opts = WalOptions.defaults().withDurability(Durability.GROUP_ASYNC)
        .withGroupAsyncMillis(20).withChannels(ch);
    try (Wal wal = Wal.open(dir, opts)) {
      Thread syncer = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().equals("treestore-wal-sync-" + dir.getFileName()))
          .findFirst().orElseThrow(() -> new AssertionError("no group-async thread"));
      assertTrue(syncer.isDaemon());
      long forcesAtOpen = ch.segmentForces.get();
      CountDownLatch gate = new CountDownLatch(1);
      ch.forceGate = gate; // every fsync now blocks until the gate opens
      for (long lsn = 1; lsn <= 50; lsn++) {
        assertEquals(lsn, wal.append((byte) 1, new byte[100]), "append returns while fsync "
            + "is blocked");
      }
      assertEquals(50, wal.lastLsn());
      assertTrue(wal.durableLsn() < 50, "not durable while fsync is blocked");
      gate.countDown();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (wal.durableLsn() < wal.lastLsn() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(50, wal.durableLsn(), "made durable by the background thread");
      assertTrue(ch.segmentForces.get() > forcesAtOpen);
      assertEquals(50, Logs.readAll(wal, 1).size());
      // A caller can still insist on one record.
      long lsn = wal.append((byte) 1, new byte[1], true);
      assertTrue(wal.durableLsn() >= lsn);
      wal.close();
      syncer.join(10_000);
      assertFalse(syncer.isAlive(), "thread stopped by close");
    }
    try (Wal wal = Wal.open(dir, opts)) {
      assertEquals(51, wal.lastLsn());
    }
  }

  @Test
  void groupAsyncCloseSyncsWhatIsBuffered() {
    FaultyChannels ch = new FaultyChannels();
    WalOptions opts = WalOptions.defaults().withDurability(Durability.GROUP_ASYNC)
        .withGroupAsyncMillis(WalOptions.MAX_GROUP_ASYNC_MILLIS).withChannels(ch);
    try (Wal wal = Wal.open(dir, opts)) {
      for (int i = 0; i < 10; i++) {
        wal.append((byte) 1, new byte[10]);
      }
      assertEquals(0, wal.durableLsn(), "a one-minute interval has not passed");
      long before = ch.segmentForces.get();
      wal.close();
      assertEquals(10, wal.durableLsn());
      assertTrue(ch.segmentForces.get() > before);
    }
    try (Wal wal = Wal.open(dir, Logs.none())) {
      assertEquals(10, wal.lastLsn());
    }
  }

  @Test
  void syncAppendIsDurableWhenItReturns() {
    FaultyChannels ch = new FaultyChannels();
    try (Wal wal = Wal.open(dir, WalOptions.defaults().withChannels(ch))) {
      long before = ch.segmentForces.get();
      for (long i = 1; i <= 20; i++) {
        long lsn = wal.append((byte) 1, new byte[50]);
        assertTrue(wal.durableLsn() >= lsn);
      }
      assertEquals(20, ch.segmentForces.get() - before, "one thread: one fsync per append");
      long a = wal.append((byte) 2, new byte[5], false);
      long b = wal.append((byte) 2, new byte[5], false);
      assertEquals(20, wal.durableLsn(), "appends that do not wait are only buffered");
      assertEquals(20, Logs.readAll(wal, 1).size(), "buffered records are not visible yet");
      wal.awaitDurable(b);
      assertTrue(wal.durableLsn() >= b && b == a + 1);
      assertEquals(21, ch.segmentForces.get() - before, "both in one group");
      assertEquals(22, Logs.readAll(wal, 1).size());
      wal.awaitDurable(a); // already durable: returns at once
      assertEquals(21, ch.segmentForces.get() - before);
    }
  }
}
