package io.treestore.wal;

import io.treestore.testkit.DelegatingChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link WalChannels} for tests: counts syncs (per file name, directories included) and
 * writes, records an event trace, and injects faults on demand.
 *
 * <p>Faults (all off by default, switched by the test at any time):
 * <ul>
 *   <li>{@link #failForces}: the next n {@code force} calls on segment files throw
 *       {@link #FSYNC_ERROR};
 *   <li>{@link #failDirSyncs}: the next n directory syncs throw;
 *   <li>{@link #forceGate}: {@code force} on segment files first waits for this latch;
 *   <li>{@link #writesBeforeFailure}: when {@code >= 0}, that many more writes succeed, then
 *       every write throws "No space left on device" (ENOSPC) until it is set to -1;
 *   <li>{@link #shortWrite}: a failing write first writes half of its bytes and returns that
 *       count, and only the next write throws (a short write followed by an error);
 *   <li>{@link #failCreate}: opening a file with {@code CREATE_NEW} throws ENOSPC.
 * </ul>
 */
final class FaultyChannels implements WalChannels {
  static final String ENOSPC = "No space left on device";
  static final String FSYNC_ERROR = "Input/output error (injected fsync failure)";

  final AtomicInteger failForces = new AtomicInteger();
  final AtomicInteger failDirSyncs = new AtomicInteger();
  volatile CountDownLatch forceGate = new CountDownLatch(0);
  final AtomicLong writesBeforeFailure = new AtomicLong(-1);
  volatile boolean shortWrite;
  volatile boolean failCreate;

  final AtomicLong writes = new AtomicLong();
  final AtomicLong segmentForces = new AtomicLong();
  private final Map<String, AtomicInteger> forcesByName = new ConcurrentHashMap<>();
  private final List<String> events = new ArrayList<>();

  /** Returns the number of {@code force} calls on the file or directory {@code p}. */
  int forces(Path p) {
    AtomicInteger n = forcesByName.get(p.toAbsolutePath().toString());
    return n == null ? 0 : n.get();
  }

  /** Returns all forces: on segment files and on directories. */
  long allForces() {
    return forcesByName.values().stream().mapToLong(AtomicInteger::get).sum();
  }

  /** Returns a copy of the event trace: "create NAME", "write NAME", "force NAME". */
  List<String> events() {
    synchronized (events) {
      return new ArrayList<>(events);
    }
  }

  private void event(String e) {
    synchronized (events) {
      events.add(e);
    }
  }

  @Override
  public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
    if (options.contains(StandardOpenOption.CREATE_NEW)) {
      if (failCreate) {
        throw new IOException(ENOSPC);
      }
      event("create " + path.getFileName());
    }
    boolean dir = Files.isDirectory(path);
    return new Faulty(FileChannel.open(path, options), path.toAbsolutePath(), dir);
  }

  private final class Faulty extends DelegatingChannel {
    private final boolean dir;
    private boolean failNext;

    Faulty(FileChannel d, Path path, boolean dir) {
      super(d, path);
      this.dir = dir;
    }

    private void beforeWrite() throws IOException {
      if (failNext) {
        failNext = false;
        throw new IOException(ENOSPC);
      }
      long left = writesBeforeFailure.get();
      if (left == 0) {
        throw new IOException(ENOSPC);
      }
      if (left > 0) {
        writesBeforeFailure.compareAndSet(left, left - 1);
      }
    }

    private boolean failing() {
      return writesBeforeFailure.get() == 0;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      if (failing() && shortWrite && !failNext && src.remaining() > 1) {
        // Write half, report it, and fail on the next call.
        ByteBuffer half = src.slice(src.position(), src.remaining() / 2);
        int n = d.write(half, position);
        src.position(src.position() + n);
        failNext = true;
        writes.incrementAndGet();
        event("write " + path.getFileName());
        return n;
      }
      beforeWrite();
      int n = d.write(src, position);
      writes.incrementAndGet();
      event("write " + path.getFileName());
      return n;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      forcesByName.computeIfAbsent(path.toString(), k -> new AtomicInteger()).incrementAndGet();
      event("force " + path.getFileName());
      if (dir) {
        if (failDirSyncs.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          throw new IOException(FSYNC_ERROR + " (directory)");
        }
      } else {
        segmentForces.incrementAndGet();
        try {
          if (!forceGate.await(30, TimeUnit.SECONDS)) {
            throw new IOException("test force gate was not opened within 30 s");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted at the test force gate", e);
        }
        if (failForces.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          throw new IOException(FSYNC_ERROR);
        }
      }
      d.force(metaData);
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      event("truncate " + path.getFileName() + " " + size);
      d.truncate(size);
      return this;
    }
  }
}
