package io.treestore.bench;

import io.treestore.btree.BTree;
import io.treestore.btree.BTreeFile;
import io.treestore.btree.BTreeOptions;
import io.treestore.btree.BTreeStats;
import io.treestore.btree.Cursor;
import io.treestore.page.CacheStats;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.infra.Blackhole;

/**
 * TreeStore adapter: one {@link BTree} named {@code kv} in {@code kv.ts}, 4 KiB pages.
 *
 * <ul>
 *   <li>load: {@link BTree#bulkLoad} of the sorted entries, then {@link BTreeFile#flush()};
 *   <li>get: {@link BTree#get} (pins the current version, returns a copy of the value);
 *   <li>put: {@link BTree#put} without flush (copy-on-write path in memory, visible at once);
 *   <li>scan: {@link BTree#cursor()}, {@link Cursor#seek}, then {@link Cursor#key()} and
 *       {@link Cursor#value()} (copies) and {@link Cursor#next()};
 *   <li>commit: {@link BTreeFile#flush()} (writes dirty pages, fsync, meta switch, fsync).
 * </ul>
 */
final class TreeStoreKv implements KvEngine {
  private final BTreeFile file;
  private final BTree tree;
  private final long cacheBytes;
  private CacheStats marked = new CacheStats(0, 0, 0, 0, 0);

  TreeStoreKv(Path dir, long cacheBytes) {
    this.cacheBytes = cacheBytes;
    this.file = BTreeFile.open(dir.resolve("kv.ts"),
        BTreeOptions.defaults().withCacheBytes(cacheBytes));
    this.tree = file.tree("kv");
  }

  @Override
  public void load(KvData data) {
    tree.bulkLoad(data.sortedEntries());
    file.flush();
  }

  @Override
  public byte @Nullable [] get(byte[] key) {
    return tree.get(key);
  }

  @Override
  public void put(byte[] key, byte[] value) {
    tree.put(key, value);
  }

  @Override
  public void deleteAll(byte[][] keys, int count) {
    for (int i = 0; i < count; i++) {
      tree.delete(keys[i]);
    }
  }

  @Override
  public int scan(byte[] from, int n, @Nullable Blackhole bh) {
    int i = 0;
    try (Cursor c = tree.cursor()) {
      if (!c.seek(from)) {
        return 0;
      }
      do {
        byte[] k = c.key();
        byte[] v = c.value();
        if (bh != null) {
          bh.consume(k);
          bh.consume(v);
        }
        i++;
      } while (i < n && c.next());
    }
    return i;
  }

  @Override
  public void commit() {
    file.flush();
  }

  @Override
  public void mark() {
    marked = file.stats().cache();
  }

  @Override
  public String report() {
    BTreeStats s = file.stats();
    long hits = s.cache().hits() - marked.hits();
    long misses = s.cache().misses() - marked.misses();
    return String.format("treestore cacheBytes=%d pages=%d freePages=%d fileBytes=%d cache=%s;"
        + " since mark: hits=%d misses=%d hitRate=%.3f", cacheBytes, s.pageCount(),
        s.freePages(), s.fileBytes(), s.cache(), hits, misses,
        hits + misses == 0 ? 1.0 : (double) hits / (hits + misses));
  }

  @Override
  public long cacheFootprint(long fileBytes) {
    return file.stats().cache().sizeBytes();
  }

  @Override
  public void close() {
    file.close();
  }
}
