package io.treestore.stores.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.treestore.spi.StoreException;
import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import io.treestore.txn.DatabaseOptions;
import io.treestore.txn.Transaction;
import io.treestore.wal.Durability;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search over every document keeps each document's versions in memory between searches
 * ({@link VersionsInEffect}); these checks make sure that no answer ever comes from a cached
 * version list that the reader's snapshot does not see: after a new version, after a
 * deletion, from a snapshot older than the cache, and from a read-write transaction whose own
 * uncommitted version must neither be missed nor leak into other readers' answers.
 */
class VersionsInEffectTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"),
      ZoneOffset.UTC);

  @TempDir Path dir;

  private TreeStore open() {
    return TreeStore.open(dir, TreeStoreOptions.defaults()
        .withDatabase(DatabaseOptions.defaults().withDurability(Durability.NONE))
        .withDiscovery(false)
        .withProviders(List.of(new DocumentStoreProvider(), new VersionStoreProvider()))
        .withClock(CLOCK));
  }

  private static String tree(String text) {
    return "{\"doc_name\": \"d\", \"structure\": [{\"title\": \"Grazing\", \"node_id\": \"0001\","
        + " \"start_index\": 1, \"end_index\": 1, \"text\": \"" + text + "\"}]}";
  }

  private static DocumentApi.StoreDocument version(String doc, String id, String date,
      String text) {
    return new DocumentApi.StoreDocument(doc, id, date, tree(text));
  }

  /** The (document, version) of every hit of a search over all documents, as of today. */
  private static List<String> everywhere(TreeStore ts, String word) {
    return hits((DocumentApi.SearchResult) ts.call("documents", "SearchByKeyword",
        new DocumentApi.Search(word, null, null, null, null, 10)));
  }

  private static List<String> everywhere(TreeStore ts, Transaction tx, String word) {
    return hits((DocumentApi.SearchResult) ts.call(tx, "documents", "SearchByKeyword",
        new DocumentApi.Search(word, null, null, null, null, 10)));
  }

  private static List<String> hits(DocumentApi.SearchResult r) {
    return r.hits().stream().map(h -> h.docId() + "/" + h.versionId()).sorted().toList();
  }

  @Test
  void aDocumentWithOnlyFutureVersionsShowsItsLatestAndCountsThemAll() {
    try (TreeStore ts = open()) {
      ts.call("documents", "StoreDocument", version("later", "v2", "2027-03-01", "b"));
      ts.call("documents", "StoreDocument", version("later", "v1", "2027-01-01", "a"));
      DocumentApi.DocumentInfo info = (DocumentApi.DocumentInfo) ts.call("documents",
          "GetDocument", new DocumentApi.DocumentRef("later"));
      // nothing is in effect on 2026-06-01: the latest by effective date is shown
      assertEquals(new DocumentApi.DocumentInfo("later", "d", null, "v2", "2027-03-01", 1, 2),
          info);
      StoreException e = assertThrows(StoreException.class, () -> ts.call("documents",
          "GetNode", new DocumentApi.NodeRef("later", "0001", null, null)));
      assertEquals("no version of document 'later' is in effect on 2026-06-01 (today)",
          e.getMessage());
      assertEquals("v1", ((DocumentApi.Node) ts.call("documents", "GetNode",
          new DocumentApi.NodeRef("later", "0001", null, "2027-02-01"))).versionId());
    }
  }

  @Test
  void searchesFollowEveryChangeOfVersionsAndNoSnapshotSeesAnothersVersions() {
    try (TreeStore ts = open()) {
      ts.call("documents", "StoreDocument", version("a", "v1", "2026-01-01", "yak herds"));
      ts.call("documents", "StoreDocument", version("b", "v1", "2026-01-01", "yak herds"));
      assertEquals(List.of("a/v1", "b/v1"), everywhere(ts, "yak"));

      try (Transaction old = ts.database().beginReadOnly()) {
        // a new version of a, in effect today: the cached lists of a and b are stale
        ts.call("documents", "StoreDocument", version("a", "v2", "2026-02-01", "zebra herds"));
        assertEquals(List.of("a/v2"), everywhere(ts, "zebra"));
        assertEquals(List.of("b/v1"), everywhere(ts, "yak"));
        // the older snapshot still has a at v1, though the cache now holds a newer epoch
        assertEquals(List.of("a/v1", "b/v1"), everywhere(ts, old, "yak"));
        assertEquals(List.of(), everywhere(ts, old, "zebra"));
      }

      // a version effective in the future changes nothing today, but is counted as a change
      ts.call("documents", "StoreDocument", version("b", "v2", "2027-01-01", "zebra herds"));
      assertEquals(List.of("a/v2"), everywhere(ts, "zebra"));
      assertEquals(List.of("b/v1"), everywhere(ts, "yak"));

      // a read-write transaction sees its own new version; once rolled back, nobody does
      Transaction rw = ts.database().begin();
      try {
        ts.call(rw, "documents", "StoreDocument", version("b", "v3", "2026-03-01",
            "zebra herds"));
        assertEquals(List.of("a/v2", "b/v3"), everywhere(ts, rw, "zebra"));
        assertEquals(List.of(), everywhere(ts, rw, "yak"));
        assertEquals(List.of("a/v2"), everywhere(ts, "zebra"));
      } finally {
        rw.rollback();
      }
      assertEquals(List.of("a/v2"), everywhere(ts, "zebra"));
      assertEquals(List.of("b/v1"), everywhere(ts, "yak"));

      // the same change committed: every later reader sees it
      ts.call("documents", "StoreDocument", version("b", "v3", "2026-03-01", "zebra herds"));
      assertEquals(List.of("a/v2", "b/v3"), everywhere(ts, "zebra"));
      assertEquals(List.of(), everywhere(ts, "yak"));

      // a deleted document is gone from the search at once
      ts.call("documents", "DeleteDocument", new DocumentApi.DocumentRef("a"));
      assertEquals(List.of("b/v3"), everywhere(ts, "zebra"));
    }
  }

  @Test
  void aCounterWrittenByEveryVersionChangeIdentifiesTheVersionsASnapshotSees() {
    try (TreeStore ts = open()) {
      long[] epochs = new long[4];
      epochs[0] = epoch(ts);
      ts.call("documents", "StoreDocument", version("a", "v1", "2026-01-01", "yak"));
      epochs[1] = epoch(ts);
      ts.call("documents", "StoreDocument", version("a", "v0", "2025-01-01", "yak"));
      epochs[2] = epoch(ts);
      ts.call("documents", "DeleteDocument", new DocumentApi.DocumentRef("a"));
      epochs[3] = epoch(ts);
      for (int i = 1; i < epochs.length; i++) {
        assertEquals(epochs[i - 1] + 1, epochs[i], "epoch after change " + i);
      }
    }
  }

  private static long epoch(TreeStore ts) {
    try (Transaction tx = ts.database().beginReadOnly()) {
      return DocumentModel.versionsEpoch(tx);
    }
  }
}
