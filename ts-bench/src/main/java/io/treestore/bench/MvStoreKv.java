package io.treestore.bench;

import java.nio.file.Path;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.infra.Blackhole;

/**
 * H2 MVStore adapter: one {@link MVMap} of {@code byte[]} keys and values
 * ({@link ByteArrayDataType}, which orders keys as unsigned bytes) in {@code kv.mv}.
 *
 * <p>Store: {@code cacheSize} in MiB (MVStore counts its estimate of the heap bytes of cached
 * pages, not file bytes), no compression, {@code autoCommitDisabled()} and
 * {@code autoCommitBufferSize(0)}: no background commit thread and no commit triggered by the
 * amount of unsaved data, so puts stay in memory until {@link #commit()}, as TreeStore's do
 * until a flush.
 *
 * <ul>
 *   <li>load: {@link MVMap#put} of the sorted entries, then {@link MVStore#commit()} (MVStore
 *       has no bulk-load API); while loading, the default auto-commit buffer is kept so that
 *       the load commits as it goes;
 *   <li>get: {@link MVMap#get} (returns the stored array, no copy);
 *   <li>put: {@link MVMap#put} without commit (the map keeps the caller's arrays);
 *   <li>scan: {@link MVMap#cursor(Object)}, then {@code next()} and {@code getValue()};
 *   <li>commit: {@link MVStore#commit()} (writes a chunk, syncs).
 * </ul>
 */
final class MvStoreKv implements KvEngine {
  private final MVStore store;
  private final MVMap<byte[], byte[]> map;
  private final int cacheMiB;

  MvStoreKv(Path dir, long cacheBytes, boolean loading) {
    this.cacheMiB = (int) Math.max(1, Math.min(Integer.MAX_VALUE, cacheBytes >> 20));
    MVStore.Builder b = new MVStore.Builder()
        .fileName(dir.resolve("kv.mv").toString())
        .cacheSize(cacheMiB)
        .autoCommitDisabled();
    if (!loading) {
      b.autoCommitBufferSize(0);
    }
    this.store = b.open();
    this.map = store.openMap("kv", new MVMap.Builder<byte[], byte[]>()
        .keyType(ByteArrayDataType.INSTANCE)
        .valueType(ByteArrayDataType.INSTANCE));
  }

  @Override
  public void load(KvData data) {
    for (byte[] k : data.sorted) {
      map.put(k.clone(), KvData.valueFor(k));
    }
    store.commit();
  }

  @Override
  public byte @Nullable [] get(byte[] key) {
    return map.get(key);
  }

  @Override
  public void put(byte[] key, byte[] value) {
    map.put(key, value);
  }

  @Override
  public void deleteAll(byte[][] keys, int count) {
    for (int i = 0; i < count; i++) {
      map.remove(keys[i]);
    }
  }

  @Override
  public int scan(byte[] from, int n, @Nullable Blackhole bh) {
    Cursor<byte[], byte[]> c = map.cursor(from);
    int i = 0;
    while (i < n && c.hasNext()) {
      byte[] k = c.next();
      byte[] v = c.getValue();
      if (bh != null) {
        bh.consume(k);
        bh.consume(v);
      }
      i++;
    }
    return i;
  }

  @Override
  public void commit() {
    store.commit();
  }

  @Override
  public String report() {
    return "mvstore cacheSizeMiB=" + cacheMiB + " cacheUsedMiB=" + store.getCacheSizeUsed()
        + " cacheHitRatio=" + cacheHitRatio();
  }

  private String cacheHitRatio() {
    var fs = store.getFileStore();
    return fs == null ? "n/a" : String.valueOf(fs.getCacheHitRatio());
  }

  @Override
  public long cacheFootprint(long fileBytes) {
    return (long) store.getCacheSizeUsed() << 20;
  }

  @Override
  public void close() {
    store.close();
  }
}
