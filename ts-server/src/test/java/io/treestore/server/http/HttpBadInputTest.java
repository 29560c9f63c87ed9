package io.treestore.server.http;

import static io.treestore.server.http.Api.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.server.Json;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Bad input over the wire: every case gets its status and a JSON error body
 * {@code {"error":{"code","message"}}}, and nothing is written (checked by listing and reading
 * back). Also authentication, the rate limit, deadlines, body limits and duplicates.
 */
class HttpBadInputTest {
  @TempDir static Path dir;
  private static TestServer server;
  private static Api api;
  private static Trees.Tree small;
  private static Trees.Tree other;

  @BeforeAll
  static void start() {
    server = TestServer.start(dir.resolve("db"));
    api = server.api;
    small = Trees.get("earthmover");
    other = Trees.get("regbi-interpretive");
    for (Trees.Tree t : List.of(small, other)) {
      api.put("/v1/documents/" + t.docId() + "?version_id=v1&effective_date=2024-01-01",
          t.raw()).expect(201);
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** The documents are exactly the two of the setup, unchanged, and no case has data. */
  static void assertNothingWritten(Api a) {
    JsonNode docs = a.get("/v1/documents").expect(200).get("documents");
    assertEquals(List.of("earthmover", "regbi-interpretive"), HttpRoutesTest.ids(docs,
        "doc_id"), "documents after bad input");
    for (JsonNode d : docs) {
      Trees.Tree t = Trees.get(d.get("doc_id").asString());
      assertEquals("v1", d.get("version_id").asString());
      assertEquals(t.size(), d.get("node_count").asInt());
      assertEquals(1, a.get("/v1/documents/" + t.docId() + "/versions").expect(200)
          .get("versions").size(), "versions of " + t.docId());
    }
    for (String c : List.of("bad", "c1")) {
      assertEquals(0, a.get("/v1/cases/" + c + "/tool-results").expect(200).get("results")
          .size(), "tool results of case " + c);
    }
    a.get("/v1/prompts/p/versions/1").error(404, "NOT_FOUND");
  }

  static String mutate(Trees.Tree t, java.util.function.Consumer<ObjectNode> firstNode) {
    ObjectNode copy = (ObjectNode) Json.MAPPER.readTree(t.raw());
    ObjectNode first = (ObjectNode) copy.get("structure").get(0);
    firstNode.accept(first);
    return Json.MAPPER.writeValueAsString(copy);
  }

  @Test
  void malformedJsonIsRefused() {
    for (String body : List.of("{\"structure\": [", "[1,2,3]", "\"just a string\"", "{}",
        "{\"structure\": 7}", "nul", "{\"doc_name\": \"x\", \"structure\": [{\"title\": }]}")) {
      api.put("/v1/documents/bad", body).error(400, "INVALID_ARGUMENT");
    }
    api.send("PUT", "/v1/documents/bad", null).error(400, "INVALID_ARGUMENT");
    api.post("/v1/cases/bad/tool-results", "{\"tool_name\": ").error(400, "INVALID_ARGUMENT");
    api.post("/v1/cases/bad/tool-results", "[1]").error(400, "INVALID_ARGUMENT");
    api.send("POST", "/v1/cases/bad/tool-results", null).error(400, "INVALID_ARGUMENT");
    api.post("/v1/cross-references", "{{").error(400, "INVALID_ARGUMENT");
    api.putJson("/v1/prompts/p/versions/1", "{\"content\": 1,").error(400,
        "INVALID_ARGUMENT");
    api.post("/v1/stores/metadata/StoreToolResult", "{\"case_id\":").error(400,
        "INVALID_ARGUMENT");
    api.post("/v1/stores/documents/StoreDocument", "[]").error(400, "INVALID_ARGUMENT");
    assertNothingWritten(api);
  }

  @Test
  void invalidTreesAreRefusedWhole() {
    List<String> bad = new ArrayList<>();
    bad.add(mutate(small, n -> n.put("start_index", "one")));
    bad.add(mutate(small, n -> n.put("start_index", -4)));
    bad.add(mutate(small, n -> n.remove("title")));
    bad.add(mutate(small, n -> n.put("title", 12)));
    bad.add(mutate(small, n -> n.put("nodes", "none")));
    bad.add(mutate(small, n -> n.put("node_id", small.nodes().get(1).id())));
    for (String body : bad) {
      api.put("/v1/documents/bad", body).error(400, "INVALID_ARGUMENT");
      api.put("/v1/documents/earthmover", body).error(400, "INVALID_ARGUMENT");
    }
    api.put("/v1/documents/bad?effective_date=yesterday", small.raw()).error(400,
        "INVALID_ARGUMENT");
    api.put("/v1/documents/bad?version_id=" + enc("a\u0001b"), small.raw()).error(400,
        "INVALID_ARGUMENT");
    api.put("/v1/documents/" + "x".repeat(201), small.raw()).error(400, "INVALID_ARGUMENT");
    assertNothingWritten(api);
  }

  @Test
  void wrongTypesInParametersAndBodies() {
    String node = "/v1/documents/earthmover/nodes/" + small.roots().getFirst();
    api.get(node + "/subtree?depth=abc").error(400, "INVALID_ARGUMENT");
    api.get(node + "/subtree?depth=-3").error(400, "INVALID_ARGUMENT");
    api.get(node + "/subtree?depth=1.5").error(400, "INVALID_ARGUMENT");
    api.get("/v1/documents/earthmover/tree?depth=deep").error(400, "INVALID_ARGUMENT");
    api.get("/v1/documents/earthmover/pages/abc/nodes").error(400, "INVALID_ARGUMENT");
    api.get("/v1/documents/earthmover/pages/-1/nodes").error(400, "INVALID_ARGUMENT");
    api.get("/v1/documents/earthmover/pages/99999999999999999999/nodes").error(400,
        "INVALID_ARGUMENT");
    api.get(node + "?as_of=yesterday").error(400, "INVALID_ARGUMENT");
    api.get(node + "?as_of=2024-01-01&version=v1").error(400, "INVALID_ARGUMENT");
    api.get("/v1/documents/earthmover/versions?as_of=2024-13-45").error(400,
        "INVALID_ARGUMENT");
    api.get("/v1/search?q=revenue&limit=-1").error(400, "INVALID_ARGUMENT");
    api.get("/v1/search?q=revenue&limit=0").error(400, "INVALID_ARGUMENT");
    api.get("/v1/search?q=revenue&limit=ten").error(400, "INVALID_ARGUMENT");
    api.get("/v1/search?q=revenue&limit=5000").error(400, "INVALID_ARGUMENT");
    api.get("/v1/search?limit=5").error(400, "INVALID_ARGUMENT");
    api.get("/v1/search?q=revenue&analyzer=english").error(400, "INVALID_ARGUMENT");
    api.get("/v1/search?q=revenue&version=v1").error(400, "INVALID_ARGUMENT");
    api.get("/v1/documents?limit=0").error(400, "INVALID_ARGUMENT");
    api.get("/v1/documents?limit=many").error(400, "INVALID_ARGUMENT");
    api.get("/v1/cases/c1/tool-results?limit=-1").error(400, "INVALID_ARGUMENT");
    api.get("/v1/cases/c1/tool-results?from=monday").error(400, "INVALID_ARGUMENT");
    // a malformed escape never reaches the transport: the JDK's server answers 400 itself
    assertEquals(400, api.raw("GET /v1/documents/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Connection: close\r\n\r\n").status());
    api.get("/v1/documents/%25zz").error(404, "NOT_FOUND");
    api.get("/v1/documents", "X-Request-Deadline-Ms", "soon").error(400, "INVALID_ARGUMENT");

    Map<String, Object> good = new LinkedHashMap<>();
    good.put("tool_name", "pi_search");
    good.put("latency_ms", 5);
    good.put("success", true);
    List<Map<String, Object>> bad = new ArrayList<>();
    for (Object[] kv : new Object[][] {{"latency_ms", "fast"}, {"latency_ms", -1},
        {"success", "maybe"}, {"success", null}, {"confidence", 7}, {"confidence", "high"},
        {"timestamp", "noon"}, {"input", List.of(1, 2)}, {"bogus_field", 1},
        {"case_id", "another-case"}, {"tool_name", ""}, {"tool_name", "a/b"}}) {
      Map<String, Object> m = new LinkedHashMap<>(good);
      m.put((String) kv[0], kv[1]);
      bad.add(m);
    }
    Map<String, Object> missing = new LinkedHashMap<>(good);
    missing.remove("tool_name");
    bad.add(missing);
    for (Map<String, Object> m : bad) {
      api.post("/v1/cases/c1/tool-results", m).error(400, "INVALID_ARGUMENT");
    }
    api.post("/v1/cross-references", Map.of("from_doc_id", "a", "from_node_id", "1",
        "to_doc_id", "a", "to_node_id", "1", "relation_type", "self")).error(400,
        "INVALID_ARGUMENT");
    api.putJson("/v1/prompts/p/versions/1", Map.of("content", "x", "deployed_at",
        "2024-02-01T00:00:00Z", "retired_at", "2024-01-01T00:00:00Z")).error(400,
        "INVALID_ARGUMENT");
    api.putJson("/v1/prompts/p/versions/1", Map.of("content", "x", "prompt_id", "q"))
        .error(400, "INVALID_ARGUMENT");
    api.post("/v1/stores/documents/GetNode", Map.of("doc_id", List.of("a"), "node_id", "1"))
        .error(400,
        "INVALID_ARGUMENT");
    api.post("/v1/stores/documents/GetNodesByPage", Map.of("doc_id", "earthmover", "page",
        "three")).error(400, "INVALID_ARGUMENT");
    assertNothingWritten(api);
  }

  @Test
  void unknownIdsAreNotFound() {
    String root = small.roots().getFirst();
    for (String path : List.of("/v1/documents/nope", "/v1/documents/nope/tree",
        "/v1/documents/nope/nodes/" + root, "/v1/documents/earthmover/nodes/no-node",
        "/v1/documents/earthmover/nodes/no-node/children",
        "/v1/documents/earthmover/nodes/no-node/ancestors",
        "/v1/documents/earthmover/nodes/no-node/subtree",
        "/v1/documents/earthmover/paths/9.9.9", "/v1/documents/nope/pages/1/nodes",
        "/v1/documents/nope/versions", "/v1/documents/nope/versions?as_of=2024-01-01",
        "/v1/documents/earthmover/versions?as_of=2023-12-31",
        "/v1/documents/earthmover/nodes/" + root + "?version=v2",
        "/v1/prompts/nope/versions/1", "/v1/prompts/nope")) {
      api.get(path).error(404, "NOT_FOUND");
    }
    api.delete("/v1/documents/nope").error(404, "NOT_FOUND");
    api.post("/v1/cases/c1/prompt-usage", Map.of("prompt_id", "p", "version", "1"))
        .error(404, "NOT_FOUND");
    assertNothingWritten(api);
  }

  @Test
  void unknownRoutesAndWrongMethods() {
    for (String path : List.of("/", "/v1", "/v1/nope", "/v2/documents",
        "/v1/documents/earthmover/nodes", "/v1/documents/earthmover/nodes/1/2/3/4",
        "/health", "/metrics/x")) {
      api.get(path).error(404, "NOT_FOUND");
    }
    api.post("/v1/documents/earthmover", small.raw()).error(405, "METHOD_NOT_ALLOWED");
    api.send("PATCH", "/v1/stats", null).error(405, "METHOD_NOT_ALLOWED");
    api.delete("/v1/search?q=x").error(405, "METHOD_NOT_ALLOWED");
    api.putJson("/v1/cases/bad/tool-results", Map.of()).error(405, "METHOD_NOT_ALLOWED");
    api.get("/v1/cross-references").error(405, "METHOD_NOT_ALLOWED");
    api.delete("/v1/documents/earthmover/nodes/0001").error(405, "METHOD_NOT_ALLOWED");
    api.get("/v1/stores/documents/GetNode").error(405, "METHOD_NOT_ALLOWED");
    assertNothingWritten(api);
  }

  @Test
  void aDuplicateVersionConflictsAndChangesNothing() {
    api.put("/v1/documents/earthmover?version_id=v1&effective_date=2025-01-01",
        other.raw()).error(409, "ALREADY_EXISTS");
    api.put("/v1/documents/earthmover?version_id=v1", small.raw()).error(409,
        "ALREADY_EXISTS");
    for (Trees.Node n : small.nodes()) {
      HttpRoutesTest.assertNode(small, n.id(), api.get("/v1/documents/earthmover/nodes/"
          + n.id()).expect(200), "v1");
    }
    assertNothingWritten(api);
  }

  @Test
  void aPromptVersionIsImmutable() {
    try (TestServer s = TestServer.start(dir.resolve("prompts"))) {
      s.api.putJson("/v1/prompts/p/versions/1", Map.of("content", "first")).expect(201);
      s.api.putJson("/v1/prompts/p/versions/1", Map.of("content", "second")).error(409,
          "ALREADY_EXISTS");
      assertEquals("first", s.api.get("/v1/prompts/p/versions/1").expect(200).get("content")
          .asString());
    }
  }

  @Test
  void anExpiredDeadlineWritesNothing() {
    for (String ms : List.of("0", "-5")) {
      api.put("/v1/documents/late", small.raw(), "X-Request-Deadline-Ms", ms).error(504,
          "DEADLINE_EXCEEDED");
      api.post("/v1/cases/bad/tool-results", Map.of("tool_name", "t", "latency_ms", 1,
          "success", true), "X-Request-Deadline-Ms", ms).error(504, "DEADLINE_EXCEEDED");
      api.send("DELETE", "/v1/documents/earthmover", null, "X-Request-Deadline-Ms", ms)
          .error(504, "DEADLINE_EXCEEDED");
    }
    api.get("/v1/documents/late").error(404, "NOT_FOUND");
    assertNothingWritten(api);
    // a deadline that may pass while a large tree is ingested: all or nothing
    Trees.Tree big = Trees.get("2023-annual-report.with_text");
    try (TestServer s = TestServer.start(dir.resolve("deadline"))) {
      for (int i = 0; i < 5; i++) {
        Api.Resp r = s.api.put("/v1/documents/big" + i, big.raw(), "X-Request-Deadline-Ms",
            "1");
        if (r.status() == 504) {
          r.error(504, "DEADLINE_EXCEEDED");
          s.api.get("/v1/documents/big" + i).error(404, "NOT_FOUND");
        } else {
          r.expect(201);
          assertEquals(big.size(), HttpRoutesTest.count(s.api.get("/v1/documents/big" + i
              + "/tree").expect(200).get("roots")));
        }
      }
    }
  }

  @Test
  void bodiesOverTheLimitAre413AndWriteNothing() throws Exception {
    HttpClient raw = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try (TestServer s = TestServer.start(dir.resolve("small-bodies"), "max-body-bytes",
        "2048")) {
      assertTrue(small.raw().length() > 2048);
      s.api.put("/v1/documents/earthmover", small.raw()).error(413, "TOO_LARGE");
      s.api.post("/v1/cases/c1/tool-results", Map.of("tool_name", "t", "latency_ms", 1,
          "success", true, "input", Map.of("blob", "x".repeat(4000)))).error(413, "TOO_LARGE");
      // without Content-Length (chunked), the limit holds while reading
      HttpResponse<String> r = raw.send(HttpRequest.newBuilder(URI.create(s.address()
          + "/v1/documents/chunked")).header("Content-Type", "application/json")
          .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(
              small.raw().getBytes(StandardCharsets.UTF_8)))).build(),
          HttpResponse.BodyHandlers.ofString());
      new Api.Resp(r.statusCode(), r.body(), r.headers()).error(413, "TOO_LARGE");
      assertEquals(0, s.api.get("/v1/documents").expect(200).get("documents").size());
      assertEquals(0, s.api.get("/v1/cases/c1/tool-results").expect(200).get("results")
          .size());
      String tiny = "{\"doc_name\":\"tiny\",\"structure\":[{\"title\":\"One\",\"node_id\":"
          + "\"0001\",\"start_index\":1,\"end_index\":1}]}";
      s.api.put("/v1/documents/tiny", tiny).expect(201);
      assertEquals(List.of("tiny"), HttpRoutesTest.ids(s.api.get("/v1/documents").expect(200)
          .get("documents"), "doc_id"));
    } finally {
      raw.close();
    }
  }

