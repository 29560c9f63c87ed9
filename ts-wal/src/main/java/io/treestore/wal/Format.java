package io.treestore.wal;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * Codecs of the segment header and the record frame; the layout is specified in the class
 * comment of {@link Wal}. All integers are big-endian; checksums are CRC32C (Castagnoli,
 * RFC 3720), as computed by {@link CRC32C}.
 */
final class Format {
  /** ASCII "TSWAL", two zero bytes, then 1: identifies a segment of this log. */
  static final long MAGIC = 0x5453_5741_4C00_0001L;

  private static final Pattern NAME = Pattern.compile("(\\d{20})\\.wal");

  private Format() {}

  /** Returns the file name of the segment whose first record has {@code firstLsn}. */
  static String segmentName(long firstLsn) {
    return String.format(Locale.ROOT, "%020d.wal", firstLsn);
  }

  /** Returns the first LSN a segment file name stands for, or -1 if it is not one. */
  static long parseSegmentName(String name) {
    Matcher m = NAME.matcher(name);
    if (!m.matches()) {
      return -1;
    }
    try {
      long lsn = Long.parseLong(m.group(1));
      return lsn >= 1 ? lsn : -1;
    } catch (NumberFormatException e) {
      return -1; // 20 digits can exceed Long.MAX_VALUE; no segment of ours is named so
    }
  }

  /** Encodes the header of a segment whose first record will have {@code firstLsn}. */
  static byte[] segmentHeader(long firstLsn) {
    byte[] h = new byte[Wal.SEGMENT_HEADER_BYTES];
    ByteBuffer b = ByteBuffer.wrap(h);
    b.putLong(0, MAGIC);
    b.putInt(8, Wal.FORMAT_VERSION);
    b.putLong(12, firstLsn);
    b.putInt(20, headerCrc(h));
    return h;
  }

  private static int headerCrc(byte[] h) {
    CRC32C c = new CRC32C();
    c.update(h, 0, 20);
    return (int) c.getValue();
  }

  /**
   * Checks a segment header that is {@link Wal#SEGMENT_HEADER_BYTES} long.
   *
   * @return {@code null} if valid, else why not
   */
  static @Nullable String checkHeader(byte[] h, long expectedFirstLsn) {
    ByteBuffer b = ByteBuffer.wrap(h);
    if (b.getLong(0) != MAGIC) {
      return String.format(Locale.ROOT, "bad magic 0x%016x in segment header", b.getLong(0));
    }
    int stored = b.getInt(20);
    int computed = headerCrc(h);
    if (stored != computed) {
      return String.format(Locale.ROOT,
          "segment header checksum mismatch (stored 0x%08x, computed 0x%08x)", stored, computed);
    }
    if (b.getLong(12) != expectedFirstLsn) {
      return "segment header says first LSN " + b.getLong(12) + " but the file name says "
          + expectedFirstLsn;
    }
    return null;
  }

  /** Returns the format version of a header that passed {@link #checkHeader}. */
  static int version(byte[] h) {
    return ByteBuffer.wrap(h).getInt(8);
  }

  /** Offset of the type byte in a frame. */
  static final int TYPE_OFFSET = 24;

  /**
   * A record frame whose LSN, durable LSN and checksum are not filled in yet. The checksum
   * over length, type and payload is computed when the frame is built, outside the log's lock;
   * the LSN is fed under the lock by {@link #seal}, the durable LSN last by {@link #stamp}.
   */
  static final class Frame {
    final byte[] bytes;
    private final CRC32C crc;

    Frame(byte type, byte[] payload) {
      bytes = new byte[Wal.FRAME_HEADER_BYTES + payload.length];
      ByteBuffer.wrap(bytes).putInt(0, payload.length);
      bytes[TYPE_OFFSET] = type;
      System.arraycopy(payload, 0, bytes, Wal.FRAME_HEADER_BYTES, payload.length);
      crc = new CRC32C();
      crc.update(bytes, 0, 4);
      crc.update(bytes, TYPE_OFFSET, 1 + payload.length);
    }

    /** Fills in the LSN; called once, under the log's lock. */
    void seal(long lsn) {
      ByteBuffer.wrap(bytes).putLong(8, lsn);
      crc.update(bytes, 8, 8);
    }

    /**
     * Fills in the durable LSN at the time the frame's group is written, and the checksum;
     * called once, by the group's leader, before the frame is written.
     */
    void stamp(long durableLsn) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      b.putLong(16, durableLsn);
      crc.update(bytes, 16, 8);
      b.putInt(4, (int) crc.getValue());
    }
  }
}
