package io.treestore.bench;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.Meta;
import org.lmdbjava.Txn;

/**
 * LMDB adapter (lmdbjava with its bundled native LMDB): one database {@code kv} in an
 * environment opened with no flags, which is LMDB's durable default: {@code mdb_txn_commit}
 * writes the transaction's pages, {@code fdatasync}s the data file, writes the new meta page
 * and syncs again before it returns (LMDB documents {@code MDB_NOSYNC} and
 * {@code MDB_NOMETASYNC} as the switches that give that up; neither is set).
 *
 * <p>A commit is {@code mdb_txn_begin} (write), {@code mdb_put} per row, {@code mdb_txn_commit}.
 * LMDB has one writer at a time: concurrent committers wait on its writer mutex, each commit
 * syncing on its own (no group commit). Map size {@value #MAP_SIZE} bytes; without
 * {@code MDB_WRITEMAP} the file grows as pages are used. A session holds two direct buffers
 * and is used by one thread.
 */
final class TxnLmdbPeer implements TxnPeer {
  /** Map size: room for every commit of a run plus copy-on-write garbage. */
  static final long MAP_SIZE = 8L << 30;

  private final Env<ByteBuffer> env;
  private final Dbi<ByteBuffer> db;
  private final LongAdder commits = new LongAdder();

  TxnLmdbPeer(Path dir) {
    this.env = Env.create().setMapSize(MAP_SIZE).setMaxDbs(1).setMaxReaders(126)
        .open(dir.toFile());
    this.db = env.openDbi("kv", DbiFlags.MDB_CREATE);
  }

  @Override
  public Session session() {
    ByteBuffer key = ByteBuffer.allocateDirect(511);
    ByteBuffer val = ByteBuffer.allocateDirect(TxnBenchFiles.VALUE_BYTES * 4);
    return new Session() {
      @Override
      public void commit(byte[][] keys, byte[][] values) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
          for (int i = 0; i < keys.length; i++) {
            key.clear();
            key.put(keys[i]).flip();
            val.clear();
            val.put(values[i]).flip();
            db.put(txn, key, val);
          }
          txn.commit();
        }
        commits.increment();
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public String settings() {
    Meta.Version v = Meta.version();
    return "lmdb native=" + v.major + "." + v.minor + "." + v.patch + " envFlags=none"
        + " (commit syncs data and meta page) mapSize=" + MAP_SIZE;
  }

  @Override
  public String report() {
    try (Txn<ByteBuffer> txn = env.txnRead()) {
      return "lmdb commits=" + commits.sum() + " entries=" + db.stat(txn).entries
          + " lastPage=" + env.info().lastPageNumber;
    }
  }

  @Override
  public void close() {
    env.close();
  }
}