  @Test
  void tokensAreRequiredAndReadTokensCannotWrite() throws Exception {
    String writer = "write-token-0123456789abcdef";
    String reader = "read-token-0123456789abcdef";
    Path file = dir.resolve("tokens.txt");
    Files.writeString(file, "# tokens\n" + reader + " read\n\n");
    try (TestServer s = TestServer.start(dir.resolve("auth"), "auth-tokens", writer,
        "auth-tokens-file", file.toString())) {
      Api w = s.client(writer);
      Api r = s.client(reader);
      Api wrong = s.client("not-a-token-0123456789");
      Api.Resp none = s.api.get("/v1/documents");
      none.error(401, "UNAUTHENTICATED");
      assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
      s.api.put("/v1/documents/earthmover", small.raw()).error(401, "UNAUTHENTICATED");
      s.api.get("/v1/documents", "Authorization", "Basic " + writer).error(401,
          "UNAUTHENTICATED");
      s.api.get("/metrics").error(401, "UNAUTHENTICATED");
      wrong.get("/v1/documents").error(401, "UNAUTHENTICATED");
      wrong.put("/v1/documents/earthmover", small.raw()).error(401, "UNAUTHENTICATED");
      r.put("/v1/documents/earthmover", small.raw()).error(403, "PERMISSION_DENIED");
      r.post("/v1/cases/c1/tool-results", Map.of("tool_name", "t", "latency_ms", 1,
          "success", true)).error(403, "PERMISSION_DENIED");
      r.post("/v1/stores/metadata/StoreToolResult", Map.of("case_id", "c1", "tool_name", "t",
          "latency_ms", 1, "success", true)).error(403, "PERMISSION_DENIED");
      r.delete("/v1/documents/earthmover").error(403, "PERMISSION_DENIED");
      assertEquals(0, r.get("/v1/documents").expect(200).get("documents").size());
      assertEquals(0, r.get("/v1/cases/c1/tool-results").expect(200).get("results").size());
      assertEquals("live", s.api.get("/health/live").expect(200).get("status").asString());
      assertEquals("ready", s.api.get("/health/ready").expect(200).get("status").asString());

      w.put("/v1/documents/earthmover", small.raw()).expect(201);
      assertEquals(small.size(), r.get("/v1/documents/earthmover").expect(200)
          .get("node_count").asInt());
      r.post("/v1/stores/documents/GetDocument", Map.of("doc_id", "earthmover")).expect(200);
      assertTrue(r.get("/metrics").body().contains("treestore_errors_total"));
    }
  }

