package io.treestore.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.treestore.server.grpc.v1.HealthRequest;
import io.treestore.server.grpc.v1.HealthResponse;
import io.treestore.server.grpc.v1.Node;
import io.treestore.server.grpc.v1.NodeList;
import io.treestore.server.grpc.v1.NodeRequest;
import io.treestore.server.grpc.v1.SubtreeRequest;
import io.treestore.server.grpc.v1.TreeStoreServiceGrpc;
import io.treestore.spi.TransportProvider;
import io.treestore.spi.TreeStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Both of TreeStore's transports started in-process as {@code treestore serve} starts them
 * (every {@link TransportProvider} found by {@link ServiceLoader}, with serve's default
 * settings but port 0), and the two clients of {@link ServerBenchmark}:
 * <ul>
 *   <li>gRPC: the generated blocking stub {@code TreeStoreServiceGrpc} over one Netty channel
 *       (plaintext, one HTTP/2 connection);
 *   <li>HTTP: {@link HttpClient} with HTTP/1.1 (keep-alive); every answer's body is parsed
 *       with Jackson into a {@link JsonNode}, as a client would, since the gRPC stub parses its
 *       answers too.
 * </ul>
 * Every call checks its status (HTTP 200; gRPC throws otherwise).
 */
final class ServerBenchServer implements AutoCloseable {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final HealthRequest HEALTH = HealthRequest.getDefaultInstance();

  private final List<TransportProvider.Transport> running = new ArrayList<>();
  final String httpAddress;
  final String grpcAddress;
  private final URI base;
  private final HttpClient http;
  private final ManagedChannel channel;
  private final TreeStoreServiceGrpc.TreeStoreServiceBlockingStub stub;

  /**
   * Starts the transports and connects the clients.
   *
   * @param ts the open database
   */
  ServerBenchServer(TreeStore ts) {
    String http0 = null;
    String grpc0 = null;
    try {
      for (TransportProvider p : ServiceLoader.load(TransportProvider.class)) {
        // the settings treestore serve passes with its defaults, ports 0
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("host", "127.0.0.1");
        switch (p.name()) {
          case "http" -> {
            settings.put("port", "0");
            settings.put("max-body-bytes", "67108864");
            settings.put("rate-limit", "0.0");
            settings.put("request-timeout-ms", "0");
          }
          case "grpc" -> {
            settings.put("port", "0");
            settings.put("max-message-bytes", "67108864");
            settings.put("rate-limit", "0.0");
          }
          default -> { }
        }
        TransportProvider.Transport t = p.start(ts, settings);
        running.add(t);
        if (p.name().equals("http")) {
          http0 = t.address();
        } else if (p.name().equals("grpc")) {
          grpc0 = t.address();
        }
      }
      if (http0 == null || grpc0 == null) {
        throw new IllegalStateException("ServiceLoader did not find both transports: http "
            + http0 + ", grpc " + grpc0);
      }
    } catch (RuntimeException e) {
      running.forEach(TransportProvider.Transport::close);
      throw e;
    }
    this.httpAddress = http0;
    this.grpcAddress = grpc0;
    this.base = URI.create(http0);
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    URI g = URI.create(grpc0);
    this.channel = NettyChannelBuilder.forAddress(g.getHost(), g.getPort()).usePlaintext()
        .maxInboundMessageSize(64 << 20).build();
    this.stub = TreeStoreServiceGrpc.newBlockingStub(channel);
  }

  // ---------------------------------------------------------------- gRPC

  HealthResponse grpcHealth() {
    return stub.health(HEALTH);
  }

  Node grpcGetNode(String doc, String node) {
    return stub.getNode(NodeRequest.newBuilder().setDocId(doc).setNodeId(node).build());
  }

  Node grpcSubtree(String doc, String node, int depth) {
    SubtreeRequest.Builder b = SubtreeRequest.newBuilder().setDocId(doc).setNodeId(node);
    if (depth >= 0) {
      b.setDepth(depth);
    }
    return stub.getSubtree(b.build());
  }

  NodeList grpcAncestors(String doc, String node) {
    return stub.getAncestorPath(NodeRequest.newBuilder().setDocId(doc).setNodeId(node)
        .build());
  }

  // ---------------------------------------------------------------- HTTP

  JsonNode httpHealth() {
    return get("/health/live");
  }

  JsonNode httpGetNode(String doc, String node) {
    return get("/v1/documents/" + doc + "/nodes/" + node);
  }

  JsonNode httpSubtree(String doc, String node, int depth) {
    return get("/v1/documents/" + doc + "/nodes/" + node + "/subtree"
        + (depth >= 0 ? "?depth=" + depth : ""));
  }

  JsonNode httpAncestors(String doc, String node) {
    return get("/v1/documents/" + doc + "/nodes/" + node + "/ancestors");
  }

  /** Bytes of an HTTP answer (for the run log). */
  int httpBytes(String path) {
    return send(path).body().length;
  }

  /**
   * The server's own mean time per request of each transport and operation that answered a
   * request, from its Prometheus metrics ({@code treestore_query_duration_seconds}: from
   * the handler's start to the answer handed to the transport), for the run log.
   *
   * @return "transport/operation: mean us (count)", comma-separated
   */
  String serverSideMeans() {
    String text = new String(send("/metrics").body(), java.nio.charset.StandardCharsets.UTF_8);
    Map<String, double[]> m = new java.util.TreeMap<>();
    for (String line : text.split("\n")) {
      boolean sum = line.startsWith("treestore_query_duration_seconds_sum{");
      boolean count = line.startsWith("treestore_query_duration_seconds_count{");
      if (!sum && !count) {
        continue;
      }
      String labels = line.substring(line.indexOf('{') + 1, line.indexOf('}'));
      String op = "";
      String transport = "";
      for (String kv : labels.split(",")) {
        String[] p = kv.split("=", 2);
        String v = p[1].replace("\"", "");
        if (p[0].equals("operation")) {
          op = v;
        } else if (p[0].equals("transport")) {
          transport = v;
        }
      }
      double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      m.computeIfAbsent(transport + "/" + op, k -> new double[2])[sum ? 0 : 1] = value;
    }
    StringBuilder b = new StringBuilder();
    m.forEach((k, v) -> {
      if (v[1] > 0) {
        b.append(b.isEmpty() ? "" : ", ").append(String.format(java.util.Locale.ROOT,
            "%s: %.1f us (%d)", k, v[0] / v[1] * 1e6, (long) v[1]));
      }
    });
    return b.toString();
  }

  private JsonNode get(String path) {
    return JSON.readTree(send(path).body());
  }

  private HttpResponse<byte[]> send(String path) {
    HttpRequest q = HttpRequest.newBuilder(base.resolve(path)).GET().build();
    HttpResponse<byte[]> a;
    try {
      a = http.send(q, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (a.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + ": " + a.statusCode() + " "
          + new String(a.body(), java.nio.charset.StandardCharsets.UTF_8));
    }
    return a;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    http.close();
    for (TransportProvider.Transport t : running) {
      t.close();
    }
  }
}
