package io.treestore.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table with a unique, a non-unique and a multi-valued non-unique index ({@link Docs})
 * against a model ({@link TreeMap} of primary key to record): random inserts, puts and deletes
 * over many transactions, some rolled back and some committed, with constraint violations
 * expected where the model says so. After every commit, and inside transactions (their own
 * writes), a user's reads are compared with the model: {@code get}, {@code scan} with random
 * ranges, {@code scanIndex} and {@code scanIndexKeys} over random ranges and prefixes in both
 * directions, and {@code getUnique}; {@code check} reports no problem, also after every single
 * write inside a transaction. The database is reopened from the log alone and after a clean
 * close, and compared again.
 *
 * <p>Seeded: rerun with {@code -Dts.seed=}.
 */
class TableModelTest {
  @TempDir Path dir;

  @Test
  void randomTransactionsMatchTheModel() {
    run(TuplePropertyTest.seed("tableModel"), 220, "db");
  }

  /** The same with more transactions and several seeds: {@code ./mvnw -Plong verify}. */
  @Test
  @Tag("long")
  void manyRandomTransactionsMatchTheModel() {
    long seed = TuplePropertyTest.seed("tableModelLong");
    for (int i = 0; i < 5; i++) {
      run(seed + i, 3_000, "db" + i);
    }
  }

  private void run(long seed, int transactions, String name) {
    Random rnd = new Random(seed);
    Table<Tuple> table = Docs.table();
    Path path = dir.resolve(name);
    NavigableMap<Tuple, Tuple> model = new TreeMap<>();
    int commits = 0;
    int rollbacks = 0;
    int refused = 0;
    Database db = Database.open(path, Docs.options());
    try {
      for (int n = 0; n < transactions; n++) {
        String ctx = "seed " + seed + " transaction " + n;
        NavigableMap<Tuple, Tuple> local = new TreeMap<>(model);
        try (Transaction tx = db.begin()) {
          int ops = 1 + rnd.nextInt(8);
          for (int i = 0; i < ops; i++) {
            refused += step(rnd, table, tx, local, ctx + " op " + i);
            IndexCheckReport report = table.check(tx, 5);
            assertTrue(report.ok(), ctx + " op " + i + ": " + report);
            assertEquals(local.size(), report.records(), ctx + " op " + i);
          }
          if (rnd.nextInt(6) == 0) {
            verify(tx, table, local, rnd, ctx + " (inside, own writes)");
          }
          if (rnd.nextInt(5) == 0) {
            tx.rollback();
            rollbacks++;
          } else {
            tx.commit();
            model = local;
            commits++;
          }
        }
        try (DbSnapshot s = db.snapshot()) {
          verify(s, table, model, rnd, ctx + " (snapshot after)");
        }
        if (n == transactions / 2) {
          db.closeWithoutCheckpoint();
          db = Database.open(path, Docs.options());
          try (Transaction r = db.beginReadOnly()) {
            verify(r, table, model, rnd, ctx + " (recovered from the log)");
          }
        }
      }
    } finally {
      db.close();
    }
    try (Database again = Database.open(path, Docs.options());
        Transaction r = again.beginReadOnly()) {
      verify(r, table, model, rnd, "seed " + seed + " (reopened after close)");
    }
    // The workload must exercise what it claims to.
    assertTrue(commits > transactions / 2 && rollbacks > transactions / 20
        && refused > transactions / 8,
        "commits " + commits + ", rollbacks " + rollbacks + ", refused " + refused);
    assertTrue(model.size() > 20, "records at the end: " + model.size());
  }

  /** One random write, checked against the model; returns 1 if it was refused as expected. */
  private static int step(Random rnd, Table<Tuple> table, Transaction tx,
      NavigableMap<Tuple, Tuple> local, String ctx) {
    Tuple pk = rnd.nextInt(3) != 0 && !local.isEmpty() && rnd.nextBoolean()
        ? new ArrayList<>(local.keySet()).get(rnd.nextInt(local.size())) : Docs.randomPk(rnd);
    Tuple record = Docs.randomRecord(rnd);
    String email = Docs.email(record);
    Tuple emailHolder = email == null ? null : Docs.holder(local, email);
    boolean emailTaken = emailHolder != null && !emailHolder.equals(pk);
    int op = rnd.nextInt(10);
    if (op < 4) { // insert
      if (local.containsKey(pk)) {
        UniqueConstraintException e = assertThrows(UniqueConstraintException.class,
            () -> table.insert(tx, pk, record), ctx);
        assertEquals(Table.PRIMARY, e.index(), ctx);
        assertEquals(pk, e.key(), ctx);
        assertEquals(pk, e.holder(), ctx);
        return 1;
      }
      if (emailTaken) {
        UniqueConstraintException e = assertThrows(UniqueConstraintException.class,
            () -> table.insert(tx, pk, record), ctx);
        assertEquals(Docs.BY_EMAIL, e.index(), ctx);
        assertEquals(Tuple.of(email), e.key(), ctx);
        assertEquals(emailHolder, e.holder(), ctx);
        return 1;
      }
      table.insert(tx, pk, record);
      local.put(pk, record);
    } else if (op < 8) { // put
      if (emailTaken) {
        UniqueConstraintException e = assertThrows(UniqueConstraintException.class,
            () -> table.put(tx, pk, record), ctx);
        assertEquals(Docs.BY_EMAIL, e.index(), ctx);
        assertEquals(emailHolder, e.holder(), ctx);
        return 1;
      }
      assertEquals(local.get(pk), table.put(tx, pk, record), ctx + " put returns the old record");
      local.put(pk, record);
    } else {
      assertEquals(local.remove(pk), table.delete(tx, pk), ctx + " delete returns the record");
    }
    return 0;
  }

