package io.treestore.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Torn tails: the last segment cut at every byte offset inside its last two records, garbage
 * (random bytes, zeros) after the last record, an unfinished last segment (torn header).
 *
 * <p>Proves the torn-tail rule: opening succeeds, replays exactly the complete records,
 * truncates the file to the end of the last complete record, and appends continue with the
 * next LSN and survive another reopen; a last segment whose header is torn and which holds no
 * record is deleted. Seeded; the seed is in every failure message.
 */
class TornTailTest {
  private static final long SEED = Long.getLong("ts.seed", 0x5EED_0002L);

  @TempDir Path tmp;
  private final List<byte[]> expected = new ArrayList<>();
  private int[] sizes;
  private byte[] image;
  private long[] offsets;

  /** Builds a one-segment log of 12 records with random small payloads. */
  @BeforeEach
  void build() throws IOException {
    Random rnd = new Random(SEED);
    sizes = new int[12];
    Path dir = tmp.resolve("original");
    try (Wal wal = Wal.open(dir, Logs.none())) {
      for (int i = 0; i < sizes.length; i++) {
        long lsn = i + 1;
        sizes[i] = i == 3 ? 0 : 1 + rnd.nextInt(200);
        byte[] p = Logs.payload(SEED, lsn, sizes[i]);
        expected.add(p);
        wal.append(Logs.type(lsn), p);
      }
    }
    Path seg = Logs.segments(dir).getFirst();
    byte[] file = Files.readAllBytes(seg);
    offsets = Logs.frameOffsets(sizes);
    int end = (int) offsets[sizes.length];
    assertTrue(file.length > end && file.length - end < WalOptions.DEFAULT_PREALLOCATE_BYTES,
        "layout of the test log: its records, then at most 1 MiB of preallocated zeros: "
        + file.length);
    for (int i = end; i < file.length; i++) {
      assertEquals(0, file[i], "preallocated byte at offset " + i);
    }
    image = Arrays.copyOf(file, end); // as a log written without preallocation
  }

  @Test
  void cutAtEveryOffsetInsideTheLastTwoRecords() throws IOException {
    int n = sizes.length;
    long from = offsets[n - 2];
    for (long cut = from; cut < image.length; cut++) {
      int complete = cut >= offsets[n - 1] ? n - 1 : n - 2;
      String ctx = "seed=" + SEED + " cut=" + cut;
      Path dir = tmp.resolve("cut-" + cut);
      Files.createDirectories(dir);
      Path seg = dir.resolve(Format.segmentName(1));
      Files.write(seg, Arrays.copyOf(image, (int) cut));
      try (Wal wal = Wal.open(dir, Logs.none())) {
        assertEquals(complete, wal.lastLsn(), ctx);
        Logs.assertRecords(expected, 1, complete, Logs.readAll(wal, 1), ctx);
        long size = Files.size(seg);
        assertTrue(size == offsets[complete] || size == cut && zeros(image, offsets[complete],
            (int) cut), ctx + ": truncated to the last record, or kept if only zeros follow it, "
            + "which preallocated space cannot be told from: " + size);
        byte[] p = Logs.payload(SEED, 1000 + cut, 33);
        assertEquals(complete + 1, wal.append((byte) 9, p), ctx + ": next LSN");
      }
      try (Wal wal = Wal.open(dir, Logs.none())) {
        assertEquals(complete + 1, wal.lastLsn(), ctx + ": after reopen");
        List<WalRecord> all = Logs.readAll(wal, 1);
        Logs.assertRecords(expected, 1, complete, all.subList(0, complete), ctx);
        assertEquals(new WalRecord(complete + 1, (byte) 9, Logs.payload(SEED, 1000 + cut, 33)),
            all.get(complete), ctx);
      }
      deleteTree(dir);
    }
  }

  /**
   * A crash while a group was written into preallocated space leaves a part of its first
   * record, then zeros: the log ends before that record, whatever the cut.
   */
  @Test
  void cutInsideTheLastTwoRecordsFollowedByPreallocatedZeros() throws IOException {
    int n = sizes.length;
    for (long cut = offsets[n - 2]; cut <= image.length; cut++) {
      int complete = cut >= offsets[n] ? n : cut >= offsets[n - 1] ? n - 1 : n - 2;
      String ctx = "seed=" + SEED + " cut=" + cut;
      Path dir = tmp.resolve("zcut-" + cut);
      Files.createDirectories(dir);
      Path seg = dir.resolve(Format.segmentName(1));
      Files.write(seg, Arrays.copyOf(Arrays.copyOf(image, (int) cut), image.length + 8192));
      try (Wal wal = Wal.open(dir, Logs.none())) {
        assertEquals(complete, wal.lastLsn(), ctx);
        Logs.assertRecords(expected, 1, complete, Logs.readAll(wal, 1), ctx);
        long size = Files.size(seg);
        assertTrue(size == offsets[complete] || size == image.length + 8192,
            ctx + ": truncated to the last record, or kept whole if only zeros follow it: "
            + size);
        assertEquals(complete + 1, wal.append((byte) 9, new byte[] {7}), ctx + ": next LSN");
      }
      try (Wal wal = Wal.open(dir, Logs.none())) {
        assertEquals(complete + 1, wal.lastLsn(), ctx + ": after reopen");
        assertEquals(new WalRecord(complete + 1, (byte) 9, new byte[] {7}),
            Logs.readAll(wal, 1).get(complete), ctx);
      }
      deleteTree(dir);
    }
  }

