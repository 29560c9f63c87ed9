package io.treestore.page;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;

/**
 * Tracks which flush generations open readers may still depend on, so that a page freed by
 * copy-on-write is reused only when no reader can reach it.
 *
 * <h2>Design</h2>
 * The same idea as LMDB's reader table, in epoch form (Fraser, "Practical lock-freedom",
 * 2004, chapter 5). An <em>epoch</em> is the span between two flushes; it carries the
 * durable generation {@code g} at its start. A reader {@linkplain #pin() pins} the current
 * epoch before it reads the tree's root and unpins it when done. A reader pinned at
 * generation {@code g} may reach any page that was still live after flush {@code g}, so a page
 * freed by flush {@code r} may be reused only when {@code r <= oldestPinned()}.
 *
 * <p>Pinning is lock-free: the reader increments the epoch's counter and then checks that the
 * epoch has not been retired; {@link #advance} retires the old epoch and then reads the
 * counters. Both sides use sequentially consistent accesses (a Dekker-style handshake), so
 * either the reader sees the retirement and moves to the new epoch, or the writer sees the
 * reader.
 *
 * <h2>Thread safety</h2>
 * {@link #pin()} and {@link Pin#close()} may be called from any thread at any time.
 * {@link #advance} and {@link #oldestPinned} are called by the single writer; they are
 * synchronized so that a writer role that moves between threads is safe.
 */
public final class ReaderTable {
  private static final class Epoch {
    final long generation;
    final LongAdder readers = new LongAdder();
    volatile boolean retired;

    Epoch(long generation) {
      this.generation = generation;
    }
  }

  /** A pinned epoch; close it exactly once when the read is over. */
  public static final class Pin implements AutoCloseable {
    private final Epoch epoch;
    private boolean closed;

    private Pin(Epoch epoch) {
      this.epoch = epoch;
    }

    /**
     * Returns the durable generation this pin holds.
     *
     * @return the generation of the pinned epoch
     */
    public long generation() {
      return epoch.generation;
    }

    /** Unpins the epoch. Calling it again has no effect. Not thread-safe for one pin. */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        epoch.readers.decrement();
      }
    }
  }

  private volatile Epoch current;
  private final ArrayDeque<Epoch> retired = new ArrayDeque<>();

  /**
   * Creates a table whose first epoch starts at {@code generation}.
   *
   * @param generation the durable generation when the file was opened
   */
  public ReaderTable(long generation) {
    this.current = new Epoch(generation);
  }

  /**
   * Pins the current epoch. Pin before reading a root, close after the last page read.
   *
   * @return the pin, to close when the read is over
   */
  public Pin pin() {
    while (true) {
      Epoch e = current;
      e.readers.increment();
      if (!e.retired) {
        return new Pin(e);
      }
      e.readers.decrement();
    }
  }

  /**
   * Starts a new epoch after flush {@code generation} became durable.
   *
   * @param generation the new durable generation, greater than the current epoch's
   * @throws IllegalArgumentException if {@code generation} does not increase
   */
  public synchronized void advance(long generation) {
    Epoch old = current;
    if (generation <= old.generation) {
      throw new IllegalArgumentException("generation must increase: " + generation + " <= "
          + old.generation);
    }
    current = new Epoch(generation);
    old.retired = true;
    retired.addLast(old);
  }

  /**
   * Returns the oldest generation any reader still pins: pages freed by a flush of a
   * generation at most this value are unreachable by every reader.
   *
   * @return the smallest pinned generation, or the current epoch's generation if no older
   *     epoch has a reader
   */
  public synchronized long oldestPinned() {
    while (!retired.isEmpty() && retired.peekFirst().readers.sum() == 0) {
      retired.pollFirst();
    }
    Epoch first = retired.peekFirst();
    return first != null ? first.generation : current.generation;
  }

  /**
   * Returns how many readers currently hold a pin, over all epochs (approximate while readers
   * come and go).
   *
   * @return the number of open pins
   */
  public synchronized long activeReaders() {
    long n = current.readers.sum();
    for (Epoch e : retired) {
      n += e.readers.sum();
    }
    return n;
  }
}
