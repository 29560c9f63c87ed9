package io.treestore.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Wal#deleteSegmentsBefore}: which segments go, keep-N, the active segment, the
 * directory sync, and readers of deleted records.
 *
 * <p>Proves that exactly the segments all of whose records are below the LSN are deleted
 * (also at a segment boundary), minus the newest {@code keepSegments} of them; that the
 * segment being written to is never deleted; that the directory is synced once per call that
 * deleted something and not otherwise; that reading below the oldest retained LSN fails with
 * a message naming it; and that the log reopens with its first LSN moved and its last LSN
 * unchanged.
 */
class SegmentDeletionTest {
  @TempDir Path dir;

  /** Writes 60 records of 1100 bytes into 4 KiB segments (3 records per segment). */
  private List<Long> fill(Wal wal) {
    for (int i = 0; i < 60; i++) {
      wal.append((byte) 1, new byte[1100]);
    }
    List<Long> firsts = new ArrayList<>();
    for (Path p : Logs.segments(dir)) {
      firsts.add(Logs.firstLsnOf(p));
    }
    assertEquals(20, firsts.size(), "layout: " + firsts);
    return firsts;
  }

  @Test
  void deletesExactlyTheSegmentsWhollyBelowTheLsn() {
    FaultyChannels ch = new FaultyChannels();
    WalOptions opts = WalOptions.defaults().withSegmentBytes(4096).withChannels(ch);
    try (Wal wal = Wal.open(dir, opts)) {
      List<Long> firsts = fill(wal);
      int dirSyncs = ch.forces(dir);
      // LSN inside segment 4: segments 0..3 end below it.
      long lsn = firsts.get(4) + 1;
      assertEquals(4, wal.deleteSegmentsBefore(lsn));
      assertEquals(firsts.subList(4, 20), firstLsns());
      assertEquals(dirSyncs + 1, ch.forces(dir), "directory synced after deleting");
      assertEquals(firsts.get(4), wal.firstLsn());
      // At a segment boundary: segment 4 ends at firsts[5] - 1 < firsts[5].
      assertEquals(1, wal.deleteSegmentsBefore(firsts.get(5)));
      assertEquals(firsts.subList(5, 20), firstLsns());
      // Nothing to delete: no directory sync.
      assertEquals(0, wal.deleteSegmentsBefore(firsts.get(5)));
      assertEquals(0, wal.deleteSegmentsBefore(1));
      assertEquals(dirSyncs + 2, ch.forces(dir));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> wal.read(firsts.get(5) - 1));
      assertTrue(e.getMessage().contains("oldest available LSN is " + firsts.get(5)),
          e.getMessage());
      assertEquals(60 - firsts.get(5) + 1, Logs.readAll(wal, firsts.get(5)).size());
    }
    try (Wal wal = Wal.open(dir, opts)) {
      assertEquals(60, wal.lastLsn());
      assertEquals(Logs.firstLsnOf(Logs.segments(dir).getFirst()), wal.firstLsn());
      assertEquals(61, wal.append((byte) 1, new byte[1]));
    }
  }

  @Test
  void keepsTheNewestKeepSegments() {
    WalOptions opts = Logs.none().withSegmentBytes(4096).withKeepSegments(2);
    try (Wal wal = Wal.open(dir, opts)) {
      List<Long> firsts = fill(wal);
      assertEquals(2, wal.deleteSegmentsBefore(firsts.get(4))); // 4 candidates, keep 2
      assertEquals(firsts.subList(2, 20), firstLsns());
      assertEquals(0, wal.deleteSegmentsBefore(firsts.get(4)));
      assertEquals(1, wal.deleteSegmentsBefore(firsts.get(5)));
      assertEquals(firsts.subList(3, 20), firstLsns());
    }
  }

  @Test
  void neverDeletesTheActiveSegment() {
    try (Wal wal = Wal.open(dir, Logs.none().withSegmentBytes(4096))) {
      List<Long> firsts = fill(wal);
      assertEquals(19, wal.deleteSegmentsBefore(wal.lastLsn() + 1));
      assertEquals(List.of(firsts.get(19)), firstLsns());
      assertEquals(0, wal.deleteSegmentsBefore(wal.lastLsn() + 1));
      assertThrows(IllegalArgumentException.class,
          () -> wal.deleteSegmentsBefore(wal.lastLsn() + 2));
      assertThrows(IllegalArgumentException.class, () -> wal.deleteSegmentsBefore(0));
      assertEquals(61, wal.append((byte) 1, new byte[1]));
      assertEquals(4, Logs.readAll(wal, firsts.get(19)).size());
    }
  }

  @Test
  void aReaderThatReachesADeletedSegmentFails() {
    try (Wal wal = Wal.open(dir, Logs.none().withSegmentBytes(4096))) {
      List<Long> firsts = fill(wal);
      try (WalReader r = wal.read(1)) {
        assertEquals(1, r.next().lsn()); // segment 0 is open
        assertEquals(5, wal.deleteSegmentsBefore(firsts.get(5)));
        assertEquals(2, r.next().lsn()); // the open file is still readable (POSIX)
        assertEquals(3, r.next().lsn());
        WalException e = assertThrows(WalException.class, r::hasNext);
        assertTrue(e.getMessage().contains("oldest available LSN is " + firsts.get(5)),
            e.getMessage());
      }
    }
  }

  private List<Long> firstLsns() {
    return Logs.segments(dir).stream().map(Logs::firstLsnOf).toList();
  }
}
