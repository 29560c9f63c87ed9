package io.treestore.fts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.fts.internal.Keys;
import io.treestore.fts.internal.Posting;
import io.treestore.fts.internal.PostingBlock;
import io.treestore.index.IndexCheckReport;
import io.treestore.index.IndexProblem;
import io.treestore.index.Tuple;
import io.treestore.txn.Database;
import io.treestore.txn.DbSnapshot;
import io.treestore.txn.Transaction;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FullTextIndex#check}: the index is corrupted on purpose by writing raw entries into
 * its keyspaces (layouts in {@link Keys} and {@link Posting}), and each kind of damage is
 * reported with its keyspace, key and a precise description, and nothing else is reported.
 *
 * <p>Corpus: unit (1) "alpha beta" + "alpha gamma" (4 tokens), unit (2) "beta delta" (2),
 * unit (3) "gamma" (1): N = 3, 7 tokens; df alpha 1, beta 2, gamma 2, delta 1.
 */
class CheckTest {
  @TempDir Path dir;

  private Database db;
  private final FullTextIndex fts = new FullTextIndex("c", FullTextOptions.defaults());
  private String units;
  private String postings;
  private String df;
  private String stats;

  @BeforeEach
  void open() {
    db = Database.open(dir, Bm25OracleTest.fast());
    units = fts.keyspaces().get(0);
    postings = fts.keyspaces().get(1);
    df = fts.keyspaces().get(2);
    stats = fts.keyspaces().get(3);
    assertEquals(List.of("fts:c:units", "fts:c:postings", "fts:c:df", "fts:c:stats",
        "fts:c:groups"), fts.keyspaces());
    try (Transaction tx = db.begin()) {
      fts.index(tx, Tuple.of(1L), Unit.of("1", "title", "alpha beta", "text", "alpha gamma"));
      fts.index(tx, Tuple.of(2L), Unit.of("2", "text", "beta delta"));
      fts.index(tx, Tuple.of(3L), Unit.of(null, "summary", "gamma"));
      tx.commit();
    }
    try (Transaction tx = db.beginReadOnly()) {
      IndexCheckReport r = fts.check(tx, 10);
      assertTrue(r.ok(), r.toString());
      assertEquals(new IndexCheckReport("fts:c", 3, 6, 0, List.of()), r);
    }
  }

  @AfterEach
  void close() {
    db.close();
  }

  private static byte[] postingKey(String term, Tuple unit) {
    byte[] t = Keys.term(term);
    byte[] u = unit.encode();
    byte[] k = Arrays.copyOf(t, t.length + u.length);
    System.arraycopy(u, 0, k, t.length, u.length);
    return k;
  }

  /** A posting block holding one unit's posting, as an ungrouped index stores it. */
  private static byte[] block(Tuple unit, Posting posting) {
    return PostingBlock.encode(List.of(unit.encode()), List.of(posting.encode()), 0, 1);
  }

