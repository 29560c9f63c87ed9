package io.treestore.stores.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.spi.ErrorCode;
import io.treestore.spi.StoreException;
import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import io.treestore.stores.documents.DocumentApi.Node;
import io.treestore.stores.documents.Trees.Want;
import io.treestore.txn.DatabaseOptions;
import io.treestore.txn.Transaction;
import io.treestore.wal.Durability;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Re-ingests every real tree, edited in the test, as further versions, and checks the
 * version history against answers computed here from the JSONs: each version's diff (added,
 * modified and deleted node ids with the old and new values of exactly the changed fields),
 * effective and end dates, and every read as of the days before, on and after each
 * effective date (same-day versions: the later ingest wins) and by version id. The history
 * of each document: v1 the tree; v2 an edit (later date); v3 another edit the same day;
 * v4 the original tree again; then two back-dated versions (before v1, between v1 and v2),
 * which become the predecessors of existing versions, whose diffs must follow.
 */
class VersionReingestTest {
  private static final long SEED = Long.getLong("ts.seed", System.nanoTime());
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"),
      ZoneOffset.UTC);

  @TempDir Path dir;

  /** One version as the test ingested it. */
  record Ingested(String id, LocalDate date, int order, JsonNode tree,
      Map<String, Want> nodes) {}

  TreeStore open() {
    return TreeStore.open(dir, TreeStoreOptions.defaults()
        .withDatabase(DatabaseOptions.defaults().withDurability(Durability.NONE))
        .withDiscovery(false)
        .withProviders(List.of(new DocumentStoreProvider(), new VersionStoreProvider()))
        .withClock(CLOCK));
  }

  @Test
  void everyTreeReingestedWithEditsHasExactDiffsDatesAndAsOfReads() {
    System.out.println("VersionReingestTest seed=" + SEED + " (rerun with -Dts.seed=" + SEED
        + ")");
    List<Path> files = Trees.files();
    TreeSet<String> fieldsEdited = new TreeSet<>();
    try (TreeStore ts = open()) {
      for (Path f : files) {
        String doc = Trees.docId(f);
        String ctx = doc + ", seed " + SEED;
        Random r = new Random(SEED ^ doc.hashCode());
        JsonNode orig = Trees.read(f);
        JsonNode m1 = Trees.mutate(orig, r, "r1");
        JsonNode m2 = Trees.mutate(m1, r, "r2");
        JsonNode m3 = Trees.mutate(orig, r, "r3");
        JsonNode m4 = Trees.mutate(orig, r, "r4");
        var edit = Trees.diff(Trees.expect(orig), Trees.expect(m1)).values();
        assertEquals(List.of("added", "deleted", "modified"), edit.stream()
            .map(Trees.WantChange::type).distinct().sorted().toList(), ctx + ": the edit");
        for (Trees.WantChange c : edit) {
          if (c.type().equals("modified")) {
            fieldsEdited.addAll(c.is().propertyNames());
          }
        }
        List<Ingested> history = new ArrayList<>();
        Object[][] plan = {
            {"v1", "2024-01-10", orig}, {"v2", "2024-06-01", m1}, {"v3", "2024-06-01", m2},
            {"v4", "2025-01-01", orig}, {"early", "2023-07-01", m3}, {"mid", "2024-03-01", m4}};
        for (Object[] p : plan) {
          JsonNode tree = (JsonNode) p[2];
          Ingested in = new Ingested((String) p[0], LocalDate.parse((String) p[1]),
              history.size(), tree, Trees.expect(tree));
          DocumentApi.Stored st = (DocumentApi.Stored) ts.call("documents", "StoreDocument",
              new DocumentApi.StoreDocument(doc, in.id(), in.date().toString(),
                  tree.toString()));
          assertEquals(new DocumentApi.Stored(doc, in.id(), in.nodes().size(),
              Trees.warnings(tree)), st, ctx);
          history.add(in);
          // every read after v4 (dates only forward) and at the end (back-dated versions)
          check(ts, doc, history, ctx + ", after ingesting " + in.id(),
              history.size() == 4 || history.size() == plan.length,
              history.size() == plan.length);
        }
      }
      assertEquals(new TreeSet<>(List.of("title", "parent_id", "page_start", "page_end",
          "summary", "prefix_summary", "text", "attributes")), fieldsEdited,
          "the edits change every field a diff compares, seed " + SEED);
      // the secondary indexes agree with the tables (the full-text index is checked by
      // ConcurrentIngestTest and IngestCrashTest)
      try (Transaction tx = ts.database().beginReadOnly()) {
        DocumentModel m = new DocumentModel(CLOCK);
        for (var report : List.of(m.docs.check(tx, 20), m.versions.check(tx, 20),
            m.nodes.check(tx, 20))) {
          assertTrue(report.ok(), report.toString());
        }
      }
    }
  }

  /** The version in effect on a day, or null. */
  private static @Nullable Ingested inEffect(List<Ingested> timeline, LocalDate day) {
    Ingested out = null;
    for (Ingested v : timeline) {
      if (!v.date().isAfter(day)) {
        out = v;
      }
    }
    return out;
  }

  /**
   * Checks the versions of a document, their diffs and GetDocument; with {@code reads}, also
   * every tree by version id and as of every interesting day, with keyword search; with
   * {@code thorough}, also GetNode on every such day of a sample of the node ids of all
   * versions (the trees read as of each day already hold every node).
   */
  private void check(TreeStore ts, String doc, List<Ingested> history, String ctx,
      boolean reads, boolean thorough) {
    List<Ingested> timeline = new ArrayList<>(history);
    timeline.sort(Comparator.comparing(Ingested::date).thenComparingInt(Ingested::order));
    // ListVersions: order, dates, end dates, node counts, diffs
    DocumentApi.VersionList vs = (DocumentApi.VersionList) ts.call("versions", "ListVersions",
        new DocumentApi.DocumentRef(doc));
    assertEquals(timeline.stream().map(Ingested::id).toList(), vs.versions().stream()
        .map(DocumentApi.Version::versionId).toList(), ctx + ": versions oldest first");
    Map<String, DocumentApi.Version> byId = new LinkedHashMap<>();
    for (int i = 0; i < timeline.size(); i++) {
      Ingested v = timeline.get(i);
      DocumentApi.Version got = vs.versions().get(i);
      String at = ctx + ", version " + v.id();
      byId.put(v.id(), got);
      assertEquals(doc, got.docId(), at);
      assertEquals(v.date().toString(), got.effectiveDate(), at + " effective_date");
      assertEquals(i + 1 < timeline.size() ? timeline.get(i + 1).date().toString() : null,
          got.endDate(), at + " end_date (the next version's date)");
      assertEquals(v.nodes().size(), got.nodeCount(), at + " node_count");
      Trees.checkDiff(i == 0 ? Map.of() : Trees.diff(timeline.get(i - 1).nodes(), v.nodes()),
          got.diff(), at + " diff against " + (i == 0 ? "nothing" : timeline.get(i - 1).id()));
    }
    checkCurrent(ts, doc, history, timeline, ctx);
    if (!reads) {
      return;
    }
    // reads by version id (also of versions no date selects, like v2 after v3)
    for (Ingested v : history) {
      DocumentApi.Tree t = (DocumentApi.Tree) ts.call("documents", "GetTree",
          new DocumentApi.TreeRef(doc, null, v.id(), null));
      checkTree(v, t, ctx + ", version " + v.id());
    }
    // reads as of the day before, on and after every effective date, and far away
    TreeSet<LocalDate> days = new TreeSet<>(List.of(LocalDate.parse("1999-01-01"),
        LocalDate.parse("2099-12-31")));
    for (Ingested v : history) {
      days.add(v.date().minusDays(1));
      days.add(v.date());
      days.add(v.date().plusDays(1));
    }
    TreeSet<String> everyId = new TreeSet<>();
    history.forEach(v -> everyId.addAll(v.nodes().keySet()));
    // a search scoped to a version that does not exist says so, and finds nothing
    StoreException nv = assertThrows(StoreException.class, () -> ts.call("documents",
        "SearchByKeyword", new DocumentApi.Search(Trees.MARK, doc, "no-such", null, null,
            10)), ctx);
    assertEquals(ErrorCode.NOT_FOUND, nv.code(), ctx);
    assertEquals("document '" + doc + "' has no version 'no-such'", nv.getMessage(), ctx);
    StoreException nd = assertThrows(StoreException.class, () -> ts.call("documents",
        "SearchByKeyword", new DocumentApi.Search(Trees.MARK, doc + "-no-such", null, null,
            null, 10)), ctx);
    assertEquals(ErrorCode.NOT_FOUND, nd.code(), ctx);
    for (LocalDate day : days) {
      Ingested want = inEffect(timeline, day);
      String at = ctx + ", as of " + day;
      if (want == null) {
        StoreException e = assertThrows(StoreException.class, () -> ts.call("versions",
            "GetVersionAsOf", new DocumentApi.VersionAsOf(doc, day.toString())), at);
        assertEquals(ErrorCode.NOT_FOUND, e.code(), at);
        assertEquals("no version of document '" + doc + "' is in effect on " + day,
            e.getMessage(), at);
        StoreException t = assertThrows(StoreException.class, () -> ts.call("documents",
            "GetTree", new DocumentApi.TreeRef(doc, null, null, day.toString())), at);
        assertEquals(ErrorCode.NOT_FOUND, t.code(), at);
        continue;
      }
      DocumentApi.VersionAnswer a = (DocumentApi.VersionAnswer) ts.call("versions",
          "GetVersionAsOf", new DocumentApi.VersionAsOf(doc, day.toString()));
      assertEquals(byId.get(want.id()), a.version(), at + ": GetVersionAsOf");
      DocumentApi.Tree t = (DocumentApi.Tree) ts.call("documents", "GetTree",
          new DocumentApi.TreeRef(doc, null, null, day.toString()));
      checkTree(want, t, at);
      DocumentApi.SearchResult sr = (DocumentApi.SearchResult) ts.call("documents",
          "SearchByKeyword", new DocumentApi.Search(Trees.MARK, doc, null, day.toString(),
              null, 1000));
      assertEquals(new TreeSet<>(want.nodes().values().stream().filter(Want::marked)
          .map(Want::id).toList()), new TreeSet<>(sr.hits().stream()
          .map(DocumentApi.Hit::nodeId).toList()), at + ": search hits");
      assertTrue(sr.hits().stream().allMatch(h -> h.versionId().equals(want.id())
          && h.docId().equals(doc)), at + ": hits of the version in effect");
      // a search over every document picks each one's version in effect the same way
      DocumentApi.SearchResult all = (DocumentApi.SearchResult) ts.call("documents",
          "SearchByKeyword", new DocumentApi.Search(Trees.MARK, null, null, day.toString(),
              null, 1000));
      assertEquals(sr.hits().stream().map(h -> h.docId() + "/" + h.versionId() + "/"
          + h.nodeId()).sorted().toList(), all.hits().stream().filter(h -> h.docId()
          .equals(doc)).map(h -> h.docId() + "/" + h.versionId() + "/" + h.nodeId()).sorted()
          .toList(), at + ": search over every document");
      if (thorough) {
        List<String> ids = new ArrayList<>(everyId);
        java.util.Collections.shuffle(ids, new Random(SEED ^ day.hashCode()));
        for (String id : ids.subList(0, Math.min(16, ids.size()))) {
          Want w = want.nodes().get(id);
          DocumentApi.NodeRef ref = new DocumentApi.NodeRef(doc, id, null, day.toString());
          if (w == null) {
            StoreException e = assertThrows(StoreException.class, () -> ts.call("documents",
                "GetNode", ref), at + " node " + id);
            assertEquals(ErrorCode.NOT_FOUND, e.code());
            assertEquals("document '" + doc + "' version '" + want.id() + "' has no node '"
                + id + "'", e.getMessage());
          } else {
            Node n = (Node) ts.call("documents", "GetNode", ref);
            assertEquals(want.id(), n.versionId(), at);
            w.check(n, at + " GetNode");
          }
        }
      }
    }
  }

  /** GetDocument: the version in effect now (the clock says 2026-06-01). */
  private static void checkCurrent(TreeStore ts, String doc, List<Ingested> history,
      List<Ingested> timeline, String ctx) {
    Ingested now = inEffect(timeline, LocalDate.now(CLOCK));
    DocumentApi.DocumentInfo info = (DocumentApi.DocumentInfo) ts.call("documents",
        "GetDocument", new DocumentApi.DocumentRef(doc));
    JsonNode name = now.tree().get("doc_name");
    assertEquals(new DocumentApi.DocumentInfo(doc, name == null ? null : name.asString(),
        now.tree().hasNonNull("doc_description") ? now.tree().get("doc_description")
            .asString() : null, now.id(), now.date().toString(), now.nodes().size(),
        history.size()), info, ctx + ": GetDocument");
  }

  private static void checkTree(Ingested v, DocumentApi.Tree t, String at) {
    assertEquals(v.id(), t.versionId(), at + ": the version read");
    List<Node> got = Trees.flatten(t.roots());
    assertEquals(new ArrayList<>(v.nodes().keySet()), got.stream().map(Node::nodeId).toList(),
        at + ": the tree's nodes in document order");
    for (Node n : got) {
      assertEquals(v.id(), n.versionId(), at);
      v.nodes().get(n.nodeId()).check(n, at);
    }
    assertFalse(got.isEmpty(), at);
  }
}
