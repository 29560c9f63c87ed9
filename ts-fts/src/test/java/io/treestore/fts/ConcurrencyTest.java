package io.treestore.fts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.treestore.index.IndexCheckReport;
import io.treestore.index.Tuple;
import io.treestore.txn.ConflictException;
import io.treestore.txn.Database;
import io.treestore.txn.DbSnapshot;
import io.treestore.txn.ReadView;
import io.treestore.txn.Transaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactional visibility under concurrency: writer threads each own a set of unit keys and
 * run transactions that index, replace and remove several of them at once, while reader
 * threads take snapshots ({@link Database#snapshot()} and read-only transactions) and check
 * that what they see is exactly the state after some prefix of every writer's commits (all
 * units of a transaction or none), that the statistics agree with the units and postings
 * ({@link FullTextIndex#check}), and that every hit's unit exists. Writers on disjoint units
 * never conflict: the shared statistics are merge operands.
 */
class ConcurrencyTest {
  private static final long SEED = Long.getLong("ts.seed", System.nanoTime());
  private static final int WRITERS = 4;
  private static final int TXNS = 150;
  private static final int UNITS_PER_WRITER = 12;
  private static final int READERS = 2;
  /** Readers read until the writers are done, at most this many times each. */
  private static final int READS = 400;
  private static final String[] WORDS = {"ledger", "audit", "policy", "revenue", "risk",
      "growth", "asset", "equity", "margin", "cash"};

  @TempDir Path dir;

  /** The state of one writer's units after its g-th commit: key number to text. */
  private record Generation(int g, Map<Integer, String> texts) {}

  private static Tuple key(int writer, int unit) {
    return Tuple.of("w" + writer, (long) unit);
  }

  /** A unit text: the writer's word, the transaction's marker, and some shared words. */
  private static String text(int writer, int g, Random r) {
    StringBuilder sb = new StringBuilder("writer" + writer + " tx" + writer + "x" + g);
    int n = 1 + r.nextInt(6);
    for (int i = 0; i < n; i++) {
      sb.append(' ').append(WORDS[r.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }

  @Test
  void readersSeeWholeTransactionsAndConsistentStatistics() throws Exception {
    FullTextIndex fts = new FullTextIndex("cc", FullTextOptions.defaults());
    Map<Integer, List<Generation>> history = new ConcurrentHashMap<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicInteger conflicts = new AtomicInteger();
    AtomicInteger snapshotsChecked = new AtomicInteger();
    AtomicInteger partialWriters = new AtomicInteger();
    AtomicInteger writersDone = new AtomicInteger();
    try (Database db = Database.open(dir, Bm25OracleTest.fast())) {
      // generation 0: every writer's state is empty; a first unit records the index's
      // configuration so that the writers start on an existing index
      try (Transaction tx = db.begin()) {
        fts.index(tx, Tuple.of("setup"), Unit.of(null, "title", "setup"));
        tx.commit();
      }
      for (int w = 0; w < WRITERS; w++) {
        List<Generation> l = new ArrayList<>();
        l.add(new Generation(0, Map.of()));
        history.put(w, java.util.Collections.synchronizedList(l));
      }
      CyclicBarrier start = new CyclicBarrier(WRITERS + READERS);
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        threads.add(Thread.ofPlatform().name("writer-" + w).start(() -> {
          Random r = new Random(SEED * 31 + writer);
          Map<Integer, String> current = new TreeMap<>();
          try {
            start.await(30, TimeUnit.SECONDS);
            for (int g = 1; g <= TXNS && failure.get() == null; g++) {
              Map<Integer, String> next = new TreeMap<>(current);
              try (Transaction tx = db.begin()) {
                // the writer's marker unit records the generation, in the same transaction
                fts.index(tx, Tuple.of("clock", (long) writer), Unit.of(null, "title",
                    "clock ck" + writer + " gen" + g));
                int ops = 1 + r.nextInt(5);
                for (int i = 0; i < ops; i++) {
                  int u = r.nextInt(UNITS_PER_WRITER);
                  if (next.containsKey(u) && r.nextInt(4) == 0) {
                    fts.remove(tx, key(writer, u));
                    next.remove(u);
                  } else {
                    String t = text(writer, g, r);
                    fts.index(tx, key(writer, u), Unit.of(u + "", "text", t));
                    next.put(u, t);
                  }
                }
                // published before the commit: a reader may see the commit at once
                history.get(writer).add(new Generation(g, Map.copyOf(next)));
                tx.commit();
              } catch (ConflictException e) {
                conflicts.incrementAndGet();
                throw e;
              }
              current = next;
            }
          } catch (Throwable t) {
            failure.compareAndSet(null, t);
          } finally {
            writersDone.incrementAndGet();
          }
        }));
      }
      for (int rd = 0; rd < READERS; rd++) {
        int reader = rd;
        threads.add(Thread.ofPlatform().name("reader-" + rd).start(() -> {
          try {
            start.await(30, TimeUnit.SECONDS);
            for (int i = 0; i < READS && failure.get() == null
                && writersDone.get() < WRITERS; i++) {
              if (reader == 0) {
                try (DbSnapshot s = db.snapshot()) {
                  verify(fts, s, history, i % 4 == 0, partialWriters);
                }
              } else {
                try (Transaction tx = db.beginReadOnly()) {
                  verify(fts, tx, history, i % 4 == 0, partialWriters);
                }
              }
              snapshotsChecked.incrementAndGet();
            }
          } catch (Throwable t) {
            failure.compareAndSet(null, t);
          }
        }));
      }
      for (Thread t : threads) {
        t.join(120_000);
        assertTrue(!t.isAlive(), t.getName() + " did not finish");
      }
      if (failure.get() != null) {
        throw new AssertionError("seed " + SEED + ": " + failure.get(), failure.get());
      }
      assertEquals(0, conflicts.get(), "writers of disjoint units conflicted");
      try (DbSnapshot s = db.snapshot()) {
        verify(fts, s, history, true, partialWriters);
        for (int w = 0; w < WRITERS; w++) {
          assertEquals("clock ck" + w + " gen" + TXNS, fts.unit(s, Tuple.of("clock", (long) w))
              .fields().get("title"));
        }
      }
    }
    System.out.println("ConcurrencyTest seed=" + SEED + ": " + snapshotsChecked.get()
        + " snapshots checked, " + WRITERS * TXNS + " transactions, " + partialWriters.get()
        + " writer states seen between their first and last commit");
  }

  /** Checks one read view against the writers' histories. */
  private static void verify(FullTextIndex fts, ReadView view,
      Map<Integer, List<Generation>> history, boolean fullCheck, AtomicInteger midway) {
    long units = 1; // the setup unit
    long tokens = 1;
    for (int w = 0; w < WRITERS; w++) {
      Unit clock = fts.unit(view, Tuple.of("clock", (long) w));
      int g = 0;
      if (clock != null) {
        String t = clock.fields().get("title");
        g = Integer.parseInt(t.substring(t.lastIndexOf("gen") + 3));
        units++;
        tokens += 3;
      }
      if (g > 0 && g < TXNS) {
        midway.incrementAndGet();
      }
      Generation gen;
      synchronized (history.get(w)) {
        gen = history.get(w).get(g);
      }
      assertEquals(g, gen.g());
      String ctx = "writer " + w + " at generation " + g + " (seed " + SEED + ")";
      // exactly the units of that generation, with their texts
      for (int u = 0; u < UNITS_PER_WRITER; u++) {
        Unit got = fts.unit(view, key(w, u));
        String want = gen.texts().get(u);
        assertEquals(want, got == null ? null : got.fields().get("text"), "unit " + u + " of "
            + ctx);
      }
      units += gen.texts().size();
      for (String t : gen.texts().values()) {
        tokens += t.split(" ").length;
      }
      // searches agree: the writer's word finds exactly its units, the generation's marker
      // finds all the units that generation wrote and still hold it, the next one none
      Map<Integer, Integer> markers = new HashMap<>();
      for (String t : gen.texts().values()) {
        markers.merge(Integer.parseInt(t.split(" ")[1].substring(("tx" + w + "x").length())),
            1, Integer::sum);
      }
      SearchOptions all = SearchOptions.defaults().withLimit(1000);
      assertEquals(gen.texts().size(), fts.search(view, "writer" + w, all).hits().size(), ctx);
      for (Map.Entry<Integer, Integer> m : markers.entrySet()) {
        assertEquals((long) m.getValue(), fts.documentFrequency(view, "tx" + w + "x"
            + m.getKey()), ctx);
        assertEquals((int) m.getValue(), fts.search(view, "tx" + w + "x" + m.getKey(), all)
            .hits().size(), "marker of generation " + m.getKey() + ", " + ctx);
      }
      assertEquals(0, fts.documentFrequency(view, "tx" + w + "x" + (g + 1)), ctx);
    }
    assertEquals(new IndexStatistics(units, tokens), fts.statistics(view), "seed " + SEED);
    for (String word : WORDS) {
      for (Hit h : fts.search(view, word, SearchOptions.defaults().withLimit(100)).hits()) {
        if (fts.unit(view, h.unitKey()) == null) {
          fail("hit " + h.unitKey() + " for '" + word + "' has no unit (seed " + SEED + ")");
        }
      }
    }
    if (fullCheck) {
      IndexCheckReport r = fts.check(view, 10);
      assertTrue(r.ok(), r + " (seed " + SEED + ")");
    }
  }

  /**
   * Transactions that began before any of them committed, on an index that does not exist
   * yet, each indexing other units: none may conflict.
   */
  @Test
  void concurrentFirstIngestsIntoAnEmptyIndexDoNotConflict() throws Exception {
    FullTextIndex fts = new FullTextIndex("fresh", FullTextOptions.defaults());
    int n = 4;
    try (Database db = Database.open(dir, Bm25OracleTest.fast())) {
      List<Transaction> txs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Transaction tx = db.begin();
        txs.add(tx);
        fts.index(tx, Tuple.of((long) i), Unit.of(null, "text", "unit number " + i));
      }
      List<String> conflicts = new ArrayList<>();
      for (Transaction tx : txs) {
        try (tx) {
          tx.commit();
        } catch (ConflictException e) {
          conflicts.add(e.getMessage());
        }
      }
      assertEquals(List.of(), conflicts);
      try (DbSnapshot s = db.snapshot()) {
        assertEquals(new IndexStatistics(n, 3L * n), fts.statistics(s));
        assertEquals(n, fts.search(s, "unit", SearchOptions.defaults()).hits().size());
        assertTrue(fts.check(s, 10).ok());
        // every first ingest recorded the configuration; another one is still refused
        FullTextIndex other = new FullTextIndex("fresh", FullTextOptions.defaults()
            .withFields(List.of("text")));
        assertThrows(IllegalStateException.class, () -> other.search(s, "unit",
            SearchOptions.defaults()));
      }
    }
  }
}
