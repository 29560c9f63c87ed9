package io.treestore.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.spi.TransportProvider;
import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import io.treestore.txn.DatabaseOptions;
import io.treestore.wal.Durability;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The served OpenAPI document lists exactly the routes the server dispatches on, every
 * documented path, method and query parameter really dispatches, and every schema reference
 * resolves.
 */
class OpenApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void theDocumentMatchesTheRoutesTheServerHas() throws Exception {
    try (TreeStore ts = TreeStore.open(dir, TreeStoreOptions.defaults()
        .withDatabase(DatabaseOptions.defaults().withDurability(Durability.NONE)));
        TransportProvider.Transport t = new HttpTransportProvider().start(ts,
            Map.of("port", "0"))) {
      HttpTransport http = (HttpTransport) t;
      HttpClient client = HttpClient.newHttpClient();
      JsonNode doc = JSON.readTree(client.send(HttpRequest.newBuilder(
          URI.create(t.address() + "/openapi.json")).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      assertEquals("3.1.0", doc.get("openapi").asString());

      TreeSet<String> served = new TreeSet<>();
      for (Route r : http.routeTable()) {
        served.add(r.method + " " + r.template);
      }
      TreeSet<String> documented = new TreeSet<>();
      for (var p : doc.get("paths").properties()) {
        for (var m : p.getValue().properties()) {
          documented.add(m.getKey().toUpperCase() + " " + p.getKey());
        }
      }
      assertEquals(served, documented);

      for (var p : doc.get("paths").properties()) {
        for (var m : p.getValue().properties()) {
          String path = p.getKey().replaceAll("\\{[^}]+}", "x");
          List<String> queries = new ArrayList<>();
          queries.add("");
          for (JsonNode param : m.getValue().path("parameters")) {
            if (param.get("in").asString().equals("query")) {
              queries.add("?" + param.get("name").asString() + "=1");
            }
          }
          for (String q : queries) {
            String method = m.getKey().toUpperCase();
            HttpRequest.BodyPublisher body = method.equals("GET") || method.equals("DELETE")
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}");
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(
                t.address() + path + q)).method(method, body).build(),
                HttpResponse.BodyHandlers.ofString());
            String where = method + " " + path + q + " -> " + r.statusCode() + " " + r.body();
            assertFalse(r.body().contains("no route"), where);
            assertFalse(r.body().contains("METHOD_NOT_ALLOWED"), where);
            assertFalse(r.body().contains("unknown query parameter"), where);
            assertTrue(r.statusCode() < 500, where);
          }
        }
      }

      JsonNode schemas = doc.path("components").path("schemas");
      List<String> refs = new ArrayList<>();
      collectRefs(doc, refs);
      assertFalse(refs.isEmpty());
      for (String ref : refs) {
        String name = ref.substring("#/components/schemas/".length());
        assertTrue(schemas.has(name), "unresolved " + ref);
      }
      JsonNode node = schemas.get("DocumentNode");
      assertTrue(node.path("properties").has("page_start"), node.toString());
      assertTrue(node.path("required").toString().contains("\"title\""), node.toString());
      assertFalse(node.path("required").toString().contains("\"summary\""), node.toString());
    }
  }

  private static void collectRefs(JsonNode n, List<String> out) {
    if (n.isObject()) {
      for (var e : n.properties()) {
        if (e.getKey().equals("$ref")) {
          out.add(e.getValue().asString());
        } else {
          collectRefs(e.getValue(), out);
        }
      }
    } else if (n.isArray()) {
      for (JsonNode x : n) {
        collectRefs(x, out);
      }
    }
  }
}
