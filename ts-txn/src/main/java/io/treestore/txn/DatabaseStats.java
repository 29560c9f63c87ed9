package io.treestore.txn;

import io.treestore.btree.BTreeStats;

/**
 * Counters and gauges of a {@link Database}, for monitoring (the log's counters are those of
 * {@link io.treestore.wal.Wal#stats()}). Counters count since the database
 * was opened.
 *
 * @param activeTransactions transactions begun and not yet finished
 * @param commits commits with writes acknowledged
 * @param conflicts commits refused with {@link ConflictException}
 * @param rollbacks read-write transactions that ended without committing: rolled back,
 *     closed without commit, or refused by a conflict (read-only ones are not counted)
 * @param walBytes bytes in the log's segment files
 * @param lastLsn the LSN of the last record appended to the log
 * @param appliedLsn the LSN of the last commit visible to new transactions
 * @param checkpointLsn the LSN the last checkpoint covers
 * @param checkpoints checkpoints completed
 * @param checkpointFailures background checkpoints whose data-file write failed and that will
 *     be tried again (a failed sync turns the database read-only instead)
 * @param lastCheckpointMillis duration of the last checkpoint, in milliseconds
 * @param cacheHitRate page cache hits / lookups, in [0, 1]
 * @param walGroups groups of log records written since the database was opened (group commit:
 *     {@code walRecords / walGroups} commits share one write and one {@code fsync})
 * @param walRecords log records written since the database was opened (one per commit with
 *     writes)
 * @param walSyncs group {@code fsync}s of the log since the database was opened (0 with
 *     durability {@code NONE})
 * @param walSyncNanos time spent in those {@code fsync}s, in nanoseconds
 * @param storage figures of the data file
 */
public record DatabaseStats(long activeTransactions, long commits, long conflicts,
    long rollbacks, long walBytes, long lastLsn, long appliedLsn, long checkpointLsn,
    long checkpoints, long checkpointFailures, double lastCheckpointMillis, double cacheHitRate,
    long walGroups, long walRecords, long walSyncs, long walSyncNanos, BTreeStats storage) {}
