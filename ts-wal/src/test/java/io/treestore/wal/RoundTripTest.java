package io.treestore.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Round trips: random records of 0 bytes to 1 MiB, written across many segment rotations
 * (64 KiB segments), read back while open and after reopening, from LSN 1 and from LSNs at,
 * inside and at the end of segments; LSNs continue after reopening.
 *
 * <p>Proves that what is appended is what is replayed (LSN, type, payload), that segment files
 * are named by the LSN of their first record and hold no more than the configured size (unless
 * one record is larger), and that replay from any LSN returns exactly the records from there
 * on. Seeded; the seed is in every failure message (rerun with {@code -Dts.seed=...}).
 */
class RoundTripTest {
  private static final long SEED = Long.getLong("ts.seed", 0x5EED_0001L);
  private static final long SEGMENT = 64 << 10;

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(Durability.class)
  void manyRandomRecordsAcrossSegments(Durability mode) throws IOException {
    String ctx = "seed=" + SEED + " mode=" + mode;
    Random rnd = new Random(SEED);
    WalOptions opts = WalOptions.defaults().withSegmentBytes(SEGMENT).withDurability(mode)
        .withGroupAsyncMillis(5);
    int n = mode == Durability.NONE ? 600 : 300;
    List<byte[]> expected = new ArrayList<>();
    try (Wal wal = Wal.open(dir, opts)) {
      assertEquals(0, wal.lastLsn(), ctx);
      assertEquals(1, wal.firstLsn(), ctx);
      for (int i = 0; i < n; i++) {
        long lsn = i + 1;
        byte[] p = Logs.payload(SEED, lsn, Logs.size(rnd, 1 << 20));
        expected.add(p);
        assertEquals(lsn, wal.append(Logs.type(lsn), p), ctx);
      }
      wal.awaitDurable(n);
      assertEquals(n, wal.durableLsn(), ctx);
      Logs.assertRecords(expected, 1, n, Logs.readAll(wal, 1), ctx + " before reopen");
      long recordBytes = 0;
      for (byte[] p : expected) {
        recordBytes += Wal.FRAME_HEADER_BYTES + p.length;
      }
      assertEquals(recordBytes + (long) Wal.SEGMENT_HEADER_BYTES * Logs.segments(dir).size(),
          wal.sizeBytes(), ctx + ": sizeBytes counts headers and records, not preallocation");
      assertTrue(sumOfSizes(dir) >= wal.sizeBytes(), ctx + ": files hold at least that");
    }
    List<Path> segs = Logs.segments(dir);
    assertTrue(segs.size() > 10, ctx + ": expected many rotations, got " + segs.size());
    TreeSet<Long> firsts = new TreeSet<>();
    for (Path s : segs) {
      long first = Logs.firstLsnOf(s);
      firsts.add(first);
      assertEquals(first, Logs.headerLsnOf(s), ctx + ": header of " + s);
      long size = Files.size(s);
      int firstSize = expected.get((int) first - 1).length;
      assertTrue(size <= SEGMENT || size == Wal.SEGMENT_HEADER_BYTES + Wal.FRAME_HEADER_BYTES
          + firstSize, ctx + ": " + s + " is " + size + " bytes and holds more than one record");
    }
    try (Wal wal = Wal.open(dir, opts)) {
      assertEquals(n, wal.lastLsn(), ctx + ": lastLsn after reopen");
      assertEquals(n, wal.durableLsn(), ctx + ": durableLsn after reopen");
      Logs.assertRecords(expected, 1, n, Logs.readAll(wal, 1), ctx + " after reopen");
      // From the first LSN of segments, from inside them, from their last record, past the end.
      List<Long> starts = new ArrayList<>(firsts);
      for (int i = 0; i < 40; i++) {
        starts.add(1 + (long) rnd.nextInt(n));
      }
      for (long f : firsts) {
        if (f > 1) {
          starts.add(f - 1);
        }
      }
      starts.add((long) n);
      starts.add((long) n + 1);
      starts.add((long) n + 1000);
      for (long from : starts) {
        Logs.assertRecords(expected, from, n, Logs.readAll(wal, from), ctx + " from " + from);
      }
      // Appends continue the numbering.
      for (int i = 0; i < 5; i++) {
        long lsn = n + 1 + i;
        byte[] p = Logs.payload(SEED, lsn, rnd.nextInt(100));
        expected.add(p);
        assertEquals(lsn, wal.append(Logs.type(lsn), p), ctx + ": LSN after reopen");
      }
    }
    try (Wal wal = Wal.open(dir, opts)) {
      assertEquals(n + 5, wal.lastLsn(), ctx);
      Logs.assertRecords(expected, 1, n + 5, Logs.readAll(wal, 1), ctx + " second reopen");
    }
  }

