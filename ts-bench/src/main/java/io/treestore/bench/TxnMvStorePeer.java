package io.treestore.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.tx.Transaction;
import org.h2.mvstore.tx.TransactionMap;
import org.h2.mvstore.tx.TransactionStore;
import org.h2.mvstore.type.ByteArrayDataType;

/**
 * H2 MVStore adapter: a {@link TransactionStore} over an {@link MVStore} in {@code txn.mv},
 * one transactional map {@code kv} of {@code byte[]} keys and values
 * ({@link ByteArrayDataType}).
 *
 * <p>Durability. MVStore has no write-ahead log: a transaction is durable once a chunk holding
 * it is written and synced. {@link MVStore#commit()} writes a chunk but does not sync
 * ({@code FileStore.storeIt} only writes; H2 2.4.240's {@code MVStore.sync()} is documented as
 * "Force all stored changes to be written to the storage" and calls
 * {@code FileChannel.force(true)}). So the store is opened with
 * {@link MVStore.Builder#autoCommitDisabled()} (no background writer thread; with auto-commit
 * delay 0, {@code Transaction.commit()} itself calls {@code MVStore.commit()} through
 * {@code TransactionStore.endTransaction}), and a commit is:
 * {@link TransactionStore#begin()}, {@link TransactionMap#put} per row,
 * {@link Transaction#commit()}, then {@link MVStore#commit()} (a no-op when the transaction's
 * commit already stored the chunk) and {@link MVStore#sync()}. Concurrent committers are
 * serialized by MVStore's store lock ({@code MVStore.commit()} blocks on it, then stores a
 * chunk if anything is unsaved); their syncs run concurrently. MVStore has no group commit as
 * such, but a chunk holds every change committed before it was written, so under concurrency
 * one chunk carries several transactions (the log line's {@code storeVersion}, the number of
 * chunks stored, is then below {@code commits}). Cache, page split size and compression are
 * MVStore's defaults (no compression).
 */
final class TxnMvStorePeer implements TxnPeer {
  private final Path file;
  private final MVStore store;
  private final TransactionStore txs;
  private final LongAdder commits = new LongAdder();

  TxnMvStorePeer(Path dir) {
    this.file = dir.resolve("txn.mv");
    this.store = new MVStore.Builder()
        .fileName(file.toString())
        .autoCommitDisabled()
        .open();
    this.txs = new TransactionStore(store);
    txs.init();
  }

  @Override
  public Session session() {
    return new Session() {
      @Override
      public void commit(byte[][] keys, byte[][] values) {
        Transaction tx = txs.begin();
        boolean done = false;
        try {
          TransactionMap<byte[], byte[]> map = tx.openMap("kv", ByteArrayDataType.INSTANCE,
              ByteArrayDataType.INSTANCE);
          for (int i = 0; i < keys.length; i++) {
            map.put(keys[i], values[i]);
          }
          tx.commit();
          done = true;
        } finally {
          if (!done) {
            tx.rollback();
          }
        }
        store.commit();
        store.sync();
        commits.increment();
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public String settings() {
    return "mvstore version=" + org.h2.engine.Constants.FULL_VERSION + " autoCommitDelay="
        + store.getAutoCommitDelay() + " (0 = disabled, no background writer)"
        + " retentionTimeMs=" + store.getFileStore().getRetentionTime()
        + " per commit: Transaction.commit() + MVStore.commit() + MVStore.sync()"
        + " (FileChannel.force(true))";
  }

  @Override
  public String report() {
    long bytes;
    try {
      bytes = Files.size(file);
    } catch (java.io.IOException e) {
      bytes = -1;
    }
    return "mvstore commits=" + commits.sum() + " storeVersion=" + store.getCurrentVersion()
        + " fileBytes=" + bytes;
  }

  @Override
  public void close() {
    txs.close();
    store.close();
  }
}
