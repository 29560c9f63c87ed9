package io.treestore.txn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.btree.Entry;
import io.treestore.btree.Range;
import io.treestore.wal.Durability;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions as a user sees them: read-your-writes in gets and scans (checked against a
 * {@link TreeMap} model), snapshot isolation and first-committer-wins conflicts, rollback
 * leaving no trace, write skew under SNAPSHOT and its absence under SERIALIZABLE (the
 * doctors-on-call test), phantoms caught under SERIALIZABLE, merge operands, and recovery from
 * the log with and without a checkpoint.
 */
class TransactionTest {
  @TempDir Path dir;

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static DatabaseOptions fast() {
    return DatabaseOptions.defaults().withCheckpoints(0, 0);
  }

  @Test
  void committedWritesAreVisibleAndSurviveReopenWithOrWithoutCheckpoint() {
    Path d = dir.resolve("db");
    try (Database db = Database.open(d, fast())) {
      try (Transaction tx = db.begin()) {
        tx.put("nodes", b("n1"), b("root"));
        tx.put("pages", b("p1"), b("n1"));
        assertEquals(1, tx.commit());
      }
      try (Transaction tx = db.begin()) {
        tx.delete("pages", b("p1"));
        tx.put("nodes", b("n2"), b("child"));
        tx.commit();
      }
      assertEquals(Set.of("nodes", "pages"), db.keyspaces());
      db.closeWithoutCheckpoint();
    }
    // Recovered by replaying the log.
    try (Database db = Database.open(d, fast())) {
      assertEquals(2, db.lastCommittedLsn());
      assertEquals(0, db.checkpointLsn());
      try (Transaction tx = db.beginReadOnly()) {
        assertArrayEquals(b("root"), tx.get("nodes", b("n1")));
        assertArrayEquals(b("child"), tx.get("nodes", b("n2")));
        assertNull(tx.get("pages", b("p1")));
        assertNull(tx.get("missing-keyspace", b("x")));
      }
    }
    // Closed cleanly: checkpointed, nothing to replay.
    try (Database db = Database.open(d, fast())) {
      assertEquals(2, db.checkpointLsn());
      try (Transaction tx = db.begin()) {
        assertArrayEquals(b("root"), tx.get("nodes", b("n1")));
        tx.put("nodes", b("n3"), b("x"));
        assertEquals(3, tx.commit());
      }
    }
  }

  @Test
  void snapshotIsolationAndFirstCommitterWins() {
    try (Database db = Database.open(dir.resolve("si"), fast())) {
      db.inTransaction(Isolation.SNAPSHOT, tx -> {
        tx.put("t", b("k"), b("v0"));
        return null;
      });
      Transaction t1 = db.begin();
      Transaction t2 = db.begin();
      assertArrayEquals(b("v0"), t1.get("t", b("k")));
      t2.put("t", b("k"), b("v2"));
      t2.commit();
      // t1 still reads its snapshot (no non-repeatable read) ...
      assertArrayEquals(b("v0"), t1.get("t", b("k")));
      // ... and loses the write-write conflict.
      t1.put("t", b("k"), b("v1"));
      t1.put("t", b("other"), b("x"));
      ConflictException e = assertThrows(ConflictException.class, t1::commit);
      assertEquals("t", e.keyspace());
      assertArrayEquals(b("k"), e.key());
      assertThrows(IllegalStateException.class, () -> t1.get("t", b("k")));
      try (Transaction r = db.beginReadOnly()) {
        assertArrayEquals(b("v2"), r.get("t", b("k")));
        assertNull(r.get("t", b("other")), "the losing transaction left no trace");
      }
      assertEquals(1, db.stats().conflicts());
    }
  }

  @Test
  void rollbackLeavesNoTrace() {
    try (Database db = Database.open(dir.resolve("rb"), fast())) {
      try (Transaction tx = db.begin()) {
        tx.put("t", b("a"), b("1"));
        assertArrayEquals(b("1"), tx.get("t", b("a")), "reads its own write");
      }
      try (Transaction tx = db.begin()) {
        tx.put("t", b("b"), b("2"));
        tx.rollback();
        assertThrows(IllegalStateException.class, () -> tx.put("t", b("c"), b("3")));
      }
      try (Transaction tx = db.beginReadOnly()) {
        assertNull(tx.get("t", b("a")));
        assertNull(tx.get("t", b("b")));
        assertThrows(IllegalStateException.class, () -> tx.put("t", b("a"), b("x")));
      }
      assertEquals(0, db.lastCommittedLsn());
      assertEquals(Set.of(), db.keyspaces());
    }
  }