  @Test
  void emptyLogReopensEmptyAndStartsAtOne() {
    try (Wal wal = Wal.open(dir, Logs.none())) {
      assertEquals(0, wal.lastLsn());
      assertFalse(wal.read(1).hasNext());
    }
    assertEquals(List.of(dir.resolve("00000000000000000001.wal")), Logs.segments(dir));
    try (Wal wal = Wal.open(dir, Logs.none())) {
      assertEquals(0, wal.lastLsn());
      assertEquals(1, wal.append((byte) 1, new byte[0]));
    }
  }

  @Test
  void recordLargerThanASegmentGetsASegmentOfItsOwn() throws IOException {
    WalOptions opts = Logs.none().withSegmentBytes(WalOptions.MIN_SEGMENT_BYTES);
    List<byte[]> expected = new ArrayList<>();
    try (Wal wal = Wal.open(dir, opts)) {
      for (int size : new int[] {10, 100_000, 20, 30, 5000, 7}) {
        long lsn = wal.lastLsn() + 1;
        byte[] p = Logs.payload(SEED, lsn, size);
        expected.add(p);
        wal.append(Logs.type(lsn), p);
      }
    }
    List<Long> firsts = Logs.segments(dir).stream().map(Logs::firstLsnOf).toList();
    // 10 | 100000 | 20, 30 | 5000 | 7
    assertEquals(List.of(1L, 2L, 3L, 5L, 6L), firsts);
    try (Wal wal = Wal.open(dir, opts)) {
      Logs.assertRecords(expected, 1, 6, Logs.readAll(wal, 1), "seed=" + SEED);
    }
  }

  @Test
  void readerFollowsAppends() {
    try (Wal wal = Wal.open(dir, Logs.none().withSegmentBytes(4096));
        WalReader r = wal.read(1)) {
      assertFalse(r.hasNext());
      for (long lsn = 1; lsn <= 50; lsn++) {
        wal.append(Logs.type(lsn), Logs.payload(SEED, lsn, 300));
        assertTrue(r.hasNext(), "record " + lsn + " visible once written");
        WalRecord rec = r.next();
        assertEquals(lsn, rec.lsn());
        assertEquals(new WalRecord(lsn, Logs.type(lsn), Logs.payload(SEED, lsn, 300)), rec);
        assertFalse(r.hasNext());
      }
    }
  }

  private static long sumOfSizes(Path dir) throws IOException {
    long total = 0;
    for (Path p : Logs.segments(dir)) {
      total += Files.size(p);
    }
    return total;
  }

  @Test
  void aNewLogCanStartAtAGivenLsnAndAnExistingOneIgnoresIt(@TempDir Path tmp) {
    Path d = tmp.resolve("from-1000");
    try (Wal wal = Wal.open(d, WalOptions.defaults(), 1000)) {
      assertEquals(999, wal.lastLsn());
      assertEquals(1000, wal.append((byte) 1, new byte[] {1}));
      assertEquals(1000, wal.firstLsn());
    }
    try (Wal wal = Wal.open(d, WalOptions.defaults(), 5)) {
      assertEquals(1000, wal.lastLsn());
      assertEquals(1001, wal.append((byte) 1, new byte[] {2}));
    }
    assertThrows(IllegalArgumentException.class,
        () -> Wal.open(tmp.resolve("zero"), WalOptions.defaults(), 0));
  }
}
