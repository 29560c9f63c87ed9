package io.treestore.stores.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.index.IndexCheckReport;
import io.treestore.spi.ErrorCode;
import io.treestore.spi.StoreException;
import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import io.treestore.stores.documents.DocumentApi.Node;
import io.treestore.stores.metadata.MetadataApi;
import io.treestore.stores.metadata.MetadataStoreProvider;
import io.treestore.txn.DatabaseOptions;
import io.treestore.txn.Transaction;
import io.treestore.wal.Durability;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Writer threads ingest and re-ingest documents (real trees and edited ones, some back-dated)
 * and record a tool result of the metadata store in the same transaction, or abort such a
 * transaction after both writes; reader threads check, each in one read-only transaction,
 * that the stores agree in that snapshot: GetDocument's node count is the current version's,
 * GetTree returns exactly node_count nodes (also for older versions), end dates chain, every
 * search hit's node exists in that version, and the tool results recorded with the ingests
 * are exactly the versions visible (a tool result is visible iff its ingest is). At the end,
 * every acknowledged ingest is there, no aborted one, and the table and full-text indexes
 * pass their checks. Bounded: a fixed number of ingests; readers stop when writers are done
 * (or after 2,000 reads each).
 */
class ConcurrentIngestTest {
  private static final long SEED = Long.getLong("ts.seed", System.nanoTime());
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"),
      ZoneOffset.UTC);
  private static final int WRITERS = 3;
  private static final int INGESTS_PER_WRITER = 10;
  private static final int READERS = 2;
  private static final int MAX_READS = 2_000;
  private static final List<String> DOCS = List.of("c0", "c1", "c2", "c3", "c4");
  private static final String TOOL = "StoreDocument";
  private static final List<String> WORDS = List.of("revenue", "risk", "interest", "lecture",
      "customer", "broker", Trees.MARK, "growth", "earthmover");

  @TempDir Path dir;

  /** Thrown by a writer to abort a transaction after its writes. */
  private static final class Abort extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Abort() {
      super("abort", null, false, false);
    }
  }

  private static String caseOf(String doc) {
    return "ingest-" + doc;
  }

  @Test
  void readersSeeConsistentSnapshotsAcrossStoresWhileWritersIngest() throws Exception {
    String ctx = "seed " + SEED + " (rerun with -Dts.seed=" + SEED + ")";
    System.out.println("ConcurrentIngestTest " + ctx);
    // the trees to ingest: the smaller real ones and an edit of each
    List<String> bodies = new ArrayList<>();
    Random prep = new Random(SEED);
    for (Path f : Trees.files()) {
      if (f.toString().contains("2023-annual-report")) {
        continue; // the largest: keeps the test short
      }
      JsonNode t = Trees.read(f);
      bodies.add(t.toString());
      bodies.add(Trees.mutate(t, prep, "e").toString());
    }
    Map<String, Map<String, Integer>> acked = new ConcurrentHashMap<>();
    DOCS.forEach(d -> acked.put(d, new ConcurrentHashMap<>()));
    AtomicBoolean writersDone = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();
    AtomicInteger aborted = new AtomicInteger();
    AtomicInteger conflicts = new AtomicInteger();
    try (TreeStore ts = TreeStore.open(dir, TreeStoreOptions.defaults()
        .withDatabase(DatabaseOptions.defaults().withDurability(Durability.NONE))
        .withDiscovery(false)
        .withProviders(List.of(new DocumentStoreProvider(), new VersionStoreProvider(),
            new MetadataStoreProvider()))
        .withClock(CLOCK))) {
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS + READERS);
      try {
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          Random r = new Random(SEED * 31 + w);
          int me = w;
          writers.add(pool.submit(() -> {
            for (int i = 0; i < INGESTS_PER_WRITER; i++) {
              String doc = DOCS.get(r.nextInt(DOCS.size()));
              String body = bodies.get(r.nextInt(bodies.size()));
              // mostly today; sometimes back-dated (it then precedes later versions)
              String date = r.nextInt(4) == 0 ? LocalDate.now(CLOCK).minusDays(1 + r.nextInt(
                  30)).toString() : null;
              boolean abort = r.nextInt(6) == 0;
              String ghost = abort ? "ghost-" + me + "-" + i : null;
              try {
                DocumentApi.Stored st = ts.inTransaction(tx -> {
                  DocumentApi.Stored s = (DocumentApi.Stored) ts.call(tx, "documents",
                      "StoreDocument", new DocumentApi.StoreDocument(doc, ghost, date, body));
                  ts.call(tx, "metadata", "StoreToolResult", new MetadataApi.ToolResult(
                      caseOf(doc), null, TOOL, Map.of("doc_id", doc, "version_id",
                      s.versionId(), "node_count", s.nodeCount()), Map.of(), null, 1, true,
                      null));
                  if (abort) {
                    throw new Abort();
                  }
                  return s;
                });
                assertNull(ghost, "an aborted transaction committed");
                assertTrue(acked.get(doc).put(st.versionId(), st.nodeCount()) == null,
                    ctx + ": version " + st.versionId() + " of " + doc + " acknowledged twice");
              } catch (Abort e) {
                aborted.incrementAndGet();
              } catch (StoreException e) {
                if (e.code() != ErrorCode.CONFLICT) {
                  throw e;
                }
                conflicts.incrementAndGet(); // ten attempts lost: allowed, nothing written
              }
            }
            return null;
          }));
        }
        List<Future<?>> readers = new ArrayList<>();
        for (int k = 0; k < READERS; k++) {
          Random r = new Random(SEED * 17 + k);
          readers.add(pool.submit(() -> {
            for (int n = 0; n < MAX_READS && (!writersDone.get() || n < 3); n++) {
              try (Transaction tx = ts.database().beginReadOnly()) {
                checkSnapshot(ts, tx, r, null, ctx + ", read " + n);
              }
              reads.incrementAndGet();
              Thread.sleep(r.nextInt(20)); // leaves the writers some of the processors
            }
            return null;
          }));
        }
        for (Future<?> f : writers) {
          f.get(5, TimeUnit.MINUTES);
        }
        writersDone.set(true);
        for (Future<?> f : readers) {
          f.get(5, TimeUnit.MINUTES);
        }
      } finally {
        writersDone.set(true);
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
      }
      int committed = acked.values().stream().mapToInt(Map::size).sum();
      System.out.printf("ConcurrentIngestTest %s: %d ingests committed, %d aborted, %d lost"
          + " to conflicts, %d snapshot reads%n", ctx, committed, aborted.get(),
          conflicts.get(), reads.get());
      assertTrue(committed >= WRITERS * INGESTS_PER_WRITER / 2, ctx + ": too few ingests "
          + "committed: " + committed);
      try (Transaction tx = ts.database().beginReadOnly()) {
        checkSnapshot(ts, tx, new Random(SEED), acked, ctx + ", at the end");
        DocumentModel m = new DocumentModel(CLOCK);
        for (IndexCheckReport rep : List.of(m.docs.check(tx, 20), m.versions.check(tx, 20),
            m.nodes.check(tx, 20), m.fts.check(tx, 20))) {
          assertTrue(rep.ok(), ctx + ": " + rep);
        }
      }
    }
  }

  /**
   * Checks one snapshot; with {@code acked}, also that exactly the acknowledged versions are
   * visible.
   */
  private static void checkSnapshot(TreeStore ts, Transaction tx, Random r,
      @Nullable Map<String, Map<String, Integer>> acked, String ctx) {
    DocumentApi.DocumentList list = (DocumentApi.DocumentList) ts.call(tx, "documents",
        "ListDocuments", new DocumentApi.ListDocuments(null));
    Map<String, DocumentApi.DocumentInfo> current = new HashMap<>();
    for (DocumentApi.DocumentInfo info : list.documents()) {
      current.put(info.docId(), info);
    }
    for (String doc : DOCS) {
      String at = ctx + ", document " + doc;
      MetadataApi.ToolResults tools = (MetadataApi.ToolResults) ts.call(tx, "metadata",
          "GetToolResults", new MetadataApi.ToolResultQuery(caseOf(doc), TOOL, null, null,
              10_000));
      Map<String, Integer> recorded = new HashMap<>();
      for (MetadataApi.StoredToolResult t : tools.results()) {
        Map<String, Object> in = t.result().input();
        assertEquals(doc, in.get("doc_id"), at);
        assertTrue(recorded.put((String) in.get("version_id"),
            ((Number) in.get("node_count")).intValue()) == null, at + ": tool result of "
            + in.get("version_id") + " twice");
      }
      DocumentApi.DocumentInfo info = current.get(doc);
      if (info == null) {
        assertEquals(Map.of(), recorded, at + ": tool results of a document not ingested");
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class, () -> ts.call(tx,
            "documents", "GetDocument", new DocumentApi.DocumentRef(doc))).code(), at);
        if (acked != null) {
          assertEquals(Map.of(), acked.get(doc), at + ": acknowledged versions missing");
        }
        continue;
      }
      assertEquals(info, ts.call(tx, "documents", "GetDocument",
          new DocumentApi.DocumentRef(doc)), at + ": GetDocument = ListDocuments' entry");
      List<DocumentApi.Version> vs = ((DocumentApi.VersionList) ts.call(tx, "versions",
          "ListVersions", new DocumentApi.DocumentRef(doc))).versions();
      Map<String, Integer> visible = new HashMap<>();
      for (int i = 0; i < vs.size(); i++) {
        DocumentApi.Version v = vs.get(i);
        visible.put(v.versionId(), v.nodeCount());
        assertEquals(i + 1 < vs.size() ? vs.get(i + 1).effectiveDate() : null, v.endDate(),
            at + ": end date of " + v.versionId());
        assertTrue(!v.versionId().startsWith("ghost"), at + ": aborted version visible");
      }
      assertEquals(visible, recorded, at + ": versions visible = tool results recorded with"
          + " them (version id -> node count)");
      if (acked != null) {
        assertEquals(acked.get(doc), visible, at + ": versions = acknowledged ingests");
      }
      DocumentApi.Version last = vs.get(vs.size() - 1);
      assertEquals(vs.size(), info.versions(), at);
      assertEquals(last.versionId(), info.versionId(), at + ": current version");
      assertEquals(last.nodeCount(), info.nodeCount(), at + ": GetDocument node_count");
      DocumentApi.Tree tree = (DocumentApi.Tree) ts.call(tx, "documents", "GetTree",
          new DocumentApi.TreeRef(doc, null, null, null));
      assertEquals(info.versionId(), tree.versionId(), at);
      assertEquals(info.nodeCount(), Trees.flatten(tree.roots()).size(),
          at + ": GetTree holds node_count nodes");
      DocumentApi.Version old = vs.get(r.nextInt(vs.size()));
      DocumentApi.Tree t2 = (DocumentApi.Tree) ts.call(tx, "documents", "GetTree",
          new DocumentApi.TreeRef(doc, null, old.versionId(), null));
      assertEquals(old.nodeCount(), Trees.flatten(t2.roots()).size(),
          at + ": GetTree of version " + old.versionId());
    }
    String word = WORDS.get(r.nextInt(WORDS.size()));
    DocumentApi.SearchResult sr = (DocumentApi.SearchResult) ts.call(tx, "documents",
        "SearchByKeyword", new DocumentApi.Search(word, null, null, null, null, 50));
    for (DocumentApi.Hit h : sr.hits()) {
      String at = ctx + ", search '" + word + "' hit " + h.docId() + "/" + h.versionId() + "/"
          + h.nodeId();
      assertEquals(current.get(h.docId()).versionId(), h.versionId(),
          at + ": the hit is in the current version");
      Node n = (Node) ts.call(tx, "documents", "GetNode", new DocumentApi.NodeRef(h.docId(),
          h.nodeId(), h.versionId(), null));
      assertEquals(n.title(), h.title(), at);
      assertEquals(n.sectionPath(), h.sectionPath(), at);
    }
  }
}