  @Test
  void writeSkewUnderSnapshotButNotUnderSerializable() {
    for (Isolation iso : Isolation.values()) {
      try (Database db = Database.open(dir.resolve("skew-" + iso), fast())) {
        db.inTransaction(iso, tx -> {
          tx.put("oncall", b("alice"), b("1"));
          tx.put("oncall", b("bob"), b("1"));
          return null;
        });
        // Each doctor checks that the other is on call, then goes off call.
        Transaction t1 = db.begin(iso);
        Transaction t2 = db.begin(iso);
        assertEquals(2, onCall(t1));
        assertEquals(2, onCall(t2));
        t1.put("oncall", b("alice"), b("0"));
        t2.put("oncall", b("bob"), b("0"));
        t1.commit();
        if (iso == Isolation.SNAPSHOT) {
          t2.commit();
          try (Transaction r = db.beginReadOnly()) {
            assertEquals(0, onCall(r), "write skew is possible under snapshot isolation");
          }
        } else {
          assertThrows(ConflictException.class, t2::commit);
          try (Transaction r = db.beginReadOnly()) {
            assertEquals(1, onCall(r), "serializable keeps a doctor on call");
          }
        }
      }
    }
  }

  private static int onCall(Transaction tx) {
    int n = 0;
    try (ScanIterator it = tx.scan("oncall", Range.all())) {
      while (it.hasNext()) {
        n += it.next().value()[0] - '0';
      }
    }
    return n;
  }

  @Test
  void phantomsAreCaughtUnderSerializable() {
    try (Database db = Database.open(dir.resolve("phantom"), fast())) {
      Transaction t1 = db.begin(Isolation.SERIALIZABLE);
      int before = count(t1, Range.prefix(b("task/")));
      try (Transaction t2 = db.begin(Isolation.SERIALIZABLE)) {
        t2.put("q", b("task/7"), b("new"));
        t2.commit();
      }
      t1.put("q", b("summary"), b(Integer.toString(before)));
      ConflictException e = assertThrows(ConflictException.class, t1::commit);
      assertArrayEquals(b("task/7"), e.key());
      assertTrue(e.getMessage().contains("phantom"), e.getMessage());
      // A write outside the scanned range does not conflict.
      Transaction t3 = db.begin(Isolation.SERIALIZABLE);
      count(t3, Range.prefix(b("task/")));
      try (Transaction t4 = db.begin()) {
        t4.put("q", b("zzz"), b("x"));
        t4.commit();
      }
      t3.put("q", b("summary"), b("1"));
      t3.commit();
    }
  }

