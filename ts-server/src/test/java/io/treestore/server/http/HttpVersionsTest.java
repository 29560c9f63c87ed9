package io.treestore.server.http;

import static io.treestore.server.http.HttpRoutesTest.assertNested;
import static io.treestore.server.http.HttpRoutesTest.count;
import static io.treestore.server.http.HttpRoutesTest.ids;
import static io.treestore.server.http.HttpRoutesTest.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.server.Json;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Versions over the wire: re-ingests as new versions (also back-dated ones), reads by version
 * and date, the node-level diffs (computed here from the two JSON files), batch inserts,
 * deletes, and the quirks of real PageIndex output (missing ids, reversed page ranges,
 * unknown fields kept as attributes).
 */
class HttpVersionsTest {
  @TempDir Path dir;
  private TestServer server;
  private Api api;

  @BeforeEach
  void start() {
    server = TestServer.start(dir.resolve("db"));
    api = server.api;
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** The fields a version's diff compares, as the wire names them. */
  private static Map<String, Object> content(Trees.Node n) {
    Map<String, Object> m = new HashMap<>();
    m.put("title", n.title());
    m.put("parent_id", n.parent());
    m.put("page_start", n.start());
    m.put("page_end", n.end());
    m.put("summary", n.text("summary"));
    m.put("text", n.text("text"));
    return m;
  }

  /** Expected diff entries {@code node_id change_type changed-fields} of b against a. */
  static Set<String> diff(Trees.Tree a, Trees.Tree b) {
    Set<String> out = new HashSet<>();
    for (Trees.Node n : b.nodes()) {
      Trees.Node o = a.byId().get(n.id());
      if (o == null) {
        out.add(n.id() + " added");
        continue;
      }
      Map<String, Object> x = content(o);
      Map<String, Object> y = content(n);
      Set<String> changed = new java.util.TreeSet<>();
      for (String k : x.keySet()) {
        if (!Objects.equals(x.get(k), y.get(k))) {
          changed.add(k);
        }
      }
      if (!changed.isEmpty()) {
        out.add(n.id() + " modified " + changed);
      }
    }
    for (Trees.Node o : a.nodes()) {
      if (!b.byId().containsKey(o.id())) {
        out.add(o.id() + " deleted");
      }
    }
    return out;
  }

  /** The diff as answered, in the same form, checking old and new values. */
  static Set<String> diff(JsonNode changes, Trees.Tree a, Trees.Tree b) {
    Set<String> out = new HashSet<>();
    for (JsonNode c : changes) {
      String id = c.get("node_id").asString();
      String type = c.get("change_type").asString();
      switch (type) {
        case "added" -> {
          assertTrue(c.path("old_value").isMissingNode() || c.get("old_value").isNull());
          JsonNode now = Json.MAPPER.readTree(c.get("new_value").asString());
          assertEquals(b.node(id).title(), now.get("title").asString());
          out.add(id + " added");
        }
        case "deleted" -> {
          assertTrue(c.path("new_value").isMissingNode() || c.get("new_value").isNull());
          JsonNode was = Json.MAPPER.readTree(c.get("old_value").asString());
          assertEquals(a.node(id).title(), was.get("title").asString());
          out.add(id + " deleted");
        }
        case "modified" -> {
          JsonNode was = Json.MAPPER.readTree(c.get("old_value").asString());
          JsonNode now = Json.MAPPER.readTree(c.get("new_value").asString());
          assertEquals(Set.copyOf(was.propertyNames()), Set.copyOf(now.propertyNames()));
          Map<String, Object> x = content(a.node(id));
          Map<String, Object> y = content(b.node(id));
          for (String k : was.propertyNames()) {
            assertEquals(Json.MAPPER.valueToTree(x.get(k)), was.get(k), id + " old " + k);
            assertEquals(Json.MAPPER.valueToTree(y.get(k)), now.get(k), id + " new " + k);
          }
          out.add(id + " modified " + new java.util.TreeSet<>(was.propertyNames()));
        }
        default -> throw new AssertionError("change type " + type);
      }
    }
    return out;
  }

  private static ObjectNode copy(Trees.Tree t) {
    return (ObjectNode) Json.MAPPER.readTree(t.raw());
  }

  private static ObjectNode find(JsonNode list, String id) {
    for (JsonNode n : list) {
      if (n.get("node_id").asString().equals(id)) {
        return (ObjectNode) n;
      }
      JsonNode kids = n.get("nodes");
      if (kids != null) {
        ObjectNode f = find(kids, id);
        if (f != null) {
          return f;
        }
      }
    }
    return null;
  }

  private static void assertWholeTree(Api api, Trees.Tree t, String query, String version) {
    JsonNode tree = api.get("/v1/documents/" + t.docId() + "/tree" + query).expect(200);
    assertEquals(version, str(tree, "version_id"));
    assertEquals(t.roots(), ids(tree.get("roots"), "node_id"));
    assertEquals(t.size(), count(tree.get("roots")));
    int i = 0;
    for (JsonNode r : tree.get("roots")) {
      assertNested(t, t.roots().get(i++), r, Integer.MAX_VALUE, version);
    }
  }

  @Test
  void versionsByDateWithDiffsAndBackDating() {
    Trees.Tree v1 = Trees.get("earthmover");
    ObjectNode j2 = copy(v1);
    ArrayNode roots = (ArrayNode) j2.get("structure");
    find(roots, "0004").put("title", "Computing the EMD (amended)");
    find(roots, "0002").put("end_index", 3);
    for (int i = 0; i < roots.size(); i++) {
      if (roots.get(i).get("node_id").asString().equals("0013")) {
        roots.remove(i);
        break;
      }
    }
    roots.addObject().put("title", "Appendix added in version 2").put("node_id", "9999")
        .put("start_index", 13).put("end_index", 13);
    Trees.Tree v2 = Trees.parse("earthmover", null, Json.MAPPER.writeValueAsString(j2));
    assertEquals(v1.size() - 4 + 1, v2.size());

    String d = "/v1/documents/earthmover";
    assertEquals(v1.size(), api.put(d + "?version_id=v1&effective_date=2024-01-01", v1.raw())
        .expect(201).get("node_count").asInt());
    assertEquals(v2.size(), api.put(d + "?version_id=v2&effective_date=2024-07-01", v2.raw())
        .expect(201).get("node_count").asInt());

    for (String[] c : new String[][] {{"2023-12-31", null}, {"2024-01-01", "v1"},
        {"2024-03-15", "v1"}, {"2024-06-30", "v1"}, {"2024-07-01", "v2"},
        {"2030-01-01", "v2"}}) {
      Api.Resp r = api.get(d + "/versions?as_of=" + c[0]);
      if (c[1] == null) {
        r.error(404, "NOT_FOUND");
      } else {
        assertEquals(c[1], r.expect(200).get("version").get("version_id").asString(), c[0]);
      }
    }
    JsonNode list = api.get(d + "/versions").expect(200).get("versions");
    assertEquals(List.of("v1", "v2"), ids(list, "version_id"));
    assertEquals("2024-01-01", str(list.get(0), "effective_date"));
    assertEquals("2024-07-01", str(list.get(0), "end_date"));
    assertEquals(null, str(list.get(1), "end_date"));
    assertEquals(v1.size(), list.get(0).get("node_count").asInt());
    assertEquals(v2.size(), list.get(1).get("node_count").asInt());
    assertEquals(0, list.get(0).get("diff").size());
    Set<String> want = diff(v1, v2);
    assertEquals(Set.of("0004 modified [title]", "0002 modified [page_end]", "9999 added",
        "0013 deleted", "0014 deleted", "0015 deleted", "0016 deleted"), want,
        "the test's own diff");
    assertEquals(want, diff(list.get(1).get("diff"), v1, v2));

    assertWholeTree(api, v1, "?version=v1", "v1");
    assertWholeTree(api, v1, "?as_of=2024-06-30", "v1");
    assertWholeTree(api, v2, "", "v2");
    assertWholeTree(api, v2, "?as_of=2024-07-01", "v2");
    String seventh = v1.node("0013").path();
    assertEquals(seventh, v2.node("0017").path(), "0017 moved up into 0013's place");
    assertEquals("0017", str(api.get(d + "/paths/" + seventh).expect(200), "node_id"));
    assertEquals("0013", str(api.get(d + "/paths/" + seventh + "?version=v1").expect(200),
        "node_id"));
    api.get(d + "/nodes/9999?version=v1").error(404, "NOT_FOUND");
    api.get(d + "/nodes/0013").error(404, "NOT_FOUND");
    assertEquals(v2.onPage(3), ids(api.get(d + "/pages/3/nodes").expect(200).get("nodes"),
        "node_id"));
    assertEquals(v1.onPage(3), ids(api.get(d + "/pages/3/nodes?version=v1").expect(200)
        .get("nodes"), "node_id"));

    assertEquals(List.of("0004"), ids(api.get("/v1/search?q=amended&doc=earthmover")
        .expect(200).get("hits"), "node_id"));
    assertEquals(List.of(), ids(api.get("/v1/search?q=amended&doc=earthmover&version=v1")
        .expect(200).get("hits"), "node_id"));
    assertEquals(List.of(), ids(api.get("/v1/search?q=amended&as_of=2024-03-01")
        .expect(200).get("hits"), "node_id"));

    JsonNode info = api.get(d).expect(200);
    assertEquals("v2", str(info, "version_id"));
    assertEquals("2024-07-01", str(info, "effective_date"));
    assertEquals(v2.size(), info.get("node_count").asInt());
    assertEquals(2, info.get("versions").asInt());

    // a back-dated version slots in before v1; v1's diff is now against it
    ObjectNode j0 = copy(v1);
    find(j0.get("structure"), "0001").put("title", "ABSTRACT (draft)");
    ((ArrayNode) j0.get("structure")).remove(j0.get("structure").size() - 1);
    Trees.Tree v0 = Trees.parse("earthmover", null, Json.MAPPER.writeValueAsString(j0));
    api.put(d + "?version_id=v0&effective_date=2023-06-01", v0.raw()).expect(201);
    list = api.get(d + "/versions").expect(200).get("versions");
    assertEquals(List.of("v0", "v1", "v2"), ids(list, "version_id"));
    assertEquals("2024-01-01", str(list.get(0), "end_date"));
    assertEquals(0, list.get(0).get("diff").size());
    assertEquals(Set.of("0001 modified [title]", "0020 added"), diff(v0, v1));
    assertEquals(diff(v0, v1), diff(list.get(1).get("diff"), v0, v1));
    assertEquals(want, diff(list.get(2).get("diff"), v1, v2));
    assertEquals("v0", api.get(d + "/versions?as_of=2023-12-31").expect(200).get("version")
        .get("version_id").asString());
    assertWholeTree(api, v0, "?as_of=2023-12-31", "v0");
    assertWholeTree(api, v2, "", "v2");
  }

  @Test
  void batchInsertAddsAVersion() {
    Trees.Tree t = Trees.get("regbi-interpretive");
    api.put("/v1/documents/regbi?version_id=v1&effective_date=2024-01-01", t.raw())
        .expect(201);
    String parent = t.roots().get(2);
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("node_id", "b1");
    node.put("parent_id", parent);
    node.put("title", "Batch inserted");
    node.put("page_start", 8);
    node.put("page_end", 9);
    node.put("summary", "added by a batch");
    JsonNode r = api.post("/v1/stores/documents/BatchInsertNodes", Map.of("doc_id", "regbi",
        "version_id", "v2", "effective_date", "2024-02-01", "nodes", List.of(node,
            Map.of("node_id", "b2", "parent_id", "b1", "title", "Its child"))))
        .expect(201);
    assertEquals(t.size() + 2, r.get("node_count").asInt());
    JsonNode b1 = api.get("/v1/documents/regbi/nodes/b1").expect(200);
    assertEquals(parent, str(b1, "parent_id"));
    assertEquals(List.of("b2"), HttpRoutesTest.strings(b1.get("child_ids")));
    assertEquals("3." + (t.node(parent).children().size() + 1), str(b1, "section_path"));
    JsonNode p = api.get("/v1/documents/regbi/nodes/" + parent).expect(200);
    assertEquals("b1", p.get("child_ids").get(p.get("child_ids").size() - 1).asString());
    assertEquals(List.of(t.roots().get(2), "b1"), ids(api.get(
        "/v1/documents/regbi/nodes/b2/ancestors").expect(200).get("nodes"), "node_id"));
    JsonNode versions = api.get("/v1/documents/regbi/versions").expect(200).get("versions");
    assertEquals(List.of("v1", "v2"), ids(versions, "version_id"));
    Set<String> changes = new HashSet<>();
    versions.get(1).get("diff").forEach(c -> changes.add(c.get("node_id").asString() + " "
        + c.get("change_type").asString()));
    assertEquals(Set.of("b1 added", "b2 added"), changes);
    api.get("/v1/documents/regbi/nodes/b1?version=v1").error(404, "NOT_FOUND");
    api.post("/v1/stores/documents/BatchInsertNodes", Map.of("doc_id", "regbi", "nodes",
        List.of(Map.of("node_id", "b3", "parent_id", "nope", "title", "orphan"))))
        .error(400, "INVALID_ARGUMENT");
    assertEquals(2, api.get("/v1/documents/regbi/versions").expect(200).get("versions")
        .size());
  }

  @Test
  void deleteRemovesEveryVersionAndItsSearchHits() {
    Trees.Tree t = Trees.get("q1-fy25-earnings");
    Trees.Tree keep = Trees.get("earthmover");
    api.put("/v1/documents/keep", keep.raw()).expect(201);
    api.put("/v1/documents/gone?version_id=a&effective_date=2024-01-01", t.raw()).expect(201);
    api.put("/v1/documents/gone?version_id=b&effective_date=2024-02-01", t.raw()).expect(201);
    assertFalse(api.get("/v1/search?q=revenue&doc=gone").expect(200).get("hits").isEmpty());
    JsonNode del = api.delete("/v1/documents/gone").expect(200);
    assertEquals("gone", str(del, "doc_id"));
    assertEquals(2, del.get("versions").asInt());
    assertEquals(2 * t.size(), del.get("nodes").asInt());
    api.get("/v1/documents/gone").error(404, "NOT_FOUND");
    api.get("/v1/documents/gone/tree").error(404, "NOT_FOUND");
    api.get("/v1/documents/gone/nodes/" + t.roots().getFirst()).error(404, "NOT_FOUND");
    api.get("/v1/documents/gone/versions").error(404, "NOT_FOUND");
    api.delete("/v1/documents/gone").error(404, "NOT_FOUND");
    assertEquals(List.of("keep"), ids(api.get("/v1/documents").expect(200).get("documents"),
        "doc_id"));
    for (JsonNode h : api.get("/v1/search?q=revenue+quarter+income&limit=100").expect(200)
        .get("hits")) {
      assertEquals("keep", str(h, "doc_id"));
    }
    assertWholeTree(api, Trees.parse("keep", null, keep.raw()), "", str(api.get(
        "/v1/documents/keep").expect(200), "version_id"));
    // the id can be used again, from a clean slate
    JsonNode again = api.put("/v1/documents/gone", t.raw()).expect(201);
    assertEquals(t.size(), again.get("node_count").asInt());
    assertEquals(1, api.get("/v1/documents/gone").expect(200).get("versions").asInt());
    assertTrue(server.ts.check(10).ok(), () -> server.ts.check(10).problems().toString());
  }

  @Test
  void quirksOfRealOutputLoadWithWarnings() {
    String raw = """
        {"doc_name": "quirky.pdf", "doc_description": "odd", "source_url": "https://x",
         "structure": {"title": "Only root", "start_index": 5, "end_index": 3,
           "see_also": ["x"], "confidence": 0.9,
           "nodes": [{"title": "Child A", "start_index": 5, "end_index": 6,
                      "last_updated": "2024-01-01"},
                     {"title": "Child B", "start_index": 6,
                      "nodes": [{"title": "Grandchild", "start_index": 6, "end_index": 6}]}]}}
        """;
    JsonNode r = api.put("/v1/documents/quirky", raw).expect(201);
    assertEquals(4, r.get("node_count").asInt());
    List<String> warnings = HttpRoutesTest.strings(r.get("warnings"));
    assertTrue(warnings.stream().anyMatch(w -> w.contains("end_index")), warnings.toString());
    assertTrue(warnings.stream().anyMatch(w -> w.contains("node_id")), warnings.toString());
    JsonNode tree = api.get("/v1/documents/quirky/tree").expect(200);
    JsonNode root = tree.get("roots").get(0);
    assertEquals("Only root", str(root, "title"));
    assertEquals(5, root.get("page_start").asInt());
    assertEquals(5, root.get("page_end").asInt());
    assertEquals(5, root.get("attributes").get("start_index").asInt());
    assertEquals(3, root.get("attributes").get("end_index").asInt());
    assertEquals(List.of("x"), HttpRoutesTest.strings(root.get("attributes").get("see_also")));
    assertEquals(0.9, root.get("attributes").get("confidence").asDouble());
    List<String> order = List.of("Only root", "Child A", "Child B", "Grandchild");
    Set<String> seen = new HashSet<>();
    java.util.ArrayList<String> titles = new java.util.ArrayList<>();
    java.util.ArrayDeque<JsonNode> stack = new java.util.ArrayDeque<>();
    stack.push(root);
    while (!stack.isEmpty()) {
      JsonNode n = stack.pop();
      titles.add(str(n, "title"));
      assertTrue(seen.add(str(n, "node_id")), "distinct ids");
      JsonNode kids = n.path("children");
      for (int i = kids.size() - 1; i >= 0; i--) {
        stack.push(kids.get(i));
      }
    }
    assertEquals(order, titles);
    JsonNode a = root.get("children").get(0);
    assertEquals("2024-01-01", a.get("attributes").get("last_updated").asString());
    assertEquals("1.2.1", str(root.get("children").get(1).get("children").get(0),
        "section_path"));
    JsonNode b = root.get("children").get(1);
    assertEquals(6, b.get("page_end").asInt(), "a missing end_index is the start");
    String g = str(b.get("children").get(0), "node_id");
    assertEquals(List.of(str(a, "node_id"), str(b, "node_id"), g), ids(
        api.get("/v1/documents/quirky/pages/6/nodes").expect(200).get("nodes"), "node_id"),
        "the root covers page 5 only");
    assertEquals(List.of(str(root, "node_id"), str(a, "node_id")), ids(
        api.get("/v1/documents/quirky/pages/5/nodes").expect(200).get("nodes"), "node_id"));
    assertEquals("quirky.pdf", str(api.get("/v1/documents/quirky").expect(200), "doc_name"));
  }
}
