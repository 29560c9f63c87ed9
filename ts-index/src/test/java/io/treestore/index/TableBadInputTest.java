package io.treestore.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.txn.Database;
import io.treestore.txn.DbSnapshot;
import io.treestore.txn.Transaction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes the table must refuse with an {@link IllegalArgumentException} before buffering
 * anything: a primary key or an index entry larger than {@link Database#maxKeySize()}, an
 * extractor that refuses the record (or returns null), a codec that cannot encode the record
 * or decode the record being replaced or deleted. After each refusal everything the
 * transaction sees is as before, and committing it changes nothing.
 */
class TableBadInputTest {
  @TempDir Path dir;

  private static final Table<Tuple> DOCS = Docs.table();
  private static final Tuple A = Tuple.of("a", 1L);
  private static final Tuple RA = Docs.record("ann@x", 1, true, 0, 2, "a");

  private static byte[] filled(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 'k');
    return b;
  }

  /** Asserts the write is refused with a message containing {@code message}, changing nothing. */
  private static <R> IllegalArgumentException assertRefused(Transaction tx, Table<R> table,
      Runnable write, String message) {
    Map<String, List<String>> before = Docs.dump(tx, table);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, write::run);
    assertTrue(e.getMessage().contains(message), e.getMessage() + " should say " + message);
    assertEquals(before, Docs.dump(tx, table), "a refused write buffered something");
    return e;
  }

  /** Commits the transaction and asserts that the database equals {@code committed}. */
  private static void commitAndCompare(Database db, Transaction tx, Table<?> table,
      Map<String, List<String>> committed) {
    tx.commit();
    try (DbSnapshot s = db.snapshot()) {
      assertEquals(committed, Docs.dump(s, table));
    }
  }

  @Test
  void keysTooLarge() {
    try (Database db = Database.open(dir.resolve("keys"), Docs.options())) {
      int max = db.maxKeySize();
      try (Transaction tx = db.begin()) {
        DOCS.insert(tx, A, RA);
        tx.commit();
      }
      Map<String, List<String>> committed;
      try (DbSnapshot s = db.snapshot()) {
        committed = Docs.dump(s, DOCS);
      }
      try (Transaction tx = db.begin()) {
        Tuple big = Tuple.of((Object) filled(max - 1)); // 0x01, bytes, 0x00: max + 1 bytes
        Tuple noIndexes = Docs.record(null, 0, false, 1, 0, "");
        assertRefused(tx, DOCS, () -> DOCS.insert(tx, big, noIndexes),
            "primary key of table docs encodes to " + (max + 1) + " bytes, at most " + max);
        assertRefused(tx, DOCS, () -> DOCS.put(tx, big, noIndexes), "primary key");
        // A unique key too large: the record would otherwise replace A.
        String longEmail = "e".repeat(max);
        assertRefused(tx, DOCS, () -> DOCS.put(tx, A, Docs.record(longEmail, 2, false, 5, 6,
            "")), "index docs#by_email key (\"" + longEmail + "\",) encodes to " + (max + 2)
            + " bytes with the record's key, at most " + max);
        // Index key and primary key fit alone, not together (a non-unique entry holds both).
        Tuple longPk = Tuple.of((Object) filled(max - 10)); // max - 8 bytes
        IllegalArgumentException e = assertRefused(tx, DOCS,
            () -> DOCS.insert(tx, longPk, Docs.record(null, 1, true, 1, 0, "")),
            "index docs#by_group key (1, true) encodes to " + (max - 8 + 10) + " bytes");
        assertTrue(e.getMessage().contains("at most " + max), e.getMessage());
        assertEquals(RA, DOCS.get(tx, A));
        commitAndCompare(db, tx, DOCS, committed);
      }
      // Exactly the largest key is accepted, as primary key and as a unique key.
      Table<Tuple> plain = Table.builder("plain", RecordCodec.tuple()).build();
      try (Transaction tx = db.begin()) {
        Tuple largest = Tuple.of((Object) filled(max - 2));
        assertEquals(max, largest.encode().length);
        plain.insert(tx, largest, Tuple.of("x"));
        assertEquals(Tuple.of("x"), plain.get(tx, largest));
        String email = "e".repeat(max - 2);
        DOCS.put(tx, A, Docs.record(email, 1, true, 0, 2, "a"));
        tx.commit();
      }
      try (DbSnapshot s = db.snapshot()) {
        assertEquals(A, DOCS.getUnique(s, Docs.BY_EMAIL, Tuple.of("e".repeat(max - 2)))
            .primaryKey());
        assertTrue(DOCS.check(s, 10).ok());
      }
    }
  }

  @Test
  void extractorsThatRefuseTheRecord() {
    // Index "first" is fine; "second" refuses records whose payload is "bad" and returns null
    // for "null", so "first" has computed its keys before the refusal.
    Table<Tuple> t = Table.builder("t", RecordCodec.tuple())
        .index(IndexDefinition.unique("first", (pk, r) -> List.of(Tuple.of(r.getString(0)))))
        .index(IndexDefinition.nonUnique("second", (pk, r) -> {
          if (r.getString(1).equals("bad")) {
            throw new IllegalArgumentException("payload 'bad' cannot be indexed");
          }
          return r.getString(1).equals("null") ? null : List.of(Tuple.of(r.getString(1)));
        }))
        .build();
    try (Database db = Database.open(dir.resolve("extractors"), Docs.options())) {
      try (Transaction tx = db.begin()) {
        t.insert(tx, Tuple.of(1L), Tuple.of("one", "ok"));
        tx.commit();
      }
      Map<String, List<String>> committed;
      try (DbSnapshot s = db.snapshot()) {
        committed = Docs.dump(s, t);
      }
      try (Transaction tx = db.begin()) {
        assertRefused(tx, t, () -> t.insert(tx, Tuple.of(2L), Tuple.of("two", "bad")),
            "payload 'bad' cannot be indexed");
        assertRefused(tx, t, () -> t.put(tx, Tuple.of(1L), Tuple.of("uno", "bad")),
            "payload 'bad' cannot be indexed");
        assertRefused(tx, t, () -> t.put(tx, Tuple.of(2L), Tuple.of("two", "null")),
            "key extractor of index t#second returned null for record (2,)");
        assertEquals(Tuple.of("one", "ok"), t.get(tx, Tuple.of(1L)));
        commitAndCompare(db, tx, t, committed);
      }
      // A stored record the extractor refuses (written behind the table's back) cannot be
      // replaced or deleted through the table: its old entries cannot be computed.
      try (Transaction tx = db.begin()) {
        tx.put("t", Tuple.of(3L).encode(), Tuple.of("three", "bad").encode());
        assertRefused(tx, t, () -> t.delete(tx, Tuple.of(3L)), "cannot be indexed");
        assertRefused(tx, t, () -> t.put(tx, Tuple.of(3L), Tuple.of("three", "ok")),
            "cannot be indexed");
      }
    }
  }

  /** Stores strings; refuses to encode "unencodable" and to decode bytes starting with '!'. */
  private static final RecordCodec<String> PICKY = new RecordCodec<>() {
    @Override
    public byte[] encode(String record) {
      if (record.equals("unencodable")) {
        throw new IllegalArgumentException("cannot encode 'unencodable'");
      }
      return record.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String decode(byte[] bytes) {
      if (bytes.length > 0 && bytes[0] == '!') {
        throw new IllegalArgumentException("corrupt record");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  };

  @Test
  void codecsThatFail() {
    Table<String> t = Table.builder("s", PICKY)
        .index(IndexDefinition.unique("by_value", (pk, r) -> List.of(Tuple.of(r))))
        .build();
    try (Database db = Database.open(dir.resolve("codecs"), Docs.options())) {
      try (Transaction tx = db.begin()) {
        t.insert(tx, Tuple.of(1L), "one");
        tx.put("s", Tuple.of(2L).encode(), "!broken".getBytes(StandardCharsets.UTF_8));
        tx.commit();
      }
      Map<String, List<String>> committed;
      try (DbSnapshot s = db.snapshot()) {
        committed = Docs.dump(s, t);
      }
      try (Transaction tx = db.begin()) {
        assertRefused(tx, t, () -> t.insert(tx, Tuple.of(3L), "unencodable"),
            "cannot encode 'unencodable'");
        assertRefused(tx, t, () -> t.put(tx, Tuple.of(1L), "unencodable"),
            "cannot encode 'unencodable'");
        // The record being replaced or deleted does not decode.
        assertRefused(tx, t, () -> t.put(tx, Tuple.of(2L), "two"), "corrupt record");
        assertRefused(tx, t, () -> t.delete(tx, Tuple.of(2L)), "corrupt record");
        assertThrows(IllegalArgumentException.class, () -> t.get(tx, Tuple.of(2L)));
        assertEquals("one", t.get(tx, Tuple.of(1L)));
        assertNull(t.getUnique(tx, "by_value", Tuple.of("unencodable")));
        IndexCheckReport r = t.check(tx, 10);
        assertEquals(1, r.problemCount());
        assertEquals("record does not decode: corrupt record", r.problems().get(0).description());
        commitAndCompare(db, tx, t, committed);
      }
    }
  }
}
