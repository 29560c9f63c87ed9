package io.treestore.server.http;

import static io.treestore.server.http.Api.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.server.Json;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * End to end over real sockets: the HTTP transport started in-process on 127.0.0.1, every real
 * PageIndex tree of the dataset ingested with PUT, and every route of DESIGN.md section 8
 * checked against answers computed in the test from the JSON files themselves (parents,
 * depths, section paths, page ranges, document order, BM25 from the design's formula).
 */
class HttpRoutesTest {
  private static final String VERSION = "v1";
  private static final String DATE = "2024-01-01";

  @TempDir static Path dir;
  private static TestServer server;
  private static Api api;

  @BeforeAll
  static void ingestEveryTree() {
    server = TestServer.start(dir.resolve("db"));
    api = server.api;
    for (Trees.Tree t : Trees.all()) {
      JsonNode r = api.put("/v1/documents/" + enc(t.docId()) + "?version_id=" + VERSION
          + "&effective_date=" + DATE, t.raw()).expect(201);
      assertEquals(t.docId(), r.path("doc_id").asString());
      assertEquals(VERSION, r.path("version_id").asString());
      assertEquals(t.size(), r.path("node_count").asInt(), t.docId() + " node_count");
      assertTrue(r.path("warnings").isEmpty(), () -> t.docId() + " warnings " + r);
    }
  }

  @Test
  void socketsUseTcpNoDelaySoLargeAnswersAreNotHeldBack() {
    // Headers and body are written separately; with Nagle's algorithm the body of a
    // multi-kilobyte answer waited for the client's delayed ACK (40 ms per call).
    assertEquals("true", System.getProperty(HttpTransport.NODELAY_PROPERTY));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  // ------------------------------------------------------------------ expectations

  static @Nullable String str(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asString();
  }

  static List<String> ids(@Nullable JsonNode list, String field) {
    List<String> out = new ArrayList<>();
    if (list != null) {
      for (JsonNode n : list) {
        out.add(n.path(field).asString());
      }
    }
    return out;
  }

  static List<String> strings(@Nullable JsonNode list) {
    List<String> out = new ArrayList<>();
    if (list != null) {
      list.forEach(x -> out.add(x.asString()));
    }
    return out;
  }

  /** Asserts one node of the answer against the file. */
  static void assertNode(Trees.Tree t, String id, JsonNode got, String version) {
    Trees.Node n = t.node(id);
    String at = t.docId() + "/" + id + ": ";
    assertEquals(t.docId(), str(got, "doc_id"), at + "doc_id");
    assertEquals(version, str(got, "version_id"), at + "version_id");
    assertEquals(id, str(got, "node_id"), at + "node_id");
    assertEquals(n.parent(), str(got, "parent_id"), at + "parent_id");
    assertEquals(n.title(), str(got, "title"), at + "title");
    assertEquals(n.start(), got.path("page_start").asInt(-1), at + "page_start");
    assertEquals(n.end(), got.path("page_end").asInt(-1), at + "page_end");
    assertEquals(n.path(), str(got, "section_path"), at + "section_path");
    assertEquals(n.depth(), got.path("depth").asInt(-1), at + "depth");
    assertEquals(n.children(), strings(got.get("child_ids")), at + "child_ids");
    assertEquals(n.text("summary"), str(got, "summary"), at + "summary");
    assertEquals(n.text("text"), str(got, "text"), at + "text");
  }

  /** Asserts a node with nested children down to {@code levels} more levels. */
  static void assertNested(Trees.Tree t, String id, JsonNode got, int levels, String version) {
    assertNode(t, id, got, version);
    List<String> kids = ids(got.get("children"), "node_id");
    if (levels == 0) {
      assertEquals(List.of(), kids, t.docId() + "/" + id + ": children past the depth");
      return;
    }
    assertEquals(t.node(id).children(), kids, t.docId() + "/" + id + ": nested children");
    int i = 0;
    for (JsonNode c : got.path("children")) {
      assertNested(t, kids.get(i++), c, levels - 1, version);
    }
  }

  static int count(JsonNode nodes) {
    int n = 0;
    for (JsonNode x : nodes) {
      n += 1 + count(x.path("children"));
    }
    return n;
  }

  static String doc(Trees.Tree t) {
    return "/v1/documents/" + enc(t.docId());
  }

  // ------------------------------------------------------------------ documents

  @Test
  void listsAndDescribesEveryDocument() {
    JsonNode list = api.get("/v1/documents").expect(200).get("documents");
    List<Trees.Tree> all = Trees.all();
    assertEquals(new TreeSet<>(all.stream().map(Trees.Tree::docId).toList()).stream().toList(),
        ids(list, "doc_id"), "documents, by id");
    for (JsonNode d : list) {
      Trees.Tree t = Trees.get(d.get("doc_id").asString());
      assertEquals(t.field("doc_name"), str(d, "doc_name"));
      assertEquals(t.field("doc_description"), str(d, "doc_description"));
      assertEquals(VERSION, str(d, "version_id"));
      assertEquals(t.size(), d.path("node_count").asInt());
      JsonNode one = api.get(doc(t)).expect(200);
      assertEquals(t.docId(), str(one, "doc_id"));
      assertEquals(t.field("doc_name"), str(one, "doc_name"));
      assertEquals(t.field("doc_description"), str(one, "doc_description"));
      assertEquals(VERSION, str(one, "version_id"));
      assertEquals(DATE, str(one, "effective_date"));
      assertEquals(t.size(), one.path("node_count").asInt());
      assertEquals(1, one.path("versions").asInt());
    }
    assertEquals(3, api.get("/v1/documents?limit=3").expect(200).get("documents").size());
  }

  // ------------------------------------------------------------------ nodes

  /**
   * The {@code .with_text} trees have the structure of their plain twins plus each node's
   * page text (up to the whole document for a root): their structure routes are sampled.
   */
  static boolean withText(Trees.Tree t) {
    return t.docId().endsWith(".with_text");
  }

  @Test
  void everyNodeWithItsChildrenAncestorsPathAndSubtree() {
    int checked = 0;
    for (Trees.Tree t : Trees.all()) {
      for (Trees.Node n : t.nodes()) {
        String base = doc(t) + "/nodes/" + enc(n.id());
        assertNode(t, n.id(), api.get(base).expect(200), VERSION);
        if (withText(t) && n.order() % 5 != 0) {
          checked++;
          continue;
        }
        JsonNode children = api.get(base + "/children").expect(200).get("nodes");
        assertEquals(n.children(), ids(children, "node_id"), base + " children");
        for (JsonNode c : children) {
          assertNode(t, c.get("node_id").asString(), c, VERSION);
        }
        JsonNode ancestors = api.get(base + "/ancestors").expect(200).get("nodes");
        assertEquals(t.ancestors(n.id()), ids(ancestors, "node_id"), base + " ancestors");
        for (JsonNode a : ancestors) {
          assertNode(t, a.get("node_id").asString(), a, VERSION);
        }
        assertNode(t, n.id(), api.get(doc(t) + "/paths/" + enc(n.path())).expect(200),
            VERSION);
        assertNested(t, n.id(), api.get(base + "/subtree?depth=1").expect(200), 1, VERSION);
        checked++;
      }
    }
    assertEquals(Trees.all().stream().mapToInt(Trees.Tree::size).sum(), checked);
  }

  /**
   * Node texts go to the answer from their stored UTF-8 bytes, escaped by the JSON writer
   * without being decoded: every kind of character must come back exactly, in a text long
   * enough to be kept as UTF-8 when read (512 bytes or more) and in a short one.
   */
  @Test
  void textsWithEveryKindOfCharacterComeBackExactly() {
    StringBuilder sb = new StringBuilder();
    for (int c = 0; c < 0x20; c++) {
      sb.append((char) c);
    }
    sb.append("\"quoted\" back\\slash / \u007f\u0080 caf\u00e9 \u2028\u2029 \u4e2d\u6587 ")
        .append("\ud83d\ude00 \ufffd \ufeff end");
    String hard = sb.toString();
    String longText = (hard + "\n").repeat(20);
    Map<String, Object> tree = Map.of("doc_name", "hard characters", "structure", List.of(
        Map.of("title", "root", "node_id", "0001", "start_index", 1, "end_index", 2,
            "text", longText, "nodes", List.of(Map.of("title", "kid", "node_id", "0002",
                "start_index", 2, "end_index", 2, "text", hard)))));
    api.put("/v1/documents/hard-text?version_id=" + VERSION + "&effective_date=" + DATE,
        Json.MAPPER.writeValueAsString(tree)).expect(201);
    String base = "/v1/documents/hard-text/nodes/";
    assertEquals(longText, str(api.get(base + "0001").expect(200), "text"));
    assertEquals(hard, str(api.get(base + "0002").expect(200), "text"));
    JsonNode kids = api.get(base + "0001/children").expect(200).get("nodes");
    assertEquals(hard, str(kids.get(0), "text"));
    JsonNode sub = api.get(base + "0001/subtree").expect(200);
    assertEquals(longText, str(sub, "text"));
    assertEquals(hard, str(sub.get("children").get(0), "text"));
    api.delete("/v1/documents/hard-text").expect(200);
  }

  @Test
  void subtreesAtEveryDepthAndWhole() {
    for (Trees.Tree t : Trees.all()) {
      for (String root : withText(t) ? t.roots().subList(0, 1) : t.roots()) {
        String base = doc(t) + "/nodes/" + enc(root) + "/subtree";
        assertNested(t, root, api.get(base).expect(200), Integer.MAX_VALUE, VERSION);
        for (int d = 0; d <= 3; d++) {
          assertNested(t, root, api.get(base + "?depth=" + d).expect(200), d, VERSION);
        }
      }
    }
  }

  @Test
  void wholeTreesAndTreesCutAtADepth() {
    for (Trees.Tree t : Trees.all()) {
      JsonNode tree = api.get(doc(t) + "/tree").expect(200);
      assertEquals(t.docId(), str(tree, "doc_id"));
      assertEquals(VERSION, str(tree, "version_id"));
      assertEquals(t.roots(), ids(tree.get("roots"), "node_id"));
      assertEquals(t.size(), count(tree.get("roots")), t.docId() + " nodes in the tree");
      int i = 0;
      for (JsonNode r : tree.get("roots")) {
        assertNested(t, t.roots().get(i++), r, Integer.MAX_VALUE, VERSION);
      }
      for (int d = 0; d <= 2; d++) {
        JsonNode cut = api.get(doc(t) + "/tree?depth=" + d).expect(200);
        assertEquals(t.roots(), ids(cut.get("roots"), "node_id"));
        int j = 0;
        for (JsonNode r : cut.get("roots")) {
          assertNested(t, t.roots().get(j++), r, d, VERSION);
        }
        int depth = d;
        assertEquals(t.nodes().stream().filter(n -> n.depth() <= depth).count(),
            count(cut.get("roots")), t.docId() + " nodes down to depth " + d);
      }
    }
  }

  @Test
  void nodesOfEveryPageOutermostFirstThenInDocumentOrder() {
    int pages = 0;
    for (Trees.Tree t : Trees.all()) {
      for (int p = 0; p <= t.lastPage() + 1; p += withText(t) ? 7 : 1) {
        JsonNode nodes = api.get(doc(t) + "/pages/" + p + "/nodes").expect(200).get("nodes");
        assertEquals(t.onPage(p), ids(nodes, "node_id"), t.docId() + " page " + p);
        for (JsonNode n : nodes) {
          assertNode(t, n.get("node_id").asString(), n, VERSION);
        }
        pages++;
      }
    }
    assertTrue(pages > 100, "pages checked: " + pages);
    Trees.Tree big = Trees.get("2023-annual-report.with_text");
    int last = big.lastPage();
    assertEquals(big.onPage(last), ids(api.get(doc(big) + "/pages/" + last + "/nodes")
        .expect(200).get("nodes"), "node_id"));
  }

  @Test
  void readsNamingTheVersionOrADate() {
    Trees.Tree t = Trees.bySize().getFirst();
    String id = t.nodes().getLast().id();
    assertNode(t, id, api.get(doc(t) + "/nodes/" + enc(id) + "?version=" + VERSION)
        .expect(200), VERSION);
    assertNode(t, id, api.get(doc(t) + "/nodes/" + enc(id) + "?as_of=2024-06-30")
        .expect(200), VERSION);
    api.get(doc(t) + "/nodes/" + enc(id) + "?as_of=2023-12-31").error(404, "NOT_FOUND");
    api.get(doc(t) + "/nodes/" + enc(id) + "?version=v9").error(404, "NOT_FOUND");
    assertEquals(t.size(), count(api.get(doc(t) + "/tree?as_of=" + DATE).expect(200)
        .get("roots")));
  }

  // ------------------------------------------------------------------ search

  @Test
  void searchRanksLikeBm25OfTheDesign() {
    Bm25 bm25 = new Bm25();
    Trees.all().forEach(bm25::add);
    String[] queries = {"revenue", "Earth Mover distance", "regulation best interest",
        "the lectures of THE course", "operating income segment", "parks experiences products",
        "broker dealer obligations", "zzzqqxj"};
    int hits = 0;
    for (String q : queries) {
      hits += assertSearch(bm25, q, null, null, null);
      hits += assertSearch(bm25, q, null, 25, null);
      for (Trees.Tree t : Trees.all()) {
        hits += assertSearch(bm25, q, t.docId(), 5, null);
      }
    }
    Trees.Tree big = Trees.all().stream().filter(t -> t.docId().endsWith(".with_text"))
        .max(java.util.Comparator.comparingInt(Trees.Tree::size)).orElseThrow();
    hits += assertSearch(bm25, "revenue income", big.docId(), 50, "2");
    assertTrue(hits > 100, "hits checked: " + hits);
    JsonNode none = api.get("/v1/search?q=zzzqqxj").expect(200);
    assertEquals(0, none.get("hits").size());
  }

  private static final Pattern MARK = Pattern.compile("<b>(.*?)</b>");

  private static int assertSearch(Bm25 bm25, String q, @Nullable String docId,
      @Nullable Integer limit, @Nullable String section) {
    Predicate<Bm25.Doc> filter = d -> (docId == null || d.docId().equals(docId))
        && (section == null || d.node().path().equals(section)
        || d.node().path().startsWith(section + "."));
    List<Bm25.Scored> want = bm25.search(q, filter);
    StringBuilder url = new StringBuilder("/v1/search?q=").append(enc(q));
    if (docId != null) {
      url.append("&doc=").append(enc(docId));
    }
    if (limit != null) {
      url.append("&limit=").append(limit);
    }
    if (section != null) {
      url.append("&section_path=").append(enc(section));
    }
    JsonNode hits = api.get(url.toString()).expect(200).get("hits");
    int k = Math.min(limit == null ? 10 : limit, want.size());
    String ctx = url + ": ";
    assertEquals(k, hits.size(), ctx + "hits");
    Map<String, Double> scores = new HashMap<>();
    want.forEach(s -> scores.put(s.docId() + "/" + s.nodeId(), s.score()));
    Set<String> queryTerms = Set.copyOf(Bm25.tokens(q));
    double prev = Double.POSITIVE_INFINITY;
    String prevKey = "";
    int i = 0;
    for (JsonNode h : hits) {
      String key = h.get("doc_id").asString() + "/" + h.get("node_id").asString();
      double s = h.get("score").asDouble();
      Double expected = scores.get(key);
      assertNotNull(expected, ctx + key + " should not match");
      double tol = 1e-9 * Math.max(1, Math.abs(expected));
      assertEquals(expected, s, tol, ctx + key + " score");
      assertEquals(want.get(i).score(), s, tol, ctx + "score at rank " + i);
      assertTrue(s <= prev, ctx + "scores descend");
      if (s == prev) {
        assertTrue(key.compareTo(prevKey) > 0, ctx + "ties by doc and node id");
      }
      prev = s;
      prevKey = key;
      Trees.Tree t = Trees.get(h.get("doc_id").asString());
      Trees.Node n = t.node(h.get("node_id").asString());
      assertEquals(n.title(), str(h, "title"), ctx + key);
      assertEquals(n.start(), h.path("page_start").asInt(), ctx + key);
      assertEquals(n.end(), h.path("page_end").asInt(), ctx + key);
      assertEquals(n.path(), str(h, "section_path"), ctx + key);
      assertEquals(VERSION, str(h, "version_id"), ctx + key);
      List<String> anc = t.ancestors(n.id()).stream().map(a -> t.node(a).title()).toList();
      assertEquals(anc, strings(h.get("ancestors")), ctx + key + " ancestors");
      Matcher m = MARK.matcher(h.path("snippet").asString());
      while (m.find()) {
        for (String tok : Bm25.tokens(m.group(1))) {
          assertTrue(queryTerms.contains(tok), ctx + key + " marks '" + m.group(1) + "'");
        }
      }
      i++;
    }
    return k;
  }

  // ------------------------------------------------------------------ agent metadata

  private static Map<String, Object> toolResult(String tool, int i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tool_name", tool);
    m.put("criterion_id", "crit-" + (i % 2));
    m.put("input", Map.of("query", "q" + i, "k", i));
    m.put("output", Map.of("nodes", List.of("000" + i), "ok", true));
    m.put("timestamp", "2024-05-01T10:00:0" + i + "Z");
    m.put("latency_ms", 10L * (i + 1));
    m.put("success", i % 3 != 0);
    if (i % 2 == 0) {
      m.put("confidence", 0.1 * (i + 1));
    }
    return m;
  }

  private static void assertAggregate(List<Map<String, Object>> want, JsonNode agg) {
    assertEquals(want.size(), agg.path("count").asLong(), "aggregate count");
    double ok = want.stream().filter(m -> (Boolean) m.get("success")).count();
    assertEquals(want.isEmpty() ? 0 : ok / want.size(), agg.path("success_rate").asDouble(),
        1e-12, "success rate");
    assertEquals(want.stream().mapToLong(m -> (Long) m.get("latency_ms")).average().orElse(0),
        agg.path("mean_latency_ms").asDouble(), 1e-9, "mean latency");
    assertEquals(want.stream().mapToLong(m -> (Long) m.get("latency_ms")).max().orElse(0),
        agg.path("max_latency_ms").asLong(), "max latency");
    var conf = want.stream().filter(m -> m.containsKey("confidence"))
        .mapToDouble(m -> (Double) m.get("confidence")).average();
    if (conf.isPresent()) {
      assertEquals(conf.getAsDouble(), agg.path("mean_confidence").asDouble(), 1e-12);
    } else {
      assertTrue(agg.path("mean_confidence").isMissingNode()
          || agg.path("mean_confidence").isNull());
    }
  }

  private static void assertToolResults(List<Map<String, Object>> want, JsonNode results) {
    assertEquals(want.size(), results.size(), "results");
    for (int i = 0; i < want.size(); i++) {
      JsonNode r = results.get(i).get("result");
      Map<String, Object> w = want.get(i);
      assertTrue(results.get(i).path("id").asString().matches("[0-9a-f]{16}"),
          "id " + results.get(i).path("id"));
      assertEquals("case-tools", str(r, "case_id"));
      assertEquals(w.get("tool_name"), str(r, "tool_name"));
      assertEquals(w.get("criterion_id"), str(r, "criterion_id"));
      assertEquals(Instant.parse((String) w.get("timestamp")),
          Instant.parse(r.get("timestamp").asString()));
      assertEquals(w.get("latency_ms"), r.get("latency_ms").asLong());
      assertEquals(w.get("success"), r.get("success").asBoolean());
      assertEquals(Json.MAPPER.valueToTree(w.get("input")), r.get("input"));
      assertEquals(Json.MAPPER.valueToTree(w.get("output")), r.get("output"));
    }
  }

  @Test
  void toolResultsByCaseAndToolWithAggregates() {
    List<Map<String, Object>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Map<String, Object> m = toolResult(i % 3 == 1 ? "pi_read" : "pi_search", i);
      JsonNode r = api.post("/v1/cases/case-tools/tool-results", m).expect(201);
      assertTrue(r.path("id").asString().matches("[0-9a-f]{16}"), "id: " + r);
      assertEquals(Instant.parse((String) m.get("timestamp")),
          Instant.parse(r.get("timestamp").asString()));
      all.add(m);
    }
    JsonNode every = api.get("/v1/cases/case-tools/tool-results").expect(200);
    assertToolResults(all, every.get("results"));
    assertAggregate(all, every.get("aggregate"));
    for (String tool : List.of("pi_search", "pi_read")) {
      List<Map<String, Object>> want = all.stream().filter(m -> m.get("tool_name")
          .equals(tool)).toList();
      JsonNode got = api.get("/v1/cases/case-tools/tool-results?tool=" + tool).expect(200);
      assertToolResults(want, got.get("results"));
      assertAggregate(want, got.get("aggregate"));
    }
    JsonNode page = api.get("/v1/cases/case-tools/tool-results?limit=3").expect(200);
    assertToolResults(all.subList(0, 3), page.get("results"));
    assertAggregate(all, page.get("aggregate"));
    JsonNode window = api.get("/v1/cases/case-tools/tool-results?from="
        + enc("2024-05-01T10:00:02Z") + "&to=" + enc("2024-05-01T10:00:05Z")).expect(200);
    assertToolResults(all.subList(2, 5), window.get("results"));
    JsonNode none = api.get("/v1/cases/no-such-case/tool-results").expect(200);
    assertEquals(0, none.get("results").size());
    assertEquals(0, none.get("aggregate").path("count").asLong());
  }

  @Test
  void trajectoriesOfACaseOldestFirst() {
    List<Map<String, Object>> sent = new ArrayList<>();
    for (int i = 2; i >= 0; i--) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("query", "where is revenue " + i);
      m.put("nodes_visited", List.of("0001", "000" + (i + 2)));
      m.put("thinking", "step " + i);
      m.put("confidence", 0.5);
      m.put("method", "mcts");
      m.put("timestamp", "2024-05-02T00:00:0" + i + "Z");
      api.post("/v1/cases/case-traj/trajectories", m).expect(201);
      sent.add(0, m);
    }
    JsonNode got = api.get("/v1/cases/case-traj/trajectories").expect(200).get("trajectories");
    assertEquals(3, got.size());
    for (int i = 0; i < 3; i++) {
      JsonNode t = got.get(i).get("trajectory");
      assertEquals(sent.get(i).get("query"), str(t, "query"));
      assertEquals(sent.get(i).get("nodes_visited"), strings(t.get("nodes_visited")));
      assertEquals(sent.get(i).get("thinking"), str(t, "thinking"));
      assertEquals("mcts", str(t, "method"));
      assertEquals(0.5, t.get("confidence").asDouble());
      assertEquals("case-traj", str(t, "case_id"));
    }
    assertEquals(2, api.get("/v1/cases/case-traj/trajectories?limit=2").expect(200)
        .get("trajectories").size());
  }

  @Test
  void contradictionsOfACaseAndOfOneCriterion() {
    for (String crit : List.of("c2", "c1")) {
      api.post("/v1/cases/case-con/contradictions", Map.of("criterion_id", crit,
          "evidence", List.of(
              Map.of("doc_id", "earthmover", "node_id", "0001", "snippet", "says yes",
                  "stance", "support"),
              Map.of("node_id", "0002", "snippet", "says no", "stance", "oppose")),
          "conflicts", List.of("yes vs no on " + crit), "resolution", "ask a human"))
          .expect(201);
    }
    JsonNode all = api.get("/v1/cases/case-con/contradictions").expect(200)
        .get("contradictions");
    assertEquals(List.of("c1", "c2"), all.valueStream().map(c -> c.get("contradiction")
        .get("criterion_id").asString()).toList(), "by criterion");
    JsonNode one = api.get("/v1/cases/case-con/contradictions?criterion=c2").expect(200)
        .get("contradictions");
    assertEquals(1, one.size());
    JsonNode c = one.get(0).get("contradiction");
    assertEquals(List.of("yes vs no on c2"), strings(c.get("conflicts")));
    assertEquals("ask a human", str(c, "resolution"));
    assertEquals(List.of("support", "oppose"), ids(c.get("evidence"), "stance"));
    assertEquals("earthmover", str(c.get("evidence").get(0), "doc_id"));
  }

  @Test
  void crossReferencesInBothDirections() {
    Map<String, Object> a = Map.of("from_doc_id", "earthmover", "from_node_id", "0001",
        "to_doc_id", "four-lectures", "to_node_id", "0003", "relation_type", "see_also",
        "reason", "same topic", "confidence", 0.75);
    Map<String, Object> b = Map.of("from_doc_id", "four-lectures", "from_node_id", "0005",
        "to_doc_id", "earthmover", "to_node_id", "0001", "relation_type", "related");
    assertEquals(Json.MAPPER.valueToTree(a), api.post("/v1/cross-references", a).expect(201));
    api.post("/v1/cross-references", b).expect(201);
    JsonNode x = api.get("/v1/documents/earthmover/nodes/0001/cross-references").expect(200);
    assertEquals(List.of(Json.MAPPER.valueToTree(a)), x.get("outgoing").valueStream().toList());
    assertEquals(List.of(Json.MAPPER.valueToTree(b)), x.get("incoming").valueStream().toList());
    JsonNode y = api.get("/v1/documents/four-lectures/nodes/0003/cross-references")
        .expect(200);
    assertEquals(0, y.get("outgoing").size());
    assertEquals(List.of(Json.MAPPER.valueToTree(a)), y.get("incoming").valueStream().toList());
  }

  @Test
  void promptVersionsDeploymentsAndUsage() {
    Map<String, Object> v1 = new LinkedHashMap<>();
    v1.put("content", "You are a careful analyst. v1");
    v1.put("tool_schemas", List.of(Map.of("name", "pi_search", "description", "search",
        "parameters", Map.of("type", "object"))));
    v1.put("deployed_at", "2024-01-01T00:00:00Z");
    v1.put("retired_at", "2024-06-01T00:00:00Z");
    JsonNode p1 = api.putJson("/v1/prompts/sys/versions/1", v1).expect(201);
    assertEquals("sys", str(p1, "prompt_id"));
    assertEquals("1", str(p1, "version"));
    Map<String, Object> v2 = Map.of("content", "You are a careful analyst. v2",
        "deployed_at", "2024-06-01T00:00:00Z");
    api.putJson("/v1/prompts/sys/versions/2", v2).expect(201);
    JsonNode g1 = api.get("/v1/prompts/sys/versions/1").expect(200);
    assertEquals(v1.get("content"), str(g1, "content"));
    assertEquals("pi_search", str(g1.get("tool_schemas").get(0), "name"));
    assertEquals("1", str(api.get("/v1/prompts/sys?at=" + enc("2024-03-01T00:00:00Z"))
        .expect(200), "version"));
    assertEquals("2", str(api.get("/v1/prompts/sys?at=" + enc("2024-07-01T00:00:00Z"))
        .expect(200), "version"));
    assertEquals("2", str(api.get("/v1/prompts/sys").expect(200), "version"));
    api.get("/v1/prompts/sys?at=" + enc("2023-07-01T00:00:00Z")).error(404, "NOT_FOUND");
    // storing the same version again with the same content is a no-op
    api.putJson("/v1/prompts/sys/versions/1", v1).expect(201);

    for (String[] u : new String[][] {{"1", "2024-02-01T00:00:00Z"},
        {"2", "2024-07-01T00:00:00Z"}, {"2", "2024-08-01T00:00:00Z"}}) {
      JsonNode r = api.post("/v1/cases/case-p/prompt-usage", Map.of("prompt_id", "sys",
          "version", u[0], "timestamp", u[1])).expect(201);
      assertEquals(u[0], str(r.get("usage"), "version"));
    }
    JsonNode usages = api.get("/v1/cases/case-p/prompt-usage").expect(200).get("usages");
    assertEquals(List.of("1", "2", "2"), usages.valueStream().map(x -> x.get("usage")
        .get("version").asString()).toList());
    assertEquals(1, api.get("/v1/cases/case-p/prompt-usage?limit=1").expect(200)
        .get("usages").size());
    api.post("/v1/cases/case-p/prompt-usage", Map.of("prompt_id", "sys", "version", "7"))
        .error(404, "NOT_FOUND");
    assertEquals(3, api.get("/v1/cases/case-p/prompt-usage").expect(200).get("usages")
        .size());
  }

  // ------------------------------------------------------------------ operations

  @Test
  void healthStatsAndMetrics() {
    assertEquals("live", str(api.get("/health/live").expect(200), "status"));
    assertEquals("ready", str(api.get("/health/ready").expect(200), "status"));
    JsonNode stats = api.get("/v1/stats").expect(200);
    assertEquals(Set.of("documents", "versions", "metadata", "prompts"),
        Set.copyOf(strings(stats.get("stores"))));
    JsonNode db = stats.get("database");
    assertTrue(db.path("commits").asLong() >= Trees.all().size(), "commits: " + db);
    assertTrue(db.has("wal_bytes") && db.has("checkpoint_lsn") && db.has("cache_hit_rate")
        && db.has("active_transactions"), "database stats: " + db);
    assertTrue(db.path("wal_records").asLong() >= db.path("commits").asLong()
        && db.path("wal_groups").asLong() >= 1 && db.has("wal_syncs"),
        "log group-commit stats: " + db);

    api.get("/v1/documents/no-such-doc").error(404, "NOT_FOUND");
    Api.Resp m = api.get("/metrics");
    assertEquals(200, m.status());
    assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
        "metrics content type");
    String text = m.body();
    for (String name : List.of("treestore_query_duration_seconds_bucket",
        "treestore_query_duration_seconds_count", "treestore_transaction_duration_seconds",
        "treestore_requests_total", "treestore_errors_total", "treestore_cache_hit_rate",
        "treestore_wal_size_bytes", "treestore_active_transactions",
        "treestore_documents_total", "treestore_checkpoint_lsn", "treestore_wal_groups",
        "treestore_wal_records", "treestore_wal_syncs", "treestore_wal_sync_seconds",
        "treestore_checkpoint_failures")) {
      assertTrue(text.contains(name), "metrics lack " + name);
    }
    assertTrue(Pattern.compile("(?m)^treestore_documents_total(\\{[^}]*\\})? "
        + Trees.all().size() + "(\\.0)?$").matcher(text).find(), "documents gauge");
    assertTrue(Pattern.compile("(?m)^treestore_errors_total\\{[^}]*code=\"NOT_FOUND\"[^}]*\\}"
        + " [1-9]").matcher(text).find(), "the 404 is counted");
    assertTrue(Pattern.compile("(?m)^treestore_requests_total\\{[^}]*operation=\"StoreDocument\""
        + "[^}]*\\} ([0-9.e+]+)$").matcher(text).find(), "ingests are counted");
  }

  @Test
  void storeCatalogueAndGenericOperations() {
    JsonNode stores = api.get("/v1/stores").expect(200).get("stores");
    assertEquals(Set.of("documents", "versions", "metadata", "prompts"),
        Set.copyOf(stores.propertyNames()));
    Map<String, String> kinds = new HashMap<>();
    for (Map.Entry<String, JsonNode> e : stores.properties()) {
      for (JsonNode op : e.getValue()) {
        assertEquals("/v1/stores/" + e.getKey() + "/" + op.get("name").asString(),
            str(op, "path"));
        assertFalse(str(op, "description").isBlank());
        kinds.put(e.getKey() + "/" + op.get("name").asString(), str(op, "kind"));
      }
    }
    for (String r : List.of("GetDocument", "ListDocuments", "GetNode", "GetChildren",
        "GetSubtree", "GetTree", "GetAncestorPath", "GetNodesByPage", "GetByPath",
        "SearchByKeyword")) {
      assertEquals("read", kinds.get("documents/" + r), r);
    }
    for (String w : List.of("StoreDocument", "BatchInsertNodes", "DeleteDocument")) {
      assertEquals("write", kinds.get("documents/" + w), w);
    }
    assertEquals("read", kinds.get("versions/ListVersions"));
    assertEquals("read", kinds.get("versions/GetVersionAsOf"));
    assertEquals("write", kinds.get("metadata/StoreToolResult"));
    assertEquals("write", kinds.get("prompts/RecordPromptUsage"));

    Trees.Tree t = Trees.get("q1-fy25-earnings");
    Trees.Node n = t.nodes().get(t.size() / 2);
    assertNode(t, n.id(), api.post("/v1/stores/documents/GetNode", Map.of("doc_id",
        t.docId(), "node_id", n.id())).expect(200), VERSION);
    assertEquals(t.onPage(n.start()), ids(api.post("/v1/stores/documents/GetNodesByPage",
        Map.of("doc_id", t.docId(), "page", n.start())).expect(200).get("nodes"), "node_id"));
    assertEquals(List.of(VERSION), ids(api.post("/v1/stores/versions/ListVersions",
        Map.of("doc_id", t.docId())).expect(200).get("versions"), "version_id"));
    JsonNode rec = api.post("/v1/stores/metadata/StoreToolResult", Map.of("case_id",
        "case-generic", "tool_name", "pi_tree", "latency_ms", 3, "success", true)).expect(201);
    JsonNode back = api.get("/v1/cases/case-generic/tool-results").expect(200)
        .get("results");
    assertEquals(List.of(rec.get("id").asString()), ids(back, "id"));
    api.post("/v1/stores/nope/GetNode", Map.of()).error(404, "NOT_FOUND");
    api.post("/v1/stores/documents/Nope", Map.of()).error(404, "NOT_FOUND");
    api.post("/v1/stores/documents/GetNode", Map.of("doc_id", t.docId(), "node_id", n.id(),
        "bogus", 1)).error(400, "INVALID_ARGUMENT");
  }
}
