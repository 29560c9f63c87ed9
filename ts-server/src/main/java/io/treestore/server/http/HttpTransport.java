package io.treestore.server.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.treestore.server.Json;
import io.treestore.server.Metrics;
import io.treestore.server.http.Route.Answer;
import io.treestore.server.http.Route.Call;
import io.treestore.spi.ErrorCode;
import io.treestore.spi.OperationKind;
import io.treestore.spi.StoreException;
import io.treestore.spi.StoreOperation;
import io.treestore.spi.TransportProvider;
import io.treestore.spi.TreeStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The HTTP/JSON transport: the routes of DESIGN.md section 8 mapped to store operations by
 * name, plus {@code POST /v1/stores/{store}/{operation}} for any store's operation (the body
 * is the request record as JSON) and {@code GET /v1/stores} listing them. JSON field names
 * are the record components in snake_case; absent values are omitted.
 *
 * <p>Errors are {@code {"error":{"code","message","details","request_id"}}} with status 400
 * (bad input, including malformed JSON and wrong types), 404 (unknown id or route), 405,
 * 409 (exists, conflict), 413 (body over the limit), 503 (not ready, read-only) or 500.
 *
 * <p>Served by the JDK's {@code com.sun.net.httpserver} on virtual threads. Thread-safe.
 */
final class HttpTransport implements TransportProvider.Transport {
  private static final System.Logger LOG = System.getLogger("io.treestore.server.http");

  /** The JSON mapper for requests and answers. */
  static final ObjectMapper JSON = Json.MAPPER;

  private static final org.slf4j.Logger REQUESTS =
      org.slf4j.LoggerFactory.getLogger("io.treestore.server.requests");

  private final TreeStore ts;
  private final Metrics metrics;
  private final HttpServer server;
  private final ExecutorService executor;
  private final long maxBody;
  private final Guard guard;
  private final long requestTimeoutNanos;
  private final List<Route> routes;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicInteger inFlight =
      new java.util.concurrent.atomic.AtomicInteger();
  private final String address;

  /** The JDK HTTP server's switch for {@code TCP_NODELAY} on accepted sockets. */
  static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";

  /**
   * Turns on {@code TCP_NODELAY} for the JDK HTTP server's sockets unless the property was set
   * explicitly. The server writes an answer's headers and its body in separate writes; with
   * Nagle's algorithm on (RFC 896), the body waits for the acknowledgement of the headers,
   * which a client that delays its ACKs (RFC 1122, 4.2.3.2; 40 ms on Linux) holds back: an
   * answer of a few kilobytes then takes 40 ms instead of a fraction of a millisecond. The JDK
   * reads the property once, when its first HTTP server is created in the JVM.
   */
  private static void enableNoDelay() {
    if (System.getProperty(NODELAY_PROPERTY) == null) {
      System.setProperty(NODELAY_PROPERTY, "true");
    }
  }

