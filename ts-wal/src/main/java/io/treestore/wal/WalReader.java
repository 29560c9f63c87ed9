package io.treestore.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Replays the records of a {@link Wal} in LSN order, from the LSN given to {@link
 * Wal#read(long)}, across segments. Obtained from {@link Wal#read(long)}.
 *
 * <p>Every record is checked (checksum, length, LSN) before it is returned; damaged bytes are
 * never returned. The reader sees what has been written to the files when it reaches it (see
 * {@link Wal#read(long)}): {@link #hasNext()} may return {@code false} and later {@code true}
 * again once more records are written, so a reader can follow the log.
 *
 * <p>A reader holds one segment file open at a time; close it when done. Not thread-safe: use
 * each reader from one thread at a time (several readers may run concurrently).
 */
public final class WalReader implements Iterator<WalRecord>, AutoCloseable {
  private final Wal wal;
  private final long fromLsn;
  private Wal.@Nullable Seg seg;
  private @Nullable FileChannel channel;
  private @Nullable FrameScanner scanner;
  private long offset;
  /** LSN of the frame at {@link #offset}. */
  private long scanLsn;
  private @Nullable WalRecord next;
  private boolean closed;

  WalReader(Wal wal, long fromLsn) {
    this.wal = wal;
    this.fromLsn = fromLsn;
  }

  /**
   * Tells whether a record with the next LSN has been written, reading ahead to it.
   *
   * @return {@code true} if {@link #next()} will return a record; {@code false} at the end of
   *     what has been written, or after {@link #close()}
   * @throws WalCorruptionException if the next record is damaged; the exception names the
   *     segment and offset
   * @throws WalException if the segment holding the next record was deleted (by {@link
   *     Wal#deleteSegmentsBefore}), or on an I/O error
   */
  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    if (closed) {
      return false;
    }
    try {
      return advance();
    } catch (IOException e) {
      Wal.Seg s = seg;
      throw new WalException(s != null ? s.path() : wal.directory(), "cannot read: " + e, e);
    }
  }

  /**
   * Returns the next record.
   *
   * @return the record with the next LSN, {@code >=} the LSN the reader was opened at
   * @throws NoSuchElementException if {@link #hasNext()} is {@code false}
   * @throws WalCorruptionException if the next record is damaged
   * @throws WalException if the next record's segment was deleted, or on an I/O error
   */
  @Override
  public WalRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException("no record with LSN " + Math.max(scanLsn, fromLsn)
          + " has been written");
    }
    WalRecord r = next;
    next = null;
    return r;
  }

  /** Closes the segment file being read. Closing again does nothing; never fails. */
  @Override
  public void close() {
    closed = true;
    next = null;
    FileChannel ch = channel;
    if (ch != null) {
      Wal.closeQuietly(ch);
      channel = null;
    }
  }

  private boolean advance() throws IOException {
    while (true) {
      Wal.Published st = wal.published();
      Wal.Seg s = seg;
      if (s == null) {
        s = st.segmentFor(fromLsn);
        if (s == null) {
          throw new WalException(wal.directory(), "records from LSN " + fromLsn + " were "
              + "deleted while the reader was opened; the oldest available LSN is "
              + st.segments().getFirst().firstLsn(), null);
        }
        openSegment(s);
      }
      FrameScanner sc = scanner;
      FileChannel ch = channel;
      assert sc != null && ch != null;
      long limit = st.limitOf(s.firstLsn());
      boolean deleted = limit < 0;
      if (deleted) {
        // Deleted while we read it: it was sealed, its size is final; preallocated zeros may
        // follow its last record.
        limit = ch.size();
      }
      sc.limit(limit);
      if (offset < limit) {
        boolean wanted = scanLsn >= fromLsn;
        int r = sc.read(offset, scanLsn, wanted);
        if (r != FrameScanner.OK) {
          if (!deleted || !sc.zerosFrom(offset)) {
            throw new WalCorruptionException(s.path(), offset, sc.reason);
          }
          offset = limit; // only zeros follow: the segment ends here
          continue;
        }
        offset = sc.next;
        long lsn = scanLsn++;
        if (wanted) {
          byte[] payload = sc.payload;
          assert payload != null;
          next = new WalRecord(lsn, sc.type, payload);
          return true;
        }
        continue;
      }
      Wal.Seg after = st.segmentAfter(s.firstLsn());
      if (after == null) {
        return false;
      }
      if (after.firstLsn() > scanLsn && scanLsn < st.segments().getFirst().firstLsn()) {
        throw new WalException(s.path(), "the segment after this one was deleted "
            + "(deleteSegmentsBefore) before the reader reached it; records from LSN " + scanLsn
            + " on are no longer available, the oldest available LSN is "
            + st.segments().getFirst().firstLsn(), null);
      }
      if (after.firstLsn() != scanLsn) {
        throw new WalCorruptionException(after.path(), 0, "segment starts at LSN "
            + after.firstLsn() + " but the previous segment ends at LSN " + (scanLsn - 1));
      }
      openSegment(after);
    }
  }

  private void openSegment(Wal.Seg s) throws IOException {
    FileChannel old = channel;
    if (old != null) {
      Wal.closeQuietly(old);
      channel = null;
    }
    FileChannel ch;
    try {
      ch = wal.channels().open(s.path(), Set.of(StandardOpenOption.READ));
    } catch (NoSuchFileException e) {
      throw new WalException(s.path(), "segment was deleted (deleteSegmentsBefore) before the "
          + "reader reached it; records from LSN " + s.firstLsn() + " on are no longer "
          + "available", e);
    }
    try {
      ByteBuffer h = ByteBuffer.allocate(Wal.SEGMENT_HEADER_BYTES);
      while (h.hasRemaining()) {
        if (ch.read(h, h.position()) < 0) {
          throw new WalCorruptionException(s.path(), 0, "file is shorter than a segment header");
        }
      }
      String bad = Format.checkHeader(h.array(), s.firstLsn());
      if (bad != null) {
        throw new WalCorruptionException(s.path(), 0, bad);
      }
    } catch (IOException | RuntimeException e) {
      Wal.closeQuietly(ch);
      throw e;
    }
    channel = ch;
    seg = s;
    scanner = new FrameScanner(ch, Wal.SEGMENT_HEADER_BYTES);
    offset = Wal.SEGMENT_HEADER_BYTES;
    scanLsn = s.firstLsn();
  }
}
