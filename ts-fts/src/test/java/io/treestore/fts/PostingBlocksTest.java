package io.treestore.fts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.btree.Entry;
import io.treestore.btree.Range;
import io.treestore.fts.internal.Keys;
import io.treestore.fts.internal.PostingBlock;
import io.treestore.index.IndexCheckReport;
import io.treestore.index.Tuple;
import io.treestore.txn.ConflictException;
import io.treestore.txn.Database;
import io.treestore.txn.ReadView;
import io.treestore.txn.ScanIterator;
import io.treestore.txn.Transaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grouped posting layout (units sharing a key prefix share posting blocks) against the
 * ungrouped one and the brute-force scorer: the same operations on both must give the same
 * hits, scores and check reports, whatever the order of batch and single writes, removals,
 * replacements and rollbacks; blocks stay full when units are appended one at a time; writes
 * of the same group conflict and writes of different groups do not; a corrupt block is
 * reported, never returned as data.
 */
class PostingBlocksTest {
  private static final long SEED = Long.getLong("ts.seed", System.nanoTime());
  private static final String[] WORDS = {"alpha", "beta", "gamma", "delta", "revenue",
      "growth", "risk", "policy", "cash", "flow", "interest", "broker", "dealer", "market",
      "report", "annual", "quarter", "income", "tax", "equity", "debt", "asset", "loss",
      "profit", "margin", "share", "price", "fund", "trust", "bank"};

  @TempDir Path dir;