  // ------------------------------------------------------------------ verification

  private static Tuple pkBound(Random rnd) {
    return switch (rnd.nextInt(5)) {
      case 0 -> Tuple.EMPTY;
      case 1 -> Tuple.of(Docs.DOCS[rnd.nextInt(Docs.DOCS.length)]);
      case 2 -> Tuple.of(rnd.nextBoolean() ? "b\0" : "a\uFFFF");
      default -> Tuple.of(Docs.DOCS[rnd.nextInt(Docs.DOCS.length)],
          rnd.nextInt(Docs.NODES + 2) - 1);
    };
  }

  /** Bounds no longer than the index's keys, so that they bound the index key alone. */
  private static Supplier<Tuple> indexBounds(Random rnd, String index) {
    return () -> switch (index) {
      case Docs.BY_EMAIL -> rnd.nextInt(5) == 0 ? Tuple.EMPTY
          : Tuple.of(rnd.nextBoolean() ? Docs.EMAILS[rnd.nextInt(Docs.EMAILS.length)]
              : String.valueOf((char) ('a' + rnd.nextInt(12))));
      case Docs.BY_GROUP -> switch (rnd.nextInt(4)) {
        case 0 -> Tuple.EMPTY;
        case 1 -> Tuple.of(rnd.nextInt(Docs.GROUPS + 2) - 1);
        default -> Tuple.of(rnd.nextInt(Docs.GROUPS + 2) - 1, rnd.nextBoolean());
      };
      case Docs.BY_PAGE -> rnd.nextInt(6) == 0 ? Tuple.EMPTY
          : Tuple.of(rnd.nextInt(Docs.PAGES + 2) - 1);
      default -> throw new AssertionError(index);
    };
  }

  /** Compares everything a user can read with the model. */
  static void verify(ReadView v, Table<Tuple> table, NavigableMap<Tuple, Tuple> model,
      Random rnd, String ctx) {
    List<Tuple> pks = new ArrayList<>(model.keySet());
    pks.sort((x, y) -> TupleModel.compare(TupleModel.toModel(x), TupleModel.toModel(y)));
    List<Row<Tuple>> rows = new ArrayList<>();
    for (Tuple pk : pks) {
      assertEquals(model.get(pk), table.get(v, pk), ctx + " get " + pk);
      byte[] stored = table.getEncoded(v, pk);
      assertEquals(model.get(pk), stored == null ? null : Tuple.decode(stored),
          ctx + " getEncoded " + pk);
      rows.add(new Row<>(pk, pk, model.get(pk)));
    }
    for (int i = 0; i < 10; i++) {
      Tuple pk = Docs.randomPk(rnd);
      if (!model.containsKey(pk)) {
        assertNull(table.get(v, pk), ctx + " get " + pk);
        assertNull(table.getEncoded(v, pk), ctx + " getEncoded " + pk);
      }
    }
    assertEquals(rows, Docs.drain(table.scan(v, TupleRange.all())), ctx + " scan all");
    assertEquals(rows.reversed(), Docs.drain(table.scan(v, TupleRange.all().reversed())),
        ctx + " scan all reversed");
    for (int i = 0; i < 12; i++) {
      RangeModel m = RangeModel.random(rnd, () -> pkBound(rnd));
      try (RowIterator<Tuple> it = table.scan(v, m.range())) {
        assertEquals(m.filter(rows, Row::primaryKey), Docs.drain(it), ctx + " scan " + m);
      }
    }
    long entries = 0;
    for (String index : Docs.INDEXES) {
      List<IndexEntry> want = Docs.expectedEntries(model, index);
      entries += want.size();
      List<Row<Tuple>> wantRows = new ArrayList<>();
      for (IndexEntry e : want) {
        wantRows.add(new Row<>(e.indexKey(), e.primaryKey(), model.get(e.primaryKey())));
      }
      assertEquals(want, Docs.drain(table.scanIndexKeys(v, index, TupleRange.all())),
          ctx + " scanIndexKeys " + index);
      assertEquals(wantRows, Docs.drain(table.scanIndex(v, index, TupleRange.all())),
          ctx + " scanIndex " + index);
      for (int i = 0; i < 8; i++) {
        RangeModel m = RangeModel.random(rnd, indexBounds(rnd, index));
        try (IndexEntryIterator it = table.scanIndexKeys(v, index, m.range())) {
          assertEquals(m.filter(want, IndexEntry::indexKey), Docs.drain(it),
              ctx + " scanIndexKeys " + index + " " + m);
        }
        try (RowIterator<Tuple> it = table.scanIndex(v, index, m.range())) {
          assertEquals(m.filter(wantRows, Row::indexKey), Docs.drain(it),
              ctx + " scanIndex " + index + " " + m);
        }
      }
    }
    for (String email : Docs.EMAILS) {
      Tuple holder = Docs.holder(model, email);
      Row<Tuple> got = table.getUnique(v, Docs.BY_EMAIL, Tuple.of(email));
      if (holder == null) {
        assertNull(got, ctx + " getUnique " + email);
      } else {
        assertEquals(new Row<>(Tuple.of(email), holder, model.get(holder)), got,
            ctx + " getUnique " + email);
      }
    }
    IndexCheckReport report = table.check(v, 10);
    assertTrue(report.ok(), ctx + " check: " + report);
    assertEquals(List.of(), report.problems(), ctx);
    assertEquals(Docs.TABLE, report.table());
    assertEquals(model.size(), report.records(), ctx + " records checked");
    assertEquals(entries, report.entries(), ctx + " entries checked");
  }

