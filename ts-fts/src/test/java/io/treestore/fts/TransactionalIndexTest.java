package io.treestore.fts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.btree.Range;
import io.treestore.fts.internal.Keys;
import io.treestore.index.Tuple;
import io.treestore.txn.Database;
import io.treestore.txn.DbSnapshot;
import io.treestore.txn.ReadView;
import io.treestore.txn.ScanIterator;
import io.treestore.txn.Transaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index inside transactions: a rollback leaves no trace, a transaction's searches see its
 * own changes (and others do not), an update replaces the old postings, a removal removes
 * them, and indexing the same unit again changes nothing.
 */
class TransactionalIndexTest {
  private static final long SEED = Long.getLong("ts.seed", System.nanoTime());
  private static final List<String> QUERIES = List.of("alpha", "+alpha beta", "\"alpha beta\"",
      "title:gamma", "delta -alpha", "zebra", "revenue growth");

  @TempDir Path dir;

  private final FullTextIndex fts = new FullTextIndex("tx", FullTextOptions.defaults());

  /** Everything a user can observe of the index through a view. */
  private record State(IndexStatistics stats, List<String> raw, List<List<Hit>> results,
      List<Long> df) {}

  private State state(ReadView view) {
    List<List<Hit>> results = new ArrayList<>();
    for (String q : QUERIES) {
      results.add(fts.search(view, q, SearchOptions.defaults().withLimit(50)).hits());
    }
    List<Long> df = new ArrayList<>();
    for (String t : List.of("alpha", "beta", "gamma", "delta", "zebra", "revenue")) {
      df.add(fts.documentFrequency(view, t));
    }
    assertTrue(fts.check(view, 10).ok(), () -> fts.check(view, 10).toString());
    return new State(fts.statistics(view), Raw.contents(fts, view), results, df);
  }

  private static Unit unit(String title, String text) {
    return Unit.of("1", "title", title, "text", text);
  }

  private void seed(Database db) {
    try (Transaction tx = db.begin()) {
      fts.index(tx, Tuple.of(1L), unit("Alpha", "alpha beta gamma"));
      fts.index(tx, Tuple.of(2L), unit("Gamma report", "beta delta delta"));
      fts.index(tx, Tuple.of(3L), unit("Delta", "revenue growth and alpha"));
      for (Corpus.Doc d : Corpus.random(SEED, 200, 100, 20)) {
        fts.index(tx, Tuple.of(100L + d.key().getLong(1)), d.unit());
      }
      tx.commit();
    }
  }

  @Test
  void rollbackLeavesNoTraceAndATransactionSeesItsOwnChanges() {
    try (Database db = Database.open(dir, Bm25OracleTest.fast())) {
      seed(db);
      State before;
      try (DbSnapshot s = db.snapshot()) {
        before = state(s);
      }
      for (boolean explicit : new boolean[] {true, false}) {
        try (Transaction tx = db.begin(); Transaction other = db.beginReadOnly()) {
          fts.index(tx, Tuple.of(4L), unit("Zebra", "zebra alpha"));
          fts.index(tx, Tuple.of(2L), unit("Zebra report", "zebra zebra"));
          assertTrue(fts.remove(tx, Tuple.of(1L)));
          // the transaction sees its own changes ...
          // +1 unit of 3 tokens, unit 2 goes from 5 to 4 tokens, -1 unit of 4 tokens
          assertEquals(new IndexStatistics(before.stats().units(), before.stats().tokens()
              + 3 + (4 - 5) - 4), fts.statistics(tx));
          assertEquals(List.of(Tuple.of(2L), Tuple.of(4L)), keys(fts.search(tx, "zebra",
              SearchOptions.defaults())));
          assertEquals(2, fts.documentFrequency(tx, "zebra"));
          assertEquals(before.df().get(0) - 1 + 1, fts.documentFrequency(tx, "alpha"));
          assertFalse(keys(fts.search(tx, "alpha", SearchOptions.defaults().withLimit(100)))
              .contains(Tuple.of(1L)));
          assertEquals(List.of(), fts.search(tx, "\"beta delta\"", SearchOptions.defaults())
              .hits());
          assertNull(fts.unit(tx, Tuple.of(1L)));
          assertTrue(fts.check(tx, 10).ok(), fts.check(tx, 10).toString());
          // ... nobody else does
          assertEquals(before, state(other));
          if (explicit) {
            tx.rollback();
          }
        }
        try (Transaction tx = db.beginReadOnly()) {
          assertEquals(before, state(tx), "after " + (explicit ? "rollback" : "close"));
        }
      }
      // a transaction that fails half-way (refused unit) and is abandoned: no trace either
      try (Transaction tx = db.begin()) {
        fts.index(tx, Tuple.of(5L), unit("Zebra", "zebra"));
        assertThrows(IllegalArgumentException.class, () -> fts.index(tx, Tuple.of(6L),
            Unit.of(null, "chapter", "zebra")));
      }
      try (DbSnapshot s = db.snapshot()) {
        assertEquals(before, state(s));
      }
    }
  }

  private static List<Tuple> keys(SearchResult r) {
    return r.hits().stream().map(Hit::unitKey).toList();
  }

