package io.treestore.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preallocation ({@link WalOptions#preallocateBytes()}): the active segment is zero-filled ahead
 * of its last record, later groups write into that space without growing the file, the space
 * never passes the segment size, and recovery takes zeros after the last record for the end of
 * the log without truncating or complaining, in the last segment and in sealed ones.
 */
class PreallocationTest {
  private static final long SEED = 0x5eed_0005L;
  private static final int RECORD = Wal.FRAME_HEADER_BYTES + 100;

  @TempDir Path dir;

  @Test
  void zeroFillsAheadOfTheLastRecordAndLaterGroupsWriteInPlace() throws IOException {
    try (Wal wal = Wal.open(dir, WalOptions.defaults())) {
      wal.append((byte) 1, Logs.payload(SEED, 1, 100));
      Path seg = Logs.segments(dir).getFirst();
      long end = Wal.SEGMENT_HEADER_BYTES + RECORD;
      assertEquals(end + WalOptions.DEFAULT_PREALLOCATE_BYTES, Files.size(seg));
      assertZerosAfter(seg, end);
      long size = Files.size(seg);
      for (long lsn = 2; lsn <= 100; lsn++) {
        wal.append(Logs.type(lsn), Logs.payload(SEED, lsn, 100));
        assertEquals(size, Files.size(seg), "LSN " + lsn + " written into preallocated space");
      }
      assertEquals(Wal.SEGMENT_HEADER_BYTES + 100L * RECORD, wal.sizeBytes(),
          "sizeBytes counts records, not zeros");
      assertZerosAfter(seg, wal.sizeBytes());
    }
  }

  @Test
  void theFileGrowsAgainOnlyWhenTheRecordsReachThePreallocatedEnd() throws IOException {
    WalOptions opts = WalOptions.defaults().withPreallocateBytes(4096);
    try (Wal wal = Wal.open(dir, opts)) {
      Path seg = Logs.segments(dir).getFirst();
      long grows = 0;
      long size = Wal.SEGMENT_HEADER_BYTES;
      for (long lsn = 1; lsn <= 200; lsn++) {
        wal.append(Logs.type(lsn), Logs.payload(SEED, lsn, 100));
        long end = Wal.SEGMENT_HEADER_BYTES + lsn * RECORD;
        long now = Files.size(seg);
        if (now != size) {
          grows++;
          assertEquals(end + 4096, now, "LSN " + lsn + ": grows to 4 KiB past the record");
          size = now;
        }
        assertTrue(now >= end, "LSN " + lsn);
      }
      long total = Wal.SEGMENT_HEADER_BYTES + 200L * RECORD;
      assertTrue(grows <= total / 4096 + 1, "grew " + grows + " times for " + total + " bytes");
    }
  }

  @Test
  void aGroupLargerThanTheWriteBufferIsZeroFilledOnceBeyondItsEnd() throws IOException {
    FaultyChannels ch = new FaultyChannels();
    byte[] big = Logs.payload(SEED, 1, 3 << 20); // three buffer-fulls
    try (Wal wal = Wal.open(dir, WalOptions.defaults().withChannels(ch))) {
      long before = ch.writes.get();
      wal.append(Logs.type(1), big);
      long end = Wal.SEGMENT_HEADER_BYTES + Wal.FRAME_HEADER_BYTES + (3L << 20);
      Path seg = Logs.segments(dir).getFirst();
      assertEquals(end + WalOptions.DEFAULT_PREALLOCATE_BYTES, Files.size(seg));
      assertZerosAfter(seg, end);
      // 1 MiB of zeros in 64 KiB writes, and the record in four writes through the 1 MiB
      // buffer: no zeros were written where the record then went.
      assertEquals(16 + 4, ch.writes.get() - before);
      Logs.assertRecords(List.of(big), 1, 1, Logs.readAll(wal, 1), "seed=" + SEED);
    }
  }

  @Test
  void neverPastTheSegmentSize() throws IOException {
    WalOptions opts = WalOptions.defaults().withSegmentBytes(8192);
    List<byte[]> expected = new ArrayList<>();
    try (Wal wal = Wal.open(dir, opts)) {
      for (long lsn = 1; lsn <= 300; lsn++) {
        expected.add(Logs.payload(SEED, lsn, 100));
        wal.append(Logs.type(lsn), expected.getLast());
      }
    }
    List<Path> segs = Logs.segments(dir);
    assertTrue(segs.size() > 4, "segments: " + segs);
    for (Path s : segs) {
      assertTrue(Files.size(s) <= 8192, s + ": " + Files.size(s));
    }
    // Sealed segments end in zeros too; recovery reads through them.
    try (Wal wal = Wal.open(dir, opts)) {
      assertEquals(300, wal.lastLsn());
      Logs.assertRecords(expected, 1, 300, Logs.readAll(wal, 1), "seed=" + SEED);
    }
  }

  @Test
  void offWritesNoZeros() throws IOException {
    try (Wal wal = Wal.open(dir, WalOptions.defaults().withPreallocateBytes(0))) {
      for (long lsn = 1; lsn <= 10; lsn++) {
        wal.append(Logs.type(lsn), Logs.payload(SEED, lsn, 100));
      }
      assertEquals(Wal.SEGMENT_HEADER_BYTES + 10L * RECORD,
          Files.size(Logs.segments(dir).getFirst()));
    }
  }

  @Test
  void reopenKeepsThePreallocatedSpaceAndAppendsInPlace() throws IOException {
    List<byte[]> expected = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      try (Wal wal = Wal.open(dir, WalOptions.defaults())) {
        assertEquals(expected.size(), wal.lastLsn(), "round " + round);
        Logs.assertRecords(expected, 1, expected.size(), Logs.readAll(wal, 1), "round " + round);
        for (int i = 0; i < 5; i++) {
          long lsn = expected.size() + 1;
          expected.add(Logs.payload(SEED, lsn, 100));
          assertEquals(lsn, wal.append(Logs.type(lsn), expected.getLast()));
        }
      }
      Path seg = Logs.segments(dir).getFirst();
      assertEquals(Wal.SEGMENT_HEADER_BYTES + RECORD + WalOptions.DEFAULT_PREALLOCATE_BYTES,
          Files.size(seg), "round " + round + ": neither truncated nor grown");
      assertZerosAfter(seg, Wal.SEGMENT_HEADER_BYTES + (long) expected.size() * RECORD);
    }
  }

  @Test
  void outOfRangeIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WalOptions.defaults().withPreallocateBytes(-1));
    assertTrue(e.getMessage().contains("preallocateBytes must be in [0, 1073741824], was -1"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> WalOptions.defaults().withPreallocateBytes(WalOptions.MAX_PREALLOCATE_BYTES + 1));
    assertEquals(WalOptions.DEFAULT_PREALLOCATE_BYTES,
        new WalOptions(1 << 20, Durability.SYNC, 10, 0, WalChannels.DEFAULT).preallocateBytes());
  }

  private static void assertZerosAfter(Path seg, long end) throws IOException {
    byte[] b = Files.readAllBytes(seg);
    for (int i = (int) end; i < b.length; i++) {
      if (b[i] != 0) {
        throw new AssertionError(seg + ": byte " + i + " after the last record (" + end
            + ") is " + b[i] + ", not a preallocated zero");
      }
    }
  }
}