  private static byte[] int64(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  /** Corrupts in a transaction, checks there, and rolls back. */
  private List<IndexProblem> corrupt(Consumer<Transaction> damage, int expectedProblems) {
    try (Transaction tx = db.begin()) {
      damage.accept(tx);
      IndexCheckReport r = fts.check(tx, 100);
      assertEquals(expectedProblems, r.problemCount(), r.toString());
      assertEquals(expectedProblems, r.problems().size());
      tx.rollback();
      return r.problems();
    }
  }

  private static void assertProblem(IndexProblem p, String keyspace, byte[] key,
      String description) {
    assertEquals(keyspace, p.keyspace(), p.toString());
    assertArrayEquals(key, p.key(), p.toString());
    assertEquals(description, p.description(), p.toString());
  }

  @Test
  void aMissingPostingIsReported() {
    byte[] pk = postingKey("gamma", Tuple.of(1L));
    List<IndexProblem> p = corrupt(tx -> tx.delete(postings, pk), 1);
    assertProblem(p.get(0), postings, pk, "missing posting of term 'gamma' for unit "
        + Tuple.of(1L));
  }

  @Test
  void anExtraPostingIsReported() {
    // a term no unit holds
    byte[] ghost = postingKey("ghost", Tuple.of(2L));
    Posting posting = new Posting("2", 2, new int[] {0, 0, 0, 1}, new int[] {5});
    List<IndexProblem> p = corrupt(tx -> tx.put(postings, ghost, block(Tuple.of(2L), posting)),
        1);
    assertProblem(p.get(0), postings, ghost, "posting of term 'ghost' for unit " + Tuple.of(2L)
        + " belongs to no indexed unit's text");
    // a term other units hold, for a unit that does not
    byte[] alpha2 = postingKey("alpha", Tuple.of(2L));
    p = corrupt(tx -> tx.put(postings, alpha2, block(Tuple.of(2L), posting)), 1);
    assertProblem(p.get(0), postings, alpha2, "posting of term 'alpha' for unit "
        + Tuple.of(2L) + " belongs to no indexed unit's text");
    // for a unit that is not indexed at all
    byte[] orphan = postingKey("beta", Tuple.of(9L));
    p = corrupt(tx -> tx.put(postings, orphan, block(Tuple.of(9L), posting)), 1);
    assertProblem(p.get(0), postings, orphan, "posting of term 'beta' for unit "
        + Tuple.of(9L) + " belongs to no indexed unit's text");
    // a key that is no tuple
    byte[] junk = {(byte) 0xEE, 1, 2};
    p = corrupt(tx -> tx.put(postings, junk, block(Tuple.of(2L), posting)), 1);
    assertEquals(postings, p.get(0).keyspace());
    assertTrue(p.get(0).description().startsWith("posting block key does not decode: "),
        p.toString());
  }

  @Test
  void aPostingThatDiffersFromTheTextIsReported() {
    byte[] pk = postingKey("alpha", Tuple.of(1L));
    // alpha occurs at positions 0 (title) and 2 (text); claim position 3
    byte[] wrong = block(Tuple.of(1L), new Posting("1", 4, new int[] {1, 0, 0, 1},
        new int[] {0, 3}));
    List<IndexProblem> p = corrupt(tx -> tx.put(postings, pk, wrong), 1);
    assertProblem(p.get(0), postings, pk, "posting of term 'alpha' for unit " + Tuple.of(1L)
        + " differs from the unit's text");
    byte[] right = block(Tuple.of(1L), new Posting("1", 4, new int[] {1, 0, 0, 1},
        new int[] {0, 2}));
    corrupt(tx -> tx.put(postings, pk, right), 0);
    // another path in the posting (a subtree filter would go wrong)
    byte[] path = block(Tuple.of(1L), new Posting("7", 4, new int[] {1, 0, 0, 1},
        new int[] {0, 2}));
    corrupt(tx -> tx.put(postings, pk, path), 1);
  }

  @Test
  void aWrongOrMissingDocumentFrequencyIsReported() {
    byte[] beta = Keys.term("beta");
    List<IndexProblem> p = corrupt(tx -> tx.add(df, beta, 1), 1);
    assertProblem(p.get(0), df, beta, "document frequency 3 but 2 units hold the term");
    p = corrupt(tx -> tx.add(df, beta, -2), 1);
    assertProblem(p.get(0), df, beta, "document frequency 0 but 2 units hold the term");
    p = corrupt(tx -> tx.delete(df, beta), 1);
    assertProblem(p.get(0), df, beta, "document frequency missing; 2 units hold the term");
    byte[] ghost = Keys.term("ghost");
    p = corrupt(tx -> tx.add(df, ghost, 1), 1);
    assertProblem(p.get(0), df, ghost, "document frequency 1 but 0 units hold the term");
    // a counter that is not 8 bytes
    p = corrupt(tx -> tx.put(df, beta, new byte[] {1, 2, 3}), 1);
    assertEquals(df, p.get(0).keyspace());
    assertArrayEquals(beta, p.get(0).key());
  }

  @Test
  void aWrongUnitCountOrTokenTotalIsReported() {
    List<IndexProblem> p = corrupt(tx -> tx.add(stats, Keys.UNITS, 1), 1);
    assertProblem(p.get(0), stats, Keys.UNITS, "N is 4 but 3 units are indexed");
    p = corrupt(tx -> tx.put(stats, Keys.UNITS, int64(0)), 1);
    assertProblem(p.get(0), stats, Keys.UNITS, "N is 0 but 3 units are indexed");
    p = corrupt(tx -> tx.add(stats, Keys.TOKENS, -2), 1);
    assertProblem(p.get(0), stats, Keys.TOKENS, "token total is 5 but the units hold 7");
    p = corrupt(tx -> tx.delete(stats, Keys.TOKENS), 1);
    assertProblem(p.get(0), stats, Keys.TOKENS, "token total is 0 but the units hold 7");
  }

  @Test
  void anUndecodableOrInconsistentUnitIsReported() {
    byte[] k9 = Tuple.of(9L).encode();
    List<IndexProblem> p = corrupt(tx -> tx.put(units, k9, new byte[] {(byte) 0xEE, 0}), 2);
    assertEquals(units, p.get(0).keyspace());
    assertArrayEquals(k9, p.get(0).key());
    assertTrue(p.get(0).description().startsWith("unit does not decode: "), p.toString());
    // the record counts as a unit, so N disagrees too
    assertProblem(p.get(1), stats, Keys.UNITS, "N is 3 but 4 units are indexed");

    // a tuple of the wrong shape
    p = corrupt(tx -> tx.put(units, k9, Tuple.of("x").encode()), 2);
    assertProblem(p.get(0), units, k9, "unit does not decode: unit record of index c is"
        + " malformed: " + Tuple.of("x"));

    // a field number the index does not have
    byte[] badField = Tuple.of("9", 1L, Tuple.of(7L, "gamma")).encode();
    p = corrupt(tx -> tx.put(units, k9, badField), 2);
    assertProblem(p.get(0), units, k9, "unit does not decode: unit record of index c names"
        + " field 7 of 4");

    // a key that is no tuple
    byte[] junkKey = {(byte) 0xEE};
    p = corrupt(tx -> tx.put(units, junkKey, Tuple.of(null, 0L, Tuple.of()).encode()), 2);
    assertEquals(units, p.get(0).keyspace());
    assertArrayEquals(junkKey, p.get(0).key());
    assertTrue(p.get(0).description().startsWith("unit does not decode: "), p.toString());

    // a stored length that disagrees with the text: the token total then disagrees too
    byte[] k1 = Tuple.of(1L).encode();
    byte[] longer = Tuple.of("1", 5L, Tuple.of(0L, "alpha beta", 3L, "alpha gamma")).encode();
    p = corrupt(tx -> tx.put(units, k1, longer), 2);
    assertProblem(p.get(0), units, k1, "stored length 5 but the text has 4 tokens");
    assertProblem(p.get(1), stats, Keys.TOKENS, "token total is 7 but the units hold 8");

    // a unit whose text changed behind the index's back: its postings disagree
    byte[] changed = Tuple.of("1", 4L, Tuple.of(0L, "alpha beta", 3L, "alpha omega")).encode();
    p = corrupt(tx -> tx.put(units, k1, changed), 4);
    assertProblem(p.get(0), postings, postingKey("gamma", Tuple.of(1L)), "posting of term"
        + " 'gamma' for unit " + Tuple.of(1L) + " belongs to no indexed unit's text");
    assertProblem(p.get(1), postings, postingKey("omega", Tuple.of(1L)),
        "missing posting of term 'omega' for unit " + Tuple.of(1L));
    assertProblem(p.get(2), df, Keys.term("gamma"),
        "document frequency 2 but 1 units hold the term");
    assertProblem(p.get(3), df, Keys.term("omega"),
        "document frequency missing; 1 units hold the term");
  }

  @Test
  void problemsAreCountedBeyondTheLimitAndFoundInSnapshots() {
    try (Transaction tx = db.begin()) {
      tx.add(stats, Keys.UNITS, 5);
      tx.add(stats, Keys.TOKENS, 5);
      tx.delete(postings, postingKey("beta", Tuple.of(2L)));
      tx.commit();
    }
    try (DbSnapshot s = db.snapshot()) {
      IndexCheckReport r = fts.check(s, 1);
      assertEquals(3, r.problemCount());
      assertEquals(1, r.problems().size());
      assertEquals(5, r.entries());
      assertEquals(3, r.records());
      assertTrue(!r.ok());
      assertEquals(0, fts.check(s, 0).problems().size());
      assertEquals(3, fts.check(s, 0).problemCount());
    }
  }
}
