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
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Channel factories for the data file and the log that record every file operation in one
 * totally ordered log, for {@link SimulatedCrashTest} (in the manner of SQLite's crash VFS and
 * of the ALICE study, Pillai et al., OSDI 2014). Operations, with file names relative to the
 * database directory:
 * <ul>
 *   <li>{@code CREATE f}: {@code open} with {@code CREATE} or {@code CREATE_NEW} made a file
 *       that did not exist;
 *   <li>{@code WRITE f offset bytes}: recorded when the write returns, with the bytes it
 *       actually wrote;
 *   <li>{@code TRUNCATE f size};
 *   <li>{@code FSYNC f cover}: a {@code force} on {@code f} returned; it covers the operations
 *       of {@code f} recorded before it was <em>called</em> (index {@code < cover}): writes
 *       that completed while it ran may or may not be covered, so they count as unsynced;
 *   <li>{@code DIRSYNC d cover}: a directory sync returned; it makes the creations and
 *       deletions in {@code d} recorded before it was called durable;
 *   <li>{@code DELETE f}: the log deletes segments with {@link java.nio.file.Files#delete},
 *       which no channel factory sees. Every deletion of the engine is followed by a sync of
 *       its directory (in {@code SYNC} mode), so each directory sync first lists the files it
 *       knows in that directory and records a {@code DELETE} for every one that is gone. The
 *       recorded position may be later than the real deletion, never earlier than it; a crash
 *       between the two is modeled as "the deletion did not reach the disk", which is one of
 *       the outcomes a deletion not yet followed by a directory sync allows anyway. At the
 *       end, {@link #checkNoUnrecordedDeletion()} makes sure no deletion went unseen;
 *   <li>{@code RENAME from to}: the data file is created under a temporary name and renamed
 *       with {@link java.nio.file.Files#move}, which no channel factory sees either. Renames
 *       are detected like deletions, by listing the directory, at a directory sync and when a
 *       file is opened that the log does not know: a known file that vanished and a new one
 *       that appeared ({@code X.creating} becoming {@code X}) make a rename;
 *   <li>{@code ACK lsn}: the test records that a commit was acknowledged.
 * </ul>
 * Syncs are recorded, not performed (the simulated crash images make them meaningless for the
 * real files), which keeps the workload fast.
 */
final class RecordingStorage {
  static final int CREATE = 0;
  static final int WRITE = 1;
  static final int TRUNCATE = 2;
  static final int FSYNC = 3;
  static final int DIRSYNC = 4;
  static final int DELETE = 5;
  static final int ACK = 6;
  static final int RENAME = 7;

  /**
   * One recorded operation.
   *
   * @param kind one of the constants above
   * @param file the file (or directory, "" for the database directory), relative
   * @param offset the write offset, or the truncation size
   * @param data the bytes written, or an empty array
   * @param cover for syncs: the index of the first operation not covered
   * @param lsn for {@code ACK}: the acknowledged LSN
   * @param from for {@code RENAME}: the old name ({@code file} is the new one), else ""
   */
  record Op(int kind, String file, long offset, byte[] data, int cover, long lsn, String from) {
    Op(int kind, String file, long offset, byte[] data, int cover, long lsn) {
      this(kind, file, offset, data, cover, lsn, "");
    }

    @Override
    public String toString() {
      return switch (kind) {
        case CREATE -> "CREATE " + file;
        case WRITE -> "WRITE " + file + " @" + offset + " +" + data.length;
        case TRUNCATE -> "TRUNCATE " + file + " " + offset;
        case FSYNC -> "FSYNC " + file + " <" + cover;
        case DIRSYNC -> "DIRSYNC '" + file + "' <" + cover;
        case DELETE -> "DELETE " + file;
        case RENAME -> "RENAME " + from + " -> " + file;
        default -> "ACK " + lsn;
      };
    }
  }

  private static final byte[] NONE = new byte[0];

  /** How long a recorded {@code force} of a log segment takes, to let groups form. */
  volatile long forceMillis;
  private final Path root;
  private final List<Op> ops = new ArrayList<>();
  private final Set<String> live = new LinkedHashSet<>();

  RecordingStorage(Path root) {
    this.root = root.toAbsolutePath();
  }

  /** Returns the operations recorded so far (a copy). */
  synchronized List<Op> ops() {
    return new ArrayList<>(ops);
  }

  synchronized void ack(long lsn) {
    ops.add(new Op(ACK, "", 0, NONE, 0, lsn));
  }

  private synchronized int add(Op op) {
    ops.add(op);
    return ops.size() - 1;
  }

  private synchronized int size() {
    return ops.size();
  }

  private String rel(Path p) {
    return root.relativize(p.toAbsolutePath()).toString();
  }

  /** Fails if a file the engine created has disappeared without a recorded deletion. */
  synchronized void checkNoUnrecordedDeletion() {
    for (String f : live) {
      if (!Files.exists(root.resolve(f))) {
        throw new AssertionError(f + " was deleted without a directory sync after it");
      }
    }
  }

  ChannelFactory pages() {
    return new ChannelFactory() {
      @Override
      public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
        return RecordingStorage.this.open(path, options);
      }

      @Override
      public void syncDirectory(Path dir) throws IOException {
        RecordingStorage.this.syncDirectory(dir);
      }
    };
  }

  WalChannels wal() {
    return new WalChannels() {
      @Override
      public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
        return RecordingStorage.this.open(path, options);
      }

      @Override
      public void syncDirectory(Path dir) throws IOException {
        RecordingStorage.this.syncDirectory(dir);
      }
    };
  }

  private FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
    boolean creating = (options.contains(StandardOpenOption.CREATE)
        || options.contains(StandardOpenOption.CREATE_NEW)) && !Files.exists(path);
    String name = rel(path);
    if (!creating && !Files.isDirectory(path)) {
      synchronized (this) {
        if (!live.contains(name)) {
          Path p = Path.of(name).getParent();
          reconcile(p == null ? "" : p.toString());
        }
      }
    }
    FileChannel ch = FileChannel.open(path, options);
    if (creating) {
      synchronized (this) {
        add(new Op(CREATE, name, 0, NONE, 0, 0));
        live.add(name);
      }
    }
    return new Rec(ch, path, name);
  }

  private void syncDirectory(Path dir) throws IOException {
    String d = rel(dir);
    synchronized (this) {
      reconcile(d);
      add(new Op(DIRSYNC, d, 0, NONE, size(), 0));
    }
  }

  /** Records the renames and deletions that happened in directory {@code d}. */
  private synchronized void reconcile(String d) throws IOException {
    Set<String> existing = new LinkedHashSet<>();
    Path dirPath = root.resolve(d);
    if (Files.isDirectory(dirPath)) {
      try (var s = Files.list(dirPath)) {
        for (Path p : s.toList()) {
          if (Files.isRegularFile(p)) {
            existing.add(rel(p));
          }
        }
      }
    }
    List<String> vanished = new ArrayList<>();
    for (String f : live) {
      Path p = Path.of(f).getParent();
      if ((p == null ? "" : p.toString()).equals(d) && !existing.contains(f)) {
        vanished.add(f);
      }
    }
    List<String> appeared = new ArrayList<>();
    for (String f : existing) {
      if (!live.contains(f)) {
        appeared.add(f);
      }
    }
    for (String a : appeared) {
      String from = vanished.contains(a + ".creating") ? a + ".creating"
          : vanished.size() == 1 && appeared.size() == 1 ? vanished.getFirst() : null;
      if (from == null) {
        throw new IllegalStateException(a + " appeared in '" + d + "' without being created "
            + "through the channel factories (vanished: " + vanished + ")");
      }
      add(new Op(RENAME, a, 0, NONE, 0, 0, from));
      vanished.remove(from);
      live.remove(from);
      live.add(a);
    }
    for (String v : vanished) {
      add(new Op(DELETE, v, 0, NONE, 0, 0));
      live.remove(v);
    }
  }

  private final class Rec extends DelegatingChannel {
    private final String name;

    Rec(FileChannel d, Path path, String name) {
      super(d, path);
      this.name = name;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      ByteBuffer copy = src.duplicate();
      int n = d.write(src, position);
      byte[] bytes = new byte[n];
      copy.get(bytes);
      add(new Op(WRITE, name, position, bytes, 0, 0));
      return n;
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      long before = d.size();
      d.truncate(size);
      if (size < before) {
        add(new Op(TRUNCATE, name, size, NONE, 0, 0));
      }
      return this;
    }

    @Override
    public void force(boolean metaData) {
      long ms = forceMillis;
      if (ms > 0 && name.endsWith(".wal")) {
        try {
          Thread.sleep(ms);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      int cover = RecordingStorage.this.size();
      add(new Op(FSYNC, name, 0, NONE, cover, 0));
    }
  }
}
