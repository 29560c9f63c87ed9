package io.treestore.bench;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.GetOp;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;
import org.openjdk.jmh.infra.Blackhole;

/**
 * LMDB adapter (lmdbjava with the bundled native LMDB 0.9.33, {@code ByteBuffer} proxy).
 *
 * <p>Environment: map size {@value #MAP_SIZE} bytes, flags {@code MDB_NOSYNC},
 * {@code MDB_NOMETASYNC} (commits are not fsynced; {@link #commit()} syncs explicitly),
 * {@code MDB_WRITEMAP} (commits write into the shared map instead of calling {@code pwrite};
 * with one transaction per put this was about five times faster here than the default, so it
 * is the configuration a write-heavy LMDB user would choose) and {@code MDB_NOTLS} (a read
 * transaction may move between JMH worker threads). LMDB has no
 * cache of its own: it reads through a shared memory map, so its "cache" is the OS page cache,
 * which a benchmark cannot limit.
 *
 * <ul>
 *   <li>load: one write transaction of {@code MDB_APPEND} puts of the sorted entries, commit,
 *       sync;
 *   <li>get: {@code renew} of a kept read transaction (the documented cheap way to start a
 *       read), {@code mdb_get}, copy of the value out of the map into a {@code byte[]},
 *       {@code reset};
 *   <li>put: a write transaction per put ({@code mdb_txn_begin}, {@code mdb_put},
 *       {@code mdb_txn_commit} without fsync), so each put is atomic and visible at once, as
 *       a TreeStore put is;
 *   <li>scan: renew of the read transaction and of a kept cursor, {@code MDB_SET_RANGE}, then
 *       {@code MDB_NEXT}, copying each key and value into {@code byte[]}s;
 *   <li>commit: {@code mdb_env_sync(force)}.
 * </ul>
 */
final class LmdbKv implements KvEngine {
  /** Map size: room for the data set, the inserts and copy-on-write garbage. */
  static final long MAP_SIZE = 2L << 30;

  private final Env<ByteBuffer> env;
  private final Dbi<ByteBuffer> db;
  private final Txn<ByteBuffer> readTxn;
  private final Cursor<ByteBuffer> readCursor;
  private final ByteBuffer keyBuf = ByteBuffer.allocateDirect(511);
  private final ByteBuffer valBuf = ByteBuffer.allocateDirect(KvData.VALUE_BYTES * 4);

  LmdbKv(Path dir) {
    this.env = Env.create()
        .setMapSize(MAP_SIZE)
        .setMaxDbs(1)
        .setMaxReaders(16)
        .open(dir.toFile(), EnvFlags.MDB_NOSYNC, EnvFlags.MDB_NOMETASYNC, EnvFlags.MDB_WRITEMAP,
            EnvFlags.MDB_NOTLS);
    this.db = env.openDbi("kv", DbiFlags.MDB_CREATE);
    this.readTxn = env.txnRead();
    this.readCursor = db.openCursor(readTxn);
    readTxn.reset();
  }

  private ByteBuffer key(byte[] key) {
    keyBuf.clear();
    keyBuf.put(key).flip();
    return keyBuf;
  }

  private ByteBuffer val(byte[] value) {
    valBuf.clear();
    valBuf.put(value).flip();
    return valBuf;
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  @Override
  public void load(KvData data) {
    try (Txn<ByteBuffer> txn = env.txnWrite(); Cursor<ByteBuffer> c = db.openCursor(txn)) {
      for (byte[] k : data.sorted) {
        c.put(key(k), val(KvData.valueFor(k)), PutFlags.MDB_APPEND);
      }
      c.close();
      txn.commit();
    }
    env.sync(true);
  }

  @Override
  public byte @Nullable [] get(byte[] key) {
    readTxn.renew();
    try {
      ByteBuffer v = db.get(readTxn, key(key));
      return v == null ? null : bytes(v);
    } finally {
      readTxn.reset();
    }
  }

  @Override
  public void put(byte[] key, byte[] value) {
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      db.put(txn, key(key), val(value));
      txn.commit();
    }
  }

  @Override
  public void deleteAll(byte[][] keys, int count) {
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      for (int i = 0; i < count; i++) {
        db.delete(txn, key(keys[i]));
      }
      txn.commit();
    }
  }

  @Override
  public int scan(byte[] from, int n, @Nullable Blackhole bh) {
    readTxn.renew();
    try {
      readCursor.renew(readTxn);
      if (!readCursor.get(key(from), GetOp.MDB_SET_RANGE)) {
        return 0;
      }
      int i = 0;
      do {
        byte[] k = bytes(readCursor.key());
        byte[] v = bytes(readCursor.val());
        if (bh != null) {
          bh.consume(k);
          bh.consume(v);
        }
        i++;
      } while (i < n && readCursor.next());
      return i;
    } finally {
      readTxn.reset();
    }
  }

  @Override
  public void commit() {
    env.sync(true);
  }

  @Override
  public String report() {
    readTxn.renew();
    try {
      return "lmdb mapSize=" + MAP_SIZE + " (no own cache: OS page cache) stat="
          + db.stat(readTxn) + " lastPage=" + env.info().lastPageNumber;
    } finally {
      readTxn.reset();
    }
  }

  @Override
  public long cacheFootprint(long fileBytes) {
    // With MDB_WRITEMAP the file is sized to the map (sparse); count the pages in use.
    return (env.info().lastPageNumber + 1) * env.stat().pageSize;
  }

  @Override
  public void close() {
    readCursor.close();
    readTxn.close();
    env.sync(true);
    env.close();
  }
}