  /** The posting keys of a term, straight from the postings keyspace. */
  private long postings(ReadView view, String term) {
    byte[] tk = Keys.term(term);
    long n = 0;
    try (ScanIterator it = view.scan(fts.keyspaces().get(1), Range.prefix(tk))) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  @Test
  void updateReplacesPostingsAndRemoveRemovesThem() {
    try (Database db = Database.open(dir, Bm25OracleTest.fast())) {
      seed(db);
      IndexStatistics before;
      try (Transaction tx = db.beginReadOnly()) {
        before = fts.statistics(tx);
        assertEquals(fts.documentFrequency(tx, "gamma"), postings(tx, "gamma"));
        assertEquals(2, fts.documentFrequency(tx, "gamma"));
      }
      try (Transaction tx = db.begin()) {
        assertTrue(fts.index(tx, Tuple.of(1L), unit("Omega", "omega omega")), "replaced");
        tx.commit();
      }
      try (Transaction tx = db.beginReadOnly()) {
        // old terms of unit 1 no longer find it; the new ones do
        for (String q : List.of("alpha", "beta", "gamma", "\"alpha beta\"")) {
          assertFalse(keys(fts.search(tx, q, SearchOptions.defaults().withLimit(1000)))
              .contains(Tuple.of(1L)), q);
        }
        assertEquals(List.of(Tuple.of(1L)), keys(fts.search(tx, "omega",
            SearchOptions.defaults())));
        assertEquals(1, postings(tx, "omega"));
        assertEquals(fts.documentFrequency(tx, "gamma"), postings(tx, "gamma"));
        assertEquals(new IndexStatistics(before.units(), before.tokens() - 4 + 3),
            fts.statistics(tx));
        assertEquals(Unit.of("1", "title", "Omega", "text", "omega omega"),
            fts.unit(tx, Tuple.of(1L)));
        assertTrue(fts.check(tx, 10).ok(), fts.check(tx, 10).toString());
      }
      try (Transaction tx = db.begin()) {
        assertTrue(fts.remove(tx, Tuple.of(1L)));
        assertFalse(fts.remove(tx, Tuple.of(1L)), "already removed in this transaction");
        tx.commit();
      }
      try (Transaction tx = db.begin()) {
        List<String> raw = Raw.contents(fts, tx);
        assertFalse(fts.remove(tx, Tuple.of(1L)));
        assertFalse(fts.remove(tx, Tuple.of("never", "indexed")));
        assertEquals(raw, Raw.contents(fts, tx), "removing a missing unit writes nothing");
        assertEquals(List.of(), fts.search(tx, "omega", SearchOptions.defaults()).hits());
        assertEquals(0, postings(tx, "omega"));
        assertEquals(0, fts.documentFrequency(tx, "omega"));
        assertNull(fts.unit(tx, Tuple.of(1L)));
        assertEquals(new IndexStatistics(before.units() - 1, before.tokens() - 4),
            fts.statistics(tx));
        assertTrue(fts.check(tx, 10).ok(), fts.check(tx, 10).toString());
      }
      // removing everything leaves empty keyspaces apart from the configuration and zero
      // counters
      try (Transaction tx = db.begin()) {
        List<Tuple> all = new ArrayList<>();
        try (ScanIterator it = tx.scan(fts.keyspaces().get(0), Range.all())) {
          while (it.hasNext()) {
            all.add(Tuple.decode(it.next().key()));
          }
        }
        for (Tuple k : all) {
          assertTrue(fts.remove(tx, k));
        }
        tx.commit();
      }
      try (Transaction tx = db.beginReadOnly()) {
        assertEquals(new IndexStatistics(0, 0), fts.statistics(tx));
        assertEquals(0, Raw.count(tx, fts.keyspaces().get(0)));
        assertEquals(0, Raw.count(tx, fts.keyspaces().get(1)));
        assertEquals(List.of(), fts.search(tx, "alpha beta", SearchOptions.defaults()).hits());
        assertTrue(fts.check(tx, 10).ok(), fts.check(tx, 10).toString());
      }
    }
  }

  @Test
  void indexingTheSameUnitAgainChangesNothing() {
    try (Database db = Database.open(dir, Bm25OracleTest.fast())) {
      seed(db);
      List<String> once;
      try (Transaction tx = db.begin()) {
        assertFalse(fts.index(tx, Tuple.of(7L), unit("Kappa", "kappa lambda kappa")));
        once = Raw.contents(fts, tx);
        assertTrue(fts.index(tx, Tuple.of(7L), unit("Kappa", "kappa lambda kappa")));
        assertEquals(once, Raw.contents(fts, tx), "twice in one transaction");
        tx.commit();
      }
      for (int i = 0; i < 3; i++) {
        try (Transaction tx = db.begin()) {
          assertTrue(fts.index(tx, Tuple.of(7L), unit("Kappa", "kappa lambda kappa")));
          tx.commit();
        }
      }
      try (Transaction tx = db.beginReadOnly()) {
        assertEquals(once, Raw.contents(fts, tx), "again in later transactions");
        assertEquals(1, fts.documentFrequency(tx, "kappa"));
        assertTrue(fts.check(tx, 10).ok());
      }
    }
  }
}
