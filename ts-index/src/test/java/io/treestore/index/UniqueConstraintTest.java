package io.treestore.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.txn.ConflictException;
import io.treestore.txn.Database;
import io.treestore.txn.DbSnapshot;
import io.treestore.txn.Transaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unique constraints: an insert over an existing primary key and a write that takes a unique
 * key held by another record are refused with a {@link UniqueConstraintException} that names
 * the index, the key and the holder, and leave everything the transaction sees (all keyspaces
 * of the table, its own earlier writes included) exactly as before; the transaction stays
 * usable. Keys freed in a transaction can be taken in it. Of two concurrent transactions that
 * take the same unique key, exactly one commits and the other gets a
 * {@link ConflictException}.
 */
class UniqueConstraintTest {
  @TempDir Path dir;

  private static final Table<Tuple> DOCS = Docs.table();
  private static final Tuple A = Tuple.of("a", 1L);
  private static final Tuple B = Tuple.of("a", 2L);
  private static final Tuple C = Tuple.of("b", 1L);
  private static final Tuple D = Tuple.of("c", 1L);

  private static Tuple rec(String email, long first, long last) {
    return Docs.record(email, 1, true, first, last, "r");
  }

  private Database seeded(String name) {
    Database db = Database.open(dir.resolve(name), Docs.options());
    try (Transaction tx = db.begin()) {
      DOCS.insert(tx, A, rec("ann@x", 0, 2));
      DOCS.insert(tx, B, rec("bob@x", 1, 1));
      DOCS.insert(tx, C, Docs.record(null, 2, false, 5, 4, "no email, no pages"));
      tx.commit();
    }
    return db;
  }

  private static void assertRefused(Transaction tx, Runnable write, String index, Tuple key,
      Tuple holder) {
    Map<String, List<String>> before = Docs.dump(tx, DOCS);
    UniqueConstraintException e = assertThrows(UniqueConstraintException.class, write::run);
    assertEquals(index, e.index());
    assertEquals(key, e.key());
    assertEquals(holder, e.holder());
    assertEquals("unique index docs#" + index + ": key " + key + " is already held by record "
        + holder, e.getMessage());
    assertEquals(before, Docs.dump(tx, DOCS), "the refused write changed what the tx sees");
  }

  @Test
  void refusedWritesNameTheIndexAndHolderAndChangeNothing() {
    try (Database db = seeded("refused")) {
      try (Transaction tx = db.begin()) {
        // Earlier writes of the transaction itself: D holds cy@x, C is gone.
        DOCS.insert(tx, D, rec("cy@x", 7, 8));
        DOCS.delete(tx, C);
        Map<String, List<String>> start = Docs.dump(tx, DOCS);

        assertRefused(tx, () -> DOCS.insert(tx, A, rec("new@x", 0, 0)), Table.PRIMARY, A, A);
        assertRefused(tx, () -> DOCS.insert(tx, D, rec("new@x", 0, 0)), Table.PRIMARY, D, D);
        assertRefused(tx, () -> DOCS.insert(tx, Tuple.of("z"), rec("bob@x", 3, 9)),
            Docs.BY_EMAIL, Tuple.of("bob@x"), B);
        // A put that would move A's entries (pages 0-2 to 9) and take bob@x: A stays as it was.
        assertRefused(tx, () -> DOCS.put(tx, A, rec("bob@x", 9, 9)), Docs.BY_EMAIL,
            Tuple.of("bob@x"), B);
        assertRefused(tx, () -> DOCS.put(tx, Tuple.of("z", 9L), rec("cy@x", 0, 0)),
            Docs.BY_EMAIL, Tuple.of("cy@x"), D);
        assertEquals(start, Docs.dump(tx, DOCS));
        assertEquals(rec("ann@x", 0, 2), DOCS.get(tx, A));

        // Keeping one's own key is no conflict; the transaction is still usable.
        assertEquals(rec("ann@x", 0, 2), DOCS.put(tx, A, rec("ann@x", 2, 3)));
        assertTrue(DOCS.check(tx, 10).ok(), DOCS.check(tx, 10).toString());
        tx.commit();
      }
      try (DbSnapshot s = db.snapshot()) {
        assertEquals(A, DOCS.getUnique(s, Docs.BY_EMAIL, Tuple.of("ann@x")).primaryKey());
        assertEquals(D, DOCS.getUnique(s, Docs.BY_EMAIL, Tuple.of("cy@x")).primaryKey());
        assertNull(DOCS.get(s, C));
        assertNull(DOCS.get(s, Tuple.of("z")));
        assertTrue(DOCS.check(s, 10).ok());
        assertEquals(List.of(Tuple.of(2L), Tuple.of(3L)), Docs.drain(DOCS.scanIndexKeys(s,
            Docs.BY_PAGE, TupleRange.all())).stream().filter(e -> e.primaryKey().equals(A))
            .map(IndexEntry::indexKey).toList());
      }
    }
  }

  @Test
  void keysFreedInATransactionCanBeTakenInIt() {
    try (Database db = seeded("freed")) {
      try (Transaction tx = db.begin()) {
        DOCS.delete(tx, A);
        DOCS.insert(tx, D, rec("ann@x", 0, 0));
        DOCS.put(tx, B, rec("zed@x", 1, 1));
        DOCS.insert(tx, Tuple.of("e"), rec("bob@x", 0, 0));
        assertTrue(DOCS.check(tx, 10).ok());
        tx.commit();
      }
      try (DbSnapshot s = db.snapshot()) {
        assertEquals(D, DOCS.getUnique(s, Docs.BY_EMAIL, Tuple.of("ann@x")).primaryKey());
        assertEquals(Tuple.of("e"), DOCS.getUnique(s, Docs.BY_EMAIL, Tuple.of("bob@x"))
            .primaryKey());
        assertEquals(B, DOCS.getUnique(s, Docs.BY_EMAIL, Tuple.of("zed@x")).primaryKey());
        assertTrue(DOCS.check(s, 10).ok());
      }
    }
  }

