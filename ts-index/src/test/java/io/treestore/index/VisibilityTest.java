package io.treestore.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.txn.Database;
import io.treestore.txn.DbSnapshot;
import io.treestore.txn.ReadView;
import io.treestore.txn.Transaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers see a record and its index entries together or not at all:
 * <ul>
 *   <li>a snapshot or read-only transaction taken before a commit, including scans already
 *       half-read when the commit happens, sees exactly the state before it (compared with the
 *       model, {@code check} clean);
 *   <li>reader threads taking snapshots while a writer commits, for a fixed number of
 *       iterations, always find the table consistent ({@code check} clean, every record
 *       reachable through each of its index keys, every entry leading to a record that
 *       produces it) and the writer's paired records complete.
 * </ul>
 * Seeded: rerun with {@code -Dts.seed=}; thread scheduling varies between runs.
 */
class VisibilityTest {
  @TempDir Path dir;

  private static final Table<Tuple> DOCS = Docs.table();

  /** Random writes through the table, applied to the model; refused ones are skipped. */
  private static void randomWrites(Random rnd, Transaction tx, NavigableMap<Tuple, Tuple> m,
      int n) {
    for (int i = 0; i < n; i++) {
      Tuple pk = Docs.randomPk(rnd);
      if (rnd.nextInt(4) == 0) {
        DOCS.delete(tx, pk);
        m.remove(pk);
      } else {
        Tuple r = Docs.randomRecord(rnd);
        try {
          DOCS.put(tx, pk, r);
          m.put(pk, r);
        } catch (UniqueConstraintException e) {
          // the email is taken; nothing was written
        }
      }
    }
  }

  @Test
  void viewsTakenBeforeACommitSeeTheStateBeforeIt() {
    long seed = TuplePropertyTest.seed("visibility");
    Random rnd = new Random(seed);
    NavigableMap<Tuple, Tuple> model = new TreeMap<>();
    try (Database db = Database.open(dir.resolve("before"), Docs.options())) {
      for (int n = 0; n < 60; n++) {
        String ctx = "seed " + seed + " commit " + n;
        NavigableMap<Tuple, Tuple> before = new TreeMap<>(model);
        List<IndexEntry> pagesBefore = Docs.expectedEntries(before, Docs.BY_PAGE);
        try (DbSnapshot snap = db.snapshot();
            Transaction reader = db.beginReadOnly();
            RowIterator<Tuple> halfRead = DOCS.scanIndex(snap, Docs.BY_PAGE, TupleRange.all())) {
          List<Row<Tuple>> rows = new ArrayList<>();
          for (int i = 0; i < pagesBefore.size() / 2 && halfRead.hasNext(); i++) {
            rows.add(halfRead.next());
          }
          try (Transaction w = db.begin()) {
            randomWrites(rnd, w, model, 1 + rnd.nextInt(6));
            w.commit();
          }
          halfRead.forEachRemaining(rows::add);
          List<Row<Tuple>> want = new ArrayList<>();
          for (IndexEntry e : pagesBefore) {
            want.add(new Row<>(e.indexKey(), e.primaryKey(), before.get(e.primaryKey())));
          }
          assertEquals(want, rows, ctx + ": a scan half-read before the commit");
          TableModelTest.verify(snap, DOCS, before, rnd, ctx + " snapshot before");
          TableModelTest.verify(reader, DOCS, before, rnd, ctx + " read-only tx before");
        }
        try (DbSnapshot after = db.snapshot()) {
          TableModelTest.verify(after, DOCS, model, rnd, ctx + " snapshot after");
        }
      }
    }
  }

  private static final int WRITER_COMMITS = 500;
  private static final int READER_ITERATIONS = 80;

  /**
   * Every record of doc "a" has a twin in doc "b" with the same node, group and pages (the
   * writer writes and deletes them in one transaction); returns the number of records.
   */
  private static int assertConsistent(ReadView v, String ctx) {
    IndexCheckReport r = DOCS.check(v, 5);
    assertTrue(r.ok(), ctx + ": " + r);
    Map<Long, Tuple> a = new TreeMap<>();
    Map<Long, Tuple> b = new TreeMap<>();
    for (Row<Tuple> row : Docs.drain(DOCS.scan(v, TupleRange.all()))) {
      (row.primaryKey().getString(0).equals("a") ? a : b).put(row.primaryKey().getLong(1),
          row.record().subTuple(1, 5));
      // The record is reachable through each of its keys.
      for (String index : Docs.INDEXES) {
        for (Tuple k : Docs.keys(index, row.record())) {
          if (Docs.unique(index)) {
            Row<Tuple> u = DOCS.getUnique(v, index, k);
            assertNotNull(u, ctx + ": no " + index + " entry " + k);
            assertEquals(row.primaryKey(), u.primaryKey(), ctx);
          } else {
            boolean found = Docs.drain(DOCS.scanIndexKeys(v, index, TupleRange.prefix(
                k.concat(row.primaryKey())))).contains(new IndexEntry(k, row.primaryKey()));
            assertTrue(found, ctx + ": no " + index + " entry " + k + " for " + row);
          }
        }
      }
    }
    assertEquals(a, b, ctx + ": a commit was seen in part");
    return a.size() + b.size();
  }