  @Test
  void readsRefuseUnknownOrNonUniqueIndexes() {
    Table<Tuple> table = Docs.table();
    try (Database db = Database.open(dir.resolve("names"), Docs.options());
        Transaction tx = db.begin()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> table.scanIndex(tx, "nope", TupleRange.all()));
      assertTrue(e.getMessage().contains("no index named 'nope'"), e.getMessage());
      assertThrows(IllegalArgumentException.class,
          () -> table.scanIndexKeys(tx, "nope", TupleRange.all()));
      e = assertThrows(IllegalArgumentException.class,
          () -> table.getUnique(tx, Docs.BY_GROUP, Tuple.of(1L, true)));
      assertTrue(e.getMessage().contains("not unique"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> table.indexKeyspace("nope"));
      assertEquals("docs#by_page", table.indexKeyspace(Docs.BY_PAGE));
      assertEquals(List.of("docs", "docs#by_email", "docs#by_group", "docs#by_page"),
          table.keyspaces());
      assertEquals(Docs.INDEXES, table.indexes().stream().map(IndexDefinition::name).toList());
      assertThrows(IllegalArgumentException.class, () -> table.check(tx, -1));
      assertThrows(IllegalArgumentException.class, () -> Table.builder("bad#name",
          RecordCodec.tuple()));
      assertThrows(IllegalArgumentException.class, () -> IndexDefinition.unique("bad name",
          (pk, r) -> List.<Tuple>of()));
      assertThrows(IllegalArgumentException.class, () -> Table.builder("t", RecordCodec.tuple())
          .index(IndexDefinition.unique("i", (pk, r) -> List.<Tuple>of()))
          .index(IndexDefinition.nonUnique("i", (pk, r) -> List.<Tuple>of())));
    }
  }

  /** An empty table reads as empty and checks fine; one record has one entry per page. */
  @Test
  void indexScansOfAnEmptyTableAndOfOneRecord() {
    Table<Tuple> table = Docs.table();
    try (Database db = Database.open(dir.resolve("one"), Docs.options())) {
      try (Transaction tx = db.begin()) {
        for (String index : Docs.INDEXES) {
          assertEquals(List.of(), Docs.drain(table.scanIndex(tx, index, TupleRange.all())));
        }
        assertNull(table.getUnique(tx, Docs.BY_EMAIL, Tuple.of("ann@x")));
        assertTrue(table.check(tx, 5).ok());
        assertEquals(0, table.check(tx, 5).records());
        assertNull(table.delete(tx, Tuple.of("a", 1L)), "deleting nothing");
        table.insert(tx, Tuple.of("a", 1L), Docs.record("ann@x", 2, true, 3, 5, "x"));
        tx.commit();
      }
      NavigableMap<Tuple, Tuple> model = new TreeMap<>(Map.of(Tuple.of("a", 1L),
          Docs.record("ann@x", 2, true, 3, 5, "x")));
      try (DbSnapshot s = db.snapshot()) {
        verify(s, table, model, new Random(1), "one record");
        assertEquals(List.of(new IndexEntry(Tuple.of(3L), Tuple.of("a", 1L)),
            new IndexEntry(Tuple.of(4L), Tuple.of("a", 1L)),
            new IndexEntry(Tuple.of(5L), Tuple.of("a", 1L))),
            Docs.drain(table.scanIndexKeys(s, Docs.BY_PAGE, TupleRange.all())));
      }
    }
  }
}
