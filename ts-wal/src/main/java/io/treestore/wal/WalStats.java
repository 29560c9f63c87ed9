package io.treestore.wal;

/**
 * Counters of a {@link Wal}'s writes and syncs since it was opened, for monitoring and for
 * telling how well group commit works: {@code records / groups} is the mean number of records
 * per group, {@code syncNanos / syncs} the mean time of one group's {@code fsync}. The names
 * follow PostgreSQL's {@code pg_stat_wal} ({@code wal_records}, {@code wal_bytes},
 * {@code wal_write}, {@code wal_sync}, {@code wal_sync_time}).
 *
 * <p>A snapshot: the counters are read one after another while the log may be writing, so
 * they can be off by the group being written. Every value is at least 0 and never decreases
 * between two calls of {@link Wal#stats()} on the same log. Immutable.
 *
 * @param groups groups written: one per lead, each holding one or more records (records
 *     appended while a group is written form the next group)
 * @param records records written in those groups
 * @param bytes bytes of record frames written (each frame's header and payload); segment
 *     headers and preallocated zeros are not counted
 * @param syncs group {@code fsync}s ({@code FileChannel.force(false)}, an fdatasync on Linux)
 *     issued to make groups durable; the syncs of a segment that is sealed or created and of
 *     the directory are not counted. Always 0 in {@link Durability#NONE} mode.
 * @param syncNanos wall-clock time spent in those {@code fsync}s, in nanoseconds
 */
public record WalStats(long groups, long records, long bytes, long syncs, long syncNanos) {
  /**
   * Checks the counters.
   *
   * @throws IllegalArgumentException if a counter is negative
   */
  public WalStats {
    if (groups < 0 || records < 0 || bytes < 0 || syncs < 0 || syncNanos < 0) {
      throw new IllegalArgumentException("WAL counters must be >= 0: " + groups + ", "
          + records + ", " + bytes + ", " + syncs + ", " + syncNanos);
    }
  }
}