  @Test
  void truncationIsSyncedInSyncMode() throws IOException {
    Path dir = tmp.resolve("sync");
    Files.createDirectories(dir);
    Path seg = dir.resolve(Format.segmentName(1));
    long cut = offsets[sizes.length - 1] + 5;
    Files.write(seg, Arrays.copyOf(image, (int) cut));
    FaultyChannels ch = new FaultyChannels();
    try (Wal wal = Wal.open(dir, WalOptions.defaults().withChannels(ch))) {
      assertEquals(sizes.length - 1, wal.lastLsn());
      assertEquals(offsets[sizes.length - 1], Files.size(seg));
      List<String> ev = ch.events();
      int t = ev.indexOf("truncate " + seg.getFileName() + " " + offsets[sizes.length - 1]);
      assertTrue(t >= 0, "truncated: " + ev);
      assertTrue(ev.subList(t, ev.size()).contains("force " + seg.getFileName()),
          "the truncation is synced: " + ev);
    }
  }

  @Test
  void garbageAfterTheLastRecordIsTruncated() throws IOException {
    Random rnd = new Random(SEED);
    for (int trial = 0; trial < 60; trial++) {
      int len = trial < 5 ? trial + 1 : 1 + rnd.nextInt(trial < 30 ? 64 : 20_000);
      byte[] garbage = new byte[len];
      boolean zeros = trial % 3 == 0;
      if (!zeros) {
        rnd.nextBytes(garbage);
      }
      String ctx = "seed=" + SEED + " trial=" + trial + " " + (zeros ? "zeros" : "random")
          + " x" + len;
      Path dir = tmp.resolve("garbage-" + trial);
      Files.createDirectories(dir);
      Path seg = dir.resolve(Format.segmentName(1));
      byte[] file = Arrays.copyOf(image, image.length + len);
      System.arraycopy(garbage, 0, file, image.length, len);
      Files.write(seg, file);
      try (Wal wal = Wal.open(dir, Logs.none())) {
        assertEquals(sizes.length, wal.lastLsn(), ctx);
        // Zeros after the last record are preallocated space, kept; anything else goes.
        assertEquals(zeros ? file.length : image.length, Files.size(seg),
            ctx + (zeros ? ": kept" : ": truncated"));
        Logs.assertRecords(expected, 1, sizes.length, Logs.readAll(wal, 1), ctx);
        assertEquals(sizes.length + 1, wal.append((byte) 1, new byte[] {1}), ctx);
      }
      deleteTree(dir);
    }
  }

