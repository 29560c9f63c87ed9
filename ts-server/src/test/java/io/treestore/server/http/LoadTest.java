package io.treestore.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A bounded load test: 16 clients on virtual threads each send a fixed number of mixed reads
 * and writes (tool results to their own case and to one shared case, new documents, new
 * versions of one shared document, node, tree and search reads, read-your-writes checks).
 * Every answer must be a success (a 409 CONFLICT on the shared document, the documented answer
 * when a write loses all its server-side retries to concurrent writers, is retried by the
 * client), and afterwards every write must be readable: counts exact, every document complete,
 * every acknowledged version of the shared document listed once, nothing else.
 */
class LoadTest {
  private static final int CLIENTS = 16;
  private static final int REQUESTS = 120;

  @TempDir Path dir;

  @Test
  void mixedConcurrentClientsLoseNothing() throws Exception {
    Trees.Tree small = Trees.get("regbi-interpretive");
    Trees.Tree read = Trees.get("earthmover");
    Queue<String> failures = new ConcurrentLinkedQueue<>();
    int[] ownTools = new int[CLIENTS];
    AtomicInteger shared = new AtomicInteger();
    AtomicInteger hotVersions = new AtomicInteger();
    AtomicInteger conflicts = new AtomicInteger();
    Queue<String> docs = new ConcurrentLinkedQueue<>();
    Queue<String> versionIds = new ConcurrentLinkedQueue<>();
    long start = System.nanoTime();
    try (TestServer s = TestServer.start(dir.resolve("db"))) {
      s.api.put("/v1/documents/earthmover", read.raw()).expect(201);
      versionIds.add(s.api.put("/v1/documents/hot", small.raw()).expect(201)
          .get("version_id").asString());
      List<Api> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        clients.add(s.client(null));
      }
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int c = 0; c < CLIENTS; c++) {
          int me = c;
          Api api = clients.get(c);
          pool.submit(() -> {
            String lastDoc = null;
            for (int j = 0; j < REQUESTS; j++) {
              String what = "client " + me + " request " + j;
              try {
                switch ((j + me) % 8) {
                  case 0 -> {
                    api.post("/v1/cases/case-" + me + "/tool-results", Map.of("tool_name",
                        j % 2 == 0 ? "pi_search" : "pi_read", "latency_ms", j, "success",
                        true)).expect(201);
                    ownTools[me]++;
                  }
                  case 1 -> {
                    api.post("/v1/cases/shared/tool-results", Map.of("tool_name", "t" + me,
                        "latency_ms", 1, "success", j % 3 == 0)).expect(201);
                    shared.incrementAndGet();
                  }
                  case 2 -> {
                    String id = "load-" + me + "-" + j;
                    assertEquals(small.size(), api.put("/v1/documents/" + id, small.raw())
                        .expect(201).get("node_count").asInt());
                    docs.add(id);
                    lastDoc = id;
                  }
                  case 3 -> {
                    Trees.Node n = read.nodes().get((j * 7 + me) % read.size());
                    HttpRoutesTest.assertNode(read, n.id(), api.get("/v1/documents/earthmover"
                        + "/nodes/" + n.id()).expect(200), "v1");
                  }
                  case 4 -> {
                    JsonNode r = api.get("/v1/cases/case-" + me + "/tool-results?limit=10000")
                        .expect(200);
                    assertEquals(ownTools[me], r.get("results").size(), "read your writes");
                    assertEquals(ownTools[me], r.get("aggregate").get("count").asInt());
                  }
                  case 5 -> {
                    JsonNode hits = api.get("/v1/search?q=distance&doc=earthmover&limit=5")
                        .expect(200).get("hits");
                    assertTrue(!hits.isEmpty() && hits.size() <= 5, "hits " + hits.size());
                    for (JsonNode h : hits) {
                      assertEquals("earthmover", h.get("doc_id").asString());
                    }
                  }
                  case 6 -> {
                    if (lastDoc != null) {
                      assertEquals(small.size(), HttpRoutesTest.count(api.get(
                          "/v1/documents/" + lastDoc + "/tree").expect(200).get("roots")));
                    } else {
                      api.get("/v1/documents/hot").expect(200);
                    }
                  }
                  default -> {
                    // one document written by every client: a commit that loses its retries
                    // to the others answers 409 CONFLICT (and writes nothing); clients retry
                    Api.Resp r = api.put("/v1/documents/hot", small.raw());
                    for (int k = 0; r.status() == 409 && k < 20; k++) {
                      r.error(409, "CONFLICT");
                      conflicts.incrementAndGet();
                      r = api.put("/v1/documents/hot", small.raw());
                    }
                    versionIds.add(r.expect(201).get("version_id").asString());
                    hotVersions.incrementAndGet();
                  }
                }
              } catch (Throwable e) {
                failures.add(what + ": " + e);
              }
            }
          });
        }
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      System.out.println("LoadTest: " + CLIENTS + " clients x " + REQUESTS + " requests in "
          + ms + " ms, " + failures.size() + " failures, " + conflicts.get()
          + " conflicts retried");
      assertEquals(List.of(), List.copyOf(failures).subList(0, Math.min(20, failures.size())),
          "failed requests (of " + failures.size() + ")");

      Api api = s.api;
      for (int c = 0; c < CLIENTS; c++) {
        JsonNode r = api.get("/v1/cases/case-" + c + "/tool-results?limit=10000").expect(200);
        assertEquals(ownTools[c], r.get("results").size(), "case-" + c);
        assertEquals(REQUESTS / 8, ownTools[c]);
      }
      JsonNode sh = api.get("/v1/cases/shared/tool-results?limit=10000").expect(200);
      assertEquals(shared.get(), sh.get("results").size());
      assertEquals(shared.get(), sh.get("aggregate").get("count").asInt());
      assertEquals(CLIENTS * REQUESTS / 8, shared.get());
      Set<String> ids = new HashSet<>();
      sh.get("results").forEach(x -> ids.add(x.get("id").asString()));
      assertEquals(shared.get(), ids.size(), "distinct ids");

      Set<String> want = new TreeSet<>(docs);
      want.add("earthmover");
      want.add("hot");
      Set<String> listed = new TreeSet<>();
      for (JsonNode d : api.get("/v1/documents?limit=100000").expect(200).get("documents")) {
        listed.add(d.get("doc_id").asString());
        if (d.get("doc_id").asString().startsWith("load-")) {
          assertEquals(small.size(), d.get("node_count").asInt());
        }
      }
      assertEquals(want, listed);
      assertEquals(CLIENTS * REQUESTS / 8, docs.size());

      JsonNode versions = api.get("/v1/documents/hot/versions").expect(200).get("versions");
      assertEquals(1 + hotVersions.get(), versions.size());
      Set<String> listedVersions = new TreeSet<>();
      for (JsonNode v : versions) {
        listedVersions.add(v.get("version_id").asString());
        assertEquals(small.size(), v.get("node_count").asInt());
      }
      assertEquals(new TreeSet<>(versionIds), listedVersions, "every acknowledged version");
      assertEquals(versionIds.size(), listedVersions.size(), "version ids are unique");
      assertTrue(s.ts.check(20).ok(), () -> s.ts.check(20).problems().toString());
    }
  }
}