  private static int count(Transaction tx, Range r) {
    int n = 0;
    try (ScanIterator it = tx.scan("q", r)) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  @Test
  void readYourWritesInGetsAndScansMatchesAModel() {
    Random rnd = new Random(21);
    try (Database db = Database.open(dir.resolve("ryw"), fast())) {
      NavigableMap<byte[], byte[]> committed = new TreeMap<>(Arrays::compareUnsigned);
      for (int round = 0; round < 40; round++) {
        NavigableMap<byte[], byte[]> model = new TreeMap<>(committed);
        try (Transaction tx = db.begin()) {
          for (int op = 0; op < 60; op++) {
            byte[] k = b("k" + rnd.nextInt(80));
            int what = rnd.nextInt(10);
            if (what < 4) {
              byte[] v = b("v" + rnd.nextInt(1000));
              tx.put("t", k, v);
              model.put(k, v);
            } else if (what < 6) {
              tx.delete("t", k);
              model.remove(k);
            } else if (what < 8) {
              byte[] got = tx.get("t", k);
              byte[] exp = model.get(k);
              if (exp == null) {
                assertNull(got);
              } else {
                assertArrayEquals(exp, got);
              }
            } else {
              byte[] lo = b("k" + rnd.nextInt(80));
              byte[] hi = b("k" + rnd.nextInt(80));
              if (Arrays.compareUnsigned(lo, hi) > 0) {
                byte[] x = lo;
                lo = hi;
                hi = x;
              }
              boolean rev = rnd.nextBoolean();
              Range r = Range.between(lo, true, hi, false);
              NavigableMap<byte[], byte[]> exp = Arrays.equals(lo, hi) ? new TreeMap<>()
                  : model.subMap(lo, true, hi, false);
              check(tx.scan("t", rev ? r.reversed() : r), rev ? exp.descendingMap() : exp);
            }
          }
          if (rnd.nextBoolean()) {
            tx.commit();
            committed = model;
          }
        }
        try (Transaction r = db.beginReadOnly()) {
          check(r.scan("t", Range.all()), committed);
        }
      }
    }
  }

  @Test
  void sharedReadsSeeWhatCopiesSeeAndNeverChange() {
    byte[] big = new byte[20_000];
    new Random(5).nextBytes(big);
    try (Database db = Database.open(dir.resolve("shared"), fast())) {
      try (Transaction tx = db.begin()) {
        tx.put("t", b("big"), big);
        tx.put("t", b("small"), b("s1"));
        // The transaction's own writes, before commit.
        assertArrayEquals(big, tx.getShared("t", b("big")));
        assertNull(tx.getShared("t", b("absent")));
        assertNull(tx.getShared("other", b("big")), "a keyspace that does not exist yet");
        tx.commit();
      }
      db.checkpoint();  // the large value now lives in overflow pages
      byte[] first;
      try (Transaction tx = db.beginReadOnly()) {
        first = tx.getShared("t", b("big"));
        assertArrayEquals(big, first);
        assertTrue(first == tx.getShared("t", b("big")), "assembled once, then shared");
        assertArrayEquals(tx.get("t", b("small")), tx.getShared("t", b("small")));
      }
      byte[] big2 = big.clone();
      big2[123] ^= 1;
      try (DbSnapshot before = db.snapshot(); Transaction tx = db.begin()) {
        tx.put("t", b("big"), big2);
        tx.delete("t", b("small"));
        tx.add("t", b("n"), 5);
        assertArrayEquals(big2, tx.getShared("t", b("big")));
        assertNull(tx.getShared("t", b("small")));
        assertEquals(5, java.nio.ByteBuffer.wrap(tx.getShared("t", b("n"))).getLong());
        tx.commit();
        db.checkpoint();  // frees the old chain; later writes may reuse its pages
        for (int i = 0; i < 20; i++) {
          try (Transaction w = db.begin()) {
            byte[] filler = new byte[9_000];
            java.util.Arrays.fill(filler, (byte) i);
            w.put("t", b("filler" + i), filler);
            w.commit();
          }
        }
        db.checkpoint();
        assertArrayEquals(big, before.getShared("t", b("big")), "the snapshot keeps its value");
        assertArrayEquals(b("s1"), before.getShared("t", b("small")));
      }
      try (Transaction tx = db.beginReadOnly()) {
        assertArrayEquals(big2, tx.getShared("t", b("big")));
        assertEquals(5, tx.getLong("t", b("n")));
      }
      assertArrayEquals(big, first, "an array handed out earlier never changes");
      try (Transaction tx = db.begin()) {
        tx.add("t", b("n"), 2);
        assertEquals(7, java.nio.ByteBuffer.wrap(tx.getShared("t", b("n"))).getLong(),
            "a merge over the stored value");
        tx.rollback();
      }
      assertThrows(IllegalArgumentException.class, () -> {
        try (Transaction tx = db.beginReadOnly()) {
          tx.getShared("", b("k"));
        }
      });
    }
  }

  private static void check(ScanIterator it, NavigableMap<byte[], byte[]> exp) {
    try (it) {
      Iterator<Map.Entry<byte[], byte[]>> e = exp.entrySet().iterator();
      while (e.hasNext()) {
        Map.Entry<byte[], byte[]> x = e.next();
        assertTrue(it.hasNext(), "scan ended early");
        Entry got = it.next();
        assertArrayEquals(x.getKey(), got.key());
        assertArrayEquals(x.getValue(), got.value());
      }
      assertFalse(it.hasNext(), "scan returned extra entries");
    }
  }

  @Test
  void concurrentMergeOperandsNeverConflict() throws Exception {
    try (Database db = Database.open(dir.resolve("merge"), fast())) {
      int threads = 8;
      int per = 100;
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        ts.add(Thread.ofPlatform().name("adder-" + t).start(() -> {
          for (int i = 0; i < per; i++) {
            try (Transaction tx = db.begin()) {
              tx.add("stats", b("docs"), 1);
              tx.add("stats", b("tokens"), 10);
              tx.commit();
            }
          }
        }));
      }
      for (Thread t : ts) {
        t.join();
      }
      assertEquals(0, db.stats().conflicts());
      try (Transaction tx = db.begin()) {
        assertEquals(threads * per, tx.getLong("stats", b("docs")));
        assertEquals(threads * per * 10L, tx.getLong("stats", b("tokens")));
        // A put on a counter that is merged concurrently does conflict (no lost update).
        tx.put("stats", b("docs"), ByteBuffer.allocate(8).putLong(0).array());
        try (Transaction other = db.begin()) {
          other.add("stats", b("docs"), 1);
          other.commit();
        }
        assertThrows(ConflictException.class, tx::commit);
      }
      assertThrows(IllegalArgumentException.class, () -> {
        try (Transaction tx = db.begin()) {
          tx.merge("stats", b("x"), new MergeOperator() {
            @Override
            public String name() {
              return "unregistered";
            }

            @Override
            public byte[] apply(byte[] existing, byte[] operand) {
              return operand;
            }
          }, new byte[1]);
        }
      });
    }
  }