  @Test
  void aMultiValuedUniqueIndexRefusesTheWholeRecordIfOneKeyIsTaken() {
    // Records are tuples of aliases; every alias is a key of a unique index.
    Table<Tuple> people = Table.builder("people", RecordCodec.tuple())
        .index(IndexDefinition.unique("by_alias", (pk, r) -> {
          List<Tuple> keys = new ArrayList<>();
          for (int i = 0; i < r.size(); i++) {
            keys.add(Tuple.of(r.getString(i)));
          }
          return keys;
        }))
        .build();
    try (Database db = Database.open(dir.resolve("aliases"), Docs.options());
        Transaction tx = db.begin()) {
      people.insert(tx, Tuple.of(1L), Tuple.of("al", "bo", "bo")); // a duplicate is fine
      Map<String, List<String>> before = Docs.dump(tx, people);
      UniqueConstraintException e = assertThrows(UniqueConstraintException.class,
          () -> people.insert(tx, Tuple.of(2L), Tuple.of("cy", "dee", "bo")));
      assertEquals("by_alias", e.index());
      assertEquals(Tuple.of("bo"), e.key());
      assertEquals(Tuple.of(1L), e.holder());
      assertEquals(before, Docs.dump(tx, people), "no alias of the refused record was written");
      people.insert(tx, Tuple.of(2L), Tuple.of("cy", "dee"));
      Map<String, List<String>> two = Docs.dump(tx, people);
      // Record 1 gives up "al" and asks for "dee", held by 2: nothing changes.
      assertThrows(UniqueConstraintException.class,
          () -> people.put(tx, Tuple.of(1L), Tuple.of("bo", "dee")));
      assertEquals(two, Docs.dump(tx, people));
      assertEquals(Tuple.of(1L), people.getUnique(tx, "by_alias", Tuple.of("al")).primaryKey());
      assertTrue(people.check(tx, 10).ok());
    }
  }

  @Test
  void interleavedTransactionsTakingOneKeyFirstCommitterWins() {
    try (Database db = seeded("interleaved")) {
      Transaction t1 = db.begin();
      Transaction t2 = db.begin();
      DOCS.insert(t1, Tuple.of("x", 1L), rec("kim@x", 0, 0));
      DOCS.insert(t2, Tuple.of("x", 2L), rec("kim@x", 1, 1));
      t2.commit();
      ConflictException e = assertThrows(ConflictException.class, t1::commit);
      assertEquals("docs#by_email", e.keyspace());
      assertArrayEquals(Tuple.of("kim@x").encode(), e.key());
      try (DbSnapshot s = db.snapshot()) {
        assertEquals(Tuple.of("x", 2L), DOCS.getUnique(s, Docs.BY_EMAIL, Tuple.of("kim@x"))
            .primaryKey());
        assertNull(DOCS.get(s, Tuple.of("x", 1L)));
        assertTrue(DOCS.check(s, 10).ok());
      }
      // A transaction that begins after the commit is refused at once.
      try (Transaction t3 = db.begin()) {
        assertRefused(t3, () -> DOCS.put(t3, Tuple.of("x", 3L), rec("kim@x", 0, 0)),
            Docs.BY_EMAIL, Tuple.of("kim@x"), Tuple.of("x", 2L));
      }
    }
  }

  @Test
  void concurrentTransactionsTakingOneKeyExactlyOneCommits() throws Exception {
    int rounds = 40;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (Database db = seeded("concurrent")) {
      for (int round = 0; round < rounds; round++) {
        final int r = round;
        String email = "race" + round + "@x";
        // Both transactions have begun and written before either commits.
        CyclicBarrier begun = new CyclicBarrier(2);
        List<Future<String>> outcomes = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          Tuple pk = Tuple.of("race", round, t);
          outcomes.add(pool.submit(() -> {
            try (Transaction tx = db.begin()) {
              DOCS.insert(tx, pk, rec(email, r % 7, r % 7 + 1));
              begun.await(30, TimeUnit.SECONDS);
              try {
                tx.commit();
                return "committed";
              } catch (ConflictException e) {
                assertEquals("docs#by_email", e.keyspace());
                assertArrayEquals(Tuple.of(email).encode(), e.key());
                return "conflict";
              }
            }
          }));
        }
        List<String> got = new ArrayList<>();
        for (Future<String> f : outcomes) {
          got.add(f.get(60, TimeUnit.SECONDS));
        }
        assertEquals(1, got.stream().filter("committed"::equals).count(), "round " + round
            + ": " + got);
        assertEquals(1, got.stream().filter("conflict"::equals).count(), "round " + round
            + ": " + got);
        try (DbSnapshot s = db.snapshot()) {
          Tuple winner = Tuple.of("race", round, got.get(0).equals("committed") ? 0 : 1);
          Tuple loser = Tuple.of("race", round, got.get(0).equals("committed") ? 1 : 0);
          assertEquals(winner, DOCS.getUnique(s, Docs.BY_EMAIL, Tuple.of(email)).primaryKey());
          assertNull(DOCS.get(s, loser), "the loser left a record");
        }
      }
      try (DbSnapshot s = db.snapshot()) {
        IndexCheckReport r = DOCS.check(s, 10);
        assertTrue(r.ok(), r.toString());
        assertEquals(3 + rounds, r.records());
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
