package io.treestore.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.treestore.txn.Database;
import io.treestore.txn.DatabaseOptions;
import io.treestore.txn.DbSnapshot;
import io.treestore.txn.Transaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decoded-record cache of a table ({@link Table.Builder#recordCache}): a snapshot keeps
 * reading the record version its own bytes hold while the cache holds another, deletes are
 * seen, a repeated read of unchanged bytes returns the cached object, and a cache far smaller
 * than the data gives the same answers as no cache.
 */
class RecordCacheTest {
  @TempDir Path dir;

  private static Table<Tuple> table(long bytes) {
    return Table.builder("cached", RecordCodec.tuple())
        .index(IndexDefinition.nonUnique("by_title", (pk, r) -> List.of(Tuple.of(r.get(0)))))
        .recordCache(bytes)
        .build();
  }

  private static void put(Database db, Table<Tuple> t, Tuple pk, Tuple r) {
    try (Transaction tx = db.begin()) {
      t.put(tx, pk, r);
      tx.commit();
    }
  }

  @Test
  void everySnapshotReadsItsOwnVersion() {
    Table<Tuple> t = table(1 << 20);
    try (Database db = Database.open(dir.resolve("db"), DatabaseOptions.defaults())) {
      Tuple pk = Tuple.of("doc", 1L);
      put(db, t, pk, Tuple.of("first", "x".repeat(5000)));
      try (DbSnapshot before = db.snapshot()) {
        Tuple a = t.get(before, pk);
        put(db, t, pk, Tuple.of("second", "y".repeat(5000)));
        try (DbSnapshot after = db.snapshot()) {
          assertEquals("second", t.get(after, pk).getString(0));
          // the cache now holds "second"; the older snapshot still reads its own bytes
          assertEquals("first", t.get(before, pk).getString(0));
          assertEquals("second", t.get(after, pk).getString(0));
          assertSame(t.get(after, pk), t.get(after, pk), "unchanged bytes: decoded once");
          assertEquals(a, t.scan(before, TupleRange.all()).next().record());
          assertEquals("second",
              t.scanIndex(after, "by_title", TupleRange.all()).next().record().getString(0));
        }
        try (Transaction tx = db.begin()) {
          t.delete(tx, pk);
          tx.commit();
        }
        try (DbSnapshot gone = db.snapshot()) {
          assertNull(t.get(gone, pk));
        }
        assertEquals("first", t.get(before, pk).getString(0));
      }
    }
  }

  @Test
  void aSmallCacheAnswersLikeNoCache() {
    Table<Tuple> cached = table(16 * 1024);
    Table<Tuple> plain = table(0);
    Random rnd = new Random(7);
    Map<Tuple, Tuple> model = new HashMap<>();
    try (Database db = Database.open(dir.resolve("db2"), DatabaseOptions.defaults())) {
      for (int round = 0; round < 200; round++) {
        Tuple pk = Tuple.of("d", (long) rnd.nextInt(50));
        Tuple r = Tuple.of("t" + rnd.nextInt(5), "z".repeat(rnd.nextInt(3000)), (long) round);
        put(db, cached, pk, r);
        model.put(pk, r);
        try (DbSnapshot s = db.snapshot()) {
          for (int i = 0; i < 20; i++) {
            Tuple q = Tuple.of("d", (long) rnd.nextInt(50));
            assertEquals(model.get(q), cached.get(s, q));
            assertEquals(plain.get(s, q), cached.get(s, q));
          }
        }
      }
      List<Tuple> all = new ArrayList<>();
      try (DbSnapshot s = db.snapshot(); RowIterator<Tuple> it = cached.scan(s,
          TupleRange.all())) {
        it.forEachRemaining(row -> all.add(row.record()));
      }
      assertEquals(model.size(), all.size());
    }
  }

  @Test
  void aNegativeBudgetIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Table.builder("x", RecordCodec.tuple()).recordCache(-1));
    assertEquals("record cache bytes must be >= 0, was -1", e.getMessage());
  }
}
