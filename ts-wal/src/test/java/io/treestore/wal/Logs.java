package io.treestore.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Helpers shared by the tests: deterministic payloads, segment files, frame offsets. */
final class Logs {
  private Logs() {}

  /** Options for fast tests: no fsync. */
  static WalOptions none() {
    return WalOptions.defaults().withDurability(Durability.NONE);
  }

  /** A payload that depends only on {@code seed}, {@code lsn} and {@code size}. */
  static byte[] payload(long seed, long lsn, int size) {
    byte[] b = new byte[size];
    new Random(seed * 1_000_003L + lsn).nextBytes(b);
    return b;
  }

  /** A record type that depends only on {@code lsn}, in [1, 127]. */
  static byte type(long lsn) {
    return (byte) (1 + Math.floorMod(lsn * 7, 127));
  }

  /**
   * A payload size: mostly small, sometimes up to 64 KiB, rarely up to {@code max}; 0 and
   * {@code max} themselves occur.
   */
  static int size(Random rnd, int max) {
    int r = rnd.nextInt(100);
    if (r < 3) {
      return 0;
    } else if (r < 85) {
      return rnd.nextInt(2048);
    } else if (r < 98) {
      return rnd.nextInt(64 << 10);
    } else if (r == 98) {
      return max;
    }
    return rnd.nextInt(max + 1);
  }

  /** The segment files of {@code dir}, in LSN order. */
  static List<Path> segments(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches("\\d{20}\\.wal")).sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first LSN a segment file's name stands for. */
  static long firstLsnOf(Path segment) {
    return Long.parseLong(segment.getFileName().toString().substring(0, 20));
  }

  /** The first LSN written in a segment file's header. */
  static long headerLsnOf(Path segment) {
    try {
      return ByteBuffer.wrap(Files.readAllBytes(segment)).getLong(12);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every record with LSN {@code >= from}. */
  static List<WalRecord> readAll(Wal wal, long from) {
    List<WalRecord> out = new ArrayList<>();
    try (WalReader r = wal.read(from)) {
      while (r.hasNext()) {
        out.add(r.next());
      }
    }
    return out;
  }

  /** The byte offset of each frame in a one-segment log with these payload sizes. */
  static long[] frameOffsets(int[] sizes) {
    long[] off = new long[sizes.length + 1];
    off[0] = Wal.SEGMENT_HEADER_BYTES;
    for (int i = 0; i < sizes.length; i++) {
      off[i + 1] = off[i] + Wal.FRAME_HEADER_BYTES + sizes[i];
    }
    return off;
  }

  /** Asserts that {@code got} holds exactly the records {@code from..to} of {@code expected}. */
  static void assertRecords(List<byte[]> expected, long from, long to, List<WalRecord> got,
      String context) {
    assertEquals(Math.max(0, to - from + 1), got.size(), context + ": record count");
    for (int i = 0; i < got.size(); i++) {
      long lsn = from + i;
      WalRecord r = got.get(i);
      assertEquals(lsn, r.lsn(), context + ": LSN at index " + i);
      assertEquals(type(lsn), r.type(), context + ": type of LSN " + lsn);
      assertArrayEquals(expected.get((int) lsn - 1), r.payload(),
          context + ": payload of LSN " + lsn);
    }
  }
}
