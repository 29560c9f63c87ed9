package io.treestore.server;

import io.treestore.spi.CheckResult;
import io.treestore.spi.StoreException;
import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Where a CLI command runs: on a local data directory (embedded) or against a server over
 * HTTP. Answers are JSON trees in the wire format, whichever way they came.
 */
interface Backend extends AutoCloseable {
  /** A failed call: the error code and message of the answer. */
  final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String code;

    Failure(String code, String message) {
      super(message);
      this.code = code;
    }
  }

  JsonNode call(String store, String operation, Map<String, Object> fields);

  JsonNode stats();

  JsonNode check(int maxProblems);

  JsonNode backup(Path target);

  @Override
  void close();

  static Backend embedded(Path data) {
    TreeStore ts = TreeStore.open(data, TreeStoreOptions.defaults());
    return new Backend() {
      @Override
      public JsonNode call(String store, String operation, Map<String, Object> fields) {
        try {
          Object request = Json.MAPPER.convertValue(fields, ts.operation(store, operation)
              .requestType());
          return Json.MAPPER.valueToTree(ts.call(store, operation, request));
        } catch (StoreException e) {
          throw new Failure(e.code().name(), e.getMessage());
        }
      }

      @Override
      public JsonNode stats() {
        return Json.MAPPER.valueToTree(Map.of("database", ts.database().stats(),
            "stores", ts.stores().keySet()));
      }

      @Override
      public JsonNode check(int maxProblems) {
        CheckResult r = ts.check(maxProblems);
        return Json.MAPPER.valueToTree(r);
      }

      @Override
      public JsonNode backup(Path target) {
        long lsn = ts.database().backup(target);
        return Json.MAPPER.valueToTree(Map.of("target", target.toAbsolutePath().toString(),
            "lsn", lsn));
      }

      @Override
      public void close() {
        ts.close();
      }
    };
  }

  static Backend remote(URI server, @Nullable String token) {
    HttpClient http = HttpClient.newHttpClient();
    String base = server.toString().replaceAll("/+$", "");
    return new Backend() {
      private JsonNode send(String method, String path, @Nullable Object body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json");
        if (token != null) {
          b.header("Authorization", "Bearer " + token);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
        HttpResponse<byte[]> r;
        try {
          r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
          throw new Failure("UNAVAILABLE", "cannot reach " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new Failure("UNAVAILABLE", "interrupted");
        }
        JsonNode n = r.body().length == 0 ? Json.MAPPER.createObjectNode()
            : Json.MAPPER.readTree(r.body());
        if (r.statusCode() >= 400) {
          JsonNode e = n.path("error");
          throw new Failure(e.path("code").asString("HTTP_" + r.statusCode()),
              e.path("message").asString("HTTP status " + r.statusCode()));
        }
        return n;
      }

      @Override
      public JsonNode call(String store, String operation, Map<String, Object> fields) {
        return send("POST", "/v1/stores/" + store + "/" + operation, fields);
      }

      @Override
      public JsonNode stats() {
        return send("GET", "/v1/stats", null);
      }

      @Override
      public JsonNode check(int maxProblems) {
        return send("POST", "/v1/admin/check", Map.of("max_problems", maxProblems));
      }

      @Override
      public JsonNode backup(Path target) {
        return send("POST", "/v1/admin/backup", Map.of("target", target.toString()));
      }

      @Override
      public void close() {
        http.close();
      }
    };
  }
}