  @Test
  void theRateLimitAnswers429WithRetryAfter() {
    try (TestServer s = TestServer.start(dir.resolve("rate"), "rate-limit", "5")) {
      int ok = 0;
      int limited = 0;
      for (int i = 0; i < 60; i++) {
        Api.Resp r = s.api.get("/v1/documents");
        if (r.status() == 429) {
          JsonNode e = r.error(429, "RESOURCE_EXHAUSTED");
          assertTrue(e.get("message").asString().contains("rate limit"));
          long wait = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
          assertTrue(wait >= 1 && wait <= 60, "Retry-After " + wait);
          limited++;
        } else {
          r.expect(200);
          ok++;
        }
      }
      assertTrue(ok >= 5, "the burst is allowed: " + ok);
      assertTrue(limited > 0, "nothing was limited in 60 fast requests");
      s.api.get("/health/live").expect(200);
      Api.Resp put = s.api.put("/v1/documents/earthmover", small.raw());
      if (put.status() == 429) {
        put.error(429, "RESOURCE_EXHAUSTED");
        Api.Resp get;
        long until = System.nanoTime() + 10_000_000_000L;
        do {
          get = s.api.get("/v1/documents/earthmover");
        } while (get.status() == 429 && System.nanoTime() < until);
        get.error(404, "NOT_FOUND");
      }
    }
  }

  @Test
  void badSettingsAreRefusedAtStart() {
    HttpTransportProvider p = new HttpTransportProvider();
    for (Map<String, String> bad : List.of(Map.of("bogus", "1"), Map.of("port", "x"),
        Map.of("port", "70000"), Map.of("max-body-bytes", "0"), Map.of("rate-limit", "-1"),
        Map.of("rate-limit", "fast"), Map.of("tls-cert", "/nonexistent.pem"),
        Map.of("auth-tokens", "short"))) {
      assertThrows(IllegalArgumentException.class, () -> p.start(server.ts, bad),
          bad.toString());
    }
    Set<String> names = new TreeSet<>();
    for (JsonNode d : api.get("/v1/documents").expect(200).get("documents")) {
      names.add(d.get("doc_id").asString());
    }
    assertEquals(Set.of("earthmover", "regbi-interpretive"), names);
  }
}
