/**
 * A persistent, copy-on-write B+Tree over the pages of {@code io.treestore.page}: byte-array
 * keys in unsigned lexicographic order, point reads and writes, range and prefix scans in both
 * directions, cursors, bulk loading, overflow values, snapshots and an atomic {@code flush}.
 *
 * <p>Start at {@link io.treestore.btree.BTreeFile}.
 */
@org.jspecify.annotations.NullMarked
module io.treestore.btree {
  requires static transitive org.jspecify;
  requires transitive io.treestore.page;

  exports io.treestore.btree;
}
