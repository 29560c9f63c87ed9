package io.treestore.txn;

import io.treestore.testkit.DelegatingChannel;
import io.treestore.page.ChannelFactory;
import io.treestore.wal.WalChannels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Channel factories for the data file and the log that inject I/O faults on demand, for
 * {@link FaultInjectionTest}. One instance serves both ({@link #pages()}, {@link #wal()}); each
 * target has its own switches:
 * <ul>
 *   <li>{@link Faults#writesBeforeFailure}: when {@code >= 0}, that many more writes succeed,
 *       then every write throws {@link #ENOSPC} until it is set back to -1 (a full disk);
 *   <li>{@link Faults#shortWrite}: the first failing write writes half of its bytes and
 *       returns that count; the next write throws (a short write followed by an error);
 *   <li>{@link Faults#failForces}: the next n {@code force} calls on files throw {@link #EIO};
 *   <li>{@link Faults#failCreate}: creating a file ({@code CREATE_NEW}) throws {@link #ENOSPC};
 *   <li>{@link Faults#failDirSyncs}: the next n directory syncs throw {@link #EIO};
 *   <li>{@link Faults#forceGate}: {@code force} on files waits until the latch opens (a slow
 *       or stalled disk).
 * </ul>
 * Counters tell how many writes and forces each target saw, and how many faults fired.
 */
final class FaultyStorage {
  static final String ENOSPC = "No space left on device";
  static final String EIO = "Input/output error (injected fsync failure)";

  /** The switches and counters of one target (the data file or the log). */
  static final class Faults {
    final AtomicLong writesBeforeFailure = new AtomicLong(-1);
    volatile boolean shortWrite;
    final AtomicInteger failForces = new AtomicInteger();
    volatile boolean failCreate;
    final AtomicInteger failDirSyncs = new AtomicInteger();
    /** {@code force} on files (not directories) first waits for this latch. */
    volatile java.util.concurrent.CountDownLatch forceGate =
        new java.util.concurrent.CountDownLatch(0);
    final AtomicLong writes = new AtomicLong();
    final AtomicLong forces = new AtomicLong();
    final AtomicLong fired = new AtomicLong();

    /** Turns every fault off. */
    void clear() {
      writesBeforeFailure.set(-1);
      shortWrite = false;
      failForces.set(0);
      failCreate = false;
      failDirSyncs.set(0);
      forceGate.countDown();
    }
  }

  final Faults data = new Faults();
  final Faults log = new Faults();

  /** Turns every fault of both targets off. */
  void clear() {
    data.clear();
    log.clear();
  }

  ChannelFactory pages() {
    return new ChannelFactory() {
      @Override
      public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
        return FaultyStorage.this.open(data, path, options);
      }

      @Override
      public void syncDirectory(Path dir) throws IOException {
        FaultyStorage.this.syncDirectory(data, dir);
      }
    };
  }

  WalChannels wal() {
    return new WalChannels() {
      @Override
      public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
        return FaultyStorage.this.open(log, path, options);
      }

      @Override
      public void syncDirectory(Path dir) throws IOException {
        FaultyStorage.this.syncDirectory(log, dir);
      }
    };
  }

  private FileChannel open(Faults f, Path path, Set<? extends OpenOption> options)
      throws IOException {
    if (options.contains(StandardOpenOption.CREATE_NEW) && f.failCreate) {
      f.fired.incrementAndGet();
      throw new IOException(path + ": " + ENOSPC);
    }
    return new Channel(f, FileChannel.open(path, options), path);
  }

  private void syncDirectory(Faults f, Path dir) throws IOException {
    if (f.failDirSyncs.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      f.fired.incrementAndGet();
      throw new IOException(dir + ": " + EIO + " (directory)");
    }
    try (FileChannel ch = FileChannel.open(dir, Set.of(StandardOpenOption.READ))) {
      ch.force(true);
    }
  }

  private static final class Channel extends DelegatingChannel {
    private final Faults f;
    private final boolean dir;
    private boolean failNext;

    Channel(Faults f, FileChannel d, Path path) {
      super(d, path);
      this.f = f;
      this.dir = Files.isDirectory(path);
    }

    @Override
    public synchronized int write(ByteBuffer src, long position) throws IOException {
      if (failNext) {
        failNext = false;
        f.fired.incrementAndGet();
        throw new IOException(ENOSPC);
      }
      long left = f.writesBeforeFailure.get();
      if (left == 0) {
        if (f.shortWrite && src.remaining() > 1) {
          ByteBuffer half = src.slice(src.position(), src.remaining() / 2);
          int n = d.write(half, position);
          src.position(src.position() + n);
          failNext = true;
          f.writes.incrementAndGet();
          return n;
        }
        f.fired.incrementAndGet();
        throw new IOException(ENOSPC);
      }
      if (left > 0) {
        f.writesBeforeFailure.compareAndSet(left, left - 1);
      }
      f.writes.incrementAndGet();
      return d.write(src, position);
    }

    @Override
    public void force(boolean metaData) throws IOException {
      if (!dir) {
        try {
          f.forceGate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted at the force gate");
        }
        f.forces.incrementAndGet();
        if (f.failForces.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          f.fired.incrementAndGet();
          throw new IOException(EIO);
        }
      }
      d.force(metaData);
    }
  }
}
