package io.treestore.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input: oversized payloads, reserved types, LSNs out of range, invalid options, use after
 * close, a log directory that is a file, a segment of an unknown format version.
 *
 * <p>Proves that each gets a clear exception that names the bad value and the allowed range,
 * and changes nothing (no LSN taken, no byte written).
 */
class BadInputTest {
  @TempDir Path dir;

  @Test
  void payloadTooLargeIsRejectedAndNothingWritten() throws IOException {
    try (Wal wal = Wal.open(dir, Logs.none())) {
      wal.append((byte) 1, new byte[10]);
      long size = Files.size(Logs.segments(dir).getFirst());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> wal.append((byte) 1, new byte[Wal.MAX_PAYLOAD_BYTES + 1]));
      assertTrue(e.getMessage().contains(String.valueOf(Wal.MAX_PAYLOAD_BYTES + 1))
          && e.getMessage().contains(String.valueOf(Wal.MAX_PAYLOAD_BYTES)), e.getMessage());
      assertEquals(1, wal.lastLsn());
      assertEquals(size, Files.size(Logs.segments(dir).getFirst()));
      assertEquals(2, wal.append((byte) 1, new byte[0]));
    }
  }

  @Test
  void reservedTypesAreRejected() {
    try (Wal wal = Wal.open(dir, Logs.none())) {
      for (byte t : new byte[] {0, -1, Byte.MIN_VALUE}) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> wal.append(t, new byte[1]));
        assertTrue(e.getMessage().contains("was " + t), e.getMessage());
      }
      assertEquals(0, wal.lastLsn());
      assertEquals(1, wal.append(Wal.MIN_TYPE, new byte[1]));
      assertEquals(2, wal.append(Wal.MAX_TYPE, new byte[1]));
      assertThrows(NullPointerException.class, () -> wal.append((byte) 1, nullBytes()));
    }
  }

  @Test
  void lsnsOutOfRange() {
    try (Wal wal = Wal.open(dir, Logs.none())) {
      wal.append((byte) 1, new byte[1]);
      assertThrows(IllegalArgumentException.class, () -> wal.read(0));
      assertThrows(IllegalArgumentException.class, () -> wal.read(-5));
      assertFalse(wal.read(2).hasNext(), "beyond the end: empty");
      assertFalse(wal.read(Long.MAX_VALUE).hasNext());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> wal.awaitDurable(2));
      assertTrue(e.getMessage().contains("LSN 2 has not been appended"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> wal.awaitDurable(-1));
      wal.awaitDurable(0);
      assertThrows(IllegalArgumentException.class, () -> wal.deleteSegmentsBefore(3));
      try (WalReader r = wal.read(2)) {
        assertThrows(java.util.NoSuchElementException.class, r::next);
      }
    }
  }

  @Test
  void invalidOptionsNameValueAndRange() {
    WalOptions d = WalOptions.defaults();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> d.withSegmentBytes(100));
    assertEquals("segmentBytes must be in [4096, 1099511627776], was 100", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> d.withGroupAsyncMillis(0));
    assertEquals("groupAsyncMillis must be in [1, 60000], was 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> d.withKeepSegments(-1));
    assertEquals("keepSegments must be >= 0, was -1", e.getMessage());
    assertEquals(64L << 20, d.segmentBytes());
    assertEquals(Durability.SYNC, d.durability());
    assertEquals(0, d.keepSegments());
  }

  @Test
  void useAfterClose() {
    Wal wal = Wal.open(dir, Logs.none());
    wal.append((byte) 1, new byte[1]);
    wal.close();
    wal.close(); // again: nothing
    assertThrows(IllegalStateException.class, () -> wal.append((byte) 1, new byte[1]));
    assertThrows(IllegalStateException.class, () -> wal.read(1));
    assertThrows(IllegalStateException.class, () -> wal.deleteSegmentsBefore(1));
    wal.awaitDurable(1); // durable already
  }

  @Test
  void directoryThatIsAFile() throws IOException {
    Path file = Files.writeString(dir.resolve("f"), "x");
    WalException e = assertThrows(WalException.class, () -> Wal.open(file, Logs.none()));
    assertEquals(file, e.file());
  }

  @Test
  void unknownFormatVersionIsRefused() throws IOException {
    try (Wal wal = Wal.open(dir, Logs.none())) {
      wal.append((byte) 1, new byte[1]);
    }
    Path seg = Logs.segments(dir).getFirst();
    byte[] bytes = Files.readAllBytes(seg);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
    b.putInt(8, 2);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, 0, 20);
    b.putInt(20, (int) crc.getValue());
    Files.write(seg, bytes);
    WalException e = assertThrows(WalException.class, () -> Wal.open(dir, Logs.none()));
    assertFalse(e instanceof WalCorruptionException);
    assertTrue(e.getMessage().contains("unsupported format version 2"), e.getMessage());
  }

  /** Hides a null from the nullness contract, to test the runtime check. */
  private static byte[] nullBytes() {
    return null;
  }
}
