package io.treestore.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Injected I/O failures: a failed {@code fsync} (of a segment, of the directory), a full disk
 * (ENOSPC) on a write, a short write followed by an error, ENOSPC while creating a segment and
 * in the middle of a group that spans two segments.
 *
 * <p>Proves the failure model: a failed {@code fsync} is never retried as if it succeeded, the
 * log turns read-only and every waiter of the failed group and every later append get a
 * {@link WalException} with the original {@link IOException} as cause and the reason in
 * {@link Wal#failure()}; reading still works and reopening recovers what was written. A failed
 * write is undone (files truncated or deleted back to the last good state), the appender gets
 * the error, no acknowledged record is lost, and the log stays writable: once the disk has
 * room, appends succeed with the next LSN. A failed write of a record appended without
 * waiting turns the log read-only instead.
 */
class FailureTest {
  private static final long SEED = Long.getLong("ts.seed", 0x5EED_0005L);

  @TempDir Path dir;

  @Test
  void failedFsyncMakesTheLogReadOnly() {
    FaultyChannels ch = new FaultyChannels();
    List<byte[]> expected = new ArrayList<>();
    try (Wal wal = Wal.open(dir, WalOptions.defaults().withChannels(ch))) {
      for (long lsn = 1; lsn <= 5; lsn++) {
        expected.add(Logs.payload(SEED, lsn, 40));
        wal.append(Logs.type(lsn), expected.getLast());
      }
      ch.failForces.set(1);
      expected.add(Logs.payload(SEED, 6, 40));
      WalException e = assertThrows(WalException.class,
          () -> wal.append(Logs.type(6), expected.getLast()));
      assertIoCause(e, FaultyChannels.FSYNC_ERROR);
      assertTrue(e.getMessage().contains("fsync"), e.getMessage());
      assertTrue(wal.isReadOnly());
      String why = wal.failure().orElseThrow();
      assertTrue(why.contains("fsync failed") && why.contains(FaultyChannels.FSYNC_ERROR), why);
      assertEquals(5, wal.durableLsn(), "the failed group is not durable");
      long forces = ch.segmentForces.get();
      // Every later append fails with the reason and the original cause; nothing is retried.
      WalException later = assertThrows(WalException.class,
          () -> wal.append((byte) 1, new byte[1]));
      assertIoCause(later, FaultyChannels.FSYNC_ERROR);
      assertTrue(later.getMessage().contains("read-only"), later.getMessage());
      assertThrows(WalException.class, () -> wal.append((byte) 1, new byte[1], false));
      assertThrows(WalException.class, () -> wal.awaitDurable(6));
      wal.awaitDurable(5); // durable before the failure
      assertThrows(WalException.class, () -> wal.deleteSegmentsBefore(1));
      assertEquals(forces, ch.segmentForces.get(), "no fsync retried");
      // Reading works, and shows what was written (durability unknown).
      Logs.assertRecords(expected, 1, 6, Logs.readAll(wal, 1), "seed=" + SEED);
    }
    try (Wal wal = Wal.open(dir, WalOptions.defaults())) {
      assertFalse(wal.isReadOnly());
      assertEquals(6, wal.lastLsn(), "what was written is recovered");
      Logs.assertRecords(expected, 1, 6, Logs.readAll(wal, 1), "seed=" + SEED);
      assertEquals(7, wal.append((byte) 1, new byte[1]));
    }
  }

  @Test
  void failedFsyncFailsEveryWaiterOfTheGroup() throws Exception {
    FaultyChannels ch = new FaultyChannels();
    try (Wal wal = Wal.open(dir, WalOptions.defaults().withChannels(ch));
        ExecutorService pool = Executors.newFixedThreadPool(8,
            Thread.ofPlatform().name("appender-", 0).factory())) {
      wal.append((byte) 1, new byte[1]);
      CountDownLatch gate = new CountDownLatch(1);
      ch.forceGate = gate;
      ch.failForces.set(1);
      long forces = ch.segmentForces.get();
      List<Future<Long>> results = new ArrayList<>();
      results.add(pool.submit(() -> wal.append((byte) 1, new byte[10])));
      while (ch.segmentForces.get() == forces) {
        Thread.sleep(1); // the leader is now blocked inside its fsync
      }
      for (int i = 0; i < 7; i++) {
        results.add(pool.submit(() -> wal.append((byte) 1, new byte[10])));
      }
      while (wal.lastLsn() < 9) {
        Thread.sleep(1); // all followers have their LSN and wait
      }
      gate.countDown();
      for (Future<Long> f : results) {
        Exception e = assertThrows(Exception.class, f::get);
        WalException w = assertInstanceOf(WalException.class, e.getCause());
        assertIoCause(w, FaultyChannels.FSYNC_ERROR);
      }
      assertTrue(wal.isReadOnly());
      assertEquals(1, wal.durableLsn());
    }
  }

  @Test
  void failedDirectoryFsyncOnRotationMakesTheLogReadOnly() {
    FaultyChannels ch = new FaultyChannels();
    try (Wal wal = Wal.open(dir, WalOptions.defaults().withSegmentBytes(4096)
        .withChannels(ch))) {
      wal.append((byte) 1, new byte[3000]);
      ch.failDirSyncs.set(1);
      WalException e = assertThrows(WalException.class,
          () -> wal.append((byte) 1, new byte[3000]));
      assertIoCause(e, FaultyChannels.FSYNC_ERROR + " (directory)");
      assertEquals(dir, e.file());
      assertTrue(wal.isReadOnly());
      assertThrows(WalException.class, () -> wal.append((byte) 1, new byte[1]));
    }
    try (Wal wal = Wal.open(dir, WalOptions.defaults())) {
      assertTrue(wal.lastLsn() >= 1);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void failedWriteIsUndoneAndTheLogStaysWritable(boolean shortWrite) throws IOException {
    FaultyChannels ch = new FaultyChannels();
    ch.shortWrite = shortWrite;
    List<byte[]> expected = new ArrayList<>();
    try (Wal wal = Wal.open(dir, WalOptions.defaults().withChannels(ch))) {
      for (long lsn = 1; lsn <= 10; lsn++) {
        expected.add(Logs.payload(SEED, lsn, 100));
        wal.append(Logs.type(lsn), expected.getLast());
      }
      Path seg = Logs.segments(dir).getFirst();
      long size = Wal.SEGMENT_HEADER_BYTES + 10L * (Wal.FRAME_HEADER_BYTES + 100);
      ch.writesBeforeFailure.set(0); // the disk is full
      for (int i = 0; i < 3; i++) {
        WalException e = assertThrows(WalException.class,
            () -> wal.append((byte) 1, Logs.payload(SEED, 999, 5000)));
        assertIoCause(e, FaultyChannels.ENOSPC);
        assertTrue(e.getMessage().contains("LSN 11"), e.getMessage());
        assertFalse(wal.isReadOnly(), "a failed write that was undone is not fatal");
        assertEquals(10, wal.lastLsn(), "the rejected LSN is given out again");
        assertEquals(size, Files.size(seg), "truncated back to the end of the last good record "
            + "(the preallocated zeros after it go too)");
      }
      ch.writesBeforeFailure.set(-1); // room again
      expected.add(Logs.payload(SEED, 11, 100));
      assertEquals(11, wal.append(Logs.type(11), expected.getLast()));
      Logs.assertRecords(expected, 1, 11, Logs.readAll(wal, 1), "seed=" + SEED);
    }
    try (Wal wal = Wal.open(dir, WalOptions.defaults())) {
      Logs.assertRecords(expected, 1, 11, Logs.readAll(wal, 1), "seed=" + SEED);
    }
  }

  @Test
  void concurrentWaitersOfAFailedWriteAreAllRejected() throws Exception {
    FaultyChannels ch = new FaultyChannels();
    try (Wal wal = Wal.open(dir, WalOptions.defaults().withChannels(ch));
        ExecutorService pool = Executors.newFixedThreadPool(8,
            Thread.ofPlatform().name("appender-", 0).factory())) {
      wal.append((byte) 1, new byte[1]);
      CountDownLatch gate = new CountDownLatch(1);
      ch.forceGate = gate;
      List<Future<Long>> first = new ArrayList<>();
      long forces = ch.segmentForces.get();
      first.add(pool.submit(() -> wal.append((byte) 1, new byte[10]))); // LSN 2, leader
      while (ch.segmentForces.get() == forces) {
        Thread.sleep(1);
      }
      List<Future<Long>> failing = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        failing.add(pool.submit(() -> wal.append((byte) 1, new byte[10])));
      }
      while (wal.lastLsn() < 8) {
        Thread.sleep(1);
      }
      ch.writesBeforeFailure.set(0); // the next group's write fails
      gate.countDown();
      assertEquals(2L, first.getFirst().get());
      for (Future<Long> f : failing) {
        Exception e = assertThrows(Exception.class, f::get);
        assertIoCause(assertInstanceOf(WalException.class, e.getCause()), FaultyChannels.ENOSPC);
      }
      assertFalse(wal.isReadOnly());
      assertEquals(2, wal.lastLsn());
      ch.writesBeforeFailure.set(-1);
      assertEquals(3, wal.append((byte) 1, new byte[1]));
      assertEquals(3, Logs.readAll(wal, 1).size());
    }
  }

  @Test
  void enospcWhileCreatingASegmentIsUndone() throws IOException {
    FaultyChannels ch = new FaultyChannels();
    WalOptions opts = WalOptions.defaults().withSegmentBytes(4096).withChannels(ch);
    try (Wal wal = Wal.open(dir, opts)) {
      wal.append((byte) 1, new byte[3000]);
      ch.failCreate = true;
      WalException e = assertThrows(WalException.class,
          () -> wal.append((byte) 1, new byte[3000]));
      assertIoCause(e, FaultyChannels.ENOSPC);
      assertEquals(1, Logs.segments(dir).size());
      ch.failCreate = false;
      // The header write of the new segment fails: the half-made file is deleted again.
      ch.writesBeforeFailure.set(0);
      assertThrows(WalException.class, () -> wal.append((byte) 1, new byte[3000]));
      assertEquals(1, Logs.segments(dir).size());
      assertFalse(wal.isReadOnly());
      ch.writesBeforeFailure.set(-1);
      assertEquals(2, wal.append((byte) 1, new byte[3000]));
      assertEquals(2, Logs.segments(dir).size());
    }
    try (Wal wal = Wal.open(dir, opts)) {
      assertEquals(2, wal.lastLsn());
    }
  }

  @Test
  void enospcInAGroupThatSpansTwoSegmentsIsUndone() throws IOException {
    FaultyChannels ch = new FaultyChannels();
    WalOptions opts = WalOptions.defaults().withSegmentBytes(64 << 10).withChannels(ch);
    byte[] big = Logs.payload(SEED, 2, 3 << 20); // written through the 1 MiB buffer in parts
    try (Wal wal = Wal.open(dir, opts)) {
      wal.append((byte) 1, new byte[100]);
      Path first = Logs.segments(dir).getFirst();
      long size = Wal.SEGMENT_HEADER_BYTES + Wal.FRAME_HEADER_BYTES + 100;
      ch.writesBeforeFailure.set(2); // new segment's header, 1 MiB of the record, then ENOSPC
      WalException e = assertThrows(WalException.class, () -> wal.append((byte) 1, big));
      assertIoCause(e, FaultyChannels.ENOSPC);
      assertEquals(List.of(first), Logs.segments(dir), "the new segment is deleted again");
      assertEquals(size, Files.size(first));
      assertFalse(wal.isReadOnly());
      ch.writesBeforeFailure.set(-1);
      assertEquals(2, wal.append((byte) 1, big));
    }
    try (Wal wal = Wal.open(dir, opts)) {
      List<WalRecord> all = Logs.readAll(wal, 1);
      assertEquals(2, all.size());
      assertArrayEquals(big, all.get(1).payload());
    }
  }

  @Test
  void failedWriteOfARecordAppendedWithoutWaitingIsFatal() {
    FaultyChannels ch = new FaultyChannels();
    try (Wal wal = Wal.open(dir, WalOptions.defaults().withChannels(ch))) {
      wal.append((byte) 1, new byte[1]);
      long lsn = wal.append((byte) 1, new byte[1], false);
      ch.writesBeforeFailure.set(0);
      WalException e = assertThrows(WalException.class, () -> wal.awaitDurable(lsn));
      assertIoCause(e, FaultyChannels.ENOSPC);
      assertTrue(wal.isReadOnly(), "the LSN was handed out, so it cannot be reused");
      assertTrue(wal.failure().orElseThrow().contains("without waiting"));
      ch.writesBeforeFailure.set(-1);
      assertThrows(WalException.class, () -> wal.append((byte) 1, new byte[1]));
    }
    try (Wal wal = Wal.open(dir, WalOptions.defaults())) {
      assertEquals(1, wal.lastLsn());
    }
  }

  @Test
  void anInterruptedAppenderDoesNotBreakTheLog() {
    try (Wal wal = Wal.open(dir, WalOptions.defaults())) {
      wal.append((byte) 1, new byte[10]);
      Thread.currentThread().interrupt();
      assertEquals(2, wal.append((byte) 1, new byte[10]), "leads its group despite the flag");
      assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
      assertFalse(wal.isReadOnly());
      assertEquals(3, wal.append((byte) 1, new byte[10]));
    }
  }

  private static void assertIoCause(WalException e, String message) {
    Throwable c = e.getCause();
    assertNotNull(c, "cause of " + e);
    assertInstanceOf(IOException.class, c, "cause of " + e);
    assertEquals(message, c.getMessage(), "cause of " + e);
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }
}
