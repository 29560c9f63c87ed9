package io.treestore.txn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.btree.BTreeFile;
import io.treestore.btree.BTreeOptions;
import io.treestore.btree.Entry;
import io.treestore.btree.Range;
import io.treestore.page.ChannelFactory;
import io.treestore.txn.RecordingStorage.Op;
import io.treestore.wal.Durability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Simulated power-loss crashes, in the manner of SQLite's crash VFS and of the ALICE study
 * (Pillai et al., "All File Systems Are Not Created Equal", OSDI 2014).
 *
 * <p>A seeded workload runs in-process against a database in {@code SYNC} mode whose channel
 * factories record every file operation ({@link RecordingStorage}: creations, writes,
 * truncations, fsyncs, directory syncs, and the deletions and renames done with {@code Files},
 * detected by listing the directory) and the acknowledgements of commits, in one total order.
 * The log starts with the creation of the database (the data file's temporary file, its
 * rename, the first log segment). The workload has transfers between two
 * keyspaces, puts of small and large (overflow) values, deletes and merge counters, explicit
 * checkpoints, 8 KiB log segments (so rotations and segment deletions happen often), and a
 * close and reopen with and without a final checkpoint (so recovery's own operations are in
 * the log too). Its committed write sets, by LSN, give the state after every prefix of the
 * commit order.
 *
 * <p>Then crash states are built: for a cut point in the operation log, each file's durable
 * content is its content as of the last fsync that covers it, plus ANY subset of the writes
 * made since, split into 4 KiB-aligned chunks that each reach the disk or not (applied in
 * their original order where they overlap, since a page cache never writes an older version
 * over a newer one), some torn (only a 512-byte-aligned prefix of a chunk), truncations made
 * or not, random garbage appended to the last log segment or the data file when they had
 * unsynced writes, creations not yet covered by a directory sync lost or kept, renames not
 * yet covered seen under the old or the new name, and deletions not yet covered undone (the
 * deletions of one directory reach the disk in order, as journaling file systems do). Several strategies pick the subsets (everything,
 * nothing, random, a prefix per file, random with many tears). Each distinct image is written
 * to a temporary directory and opened as a database ({@code NONE} durability, for speed), and
 * must recover without error to a state that equals the state after some prefix {@code k} of
 * the commit order, where {@code k} is the recovered last LSN and is at least the LSN of
 * every commit acknowledged before the cut (so no acknowledged commit is lost and no
 * transaction is partly visible). For every 16th image the data file also passes {@link
 * BTreeFile#check()} first, and the recovered database commits once more and is reopened, to
 * show that it continues correctly.
 *
 * <p>The default run checks at least 10,000 distinct crash states; the long one ({@code
 * ./mvnw -Plong}, {@code -Dts.crash.states=}) one million, over workloads with successive
 * seeds. The seed is printed and part of every failure; rerun with {@code -Dts.seed=}. With
 * {@code -Dts.crash.keep=DIR} a failing image is copied there.
 */
class SimulatedCrashTest {
  private static final long DEFAULT_SEED = 0x51AC_0001L;
  private static final int CHUNK = 4096;
  private static final int SECTOR = 512;

  @TempDir Path dir;

  @Test
  void everyCrashStateOfASyncWorkloadRecoversAPrefixWithEveryAcknowledgedCommit()
      throws Exception {
    long seed = Long.getLong("ts.seed", DEFAULT_SEED);
    run(seed, Integer.getInteger("ts.crash.states", 10_000), 1);
  }

  @Test
  @Tag("long")
  void aMillionCrashStates() throws Exception {
    long seed = Long.getLong("ts.seed", DEFAULT_SEED + 1000);
    run(seed, Integer.getInteger("ts.crash.states", 1_000_000), 1);
  }

  /**
   * The same with four committing threads, so that group commit writes several records with
   * one write before one fsync. If the crash persists a later 4 KiB block of such a write but
   * not an earlier one (legal for unsynced data), the log holds a damaged record followed by
   * valid ones, which recovery refuses as corruption although nothing acknowledged depends on
   * it: the database cannot be opened after that power loss.
   */
  @Test
  void crashStatesOfConcurrentGroupCommitsRecover() throws Exception {
    long seed = Long.getLong("ts.seed", DEFAULT_SEED + 7);
    run(seed, 3_000, 4);
  }

  // ------------------------------------------------------------------ the workload

  /** A write of the model: put, delete, or add to a counter. */
  private record MOp(String ks, byte[] key, int kind, byte[] value) {}

  private static final int PUT = 0;
  private static final int DEL = 1;
  private static final int ADD = 2;

  /** A transaction that records its writes for the model. */
  private static final class Recorded {
    final Transaction tx;
    final List<MOp> ops = new ArrayList<>();

    Recorded(Transaction tx) {
      this.tx = tx;
    }

    void put(String ks, byte[] k, byte[] v) {
      tx.put(ks, k, v);
      ops.add(new MOp(ks, k, PUT, v));
    }

    void delete(String ks, byte[] k) {
      tx.delete(ks, k);
      ops.add(new MOp(ks, k, DEL, null));
    }

    void add(String ks, byte[] k, long d) {
      tx.add(ks, k, d);
      ops.add(new MOp(ks, k, ADD, enc(d)));
    }
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] enc(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  private static final String[] ACCOUNT_KS = {"acct", "sav"};
  private static final int ACCOUNTS = 12;

  /** Writes one random transaction. */
  private static void randomTxn(Recorded t, Random rnd, boolean first) {
    if (first) {
      for (String ks : ACCOUNT_KS) {
        for (int i = 0; i < ACCOUNTS; i++) {
          t.put(ks, b("a" + i), enc(1000));
        }
      }
      return;
    }
    int kind = rnd.nextInt(100);
    if (kind < 35) {
      String fk = ACCOUNT_KS[rnd.nextInt(2)];
      String tk = ACCOUNT_KS[rnd.nextInt(2)];
      byte[] fa = b("a" + rnd.nextInt(ACCOUNTS));
      byte[] ta = b("a" + rnd.nextInt(ACCOUNTS));
      if (fk.equals(tk) && Arrays.equals(fa, ta)) {
        return;
      }
      long amount = 1 + rnd.nextInt(100);
      t.put(fk, fa, enc(t.tx.getLong(fk, fa) - amount));
      t.put(tk, ta, enc(t.tx.getLong(tk, ta) + amount));
    } else if (kind < 70) {
      int n = 1 + rnd.nextInt(4);
      for (int i = 0; i < n; i++) {
        int r = rnd.nextInt(100);
        int size = r < 80 ? 1 + rnd.nextInt(400) : r < 96 ? 400 + rnd.nextInt(2600)
            : 3000 + rnd.nextInt(14000);
        byte[] v = new byte[size];
        rnd.nextBytes(v);
        t.put("items", b("it" + rnd.nextInt(150)), v);
      }
    } else if (kind < 85) {
      int n = 1 + rnd.nextInt(3);
      for (int i = 0; i < n; i++) {
        t.delete("items", b("it" + rnd.nextInt(150)));
      }
    } else {
      int n = 1 + rnd.nextInt(3);
      for (int i = 0; i < n; i++) {
        t.add("ctr", b("c" + rnd.nextInt(6)), rnd.nextInt(2001) - 1000);
      }
    }
    t.add("ctr", b("commits"), 1);
  }

  /** The recorded run: the operation log and the write set of every LSN. */
  private record Workload(List<Op> log, Map<Long, List<MOp>> commits, long lastLsn) {}

  private static DatabaseOptions workloadOptions(RecordingStorage s) {
    return DatabaseOptions.defaults().withDurability(Durability.SYNC).withCheckpoints(0, 0)
        .withWalSegments(8 * 1024, 0).withCacheBytes(1L << 20)
        .withChannels(s.pages(), s.wal());
  }

  private static Workload workload(long seed, Path root, int threads) throws Exception {
    Files.createDirectories(root);
    RecordingStorage storage = new RecordingStorage(root);
    if (threads > 1) {
      storage.forceMillis = 2; // a slow fsync, so that concurrent commits form groups
    }
    Map<Long, List<MOp>> commits = new ConcurrentHashMap<>();
    Random rnd = new Random(seed);
    int total = 150 + rnd.nextInt(60);
    int checkpointEvery = 20 + rnd.nextInt(15);
    int reopenDirty = total / 3;
    int reopenClean = 2 * total / 3;
    DatabaseOptions o = workloadOptions(storage);
    Database db = Database.open(root, o);
    try {
      commit(db, storage, commits, rnd, true);
      if (threads == 1) {
        for (int i = 1; i < total; i++) {
          commit(db, storage, commits, rnd, false);
          if (i % checkpointEvery == 0) {
            db.checkpoint();
          }
          if (i == reopenDirty) {
            db.closeWithoutCheckpoint();
            db = Database.open(root, o);
          } else if (i == reopenClean) {
            db.close();
            db = Database.open(root, o);
          }
        }
      } else {
        Database d = db;
        List<Thread> ts = new ArrayList<>();
        AtomicReference<Throwable> err = new AtomicReference<>();
        for (int t = 0; t < threads; t++) {
          Random r = new Random(seed * 31 + t);
          ts.add(Thread.ofPlatform().start(() -> {
            try {
              for (int i = 0; i < total / threads; i++) {
                commit(d, storage, commits, r, false);
              }
            } catch (Throwable e) {
              err.compareAndSet(null, e);
            }
          }));
        }
        for (int i = 0; i < 6; i++) {
          Thread.sleep(20);
          d.checkpoint();
        }
        for (Thread t : ts) {
          t.join();
        }
        if (err.get() != null) {
          throw new AssertionError("workload failed", err.get());
        }
      }
    } finally {
      db.closeWithoutCheckpoint();
    }
    storage.checkNoUnrecordedDeletion();
    long last = commits.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
    for (long l = 1; l <= last; l++) {
      if (!commits.containsKey(l)) {
        throw new AssertionError("no commit recorded for LSN " + l);
      }
    }
    return new Workload(storage.ops(), commits, last);
  }

  private static void commit(Database db, RecordingStorage storage, Map<Long, List<MOp>> commits,
      Random rnd, boolean first) {
    long seed = rnd.nextLong();
    while (true) {
      try (Transaction tx = db.begin()) {
        Recorded t = new Recorded(tx);
        randomTxn(t, new Random(seed), first);
        if (t.ops.isEmpty()) {
          return;
        }
        long lsn = tx.commit();
        commits.put(lsn, t.ops);
        storage.ack(lsn);
        return;
      } catch (ConflictException e) {
        Thread.onSpinWait();
      }
    }
  }

  // ------------------------------------------------------------------ the model

  /** A state: keyspace to sorted entries. */
  private static TreeMap<String, TreeMap<byte[], byte[]>> emptyState() {
    return new TreeMap<>();
  }

  private static TreeMap<String, TreeMap<byte[], byte[]>> copy(
      TreeMap<String, TreeMap<byte[], byte[]>> s) {
    TreeMap<String, TreeMap<byte[], byte[]>> c = new TreeMap<>();
    s.forEach((k, v) -> c.put(k, new TreeMap<>(v)));
    return c;
  }

  private static void apply(TreeMap<String, TreeMap<byte[], byte[]>> s, List<MOp> ops) {
    for (MOp op : ops) {
      TreeMap<byte[], byte[]> m = s.computeIfAbsent(op.ks(),
          k -> new TreeMap<>(Arrays::compareUnsigned));
      switch (op.kind()) {
        case PUT -> m.put(op.key(), op.value());
        case DEL -> m.remove(op.key());
        default -> m.put(op.key(), MergeOperator.INT64_ADD.apply(m.get(op.key()), op.value()));
      }
    }
  }

  /** A 128-bit fingerprint of a state (empty keyspaces do not count). */
  private record Fp(long a, long b) {}

  private static Fp fingerprint(TreeMap<String, TreeMap<byte[], byte[]>> s) {
    long a = 0xcbf29ce484222325L;
    long h = 17;
    for (var ks : s.entrySet()) {
      for (var e : ks.getValue().entrySet()) {
        for (byte[] part : new byte[][] {b(ks.getKey()), e.getKey(), e.getValue()}) {
          a = (a ^ part.length) * 0x100000001b3L;
          h = h * 1_000_003L + part.length;
          for (byte x : part) {
            a = (a ^ (x & 0xff)) * 0x100000001b3L;
            h = h * 31 + x;
          }
        }
      }
    }
    return new Fp(a, h);
  }

  private static TreeMap<String, TreeMap<byte[], byte[]>> read(Database db) {
    TreeMap<String, TreeMap<byte[], byte[]>> s = emptyState();
    try (Transaction tx = db.beginReadOnly()) {
      for (String ks : db.keyspaces()) {
        TreeMap<byte[], byte[]> m = new TreeMap<>(Arrays::compareUnsigned);
        try (ScanIterator it = tx.scan(ks, Range.all())) {
          while (it.hasNext()) {
            Entry e = it.next();
            m.put(e.key(), e.value());
          }
        }
        if (!m.isEmpty()) {
          s.put(ks, m);
        }
      }
    }
    return s;
  }

  private static String diff(TreeMap<String, TreeMap<byte[], byte[]>> got,
      TreeMap<String, TreeMap<byte[], byte[]>> exp) {
    StringBuilder sb = new StringBuilder();
    Set<String> names = new java.util.TreeSet<>(got.keySet());
    names.addAll(exp.keySet());
    HexFormat hex = HexFormat.of();
    int n = 0;
    for (String ks : names) {
      TreeMap<byte[], byte[]> g = got.getOrDefault(ks, new TreeMap<>(Arrays::compareUnsigned));
      TreeMap<byte[], byte[]> e = exp.getOrDefault(ks, new TreeMap<>(Arrays::compareUnsigned));
      TreeMap<byte[], Boolean> keys = new TreeMap<>(Arrays::compareUnsigned);
      g.keySet().forEach(k -> keys.put(k, true));
      e.keySet().forEach(k -> keys.put(k, true));
      for (byte[] k : keys.keySet()) {
        byte[] gv = g.get(k);
        byte[] ev = e.get(k);
        if (!Arrays.equals(gv, ev) && n++ < 10) {
          sb.append("\n  ").append(ks).append('/').append(new String(k, StandardCharsets.UTF_8))
              .append(": recovered ").append(gv == null ? "absent" : describe(gv, hex))
              .append(", expected ").append(ev == null ? "absent" : describe(ev, hex));
        }
      }
    }
    return sb.toString();
  }

  private static String describe(byte[] v, HexFormat hex) {
    if (v.length == 8) {
      return Long.toString(ByteBuffer.wrap(v).getLong());
    }
    return v.length + " bytes " + hex.formatHex(v, 0, Math.min(8, v.length));
  }

  // ------------------------------------------------------------------ crash images

  /** What a file looks like at the cut point being explored. */
  private static final class FileState {
    String name;
    /** The name before a rename not yet covered by a directory sync, or null. */
    String oldName;
    int renamedAt = -1;
    final String dir;
    final int createdAt;
    int deletedAt = -1;
    byte[] base = new byte[0];
    int baseLen;
    /** The durable content as an array of its own, or null if not built since it changed. */
    byte[] snapshot;
    /** Writes and truncations not covered by an fsync: op index and op. */
    final List<Map.Entry<Integer, Op>> pending = new ArrayList<>();

    FileState(String name, int createdAt) {
      this.name = name;
      Path p = Path.of(name).getParent();
      this.dir = p == null ? "" : p.toString();
      this.createdAt = createdAt;
    }

    boolean isSegment() {
      return name.endsWith(".wal");
    }
  }

  /** Replays the operation log up to a cut point and builds crash images there. */
  private static final class Explorer {
    final Map<String, FileState> files = new LinkedHashMap<>();
    final Map<String, Integer> dirCover = new HashMap<>();
    long ackedMax;
    int at;

    void advance(Op op) {
      int i = at++;
      switch (op.kind()) {
        case RecordingStorage.CREATE -> {
          FileState old = files.get(op.file());
          if (old != null && old.deletedAt < 0) {
            throw new IllegalStateException("created twice: " + op.file());
          }
          files.remove(op.file());
          files.put(op.file(), new FileState(op.file(), i));
        }
        case RecordingStorage.WRITE, RecordingStorage.TRUNCATE ->
            files.get(op.file()).pending.add(Map.entry(i, op));
        case RecordingStorage.FSYNC -> {
          FileState f = files.get(op.file());
          for (var it = f.pending.iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey() < op.cover()) {
              applyToBase(f, e.getValue());
              it.remove();
            }
          }
        }
        case RecordingStorage.DIRSYNC -> dirCover.put(op.file(), op.cover());
        case RecordingStorage.DELETE -> files.get(op.file()).deletedAt = i;
        case RecordingStorage.RENAME -> {
          FileState f = files.remove(op.from());
          if (files.containsKey(op.file()) && files.get(op.file()).deletedAt < 0) {
            throw new IllegalStateException("rename over a live file: " + op);
          }
          f.oldName = op.from();
          f.name = op.file();
          f.renamedAt = i;
          files.put(op.file(), f);
        }
        default -> ackedMax = Math.max(ackedMax, op.lsn());
      }
    }

    private static void applyToBase(FileState f, Op op) {
      f.snapshot = null;
      if (op.kind() == RecordingStorage.TRUNCATE) {
        int size = (int) op.offset();
        if (size < f.baseLen) {
          Arrays.fill(f.base, size, f.baseLen, (byte) 0);
          f.baseLen = size;
        }
        return;
      }
      int end = (int) op.offset() + op.data().length;
      if (end > f.base.length) {
        f.base = Arrays.copyOf(f.base, Math.max(end, f.base.length * 2));
      }
      System.arraycopy(op.data(), 0, f.base, (int) op.offset(), op.data().length);
      f.baseLen = Math.max(f.baseLen, end);
    }

    int pendingCount() {
      int n = 0;
      for (FileState f : files.values()) {
        n += f.pending.size();
        if (f.createdAt >= dirCover.getOrDefault(f.dir, 0)) {
          n++;
        }
        if (f.deletedAt >= dirCover.getOrDefault(f.dir, 0)) {
          n++;
        }
      }
      return n;
    }

    /** Builds one crash image: file name to content (absent files are missing). */
    TreeMap<String, byte[]> image(Random rnd, Strategy st) {
      double p = switch (st) {
        case ALL -> 1;
        case NOTHING -> 0;
        case RANDOM, TORN -> 0.1 + 0.85 * rnd.nextDouble();
        case PREFIX -> -1;
      };
      double tear = st == Strategy.TORN ? 0.5 : st == Strategy.RANDOM ? 0.1 : 0;
      List<FileState> deletions = new ArrayList<>();
      for (FileState f : files.values()) {
        if (f.deletedAt >= 0 && f.deletedAt >= dirCover.getOrDefault(f.dir, 0)) {
          deletions.add(f);
        }
      }
      deletions.sort(Comparator.comparingInt(f -> f.deletedAt));
      int deleted = st == Strategy.ALL ? deletions.size() : st == Strategy.NOTHING ? 0
          : rnd.nextInt(deletions.size() + 1);
      TreeMap<String, byte[]> img = new TreeMap<>();
      Map<String, Boolean> extended = new HashMap<>();
      for (FileState f : files.values()) {
        int cover = dirCover.getOrDefault(f.dir, 0);
        if (f.deletedAt >= 0 && (f.deletedAt < cover || deletions.indexOf(f) < deleted)) {
          continue;
        }
        if (f.createdAt >= cover && (st == Strategy.NOTHING
            || (st != Strategy.ALL && rnd.nextInt(3) == 0))) {
          continue; // the creation did not reach the disk
        }
        // A rename not covered by a directory sync: the old name or the new one (atomic).
        String name = f.renamedAt >= cover && (st == Strategy.NOTHING
            || (st != Strategy.ALL && rnd.nextBoolean())) ? f.oldName : f.name;
        if (f.pending.isEmpty()) {
          if (f.snapshot == null) {
            f.snapshot = Arrays.copyOf(f.base, f.baseLen);
            SHARED.put(f.snapshot, contentHash(f.snapshot));
          }
          img.put(name, f.snapshot); // shared, never modified
          continue;
        }
        byte[] buf = Arrays.copyOf(f.base, Math.max(f.base.length, maxExtent(f)));
        int len = f.baseLen;
        int prefix = st == Strategy.PREFIX ? rnd.nextInt(chunks(f) + 1) : 0;
        int chunk = 0;
        for (var e : f.pending) {
          Op op = e.getValue();
          if (op.kind() == RecordingStorage.TRUNCATE) {
            boolean keep = st == Strategy.PREFIX ? chunk++ < prefix : rnd.nextDouble() < p;
            if (keep && op.offset() < len) {
              Arrays.fill(buf, (int) op.offset(), len, (byte) 0);
              len = (int) op.offset();
            }
            continue;
          }
          long s = op.offset();
          long end = s + op.data().length;
          while (s < end) {
            long e2 = Math.min(end, (s / CHUNK + 1) * CHUNK);
            boolean keep = st == Strategy.PREFIX ? chunk++ < prefix : rnd.nextDouble() < p;
            if (keep) {
              long upTo = e2;
              if (tear > 0 && rnd.nextDouble() < tear) {
                long first = (s / SECTOR + 1) * SECTOR;
                int cuts = (int) ((e2 - 1 - first) / SECTOR) + 1;
                upTo = first < e2 ? first + (long) rnd.nextInt(Math.max(1, cuts)) * SECTOR : s;
              }
              if (upTo > s) {
                System.arraycopy(op.data(), (int) (s - op.offset()), buf, (int) s,
                    (int) (upTo - s));
                len = (int) Math.max(len, upTo);
              }
            }
            s = e2;
          }
        }
        extended.put(name, true);
        img.put(name, Arrays.copyOf(buf, len));
      }
      // Garbage after the end of files whose unsynced writes could have extended them.
      if (st != Strategy.ALL && st != Strategy.NOTHING) {
        String lastSegment = null;
        for (String n : img.keySet()) {
          if (n.endsWith(".wal")) {
            lastSegment = n;
          }
        }
        for (String n : new ArrayList<>(img.keySet())) {
          boolean candidate = n.equals(lastSegment) || n.equals(Database.DATA_FILE);
          if (candidate && extended.containsKey(n) && rnd.nextInt(4) == 0) {
            byte[] old = img.get(n);
            byte[] g = new byte[1 + rnd.nextInt(n.endsWith(".wal") ? 1500 : CHUNK)];
            rnd.nextBytes(g);
            byte[] c = Arrays.copyOf(old, old.length + g.length);
            System.arraycopy(g, 0, c, old.length, g.length);
            img.put(n, c);
          }
        }
      }
      return img;
    }

    private static int maxExtent(FileState f) {
      long m = 0;
      for (var e : f.pending) {
        m = Math.max(m, e.getValue().offset() + e.getValue().data().length);
      }
      return (int) m;
    }

    private static int chunks(FileState f) {
      int n = 0;
      for (var e : f.pending) {
        Op op = e.getValue();
        if (op.kind() == RecordingStorage.TRUNCATE) {
          n++;
        } else {
          long s = op.offset();
          long end = s + op.data().length;
          while (s < end) {
            s = Math.min(end, (s / CHUNK + 1) * CHUNK);
            n++;
          }
        }
      }
      return n;
    }
  }

  /** How the unsynced operations of a crash image are chosen. */
  private enum Strategy {
    /** Everything written reached the disk (as after a process crash). */
    ALL,
    /** Nothing unsynced reached the disk. */
    NOTHING,
    /** Each chunk with a random probability; a few torn. */
    RANDOM,
    /** A prefix of each file's unsynced chunks. */
    PREFIX,
    /** Random, half of the chunks that reach the disk torn. */
    TORN
  }

  private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles
      .byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

  /** Hashes of shared file contents (arrays hash by identity), per workload. */
  private static final Map<byte[], Fp> SHARED = java.util.Collections.synchronizedMap(
      new java.util.IdentityHashMap<>());

  private static Fp imageHash(TreeMap<String, byte[]> img) {
    long a = 1;
    long h = 7;
    for (var e : img.entrySet()) {
      byte[] v = e.getValue();
      Fp f = SHARED.get(v);
      if (f == null) {
        f = contentHash(v);
      }
      a = a * 31 + e.getKey().hashCode();
      a = a * 1_000_033L + f.a();
      h = h * 1_000_003L + f.b();
    }
    return new Fp(a, h);
  }

  private static Fp contentHash(byte[] v) {
    long x = 0xcbf29ce484222325L;
    for (int i = 0; i + 8 <= v.length; i += 8) {
      x = (x ^ (long) LONGS.get(v, i)) * 0x100000001b3L;
    }
    for (int i = v.length & ~7; i < v.length; i++) {
      x = (x ^ v[i]) * 0x100000001b3L;
    }
    return new Fp(Arrays.hashCode(v), x ^ v.length);
  }

  // ------------------------------------------------------------------ the run

  /** Everything the checks of one workload share. */
  private record Expected(List<TreeMap<String, TreeMap<byte[], byte[]>>> states, List<Fp> fps,
      long lastLsn) {}

  private static Expected expected(Workload w) {
    List<TreeMap<String, TreeMap<byte[], byte[]>>> states = new ArrayList<>();
    List<Fp> fps = new ArrayList<>();
    TreeMap<String, TreeMap<byte[], byte[]>> s = emptyState();
    states.add(copy(s));
    fps.add(fingerprint(s));
    for (long l = 1; l <= w.lastLsn(); l++) {
      apply(s, w.commits().get(l));
      states.add(copy(s));
      fps.add(fingerprint(s));
    }
    return new Expected(states, fps, w.lastLsn());
  }

  /**
   * Checks at least {@code wanted} distinct crash states of workloads with seeds {@code seed},
   * {@code seed + 1}, ..., at every cut point of their operation logs (from the creation of
   * the database on).
   */
  private void run(long seed, int wanted, int threads) throws Exception {
    System.out.println("SimulatedCrashTest seed=" + seed + " states=" + wanted + " threads="
        + threads + " (rerun with -Dts.seed=" + seed + ")");
    Quiet.logs();
    int workers = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    Semaphore inFlight = new Semaphore(4 * workers);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong checked = new AtomicLong();
    AtomicLong continued = new AtomicLong();
    Map<Strategy, AtomicLong> byStrategy = new ConcurrentHashMap<>();
    long generated = 0;
    long start = System.nanoTime();
    long workloadNanos = 0;
    int round = 0;
    // One work directory per worker thread, so that consecutive images share files.
    AtomicLong workDirs = new AtomicLong();
    ThreadLocal<Path> workDir = ThreadLocal.withInitial(
        () -> dir.resolve("img-" + workDirs.incrementAndGet()));
    try {
      while (checked.get() + inFlightCount(inFlight, workers) < wanted && failure.get() == null) {
        long wseed = seed + round;
        long t0 = System.nanoTime();
        Path wdir = dir.resolve("workload-" + round);
        Workload w = workload(wseed, wdir, threads);
        clear(wdir); // the operation log holds everything that was written
        Expected exp = expected(w);
        workloadNanos += System.nanoTime() - t0;
        Random rnd = new Random(wseed ^ 0x5DEECE66DL);
        Explorer x = new Explorer();
        SHARED.clear();
        Set<Fp> seen = new HashSet<>();
        List<Op> log = w.log();
        // Images per cut: more where more is unsynced. Enough to reach the target in one
        // workload in the default run.
        for (int cut = 0; cut <= log.size() && failure.get() == null; cut++) {
          if (cut > 0) {
            x.advance(log.get(cut - 1));
          }
          int tries = Math.min(48, 2 + 3 * x.pendingCount());
          for (int t = 0; t < tries && failure.get() == null; t++) {
            Strategy st = t == 0 ? Strategy.ALL : t == 1 ? Strategy.NOTHING
                : Strategy.values()[2 + rnd.nextInt(3)];
            TreeMap<String, byte[]> img = x.image(rnd, st);
            generated++;
            boolean fresh = seen.add(imageHash(img));
            if (!fresh) {
              continue;
            }
            byStrategy.computeIfAbsent(st, k -> new AtomicLong()).incrementAndGet();
            long acked = x.ackedMax;
            int c = cut;
            boolean cont = seen.size() % 16 == 0;
            String ctx = "seed " + wseed + ", cut " + cut + " of " + log.size() + " (after "
                + (cut == 0 ? "nothing" : log.get(cut - 1)) + "), strategy " + st
                + ", acknowledged up to LSN " + acked + ", files " + sizes(img)
                + " (rerun with -Dts.seed=" + seed + ")";
            inFlight.acquire();
            pool.execute(() -> {
              Path work = workDir.get();
              try {
                if (failure.get() == null) {
                  check(work, img, exp, acked, cont, ctx, log, c);
                  checked.incrementAndGet();
                  if (cont) {
                    continued.incrementAndGet();
                  }
                }
              } catch (Throwable e) {
                if (failure.compareAndSet(null, e)) {
                  keep(work);
                }
              } finally {
                inFlight.release();
              }
            });
          }
        }
        round++;
        if (checked.get() + inFlightCount(inFlight, workers) >= wanted) {
          break;
        }
      }
    } finally {
      pool.shutdown();
      assertTrue(pool.awaitTermination(10, TimeUnit.MINUTES));
    }
    Throwable f = failure.get();
    if (f != null) {
      throw new AssertionError(f.getMessage(), f);
    }
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf("SimulatedCrashTest seed=%d: %d workloads (%.1f s), %d images built, "
        + "%d distinct crash states checked (%d also continued) in %.1f s: %.0f states/s; "
        + "by strategy %s%n", seed, round, workloadNanos / 1e9, generated, checked.get(),
        continued.get(), secs, checked.get() / secs, byStrategy);
    assertTrue(checked.get() >= wanted, "only " + checked.get() + " crash states checked");
  }

  private static int inFlightCount(Semaphore s, int workers) {
    return 4 * workers - s.availablePermits();
  }

  private static String sizes(TreeMap<String, byte[]> img) {
    StringBuilder sb = new StringBuilder("{");
    img.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append('=')
        .append(v.length));
    return sb.append('}').toString();
  }


  private static final DatabaseOptions CHECK = DatabaseOptions.defaults()
      .withDurability(Durability.NONE).withCheckpoints(0, 0).withWalSegments(8 * 1024, 0)
      .withCacheBytes(1L << 20);

  /** Writes an image, recovers it, and checks the state. */
  private static void check(Path work, TreeMap<String, byte[]> img, Expected exp, long acked,
      boolean cont, String ctx, List<Op> log, int cut) throws IOException {
    Path db = work.resolve("db");
    WorkDir.write(work, db, img);
    Path data = db.resolve(Database.DATA_FILE);
    if (cont && Files.exists(data)) {
      // The data file's durable state is sound (checksums, order, page accounting).
      try (BTreeFile f = BTreeFile.open(data, new BTreeOptions(4096, 1 << 20, false, true,
          ChannelFactory.DEFAULT))) {
        List<String> problems = f.check().problems();
        if (!problems.isEmpty()) {
          throw new AssertionError(ctx + ": data file check: " + problems + context(log, cut));
        }
      } catch (RuntimeException e) {
        throw new AssertionError(ctx + ": data file check failed: " + e + context(log, cut), e);
      }
    }
    long k;
    try (Database d = Database.open(db, CHECK)) {
      k = d.lastCommittedLsn();
      if (k < acked || k > exp.lastLsn()) {
        throw new AssertionError(ctx + ": recovered up to LSN " + k + ", but LSN " + acked
            + " was acknowledged before the crash (last LSN of the workload "
            + exp.lastLsn() + ")" + context(log, cut));
      }
      TreeMap<String, TreeMap<byte[], byte[]>> got = read(d);
      if (!fingerprint(got).equals(exp.fps().get((int) k))) {
        throw new AssertionError(ctx + ": the recovered state is not the state after the "
            + "first " + k + " commits (a partial or lost transaction):"
            + diff(got, exp.states().get((int) k)) + context(log, cut));
      }
      if (cont) {
        WorkDir.dirty(work);
        try (Transaction tx = d.begin()) {
          tx.put("post", b("k"), b("v" + k));
          long l = tx.commit();
          if (l != k + 1) {
            throw new AssertionError(ctx + ": the first commit after recovery got LSN " + l
                + ", expected " + (k + 1));
          }
        }
        d.closeWithoutCheckpoint();
      } else {
        d.closeWithoutCheckpoint();
      }
    } catch (RuntimeException e) {
      throw new AssertionError(ctx + ": recovery failed: " + e + context(log, cut), e);
    }
    if (cont) {
      try (Database d = Database.open(db, CHECK)) {
        TreeMap<String, TreeMap<byte[], byte[]>> want = copy(exp.states().get((int) k));
        apply(want, List.of(new MOp("post", b("k"), PUT, b("v" + k))));
        TreeMap<String, TreeMap<byte[], byte[]>> got = read(d);
        if (d.lastCommittedLsn() != k + 1 || !fingerprint(got).equals(fingerprint(want))) {
          throw new AssertionError(ctx + ": after recovery, one more commit and a reopen the "
              + "state is wrong (LSN " + d.lastCommittedLsn() + "):" + diff(got, want));
        }
      } catch (RuntimeException e) {
        throw new AssertionError(ctx + ": reopening after a commit on the recovered database "
            + "failed: " + e, e);
      }
    }
  }

  /**
   * Writes images into a work directory, rewriting only the files that differ from what the
   * previous image left there: consecutive images mostly share the (large) data file. A file
   * counts as unchanged if its content equals what was written and its size is unchanged
   * (recovery in {@code NONE} mode changes files only by truncating or deleting them); after
   * a check that commits, everything is rewritten.
   */
  static final class WorkDir {
    private static final Map<Path, Map<String, byte[]>> WRITTEN = new ConcurrentHashMap<>();

    private WorkDir() {}

    static void dirty(Path work) {
      WRITTEN.remove(work);
    }

    static void write(Path work, Path db, TreeMap<String, byte[]> img) throws IOException {
      Map<String, byte[]> last = WRITTEN.remove(work);
      if (last == null) {
        clear(work);
        last = new HashMap<>();
      }
      Files.createDirectories(db.resolve(Database.WAL_DIR));
      // Remove what is not in the image (including files recovery created).
      for (String sub : List.of("", Database.WAL_DIR)) {
        try (Stream<Path> s = Files.list(db.resolve(sub))) {
          for (Path p : s.toList()) {
            String name = db.relativize(p).toString();
            if (Files.isRegularFile(p) && !img.containsKey(name)) {
              Files.delete(p);
            }
          }
        }
      }
      for (var e : img.entrySet()) {
        Path p = db.resolve(e.getKey());
        byte[] prev = last.get(e.getKey());
        byte[] now = e.getValue();
        if (prev == null || !Files.exists(p) || Files.size(p) != prev.length) {
          Files.write(p, now);
          continue;
        }
        // Rewrite in place from the first difference; cut what is left beyond the end.
        int from = Arrays.mismatch(prev, now);
        if (from < 0) {
          continue;
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
          ByteBuffer buf = ByteBuffer.wrap(now, from, now.length - from);
          long pos = from;
          while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
          }
          if (prev.length > now.length) {
            ch.truncate(now.length);
          }
        }
      }
      WRITTEN.put(work, new HashMap<>(img));
    }
  }

  private static String context(List<Op> log, int cut) {
    StringBuilder sb = new StringBuilder("\n  operations around the cut:");
    for (int i = Math.max(0, cut - 6); i < Math.min(log.size(), cut + 3); i++) {
      sb.append("\n    ").append(i).append(i < cut ? "   " : " X ").append(log.get(i));
    }
    return sb.toString();
  }

  private static void clear(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        if (!q.equals(p)) {
          Files.delete(q);
        }
      }
    }
  }

  /** With {@code -Dts.crash.keep=DIR}, copies a failing image there. */
  private static void keep(Path work) {
    String to = System.getProperty("ts.crash.keep");
    if (to == null) {
      return;
    }
    try (Stream<Path> s = Files.walk(work)) {
      Path target = Path.of(to);
      for (Path p : s.toList()) {
        Path q = target.resolve(work.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
      System.out.println("SimulatedCrashTest: kept the failing image in " + target);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Silences the engine's INFO and WARNING logs, which recovery prints for every image. */
  static final class Quiet {
    private static final List<Object> KEEP = new ArrayList<>();

    private Quiet() {}

    static synchronized void logs() {
      if (!KEEP.isEmpty()) {
        return;
      }
      try {
        // java.util.logging, through reflection: this module does not read java.logging.
        Class<?> logger = Class.forName("java.util.logging.Logger");
        Class<?> level = Class.forName("java.util.logging.Level");
        Object off = level.getField("OFF").get(null);
        for (String name : List.of("io.treestore.txn.Database", "io.treestore.wal.Wal",
            "io.treestore.page.PageFile")) {
          Object l = logger.getMethod("getLogger", String.class).invoke(null, name);
          logger.getMethod("setLevel", level).invoke(l, off);
          KEEP.add(l);
        }
      } catch (ReflectiveOperationException e) {
        System.out.println("SimulatedCrashTest: cannot silence the logs: " + e);
        KEEP.add(e);
      }
    }
  }
}
