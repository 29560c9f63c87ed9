package io.treestore.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The floor of group commit on this machine: the least a blocking durable commit shared by
 * concurrent committers can cost, with no database around it. A committer copies its rows
 * (per row: key length, key, value length, value, as {@link TxnWalPeer} encodes them) into a
 * shared buffer under a lock and takes the next sequence number; then it either finds another
 * thread writing, registers and parks, or becomes the leader: it takes the buffer, writes it
 * with one positional write in place into a file zero-filled to 64 MiB and synced at open
 * (wrapping around at its end, so no sync commits a new file size, as with TreeStore's
 * preallocated log), calls {@code force(false)} (an fdatasync), and then unparks the
 * committers its group made durable and, if records wait, the first of the others to lead the
 * next group. This is the leader/follower group commit of DeWitt et al. (SIGMOD 1984) reduced
 * to its parts: no framing, no checksum, no transaction, no index. Records are not readable
 * back; nothing here is a log anyone could recover from.
 *
 * <p>{@link TxnGroupCommitBenchmark} runs it next to {@link TxnPeer#TREESTORE} and
 * {@link TxnWalPeer} so that the scaling the engine reaches with 16 threads can be compared
 * with what the machine allows for blocking commits at all.
 */
final class TxnFloorPeer implements TxnPeer {
  private static final long FILE_BYTES = 64L << 20;

  private final FileChannel ch;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private ByteBuffer pending = ByteBuffer.allocateDirect(4 << 20);
  private ByteBuffer spare = ByteBuffer.allocateDirect(4 << 20);
  private long appended;
  private volatile long durable;
  private boolean busy;
  private long pos;
  private long groups;
  private long syncNanos;

  /** Records written at once after a group, by its leader, before it hands the lead on. */
  private static final int EXTRA_ROUNDS = 2;

  /** A parked committer and the sequence number it waits for. */
  private static final class Waiter {
    final long seq;
    final Thread thread;
    volatile boolean woken;

    Waiter(long seq, Thread thread) {
      this.seq = seq;
      this.thread = thread;
    }
  }

  TxnFloorPeer(Path dir) {
    try {
      ch = FileChannel.open(dir.resolve("floor.log"), StandardOpenOption.CREATE_NEW,
          StandardOpenOption.READ, StandardOpenOption.WRITE);
      TxnBenchFiles.zeroFill(ch, FILE_BYTES);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Session session() {
    return new Session() {
      @Override
      public void commit(byte[][] keys, byte[][] values) {
        TxnFloorPeer.this.commit(keys, values);
      }

      @Override
      public void close() {}
    };
  }

  private void commit(byte[][] keys, byte[][] values) {
    int n = 0;
    for (int i = 0; i < keys.length; i++) {
      n += 8 + keys[i].length + values[i].length;
    }
    lock.lock();
    try {
      if (pending.remaining() < n) {
        throw new IllegalStateException("the floor's group buffer holds " + pending.capacity()
            + " bytes; a group would need more (too many rows or threads for this baseline)");
      }
      for (int i = 0; i < keys.length; i++) {
        pending.putInt(keys[i].length).put(keys[i]).putInt(values[i].length).put(values[i]);
      }
      long mine = ++appended;
      while (durable < mine) {
        if (!busy) {
          // Lead this group, then (as TreeStore's log does) up to EXTRA_ROUNDS more groups of
          // records appended meanwhile before handing the lead to a waiter.
          lead(false);
          for (int r = 1; r <= EXTRA_ROUNDS && !busy && pending.position() > 0; r++) {
            lead(r < EXTRA_ROUNDS);
          }
          if (!busy && pending.position() > 0) {
            wakeFirstNotDurable();
          }
          continue;
        }
        Waiter w = new Waiter(mine, Thread.currentThread());
        waiters.add(w);
        lock.unlock();
        while (!w.woken) {
          LockSupport.park(this);
        }
        lock.lock();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writes and syncs everything buffered, then wakes the waiters it made durable and, unless
   * {@code leadingAgain}, the first other waiter to lead the next group. Called under the lock
   * with {@code busy} false; releases the lock for the I/O.
   */
  private void lead(boolean leadingAgain) {
    busy = true;
    ByteBuffer batch = pending;
    pending = spare;
    long upTo = appended;
    lock.unlock();
    long t0 = System.nanoTime();
    try {
      batch.flip();
      if (pos + batch.remaining() > FILE_BYTES) {
        pos = 0;
      }
      long at = pos;
      while (batch.hasRemaining()) {
        at += ch.write(batch, at);
      }
      pos = at;
      ch.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      long t1 = System.nanoTime();
      batch.clear();
      lock.lock();
      syncNanos += t1 - t0;
      spare = batch;
      busy = false;
    }
    groups++;
    durable = upTo;
    var it = waiters.iterator();
    while (it.hasNext()) {
      Waiter w = it.next();
      if (w.seq <= upTo) {
        it.remove();
        w.woken = true;
        LockSupport.unpark(w.thread);
      }
    }
    if (!leadingAgain) {
      wakeFirstNotDurable();
    }
  }

  /** Wakes the first waiter whose record is not durable, to lead the next group. */
  private void wakeFirstNotDurable() {
    Waiter w = waiters.pollFirst();
    if (w != null) {
      w.woken = true;
      LockSupport.unpark(w.thread);
    }
  }

  @Override
  public String settings() {
    return "floor (bare leader/follower group commit: one positional write in place + "
        + "force(false) per group, no database) fileBytes=" + FILE_BYTES;
  }

  @Override
  public String report() {
    lock.lock();
    try {
      return String.format("floor commits=%d groups=%d recordsPerGroup=%.2f "
          + "writeAndSyncMicrosPerGroup=%.1f", appended, groups,
          appended / (double) Math.max(1, groups), syncNanos / 1e3 / Math.max(1, groups));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    try {
      ch.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