  @Test
  void concurrentReadersAlwaysSeeRecordsAndEntriesTogether() throws Exception {
    long seed = TuplePropertyTest.seed("concurrentVisibility");
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    Set<Long> lsnsSeen = ConcurrentHashMap.newKeySet();
    CyclicBarrier start = new CyclicBarrier(3);
    AtomicLong lastCommit = new AtomicLong();
    // Lockstep by progress, not time: reader iteration i waits for i * W / R writer
    // transactions, and the writer waits for the readers to keep up likewise, so that the
    // readers' views are spread over the whole run and taken while the writer commits.
    AtomicInteger written = new AtomicInteger();
    AtomicIntegerArray iterations = new AtomicIntegerArray(2);
    int perIteration = WRITER_COMMITS / READER_ITERATIONS;
    try (Database db = Database.open(dir.resolve("concurrent"),
        Docs.options().withCheckpoints(64 * 1024, 0))) {
      Thread writer = Thread.ofPlatform().name("writer").start(() -> {
        Random rnd = new Random(seed);
        try {
          start.await(30, TimeUnit.SECONDS);
          for (int n = 0; n < WRITER_COMMITS && errors.isEmpty(); n++) {
            while (errors.isEmpty() && Math.min(iterations.get(0), iterations.get(1))
                < n / perIteration - 1) {
              LockSupport.parkNanos(20_000);
            }
            try (Transaction tx = db.begin()) {
              int ops = 1 + rnd.nextInt(3);
              for (int i = 0; i < ops; i++) {
                long node = rnd.nextInt(Docs.NODES);
                if (rnd.nextInt(4) == 0) {
                  DOCS.delete(tx, Tuple.of("a", node));
                  DOCS.delete(tx, Tuple.of("b", node));
                } else {
                  Tuple r = Docs.randomRecord(rnd);
                  String email = Docs.email(r);
                  // Emails derived from the node, so the twins never collide.
                  DOCS.put(tx, Tuple.of("a", node), email == null ? r
                      : Tuple.of("a" + node + email).concat(r.subTuple(1, 6)));
                  DOCS.put(tx, Tuple.of("b", node), email == null ? r
                      : Tuple.of("b" + node + email).concat(r.subTuple(1, 6)));
                }
              }
              lastCommit.set(tx.commit());
            }
            written.incrementAndGet();
          }
        } catch (Throwable t) {
          errors.add(t);
        } finally {
          written.set(Integer.MAX_VALUE);
        }
      });
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int id = t;
        readers.add(Thread.ofPlatform().name("reader-" + t).start(() -> {
          try {
            start.await(30, TimeUnit.SECONDS);
            for (int i = 0; i < READER_ITERATIONS && errors.isEmpty(); i++) {
              while (errors.isEmpty() && written.get() < i * perIteration) {
                LockSupport.parkNanos(20_000);
              }
              String ctx = "seed " + seed + " reader " + id + " iteration " + i;
              if ((i + id) % 2 == 0) {
                try (DbSnapshot s = db.snapshot()) {
                  lsnsSeen.add(s.lsn());
                  assertConsistent(s, ctx + " (snapshot at LSN " + s.lsn() + ")");
                }
              } else {
                try (Transaction r = db.beginReadOnly()) {
                  lsnsSeen.add(r.startLsn());
                  assertConsistent(r, ctx + " (read-only tx at LSN " + r.startLsn() + ")");
                }
              }
              iterations.incrementAndGet(id);
            }
            iterations.set(id, Integer.MAX_VALUE);
          } catch (Throwable e) {
            errors.add(e);
          }
        }));
      }
      writer.join(TimeUnit.MINUTES.toMillis(2));
      for (Thread r : readers) {
        r.join(TimeUnit.MINUTES.toMillis(2));
      }
      assertTrue(!writer.isAlive() && readers.stream().noneMatch(Thread::isAlive), "hangs");
      if (!errors.isEmpty()) {
        AssertionError e = new AssertionError("seed " + seed + ": " + errors.peek(),
            errors.peek());
        errors.stream().skip(1).forEach(e::addSuppressed);
        throw e;
      }
      assertTrue(lsnsSeen.size() > READER_ITERATIONS / 2,
          "the readers saw only " + lsnsSeen.size() + " states of the writer");
      try (DbSnapshot s = db.snapshot()) {
        // Transactions that only deleted absent records commit without a log record.
        assertTrue(lastCommit.get() > WRITER_COMMITS / 2, "commits: " + lastCommit);
        assertTrue(s.lsn() >= lastCommit.get(), "the last commit is visible");
        assertTrue(assertConsistent(s, "seed " + seed + " at the end") > 0);
      }
    }
  }
}
