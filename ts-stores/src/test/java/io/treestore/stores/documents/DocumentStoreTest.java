package io.treestore.stores.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.spi.ErrorCode;
import io.treestore.spi.StoreException;
import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import io.treestore.stores.documents.DocumentApi.Node;
import io.treestore.stores.documents.DocumentApi.NodeList;
import io.treestore.stores.documents.DocumentApi.NodeRef;
import io.treestore.txn.DatabaseOptions;
import io.treestore.wal.Durability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Ingests every real PageIndex tree and checks every read operation against answers computed
 * here, independently, from the JSON.
 */
class DocumentStoreTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  /** A node as the test derives it from the JSON. */
  record Expect(String id, String parent, int depth, String path, List<String> kids,
      JsonNode json, int order) {
    int start() {
      return json.get("start_index").asInt();
    }

    int end() {
      return Math.max(start(), json.get("end_index").asInt());
    }
  }

  static Path datasets() {
    String d = System.getProperty("ts.dataset.dir");
    return d != null ? Path.of(d) : Path.of("../../shared/datasets/pageindex");
  }

  static List<Path> trees() throws Exception {
    try (Stream<Path> s = Files.list(datasets())) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }

  static Map<String, Expect> flatten(JsonNode tree) {
    Map<String, Expect> out = new LinkedHashMap<>();
    JsonNode s = tree.get("structure");
    List<JsonNode> roots = new ArrayList<>();
    if (s.isArray()) {
      s.forEach(roots::add);
    } else {
      roots.add(s);
    }
    walk(roots, null, 0, "", out);
    return out;
  }

  private static void walk(List<JsonNode> nodes, String parent, int depth, String prefix,
      Map<String, Expect> out) {
    int i = 0;
    for (JsonNode n : nodes) {
      i++;
      String path = prefix.isEmpty() ? String.valueOf(i) : prefix + "." + i;
      List<JsonNode> kids = new ArrayList<>();
      if (n.has("nodes") && n.get("nodes").isArray()) {
        n.get("nodes").forEach(kids::add);
      }
      String id = n.has("node_id") ? n.get("node_id").asString()
          : String.format("%04d", out.size());
      List<String> kidIds = new ArrayList<>();
      out.put(id, new Expect(id, parent, depth, path, kidIds, n, out.size()));
      int before = out.size();
      walk(kids, id, depth + 1, path, out);
      // direct children are the entries added at depth + 1 with this parent
      for (Expect e : new ArrayList<>(out.values()).subList(before, out.size())) {
        if (id.equals(e.parent())) {
          kidIds.add(e.id());
        }
      }
    }
  }

  TreeStore open() {
    return TreeStore.open(dir, TreeStoreOptions.defaults()
        .withDatabase(DatabaseOptions.defaults().withDurability(Durability.NONE))
        .withDiscovery(false)
        .withProviders(List.of(new DocumentStoreProvider(), new VersionStoreProvider()))
        .withClock(CLOCK));
  }

  static String docId(Path p) {
    return p.getFileName().toString().replace(".json", "");
  }

  @Test
  void everyTreeLoadsAndEveryReadMatchesTheJson() throws Exception {
    List<Path> files = trees();
    assertTrue(files.size() >= 10, "trees found: " + files);
    try (TreeStore ts = open()) {
      for (Path f : files) {
        String json = Files.readString(f);
        DocumentApi.Stored st = (DocumentApi.Stored) ts.call("documents", "StoreDocument",
            new DocumentApi.StoreDocument(docId(f), "v1", "2026-01-01", json));
        assertEquals(flatten(JSON.readTree(json)).size(), st.nodeCount(), f.toString());
      }
      DocumentApi.DocumentList list = (DocumentApi.DocumentList) ts.call("documents",
          "ListDocuments", new DocumentApi.ListDocuments(null));
      assertEquals(files.stream().map(DocumentStoreTest::docId).sorted().toList(),
          list.documents().stream().map(DocumentApi.DocumentInfo::docId).toList());
      for (Path f : files) {
        check(ts, docId(f), JSON.readTree(Files.readString(f)));
      }
    }
    try (TreeStore ts = open()) {
      Path f = files.get(0);
      check(ts, docId(f), JSON.readTree(Files.readString(f)));
    }
  }

  private void check(TreeStore ts, String doc, JsonNode tree) {
    Map<String, Expect> flat = flatten(tree);
    DocumentApi.DocumentInfo info = (DocumentApi.DocumentInfo) ts.call("documents",
        "GetDocument", new DocumentApi.DocumentRef(doc));
    assertEquals(flat.size(), info.nodeCount());
    assertEquals(tree.has("doc_name") ? tree.get("doc_name").asString() : null, info.docName());
    for (Expect e : flat.values()) {
      NodeRef ref = new NodeRef(doc, e.id(), null, null);
      Node n = (Node) ts.call("documents", "GetNode", ref);
      String where = doc + "/" + e.id();
      assertEquals(e.json().get("title").asString(), n.title(), where);
      assertEquals(e.parent(), n.parentId(), where);
      assertEquals(e.depth(), n.depth(), where);
      assertEquals(e.path(), n.sectionPath(), where);
      assertEquals(e.kids(), n.childIds(), where);
      assertEquals(e.start(), n.pageStart(), where);
      assertEquals(e.end(), n.pageEnd(), where);
      for (String field : List.of("summary", "text", "prefix_summary")) {
        String want = e.json().has(field) ? e.json().get(field).asString() : null;
        String got = switch (field) {
          case "summary" -> n.summary();
          case "text" -> n.text() == null ? null : n.text().toString();
          default -> n.prefixSummary();
        };
        assertEquals(want, got, where + " " + field);
      }
      if (e.json().get("end_index").asInt() < e.json().get("start_index").asInt()) {
        assertEquals(e.json().get("end_index").asInt(),
            ((Number) n.attributes().get("end_index")).intValue(), where);
      }
      NodeList kids = (NodeList) ts.call("documents", "GetChildren", ref);
      assertEquals(e.kids(), kids.nodes().stream().map(Node::nodeId).toList(), where);
      List<String> anc = new ArrayList<>();
      for (String p = e.parent(); p != null; p = flat.get(p).parent()) {
        anc.add(0, p);
      }
      NodeList got = (NodeList) ts.call("documents", "GetAncestorPath", ref);
      assertEquals(anc, got.nodes().stream().map(Node::nodeId).toList(), where);
      Node one = (Node) ts.call("documents", "GetSubtree",
          new DocumentApi.SubtreeRef(doc, e.id(), 1, null, null));
      assertEquals(e.kids(), one.children().stream().map(Node::nodeId).toList(), where);
      for (Node c : one.children()) {
        assertTrue(c.children().isEmpty(), "depth 1 stops at the children");
      }
      Node all = (Node) ts.call("documents", "GetSubtree",
          new DocumentApi.SubtreeRef(doc, e.id(), null, null, null));
      assertEquals(descendants(flat, e.id()), count(all) - 1, where);
      Node byPath = (Node) ts.call("documents", "GetByPath",
          new DocumentApi.PathRef(doc, e.path(), null, null));
      assertEquals(e.id(), byPath.nodeId(), where);
    }
    TreeSet<Integer> pages = new TreeSet<>();
    for (Expect e : flat.values()) {
      for (int p = e.start(); p <= e.end(); p++) {
        pages.add(p);
      }
    }
    for (int page : pages) {
      List<Expect> want = flat.values().stream().filter(e -> e.start() <= page
          && page <= e.end()).sorted((a, b) -> a.depth() != b.depth()
          ? Integer.compare(a.depth(), b.depth()) : Integer.compare(a.order(), b.order()))
          .toList();
      NodeList got = (NodeList) ts.call("documents", "GetNodesByPage",
          new DocumentApi.PageRef(doc, page, null, null));
      assertEquals(want.stream().map(Expect::id).toList(),
          got.nodes().stream().map(Node::nodeId).toList(), doc + " page " + page);
    }
    DocumentApi.Tree t = (DocumentApi.Tree) ts.call("documents", "GetTree",
        new DocumentApi.TreeRef(doc, null, null, null));
    assertEquals(flat.size(), t.roots().stream().mapToInt(DocumentStoreTest::count).sum());
  }

  private static int descendants(Map<String, Expect> flat, String id) {
    int n = 0;
    for (String k : flat.get(id).kids()) {
      n += 1 + descendants(flat, k);
    }
    return n;
  }

  private static int count(Node n) {
    int c = 1;
    for (Node k : n.children()) {
      c += count(k);
    }
    return c;
  }

  @Test
  void searchFindsNodesWithAncestorsAndSnippetsScopedToDocumentsAndSubtrees() throws Exception {
    try (TreeStore ts = open()) {
      List<Path> files = trees().stream().filter(p -> p.toString().endsWith("with_text.json"))
          .toList();
      for (Path f : files) {
        ts.call("documents", "StoreDocument", new DocumentApi.StoreDocument(docId(f), null,
            null, Files.readString(f)));
      }
      DocumentApi.SearchResult r = (DocumentApi.SearchResult) ts.call("documents",
          "SearchByKeyword", new DocumentApi.Search("revenue", null, null, null, null, 20));
      assertFalse(r.hits().isEmpty());
      for (int i = 1; i < r.hits().size(); i++) {
        assertTrue(r.hits().get(i - 1).score() >= r.hits().get(i).score());
      }
      for (DocumentApi.Hit h : r.hits()) {
        Node n = (Node) ts.call("documents", "GetNode", new NodeRef(h.docId(), h.nodeId(),
            null, null));
        assertEquals(n.title(), h.title());
        assertEquals(n.sectionPath(), h.sectionPath());
        NodeList anc = (NodeList) ts.call("documents", "GetAncestorPath",
            new NodeRef(h.docId(), h.nodeId(), null, null));
        assertEquals(anc.nodes().stream().map(Node::title).toList(), h.ancestors());
        assertTrue(h.snippet().toLowerCase().contains("<b>revenue</b>"), h.snippet());
      }
      String doc = r.hits().get(0).docId();
      DocumentApi.SearchResult one = (DocumentApi.SearchResult) ts.call("documents",
          "SearchByKeyword", new DocumentApi.Search("revenue", doc, null, null, null, 50));
      assertTrue(one.hits().stream().allMatch(h -> h.docId().equals(doc)));
      DocumentApi.SearchResult sub = (DocumentApi.SearchResult) ts.call("documents",
          "SearchByKeyword", new DocumentApi.Search("revenue", doc, null, null, "1", 50));
      assertTrue(sub.hits().stream().allMatch(h -> h.sectionPath().equals("1")
          || h.sectionPath().startsWith("1.")));
      StoreException bad = assertThrows(StoreException.class, () -> ts.call("documents",
          "SearchByKeyword", new DocumentApi.Search("\"unclosed", null, null, null, null,
              null)));
      assertEquals(ErrorCode.INVALID_ARGUMENT, bad.code());
      assertTrue(bad.getMessage().contains("position"), bad.getMessage());
    }
  }

  @Test
  void versionsResolveByDateAndCarryDiffs() throws Exception {
    Path f = trees().stream().filter(p -> p.getFileName().toString()
        .equals("q1-fy25-earnings.json")).findFirst().orElseThrow();
    JsonNode tree = JSON.readTree(Files.readString(f));
    Map<String, Expect> flat = flatten(tree);
    String changed = new ArrayList<>(flat.keySet()).get(flat.size() / 2);
    tools.jackson.databind.node.ObjectNode t2 = (tools.jackson.databind.node.ObjectNode)
        tree.deepCopy();
    Map<String, Expect> flat2 = flatten(t2);
    ((tools.jackson.databind.node.ObjectNode) flat2.get(changed).json()).put("title",
        flat.get(changed).json().get("title").asString() + " (amended)");
    try (TreeStore ts = open()) {
      ts.call("documents", "StoreDocument", new DocumentApi.StoreDocument("d", "v1",
          "2024-01-01", tree.toString()));
      ts.call("documents", "StoreDocument", new DocumentApi.StoreDocument("d", "v2",
          "2024-07-01", t2.toString()));
      for (String[] c : new String[][] {{"2023-12-31", null}, {"2024-01-01", "v1"},
          {"2024-03-15", "v1"}, {"2024-07-01", "v2"}, {"2030-01-01", "v2"}}) {
        if (c[1] == null) {
          StoreException e = assertThrows(StoreException.class, () -> ts.call("versions",
              "GetVersionAsOf", new DocumentApi.VersionAsOf("d", c[0])));
          assertEquals(ErrorCode.NOT_FOUND, e.code());
        } else {
          DocumentApi.VersionAnswer a = (DocumentApi.VersionAnswer) ts.call("versions",
              "GetVersionAsOf", new DocumentApi.VersionAsOf("d", c[0]));
          assertEquals(c[1], a.version().versionId(), c[0]);
        }
      }
      Node old = (Node) ts.call("documents", "GetNode", new NodeRef("d", changed, null,
          "2024-03-15"));
      assertFalse(old.title().endsWith("(amended)"));
      Node now = (Node) ts.call("documents", "GetNode", new NodeRef("d", changed, null, null));
      assertTrue(now.title().endsWith("(amended)"));
      DocumentApi.VersionList vs = (DocumentApi.VersionList) ts.call("versions",
          "ListVersions", new DocumentApi.DocumentRef("d"));
      assertEquals(List.of("v1", "v2"), vs.versions().stream()
          .map(DocumentApi.Version::versionId).toList());
      assertEquals("2024-07-01", vs.versions().get(0).endDate());
      assertNull(vs.versions().get(1).endDate());
      assertEquals(List.of(new DocumentApi.Change(changed, "modified",
          JSON.writeValueAsString(Map.of("title", flat.get(changed).json().get("title")
              .asString())), JSON.writeValueAsString(Map.of("title", flat.get(changed).json()
              .get("title").asString() + " (amended)")))), vs.versions().get(1).diff());
      StoreException dup = assertThrows(StoreException.class, () -> ts.call("documents",
          "StoreDocument", new DocumentApi.StoreDocument("d", "v2", "2025-01-01",
              tree.toString())));
      assertEquals(ErrorCode.ALREADY_EXISTS, dup.code());
    }
  }

  @Test
  void invalidTreesAreRefusedWithEveryProblemListedAndNothingWritten() {
    String bad = """
        {"doc_name": "x", "structure": [
          {"node_id": "0001", "start_index": -1, "end_index": 2, "nodes": [
            {"node_id": "0001", "title": "dup", "start_index": 1.5, "end_index": 2},
            {"node_id": 7, "title": ["not", "a", "string"], "start_index": "3",
             "end_index": 3, "summary": 5}
          ]}
        ]}""";
    try (TreeStore ts = open()) {
      StoreException e = assertThrows(StoreException.class, () -> ts.call("documents",
          "StoreDocument", new DocumentApi.StoreDocument("bad", null, null, bad)));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      String all = String.join("\n", e.details());
      for (String want : List.of("structure[0]: \"title\" is missing",
          "structure[0]: \"start_index\" must be a non-negative integer, was -1",
          "structure[0].nodes[0]: duplicate node_id \"0001\"",
          "structure[0].nodes[0]: \"start_index\" must be a non-negative integer, was 1.5",
          "structure[0].nodes[1]: \"node_id\" must be a string",
          "structure[0].nodes[1]: \"title\" must be a string",
          "structure[0].nodes[1]: \"start_index\" must be a non-negative integer, was \"3\"",
          "structure[0].nodes[1]: \"summary\" must be a string")) {
        assertTrue(all.contains(want), "missing problem: " + want + "\nin:\n" + all);
      }
      for (String body : List.of("{\"structure\": [", "[1,2,3]", "{}", "{\"structure\": 5}",
          "{\"structure\": []}")) {
        StoreException x = assertThrows(StoreException.class, () -> ts.call("documents",
            "StoreDocument", new DocumentApi.StoreDocument("bad", null, null, body)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, x.code(), body);
      }
      assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(StoreException.class,
          () -> ts.call("documents", "StoreDocument", new DocumentApi.StoreDocument("a/b",
              null, null, "{}"))).code());
      assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(StoreException.class,
          () -> ts.call("documents", "StoreDocument", new DocumentApi.StoreDocument("ok",
              null, "yesterday", "{\"structure\":[{\"title\":\"t\"}]}"))).code());
      DocumentApi.DocumentList list = (DocumentApi.DocumentList) ts.call("documents",
          "ListDocuments", new DocumentApi.ListDocuments(null));
      assertEquals(List.of(), list.documents());
      assertTrue(ts.database().keyspaces().stream().noneMatch(k -> k.startsWith("documents")),
          "keyspaces: " + ts.database().keyspaces());
    }
  }

  @Test
  void quirksLoadWithWarnings() {
    String quirky = """
        {"structure": [
          {"title": "A", "start_index": 5, "end_index": 3, "extra": {"k": [1, 2]},
           "text": "nul\\u0000 bell\\u0007 中文 Português",
           "nodes": [{"title": "B", "start_index": 5, "end_index": 5}]}
        ]}""";
    try (TreeStore ts = open()) {
      DocumentApi.Stored st = (DocumentApi.Stored) ts.call("documents", "StoreDocument",
          new DocumentApi.StoreDocument("q", null, null, quirky));
      assertEquals("v1", st.versionId());
      assertEquals(2, st.nodeCount());
      assertEquals(2, st.warnings().size(), st.warnings().toString());
      Node a = (Node) ts.call("documents", "GetNode", new NodeRef("q", "0000", null, null));
      assertEquals(5, a.pageStart());
      assertEquals(5, a.pageEnd());
      assertEquals(3, ((Number) a.attributes().get("end_index")).intValue());
      assertEquals(Map.of("k", List.of(1, 2)), a.attributes().get("extra"));
      assertEquals("nul\u0000 bell\u0007 中文 Português", String.valueOf(a.text()));
      Node b = (Node) ts.call("documents", "GetNode", new NodeRef("q", "0001", null, null));
      assertEquals("0000", b.parentId());
      DocumentApi.SearchResult r = (DocumentApi.SearchResult) ts.call("documents",
          "SearchByKeyword", new DocumentApi.Search("português", "q", null, null, null, null));
      assertEquals(List.of("0000"), r.hits().stream().map(DocumentApi.Hit::nodeId).toList());
    }
  }

  @Test
  void theRecordCacheSettingIsCheckedAndACacheServesReads() throws Exception {
    RuntimeException e = assertThrows(RuntimeException.class, () -> TreeStore.open(dir,
        TreeStoreOptions.defaults().withDiscovery(false)
            .withProviders(List.of(new DocumentStoreProvider()))
            .withSettings(Map.of("store.documents.record_cache_bytes", "lots"))));
    String messages = "";
    for (Throwable t = e; t != null; t = t.getCause()) {
      messages += t.getMessage() + "\n";
    }
    assertTrue(messages.contains("setting record_cache_bytes must be a number of bytes >= 0,"
        + " was 'lots'"), messages);
    Path file = trees().get(0);
    try (TreeStore ts = TreeStore.open(dir, TreeStoreOptions.defaults()
        .withDatabase(DatabaseOptions.defaults().withDurability(Durability.NONE))
        .withDiscovery(false)
        .withProviders(List.of(new DocumentStoreProvider()))
        .withSettings(Map.of("store.documents.record_cache_bytes", "1048576"))
        .withClock(CLOCK))) {
      String json = Files.readString(file);
      ts.call("documents", "StoreDocument", new DocumentApi.StoreDocument(docId(file), "v1",
          "2026-01-01", json));
      // twice: with the cache on, the second pass must answer exactly as the first
      check(ts, docId(file), JSON.readTree(json));
      check(ts, docId(file), JSON.readTree(json));
    }
  }

  @Test
  void deleteRemovesEverything() throws Exception {
    Path f = trees().get(0);
    try (TreeStore ts = open()) {
      ts.call("documents", "StoreDocument", new DocumentApi.StoreDocument("x", null, null,
          Files.readString(f)));
      ts.call("documents", "StoreDocument", new DocumentApi.StoreDocument("x", null, null,
          Files.readString(f)));
      DocumentApi.Deleted d = (DocumentApi.Deleted) ts.call("documents", "DeleteDocument",
          new DocumentApi.DocumentRef("x"));
      assertEquals(2, d.versions());
      assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class, () -> ts.call(
          "documents", "GetDocument", new DocumentApi.DocumentRef("x"))).code());
      try (var tx = ts.database().beginReadOnly()) {
        for (String ks : ts.database().keyspaces()) {
          // counters are store-wide, not per document: the index statistics, and the
          // versions epoch, which the delete itself moved on
          if (ks.contains("documents.") && !ks.endsWith(":stats") && !ks.endsWith(":df")
              && !ks.equals(DocumentModel.META)) {
            try (var it = tx.scan(ks, io.treestore.btree.Range.all())) {
              assertFalse(it.hasNext(), ks + " still holds entries");
            }
          }
        }
      }
    }
  }

  @Test
  void batchInsertAddsNodesAsANewVersion() {
    String tree = """
        {"doc_name": "n", "structure": [
          {"node_id": "a", "title": "A", "start_index": 1, "end_index": 4, "nodes": [
            {"node_id": "b", "title": "B", "start_index": 2, "end_index": 1, "odd": true}]}]}""";
    try (TreeStore ts = open()) {
      ts.call("documents", "StoreDocument", new DocumentApi.StoreDocument("d", "v1",
          "2026-01-01", tree));
      DocumentApi.Stored st = (DocumentApi.Stored) ts.call("documents", "BatchInsertNodes",
          new DocumentApi.BatchInsertNodes("d", null, "v2", "2026-02-01", List.of(
              new DocumentApi.NodeInput("c", "a", "C", 3, 4, null, null, "new text", null),
              new DocumentApi.NodeInput("e", "c", "E", 4, 4, "s", null, null,
                  Map.of("k", "v")),
              new DocumentApi.NodeInput("r", null, "R", 9, 9, null, null, null, null))));
      assertEquals(5, st.nodeCount());
      Node a = (Node) ts.call("documents", "GetNode", new NodeRef("d", "a", "v2", null));
      assertEquals(List.of("b", "c"), a.childIds());
      Node e = (Node) ts.call("documents", "GetNode", new NodeRef("d", "e", "v2", null));
      assertEquals("1.2.1", e.sectionPath());
      assertEquals(2, e.depth());
      assertEquals(Map.of("k", "v"), e.attributes());
      Node b = (Node) ts.call("documents", "GetNode", new NodeRef("d", "b", "v2", null));
      assertEquals(1, ((Number) b.attributes().get("end_index")).intValue(),
          "raw page numbers survive the rebuild");
      assertEquals(Boolean.TRUE, b.attributes().get("odd"));
      Node r = (Node) ts.call("documents", "GetByPath", new DocumentApi.PathRef("d", "2",
          "v2", null));
      assertEquals("r", r.nodeId());
      Node a1 = (Node) ts.call("documents", "GetNode", new NodeRef("d", "a", "v1", null));
      assertEquals(List.of("b"), a1.childIds(), "the base version is unchanged");
      DocumentApi.VersionList vs = (DocumentApi.VersionList) ts.call("versions",
          "ListVersions", new DocumentApi.DocumentRef("d"));
      assertEquals(List.of("c", "e", "r"), vs.versions().get(1).diff().stream()
          .filter(c -> c.changeType().equals("added")).map(DocumentApi.Change::nodeId).toList());
      StoreException bad = assertThrows(StoreException.class, () -> ts.call("documents",
          "BatchInsertNodes", new DocumentApi.BatchInsertNodes("d", "v2", null, null, List.of(
              new DocumentApi.NodeInput("x", "nope", "X", 1, 1, null, null, null, null),
              new DocumentApi.NodeInput("a", null, "dup", 1, 1, null, null, null, null)))));
      assertEquals(ErrorCode.INVALID_ARGUMENT, bad.code());
      assertTrue(bad.getMessage().contains("parent \"nope\""), bad.getMessage());
      assertEquals(2, ((DocumentApi.VersionList) ts.call("versions", "ListVersions",
          new DocumentApi.DocumentRef("d"))).versions().size(), "nothing written");
    }
  }
}