  private static String text(Random r, int words) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      // skewed: low indexes are common, so common terms span many blocks
      int w = (int) Math.min(WORDS.length - 1, Math.abs(r.nextGaussian()) * 8);
      sb.append(i > 0 ? " " : "").append(r.nextInt(9) == 0 ? "the " : "").append(WORDS[w]);
    }
    return sb.toString();
  }

  private static Unit unit(Random r, long node) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("title", text(r, 1 + r.nextInt(4)));
    if (r.nextBoolean()) {
      f.put("text", text(r, 1 + r.nextInt(30)));
    }
    return new Unit(f, r.nextInt(5) == 0 ? null : (1 + node % 4) + "." + (1 + node % 7));
  }

  private static Tuple key(Random r) {
    if (r.nextInt(20) == 0) {
      return Tuple.of("solo" + r.nextInt(8)); // one element: stored alone even when grouped
    }
    return Tuple.of("d" + r.nextInt(4), (long) r.nextInt(700));
  }

  private static String query(Random r) {
    StringBuilder q = new StringBuilder();
    int n = 1 + r.nextInt(3);
    for (int i = 0; i < n; i++) {
      String w = WORDS[(int) Math.min(WORDS.length - 1, Math.abs(r.nextGaussian()) * 8)];
      String clause = switch (r.nextInt(8)) {
        case 0 -> "+" + w;
        case 1 -> "-" + w;
        case 2 -> "\"" + w + " " + WORDS[r.nextInt(6)] + "\"";
        case 3 -> "title:" + w;
        default -> w;
      };
      q.append(i > 0 ? " " : "").append(clause);
    }
    return q.toString();
  }

  @Test
  void groupedAndUngroupedIndexesAgreeUnderRandomWrites() {
    Random r = new Random(SEED);
    String why = " (seed " + SEED + ")";
    FullTextIndex grouped = new FullTextIndex("g", FullTextOptions.defaults()
        .withGroupElements(1));
    FullTextIndex plain = new FullTextIndex("p", FullTextOptions.defaults());
    TreeMap<Tuple, Unit> model = new TreeMap<>();
    try (Database db = Database.open(dir, Bm25OracleTest.fast())) {
      for (int round = 0; round < 150; round++) {
        boolean commit = r.nextInt(8) != 0;
        TreeMap<Tuple, Unit> next = new TreeMap<>(model);
        try (Transaction tx = db.begin()) {
          int ops = 1 + r.nextInt(4);
          for (int op = 0; op < ops; op++) {
            switch (r.nextInt(5)) {
              case 0, 1 -> {
                Map<Tuple, Unit> batch = new LinkedHashMap<>();
                int n = 1 + r.nextInt(round < 10 ? 300 : 60);
                for (int i = 0; i < n; i++) {
                  Tuple k = key(r);
                  batch.put(k, unit(r, k.size() > 1 ? k.getLong(1) : 0));
                }
                long replaced = batch.keySet().stream().filter(next::containsKey).count();
                assertEquals(replaced, grouped.indexAll(tx, batch), why);
                assertEquals(replaced, plain.indexAll(tx, batch), why);
                next.putAll(batch);
              }
              case 2 -> {
                Tuple k = key(r);
                Unit u = unit(r, k.size() > 1 ? k.getLong(1) : 0);
                assertEquals(next.containsKey(k), grouped.index(tx, k, u), why);
                assertEquals(next.containsKey(k), plain.index(tx, k, u), why);
                next.put(k, u);
              }
              case 3 -> {
                Tuple k = r.nextBoolean() || next.isEmpty() ? key(r)
                    : new ArrayList<>(next.keySet()).get(r.nextInt(next.size()));
                assertEquals(next.containsKey(k), grouped.remove(tx, k), why);
                assertEquals(next.containsKey(k), plain.remove(tx, k), why);
                next.remove(k);
              }
              default -> {
                // a whole document, or a random slice of units
                List<Tuple> keys = new ArrayList<>();
                String doc = "d" + r.nextInt(4);
                for (Tuple k : next.keySet()) {
                  if (r.nextInt(3) == 0 ? k.get(0).equals(doc) : r.nextInt(10) == 0) {
                    keys.add(k);
                  }
                }
                keys.add(Tuple.of("d9", 1L)); // not indexed: ignored
                assertEquals(keys.size() - 1, grouped.removeAll(tx, keys), why);
                assertEquals(keys.size() - 1, plain.removeAll(tx, keys), why);
                keys.forEach(next::remove);
              }
            }
          }
          assertSameSearches(grouped, plain, tx, r, why);
          if (commit) {
            tx.commit();
            model = next;
          } else {
            tx.rollback();
          }
        }
        if (round % 10 == 9) {
          try (Transaction tx = db.beginReadOnly()) {
            for (FullTextIndex fts : List.of(grouped, plain)) {
              IndexCheckReport c = fts.check(tx, 5);
              assertTrue(c.ok(), c + why);
              assertEquals(model.size(), c.records(), why);
            }
            assertSameSearches(grouped, plain, tx, r, why);
            assertMatchesTheOracle(grouped, tx, model, r, why);
            assertEquals(model.keySet().stream().filter(k -> k.size() > 1)
                .map(k -> k.get(0)).distinct().count(), Raw.count(tx, grouped.keyspaces()
                .get(4)), "one group marker per non-empty group" + why);
          }
        }
      }
    }
  }

  private static void assertSameSearches(FullTextIndex grouped, FullTextIndex plain,
      ReadView view, Random r, String why) {
    for (int i = 0; i < 12; i++) {
      String q = query(r);
      SearchOptions o = SearchOptions.defaults().withLimit(1 + r.nextInt(40))
          .withPruning(r.nextBoolean());
      if (r.nextInt(3) == 0) {
        o = o.withKeyPrefix(Tuple.of("d" + r.nextInt(4)));
      } else if (r.nextInt(5) == 0) {
        o = o.withKeyPrefix(Tuple.of("d" + r.nextInt(4), (long) r.nextInt(700)));
      }
      if (r.nextInt(6) == 0) {
        o = o.withPathPrefix(String.valueOf(1 + r.nextInt(4)));
      }
      SearchResult a;
      try {
        a = grouped.search(view, q, o);
      } catch (QuerySyntaxException e) {
        assertThrows(QuerySyntaxException.class, () -> plain.search(view, q,
            SearchOptions.defaults()));
        continue;
      }
      SearchResult b = plain.search(view, q, o);
      assertEquals(b.hits(), a.hits(), "'" + q + "' " + o + why);
      assertEquals(b.matched(), a.matched(), "'" + q + "' " + o + why);
      // a filter on groups, answered once per run of a group's candidates, against the same
      // filter asked of every unit
      int salt = r.nextInt();
      java.util.function.Predicate<Tuple> groups = t -> Math.floorMod(t.hashCode() ^ salt, 3)
          != 0;
      SearchResult byGroup = grouped.searchGroups(view, q, o, groups);
      SearchResult byUnit = plain.search(view, q, o,
          unit -> groups.test(unit.size() <= 1 ? unit : unit.subTuple(0, 1)));
      assertEquals(byUnit.hits(), byGroup.hits(), "'" + q + "' " + o + " by group" + why);
      assertEquals(byUnit.matched(), byGroup.matched(), "'" + q + "' " + o + " by group" + why);
    }
    assertThrows(IllegalStateException.class, () -> plain.searchGroups(view, "tax",
        SearchOptions.defaults(), t -> true));
  }

  private static void assertMatchesTheOracle(FullTextIndex fts, ReadView view,
      Map<Tuple, Unit> model, Random r, String why) {
    List<Corpus.Doc> docs = new ArrayList<>();
    model.forEach((k, u) -> docs.add(new Corpus.Doc(k, u.fields(), u.path())));
    BruteForce oracle = new BruteForce(docs);
    for (int i = 0; i < 8; i++) {
      String q = WORDS[r.nextInt(WORDS.length)] + " " + WORDS[r.nextInt(8)];
      Bm25OracleTest.assertSameRanking(q + why, oracle.search(q, 1.2, 0.75),
          fts.search(view, q, SearchOptions.defaults().withLimit(20)).hits(), 20);
    }
  }

  /** The number of posting blocks of a term, and the units they hold. */
  private static long[] blocks(ReadView view, FullTextIndex fts, String term) {
    long[] out = new long[2];
    byte[] tk = Keys.term(term);
    try (ScanIterator it = view.scan(fts.keyspaces().get(1), Range.prefix(tk))) {
      while (it.hasNext()) {
        Entry e = it.next();
        out[0]++;
        out[1] += new PostingBlock.Reader(e.value(), java.util.Arrays.copyOfRange(e.key(),
            tk.length, e.key().length)).count();
      }
    }
    return out;
  }

  @Test
  void unitsAppendedOneAtATimeLeaveFullBlocks() {
    FullTextIndex fts = new FullTextIndex("a", FullTextOptions.defaults().withGroupElements(1));
    try (Database db = Database.open(dir, Bm25OracleTest.fast())) {
      for (int i = 0; i < 1000; i++) {
        try (Transaction tx = db.begin()) {
          fts.index(tx, Tuple.of("doc", (long) i), Unit.of("1." + i, "text", "common w" + i));
          tx.commit();
        }
      }
      try (Transaction tx = db.beginReadOnly()) {
        long[] b = blocks(tx, fts, "common");
        assertEquals(1000, b[1]);
        // an entry takes about 16 bytes of a block's budget of about 970: 60 units a block
        assertTrue(b[0] <= 1000 / 50, b[0] + " blocks for 1000 units");
        assertEquals(1, blocks(tx, fts, "w500")[0]);
        assertEquals(1000, fts.search(tx, "common", SearchOptions.defaults().withLimit(1000))
            .hits().size());
        assertTrue(fts.check(tx, 5).ok());
      }
      // removing every other unit rewrites the blocks, which stay valid and shrink
      try (Transaction tx = db.begin()) {
        List<Tuple> odd = new ArrayList<>();
        for (int i = 1; i < 1000; i += 2) {
          odd.add(Tuple.of("doc", (long) i));
        }
        assertEquals(500, fts.removeAll(tx, odd));
        tx.commit();
      }
      try (Transaction tx = db.beginReadOnly()) {
        long[] b = blocks(tx, fts, "common");
        assertEquals(500, b[1]);
        assertTrue(fts.check(tx, 5).ok());
        List<Hit> hits = fts.search(tx, "common", SearchOptions.defaults().withLimit(1000))
            .hits();
        assertEquals(500, hits.size());
        assertTrue(hits.stream().allMatch(h -> h.unitKey().getLong(1) % 2 == 0));
      }
    }
  }

  @Test
  void writesToOneGroupConflictAndWritesToTwoDoNot() {
    FullTextIndex fts = new FullTextIndex("c", FullTextOptions.defaults().withGroupElements(1));
    try (Database db = Database.open(dir, Bm25OracleTest.fast())) {
      try (Transaction tx = db.begin()) {
        fts.index(tx, Tuple.of("setup", 1L), Unit.of(null, "text", "setup"));
        tx.commit();
      }
      // two groups, both new: no conflict
      try (Transaction a = db.begin(); Transaction b = db.begin()) {
        fts.index(a, Tuple.of("x", 1L), Unit.of(null, "text", "shared words"));
        fts.index(b, Tuple.of("y", 1L), Unit.of(null, "text", "shared words"));
        a.commit();
        b.commit();
      }
      // one new group, different units: the second commit conflicts, as it would otherwise
      // leave two blocks with overlapping unit ranges
      try (Transaction a = db.begin(); Transaction b = db.begin()) {
        fts.indexAll(a, Map.of(Tuple.of("z", 1L), Unit.of(null, "text", "shared words"),
            Tuple.of("z", 7L), Unit.of(null, "text", "shared")));
        fts.index(b, Tuple.of("z", 4L), Unit.of(null, "text", "shared words"));
        a.commit();
        assertThrows(ConflictException.class, b::commit);
      }
      try (Transaction tx = db.beginReadOnly()) {
        assertTrue(fts.check(tx, 5).ok(), fts.check(tx, 5).toString());
        assertEquals(List.of(Tuple.of("x", 1L), Tuple.of("y", 1L), Tuple.of("z", 1L),
            Tuple.of("z", 7L)), fts.search(tx, "shared", SearchOptions.defaults()).hits()
            .stream().map(Hit::unitKey).sorted().toList());
      }
    }
  }

  @Test
  void aCorruptBlockIsReportedAndNeverReturned() {
    FullTextIndex fts = new FullTextIndex("k", FullTextOptions.defaults().withGroupElements(1));
    try (Database db = Database.open(dir, Bm25OracleTest.fast())) {
      try (Transaction tx = db.begin()) {
        Map<Tuple, Unit> batch = new LinkedHashMap<>();
        for (long i = 0; i < 10; i++) {
          batch.put(Tuple.of("doc", i), Unit.of(null, "text", "alpha beta " + i));
        }
        fts.indexAll(tx, batch);
        tx.commit();
      }
      byte[] tk = Keys.term("alpha");
      byte[] key;
      byte[] value;
      try (Transaction tx = db.beginReadOnly();
          ScanIterator it = tx.scan(fts.keyspaces().get(1), Range.prefix(tk))) {
        Entry e = it.next();
        key = e.key();
        value = e.value();
      }
      assertEquals(Tuple.of("alpha", "doc", 9L), Tuple.decode(key));
      try (Transaction tx = db.begin()) {
        // truncate the block's last entry
        tx.put(fts.keyspaces().get(1), key, java.util.Arrays.copyOf(value, value.length - 2));
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> fts.search(tx, "alpha", SearchOptions.defaults()));
        assertTrue(e.getMessage().startsWith("posting block " + Tuple.of("alpha", "doc", 9L)
            + " of keyspace fts:k:postings is corrupt: posting truncated at offset "),
            e.getMessage());
        IndexCheckReport c = fts.check(tx, 10);
        assertEquals(2, c.problemCount(), c.toString());
        assertTrue(c.problems().get(0).description().startsWith("posting block does not"
            + " decode: posting truncated at offset "), c.toString());
        assertEquals("missing posting of term 'alpha' for unit " + Tuple.of("doc", 9L),
            c.problems().get(1).description());
        // a writer refuses to merge into it
        assertThrows(IllegalStateException.class, () -> fts.index(tx, Tuple.of("doc", 3L),
            Unit.of(null, "text", "alpha")));
        // a block whose units belong to two groups
        byte[] mixed = PostingBlock.encode(List.of(Tuple.of("cod", 1L).encode(),
            Tuple.of("doc", 9L).encode()), List.of(new io.treestore.fts.internal.Posting(null,
            3, new int[] {0, 0, 0, 1}, new int[] {0}).encode(), new io.treestore.fts.internal
            .Posting(null, 3, new int[] {0, 0, 0, 1}, new int[] {0}).encode()), 0, 2);
        tx.put(fts.keyspaces().get(1), key, mixed);
        c = fts.check(tx, 20);
        assertTrue(c.problems().stream().anyMatch(p -> p.description().equals(
            "posting block holds unit " + Tuple.of("cod", 1L) + " of another group")),
            c.toString());
        tx.rollback();
      }
      // group markers: a missing one would let a write skip the group's blocks
      try (Transaction tx = db.begin()) {
        byte[] group = Tuple.of("doc").encode();
        tx.delete(fts.keyspaces().get(4), group);
        tx.put(fts.keyspaces().get(4), Tuple.of("ghost").encode(), new byte[0]);
        IndexCheckReport c = fts.check(tx, 10);
        assertEquals(List.of("group marker of a group without units", "group marker missing;"
            + " units of the group are indexed (a write to the group would not find its"
            + " blocks)"), c.problems().stream().map(p -> p.description()).toList(),
            c.toString());
        tx.rollback();
      }
    }
  }
}
