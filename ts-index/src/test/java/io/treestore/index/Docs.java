package io.treestore.index;

import io.treestore.btree.Entry;
import io.treestore.btree.Range;
import io.treestore.txn.DatabaseOptions;
import io.treestore.txn.ReadView;
import io.treestore.txn.ScanIterator;
import io.treestore.wal.Durability;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * The table most tests use, and what a model expects of it. Records are tuples
 * {@code (email, group, flag, firstPage, lastPage, payload)}; the table {@code docs} has
 * <ul>
 *   <li>{@code by_email}, unique: {@code (email)}, no entry when the email is null;
 *   <li>{@code by_group}, non-unique: {@code (group, flag)};
 *   <li>{@code by_page}, non-unique and multi-valued: {@code (page)} for every page from
 *       {@code firstPage} to {@code lastPage} (none if {@code lastPage < firstPage}); the first
 *       page is returned twice, which the table must ignore.
 * </ul>
 * Primary keys are {@code (doc, node)} or, now and then, just {@code (doc)}, so that one key
 * is a prefix of others.
 */
final class Docs {
  static final String TABLE = "docs";
  static final String BY_EMAIL = "by_email";
  static final String BY_GROUP = "by_group";
  static final String BY_PAGE = "by_page";
  static final List<String> INDEXES = List.of(BY_EMAIL, BY_GROUP, BY_PAGE);

  static final String[] DOCS = {"a", "b", "c\uD83D\uDE00"};
  static final String[] EMAILS = {"ann@x", "bob@x", "cy@x", "dee@x", "eve@x", "fay@x", "gus@x",
      "hal@x", "ivy@x", "jo@x", "\u00E9mile@x", "\uD83D\uDE00@x", "", "\0"};
  static final int NODES = 20;
  static final int GROUPS = 4;
  static final int PAGES = 16;

  private Docs() {}

  /** Options for fast tests: no fsync, no background checkpoints. */
  static DatabaseOptions options() {
    return DatabaseOptions.defaults().withDurability(Durability.NONE).withCheckpoints(0, 0);
  }

  static Table<Tuple> table() {
    return Table.builder(TABLE, RecordCodec.tuple())
        .index(IndexDefinition.unique(BY_EMAIL, (pk, r) -> emailKeys(r)))
        .index(IndexDefinition.nonUnique(BY_GROUP, (pk, r) -> groupKeys(r)))
        .index(IndexDefinition.nonUnique(BY_PAGE, (pk, r) -> pageKeys(r)))
        .build();
  }

  static Tuple record(@Nullable String email, long group, boolean flag, long firstPage,
      long lastPage, String payload) {
    return Tuple.of(email, group, flag, firstPage, lastPage, payload);
  }

  static @Nullable String email(Tuple r) {
    return (String) r.get(0);
  }

  static List<Tuple> emailKeys(Tuple r) {
    return r.get(0) == null ? List.of() : List.of(Tuple.of(r.getString(0)));
  }

  static List<Tuple> groupKeys(Tuple r) {
    return List.of(Tuple.of(r.getLong(1), r.getBoolean(2)));
  }

  static List<Tuple> pageKeys(Tuple r) {
    List<Tuple> out = new ArrayList<>();
    for (long p = r.getLong(3); p <= r.getLong(4); p++) {
      out.add(Tuple.of(p));
    }
    if (!out.isEmpty()) {
      out.add(out.get(0)); // a duplicate, ignored by the table
    }
    return out;
  }

  static List<Tuple> keys(String index, Tuple r) {
    return switch (index) {
      case BY_EMAIL -> emailKeys(r);
      case BY_GROUP -> groupKeys(r);
      case BY_PAGE -> pageKeys(r);
      default -> throw new AssertionError(index);
    };
  }

  static boolean unique(String index) {
    return index.equals(BY_EMAIL);
  }

  // ------------------------------------------------------------------ random data

  static Tuple randomPk(Random rnd) {
    String doc = DOCS[rnd.nextInt(DOCS.length)];
    return rnd.nextInt(15) == 0 ? Tuple.of(doc) : Tuple.of(doc, rnd.nextInt(NODES));
  }

  static Tuple randomRecord(Random rnd) {
    String email = rnd.nextInt(4) == 0 ? null : EMAILS[rnd.nextInt(EMAILS.length)];
    long first = rnd.nextInt(PAGES);
    long last = rnd.nextInt(8) == 0 ? first - 1 : Math.min(PAGES - 1, first + rnd.nextInt(4));
    return record(email, rnd.nextInt(GROUPS), rnd.nextBoolean(), first, last,
        "p" + rnd.nextInt(1000));
  }

  // ------------------------------------------------------------------ the model's view

  /** The primary key of the record in {@code model} that holds {@code email}, if any. */
  static @Nullable Tuple holder(NavigableMap<Tuple, Tuple> model, String email) {
    for (Map.Entry<Tuple, Tuple> e : model.entrySet()) {
      if (email.equals(email(e.getValue()))) {
        return e.getKey();
      }
    }
    return null;
  }

  /**
   * The entries an index must hold for the model's records, in scan order: by index key, and
   * in a non-unique index by primary key after that.
   */
  static List<IndexEntry> expectedEntries(NavigableMap<Tuple, Tuple> model, String index) {
    List<IndexEntry> out = new ArrayList<>();
    for (Map.Entry<Tuple, Tuple> e : model.entrySet()) {
      for (Tuple k : new java.util.LinkedHashSet<>(keys(index, e.getValue()))) {
        out.add(new IndexEntry(k, e.getKey()));
      }
    }
    Comparator<IndexEntry> byKey = (x, y) -> TupleModel.compare(TupleModel.toModel(x.indexKey()),
        TupleModel.toModel(y.indexKey()));
    out.sort(byKey.thenComparing((x, y) -> TupleModel.compare(
        TupleModel.toModel(x.primaryKey()), TupleModel.toModel(y.primaryKey()))));
    return out;
  }

  // ------------------------------------------------------------------ raw contents

  /**
   * Every entry of every keyspace of the table as the view sees it, as hex strings, for
   * comparing a view's whole state before and after a refused write.
   */
  static Map<String, List<String>> dump(ReadView view, Table<?> table) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    HexFormat h = HexFormat.of();
    for (String ks : table.keyspaces()) {
      List<String> entries = new ArrayList<>();
      try (ScanIterator it = view.scan(ks, Range.all())) {
        while (it.hasNext()) {
          Entry e = it.next();
          entries.add(h.formatHex(e.key()) + "=" + h.formatHex(e.value()));
        }
      }
      out.put(ks, entries);
    }
    return out;
  }

  static <T> List<T> drain(java.util.Iterator<T> it) {
    List<T> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