  /** Appends the operand: not commutative, so replay must keep commit order. */
  static final MergeOperator APPEND = new MergeOperator() {
    @Override
    public String name() {
      return "append";
    }

    @Override
    public byte[] apply(byte[] existing, byte[] operand) {
      if (existing == null) {
        return operand.clone();
      }
      byte[] r = Arrays.copyOf(existing, existing.length + operand.length);
      System.arraycopy(operand, 0, r, existing.length, operand.length);
      return r;
    }
  };

  @Test
  void replayingManyCommitsInOneBatchMatchesAModel() {
    // Thousands of commits rewriting, deleting and merging the same few keys: recovery
    // replays them as combined sorted runs, which must equal applying them one by one.
    Path d = dir.resolve("replay");
    DatabaseOptions o = fast().withDurability(Durability.NONE)
        .withMergeOperators(List.of(APPEND));
    Random rnd = new Random(42);
    Map<String, NavigableMap<byte[], byte[]>> model = new TreeMap<>();
    try (Database db = Database.open(d, o)) {
      for (int c = 0; c < 3_000; c++) {
        try (Transaction tx = db.begin()) {
          for (int w = 1 + rnd.nextInt(6); w > 0; w--) {
            String ks = "ks" + rnd.nextInt(3);
            byte[] k = b("k" + rnd.nextInt(rnd.nextBoolean() ? 20 : 2_000));
            NavigableMap<byte[], byte[]> m =
                model.computeIfAbsent(ks, x -> new TreeMap<>(Arrays::compareUnsigned));
            int what = rnd.nextInt(10);
            if (what < 4) {
              byte[] v = b("v" + c);
              tx.put(ks, k, v);
              m.put(k, v);
            } else if (what < 6) {
              tx.delete(ks, k);
              m.remove(k);
            } else {
              byte[] op = b("+" + c);
              tx.merge(ks, k, APPEND, op);
              m.put(k, APPEND.apply(m.get(k), op));
            }
          }
          tx.commit();
        }
      }
      db.closeWithoutCheckpoint();
    }
    try (Database db = Database.open(d, o)) {
      assertEquals(3_000, db.lastCommittedLsn());
      assertEquals(0, db.checkpointLsn());
      try (DbSnapshot s = db.snapshot()) {
        for (var ks : model.entrySet()) {
          assertEquals(ks.getValue().size(), s.size(ks.getKey()), ks.getKey());
          ScanIterator it = s.scan(ks.getKey(), Range.all());
          for (var e : ks.getValue().entrySet()) {
            assertTrue(it.hasNext(), "entries missing in " + ks.getKey());
            Entry got = it.next();
            assertArrayEquals(e.getKey(), got.key());
            assertArrayEquals(e.getValue(), got.value(), new String(e.getKey()));
          }
          assertFalse(it.hasNext(), "extra entries in " + ks.getKey());
        }
      }
    }
  }

