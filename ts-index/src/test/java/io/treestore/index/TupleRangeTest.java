package io.treestore.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.btree.Entry;
import io.treestore.btree.Range;
import io.treestore.txn.Database;
import io.treestore.txn.DbSnapshot;
import io.treestore.txn.ReadView;
import io.treestore.txn.ScanIterator;
import io.treestore.txn.Transaction;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TupleRange} scans over random sets of tuples stored in a real database: every kind
 * of range (prefix, between, atLeast, greaterThan, atMost, lessThan; inclusive and exclusive;
 * ascending and reversed) returns exactly what {@link RangeModel}, the documented prefix
 * semantics written as a filter, returns. Checked in a {@link DbSnapshot} (committed data) and
 * in a transaction that has its own uncommitted puts and deletes, and with a key prefix before
 * the encoded tuples ({@link TupleRange#toRange(byte[])}) next to keys with other prefixes.
 *
 * <p>Seeded: rerun with {@code -Dts.seed=}.
 */
class TupleRangeTest {
  @TempDir Path dir;

  /** Elements from small pools, so that tuples share prefixes and bounds hit stored tuples. */
  private static final Object[] POOL = {"a", "b", "ab", "", "\0", "\uD83D\uDE00",
      new byte[] {0}, new byte[] {0, 0}, new byte[] {(byte) 0xFF}, 0L, 1L, -1L, Long.MIN_VALUE,
      0.0, -0.0, Double.NaN, true, false, Instant.EPOCH, Tuple.of("a"), Tuple.of((Object) null),
      Tuple.EMPTY};

  private static @Nullable Object element(Random rnd) {
    return rnd.nextInt(12) == 0 ? null : POOL[rnd.nextInt(POOL.length)];
  }

  private static Tuple tuple(Random rnd, int maxSize) {
    int n = rnd.nextInt(maxSize + 1);
    Object[] e = new Object[n];
    for (int i = 0; i < n; i++) {
      e[i] = rnd.nextInt(3) == 0 ? element(rnd) : POOL[i % 3];
    }
    return Tuple.of(e);
  }

  /** A bound: random, or a stored tuple, or a prefix of one (possibly extended). */
  private static Tuple bound(Random rnd, List<Tuple> stored) {
    if (stored.isEmpty() || rnd.nextInt(3) == 0) {
      return tuple(rnd, 3);
    }
    Tuple s = stored.get(rnd.nextInt(stored.size()));
    Tuple p = s.subTuple(0, rnd.nextInt(s.size() + 1));
    return rnd.nextInt(4) == 0 ? p.add(element(rnd)) : p;
  }

  private static List<Tuple> sorted(java.util.Collection<Tuple> c) {
    List<Tuple> out = new ArrayList<>(c);
    out.sort((x, y) -> TupleModel.compare(TupleModel.toModel(x), TupleModel.toModel(y)));
    return out;
  }

  private static List<Tuple> scan(ReadView view, String ks, Range range, byte[] prefix) {
    List<Tuple> out = new ArrayList<>();
    try (ScanIterator it = view.scan(ks, range)) {
      while (it.hasNext()) {
        Entry e = it.next();
        byte[] k = e.key();
        assertTrue(Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length),
            "key outside the prefix: " + java.util.HexFormat.of().formatHex(k));
        out.add(Tuple.decode(k, prefix.length, k.length - prefix.length));
      }
    }
    return out;
  }

  private static byte[] key(byte[] prefix, Tuple t) {
    byte[] enc = t.encode();
    byte[] k = Arrays.copyOf(prefix, prefix.length + enc.length);
    System.arraycopy(enc, 0, k, prefix.length, enc.length);
    return k;
  }

  private static void checkRanges(Random rnd, String ctx, ReadView view, List<Tuple> want,
      String ks, byte[] prefix, int cases) {
    for (int i = 0; i < cases; i++) {
      RangeModel m = RangeModel.random(rnd, () -> bound(rnd, want));
      assertEquals(m.reverse(), m.range().isReverse());
      List<Tuple> expected = m.filter(want, t -> t);
      Range r = prefix.length == 0 ? m.range().toRange() : m.range().toRange(prefix);
      List<Tuple> got = scan(view, ks, r, prefix);
      assertEquals(expected, got, ctx + " case " + i + " " + m);
    }
  }

  @Test
  void everyKindOfRangeMatchesTheModelInSnapshotsAndTransactions() {
    long seed = TuplePropertyTest.seed("ranges");
    Random rnd = new Random(seed);
    byte[] prefix = {0x10};
    try (Database db = Database.open(dir.resolve("db"), Docs.options())) {
      for (int round = 0; round < 4; round++) {
        String ctx = "seed " + seed + " round " + round;
        String ks = "t" + round;
        String pks = "p" + round;
        TreeSet<Tuple> committed = new TreeSet<>();
        try (Transaction tx = db.begin()) {
          for (int i = 0; i < 200; i++) {
            Tuple t = tuple(rnd, 4);
            committed.add(t);
            tx.put(ks, t.encode(), new byte[0]);
            tx.put(pks, key(prefix, t), new byte[0]);
            // Neighbors with other prefixes, which a prefixed range must never return.
            tx.put(pks, key(new byte[] {0x0F}, t), new byte[0]);
            tx.put(pks, key(new byte[] {0x11}, t), new byte[0]);
          }
          tx.commit();
        }
        List<Tuple> want = sorted(committed);
        try (DbSnapshot snap = db.snapshot()) {
          checkRanges(rnd, ctx + " snapshot", snap, want, ks, new byte[0], 150);
          checkRanges(rnd, ctx + " snapshot, prefixed", snap, want, pks, prefix, 100);
        }
        // Now a transaction with its own puts and deletes, merged into its scans.
        TreeSet<Tuple> mine = new TreeSet<>(committed);
        try (Transaction tx = db.begin()) {
          for (int i = 0; i < 80; i++) {
            Tuple t = rnd.nextBoolean() ? tuple(rnd, 4) : want.get(rnd.nextInt(want.size()));
            if (rnd.nextInt(3) == 0) {
              mine.remove(t);
              tx.delete(ks, t.encode());
              tx.delete(pks, key(prefix, t));
            } else {
              mine.add(t);
              tx.put(ks, t.encode(), new byte[] {1});
              tx.put(pks, key(prefix, t), new byte[] {1});
            }
          }
          List<Tuple> wantTx = sorted(mine);
          checkRanges(rnd, ctx + " transaction", tx, wantTx, ks, new byte[0], 150);
          checkRanges(rnd, ctx + " transaction, prefixed", tx, wantTx, pks, prefix, 100);
        }
      }
    }
  }

  @Test
  void documentedExamples() {
    try (Database db = Database.open(dir.resolve("ex"), Docs.options())) {
      List<Tuple> all = List.of(Tuple.EMPTY, Tuple.of("doc"), Tuple.of("doc", 0L),
          Tuple.of("doc", 1L), Tuple.of("doc", 1L, "x"), Tuple.of("doc", 3L, null),
          Tuple.of("doc", 5L), Tuple.of("doc", 5L, Tuple.of("z")), Tuple.of("doc", 6L),
          Tuple.of("doc", 1.0), Tuple.of("doc\0"), Tuple.of("dod"), Tuple.of(1L));
      try (Transaction tx = db.begin()) {
        for (Tuple t : all) {
          tx.put("t", t.encode(), new byte[0]);
        }
        tx.commit();
      }
      try (DbSnapshot s = db.snapshot()) {
        assertEquals(sorted(all), scan(s, "t", TupleRange.all().toRange(), new byte[0]));
        assertEquals(sorted(all).reversed(), scan(s, "t", TupleRange.all().reversed().toRange(),
            new byte[0]));
        assertEquals(List.of(Tuple.of("doc", 1L), Tuple.of("doc", 1L, "x"),
            Tuple.of("doc", 3L, null), Tuple.of("doc", 5L), Tuple.of("doc", 5L, Tuple.of("z"))),
            scan(s, "t", TupleRange.between(Tuple.of("doc", 1L), true, Tuple.of("doc", 5L), true)
                .toRange(), new byte[0]));
        assertEquals(List.of(Tuple.of("doc", 3L, null)),
            scan(s, "t", TupleRange.between(Tuple.of("doc", 1L), false, Tuple.of("doc", 5L),
                false).toRange(), new byte[0]));
        assertEquals(List.of(Tuple.of("doc"), Tuple.of("doc", 0L), Tuple.of("doc", 1L),
            Tuple.of("doc", 1L, "x"), Tuple.of("doc", 3L, null), Tuple.of("doc", 5L),
            Tuple.of("doc", 5L, Tuple.of("z")), Tuple.of("doc", 6L), Tuple.of("doc", 1.0)),
            scan(s, "t", TupleRange.prefix(Tuple.of("doc")).toRange(), new byte[0]));
        assertEquals(List.of(Tuple.of("doc", 5L, Tuple.of("z")), Tuple.of("doc", 5L)),
            scan(s, "t", TupleRange.prefix(Tuple.of("doc", 5L)).reversed().toRange(),
                new byte[0]));
        // Crossed bounds: empty, in both directions.
        assertEquals(List.of(), scan(s, "t", TupleRange.between(Tuple.of("doc", 5L), true,
            Tuple.of("doc", 1L), true).toRange(), new byte[0]));
        assertEquals(List.of(), scan(s, "t", TupleRange.between(Tuple.of("doc", 5L), true,
            Tuple.of("doc", 1L), true).reversed().toRange(), new byte[0]));
        // The same bound, exclusive on one side: empty.
        assertEquals(List.of(), scan(s, "t", TupleRange.between(Tuple.of("doc", 5L), false,
            Tuple.of("doc", 5L), true).toRange(), new byte[0]));
        // Nothing is below or above the empty prefix; everything starts with it.
        assertEquals(List.of(), scan(s, "t", TupleRange.lessThan(Tuple.EMPTY).toRange(),
            new byte[0]));
        assertEquals(List.of(), scan(s, "t", TupleRange.greaterThan(Tuple.EMPTY).toRange(),
            new byte[0]));
        assertEquals(all.size(), scan(s, "t", TupleRange.prefix(Tuple.EMPTY).toRange(),
            new byte[0]).size());
        // greaterThan excludes what merely starts with the bound; atMost includes it.
        List<Tuple> gt = scan(s, "t", TupleRange.greaterThan(Tuple.of("doc")).toRange(),
            new byte[0]);
        assertEquals(List.of(Tuple.of("doc\0"), Tuple.of("dod"), Tuple.of(1L)), gt);
        List<Tuple> le = scan(s, "t", TupleRange.atMost(Tuple.of("doc", 1L)).reversed()
            .toRange(), new byte[0]);
        assertEquals(List.of(Tuple.of("doc", 1L, "x"), Tuple.of("doc", 1L), Tuple.of("doc", 0L),
            Tuple.of("doc"), Tuple.EMPTY), le);
        assertFalse(TupleRange.all().isReverse());
        assertTrue(TupleRange.all().reversed().isReverse());
        assertFalse(TupleRange.all().reversed().reversed().isReverse());
      }
    }
  }
}
