/**
 * The transactional database: {@code Database.open(dir, options)} with crash recovery
 * (valid meta, then WAL replay), named keyspaces, MVCC snapshot-isolation transactions with
 * first-committer-wins conflict detection, merge operands, checkpoints and snapshots.
 *
 * <p>Status: not built yet; this module holds no types so far.
 */
@org.jspecify.annotations.NullMarked
module io.treestore.txn {
  requires static transitive org.jspecify;
  requires io.treestore.btree;
  requires io.treestore.wal;
}
