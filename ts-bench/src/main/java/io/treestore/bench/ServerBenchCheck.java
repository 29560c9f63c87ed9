package io.treestore.bench;

import io.treestore.server.grpc.v1.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import tools.jackson.databind.JsonNode;

/**
 * The checks behind {@link ServerBenchmark}, run once before the benchmark (not timed by
 * JMH): sets up the same data, both transports and the PostgreSQL cluster, and for 500 draws
 * per operation and document compares the answers of gRPC, HTTP and PostgreSQL (the node ids
 * in order, so the three systems return the same nodes in document order); prints the
 * answer sizes (nodes, gRPC and HTTP bytes) and PostgreSQL's plans ({@code EXPLAIN ANALYZE})
 * of the CTEs for the largest subtree.
 *
 * {@snippet lang="shell" :
 * java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *     -cp ts-bench/target/benchmarks.jar io.treestore.bench.ServerBenchCheck
 * }
 */
public final class ServerBenchCheck {
  private ServerBenchCheck() {}

  /**
   * Runs the checks; exits with 1 on a mismatch.
   *
   * @param args none
   * @throws Exception if setup fails
   */
  public static void main(String[] args) throws Exception {
    int draws = 500;
    int failures = 0;
    long t0 = System.nanoTime();
    try (ServerBenchData data = ServerBenchData.create();
        ServerBenchServer server = new ServerBenchServer(data.ts);
        ServerBenchPostgres pg = startTimed(data, t0);
        ServerBenchPostgres.Session sql = new ServerBenchPostgres.Session(pg)) {
      System.out.println("http " + server.httpAddress + ", grpc " + server.grpcAddress
          + ", " + pg.version.strip() + " on port " + pg.port);
      for (ServerBenchData.Doc doc : List.of(data.real, data.synthetic)) {
        System.out.printf(Locale.ROOT, "%n%s: %d nodes, %d with children, %d below the roots,"
            + " max depth %d%n", doc.docId, doc.all.length, doc.internal.length,
            doc.nonRoot.length, doc.maxDepth);
        SplittableRandom r = new SplittableRandom(ServerBenchmark.SEED);
        for (String op : List.of("node", "subtree2", "subtreeFull", "ancestors")) {
          long nodes = 0;
          long maxNodes = 0;
          long grpcBytes = 0;
          long httpBytes = 0;
          List<Long> sizes = new ArrayList<>();
          long opStart = System.nanoTime();
          for (int i = 0; i < draws; i++) {
            String[] from = switch (op) {
              case "node" -> doc.all;
              case "ancestors" -> doc.nonRoot;
              default -> doc.internal;
            };
            String id = from[r.nextInt(from.length)];
            List<String> g = new ArrayList<>();
            List<String> h = new ArrayList<>();
            List<String> p = new ArrayList<>();
            switch (op) {
              case "node" -> {
                Node n = server.grpcGetNode(doc.docId, id);
                g.add(n.getNodeId());
                grpcBytes += n.getSerializedSize();
                h.add(server.httpGetNode(doc.docId, id).get("node_id").asString());
                httpBytes += server.httpBytes("/v1/documents/" + doc.docId + "/nodes/" + id);
                sql.node(doc.docId, id).forEach(x -> p.add(x.nodeId()));
              }
              case "subtree2", "subtreeFull" -> {
                int depth = op.equals("subtree2") ? 2 : -1;
                Node n = server.grpcSubtree(doc.docId, id, depth);
                flatten(n, g);
                grpcBytes += n.getSerializedSize();
                flatten(server.httpSubtree(doc.docId, id, depth), h);
                httpBytes += server.httpBytes("/v1/documents/" + doc.docId + "/nodes/" + id
                    + "/subtree" + (depth >= 0 ? "?depth=" + depth : ""));
                sql.subtree(doc.docId, id, depth).forEach(x -> p.add(x.nodeId()));
              }
              default -> {
                var l = server.grpcAncestors(doc.docId, id);
                l.getNodesList().forEach(x -> g.add(x.getNodeId()));
                grpcBytes += l.getSerializedSize();
                server.httpAncestors(doc.docId, id).get("nodes")
                    .forEach(x -> h.add(x.get("node_id").asString()));
                httpBytes += server.httpBytes("/v1/documents/" + doc.docId + "/nodes/" + id
                    + "/ancestors");
                sql.ancestors(doc.docId, id).forEach(x -> p.add(x.nodeId()));
              }
            }
            if (!g.equals(h) || !g.equals(p)) {
              failures++;
              if (failures < 5) {
                System.out.println("MISMATCH " + op + " " + doc.docId + "/" + id + ": grpc "
                    + g + " http " + h + " pg " + p);
              }
            }
            nodes += g.size();
            maxNodes = Math.max(maxNodes, g.size());
            sizes.add((long) g.size());
          }
          sizes.sort(null);
          System.out.printf(Locale.ROOT, "  (%s: %.0f us per draw for all checks)%n", op,
              (System.nanoTime() - opStart) / 1e3 / draws);
          System.out.printf(Locale.ROOT, "  %-11s %d draws: nodes per answer mean %.1f,"
              + " median %d, p99 %d, max %d; bytes per answer mean: gRPC %.0f, HTTP %.0f%n",
              op, draws, (double) nodes / draws, sizes.get(draws / 2),
              sizes.get(draws * 99 / 100), maxNodes, (double) grpcBytes / draws,
              (double) httpBytes / draws);
        }
      }
      String big = data.synthetic.rows.get(0).node().nodeId();
      System.out.println("\nEXPLAIN ANALYZE of the full subtree of " + data.synthetic.docId
          + "/" + big + " (a root):");
      String q = ServerBenchPostgres.SUBTREE_FULL.replaceFirst("\\?", "'" + data.synthetic.docId
          + "'").replaceFirst("\\?", "'" + big + "'").replaceFirst("\\?", "'"
          + data.synthetic.docId + "'");
      sql.text("EXPLAIN (ANALYZE, BUFFERS) " + q).forEach(l -> System.out.println("  " + l));
      String leaf = data.synthetic.nonRoot[data.synthetic.nonRoot.length - 1];
      System.out.println("\nEXPLAIN ANALYZE of the ancestors of " + data.synthetic.docId + "/"
          + leaf + ":");
      q = ServerBenchPostgres.ANCESTORS.replaceFirst("\\?", "'" + data.synthetic.docId + "'")
          .replaceFirst("\\?", "'" + leaf + "'").replaceFirst("\\?", "'"
              + data.synthetic.docId + "'");
      sql.text("EXPLAIN (ANALYZE, BUFFERS) " + q).forEach(l -> System.out.println("  " + l));
      System.out.println("\nsettings: " + sql.text("SELECT string_agg(name || '=' || setting,"
          + " ', ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit',"
          + " 'full_page_writes', 'shared_buffers', 'jit', 'work_mem', 'listen_addresses',"
          + " 'max_connections')"));
    }
    System.out.println(failures == 0 ? "\nOK: gRPC, HTTP and PostgreSQL agree on every draw"
        : "\nFAILED: " + failures + " mismatches");
    System.exit(failures == 0 ? 0 : 1);
  }

  private static ServerBenchPostgres startTimed(ServerBenchData data, long t0) {
    long t1 = System.nanoTime();
    ServerBenchPostgres pg = ServerBenchPostgres.start(data);
    System.out.printf(Locale.ROOT, "setup: TreeStore data and transports %.1f s, PostgreSQL"
        + " %.1f s%n", (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
    return pg;
  }

  private static void flatten(Node n, List<String> out) {
    out.add(n.getNodeId());
    for (Node c : n.getChildrenList()) {
      flatten(c, out);
    }
  }

  private static void flatten(JsonNode n, List<String> out) {
    out.add(n.get("node_id").asString());
    JsonNode kids = n.get("children");
    if (kids != null) {
      for (JsonNode c : kids) {
        flatten(c, out);
      }
    }
  }
}