  @Test
  void badInputIsRejectedAndChangesNothing() {
    try (Database db = Database.open(dir.resolve("bad"), fast())) {
      try (Transaction tx = db.begin()) {
        assertThrows(IllegalArgumentException.class,
            () -> tx.put("t", new byte[db.maxKeySize() + 1], b("v")));
        assertThrows(IllegalArgumentException.class, () -> tx.put("", b("k"), b("v")));
        assertThrows(IllegalArgumentException.class,
            () -> tx.put("x".repeat(251), b("k"), b("v")));
        assertThrows(NullPointerException.class, () -> tx.put("t", null, b("v")));
        tx.commit();
      }
      assertEquals(0, db.lastCommittedLsn());
      assertThrows(IllegalArgumentException.class, () -> DatabaseOptions.defaults()
          .withPageSize(1000));
      assertThrows(IllegalArgumentException.class, () -> DatabaseOptions.defaults()
          .withCheckpoints(-1, 0));
    }
  }

  @Test
  void checkpointsDeleteCoveredLogSegmentsAndRecoveryResumes() throws Exception {
    Path d = dir.resolve("ckpt");
    DatabaseOptions o = fast().withWalSegments(64 * 1024, 0).withDurability(Durability.NONE);
    try (Database db = Database.open(d, o)) {
      for (int i = 0; i < 300; i++) {
        try (Transaction tx = db.begin()) {
          tx.put("t", b("k" + i), new byte[500]);
          tx.commit();
        }
      }
      long segments = walSegments(d);
      assertTrue(segments > 2, "expected several segments, got " + segments);
      assertEquals(300, db.checkpoint());
      assertTrue(walSegments(d) < segments, "covered segments deleted");
      for (int i = 300; i < 400; i++) {
        try (Transaction tx = db.begin()) {
          tx.put("t", b("k" + i), new byte[10]);
          tx.commit();
        }
      }
      db.closeWithoutCheckpoint();
    }
    try (Database db = Database.open(d, o)) {
      assertEquals(300, db.checkpointLsn());
      assertEquals(400, db.lastCommittedLsn());
      try (DbSnapshot s = db.snapshot()) {
        assertEquals(400, s.size("t"));
      }
    }
  }

  private static long walSegments(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d.resolve(Database.WAL_DIR))) {
      return s.filter(p -> p.toString().endsWith(".wal")).count();
    }
  }

  @Test
  void backupOpensAsADatabaseAndContinuesTheLsnSequence() {
    Path d = dir.resolve("src");
    Path copy = dir.resolve("copy");
    try (Database db = Database.open(d, fast())) {
      for (int i = 0; i < 50; i++) {
        try (Transaction tx = db.begin()) {
          tx.put("t", b("k" + i), b("v" + i));
          tx.add("c", b("n"), 1);
          tx.commit();
        }
      }
      assertEquals(50, db.backup(copy));
      try (Transaction tx = db.begin()) {
        tx.put("t", b("after"), b("x"));
        tx.commit();
      }
      assertThrows(IllegalArgumentException.class, () -> db.backup(copy));
    }
    try (Database b = Database.open(copy, fast())) {
      assertEquals(50, b.lastCommittedLsn());
      try (Transaction tx = b.begin()) {
        assertEquals(50, tx.getLong("c", b("n")));
        assertArrayEquals(b("v7"), tx.get("t", b("k7")));
        assertNull(tx.get("t", b("after")));
        tx.put("t", b("new"), b("y"));
        assertEquals(51, tx.commit());
      }
    }
  }

  private record Set() {
    static java.util.Set<String> of(String... names) {
      return java.util.Set.of(names);
    }
  }
}
