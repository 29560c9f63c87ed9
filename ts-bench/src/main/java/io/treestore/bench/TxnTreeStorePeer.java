package io.treestore.bench;

import io.treestore.txn.Database;
import io.treestore.txn.DatabaseOptions;
import io.treestore.txn.DatabaseStats;
import io.treestore.txn.Transaction;
import java.nio.file.Path;

/**
 * TreeStore adapter: a {@link Database} with {@link DatabaseOptions#defaults()} (durability
 * {@code SYNC}: the commit's log record is written and {@code fdatasync}ed —
 * {@code FileChannel.force(false)} — before {@code commit()} returns, shared with concurrent
 * commits by group commit; 64 MiB page cache; 64 MiB log segments; background checkpoint
 * every 64 MiB of log or 60 s), one keyspace {@code kv}.
 *
 * <p>A commit is {@link Database#begin()}, {@link Transaction#put} per row,
 * {@link Transaction#commit()}: validation and one log append under the commit lock, group
 * commit write + fsync, then apply to the B+Tree in LSN order. The database is thread-safe,
 * so a session is just the shared database.
 */
final class TxnTreeStorePeer implements TxnPeer {
  /** The keyspace every row goes to. */
  static final String KEYSPACE = "kv";

  private final Database db;
  private final DatabaseOptions options;

  TxnTreeStorePeer(Path dir) {
    this.options = DatabaseOptions.defaults();
    this.db = Database.open(dir, options);
  }

  @Override
  public Session session() {
    return new Session() {
      @Override
      public void commit(byte[][] keys, byte[][] values) {
        try (Transaction tx = db.begin()) {
          for (int i = 0; i < keys.length; i++) {
            tx.put(KEYSPACE, keys[i], values[i]);
          }
          tx.commit();
        }
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public String settings() {
    return "treestore durability=" + options.durability() + " (log record fdatasync'd per"
        + " commit group before commit returns) pageSize=" + options.pageSize()
        + " cacheBytes=" + options.cacheBytes() + " walSegmentBytes="
        + options.walSegmentBytes() + " checkpointWalBytes=" + options.checkpointWalBytes()
        + " checkpointIntervalMillis=" + options.checkpointIntervalMillis();
  }

  @Override
  public String report() {
    DatabaseStats s = db.stats();
    return "treestore commits=" + s.commits() + " conflicts=" + s.conflicts() + " checkpoints="
        + s.checkpoints() + " lastCheckpointMillis=" + s.lastCheckpointMillis() + " walBytes="
        + s.walBytes() + " dataFileBytes=" + s.storage().fileBytes() + " walGroups="
        + s.walGroups() + String.format(" recordsPerGroup=%.2f syncMicrosPerGroup=%.1f",
            s.walRecords() / (double) Math.max(1, s.walGroups()),
            s.walSyncNanos() / 1e3 / Math.max(1, s.walSyncs()));
  }

  @Override
  public void close() {
    db.close();
  }
}
