package io.treestore.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.txn.Database;
import io.treestore.txn.DbSnapshot;
import io.treestore.txn.ReadView;
import io.treestore.txn.Transaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consistency check finds deliberate damage written with raw {@link Transaction#put} and
 * {@link Transaction#delete} into the table's keyspaces, and reports each problem with the
 * keyspace, the stored key and a precise description: a dangling entry, a missing entry, a
 * stale entry, undecodable keys and values, a unique entry pointing to the wrong record,
 * undecodable records and records the extractors refuse. Every problem is counted, also beyond
 * {@code maxProblems}. Reads that meet the damage fail loudly instead of returning wrong rows
 * silently where they can tell.
 */
class IndexCheckTest {
  @TempDir Path dir;

  private static final Table<Tuple> DOCS = Docs.table();
  private static final Tuple A = Tuple.of("a", 1L);
  private static final Tuple B = Tuple.of("a", 2L);
  private static final Tuple GHOST = Tuple.of("ghost", 1L);
  private static final String PK = "docs";
  private static final String EMAIL = "docs#by_email";
  private static final String GROUP = "docs#by_group";
  private static final String PAGE = "docs#by_page";
  private static final HexFormat HEX = HexFormat.of();

  /** The key of a non-unique entry: index key, then primary key. */
  private static byte[] entry(Tuple key, Tuple pk) {
    return cat(key.encode(), pk.encode());
  }

  private static byte[] cat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  private static String problem(String keyspace, byte[] key, String description) {
    return keyspace + " key " + HEX.formatHex(key) + ": " + description;
  }

  private Database seeded(String name) {
    Database db = Database.open(dir.resolve(name), Docs.options());
    try (Transaction tx = db.begin()) {
      DOCS.insert(tx, A, Docs.record("ann@x", 1, true, 0, 2, "a"));
      DOCS.insert(tx, B, Docs.record("bob@x", 1, true, 1, 1, "b"));
      tx.commit();
    }
    return db;
  }

  /** Applies the damage in a transaction, checks there, and rolls back. */
  private static void assertFinds(Database db, Consumer<Transaction> damage,
      String... expected) {
    try (Transaction tx = db.begin()) {
      assertTrue(DOCS.check(tx, 10).ok(), "damaged before the test");
      damage.accept(tx);
      IndexCheckReport r = DOCS.check(tx, 10);
      assertFalse(r.ok());
      assertEquals(List.of(expected), r.problems().stream().map(IndexProblem::toString)
          .toList());
      assertEquals(expected.length, r.problemCount());
      for (IndexProblem p : r.problems()) {
        assertTrue(p.toString().startsWith(p.keyspace() + " key " + HEX.formatHex(p.key())
            + ": " + p.description()));
      }
      tx.rollback();
    }
  }

  @Test
  void danglingEntries() {
    try (Database db = seeded("dangling")) {
      assertFinds(db, tx -> tx.put(PAGE, entry(Tuple.of(7L), GHOST), GHOST.encode()),
          problem(PAGE, entry(Tuple.of(7L), GHOST),
              "entry (7,) points to missing record (\"ghost\", 1)"));
      assertFinds(db, tx -> tx.put(EMAIL, Tuple.of("gil@x").encode(), GHOST.encode()),
          problem(EMAIL, Tuple.of("gil@x").encode(),
              "entry (\"gil@x\",) points to missing record (\"ghost\", 1)"));
      // A record deleted behind the table's back leaves all its entries dangling, and
      // reads that follow them say so.
      try (Transaction tx = db.begin()) {
        tx.delete(PK, B.encode());
        IndexCheckReport r = DOCS.check(tx, 10);
        assertEquals(List.of(
            problem(EMAIL, Tuple.of("bob@x").encode(),
                "entry (\"bob@x\",) points to missing record (\"a\", 2)"),
            problem(GROUP, entry(Tuple.of(1L, true), B),
                "entry (1, true) points to missing record (\"a\", 2)"),
            problem(PAGE, entry(Tuple.of(1L), B),
                "entry (1,) points to missing record (\"a\", 2)")),
            r.problems().stream().map(IndexProblem::toString).toList());
        assertEquals(1, r.records());
        assertEquals(8, r.entries()); // A: 1 + 1 + 3 pages, B: 1 + 1 + 1 page
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> DOCS.getUnique(tx, Docs.BY_EMAIL, Tuple.of("bob@x")));
        assertTrue(e.getMessage().contains("points to missing record (\"a\", 2)"),
            e.getMessage());
        assertThrows(IllegalStateException.class, () -> Docs.drain(DOCS.scanIndex(tx,
            Docs.BY_PAGE, TupleRange.prefix(Tuple.of(1L)))));
      }
    }
  }

  @Test
  void missingEntries() {
    try (Database db = seeded("missing")) {
      assertFinds(db, tx -> tx.delete(PAGE, entry(Tuple.of(1L), A)),
          problem(PAGE, entry(Tuple.of(1L), A), "missing entry (1,) of record (\"a\", 1)"));
      assertFinds(db, tx -> tx.delete(GROUP, entry(Tuple.of(1L, true), B)),
          problem(GROUP, entry(Tuple.of(1L, true), B),
              "missing entry (1, true) of record (\"a\", 2)"));
      assertFinds(db, tx -> tx.delete(EMAIL, Tuple.of("ann@x").encode()),
          problem(EMAIL, Tuple.of("ann@x").encode(),
              "missing entry (\"ann@x\",) of record (\"a\", 1)"));
    }
  }

  @Test
  void staleEntries() {
    try (Database db = seeded("stale")) {
      assertFinds(db, tx -> tx.put(PAGE, entry(Tuple.of(9L), A), A.encode()),
          problem(PAGE, entry(Tuple.of(9L), A),
              "stale entry (9,): record (\"a\", 1) does not produce it"));
      assertFinds(db, tx -> tx.put(GROUP, entry(Tuple.of(3L, false), B), B.encode()),
          problem(GROUP, entry(Tuple.of(3L, false), B),
              "stale entry (3, false): record (\"a\", 2) does not produce it"));
      assertFinds(db, tx -> tx.put(EMAIL, Tuple.of("old@x").encode(), A.encode()),
          problem(EMAIL, Tuple.of("old@x").encode(),
              "stale entry (\"old@x\",): record (\"a\", 1) does not produce it"));
      // The record changed behind the table's back: its new key is missing, its old stale.
      assertFinds(db, tx -> tx.put(PK, B.encode(),
              Docs.record("bob@x", 1, true, 2, 2, "b").encode()),
          problem(PAGE, entry(Tuple.of(2L), B), "missing entry (2,) of record (\"a\", 2)"),
          problem(PAGE, entry(Tuple.of(1L), B),
              "stale entry (1,): record (\"a\", 2) does not produce it"));
    }
  }

  @Test
  void undecodableEntries() {
    try (Database db = seeded("undecodable")) {
      byte[] badKey = cat(new byte[] {0x03}, A.encode());
      assertFinds(db, tx -> tx.put(PAGE, badKey, A.encode()),
          problem(PAGE, badKey, "entry does not decode: unknown type code 0x03 at offset 0"));
      byte[] unterminated = {0x02, 'x'};
      assertFinds(db, tx -> tx.put(EMAIL, unterminated, A.encode()),
          problem(EMAIL, unterminated,
              "entry does not decode: byte string not terminated at offset 0"));
      assertFinds(db, tx -> tx.put(EMAIL, Tuple.of("zz@x").encode(), new byte[] {0x14}),
          problem(EMAIL, Tuple.of("zz@x").encode(),
              "entry does not decode: truncated 8-byte element at offset 0"));
      // A non-unique entry whose key does not end with the record key it holds.
      byte[] mismatched = entry(Tuple.of(1L), B);
      assertFinds(db, tx -> tx.put(PAGE, mismatched, A.encode()),
          problem(PAGE, mismatched,
              "entry (1,) of record (\"a\", 2) points to record (\"a\", 1)"),
          problem(PAGE, mismatched, "entry does not decode: index docs#by_page entry "
              + HEX.formatHex(mismatched) + " does not end with its record's key"));
      byte[] tooShort = {0x14};
      assertFinds(db, tx -> tx.put(GROUP, tooShort, A.encode()),
          problem(GROUP, tooShort, "entry does not decode: index docs#by_group entry 14 does"
              + " not end with its record's key"));
    }
  }

  @Test
  void uniqueEntryPointingToTheWrongRecord() {
    try (Database db = seeded("wrong")) {
      byte[] ann = Tuple.of("ann@x").encode();
      assertFinds(db, tx -> tx.put(EMAIL, ann, B.encode()),
          problem(EMAIL, ann, "entry (\"ann@x\",) of record (\"a\", 1) points to record"
              + " (\"a\", 2)"),
          problem(EMAIL, ann, "stale entry (\"ann@x\",): record (\"a\", 2) does not produce"
              + " it"));
      assertFinds(db, tx -> tx.put(EMAIL, ann, new byte[] {(byte) 0xFF}),
          problem(EMAIL, ann, "entry (\"ann@x\",) of record (\"a\", 1) points to undecodable"
              + " key ff"),
          problem(EMAIL, ann, "entry does not decode: unknown type code 0xff at offset 0"));
      // What a reader would get without the check: the wrong record.
      try (Transaction tx = db.begin()) {
        tx.put(EMAIL, ann, B.encode());
        assertEquals(B, DOCS.getUnique(tx, Docs.BY_EMAIL, Tuple.of("ann@x")).primaryKey());
      }
    }
  }

  @Test
  void damagedRecords() {
    try (Database db = seeded("records")) {
      byte[] badPk = {0x03};
      assertFinds(db, tx -> tx.put(PK, badPk, Docs.record(null, 0, false, 1, 0, "").encode()),
          problem(PK, badPk, "record does not decode: unknown type code 0x03 at offset 0"));
      byte[] q = Tuple.of("q").encode();
      assertFinds(db, tx -> tx.put(PK, q, new byte[] {0x14}),
          problem(PK, q, "record does not decode: truncated 8-byte element at offset 0"));
      // Nested a megabyte deep: malformed, not a StackOverflowError out of the check.
      byte[] deep = new byte[1 << 20];
      Arrays.fill(deep, (byte) 0x05);
      assertFinds(db, tx -> tx.put(PK, q, deep),
          problem(PK, q, "record does not decode: tuples nested deeper than "
              + Tuple.MAX_NESTING + " levels at offset " + Tuple.MAX_NESTING));
      try (Transaction tx = db.begin()) {
        tx.put(PK, q, Tuple.of("only an email").encode());
        IndexCheckReport r = DOCS.check(tx, 10);
        assertEquals(1, r.problemCount());
        IndexProblem p = r.problems().get(0);
        assertEquals(PK, p.keyspace());
        assertArrayEquals(q, p.key());
        assertTrue(p.description().startsWith("key extractor fails on record (\"q\",): "),
            p.description());
        assertTrue(p.description().contains("IndexOutOfBoundsException"), p.description());
      }
    }
  }

  @Test
  void everyProblemIsCountedBeyondTheLimit() {
    try (Database db = seeded("limit")) {
      try (Transaction tx = db.begin()) {
        tx.delete(PAGE, entry(Tuple.of(1L), A)); // missing
        tx.put(PAGE, entry(Tuple.of(7L), GHOST), GHOST.encode()); // dangling
        tx.put(PAGE, entry(Tuple.of(9L), A), A.encode()); // stale
        tx.put(GROUP, cat(new byte[] {0x03}, A.encode()), A.encode()); // undecodable
        tx.put(EMAIL, Tuple.of("ann@x").encode(), B.encode()); // wrong record: 2 problems
        tx.commit();
      }
      try (DbSnapshot s = db.snapshot()) {
        List<String> all = strings(DOCS.check(s, 100));
        assertEquals(6, all.size(), all.toString());
        // Records first (in key order), then each index keyspace in declaration order.
        assertEquals(List.of(
            problem(EMAIL, Tuple.of("ann@x").encode(),
                "entry (\"ann@x\",) of record (\"a\", 1) points to record (\"a\", 2)"),
            problem(PAGE, entry(Tuple.of(1L), A), "missing entry (1,) of record (\"a\", 1)"),
            problem(EMAIL, Tuple.of("ann@x").encode(),
                "stale entry (\"ann@x\",): record (\"a\", 2) does not produce it"),
            problem(GROUP, cat(new byte[] {0x03}, A.encode()),
                "entry does not decode: unknown type code 0x03 at offset 0"),
            problem(PAGE, entry(Tuple.of(7L), GHOST),
                "entry (7,) points to missing record (\"ghost\", 1)"),
            problem(PAGE, entry(Tuple.of(9L), A),
                "stale entry (9,): record (\"a\", 1) does not produce it")), all);
        for (int limit : new int[] {0, 1, 2, 5, 6, 7}) {
          IndexCheckReport r = DOCS.check(s, limit);
          assertEquals(6, r.problemCount(), "limit " + limit);
          assertEquals(all.subList(0, Math.min(limit, 6)), strings(r), "limit " + limit);
          assertFalse(r.ok());
          assertEquals(2, r.records());
        }
        assertThrows(UnsupportedOperationException.class,
            () -> DOCS.check(s, 3).problems().clear());
        IndexProblem p = DOCS.check(s, 1).problems().get(0);
        byte[] k = p.key();
        k[0] ^= 1;
        assertArrayEquals(Tuple.of("ann@x").encode(), p.key(), "the key is copied out");
      }
    }
  }

  private static List<String> strings(IndexCheckReport r) {
    List<String> out = new ArrayList<>();
    for (IndexProblem p : r.problems()) {
      out.add(p.toString());
    }
    return out;
  }

  @Test
  void checkWorksOnSnapshotsAndReadOnlyTransactionsOfALargerTable() {
    try (Database db = Database.open(dir.resolve("larger"), Docs.options())) {
      java.util.Random rnd = new java.util.Random(42);
      try (Transaction tx = db.begin()) {
        for (int i = 0; i < 500; i++) {
          Tuple r = Docs.randomRecord(rnd);
          String email = Docs.email(r);
          Tuple rec = email == null ? r : Docs.record(email + i, r.getLong(1), r.getBoolean(2),
              r.getLong(3), r.getLong(4), r.getString(5));
          DOCS.insert(tx, Tuple.of("doc", i), rec);
        }
        tx.commit();
      }
      try (DbSnapshot s = db.snapshot(); Transaction r = db.beginReadOnly()) {
        for (ReadView v : List.<ReadView>of(s, r)) {
          IndexCheckReport report = DOCS.check(v, 10);
          assertTrue(report.ok(), report.toString());
          assertEquals(500, report.records());
          assertTrue(report.entries() > 1000, "entries " + report.entries());
        }
      }
    }
  }
}
