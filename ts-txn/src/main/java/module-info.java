/**
 * The transactional database: {@link io.treestore.txn.Database#open} with crash recovery
 * (the data file's checkpoint, then replay of the write-ahead log), named keyspaces, MVCC
 * snapshot-isolation transactions with first-committer-wins conflict detection and an optional
 * serializable level, merge operands that never conflict, checkpoints, snapshots and online
 * backup.
 */
@org.jspecify.annotations.NullMarked
module io.treestore.txn {
  requires static transitive org.jspecify;
  requires transitive io.treestore.btree;
  requires transitive io.treestore.wal;

  exports io.treestore.txn;
}
