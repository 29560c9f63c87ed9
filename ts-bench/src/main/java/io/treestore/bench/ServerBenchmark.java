package io.treestore.bench;

import io.treestore.server.grpc.v1.HealthResponse;
import io.treestore.server.grpc.v1.Node;
import io.treestore.server.grpc.v1.NodeList;
import io.treestore.stores.documents.DocumentApi;
import java.sql.SQLException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;
import tools.jackson.databind.JsonNode;

/**
 * TreeStore's server on loopback: GetNode, GetSubtree (depth 2 and full) and GetAncestorPath
 * over gRPC and over HTTP/JSON, each next to the same transport's empty call (gRPC
 * {@code treestore.v1.TreeStoreService/Health}, HTTP {@code GET /health/live}), and the same
 * subtree and ancestor reads as recursive CTEs against PostgreSQL over JDBC, in the same JMH
 * run, from the same load generator, on the same data. Written up in
 * {@code docs/benchmarks-server.md}.
 *
 * <h2>Setup (per trial, in the forked JVM)</h2>
 * <ul>
 *   <li>{@link Data}: a fresh copy of a data directory ingested once per run, opened as
 *       {@code treestore serve} opens it, with two documents ({@link ServerBenchData}): the
 *       largest real PageIndex tree ({@code real}, 76 nodes with their page texts) and a seeded synthetic tree
 *       ({@code synthetic}, 4,678 nodes, depths 0 to 5, titles and summaries); the
 *       parameter {@link Data#dataset} chooses which one is read;
 *   <li>{@link Server}: the HTTP and gRPC transports found by {@code ServiceLoader} and started
 *       with {@code serve}'s settings on ports picked by the system, the HTTP client
 *       ({@code java.net.http.HttpClient}, HTTP/1.1, keep-alive) and the gRPC blocking stub
 *       over a Netty channel ({@link ServerBenchServer});
 *   <li>{@link Pg}: a private PostgreSQL cluster on loopback loaded with the same nodes
 *       ({@link ServerBenchPostgres}); one JDBC connection per benchmark thread
 *       ({@link PgSession}).
 * </ul>
 * The {@code embedded*} benchmarks make the same reads through the embedded API
 * ({@code TreeStore.call}) in the same JVM, without a transport: the store's own share of
 * the transports' times (context, not a goal).
 * Only the states a benchmark uses are set up: the PostgreSQL benchmarks do not start the
 * transports, the transport benchmarks do not start PostgreSQL.
 *
 * <h2>Targets</h2>
 * Drawn per call from a {@link SplittableRandom} with a fixed seed per thread (the same
 * sequence for every system): GetNode from all nodes; subtrees from the nodes with children;
 * ancestor paths from the nodes below the roots.
 *
 * <h2>Run</h2>
 * {@snippet lang="shell" :
 * java -jar ts-bench/target/benchmarks.jar ServerBenchmark -rf json -rff server.json
 * # throughput with 4 client threads:
 * java -jar ts-bench/target/benchmarks.jar ServerBenchmark -bm thrpt -tu s -t 4
 * # the ingested database is kept between trials; delete it after the runs:
 * rm -rf /tmp/ts-server-bench-template
 * }
 * Default mode {@code SampleTime} (every call timed: p50, p99), one thread. Warmup is 10 x 2 s:
 * client and server share the forked JVM, and on two cores the JIT needs about 15 s before
 * the gRPC, Netty, HTTP and Jackson paths stop getting faster (seen in a pilot with 3 x 2 s).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 10, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseG1GC",
    "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class ServerBenchmark {
  /** The seed of the target draws (thread {@code i} uses {@code SEED + i}). */
  static final long SEED = 0x5EB0E5L;

  /** Creates the benchmark (used by JMH). */
  public ServerBenchmark() {
    // stateless
  }

  /** The database with both documents, and the document the trial reads. */
  @State(Scope.Benchmark)
  public static class Data {
    /** {@code real} or {@code synthetic}. */
    @Param({"real", "synthetic"})
    public String dataset;

    ServerBenchData data;
    ServerBenchData.Doc doc;

    /** Creates the state (used by JMH). */
    public Data() {
      // filled by setup
    }

    /** Opens the database and ingests the documents. */
    @Setup(Level.Trial)
    public void setup() {
      data = ServerBenchData.create();
      doc = data.doc(dataset);
      System.out.printf("%n[data] %s: %d nodes, %d with children, max depth %d; %s: %d nodes,"
          + " %d with children, max depth %d%n", data.real.docId, data.real.all.length,
          data.real.internal.length, data.real.maxDepth, data.synthetic.docId,
          data.synthetic.all.length, data.synthetic.internal.length, data.synthetic.maxDepth);
    }

    /** Closes the database and deletes its directory. */
    @TearDown(Level.Trial)
    public void tearDown() {
      if (data != null) {
        System.out.printf("%n[data] request log lines: %d%n", data.requestLogLines());
        data.close();
      }
    }
  }

  /** Both transports and both clients. */
  @State(Scope.Benchmark)
  public static class Server {
    ServerBenchServer server;

    /** Creates the state (used by JMH). */
    public Server() {
      // filled by setup
    }

    /**
     * Starts the transports and connects the clients.
     *
     * @param d the database
     */
    @Setup(Level.Trial)
    public void setup(Data d) {
      server = new ServerBenchServer(d.data.ts);
      System.out.printf("%n[server] %s %s%n", server.httpAddress, server.grpcAddress);
    }

    /** Prints the server's own timing of the trial's requests; stops clients and transports. */
    @TearDown(Level.Trial)
    public void tearDown() {
      if (server != null) {
        System.out.printf("%n[server] server-side time per request (metrics): %s%n",
            server.serverSideMeans());
        server.close();
      }
    }
  }

  /** The PostgreSQL cluster. */
  @State(Scope.Benchmark)
  public static class Pg {
    ServerBenchPostgres pg;

    /** Creates the state (used by JMH). */
    public Pg() {
      // filled by setup
    }

    /**
     * Creates, starts and loads the cluster.
     *
     * @param d the database whose nodes are loaded
     */
    @Setup(Level.Trial)
    public void setup(Data d) {
      pg = ServerBenchPostgres.start(d.data);
      System.out.printf("%n[pg] %s on port %d, cluster %s%n", pg.version.strip(), pg.port,
          pg.root);
    }

    /** Stops the server and deletes the cluster. */
    @TearDown(Level.Trial)
    public void tearDown() {
      if (pg != null) {
        pg.close();
      }
    }
  }

  /** One JDBC connection per benchmark thread. */
  @State(Scope.Thread)
  public static class PgSession {
    ServerBenchPostgres.Session session;

    /** Creates the state (used by JMH). */
    public PgSession() {
      // filled by setup
    }

    /**
     * Connects and prepares the statements.
     *
     * @param pg the cluster
     * @throws SQLException if that fails
     */
    @Setup(Level.Trial)
    public void setup(Pg pg) throws SQLException {
      session = new ServerBenchPostgres.Session(pg.pg);
    }

    /**
     * Disconnects.
     *
     * @throws SQLException if that fails
     */
    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
      if (session != null) {
        session.close();
      }
    }
  }

  /** The per-thread target draws. */
  @State(Scope.Thread)
  public static class Pick {
    SplittableRandom random;

    /** Creates the state (used by JMH). */
    public Pick() {
      // filled by setup
    }

    /**
     * Seeds the draws.
     *
     * @param t the thread's parameters
     */
    @Setup(Level.Trial)
    public void setup(ThreadParams t) {
      random = new SplittableRandom(SEED + t.getThreadIndex());
    }

    String any(Data d) {
      return d.doc.all[random.nextInt(d.doc.all.length)];
    }

    String internal(Data d) {
      return d.doc.internal[random.nextInt(d.doc.internal.length)];
    }

    String nonRoot(Data d) {
      return d.doc.nonRoot[random.nextInt(d.doc.nonRoot.length)];
    }
  }

  // ------------------------------------------------------------------ gRPC

  /**
   * gRPC empty call: {@code Health}.
   *
   * @param s the server
   * @return the answer
   */
  @Benchmark
  public HealthResponse grpcHealth(Server s) {
    return s.server.grpcHealth();
  }

  /**
   * gRPC GetNode of a random node.
   *
   * @param s the server
   * @param d the data
   * @param p the draws
   * @return the answer
   */
  @Benchmark
  public Node grpcGetNode(Server s, Data d, Pick p) {
    return s.server.grpcGetNode(d.doc.docId, p.any(d));
  }

  /**
   * gRPC GetSubtree, depth 2, of a random node with children.
   *
   * @param s the server
   * @param d the data
   * @param p the draws
   * @return the answer
   */
  @Benchmark
  public Node grpcSubtreeDepth2(Server s, Data d, Pick p) {
    return s.server.grpcSubtree(d.doc.docId, p.internal(d), 2);
  }

  /**
   * gRPC GetSubtree, all levels, of a random node with children.
   *
   * @param s the server
   * @param d the data
   * @param p the draws
   * @return the answer
   */
  @Benchmark
  public Node grpcSubtreeFull(Server s, Data d, Pick p) {
    return s.server.grpcSubtree(d.doc.docId, p.internal(d), -1);
  }

  /**
   * gRPC GetAncestorPath of a random node below the roots.
   *
   * @param s the server
   * @param d the data
   * @param p the draws
   * @return the answer
   */
  @Benchmark
  public NodeList grpcAncestors(Server s, Data d, Pick p) {
    return s.server.grpcAncestors(d.doc.docId, p.nonRoot(d));
  }

  // ------------------------------------------------------------------ HTTP

  /**
   * HTTP empty call: {@code GET /health/live}.
   *
   * @param s the server
   * @return the parsed answer
   */
  @Benchmark
  public JsonNode httpHealth(Server s) {
    return s.server.httpHealth();
  }

  /**
   * HTTP GetNode of a random node.
   *
   * @param s the server
   * @param d the data
   * @param p the draws
   * @return the parsed answer
   */
  @Benchmark
  public JsonNode httpGetNode(Server s, Data d, Pick p) {
    return s.server.httpGetNode(d.doc.docId, p.any(d));
  }

  /**
   * HTTP GetSubtree, depth 2, of a random node with children.
   *
   * @param s the server
   * @param d the data
   * @param p the draws
   * @return the parsed answer
   */
  @Benchmark
  public JsonNode httpSubtreeDepth2(Server s, Data d, Pick p) {
    return s.server.httpSubtree(d.doc.docId, p.internal(d), 2);
  }

  /**
   * HTTP GetSubtree, all levels, of a random node with children.
   *
   * @param s the server
   * @param d the data
   * @param p the draws
   * @return the parsed answer
   */
  @Benchmark
  public JsonNode httpSubtreeFull(Server s, Data d, Pick p) {
    return s.server.httpSubtree(d.doc.docId, p.internal(d), -1);
  }

  /**
   * HTTP GetAncestorPath of a random node below the roots.
   *
   * @param s the server
   * @param d the data
   * @param p the draws
   * @return the parsed answer
   */
  @Benchmark
  public JsonNode httpAncestors(Server s, Data d, Pick p) {
    return s.server.httpAncestors(d.doc.docId, p.nonRoot(d));
  }

  // ------------------------------------------------------------------ embedded

  /**
   * The same GetNode through the embedded API, in-process, without a transport (context: the
   * store's own share of the transports' time; not a goal).
   *
   * @param d the data
   * @param p the draws
   * @return the answer
   */
  @Benchmark
  public Object embeddedGetNode(Data d, Pick p) {
    return d.data.ts.call("documents", "GetNode", new DocumentApi.NodeRef(d.doc.docId,
        p.any(d), null, null));
  }

  /**
   * GetSubtree, depth 2, through the embedded API (context).
   *
   * @param d the data
   * @param p the draws
   * @return the answer
   */
  @Benchmark
  public Object embeddedSubtreeDepth2(Data d, Pick p) {
    return d.data.ts.call("documents", "GetSubtree", new DocumentApi.SubtreeRef(d.doc.docId,
        p.internal(d), 2, null, null));
  }

  /**
   * GetSubtree, all levels, through the embedded API (context).
   *
   * @param d the data
   * @param p the draws
   * @return the answer
   */
  @Benchmark
  public Object embeddedSubtreeFull(Data d, Pick p) {
    return d.data.ts.call("documents", "GetSubtree", new DocumentApi.SubtreeRef(d.doc.docId,
        p.internal(d), null, null, null));
  }

  /**
   * GetAncestorPath through the embedded API (context).
   *
   * @param d the data
   * @param p the draws
   * @return the answer
   */
  @Benchmark
  public Object embeddedAncestors(Data d, Pick p) {
    return d.data.ts.call("documents", "GetAncestorPath", new DocumentApi.NodeRef(
        d.doc.docId, p.nonRoot(d), null, null));
  }

  // ------------------------------------------------------------------ PostgreSQL

  /**
   * PostgreSQL: one node by primary key (context for GetNode; not a goal).
   *
   * @param c the connection
   * @param d the data
   * @param p the draws
   * @return the rows
   * @throws SQLException if the query fails
   */
  @Benchmark
  public List<ServerBenchPostgres.PgRow> pgGetNode(PgSession c, Data d, Pick p)
      throws SQLException {
    return c.session.node(d.doc.docId, p.any(d));
  }

  /**
   * PostgreSQL: recursive CTE, subtree to depth 2, of a random node with children.
   *
   * @param c the connection
   * @param d the data
   * @param p the draws
   * @return the rows
   * @throws SQLException if the query fails
   */
  @Benchmark
  public List<ServerBenchPostgres.PgRow> pgSubtreeDepth2(PgSession c, Data d, Pick p)
      throws SQLException {
    return c.session.subtree(d.doc.docId, p.internal(d), 2);
  }

  /**
   * PostgreSQL: recursive CTE, whole subtree of a random node with children.
   *
   * @param c the connection
   * @param d the data
   * @param p the draws
   * @return the rows
   * @throws SQLException if the query fails
   */
  @Benchmark
  public List<ServerBenchPostgres.PgRow> pgSubtreeFull(PgSession c, Data d, Pick p)
      throws SQLException {
    return c.session.subtree(d.doc.docId, p.internal(d), -1);
  }

  /**
   * PostgreSQL: recursive CTE, ancestors of a random node below the roots.
   *
   * @param c the connection
   * @param d the data
   * @param p the draws
   * @return the rows
   * @throws SQLException if the query fails
   */
  @Benchmark
  public List<ServerBenchPostgres.PgRow> pgAncestors(PgSession c, Data d, Pick p)
      throws SQLException {
    return c.session.ancestors(d.doc.docId, p.nonRoot(d));
  }
}
