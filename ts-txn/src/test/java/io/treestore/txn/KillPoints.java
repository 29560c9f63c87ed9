package io.treestore.txn;

import io.treestore.testkit.DelegatingChannel;
import io.treestore.page.ChannelFactory;
import io.treestore.wal.WalChannels;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Named crash points for {@link CrashChild}, implemented without production hooks: channel
 * factories (passed in {@link DatabaseOptions#withChannels}) that recognize a moment from the
 * file operations the engine performs and halt the JVM ({@code Runtime.halt(137)}, as abrupt
 * as SIGKILL: no shutdown hook, no finalization, no flush of anything but what the kernel
 * already has) at the N-th occurrence of it. Before halting, the point's name is printed, so
 * the parent knows it was hit. The points:
 * <dl>
 *   <dt>{@link Point#WAL_BEFORE_FSYNC}</dt><dd>a log segment's {@code force} is called: the
 *       group's records are written but not synced (a commit not yet acknowledged);</dd>
 *   <dt>{@link Point#WAL_AFTER_FSYNC}</dt><dd>a log segment's {@code force} has returned: the
 *       records are durable, but not applied and not acknowledged;</dd>
 *   <dt>{@link Point#SEGMENT_CREATE}</dt><dd>a new segment file was created ({@code
 *       CREATE_NEW}), before its header is written;</dd>
 *   <dt>{@link Point#CHECKPOINT_PAGES}</dt><dd>a checkpoint writes a data page (not a meta page):
 *       some of its pages are written, none synced;</dd>
 *   <dt>{@link Point#BEFORE_META}</dt><dd>a checkpoint writes a meta page (offset 0 or one page
 *       in): its pages are written and synced, the meta switch is not done;</dd>
 *   <dt>{@link Point#AFTER_META}</dt><dd>the data file's {@code force} that follows a meta page
 *       write has returned: the meta switch is durable, the covered log segments not deleted;</dd>
 *   <dt>{@link Point#BEFORE_WAL_DELETE}</dt><dd>as {@code AFTER_META}, but only for checkpoints
 *       whose LSN (decoded from the meta page written) covers at least one whole sealed
 *       segment, i.e. right before the log deletes segments;</dd>
 *   <dt>{@link Point#AFTER_WAL_DELETE}</dt><dd>the log directory is synced and a segment that was
 *       listed at the previous directory sync is gone: segments were deleted (unlinked), the
 *       directory not synced yet.</dd>
 * </dl>
 * Points count only once {@link #arm()} was called (after the database opened), so that the
 * recovery's own writes and syncs do not count.
 */
final class KillPoints {
  /** The named crash points. */
  enum Point {
    WAL_BEFORE_FSYNC, WAL_AFTER_FSYNC, SEGMENT_CREATE, CHECKPOINT_PAGES, BEFORE_META,
    AFTER_META, BEFORE_WAL_DELETE, AFTER_WAL_DELETE
  }

  /** The database's meta record magic ("TSTXN", 0, format 1), as Database writes it. */
  private static final long DB_META_MAGIC = 0x5453_5458_4E00_0001L;

  private final Point point;
  private final long at;
  private final int pageSize;
  private final PrintStream out;
  private final AtomicLong hits = new AtomicLong();
  private volatile boolean armed;
  /** LSN of the checkpoint whose meta page was written and not yet synced, or -1. */
  private volatile long metaLsn = -1;
  private volatile boolean metaPending;
  private final List<String> listed = Collections.synchronizedList(new ArrayList<>());
  private volatile @org.jspecify.annotations.Nullable Path walDir;

  /**
   * Creates the kill points.
   *
   * @param point the point to halt at, or {@code null} for none
   * @param at halt at the at-th occurrence (1-based)
   * @param pageSize the data file's page size
   * @param out where to print "KILLPOINT name n"
   */
  KillPoints(@org.jspecify.annotations.Nullable Point point, long at, int pageSize,
      PrintStream out) {
    this.point = point;
    this.at = at;
    this.pageSize = pageSize;
    this.out = out;
  }

  /** Starts counting. */
  void arm(Path walDirectory) {
    walDir = walDirectory;
    listed.clear();
    listed.addAll(segments(walDirectory));
    armed = true;
  }

  private void hit(Point p) {
    if (!armed || p != point) {
      return;
    }
    long n = hits.incrementAndGet();
    if (n == at) {
      synchronized (out) {
        out.println("KILLPOINT " + p + " " + n);
        out.flush();
      }
      Runtime.getRuntime().halt(137);
    }
  }

  private static List<String> segments(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".wal")).sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Whether a checkpoint at {@code lsn} lets the log delete at least one segment. */
  private boolean coversASegment(long lsn) {
    Path d = walDir;
    if (d == null) {
      return false;
    }
    List<String> segs = segments(d);
    for (int i = 0; i + 1 < segs.size(); i++) {
      long nextFirst = Long.parseLong(segs.get(i + 1).substring(0, 20));
      if (nextFirst <= lsn + 1) {
        return true;
      }
    }
    return false;
  }

  ChannelFactory pages() {
    return (path, options) -> new DataChannel(FileChannel.open(path, options), path);
  }

  WalChannels wal() {
    return new WalChannels() {
      @Override
      public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
        FileChannel ch = FileChannel.open(path, options);
        if (options.contains(StandardOpenOption.CREATE_NEW)) {
          hit(Point.SEGMENT_CREATE); // created, header not written yet
        }
        return new LogChannel(ch, path);
      }

      @Override
      public void syncDirectory(Path dir) throws IOException {
        if (dir.equals(walDir)) {
          Set<String> now = new TreeSet<>(segments(dir));
          boolean deleted;
          synchronized (listed) {
            deleted = !now.containsAll(listed);
          }
          if (deleted) {
            hit(Point.AFTER_WAL_DELETE);
          }
          synchronized (listed) {
            listed.clear();
            listed.addAll(now);
          }
        }
        try (FileChannel ch = FileChannel.open(dir, Set.of(StandardOpenOption.READ))) {
          ch.force(true);
        }
      }
    };
  }

  private final class LogChannel extends DelegatingChannel {
    LogChannel(FileChannel d, Path path) {
      super(d, path);
    }

    @Override
    public void force(boolean metaData) throws IOException {
      hit(Point.WAL_BEFORE_FSYNC);
      d.force(metaData);
      hit(Point.WAL_AFTER_FSYNC);
    }
  }

  private final class DataChannel extends DelegatingChannel {
    DataChannel(FileChannel d, Path path) {
      super(d, path);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      if (position < 2L * pageSize) {
        hit(Point.BEFORE_META);
        // The checkpoint's LSN: the database's meta record (magic, LSN) ends the engine's
        // meta payload; find it by its magic rather than depend on the engine's layout.
        metaLsn = -1;
        for (int i = src.position() + 52; i + 16 <= src.limit(); i++) {
          if (src.getLong(i) == DB_META_MAGIC) {
            metaLsn = src.getLong(i + 8);
            break;
          }
        }
        metaPending = true;
      } else {
        hit(Point.CHECKPOINT_PAGES);
      }
      return d.write(src, position);
    }

    @Override
    public void force(boolean metaData) throws IOException {
      d.force(metaData);
      if (metaPending) {
        metaPending = false;
        hit(Point.AFTER_META);
        long lsn = metaLsn;
        if (lsn >= 0 && coversASegment(lsn)) {
          hit(Point.BEFORE_WAL_DELETE);
        }
      }
    }
  }
}
