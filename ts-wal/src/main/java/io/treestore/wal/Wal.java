package io.treestore.wal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The write-ahead log: an append-only sequence of records, numbered by LSN, stored in segment
 * files of one directory, with group commit and replay.
 *
 * <h2>LSNs</h2>
 * The log sequence number of a record is its position in the log: the first record of a new
 * log has LSN 1 and every append takes the next number, so LSNs have no gaps, also across
 * segments and across close and reopen. An LSN is not a byte offset.
 *
 * <h2>Files and layout (format version 1)</h2>
 * A log directory holds segment files named by the LSN of their first record, in 20 decimal
 * digits: {@code 00000000000000000001.wal}, {@code 00000000000000004711.wal}. Files with other
 * names are ignored. All integers are big-endian; checksums are CRC32C (Castagnoli, RFC 3720).
 * A segment starts with a 24-byte header:
 * <pre>
 *  offset size field
 *   0     8    magic       ASCII "TSWAL", 0x00, 0x00, 0x01
 *   8     4    version     {@link #FORMAT_VERSION}
 *  12     8    first LSN   LSN of the segment's first record; equals the file name
 *  20     4    header CRC  CRC32C of bytes [0, 20)
 * </pre>
 * Record frames follow the header back to back; zeros may follow the last one, up to the end
 * of the file (see "Preallocation"):
 * <pre>
 *  offset size field
 *   0     4    length      n, payload bytes, in [0, {@link #MAX_PAYLOAD_BYTES}] (unsigned)
 *   4     4    CRC         CRC32C of length, type, payload, LSN and durable, fed in that order
 *   8     8    LSN         the record's LSN; the previous frame's LSN + 1
 *  16     8    durable     the log's durable LSN when the record's group was written
 *  24     1    type        the caller's type, in [{@link #MIN_TYPE}, {@link #MAX_TYPE}]
 *  25     n    payload     the caller's bytes
 * </pre>
 * The LSN and the durable LSN are fed to the checksum last, so that the checksum of a payload
 * can be computed before they are known, outside the log's lock; the group's leader fills in
 * the durable LSN (every record up to it had been synced before this record was written) just
 * before writing. A record never spans two segments: the log
 * starts a new segment before a record that would make the current one exceed {@link
 * WalOptions#segmentBytes()}, unless the current one holds no record yet (so a record larger
 * than a segment gets a segment of its own). Only the newest segment is ever written to.
 *
 * <h2>Group commit</h2>
 * An append encodes its frame, then, under the log's lock, takes the next LSN and adds the
 * frame to an in-memory buffer. A caller that waits for its record ({@link Durability#SYNC},
 * or {@link #awaitDurable}) either finds another thread already writing, and sleeps until
 * that thread's group is done, or becomes the leader: it takes everything buffered so far,
 * writes it with positional writes through a 1 MiB buffer (one write for most groups), issues
 * one {@code fsync} ({@code force(false)}, an fdatasync on Linux), and wakes the waiters whose
 * records are now durable. Records appended while the leader works form the next group, led
 * by one of their waiters. {@link #awaitDurable} waits parked outside the lock: the leader
 * unparks the threads its group made durable, which return without taking the lock, and the
 * waiter with the lowest LSN among the others, which leads the next group. This is the
 * leader/follower group commit of the database literature
 * (e.g. DeWitt et al., "Implementation techniques for main memory database systems", SIGMOD
 * 1984; PostgreSQL's {@code XLogFlush}).
 *
 * <h2>Durability</h2>
 * {@link WalOptions#durability()} selects what {@link #append(byte, byte[])} waits for and
 * what {@link #durableLsn()} means: see {@link Durability}. When a new segment is started, the
 * previous one is {@code fsync}ed, the new one is created with its header, synced with {@code
 * force(true)}, and the directory is synced ({@link WalChannels#syncDirectory}); deleting
 * segments also syncs the directory. {@link Durability#NONE} skips every {@code fsync}.
 *
 * <h2>Preallocation</h2>
 * When a group's write would grow the active segment's file, the leader first writes zeros up
 * to {@link WalOptions#preallocateBytes()} (1 MiB by default) beyond the group's end, never
 * past {@link WalOptions#segmentBytes()}. The group's {@code fdatasync} makes them durable
 * together with the file's new size; later groups overwrite zeros in place, so their syncs need
 * no journal commit of a file-size change, only the data and a device flush. On ext4 over this
 * project's virtual disk, a 4 KiB {@code fdatasync} costs 139 us in place against 285 us when
 * it grows the file. PostgreSQL zero-fills each 16 MiB log segment for the same reason
 * ({@code XLogFileInit}); here the zeros come in steps, so that a small log stays small.
 *
 * <h2>Recovery</h2>
 * {@link #open} reads and checks every segment in LSN order: header, then every frame
 * (length, checksum, LSN = previous + 1), and that each segment starts right after the
 * previous one ends. Zeros from the end of a segment's last frame to the end of its file are
 * preallocated space: the log ends there, nothing is truncated and nothing is logged. Damage
 * is handled thus:
 * <ul>
 *   <li>In the last segment, the first frame that is incomplete (the file ends inside it),
 *       fails its checksum, has an impossible length or type, or has an unexpected LSN ends
 *       the log unless a valid frame with a greater LSN starts at a later offset of that
 *       segment AND was written when the damaged record was already durable (its durable
 *       field is at least the damaged LSN). Without such proof the damage is a torn write —
 *       a crash during a group write may persist a later block of the group but not an earlier
 *       one, which only affects records nobody was told were durable — or garbage after the
 *       last record. The file is truncated at that frame, synced, and a WARNING is logged with
 *       the segment and offset.
 *   <li>Otherwise (a later record proves the damaged one had been durable, or the damage is in
 *       an earlier segment, or a header is damaged, or LSNs jump between segments) {@code
 *       open} fails with {@link WalCorruptionException} naming the segment file and the byte
 *       offset. Records are never skipped. (Damage to the very last durable records that no
 *       later record vouches for is indistinguishable from a torn write and ends the log, as in
 *       PostgreSQL.)
 *   <li>A last segment whose header is incomplete or damaged and which holds no valid frame
 *       (a segment whose creation was interrupted) is deleted, the directory synced, and a
 *       WARNING logged.
 * </ul>
 * In {@link Durability#SYNC} and {@link Durability#GROUP_ASYNC} mode, {@code open} then syncs
 * every segment and the directory once, so that records left unsynced by a crashed process or
 * by a process in {@link Durability#NONE} mode are durable before new records follow them. The
 * next append continues after the last valid record.
 *
 * <h2>Failures</h2>
 * <ul>
 *   <li>A failed {@code fsync} (of a segment or of the directory) is never retried: the kernel
 *       may have dropped the dirty pages, and a later successful {@code fsync} would prove
 *       nothing (PostgreSQL's "fsyncgate", 2018). The log turns read-only: the waiters of the
 *       failed group, every later append and every later {@link #awaitDurable} of a record that
 *       is not durable get a {@link WalException} that says why, with the original {@link
 *       IOException} as cause; {@link #failure()} tells the reason. Reading still works. Reopen
 *       the directory to recover what reached the disk.
 *   <li>A failed write (a full disk, an I/O error, a short write followed by an error) is
 *       undone before anything of it is acknowledged: new segments of the group are deleted
 *       and the segment is truncated back to its last good offset (and synced). Every record
 *       that was not yet written is then rejected: its appender gets a {@link WalException}
 *       with the original {@link IOException} as cause, its LSN is given to the next append,
 *       and the log stays writable, so appends succeed again once the disk has room. Two
 *       cases turn the log read-only instead, as a failed {@code fsync} does: the undo itself
 *       fails, or a rejected record was appended without waiting (its appender, holding the
 *       LSN, could not otherwise learn that the LSN now names another record). In {@link
 *       Durability#GROUP_ASYNC} mode appends do not wait, so a failed write is always fatal.
 *   <li>An append that failed with a {@link WalException} on a log that is (now) read-only may
 *       or may not be present after reopening, as after a crash; on a log that stays
 *       writable, a rejected record is certainly absent.
 *   <li>Waiting for a group is not interruptible. An interrupt that arrives while a thread
 *       writes or syncs for its group closes the segment's channel ({@link FileChannel}
 *       semantics), which makes the log read-only; an interrupt that arrived before the thread
 *       took the lead is held back during the I/O and restored afterwards.
 * </ul>
 *
 * <h2>Thread safety</h2>
 * All methods may be called from any thread concurrently. Readers ({@link #read}) run
 * concurrently with appends; each reader itself is for one thread. At most one {@code Wal}
 * may be open on a directory at a time, in any process; this is not checked.
 */
public final class Wal implements AutoCloseable {
  /** The format version this build writes and the only one it reads. */
  public static final int FORMAT_VERSION = 1;
  /** Size of the header at the start of every segment file, in bytes. */
  public static final int SEGMENT_HEADER_BYTES = 24;
  /** Size of a record frame without its payload, in bytes. */
  public static final int FRAME_HEADER_BYTES = 25;
  /** Largest payload of one record: 256 MiB. */
  public static final int MAX_PAYLOAD_BYTES = 256 << 20;
  /** Smallest record type a caller may use; 0 and negative types are reserved. */
  public static final byte MIN_TYPE = 1;
  /** Largest record type a caller may use. */
  public static final byte MAX_TYPE = 127;

  /** Zeros written by {@link #preallocate}, through duplicates; never written to. */
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10);
  /** Size of the direct buffer through which a group is written. */
  private static final int GROUP_BUFFER_BYTES = 1 << 20;
  /** Buffered bytes of appends that do not wait beyond which the appender writes them. */
  private static final long PENDING_LIMIT_BYTES = 16L << 20;
  private static final System.Logger LOG = System.getLogger(Wal.class.getName());

  private final Path dir;
  private final WalOptions options;
  private final WalChannels channels;
  /** Whether this log ever calls fsync: false in {@link Durability#NONE} mode. */
  private final boolean syncs;
  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when a group is done, a failure is recorded, or the I/O lead is released. */
  private final Condition changed = lock.newCondition();
  /** Signalled to stop the group-async thread early (on close). */
  private final Condition tick = lock.newCondition();
  private final @Nullable Thread syncer;

  // Guarded by lock.
  private ArrayList<Format.Frame> pending = new ArrayList<>();
  // Counters of WalStats, added to by the I/O leader.
  private final LongAdder statGroups = new LongAdder();
  private final LongAdder statRecords = new LongAdder();
  private final LongAdder statBytes = new LongAdder();
  private final LongAdder statSyncs = new LongAdder();
  private final LongAdder statSyncNanos = new LongAdder();
  private long pendingBytes;
  /** Highest LSN written to the operating system (and published to readers). */
  private long writtenLsn;
  /**
   * Whether a thread holds the I/O lead: it alone touches active, sealed and the files. Written
   * under lock; read without it by {@link #awaitDurable} before it parks.
   */
  private volatile boolean busy;
  /**
   * Groups a leader writes after its own before handing the lead to another thread, when
   * records are waiting (see {@link #await}).
   */
  private static final int EXTRA_LEAD_ROUNDS = 2;
  /** Told of each group made durable by a leader; see {@link #setDurableListener}. */
  private volatile java.util.function.@Nullable LongConsumer durableListener;
  /** Highest LSN appended without waiting; such records must never be rejected silently. */
  private long lastDetachedLsn;
  private boolean closing;
  private boolean closed;
  /** Write failures that were undone, in order; an appender remembers how many it saw. */
  private final List<Rejection> rejections = new ArrayList<>();
  /** {@code rejections.size()}, readable without the lock. */
  private volatile int rejectionCount;
  /**
   * Threads in {@link #awaitDurable} parked outside the lock while another thread leads a
   * group; woken by {@link #wakeParked} when a lead ends, and all of them on a failure or close.
   */
  private final ConcurrentLinkedQueue<Parked> parked = new ConcurrentLinkedQueue<>();

  // Written under lock, read without it.
  private volatile long lastLsn;
  private volatile long durableLsn;
  private volatile @Nullable Fatal fatal;
  private volatile Published published;

  // Owned by the thread holding the I/O lead (busy); handed over through lock.
  private Active active;
  private final ArrayList<Seg> sealed;
  private final ByteBuffer groupBuffer = ByteBuffer.allocateDirect(GROUP_BUFFER_BYTES);

  private Wal(Path dir, WalOptions options, Recovery.Result r) {
    this.dir = dir;
    this.options = options;
    this.channels = options.channels();
    this.syncs = options.durability() != Durability.NONE;
    this.sealed = new ArrayList<>(r.sealed());
    this.active = new Active(r.activePath(), r.activeFirstLsn(), r.activeChannel());
    this.active.end = r.activeEnd();
    this.active.allocated = r.activeSize();
    this.lastLsn = r.lastLsn();
    this.writtenLsn = r.lastLsn();
    this.durableLsn = r.lastLsn();
    this.lastDetachedLsn = r.lastLsn();
    this.published = snapshot(r.lastLsn(), null);
    if (options.durability() == Durability.GROUP_ASYNC) {
      Path name = dir.toAbsolutePath().getFileName();
      syncer = Thread.ofPlatform().daemon().name("treestore-wal-sync-" + name)
          .unstarted(this::syncLoop);
      syncer.start();
    } else {
      syncer = null;
    }
  }

  /**
   * Opens the log in {@code dir}, creating the directory and a first segment (starting at LSN
   * 1) if there is none, and recovers: checks every segment, truncates a torn tail, deletes a
   * last segment whose creation was interrupted (see the class comment, "Recovery").
   *
   * <p>Recovery reads every segment once, so its cost is proportional to the log's size; keep
   * the log short with {@link #deleteSegmentsBefore}.
   *
   * @param dir the log directory; it should hold nothing but the log
   * @param options segment size, durability, channel factory
   * @return the open log; close it to stop its thread and release its files
   * @throws WalCorruptionException if a segment is damaged other than at the tail, a segment
   *     header is damaged, or records are missing between two segments
   * @throws WalException if a segment has an unsupported format version, if {@code dir} is not
   *     a directory, or on an I/O error (also a failed {@code fsync})
   */
  public static Wal open(Path dir, WalOptions options) {
    return open(dir, options, 1);
  }

  /**
   * Opens the log in {@code dir} as {@link #open(Path, WalOptions)} does, except that a log
   * created now (the directory holds no segment) starts at {@code firstLsnIfNew} instead of 1.
   * A database whose data file already covers the records up to some LSN {@code L} (a backup,
   * or a data file whose log was removed) opens its new log with {@code L + 1}, so that LSNs
   * keep increasing. An existing log ignores the argument.
   *
   * @param dir the log directory
   * @param options segment size, durability, channel factory
   * @param firstLsnIfNew the LSN of the first record of a new log, {@code >= 1}
   * @return the open log
   * @throws IllegalArgumentException if {@code firstLsnIfNew < 1}
   * @throws WalCorruptionException as for {@link #open(Path, WalOptions)}
   * @throws WalException as for {@link #open(Path, WalOptions)}
   */
  public static Wal open(Path dir, WalOptions options, long firstLsnIfNew) {
    if (firstLsnIfNew < 1) {
      throw new IllegalArgumentException("first LSN must be >= 1, was " + firstLsnIfNew);
    }
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    boolean syncs = options.durability() != Durability.NONE;
    if (!Files.isDirectory(dir)) {
      if (Files.exists(dir)) {
        throw new WalException(dir, "not a directory", null);
      }
      try {
        Files.createDirectories(dir);
        Path parent = dir.toAbsolutePath().getParent();
        if (syncs && parent != null) {
          options.channels().syncDirectory(parent);
        }
      } catch (IOException e) {
        throw new WalException(dir, "cannot create the log directory: " + e, e);
      }
    }
    return new Wal(dir, options, Recovery.run(dir, options, firstLsnIfNew));
  }

  /**
   * Appends a record and, unless the mode is {@link Durability#GROUP_ASYNC}, waits until it is
   * durable as the mode promises: {@code fsync}ed in {@link Durability#SYNC} mode, written to
   * the operating system in {@link Durability#NONE} mode. In {@link Durability#GROUP_ASYNC}
   * mode it returns once the record is buffered. Same as {@code append(type, payload, mode !=
   * GROUP_ASYNC)}.
   *
   * @param type the record type, in [{@link #MIN_TYPE}, {@link #MAX_TYPE}]
   * @param payload the record's bytes, at most {@link #MAX_PAYLOAD_BYTES}; copied, so the array
   *     may be reused when this method returns
   * @return the record's LSN: {@link #lastLsn()} + 1 at the time of the call
   * @throws IllegalArgumentException if the type is out of range or the payload too large;
   *     nothing is appended then
   * @throws IllegalStateException if the log is closed
   * @throws WalException if the log is read-only after an earlier failure, or if the write or
   *     the {@code fsync} of the record's group fails (see the class comment, "Failures")
   */
  public long append(byte type, byte[] payload) {
    return append(type, payload, options.durability() != Durability.GROUP_ASYNC);
  }

  /**
   * Appends a record, waiting for it to be durable or not.
   *
   * <p>With {@code waitDurable}, this returns once {@link #durableLsn()} {@code >=} the
   * record's LSN: written and {@code fsync}ed now in {@link Durability#SYNC} and {@link
   * Durability#GROUP_ASYNC} mode, written in {@link Durability#NONE} mode. Without it, the
   * record is only buffered: it is written by the next group, which a waiting append, {@link
   * #awaitDurable}, {@link #close}, or in {@link Durability#GROUP_ASYNC} mode the background
   * thread performs, or by this call when more than 16 MiB are buffered. So a caller can
   * append under its own lock, release the lock, and then wait with {@link #awaitDurable}: the
   * records of many such callers share one write and one {@code fsync}.
   *
   * @param type the record type, in [{@link #MIN_TYPE}, {@link #MAX_TYPE}]
   * @param payload the record's bytes, at most {@link #MAX_PAYLOAD_BYTES}; copied
   * @param waitDurable whether to wait until the record is durable
   * @return the record's LSN: {@link #lastLsn()} + 1 at the time of the call
   * @throws IllegalArgumentException if the type is out of range or the payload too large;
   *     nothing is appended then
   * @throws IllegalStateException if the log is closed
   * @throws WalException if the log is read-only after an earlier failure, or if this call
   *     writes or waits and the write or the {@code fsync} fails. A record appended without
   *     waiting whose write later fails makes the log read-only (see "Failures")
   */
  public long append(byte type, byte[] payload, boolean waitDurable) {
    if (type < MIN_TYPE) {
      throw new IllegalArgumentException("record type must be in [" + MIN_TYPE + ", " + MAX_TYPE
          + "] (0 and negative types are reserved), was " + type);
    }
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException("payload is " + payload.length + " bytes, at most "
          + MAX_PAYLOAD_BYTES + " are allowed");
    }
    Format.Frame frame = new Format.Frame(type, payload);
    lock.lock();
    try {
      checkWritable();
      long lsn = lastLsn + 1;
      frame.seal(lsn);
      pending.add(frame);
      pendingBytes += frame.bytes.length;
      lastLsn = lsn;
      int seen = rejections.size();
      if (waitDurable) {
        await(lsn, true, seen);
      } else {
        lastDetachedLsn = lsn;
        if (pendingBytes >= PENDING_LIMIT_BYTES) {
          await(lsn, false, seen);
        }
      }
      return lsn;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until every record up to {@code lsn} is durable as the mode promises (see {@link
   * #durableLsn()}), writing and syncing the buffered records now if no other thread is doing
   * so. Returns at once if they already are, also on a read-only log.
   *
   * @param lsn an LSN returned by {@link #append}, or any LSN in [0, {@link #lastLsn()}]
   * @throws IllegalArgumentException if {@code lsn} is negative or greater than {@link
   *     #lastLsn()}
   * @throws IllegalStateException if the log was closed before the records were durable
   * @throws WalException if the log is read-only and the records are not durable, or if the
   *     write or the {@code fsync} fails, or if a write failure rejected a record in the range
   */
  public void awaitDurable(long lsn) {
    if (lsn < 0) {
      throw new IllegalArgumentException("LSN must be >= 0, was " + lsn);
    }
    int seen = -1;
    while (lsn > durableLsn || (seen >= 0 && rejectionCount != seen)) {
      lock.lock();
      try {
        if (seen < 0) {
          if (lsn > lastLsn) {
            throw new IllegalArgumentException("LSN " + lsn + " has not been appended; the last "
                + "LSN is " + lastLsn);
          }
          seen = rejections.size();
        }
        if (!busy || fatal != null || closing || seen != rejections.size()
            || lsn <= durableLsn) {
          await(lsn, true, seen);
          return;
        }
      } finally {
        lock.unlock();
      }
      // Another thread is writing a group: wait outside the lock, so that when the group is
      // done its committers return without queueing for the lock one after another.
      Parked me = new Parked(lsn, Thread.currentThread());
      parked.add(me);
      try {
        while (busy && lsn > durableLsn && fatal == null && rejectionCount == seen) {
          LockSupport.park(this);
        }
      } finally {
        parked.remove(me);
      }
    }
  }

  /**
   * Sets the listener told, by the thread that made a group durable, the new durable LSN:
   * after the sync and before that thread wakes the others waiting for the group (in
   * {@link #awaitDurable}). A database uses it to make the group's commits visible in one
   * step, so that their committers, when woken, find their work done. The listener runs
   * without the log's lock and while no other group is written; it must not call into this
   * log, and what it throws is logged and ignored.
   *
   * @param listener receives the durable LSN, or {@code null} for none
   */
  public void setDurableListener(java.util.function.@Nullable LongConsumer listener) {
    durableListener = listener;
  }

  /** Calls the durable listener, if any, without the lock. Called under lock by a leader. */
  private void notifyDurable() {
    java.util.function.LongConsumer l = durableListener;
    if (l == null) {
      return;
    }
    long d = durableLsn;
    lock.unlock();
    try {
      l.accept(d);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, dir + ": durable listener failed at LSN " + d, e);
    } finally {
      lock.lock();
    }
  }

  /**
   * Wakes, at the end of a lead, the parked threads whose records are now durable, and, unless
   * {@code leadingAgain}, the one with the lowest LSN among the others so that it leads the
   * next group. Called under lock.
   */
  private void wakeParked(boolean leadingAgain) {
    long durable = durableLsn;
    @Nullable Parked next = null;
    for (Parked p : parked) {
      if (p.lsn() <= durable) {
        LockSupport.unpark(p.thread());
      } else if (next == null || p.lsn() < next.lsn()) {
        next = p;
      }
    }
    if (next != null && !leadingAgain) {
      LockSupport.unpark(next.thread());
    }
  }

  /** Wakes every parked thread (failure or close): each then finds out under the lock. */
  private void wakeAllParked() {
    for (Parked p : parked) {
      LockSupport.unpark(p.thread());
    }
  }

  /** A thread parked in {@link #awaitDurable} for the record {@code lsn}. */
  private record Parked(long lsn, Thread thread) {
  }

  /**
   * Returns the LSN of the last record appended (buffered, written or durable).
   *
   * @return the last LSN, or the first segment's first LSN - 1 (0 for a new log) if no record
   *     has been appended; it can decrease only when a write failure rejects records
   */
  public long lastLsn() {
    return lastLsn;
  }

  /**
   * Returns the LSN up to which all records are durable as the mode promises: {@code
   * fsync}ed in {@link Durability#SYNC} and {@link Durability#GROUP_ASYNC} mode, written to the
   * operating system in {@link Durability#NONE} mode. Records found by {@link #open} count as
   * durable (open syncs them, except in {@link Durability#NONE} mode).
   *
   * @return the durable LSN, {@code <=} {@link #lastLsn()}; never decreases
   */
  public long durableLsn() {
    return durableLsn;
  }

  /**
   * Returns the LSN of the oldest record still in the log: the first LSN of the oldest segment.
   *
   * @return the oldest LSN {@link #read} accepts; {@code >= 1}
   */
  public long firstLsn() {
    return published.segments().getFirst().firstLsn();
  }

  /**
   * Returns a reader of the records with LSN {@code >= fromLsn}, in LSN order, across
   * segments.
   *
   * <p>The reader sees the records written to the files when it reaches them: records
   * appended (and written) while it reads are returned too, records only buffered are not.
   * Written records may not be durable yet. A reader opened at an LSN beyond the end returns
   * nothing until records reach that LSN. The segment holding {@code fromLsn} is scanned from
   * its start.
   *
   * @param fromLsn the first LSN wanted, {@code >= 1}
   * @return a reader; close it to release its file
   * @throws IllegalArgumentException if {@code fromLsn < 1}, or if it is below {@link
   *     #firstLsn()} because older segments were deleted; the message names the oldest LSN
   * @throws IllegalStateException if the log is closed
   */
  public WalReader read(long fromLsn) {
    if (fromLsn < 1) {
      throw new IllegalArgumentException("LSN must be >= 1, was " + fromLsn);
    }
    lock.lock();
    try {
      if (closing) {
        throw new IllegalStateException(dir + ": the log is closed");
      }
    } finally {
      lock.unlock();
    }
    long oldest = firstLsn();
    if (fromLsn < oldest) {
      throw new IllegalArgumentException("LSN " + fromLsn + " is no longer in the log " + dir
          + ": the oldest available LSN is " + oldest + " (older segments were deleted)");
    }
    return new WalReader(this, fromLsn);
  }

  /**
   * Deletes the segments all of whose records have an LSN below {@code lsn} (typically the
   * LSN after the last checkpoint), except the newest {@link WalOptions#keepSegments()} of
   * them, then syncs the directory. The segment being written to is never deleted, even if
   * all its records are below {@code lsn}. Readers that are inside a deleted segment finish
   * it (on POSIX systems); a reader that reaches a deleted segment fails.
   *
   * @param lsn the first LSN that must stay readable, in [1, {@link #lastLsn()} + 1]
   * @return how many segments were deleted, {@code >= 0}
   * @throws IllegalArgumentException if {@code lsn} is out of range
   * @throws IllegalStateException if the log is closed
   * @throws WalException if the log is read-only, if a file cannot be deleted (the log stays
   *     writable; the file is ignored until the next open), or if the directory {@code fsync}
   *     fails (the log turns read-only)
   */
  public int deleteSegmentsBefore(long lsn) {
    List<Seg> doomed;
    lock.lock();
    try {
      checkWritable();
      if (lsn < 1 || lsn > lastLsn + 1) {
        throw new IllegalArgumentException("LSN must be in [1, " + (lastLsn + 1) + "], was "
            + lsn);
      }
      while (busy) {
        changed.awaitUninterruptibly();
      }
      checkWritable();
      int candidates = 0;
      for (int i = 0; i < sealed.size(); i++) {
        long nextFirst = i + 1 < sealed.size() ? sealed.get(i + 1).firstLsn() : active.firstLsn;
        if (nextFirst > lsn) {
          break;
        }
        candidates = i + 1;
      }
      int n = Math.max(0, candidates - options.keepSegments());
      if (n == 0) {
        return 0;
      }
      doomed = new ArrayList<>(sealed.subList(0, n));
      sealed.subList(0, n).clear();
      Published p = published;
      published = snapshot(p.writtenLsn(), p);
      busy = true;
    } finally {
      lock.unlock();
    }
    int deleted = 0;
    @Nullable WalException err = null;
    boolean interrupted = Thread.interrupted(); // as in lead(): not during the directory sync
    try {
      for (Seg s : doomed) {
        try {
          Files.delete(s.path());
          deleted++;
        } catch (NoSuchFileException e) {
          deleted++; // deleted by someone else: the outcome we want
        } catch (IOException e) {
          if (err == null) {
            err = new WalException(s.path(), "cannot delete segment: " + e, e);
          }
        }
      }
      if (deleted > 0 && syncs) {
        try {
          channels.syncDirectory(dir);
        } catch (IOException e) {
          err = new WalException(dir, recordFatal(dir, "directory fsync after deleting segments"
              + " failed (" + e + ")", e), e);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      lock.lock();
      try {
        busy = false;
        changed.signalAll();
        wakeParked(false);
      } finally {
        lock.unlock();
      }
    }
    int count = deleted;
    LOG.log(Level.DEBUG, () -> dir + ": deleted " + count + " segments before LSN " + lsn);
    if (err != null) {
      throw err;
    }
    return deleted;
  }

  /**
   * Returns the counters of the groups written and synced since the log was opened.
   * Thread-safe; does not wait for a group being written.
   *
   * @return the counters
   */
  public WalStats stats() {
    return new WalStats(statGroups.sum(), statRecords.sum(), statBytes.sum(), statSyncs.sum(),
        statSyncNanos.sum());
  }

  /**
   * Returns the total size of the log's records and segment headers: what has been written,
   * not what is only buffered, nor the zeros preallocated after the last record (see {@link
   * WalOptions#preallocateBytes()}). For metrics.
   *
   * @return bytes, headers included
   */
  public long sizeBytes() {
    Published p = published;
    long total = p.activeEnd();
    for (Seg s : p.segments()) {
      total += Math.max(0, s.end());
    }
    return total;
  }

  /**
   * Returns the log directory.
   *
   * @return the directory, as given to {@link #open}
   */
  public Path directory() {
    return dir;
  }

  /**
   * Returns the options the log was opened with.
   *
   * @return the options
   */
  public WalOptions options() {
    return options;
  }

  /**
   * Tells whether the log refuses appends because of an earlier failure (a failed {@code
   * fsync}, or a failed write that could not be undone). Reading still works.
   *
   * @return {@code true} once the log has turned read-only; it stays so until reopened
   */
  public boolean isReadOnly() {
    return fatal != null;
  }

  /**
   * Tells why the log turned read-only.
   *
   * @return the reason, naming the file and the original error, or empty while the log is
   *     writable
   */
  public Optional<String> failure() {
    Fatal f = fatal;
    return f == null ? Optional.empty() : Optional.of(f.file() + ": " + f.message());
  }

  /**
   * Writes and, unless the mode is {@link Durability#NONE}, syncs every buffered record,
   * stops the background thread and closes the segment file. Later appends fail with {@link
   * IllegalStateException}; readers already open may finish. Closing again does nothing.
   *
   * @throws WalException if writing or syncing the buffered records fails (the file is closed
   *     anyway), or if the file cannot be closed
   */
  @Override
  public void close() {
    @Nullable WalException err = null;
    lock.lock();
    try {
      if (closing) {
        while (!closed) {
          changed.awaitUninterruptibly();
        }
        return;
      }
      closing = true;
      tick.signalAll();
      if (fatal == null && lastLsn > durableLsn) {
        try {
          await(lastLsn, true, rejections.size());
        } catch (WalException e) {
          err = e;
        }
      }
      while (busy) {
        changed.awaitUninterruptibly();
      }
      closed = true;
      wakeAllParked();
      try {
        active.channel.close();
      } catch (IOException e) {
        if (err == null) {
          err = new WalException(active.path, "cannot close: " + e, e);
        }
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    Thread t = syncer;
    if (t != null && t != Thread.currentThread()) {
      boolean interrupted = false;
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    if (err != null) {
      throw err;
    }
  }

  /**
   * Returns a short description for logs and debugging.
   *
   * @return the directory and the LSN counters
   */
  @Override
  public String toString() {
    return "Wal[" + dir + ", lastLsn=" + lastLsn + ", durableLsn=" + durableLsn
        + (fatal != null ? ", read-only" : "") + "]";
  }

  // ---------------------------------------------------------------------------------------
  // Package-private access for WalReader.

  Published published() {
    return published;
  }

  WalChannels channels() {
    return channels;
  }

  // ---------------------------------------------------------------------------------------
  // Group commit.

  /** Throws if appends are refused. Called under lock. */
  private void checkWritable() {
    if (closing) {
      throw new IllegalStateException(dir + ": the log is closed");
    }
    Fatal f = fatal;
    if (f != null) {
      throw new WalException(f.file(), "the log is read-only after an earlier failure: "
          + f.message(), f.cause());
    }
  }

  /**
   * Returns once {@code lsn} is durable (or, if {@code !durable}, written), leading groups as
   * needed. Called under lock; releases it while waiting or writing.
   *
   * @param seen how many rejections the caller had seen when its record was appended
   */
  private void await(long lsn, boolean durable, int seen) {
    while (true) {
      if (seen < rejections.size()) {
        // Only the first rejection after the append matters: later ones have higher bounds.
        Rejection r = rejections.get(seen);
        if (lsn > r.boundary()) {
          throw new WalException(r.file(), "record LSN " + lsn + " was not written: "
              + r.message() + "; every record from LSN " + (r.boundary() + 1) + " on was "
              + "rejected and the log stays writable", r.cause());
        }
      }
      if (lsn <= (durable ? durableLsn : writtenLsn)) {
        return;
      }
      Fatal f = fatal;
      if (f != null) {
        throw new WalException(f.file(), "record LSN " + lsn + " is not durable: "
            + f.message(), f.cause());
      }
      if (closed) {
        throw new IllegalStateException(dir + ": the log is closed");
      }
      if (busy) {
        changed.awaitUninterruptibly();
      } else {
        lead(durable, true);
        // Records appended during the group's I/O form the next group. Writing it at once,
        // instead of waking another committer to lead it, keeps the disk busy without a
        // thread hand-off; the rounds are bounded so that this caller is not held for long.
        for (int round = 1; round <= EXTRA_LEAD_ROUNDS && lsn <= durableLsn && !busy
            && !pending.isEmpty() && fatal == null && !closing; round++) {
          lead(durable, round < EXTRA_LEAD_ROUNDS);
        }
        if (!busy && !pending.isEmpty()) {
          wakeParked(false);
        }
      }
    }
  }

  /**
   * Writes everything buffered as one group and, if {@code durable}, syncs it. Called under
   * lock with {@code busy} false; releases the lock during the I/O.
   */
  private void lead(boolean durable, boolean mayLeadAgain) {
    busy = true;
    ArrayList<Format.Frame> batch = pending;
    pending = new ArrayList<>();
    pendingBytes = 0;
    long first = writtenLsn + 1;
    long stamp = durableLsn;
    for (Format.Frame frame : batch) {
      frame.stamp(stamp);
    }
    long last = writtenLsn + batch.size();
    boolean force = durable && syncs && durableLsn < last;
    @Nullable Failure failure = null;
    @Nullable Throwable unexpected = null;
    lock.unlock();
    // An interrupt would close the channel in the middle of the group's I/O: keep an interrupt
    // that came before out of it, and restore it afterwards.
    boolean interrupted = Thread.interrupted();
    try {
      failure = io(batch, first, last, force);
    } catch (RuntimeException | Error e) {
      unexpected = e;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      lock.lock();
    }
    try {
      if (unexpected != null) {
        recordFatal(active.path, "unexpected error while writing LSNs " + first + " to " + last
            + " (" + unexpected + ")", unexpected);
      } else if (failure == null) {
        writtenLsn = last;
        if (force || !syncs) {
          durableLsn = Math.max(durableLsn, last);
          notifyDurable();
        }
      } else if (failure.undone() && lastDetachedLsn <= writtenLsn) {
        long rejectedTo = lastLsn;
        rejections.add(new Rejection(writtenLsn, failure.file(), failure.message(),
            failure.cause()));
        rejectionCount = rejections.size();
        wakeAllParked();
        lastLsn = writtenLsn;
        pending.clear();
        pendingBytes = 0;
        LOG.log(Level.WARNING, failure.file() + ": " + failure.message() + "; records LSN "
            + first + " to " + rejectedTo + " were rejected and not written; the log stays "
            + "writable");
      } else {
        if (failure.written()) {
          writtenLsn = last;
        }
        String why = failure.message();
        if (failure.undone()) {
          why += "; it was undone, but records appended without waiting were among those "
              + "rejected, so their LSNs cannot be reused";
        }
        recordFatal(failure.file(), why, failure.cause());
      }
    } finally {
      busy = false;
      changed.signalAll();
      wakeParked(mayLeadAgain && !pending.isEmpty());
    }
    if (unexpected instanceof RuntimeException e) {
      throw e;
    } else if (unexpected instanceof Error e) {
      throw e;
    }
  }

  /**
   * Makes the log read-only. Called under lock or by the I/O leader.
   *
   * @return the full reason
   */
  private String recordFatal(Path file, String what, Throwable cause) {
    String message = what + "; the log is read-only from now on and must be reopened "
        + "(nothing is retried after a failed fsync or a write that cannot be undone)";
    if (fatal == null) {
      fatal = new Fatal(file, message, cause);
      wakeAllParked();
      LOG.log(Level.ERROR, file + ": " + message, cause);
    }
    return message;
  }

  /**
   * The I/O of one group, run by the leader without the lock: writes the frames (starting new
   * segments as needed), publishes them to readers, then syncs if asked.
   *
   * @return {@code null} on success, else what failed
   */
  private @Nullable Failure io(List<Format.Frame> batch, long first, long last,
      boolean force) {
    if (!batch.isEmpty()) {
      Group g = new Group(active, active.end, sealed.size());
      try {
        writeFrames(batch, first, g);
      } catch (IoFailure f) {
        if (f.sync) {
          g.closeAllBut(active);
          return new Failure(false, false, f.file, "fsync of " + f.file + " failed while "
              + "starting a new segment (" + f.io + ")", f.io);
        }
        String what = "write of LSNs " + first + " to " + last + " failed (" + f.io + ")";
        try {
          undo(g);
        } catch (IOException u) {
          f.io.addSuppressed(u);
          g.closeAllBut(active);
          return new Failure(false, false, f.file, what + ", and undoing it failed too (" + u
              + ")", f.io);
        }
        return new Failure(true, false, f.file, what, f.io);
      }
      published = snapshot(last, g.createdPaths.isEmpty() ? published : null);
      long written = 0;
      for (Format.Frame frame : batch) {
        written += frame.bytes.length;
      }
      statGroups.increment();
      statRecords.add(batch.size());
      statBytes.add(written);
      for (Active a : g.retired) {
        closeQuietly(a.channel);
      }
    }
    if (force) {
      long start = System.nanoTime();
      try {
        active.channel.force(false);
        statSyncs.increment();
        statSyncNanos.add(System.nanoTime() - start);
      } catch (IOException e) {
        return new Failure(false, true, active.path, "fsync failed (" + e + ")", e);
      }
    }
    return null;
  }

  private void writeFrames(List<Format.Frame> batch, long first, Group g) throws IoFailure {
    long groupEnd = active.end;
    for (Format.Frame frame : batch) {
      groupEnd += frame.bytes.length;
    }
    if (groupEnd <= options.segmentBytes()) {
      // Zeros once past the whole group, not before each buffer-full of it, which the next
      // buffer-full would overwrite.
      preallocate(groupEnd);
    }
    ByteBuffer b = groupBuffer;
    b.clear();
    long bufOff = active.end;
    long lsn = first;
    for (Format.Frame frame : batch) {
      byte[] bytes = frame.bytes;
      long end = bufOff + b.position();
      if (end > SEGMENT_HEADER_BYTES && end + bytes.length > options.segmentBytes()) {
        flush(b, bufOff);
        rotate(lsn, g);
        bufOff = active.end;
      }
      int p = 0;
      while (p < bytes.length) {
        if (!b.hasRemaining()) {
          flush(b, bufOff);
          bufOff = active.end;
        }
        int n = Math.min(b.remaining(), bytes.length - p);
        b.put(bytes, p, n);
        p += n;
      }
      lsn++;
    }
    flush(b, bufOff);
  }

  /** Writes the buffer's content at {@code off} of the active segment and clears it. */
  private void flush(ByteBuffer b, long off) throws IoFailure {
    b.flip();
    preallocate(off + b.limit());
    try {
      while (b.hasRemaining()) {
        active.channel.write(b, off + b.position());
      }
    } catch (IOException e) {
      throw new IoFailure(false, active.path, e);
    }
    active.end = off + b.limit();
    b.clear();
  }

  /**
   * Zero-fills the active segment from {@code needEnd} to {@link
   * WalOptions#preallocateBytes()} beyond it (at most to the segment size), if a write up to
   * {@code needEnd} grows the file. The zeros become durable with
   * the group's sync; the syncs of later groups then write into space the file already owns,
   * and need no journal commit of a new size (see {@link WalOptions#preallocateBytes()}).
   */
  private void preallocate(long needEnd) throws IoFailure {
    Active a = active;
    long ahead = options.preallocateBytes();
    if (ahead == 0 || needEnd <= a.allocated) {
      return;
    }
    long target = Math.max(needEnd, Math.min(options.segmentBytes(), needEnd + ahead));
    // The write itself fills [allocated, needEnd).
    long pos = needEnd;
    try {
      while (pos < target) {
        ByteBuffer z = ZEROS.duplicate();
        z.limit((int) Math.min(z.capacity(), target - pos));
        while (z.hasRemaining()) {
          pos += a.channel.write(z, pos);
        }
      }
    } catch (IOException e) {
      throw new IoFailure(false, a.path, e);
    }
    a.allocated = target;
  }

  /** Seals the active segment (synced) and starts a new one whose first LSN is {@code lsn}. */
  private void rotate(long lsn, Group g) throws IoFailure {
    Active old = active;
    if (syncs) {
      try {
        old.channel.force(false);
      } catch (IOException e) {
        throw new IoFailure(true, old.path, e);
      }
    }
    Path p = dir.resolve(Format.segmentName(lsn));
    Active a;
    try {
      a = new Active(p, lsn, createSegmentFile(channels, p, lsn));
    } catch (FileAlreadyExistsException e) {
      throw new IoFailure(false, p, e); // not ours: the undo must not delete it
    } catch (IOException e) {
      g.createdPaths.add(p); // the file may exist, with a partial header
      throw new IoFailure(false, p, e);
    }
    g.createdPaths.add(p);
    g.created.add(a);
    a.end = SEGMENT_HEADER_BYTES;
    a.allocated = SEGMENT_HEADER_BYTES;
    if (syncs) {
      try {
        a.channel.force(true);
      } catch (IOException e) {
        throw new IoFailure(true, p, e);
      }
      try {
        channels.syncDirectory(dir);
      } catch (IOException e) {
        throw new IoFailure(true, dir, e);
      }
    }
    sealed.add(new Seg(old.firstLsn, old.path, old.end));
    g.retired.add(old);
    active = a;
  }

  /** Undoes a failed group write: deletes its new segments, truncates the original one. */
  private void undo(Group g) throws IOException {
    for (Active a : g.created) {
      closeQuietly(a.channel);
    }
    for (Path p : g.createdPaths.reversed()) {
      Files.deleteIfExists(p);
    }
    if (!g.createdPaths.isEmpty() && syncs) {
      channels.syncDirectory(dir);
    }
    while (sealed.size() > g.sealedBefore) {
      sealed.removeLast();
    }
    Active orig = g.orig;
    active = orig;
    orig.channel.truncate(g.origEnd);
    orig.end = g.origEnd;
    orig.allocated = g.origEnd;
    if (syncs) {
      orig.channel.force(true);
    }
  }

  /** Builds the state readers see; reuses the previous segment list if it did not change. */
  private Published snapshot(long written, @Nullable Published previous) {
    List<Seg> segs;
    if (previous != null && previous.segments().size() == sealed.size() + 1
        && previous.segments().getLast().firstLsn() == active.firstLsn) {
      segs = previous.segments();
    } else {
      ArrayList<Seg> l = new ArrayList<>(sealed.size() + 1);
      l.addAll(sealed);
      l.add(new Seg(active.firstLsn, active.path, -1));
      segs = List.copyOf(l);
    }
    return new Published(segs, active.end, written);
  }

  /** Body of the group-async thread: every interval, makes everything appended durable. */
  private void syncLoop() {
    long interval = TimeUnit.MILLISECONDS.toNanos(options.groupAsyncMillis());
    lock.lock();
    try {
      while (true) {
        long deadline = System.nanoTime() + interval;
        long left;
        while (!closing && (left = deadline - System.nanoTime()) > 0) {
          tick.awaitNanos(left);
        }
        if (closing || fatal != null) {
          return;
        }
        long target = lastLsn;
        if (target > durableLsn) {
          try {
            await(target, true, rejections.size());
          } catch (WalException e) {
            if (fatal != null) {
              return; // logged by recordFatal
            }
          }
        }
      }
    } catch (InterruptedException e) {
      LOG.log(Level.WARNING, dir + ": group-async thread interrupted; records appended from "
          + "now on are synced only by awaitDurable or close");
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------
  // Files.

  /**
   * Creates a segment file and writes its header; does not sync.
   *
   * @throws IOException if the file exists or cannot be created or written
   */
  static FileChannel createSegmentFile(WalChannels channels, Path file, long firstLsn)
      throws IOException {
    FileChannel ch = channels.open(file, Set.of(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE));
    try {
      ByteBuffer h = ByteBuffer.wrap(Format.segmentHeader(firstLsn));
      while (h.hasRemaining()) {
        ch.write(h, h.position());
      }
      return ch;
    } catch (IOException | RuntimeException e) {
      closeQuietly(ch);
      throw e;
    }
  }

  static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // nothing more can go wrong with this channel; the failure that matters is reported
    }
  }

  // ---------------------------------------------------------------------------------------
  // Internal types.

  /** A segment as readers see it: {@code end} is its size, or -1 for the active segment. */
  record Seg(long firstLsn, Path path, long end) {}

  /**
   * What readers may read: the segments in LSN order (the last one active), the written end
   * of the active one, and the highest written LSN. Immutable; replaced after each group.
   */
  record Published(List<Seg> segments, long activeEnd, long writtenLsn) {
    /** Returns the segment that holds (or would hold) {@code lsn}, or null if deleted. */
    @Nullable Seg segmentFor(long lsn) {
      int i = indexAtOrBefore(lsn);
      return i < 0 ? null : segments.get(i);
    }

    /** Returns the segment after the one starting at {@code firstLsn}, or null. */
    @Nullable Seg segmentAfter(long firstLsn) {
      int i = indexAtOrBefore(firstLsn) + 1;
      return i < segments.size() ? segments.get(i) : null;
    }

    /** Returns how far the segment starting at {@code firstLsn} may be read, or -1. */
    long limitOf(long firstLsn) {
      int i = indexAtOrBefore(firstLsn);
      if (i < 0 || segments.get(i).firstLsn() != firstLsn) {
        return -1;
      }
      return i == segments.size() - 1 ? activeEnd : segments.get(i).end();
    }

    private int indexAtOrBefore(long lsn) {
      int lo = 0;
      int hi = segments.size() - 1;
      int found = -1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (segments.get(mid).firstLsn() <= lsn) {
          found = mid;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      return found;
    }
  }

  /** The segment being written to, with its written end. */
  private static final class Active {
    final Path path;
    final long firstLsn;
    final FileChannel channel;
    /** End of the last record written. */
    long end;
    /** The file's size as this log made it: {@code end} plus preallocated zeros. */
    long allocated;

    Active(Path path, long firstLsn, FileChannel channel) {
      this.path = path;
      this.firstLsn = firstLsn;
      this.channel = channel;
    }
  }

  /** What one group write changed, so that a failed write can be undone. */
  private static final class Group {
    final Active orig;
    final long origEnd;
    final int sealedBefore;
    /** Segment files this group created (or tried to), in order. */
    final List<Path> createdPaths = new ArrayList<>();
    /** Segments this group created, with their open channels. */
    final List<Active> created = new ArrayList<>();
    /** Segments this group sealed; their channels are closed once the group succeeds. */
    final List<Active> retired = new ArrayList<>();

    Group(Active orig, long origEnd, int sealedBefore) {
      this.orig = orig;
      this.origEnd = origEnd;
      this.sealedBefore = sealedBefore;
    }

    void closeAllBut(Active keep) {
      for (Active a : retired) {
        if (a != keep) {
          closeQuietly(a.channel);
        }
      }
      for (Active a : created) {
        if (a != keep) {
          closeQuietly(a.channel);
        }
      }
    }
  }

  private record Fatal(Path file, String message, Throwable cause) {}

  private record Rejection(long boundary, Path file, String message, Throwable cause) {}

  private record Failure(boolean undone, boolean written, Path file, String message,
      IOException cause) {}

  /** An I/O error of the leader, classified: a failed sync is fatal, a failed write is undone. */
  private static final class IoFailure extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean sync;
    final Path file;
    final IOException io;

    IoFailure(boolean sync, Path file, IOException io) {
      super(io);
      this.sync = sync;
      this.file = file;
      this.io = io;
    }
  }
}
