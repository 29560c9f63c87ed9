package io.treestore.wal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Locale;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * Reads and validates the record frames of one segment through a read-ahead buffer, never
 * looking at bytes at or beyond {@link #limit}. Used by recovery (validation only) and by
 * {@link WalReader} (with payloads). Not thread-safe; it does not own the channel.
 *
 * <p>Bytes below the limit never change while the log is open (the log only appends, and
 * undoes a failed write only beyond what it has published), so buffered bytes stay valid when
 * the limit grows.
 */
final class FrameScanner {
  /** {@link #read} found a valid frame; see the result fields. */
  static final int OK = 0;
  /** {@link #read} was called at the limit: no more frames. */
  static final int END = 1;
  /** {@link #read} found a damaged or incomplete frame; see {@link #reason}. */
  static final int DAMAGED = 2;

  private static final int BUFFER_BYTES = 256 << 10;
  /** Compared with, by {@link #zerosFrom}; never written. */
  private static final byte[] ZEROS = new byte[BUFFER_BYTES];

  private final FileChannel channel;
  private final ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES);
  private final byte[] header = new byte[Wal.FRAME_HEADER_BYTES];
  private long bufStart;
  private int bufLen;
  private long limit;

  // Results of the last read().
  long lsn;
  /** The log's durable LSN when the frame was written (see {@link Format.Frame#stamp}). */
  long stamp;
  byte type;
  byte @Nullable [] payload;
  long next;
  String reason = "";

  FrameScanner(FileChannel channel, long limit) {
    this.channel = channel;
    this.limit = limit;
  }

  long limit() {
    return limit;
  }

  /** Sets how far frames may be read: the end of the written, published part of the file. */
  void limit(long newLimit) {
    limit = newLimit;
  }

  /**
   * Reads the frame at {@code off}.
   *
   * @param off the frame's offset, {@code <= limit}
   * @param expectedLsn the LSN the frame must carry
   * @param wantPayload whether to return the payload in {@link #payload} (it is checked anyway)
   * @return {@link #OK}, {@link #END} or {@link #DAMAGED}
   * @throws IOException if the file cannot be read, or is shorter than the limit
   */
  int read(long off, long expectedLsn, boolean wantPayload) throws IOException {
    payload = null;
    if (off >= limit) {
      return END;
    }
    long avail = limit - off;
    if (avail < Wal.FRAME_HEADER_BYTES) {
      reason = "incomplete record: only " + avail + " of the " + Wal.FRAME_HEADER_BYTES
          + " frame header bytes are present";
      return DAMAGED;
    }
    ensure(off, Wal.FRAME_HEADER_BYTES);
    int at = (int) (off - bufStart);
    System.arraycopy(buf.array(), at, header, 0, Wal.FRAME_HEADER_BYTES);
    ByteBuffer h = ByteBuffer.wrap(header);
    int len = h.getInt(0);
    if (len < 0 || len > Wal.MAX_PAYLOAD_BYTES) {
      reason = "payload length " + Integer.toUnsignedString(len) + " out of range [0, "
          + Wal.MAX_PAYLOAD_BYTES + "]";
      return DAMAGED;
    }
    if (avail - Wal.FRAME_HEADER_BYTES < len) {
      reason = "incomplete record: its payload length is " + len + " bytes but only "
          + (avail - Wal.FRAME_HEADER_BYTES) + " follow its header";
      return DAMAGED;
    }
    CRC32C crc = new CRC32C();
    crc.update(header, 0, 4);
    crc.update(header, Format.TYPE_OFFSET, 1);
    byte[] out = wantPayload ? new byte[len] : null;
    long p = off + Wal.FRAME_HEADER_BYTES;
    int done = 0;
    while (done < len) {
      int n = Math.min(len - done, BUFFER_BYTES);
      ensure(p, n);
      int i = (int) (p - bufStart);
      crc.update(buf.array(), i, n);
      if (out != null) {
        System.arraycopy(buf.array(), i, out, done, n);
      }
      p += n;
      done += n;
    }
    crc.update(header, 8, 16);
    int stored = h.getInt(4);
    int computed = (int) crc.getValue();
    if (stored != computed) {
      reason = String.format(Locale.ROOT, "record checksum mismatch (stored 0x%08x, computed "
          + "0x%08x)", stored, computed);
      return DAMAGED;
    }
    long l = h.getLong(8);
    byte t = header[Format.TYPE_OFFSET];
    if (t < Wal.MIN_TYPE) {
      reason = "record of LSN " + l + " has the reserved type " + t;
      return DAMAGED;
    }
    if (l != expectedLsn) {
      reason = "record has LSN " + l + " where LSN " + expectedLsn + " was expected";
      return DAMAGED;
    }
    lsn = l;
    stamp = h.getLong(16);
    type = t;
    payload = out;
    next = p;
    return OK;
  }

  /**
   * Looks for a valid frame at any offset in {@code [from, limit)} whose LSN is greater than
   * {@code lastGoodLsn}: evidence that damage at an earlier offset is not a torn tail. Cheap
   * plausibility checks (length, type, LSN range) run before the checksum, so the scan is
   * about linear in the bytes scanned.
   *
   * @return the offset of the first such frame, with {@link #lsn} set, or -1 if none
   */
  long findValidFrame(long from, long lastGoodLsn) throws IOException {
    long maxLsn = lastGoodLsn + limit / Wal.FRAME_HEADER_BYTES + 1;
    for (long o = from; o + Wal.FRAME_HEADER_BYTES <= limit; o++) {
      ensure(o, Wal.FRAME_HEADER_BYTES);
      int at = (int) (o - bufStart);
      ByteBuffer b = buf;
      int len = b.getInt(at);
      long l = b.getLong(at + 8);
      byte t = b.get(at + Format.TYPE_OFFSET);
      if (len < 0 || len > Wal.MAX_PAYLOAD_BYTES || limit - o - Wal.FRAME_HEADER_BYTES < len
          || t < Wal.MIN_TYPE || l <= lastGoodLsn || l > maxLsn) {
        continue;
      }
      if (read(o, l, false) == OK) {
        return o;
      }
    }
    return -1;
  }

  /**
   * Tells whether every byte in {@code [off, limit)} is zero: space preallocated after the last
   * record (see {@link WalOptions#preallocateBytes()}), which a frame can never be, since a
   * frame's LSN is at least 1.
   *
   * @param off where to start, {@code <= limit}
   * @return true if only zeros follow (also when {@code off == limit})
   * @throws IOException if the file cannot be read
   */
  boolean zerosFrom(long off) throws IOException {
    for (long o = off; o < limit; ) {
      int n = (int) Math.min(BUFFER_BYTES, limit - o);
      ensure(o, n);
      int at = (int) (o - bufStart);
      byte[] a = buf.array();
      if (java.util.Arrays.mismatch(a, at, at + n, ZEROS, 0, n) >= 0) {
        return false;
      }
      o += n;
    }
    return true;
  }

  /** Makes bytes {@code [off, off + n)} available in the buffer; {@code off + n <= limit}. */
  private void ensure(long off, int n) throws IOException {
    if (off >= bufStart && off + n <= bufStart + bufLen) {
      return;
    }
    buf.clear();
    buf.limit((int) Math.min(BUFFER_BYTES, limit - off));
    long pos = off;
    while (buf.position() < n) {
      int r = channel.read(buf, pos);
      if (r < 0) {
        bufLen = 0;
        throw new EOFException("file ends at offset " + pos + " but " + (off + n - pos)
            + " more bytes were expected (the file was truncated while open?)");
      }
      pos += r;
    }
    bufStart = off;
    bufLen = buf.position();
  }
}
