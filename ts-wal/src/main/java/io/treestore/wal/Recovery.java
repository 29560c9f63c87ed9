package io.treestore.wal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Opening a log directory: lists the segments, checks every one of them, repairs a torn tail
 * or an interrupted segment creation, and returns the state from which {@link Wal} continues.
 * The rules are those of the class comment of {@link Wal}, section "Recovery".
 */
final class Recovery {
  private static final System.Logger LOG = System.getLogger(Wal.class.getName());
  private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ);
  private static final Set<OpenOption> READ_WRITE =
      Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE);

  /**
   * The recovered log.
   *
   * @param sealed the segments before the last one, with their sizes
   * @param activePath the last segment, to which appends go
   * @param activeFirstLsn its first LSN
   * @param activeChannel its channel, open for reading and writing
   * @param activeEnd the end of its last valid record
   * @param activeSize its file size, after any truncation: {@code activeEnd} plus the zeros
   *     preallocated after it
   * @param lastLsn the LSN of the last valid record, or {@code activeFirstLsn - 1}
   */
  record Result(List<Wal.Seg> sealed, Path activePath, long activeFirstLsn,
      FileChannel activeChannel, long activeEnd, long activeSize, long lastLsn) {}

  private record Entry(Path path, long firstLsn) {}

  private Recovery() {}

  static Result run(Path dir, WalOptions options, long firstLsnIfNew) {
    WalChannels channels = options.channels();
    boolean syncs = options.durability() != Durability.NONE;
    List<Entry> files = list(dir);
    long startLsn = firstLsnIfNew;
    if (!files.isEmpty()) {
      Entry last = files.getLast();
      if (deleteIfUnfinished(last, dir, channels, syncs)) {
        files.removeLast();
        startLsn = last.firstLsn();
      }
    }
    if (files.isEmpty()) {
      Path p = dir.resolve(Format.segmentName(startLsn));
      FileChannel ch;
      try {
        ch = Wal.createSegmentFile(channels, p, startLsn);
      } catch (IOException e) {
        throw new WalException(p, "cannot create the first segment: " + e, e);
      }
      try {
        if (syncs) {
          ch.force(true);
          channels.syncDirectory(dir);
        }
      } catch (IOException e) {
        Wal.closeQuietly(ch);
        throw new WalException(p, "fsync of the new first segment failed: " + e, e);
      }
      return new Result(List.of(), p, startLsn, ch, Wal.SEGMENT_HEADER_BYTES,
          Wal.SEGMENT_HEADER_BYTES, startLsn - 1);
    }
    List<Wal.Seg> sealed = new ArrayList<>();
    long expected = -1;
    for (int i = 0; i < files.size(); i++) {
      Entry e = files.get(i);
      boolean isLast = i == files.size() - 1;
      FileChannel ch;
      try {
        ch = channels.open(e.path(), isLast ? READ_WRITE : READ);
      } catch (IOException x) {
        throw new WalException(e.path(), "cannot open segment: " + x, x);
      }
      boolean keepOpen = false;
      try {
        if (expected >= 0 && e.firstLsn() != expected) {
          throw new WalCorruptionException(e.path(), 0, "segment starts at LSN " + e.firstLsn()
              + " but the previous segment ends at LSN " + (expected - 1) + ": records "
              + (e.firstLsn() < expected ? "overlap" : "are missing"));
        }
        Scanned sc = scan(e, ch, isLast, syncs);
        long end = sc.end();
        long lastLsn = sc.lastLsn();
        if (syncs) {
          ch.force(false); // records of a crashed or NONE-mode process become durable now
        }
        if (isLast) {
          keepOpen = true;
          if (syncs) {
            channels.syncDirectory(dir);
          }
          LOG.log(Level.DEBUG, () -> dir + ": opened, " + files.size() + " segments, LSNs "
              + files.getFirst().firstLsn() + " to " + lastLsn);
          return new Result(sealed, e.path(), e.firstLsn(), ch, end, sc.size(), lastLsn);
        }
        sealed.add(new Wal.Seg(e.firstLsn(), e.path(), end));
        expected = lastLsn + 1;
      } catch (IOException x) {
        throw new WalException(e.path(), "cannot read segment: " + x, x);
      } finally {
        if (!keepOpen) {
          Wal.closeQuietly(ch);
        }
      }
    }
    throw new AssertionError("unreachable: the last segment returns");
  }

  /** A checked segment: its valid end offset, the LSN of its last record, its file size. */
  private record Scanned(long end, long lastLsn, long size) {}

  /**
   * Checks one segment's header and frames; truncates a torn tail of the last segment. Zeros
   * from the end of the last record to the end of the file are space the log preallocated
   * (see {@link WalOptions#preallocateBytes()}), not damage, in any segment: a segment is
   * synced before the next one is created, and the next one's first LSN proves that no record
   * of it is missing.
   */
  private static Scanned scan(Entry e, FileChannel ch, boolean isLast, boolean syncs)
      throws IOException {
    long size = ch.size();
    byte[] header = readHeader(ch, size);
    if (header == null) {
      throw new WalCorruptionException(e.path(), 0, "file is " + size + " bytes, shorter than "
          + "a segment header (" + Wal.SEGMENT_HEADER_BYTES + " bytes)");
    }
    String bad = Format.checkHeader(header, e.firstLsn());
    if (bad != null) {
      throw new WalCorruptionException(e.path(), 0, bad);
    }
    int version = Format.version(header);
    if (version != Wal.FORMAT_VERSION) {
      throw new WalException(e.path(), "unsupported format version " + version + " (this "
          + "build reads version " + Wal.FORMAT_VERSION + ")", null);
    }
    FrameScanner s = new FrameScanner(ch, size);
    long off = Wal.SEGMENT_HEADER_BYTES;
    long lsn = e.firstLsn();
    while (true) {
      int r = s.read(off, lsn, false);
      if (r == FrameScanner.OK) {
        off = s.next;
        lsn++;
        continue;
      }
      if (r == FrameScanner.END) {
        break;
      }
      if (s.zerosFrom(off)) {
        break;
      }
      String reason = s.reason;
      if (!isLast) {
        throw new WalCorruptionException(e.path(), off, reason + " (in a segment that is not "
            + "the last one, so this is not a torn tail)");
      }
      // Valid records after the damage prove it is not a torn tail only if one of them was
      // written when the damaged record was already durable: a crash during a group write
      // may persist a later block of the group but not an earlier one.
      long found = s.findValidFrame(off + 1, lsn - 1);
      while (found >= 0) {
        if (s.stamp >= lsn) {
          throw new WalCorruptionException(e.path(), off, reason + "; a valid record (LSN "
              + s.lsn + ") written after LSN " + lsn + " was durable follows at offset " + found
              + ", so this is not a torn tail");
        }
        found = s.findValidFrame(found + 1, s.lsn);
      }
      ch.truncate(off);
      if (syncs) {
        ch.force(true);
      }
      LOG.log(Level.WARNING, e.path() + ": torn or damaged tail at offset " + off + " ("
          + reason + "); truncated " + (size - off) + " bytes, the log ends at LSN "
          + (lsn - 1));
      size = off;
      break;
    }
    return new Scanned(off, lsn - 1, size);
  }

  /**
   * Deletes the last segment if its creation was interrupted: it is shorter than a header or
   * its header is damaged, and it holds no valid frame.
   *
   * @return whether it was deleted
   */
  private static boolean deleteIfUnfinished(Entry e, Path dir, WalChannels channels,
      boolean syncs) {
    String why;
    try (FileChannel ch = channels.open(e.path(), READ)) {
      long size = ch.size();
      byte[] header = readHeader(ch, size);
      if (header == null) {
        why = "it is " + size + " bytes, shorter than a segment header";
      } else {
        String bad = Format.checkHeader(header, e.firstLsn());
        if (bad == null) {
          return false;
        }
        long found = new FrameScanner(ch, size).findValidFrame(Wal.SEGMENT_HEADER_BYTES,
            e.firstLsn() - 1);
        if (found >= 0) {
          return false; // records follow: reported as corruption by the scan
        }
        why = bad;
      }
    } catch (IOException x) {
      throw new WalException(e.path(), "cannot read segment: " + x, x);
    }
    try {
      Files.delete(e.path());
      if (syncs) {
        channels.syncDirectory(dir);
      }
    } catch (IOException x) {
      throw new WalException(e.path(), "cannot delete the unfinished last segment: " + x, x);
    }
    LOG.log(Level.WARNING, e.path() + ": deleted the last segment, whose creation was "
        + "interrupted (" + why + ") and which held no record");
    return true;
  }

  private static byte @Nullable [] readHeader(FileChannel ch, long size) throws IOException {
    if (size < Wal.SEGMENT_HEADER_BYTES) {
      return null;
    }
    ByteBuffer b = ByteBuffer.allocate(Wal.SEGMENT_HEADER_BYTES);
    while (b.hasRemaining()) {
      if (ch.read(b, b.position()) < 0) {
        return null;
      }
    }
    return b.array();
  }

  private static List<Entry> list(Path dir) {
    List<Entry> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        long lsn = Format.parseSegmentName(p.getFileName().toString());
        if (lsn > 0 && Files.isRegularFile(p)) {
          files.add(new Entry(p, lsn));
        }
      }
    } catch (IOException e) {
      throw new WalException(dir, "cannot list the log directory: " + e, e);
    }
    files.sort(Comparator.comparingLong(Entry::firstLsn));
    return files;
  }
}
