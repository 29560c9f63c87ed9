package io.treestore.fts;

import io.treestore.btree.Entry;
import io.treestore.btree.Range;
import io.treestore.txn.ReadView;
import io.treestore.txn.ScanIterator;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Raw access to an index's keyspaces for tests. */
final class Raw {
  private Raw() {}

  /** Every entry of the index's keyspaces as {@code keyspace key=value} in hex. */
  static List<String> contents(FullTextIndex fts, ReadView view) {
    List<String> out = new ArrayList<>();
    for (String ks : fts.keyspaces()) {
      try (ScanIterator it = view.scan(ks, Range.all())) {
        while (it.hasNext()) {
          Entry e = it.next();
          out.add(ks + " " + HexFormat.of().formatHex(e.key()) + "="
              + HexFormat.of().formatHex(e.value()));
        }
      }
    }
    return out;
  }

  /** The number of entries of one keyspace. */
  static long count(ReadView view, String keyspace) {
    long n = 0;
    try (ScanIterator it = view.scan(keyspace, Range.all())) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }
}