  @Test
  void tornTailOfTheLastOfSeveralSegments() throws IOException {
    Path dir = tmp.resolve("multi");
    List<byte[]> exp = new ArrayList<>();
    WalOptions opts = Logs.none().withSegmentBytes(4096);
    try (Wal wal = Wal.open(dir, opts)) {
      for (long lsn = 1; lsn <= 40; lsn++) {
        byte[] p = Logs.payload(SEED, lsn, 500);
        exp.add(p);
        wal.append(Logs.type(lsn), p);
      }
    }
    List<Path> segs = Logs.segments(dir);
    assertTrue(segs.size() >= 4, "segments: " + segs);
    Path last = segs.getLast();
    long size = Wal.SEGMENT_HEADER_BYTES
        + (41 - Logs.firstLsnOf(last)) * (Wal.FRAME_HEADER_BYTES + 500);
    try (var ch = java.nio.channels.FileChannel.open(last,
        java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(size - 100); // inside the last record
    }
    try (Wal wal = Wal.open(dir, opts)) {
      assertEquals(39, wal.lastLsn());
      Logs.assertRecords(exp, 1, 39, Logs.readAll(wal, 1), "seed=" + SEED);
      assertEquals(size - 500 - Wal.FRAME_HEADER_BYTES, Files.size(last));
      assertEquals(40, wal.append((byte) 1, new byte[0]));
    }
  }

  @Test
  void unfinishedLastSegmentIsDeleted() throws IOException {
    byte[] header = Format.segmentHeader(sizes.length + 1);
    byte[] badCrc = header.clone();
    badCrc[Wal.SEGMENT_HEADER_BYTES - 1] ^= 1;
    byte[] badCrcAndGarbage = Arrays.copyOf(badCrc, 200);
    byte[][] variants = {new byte[0], Arrays.copyOf(header, 10),
        Arrays.copyOf(header, Wal.SEGMENT_HEADER_BYTES - 1), badCrc, badCrcAndGarbage};
    for (int v = 0; v < variants.length; v++) {
      String ctx = "variant " + v;
      Path dir = tmp.resolve("unfinished-" + v);
      Files.createDirectories(dir);
      Files.write(dir.resolve(Format.segmentName(1)), image);
      Path unfinished = dir.resolve(Format.segmentName(sizes.length + 1));
      Files.write(unfinished, variants[v]);
      try (Wal wal = Wal.open(dir, Logs.none().withSegmentBytes(4096))) {
        assertFalse(Files.exists(unfinished), ctx + ": deleted");
        assertEquals(sizes.length, wal.lastLsn(), ctx);
        Logs.assertRecords(expected, 1, sizes.length, Logs.readAll(wal, 1), ctx);
        // The next record does not fit the first segment: the new segment is created again.
        assertEquals(sizes.length + 1, wal.append((byte) 1, new byte[5000]), ctx);
        assertTrue(Files.size(unfinished) > Wal.SEGMENT_HEADER_BYTES, ctx + ": recreated");
      }
    }
  }

  @Test
  void onlySegmentUnfinishedStartsAnEmptyLog() throws IOException {
    Path dir = tmp.resolve("only");
    Files.createDirectories(dir);
    Path seg = dir.resolve(Format.segmentName(1));
    Files.write(seg, new byte[7]);
    try (Wal wal = Wal.open(dir, Logs.none())) {
      assertEquals(0, wal.lastLsn());
      assertEquals(Wal.SEGMENT_HEADER_BYTES, Files.size(seg), "recreated with a header");
      assertEquals(1, wal.append((byte) 1, new byte[3]));
    }
  }

  @Test
  void damagedHeaderOfALastSegmentWithRecordsIsCorruption() throws IOException {
    Path dir = tmp.resolve("header");
    Files.createDirectories(dir);
    byte[] damaged = image.clone();
    damaged[3] ^= 0x40; // magic
    Path seg = dir.resolve(Format.segmentName(1));
    Files.write(seg, damaged);
    WalCorruptionException e = assertThrows(WalCorruptionException.class,
        () -> Wal.open(dir, Logs.none()));
    assertEquals(seg, e.file());
    assertEquals(0, e.offset());
    assertTrue(e.getMessage().contains("magic"), e.getMessage());
    assertEquals(image.length, Files.size(seg), "nothing deleted or truncated");
  }

  private static void deleteTree(Path dir) throws IOException {
    for (Path p : Logs.segments(dir)) {
      Files.delete(p);
    }
    Files.delete(dir);
  }

  /**
   * Regression: one group write spans several 4 KiB blocks; a power loss may persist a later
   * block but not an earlier one. No record of the group had been reported durable, so the log
   * must end before the damage instead of being refused as corrupt mid-log.
   */
  @Test
  void aTornGroupWriteEndsTheLogAtTheDamage(@TempDir Path tmp) throws IOException {
    Path d = tmp.resolve("group");
    try (Wal wal = Wal.open(d, WalOptions.defaults())) {
      wal.append((byte) 1, new byte[100]); // LSN 1, durable on its own
      long last = 0;
      for (int i = 0; i < 20; i++) {
        last = wal.append((byte) 1, Logs.payload(SEED, i + 2, 700), false);
      }
      wal.awaitDurable(last); // LSNs 2..21: one group, one write
    }
    Path seg = Logs.segments(d).getFirst();
    byte[] bytes = Files.readAllBytes(seg);
    // Lose the block holding LSN 5's start: zero 4 KiB somewhere inside the group.
    long lsn5 = Wal.SEGMENT_HEADER_BYTES + (100 + Wal.FRAME_HEADER_BYTES)
        + 3L * (700 + Wal.FRAME_HEADER_BYTES);
    Arrays.fill(bytes, (int) lsn5 + 10, (int) lsn5 + 10 + 2000, (byte) 0);
    Files.write(seg, bytes);
    try (Wal wal = Wal.open(d, WalOptions.defaults())) {
      assertEquals(4, wal.lastLsn(), "the log ends before the damaged record of the group");
      assertEquals(lsn5, Files.size(seg));
      assertEquals(5, wal.append((byte) 1, new byte[1]));
    }
  }

  /**
   * The counterpart: when a record written later in its own group says the damaged record was
   * already durable, the damage is corruption of durable data and open refuses the log.
   */
  @Test
  void damageOfARecordALaterGroupVouchesForIsCorruption(@TempDir Path tmp) throws IOException {
    Path d = tmp.resolve("vouched");
    try (Wal wal = Wal.open(d, WalOptions.defaults())) {
      for (int i = 0; i < 5; i++) {
        wal.append((byte) 1, new byte[200]); // each its own durable group
      }
    }
    Path seg = Logs.segments(d).getFirst();
    byte[] bytes = Files.readAllBytes(seg);
    long lsn3 = Wal.SEGMENT_HEADER_BYTES + 2L * (200 + Wal.FRAME_HEADER_BYTES);
    bytes[(int) lsn3 + Wal.FRAME_HEADER_BYTES + 50] ^= 0x40;
    Files.write(seg, bytes);
    WalCorruptionException e = assertThrows(WalCorruptionException.class,
        () -> Wal.open(d, WalOptions.defaults()).close());
    assertEquals(lsn3, e.offset());
    assertEquals(seg, e.file());
  }

  private static boolean zeros(byte[] b, long from, int to) {
    for (int i = (int) from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
