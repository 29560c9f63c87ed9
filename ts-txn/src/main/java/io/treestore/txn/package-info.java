/**
 * Transactions: {@link io.treestore.txn.Database} with MVCC snapshot isolation (optionally
 * serializable), a write-ahead log with group commit, checkpoints, crash recovery, merge
 * operands, snapshots and online backup.
 */
@org.jspecify.annotations.NullMarked
package io.treestore.txn;
