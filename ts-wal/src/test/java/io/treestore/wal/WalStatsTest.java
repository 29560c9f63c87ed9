package io.treestore.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Wal#stats()}: groups, records, bytes and group syncs as an operator reads them, for
 * one appender (every record is its own group and sync), in {@link Durability#NONE} mode (no
 * syncs), across a reopen (counters start at zero; replayed records are not writes), and when a
 * sync fails (a failed sync is not counted, the group that was written is). Concurrent
 * appenders are checked in {@link GroupCommitTest}.
 */
class WalStatsTest {
  @TempDir Path dir;

  @Test
  void oneAppenderWritesAndSyncsEachRecordAsAGroup() {
    FaultyChannels ch = new FaultyChannels();
    try (Wal wal = Wal.open(dir, WalOptions.defaults().withChannels(ch))) {
      assertEquals(new WalStats(0, 0, 0, 0, 0), wal.stats());
      long forcesBefore = ch.segmentForces.get();
      long bytes = 0;
      for (int i = 0; i < 50; i++) {
        byte[] p = new byte[10 + i];
        wal.append((byte) 1, p);
        bytes += Wal.FRAME_HEADER_BYTES + p.length;
      }
      WalStats s = wal.stats();
      assertEquals(50, s.groups());
      assertEquals(50, s.records());
      assertEquals(bytes, s.bytes());
      assertEquals(wal.sizeBytes() - Wal.SEGMENT_HEADER_BYTES, s.bytes(), "records' bytes");
      assertEquals(50, s.syncs());
      assertEquals(ch.segmentForces.get() - forcesBefore, s.syncs(), "every group fsync");
      assertTrue(s.syncNanos() > 0, "sync time is measured");
    }
    try (Wal wal = Wal.open(dir, WalOptions.defaults())) {
      assertEquals(50, wal.lastLsn());
      assertEquals(new WalStats(0, 0, 0, 0, 0), wal.stats(), "counters start at open");
      wal.append((byte) 1, new byte[3]);
      assertEquals(1, wal.stats().records());
    }
  }

  @Test
  void noSyncsAreCountedInNoneMode() {
    try (Wal wal = Wal.open(dir, WalOptions.defaults().withDurability(Durability.NONE))) {
      long last = 0;
      for (int i = 0; i < 20; i++) {
        last = wal.append((byte) 1, new byte[100], false);
      }
      wal.awaitDurable(last);
      WalStats s = wal.stats();
      assertEquals(20, s.records());
      assertTrue(s.groups() >= 1 && s.groups() <= 20, "groups " + s.groups());
      assertEquals(0, s.syncs());
      assertEquals(0, s.syncNanos());
    }
  }

  @Test
  void aFailedSyncIsNotCountedButItsGroupIs() {
    FaultyChannels ch = new FaultyChannels();
    try (Wal wal = Wal.open(dir, WalOptions.defaults().withChannels(ch))) {
      wal.append((byte) 1, new byte[8]);
      ch.failForces.set(1);
      assertThrows(WalException.class, () -> wal.append((byte) 1, new byte[8]));
      WalStats s = wal.stats();
      assertEquals(2, s.groups(), "the second group was written");
      assertEquals(2, s.records());
      assertEquals(1, s.syncs(), "only the sync that succeeded");
    }
  }

  @Test
  void negativeCountersAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new WalStats(0, -1, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new WalStats(0, 0, 0, 0, -5));
  }
}
