package io.treestore.bench;

import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import io.treestore.stores.documents.DocumentApi;
import io.treestore.stores.documents.DocumentStoreProvider;
import io.treestore.stores.documents.VersionStoreProvider;
import io.treestore.txn.Database;
import io.treestore.txn.DatabaseOptions;
import io.treestore.wal.Durability;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * TreeStore through its embedded API, as a user calls it: {@link TreeStore#open} with the
 * {@code documents} and {@code versions} stores given explicitly (no discovery), and
 * {@link TreeStore#call} with the {@link DocumentApi} request records. Each call runs in its
 * own transaction (read-only for reads; a read-write one, committed with the configured
 * durability, for StoreDocument and DeleteDocument).
 */
final class TreeStoreDocs implements DocsEngine {
  /**
   * System property with store settings for the opened store, {@code key=value} pairs
   * separated by commas (for example
   * {@code store.documents.record_cache_bytes=0}); none by default.
   */
  static final String SETTINGS_PROPERTY = "ts.bench.treestore.settings";

  private final TreeStore ts;
  private final DatabaseOptions options;

  /**
   * Opens (creating if needed) the store in {@code dir}.
   *
   * @param dir the data directory
   * @param durability commit durability
   * @param cacheBytes page cache capacity
   */
  TreeStoreDocs(Path dir, Durability durability, long cacheBytes) {
    this.options = DatabaseOptions.defaults().withDurability(durability)
        .withCacheBytes(cacheBytes);
    this.ts = TreeStore.open(dir, TreeStoreOptions.defaults().withDiscovery(false)
        .withProviders(List.of(new DocumentStoreProvider(), new VersionStoreProvider()))
        .withDatabase(options).withSettings(settingsProperty()));
  }

  /** Store settings from {@value #SETTINGS_PROPERTY}: {@code key=value,key=value}. */
  private static Map<String, String> settingsProperty() {
    Map<String, String> m = new LinkedHashMap<>();
    String p = System.getProperty(SETTINGS_PROPERTY, "");
    for (String kv : p.split(",")) {
      if (!kv.isBlank()) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException(SETTINGS_PROPERTY + ": expected key=value, was '"
              + kv + "'");
        }
        m.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
      }
    }
    return m;
  }

  /**
   * Loads documents in one transaction (the bulk load of the corpus).
   *
   * @param docIds the ids
   * @param jsons the PageIndex JSON of each
   */
  void loadBatch(List<String> docIds, List<String> jsons) {
    ts.inTransaction(tx -> {
      for (int i = 0; i < docIds.size(); i++) {
        ts.call(tx, "documents", "StoreDocument", new DocumentApi.StoreDocument(docIds.get(i),
            StoresCorpus.VERSION, StoresCorpus.DATE, jsons.get(i)));
      }
      return null;
    });
  }

  /**
   * Returns the database under the stores (for {@link SearchBenchmark}, which searches the
   * documents store's full-text index directly).
   *
   * @return the database
   */
  Database database() {
    return ts.database();
  }

  /** Writes a checkpoint (after the bulk load). */
  void checkpoint() {
    ts.database().checkpoint();
  }

  @Override
  public int ingest(String docId, String json) {
    return ((DocumentApi.Stored) ts.call("documents", "StoreDocument",
        new DocumentApi.StoreDocument(docId, StoresCorpus.VERSION, StoresCorpus.DATE, json)))
        .nodeCount();
  }

  @Override
  public void delete(String docId) {
    ts.call("documents", "DeleteDocument", new DocumentApi.DocumentRef(docId));
  }

  @Override
  public DocumentApi.Node getNode(String docId, String nodeId) {
    return (DocumentApi.Node) ts.call("documents", "GetNode",
        new DocumentApi.NodeRef(docId, nodeId, StoresCorpus.VERSION, null));
  }

  @Override
  public DocumentApi.NodeList getChildren(String docId, String nodeId) {
    return (DocumentApi.NodeList) ts.call("documents", "GetChildren",
        new DocumentApi.NodeRef(docId, nodeId, StoresCorpus.VERSION, null));
  }

  @Override
  public DocumentApi.Node getSubtree(String docId, String nodeId, @Nullable Integer depth) {
    return (DocumentApi.Node) ts.call("documents", "GetSubtree",
        new DocumentApi.SubtreeRef(docId, nodeId, depth, StoresCorpus.VERSION, null));
  }

  @Override
  public DocumentApi.NodeList getAncestorPath(String docId, String nodeId) {
    return (DocumentApi.NodeList) ts.call("documents", "GetAncestorPath",
        new DocumentApi.NodeRef(docId, nodeId, StoresCorpus.VERSION, null));
  }

  @Override
  public DocumentApi.NodeList getNodesByPage(String docId, int page) {
    return (DocumentApi.NodeList) ts.call("documents", "GetNodesByPage",
        new DocumentApi.PageRef(docId, page, StoresCorpus.VERSION, null));
  }

  @Override
  public DocumentApi.SearchResult search(String query, @Nullable String docId) {
    return (DocumentApi.SearchResult) ts.call("documents", "SearchByKeyword",
        new DocumentApi.Search(query, docId, docId == null ? null : StoresCorpus.VERSION, null,
            null, 10));
  }

  @Override
  public String settings() {
    var s = ts.database().stats();
    return "treestore durability=" + options.durability() + " cacheBytes="
        + options.cacheBytes() + " pageSize=" + options.pageSize() + " stats=" + s;
  }

  @Override
  public void close() {
    ts.close();
  }
}
