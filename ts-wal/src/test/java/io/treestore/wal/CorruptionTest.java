package io.treestore.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mid-log damage: a flipped byte in a record followed by valid records (in the last segment
 * and in earlier ones), a damaged header of an earlier segment, a missing segment, damage
 * found by a reader of an open log.
 *
 * <p>Proves that such damage is never taken for a torn tail and never skipped: opening fails
 * with {@link WalCorruptionException} whose {@code file()} and {@code offset()} (and message)
 * name the damaged segment and the exact byte offset of the damaged record, and the files are
 * left untouched. A reader reports damage the same way instead of returning the bytes. Seeded;
 * the seed is in every failure message.
 */
class CorruptionTest {
  private static final long SEED = Long.getLong("ts.seed", 0x5EED_0003L);

  @TempDir Path tmp;

  @Test
  void everyByteOfARecordFollowedByValidOnesInTheLastSegment() throws IOException {
    Random rnd = new Random(SEED);
    int[] sizes = new int[10];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = 1 + rnd.nextInt(60);
    }
    Path original = tmp.resolve("original");
    write(original, sizes, Logs.none());
    byte[] image = Files.readAllBytes(Logs.segments(original).getFirst());
    long[] off = Logs.frameOffsets(sizes);
    for (int k : new int[] {0, 4, sizes.length - 2}) {
      for (long b = off[k]; b < off[k + 1]; b++) {
        String ctx = "seed=" + SEED + " record=" + (k + 1) + " byte=" + b;
        byte[] damaged = image.clone();
        damaged[(int) b] ^= (byte) (1 << rnd.nextInt(8));
        Path dir = tmp.resolve("d-" + k + "-" + b);
        Files.createDirectories(dir);
        Path seg = dir.resolve(Format.segmentName(1));
        Files.write(seg, damaged);
        WalCorruptionException e = assertThrows(WalCorruptionException.class,
            () -> Wal.open(dir, Logs.none()), ctx);
        assertEquals(seg, e.file(), ctx);
        assertEquals(off[k], e.offset(), ctx + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(seg.toString())
            && e.getMessage().contains("offset " + off[k]), ctx + ": " + e.getMessage());
        assertArrayEquals(damaged, Files.readAllBytes(seg), ctx + ": file untouched");
        Files.delete(seg);
        Files.delete(dir);
      }
    }
  }

  @Test
  void damageInAnEarlierSegmentIsNeverATornTail() throws IOException {
    Random rnd = new Random(SEED);
    Path original = tmp.resolve("original");
    int[] sizes = new int[60];
    java.util.Arrays.fill(sizes, 300);
    write(original, sizes, Logs.none().withSegmentBytes(4096));
    List<Path> segs = Logs.segments(original);
    assertTrue(segs.size() >= 4, "segments: " + segs);
    for (int trial = 0; trial < 30; trial++) {
      int s = rnd.nextInt(segs.size() - 1); // not the last segment
      Path seg = segs.get(s);
      long size = Files.size(seg);
      long frames = (size - Wal.SEGMENT_HEADER_BYTES) / (300 + Wal.FRAME_HEADER_BYTES);
      // Half the trials hit the segment's last record, which no valid record follows there.
      long k = trial % 2 == 0 ? frames - 1 : rnd.nextLong(frames);
      long recordOff = Wal.SEGMENT_HEADER_BYTES + k * (300 + Wal.FRAME_HEADER_BYTES);
      long b = recordOff + rnd.nextInt(300 + Wal.FRAME_HEADER_BYTES);
      String ctx = "seed=" + SEED + " trial=" + trial + " segment=" + seg.getFileName()
          + " byte=" + b;
      Path dir = copy(original, tmp.resolve("t" + trial));
      Path target = dir.resolve(seg.getFileName());
      byte[] bytes = Files.readAllBytes(target);
      bytes[(int) b] ^= (byte) (1 + rnd.nextInt(255));
      Files.write(target, bytes);
      WalCorruptionException e = assertThrows(WalCorruptionException.class,
          () -> Wal.open(dir, Logs.none()), ctx);
      assertEquals(target, e.file(), ctx);
      assertEquals(recordOff, e.offset(), ctx + ": " + e.getMessage());
      assertEquals(size, Files.size(target), ctx + ": not truncated");
    }
  }

  @Test
  void damagedHeaderOfAnEarlierSegment() throws IOException {
    Path dir = tmp.resolve("h");
    int[] sizes = new int[30];
    java.util.Arrays.fill(sizes, 300);
    write(dir, sizes, Logs.none().withSegmentBytes(4096));
    Path seg = Logs.segments(dir).get(1);
    byte[] bytes = Files.readAllBytes(seg);
    bytes[14] ^= 1; // first LSN
    Files.write(seg, bytes);
    WalCorruptionException e = assertThrows(WalCorruptionException.class,
        () -> Wal.open(dir, Logs.none()));
    assertEquals(seg, e.file());
    assertEquals(0, e.offset());
  }

  @Test
  void missingSegmentIsReported() throws IOException {
    Path dir = tmp.resolve("m");
    int[] sizes = new int[30];
    java.util.Arrays.fill(sizes, 300);
    write(dir, sizes, Logs.none().withSegmentBytes(4096));
    List<Path> segs = Logs.segments(dir);
    Files.delete(segs.get(1));
    WalCorruptionException e = assertThrows(WalCorruptionException.class,
        () -> Wal.open(dir, Logs.none()));
    assertEquals(segs.get(2), e.file());
    assertEquals(0, e.offset());
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
  }

  @Test
  void readerReportsDamageInsteadOfReturningIt() throws IOException {
    Path dir = tmp.resolve("r");
    int[] sizes = new int[30];
    java.util.Arrays.fill(sizes, 300);
    try (Wal wal = Wal.open(dir, Logs.none().withSegmentBytes(4096))) {
      for (int i = 0; i < sizes.length; i++) {
        wal.append(Logs.type(i + 1), Logs.payload(SEED, i + 1, sizes[i]));
      }
      Path seg = Logs.segments(dir).get(1);
      long first = Logs.firstLsnOf(seg);
      long recordOff = Wal.SEGMENT_HEADER_BYTES + 300 + Wal.FRAME_HEADER_BYTES; // its second record
      byte[] bytes = Files.readAllBytes(seg);
      bytes[(int) recordOff + 100] ^= 4;
      Files.write(seg, bytes);
      try (WalReader r = wal.read(1)) {
        for (long lsn = 1; lsn <= first; lsn++) {
          assertEquals(lsn, r.next().lsn());
        }
        WalCorruptionException e = assertThrows(WalCorruptionException.class, r::hasNext);
        assertEquals(seg, e.file());
        assertEquals(recordOff, e.offset());
      }
    }
  }

  private static void write(Path dir, int[] sizes, WalOptions opts) {
    try (Wal wal = Wal.open(dir, opts)) {
      for (int i = 0; i < sizes.length; i++) {
        wal.append(Logs.type(i + 1), Logs.payload(SEED, i + 1, sizes[i]));
      }
    }
  }

  private static Path copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    List<Path> copied = new ArrayList<>();
    for (Path p : Logs.segments(from)) {
      copied.add(Files.copy(p, to.resolve(p.getFileName())));
    }
    return to;
  }
}