  HttpTransport(TreeStore ts, String host, int port, long maxBody, Guard guard,
      long requestTimeoutMillis, @Nullable SSLContext tls) {
    this.ts = ts;
    this.metrics = Metrics.of(ts);
    this.maxBody = maxBody;
    this.guard = guard;
    this.requestTimeoutNanos = requestTimeoutMillis <= 0 ? Long.MAX_VALUE
        : requestTimeoutMillis * 1_000_000;
    this.routes = routes();
    enableNoDelay();
    try {
      if (tls != null) {
        HttpsServer https = HttpsServer.create(new InetSocketAddress(host, port), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        this.server = https;
      } else {
        this.server = HttpServer.create(new InetSocketAddress(host, port), 0);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e, e);
    }
    this.executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    InetSocketAddress a = server.getAddress();
    this.address = (tls != null ? "https://" : "http://") + (a.getAddress().getHostAddress().contains(":")
        ? "[" + a.getAddress().getHostAddress() + "]" : a.getAddress().getHostAddress())
        + ":" + a.getPort();
  }

  @Override
  public String address() {
    return address;
  }

  /** The route table, exposed for documentation tests. */
  List<Route> routeTable() {
    return routes;
  }

  // ------------------------------------------------------------------ routes

  private List<Route> routes() {
    List<Route> r = new ArrayList<>();
    r.add(new Route("GET", "/health/live", "health", c -> new Answer(200,
        Map.of("status", "live"))).doc("Liveness: the process answers."));
    r.add(new Route("GET", "/health/ready", "health", c -> {
      if (ts.database().isReadOnly()) {
        throw new ApiError(503, "UNAVAILABLE", "read-only: "
            + ts.database().failure().orElse("unknown failure"));
      }
      return new Answer(200, Map.of("status", "ready"));
    }).doc("Readiness: 200 when the database accepts writes, else 503."));
    r.add(new Route("GET", "/metrics", "metrics", c -> new Answer(200, new RawBody(
        metrics.contentType(), metrics.scrape()))).doc("Prometheus metrics (text format)."));
    r.add(new Route("GET", "/v1/stats", "Stats", c -> new Answer(200, Map.of(
        "database", ts.database().stats(), "stores", ts.stores().keySet())))
        .doc("Database counters and the installed stores."));
    r.add(new Route("PUT", "/v1/documents/{doc}", "StoreDocument", c -> {
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("doc_id", c.path().get("doc"));
      q.put("version_id", c.query().get("version_id"));
      q.put("effective_date", c.query().get("effective_date"));
      if (c.body() == null) {
        throw ApiError.badRequest("the body must be a PageIndex JSON document");
      }
      q.put("json", new String(c.body(), StandardCharsets.UTF_8));
      return new Answer(201, call(c, "documents", "StoreDocument", q));
    }).query("version_id", "effective_date")
        .op("documents", "StoreDocument", Route.Body.PAGEINDEX, 201)
        .doc("Ingest a PageIndex tree as a new version of a document."));
    r.add(new Route("GET", "/v1/documents", "ListDocuments", c -> new Answer(200,
        call(c, "documents", "ListDocuments", params(c, Map.of("limit", "limit")))))
        .query("limit").op("documents", "ListDocuments", Route.Body.NONE, 200)
        .doc("List documents."));
    r.add(new Route("GET", "/v1/documents/{doc}", "GetDocument", c -> new Answer(200,
        call(c, "documents", "GetDocument", Map.of("doc_id", c.path().get("doc")))))
        .op("documents", "GetDocument", Route.Body.NONE, 200)
        .doc("A document's metadata (current version)."));
    r.add(new Route("DELETE", "/v1/documents/{doc}", "DeleteDocument", c -> new Answer(200,
        call(c, "documents", "DeleteDocument", Map.of("doc_id", c.path().get("doc")))))
        .op("documents", "DeleteDocument", Route.Body.NONE, 200)
        .doc("Delete a document with all its versions."));
    r.add(read("/v1/documents/{doc}/tree", "GetTree", Map.of("depth", "depth")));
    r.add(read("/v1/documents/{doc}/nodes/{node}", "GetNode", Map.of()));
    r.add(read("/v1/documents/{doc}/nodes/{node}/children", "GetChildren", Map.of()));
    r.add(read("/v1/documents/{doc}/nodes/{node}/subtree", "GetSubtree",
        Map.of("depth", "depth")));
    r.add(read("/v1/documents/{doc}/nodes/{node}/ancestors", "GetAncestorPath", Map.of()));
    r.add(read("/v1/documents/{doc}/pages/{page}/nodes", "GetNodesByPage", Map.of()));
    r.add(read("/v1/documents/{doc}/paths/{section_path}", "GetByPath", Map.of()));
    r.add(new Route("GET", "/v1/documents/{doc}/versions", "ListVersions", c -> {
      String asOf = c.query().get("as_of");
      if (asOf != null) {
        return new Answer(200, call(c, "versions", "GetVersionAsOf", Map.of("doc_id",
            c.path().get("doc"), "as_of", asOf)));
      }
      return new Answer(200, call(c, "versions", "ListVersions", Map.of("doc_id",
          c.path().get("doc"))));
    }).query("as_of").op("versions", "ListVersions", Route.Body.NONE, 200)
        .doc("All versions, oldest first; with as_of, {\"version\": the one in effect}."));
    r.add(new Route("GET", "/v1/search", "SearchByKeyword", c -> {
      String analyzer = c.query().get("analyzer");
      if (analyzer != null && !analyzer.equals("standard")) {
        throw ApiError.badRequest("analyzer '" + analyzer + "' is not available; the"
            + " documents index uses 'standard'");
      }
      Map<String, Object> q = params(c, Map.of("q", "query", "doc", "doc_id", "version",
          "version", "as_of", "as_of", "section_path", "section_path", "limit", "limit"));
      if (!q.containsKey("query")) {
        throw ApiError.badRequest("parameter q is missing");
      }
      return new Answer(200, call(c, "documents", "SearchByKeyword", q));
    }).query("q", "doc", "version", "as_of", "section_path", "limit", "analyzer")
        .op("documents", "SearchByKeyword", Route.Body.NONE, 200)
        .doc("BM25 keyword search over nodes."));
    r.add(post("/v1/cases/{case}/tool-results", "metadata", "StoreToolResult",
        Map.of("case", "case_id")));
    r.add(new Route("GET", "/v1/cases/{case}/tool-results", "GetToolResults", c -> {
      Map<String, Object> q = params(c, Map.of("tool", "tool_name", "from", "from", "to", "to",
          "limit", "limit"));
      q.put("case_id", c.path().get("case"));
      return new Answer(200, call(c, "metadata", "GetToolResults", q));
    }).query("tool", "from", "to", "limit")
        .op("metadata", "GetToolResults", Route.Body.NONE, 200)
        .doc("A case's tool results with aggregates."));
    r.add(post("/v1/cases/{case}/trajectories", "metadata", "StoreTrajectory",
        Map.of("case", "case_id")));
    r.add(new Route("GET", "/v1/cases/{case}/trajectories", "GetTrajectories", c -> {
      Map<String, Object> q = params(c, Map.of("from", "from", "to", "to", "limit", "limit"));
      q.put("case_id", c.path().get("case"));
      return new Answer(200, call(c, "metadata", "GetTrajectories", q));
    }).query("from", "to", "limit").op("metadata", "GetTrajectories", Route.Body.NONE, 200)
        .doc("A case's search trajectories."));
    r.add(post("/v1/cases/{case}/contradictions", "metadata", "StoreContradiction",
        Map.of("case", "case_id")));
    r.add(new Route("GET", "/v1/cases/{case}/contradictions", "GetContradictions", c -> {
      Map<String, Object> q = params(c, Map.of("criterion", "criterion_id"));
      q.put("case_id", c.path().get("case"));
      return new Answer(200, call(c, "metadata", "GetContradictions", q));
    }).query("criterion").op("metadata", "GetContradictions", Route.Body.NONE, 200)
        .doc("A case's contradictions."));
    r.add(post("/v1/cross-references", "metadata", "StoreCrossReference", Map.of()));
    r.add(new Route("GET", "/v1/documents/{doc}/nodes/{node}/cross-references",
        "GetCrossReferences", c -> new Answer(200, call(c, "metadata", "GetCrossReferences",
            Map.of("doc_id", c.path().get("doc"), "node_id", c.path().get("node")))))
        .op("metadata", "GetCrossReferences", Route.Body.NONE, 200)
        .doc("A node's cross-references in both directions."));
    r.add(new Route("PUT", "/v1/prompts/{prompt}/versions/{version}", "StorePrompt", c ->
        new Answer(201, call(c, "prompts", "StorePrompt", body(c, Map.of("prompt", "prompt_id",
            "version", "version"))))).op("prompts", "StorePrompt", Route.Body.REQUEST, 201)
        .doc("Store a prompt version (immutable)."));
    r.add(new Route("GET", "/v1/prompts/{prompt}/versions/{version}", "GetPrompt", c ->
        new Answer(200, call(c, "prompts", "GetPrompt", Map.of("prompt_id",
            c.path().get("prompt"), "version", c.path().get("version")))))
        .op("prompts", "GetPrompt", Route.Body.NONE, 200).doc("A prompt version."));
    r.add(new Route("GET", "/v1/prompts/{prompt}", "GetPrompt", c -> {
      Map<String, Object> q = params(c, Map.of("at", "at"));
      q.put("prompt_id", c.path().get("prompt"));
      return new Answer(200, call(c, "prompts", "GetPrompt", q));
    }).query("at").op("prompts", "GetPrompt", Route.Body.NONE, 200)
        .doc("The prompt version deployed at an instant (default now)."));
    r.add(post("/v1/cases/{case}/prompt-usage", "prompts", "RecordPromptUsage",
        Map.of("case", "case_id")));
    r.add(new Route("GET", "/v1/cases/{case}/prompt-usage", "GetPromptUsage", c -> {
      Map<String, Object> q = params(c, Map.of("limit", "limit"));
      q.put("case_id", c.path().get("case"));
      return new Answer(200, call(c, "prompts", "GetPromptUsage", q));
    }).query("limit").op("prompts", "GetPromptUsage", Route.Body.NONE, 200)
        .doc("Prompt versions a case used."));
    r.add(new Route("POST", "/v1/admin/check", "Check", c -> {
      JsonNode b = c.body() == null ? JSON.createObjectNode() : JSON.readTree(c.body());
      int max = b.path("max_problems").asInt(100);
      return new Answer(200, ts.check(Math.max(1, max)));
    }).op(null, null, Route.Body.OBJECT, 200)
        .doc("Check the data file, indexes and full-text indexes (body: {max_problems})."));
    r.add(new Route("POST", "/v1/admin/backup", "Backup", c -> {
      JsonNode b = c.body() == null ? JSON.createObjectNode() : JSON.readTree(c.body());
      String target = b.path("target").asString("");
      if (target.isEmpty()) {
        throw ApiError.badRequest("target (a directory on the server) is missing");
      }
      java.nio.file.Path dir = java.nio.file.Path.of(target);
      try {
        long lsn = ts.database().backup(dir);
        return new Answer(201, Map.of("target", dir.toAbsolutePath().toString(), "lsn", lsn));
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest(e.getMessage());
      }
    }).op(null, null, Route.Body.OBJECT, 201)
        .doc("Write an online backup to a directory on the server (body: {target})."));
    r.add(new Route("GET", "/openapi.json", "OpenApi", c -> new Answer(200,
        OpenApi.document(routes, ts, address))).doc("This API as an OpenAPI 3.1 document."));
    r.add(new Route("GET", "/v1/stores", "ListStores", c -> new Answer(200, stores()))
        .doc("The installed stores and their operations."));
    r.add(new Route("POST", "/v1/stores/{store}/{operation}", "generic", c -> {
      StoreOperation<?, ?> op = ts.operation(c.path().get("store"), c.path().get("operation"));
      Object request = JSON.readValue(c.body() == null ? "{}".getBytes(StandardCharsets.UTF_8)
          : c.body(), op.requestType());
      return new Answer(op.kind() == OperationKind.WRITE ? 201 : 200, ts.call(
          c.path().get("store"), c.path().get("operation"), request, c.deadline()));
    }).op(null, null, Route.Body.OBJECT, 200)
        .doc("Call any operation of any store; the body is its request record as JSON."));
    return List.copyOf(r);
  }

  private Map<String, Object> stores() {
    Map<String, Object> out = new LinkedHashMap<>();
    ts.operations().forEach((store, ops) -> {
      List<Map<String, Object>> list = new ArrayList<>();
      for (StoreOperation<?, ?> o : ops.values()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", o.name());
        m.put("kind", o.kind().name().toLowerCase());
        m.put("request", o.requestType().getSimpleName());
        m.put("response", o.responseType().getSimpleName());
        m.put("description", o.description());
        m.put("path", "/v1/stores/" + store + "/" + o.name());
        list.add(m);
      }
      out.put(store, list);
    });
    return Map.of("stores", out);
  }

  /** A GET of a documents-store read that takes doc, node/page/path, version and as_of. */
  private Route read(String template, String operation, Map<String, String> extra) {
    return new Route("GET", template, operation, c -> {
      Map<String, String> names = new HashMap<>(extra);
      names.put("version", "version");
      names.put("as_of", "as_of");
      Map<String, Object> q = params(c, names);
      q.put("doc_id", c.path().get("doc"));
      if (c.path().containsKey("node")) {
        q.put("node_id", c.path().get("node"));
      }
      if (c.path().containsKey("page")) {
        q.put("page", integer(c.path().get("page"), "page"));
      }
      if (c.path().containsKey("section_path")) {
        q.put("section_path", c.path().get("section_path"));
      }
      return new Answer(200, call(c, "documents", operation, q));
    }).query(java.util.stream.Stream.concat(extra.keySet().stream().sorted(),
            java.util.stream.Stream.of("version", "as_of")).toArray(String[]::new))
        .op("documents", operation, Route.Body.NONE, 200);
  }

  private Route post(String template, String store, String operation,
      Map<String, String> pathFields) {
    return new Route("POST", template, operation, c -> new Answer(201, call(c, store, operation,
        body(c, pathFields)))).op(store, operation, Route.Body.REQUEST, 201);
  }

  private static long integer(String s, String what) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(what + " must be an integer, was '" + s + "'");
    }
  }

  /** Query parameters renamed to request fields (snake_case). */
  private static Map<String, Object> params(Call c, Map<String, String> names) {
    Map<String, Object> q = new LinkedHashMap<>();
    names.forEach((param, field) -> {
      String v = c.query().get(param);
      if (v != null) {
        q.put(field, v);
      }
    });
    return q;
  }

  /** The body as a JSON object, with path variables set (and checked against the body). */
  private static ObjectNode body(Call c, Map<String, String> pathFields) {
    if (c.body() == null) {
      throw ApiError.badRequest("the body must be a JSON object");
    }
    JsonNode n = JSON.readTree(c.body());
    if (n == null || !n.isObject()) {
      throw ApiError.badRequest("the body must be a JSON object");
    }
    ObjectNode o = (ObjectNode) n;
    pathFields.forEach((var, field) -> {
      String v = c.path().get(var);
      JsonNode given = o.get(field);
      if (given != null && !given.isNull() && !v.equals(given.asString())) {
        throw ApiError.badRequest(field + " in the body (" + given + ") differs from the"
            + " path (" + v + ")");
      }
      o.put(field, v);
    });
    return o;
  }

  private Object call(Call c, String store, String operation, Object fields) {
    StoreOperation<?, ?> op = ts.operation(store, operation);
    Object request = JSON.convertValue(fields, op.requestType());
    return ts.call(store, operation, request, c.deadline());
  }

  // ------------------------------------------------------------------ exchange

  /** An answer that is not JSON (the metrics exposition). */
  record RawBody(String contentType, byte[] bytes) {}

  private void handle(HttpExchange ex) throws IOException {
    inFlight.incrementAndGet();
    try {
      handleCounted(ex);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private void handleCounted(HttpExchange ex) throws IOException {
    long start = System.nanoTime();
    String requestId = ex.getRequestHeaders().getFirst("X-Request-Id");
    if (requestId == null || requestId.isBlank() || requestId.length() > 128) {
      requestId = UUID.randomUUID().toString();
    }
    int status;
    Object body;
    String code = null;
    Route[] matched = new Route[1];
    try {
      if (closed.get()) {
        throw new ApiError(503, "UNAVAILABLE", "the server is shutting down");
      }
      Answer a = dispatch(ex, matched);
      status = a.status();
      body = a.body();
    } catch (ApiError e) {
      status = e.status;
      code = e.code;
      if (e.retryAfterSeconds > 0) {
        ex.getResponseHeaders().set("Retry-After", String.valueOf(e.retryAfterSeconds));
      }
      if (e.status == 401) {
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"treestore\"");
      }
      body = error(e.code, e.getMessage(), List.of(), requestId);
    } catch (StoreException e) {
      status = status(e.code());
      code = e.code().name();
      body = error(e.code().name(), e.getMessage(), e.details(), requestId);
    } catch (JacksonException e) {
      status = 400;
      code = "INVALID_ARGUMENT";
      body = error(code, "malformed request: " + e.getOriginalMessage(), List.of(), requestId);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "request " + requestId + " " + ex.getRequestMethod() + " "
          + ex.getRequestURI() + " failed", e);
      status = 500;
      code = "INTERNAL";
      body = error(code, "internal error (request " + requestId + "): " + e, List.of(),
          requestId);
    }
    byte[] out;
    if (body instanceof RawBody raw) {
      out = raw.bytes();
      ex.getResponseHeaders().set("Content-Type", raw.contentType());
    } else {
      out = JSON.writeValueAsBytes(body);
      ex.getResponseHeaders().set("Content-Type", "application/json");
    }
    ex.getResponseHeaders().set("X-Request-Id", requestId);
    ex.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(out);
    }
    ex.close();
    double seconds = (System.nanoTime() - start) / 1e9;
    String operation = matched[0] == null ? "unknown" : matched[0].operation;
    metrics.record("http", operation, seconds, code, matched[0] != null
        && !matched[0].method.equals("GET"));
    if (REQUESTS.isInfoEnabled()) {
      REQUESTS.atInfo().addKeyValue("request_id", requestId)
          .addKeyValue("transport", "http")
          .addKeyValue("method", ex.getRequestMethod())
          .addKeyValue("path", ex.getRequestURI().getRawPath())
          .addKeyValue("operation", operation)
          .addKeyValue("status", status)
          .addKeyValue("outcome", code == null ? "ok" : code)
          .addKeyValue("latency_ms", Math.round(seconds * 1e6) / 1e3)
          .log("request");
    }
  }

  private static Map<String, Object> error(String code, String message, List<String> details,
      String requestId) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("code", code);
    e.put("message", message);
    if (!details.isEmpty()) {
      e.put("details", details);
    }
    e.put("request_id", requestId);
    return Map.of("error", e);
  }

  static int status(ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT -> 400;
      case NOT_FOUND -> 404;
      case ALREADY_EXISTS, CONFLICT -> 409;
      case TOO_LARGE -> 413;
      case UNAVAILABLE -> 503;
      case DEADLINE_EXCEEDED -> 504;
      case INTERNAL -> 500;
    };
  }

  private Answer dispatch(HttpExchange ex, Route[] matched) throws IOException {
    String raw = ex.getRequestURI().getRawPath();
    List<String> path = new ArrayList<>();
    for (String s : raw.split("/")) {
      if (!s.isEmpty()) {
        path.add(decode(s.replace("+", "%2B")));
      }
    }
    Map<String, String> vars = new HashMap<>();
    Route found = null;
    boolean pathMatched = false;
    for (Route r : routes) {
      if (r.match(path, vars)) {
        pathMatched = true;
        if (r.method.equals(ex.getRequestMethod())) {
          found = r;
          break;
        }
        vars.clear();
      }
    }
    if (found == null) {
      if (pathMatched) {
        throw new ApiError(405, "METHOD_NOT_ALLOWED", ex.getRequestMethod() + " is not"
            + " allowed on " + raw);
      }
      throw ApiError.notFound("no route " + ex.getRequestMethod() + " " + raw);
    }
    matched[0] = found;
    long deadline = deadline(ex);
    if (!found.template.startsWith("/health/")) {
      boolean write = !found.method.equals("GET") && !isReadOperation(found, vars);
      String client = guard.authenticate(ex.getRequestHeaders().getFirst("Authorization"),
          write);
      if (client == null) {
        client = ex.getRemoteAddress().getAddress().getHostAddress();
      }
      long wait = guard.admit(client);
      if (wait > 0) {
        throw new ApiError(429, "RESOURCE_EXHAUSTED", "rate limit exceeded; retry in " + wait
            + " s", wait);
      }
    }
    Map<String, String> query = new HashMap<>();
    String rq = ex.getRequestURI().getRawQuery();
    if (rq != null) {
      for (String kv : rq.split("&")) {
        if (kv.isEmpty()) {
          continue;
        }
        int eq = kv.indexOf('=');
        query.put(decode(eq < 0 ? kv : kv.substring(0, eq)), eq < 0 ? ""
            : decode(kv.substring(eq + 1)));
      }
    }
    for (String k : query.keySet()) {
      if (!found.query.contains(k)) {
        throw ApiError.badRequest("unknown query parameter '" + k + "'"
            + (found.query.isEmpty() ? "; this route takes none" : "; known: " + found.query));
      }
    }
    return found.action.run(new Call(vars, query, readBody(ex), deadline));
  }

  /** A generic POST of a read operation is a read. */
  private boolean isReadOperation(Route r, Map<String, String> vars) {
    if (!r.template.equals("/v1/stores/{store}/{operation}")) {
      return false;
    }
    try {
      return ts.operation(vars.get("store"), vars.get("operation")).kind()
          == OperationKind.READ;
    } catch (StoreException e) {
      return false;
    }
  }

  /** The request's deadline: X-Request-Deadline-Ms (relative) and the server's timeout. */
  private long deadline(HttpExchange ex) {
    long now = System.nanoTime();
    long d = requestTimeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : now + requestTimeoutNanos;
    String h = ex.getRequestHeaders().getFirst("X-Request-Deadline-Ms");
    if (h != null) {
      long ms;
      try {
        ms = Long.parseLong(h.trim());
      } catch (NumberFormatException e) {
        throw ApiError.badRequest("X-Request-Deadline-Ms must be a number of milliseconds");
      }
      if (ms <= 0) {
        throw new ApiError(504, "DEADLINE_EXCEEDED", "the request's deadline has passed");
      }
      d = Math.min(d, now + Math.min(ms, Long.MAX_VALUE / 2_000_000) * 1_000_000);
    }
    return d;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("malformed percent-encoding in '" + s + "'");
    }
  }

  private byte @Nullable [] readBody(HttpExchange ex) throws IOException {
    String len = ex.getRequestHeaders().getFirst("Content-Length");
    if (len != null) {
      long n;
      try {
        n = Long.parseLong(len.trim());
      } catch (NumberFormatException e) {
        throw ApiError.badRequest("malformed Content-Length");
      }
      if (n > maxBody) {
        throw new ApiError(413, "TOO_LARGE", "the body is " + n + " bytes; the limit is "
            + maxBody);
      }
    }
    try (InputStream in = ex.getRequestBody()) {
      byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBody + 1));
      if (b.length > maxBody) {
        throw new ApiError(413, "TOO_LARGE", "the body is over the limit of " + maxBody
            + " bytes");
      }
      return b.length == 0 ? null : b;
    }
  }

  /**
   * Stops: new requests get 503 at once, requests in flight finish (up to 10 s), then the
   * listening socket and idle keep-alive connections are closed.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (inFlight.get() > 0 && System.nanoTime() < deadline) {
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      server.stop(0);
      executor.close();
    }
  }
}
