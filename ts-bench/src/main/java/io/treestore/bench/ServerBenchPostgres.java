package io.treestore.bench;

import io.treestore.stores.documents.DocumentApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A private PostgreSQL cluster for {@link ServerBenchmark}: Debian's server binaries
 * ({@code /usr/lib/postgresql/<newest>/bin}), a fresh cluster made by {@code initdb} in a
 * temporary directory, started by {@code pg_ctl} on a free loopback port, loaded with the
 * nodes TreeStore stored ({@link ServerBenchData}), stopped and deleted by {@link #close()}
 * (also from a shutdown hook if the JVM exits first).
 *
 * <p>initdb and the server refuse to run as root; when the benchmark runs as root, the
 * temporary directory is given to the {@code postgres} system user and {@code initdb},
 * {@code pg_ctl} run through {@code runuser -u postgres --}. Authentication is {@code trust}
 * (the server listens on 127.0.0.1 and on a Unix socket in the temporary directory only).
 *
 * <p>Settings appended to {@code postgresql.conf} ({@link #SETTINGS}): durability off
 * ({@code fsync}, {@code synchronous_commit}, {@code full_page_writes}) since only reads are
 * measured and the cluster is thrown away; everything else is initdb's default (for example
 * {@code shared_buffers} 128 MB, far more than the data; {@code jit} on, which these cheap
 * queries never reach).
 *
 * <p>Schema: one table {@code nodes} with the stored columns of a TreeStore node, primary
 * key {@code (doc_id, node_id)} and an index {@code (doc_id, parent_id, ordinal)}; analysed
 * after loading. The queries are recursive CTEs ({@link Session}).
 */
final class ServerBenchPostgres implements AutoCloseable {
  /** Lines appended to {@code postgresql.conf}; port and socket directory are added. */
  static final List<String> SETTINGS = List.of("listen_addresses = '127.0.0.1'",
      "fsync = off", "synchronous_commit = off", "full_page_writes = off",
      "max_connections = 20", "logging_collector = off");

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private static final String COLUMNS = "node_id, parent_id, version_id, ordinal, depth,"
      + " section_path, title, page_start, page_end, summary, prefix_summary, text,"
      + " attributes";

  /**
   * The subtree of a node down to {@code lvl < ?} levels below it, in document order (the
   * array of ordinals from the subtree's root). Parameters: doc, node, doc, levels.
   */
  static final String SUBTREE_DEPTH = """
      WITH RECURSIVE sub AS (
        SELECT n.node_id, n.parent_id, n.version_id, n.ordinal, n.depth, n.section_path,
               n.title, n.page_start, n.page_end, n.summary, n.prefix_summary, n.text,
               n.attributes, 0 AS lvl, ARRAY[n.ordinal] AS path
        FROM nodes n WHERE n.doc_id = ? AND n.node_id = ?
        UNION ALL
        SELECT c.node_id, c.parent_id, c.version_id, c.ordinal, c.depth, c.section_path,
               c.title, c.page_start, c.page_end, c.summary, c.prefix_summary, c.text,
               c.attributes, s.lvl + 1, s.path || c.ordinal
        FROM sub s JOIN nodes c ON c.doc_id = ? AND c.parent_id = s.node_id
        WHERE s.lvl < ?
      )
      SELECT %s FROM sub ORDER BY path""".formatted(COLUMNS);

  /** The whole subtree of a node, in document order. Parameters: doc, node, doc. */
  static final String SUBTREE_FULL = """
      WITH RECURSIVE sub AS (
        SELECT n.node_id, n.parent_id, n.version_id, n.ordinal, n.depth, n.section_path,
               n.title, n.page_start, n.page_end, n.summary, n.prefix_summary, n.text,
               n.attributes, ARRAY[n.ordinal] AS path
        FROM nodes n WHERE n.doc_id = ? AND n.node_id = ?
        UNION ALL
        SELECT c.node_id, c.parent_id, c.version_id, c.ordinal, c.depth, c.section_path,
               c.title, c.page_start, c.page_end, c.summary, c.prefix_summary, c.text,
               c.attributes, s.path || c.ordinal
        FROM sub s JOIN nodes c ON c.doc_id = ? AND c.parent_id = s.node_id
      )
      SELECT %s FROM sub ORDER BY path""".formatted(COLUMNS);

  /**
   * The ancestors of a node, root first, the node itself excluded (as TreeStore's
   * GetAncestorPath). Parameters: doc, node, doc.
   */
  static final String ANCESTORS = """
      WITH RECURSIVE anc AS (
        SELECT p.node_id, p.parent_id, p.version_id, p.ordinal, p.depth, p.section_path,
               p.title, p.page_start, p.page_end, p.summary, p.prefix_summary, p.text,
               p.attributes, 1 AS lvl
        FROM nodes c JOIN nodes p ON p.doc_id = c.doc_id AND p.node_id = c.parent_id
        WHERE c.doc_id = ? AND c.node_id = ?
        UNION ALL
        SELECT p.node_id, p.parent_id, p.version_id, p.ordinal, p.depth, p.section_path,
               p.title, p.page_start, p.page_end, p.summary, p.prefix_summary, p.text,
               p.attributes, a.lvl + 1
        FROM anc a JOIN nodes p ON p.doc_id = ? AND p.node_id = a.parent_id
      )
      SELECT %s FROM anc ORDER BY lvl DESC""".formatted(COLUMNS);

  /** One node by its key. Parameters: doc, node. */
  static final String NODE = "SELECT " + COLUMNS + " FROM nodes WHERE doc_id = ? AND"
      + " node_id = ?";

  /**
   * One answer row, every column read.
   *
   * @param nodeId the node
   * @param parentId its parent, or null
   * @param versionId the version
   * @param ordinal position among siblings
   * @param depth depth in the document
   * @param sectionPath outline position
   * @param title the title
   * @param pageStart first page or null
   * @param pageEnd last page or null
   * @param summary summary or null
   * @param prefixSummary prefix summary or null
   * @param text text or null
   * @param attributes attributes as JSON text, or null
   */
  record PgRow(String nodeId, @Nullable String parentId, String versionId, int ordinal,
      int depth, String sectionPath, String title, @Nullable Integer pageStart,
      @Nullable Integer pageEnd, @Nullable String summary, @Nullable String prefixSummary,
      @Nullable String text, @Nullable String attributes) {}

  final Path root;
  final Path data;
  final int port;
  final String url;
  final String version;
  private final Path bin;
  private final boolean asPostgres;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread hook;

  private ServerBenchPostgres(Path root, Path bin, boolean asPostgres, int port,
      String version) {
    this.root = root;
    this.data = root.resolve("data");
    this.bin = bin;
    this.asPostgres = asPostgres;
    this.port = port;
    this.url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    this.version = version;
    this.hook = new Thread(this::stopAndDelete, "ts-bench-postgres-cleanup");
  }

  /**
   * Creates, starts and loads a cluster.
   *
   * @param d the data (both documents are loaded)
   * @return the running cluster
   */
  static ServerBenchPostgres start(ServerBenchData d) {
    ServerBenchPostgres c = startEmpty(SETTINGS);
    try {
      c.load(d);
      return c;
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw new IllegalStateException("PostgreSQL setup failed: " + e.getMessage(), e);
    }
  }

  /**
   * Creates and starts an empty cluster (database {@code postgres}, user {@code bench}).
   *
   * @param settings lines appended to {@code postgresql.conf} (port and socket directory are
   *     added)
   * @return the running cluster; {@link #close()} stops and deletes it
   * @throws IllegalStateException if a program fails
   */
  static ServerBenchPostgres startEmpty(List<String> settings) {
    Path bin = binaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir;
    try {
      dir = Files.createTempDirectory("ts-server-bench-pg-");
      if (root) {
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal pg = users.lookupPrincipalByName("postgres");
        GroupPrincipal pgGroup = users.lookupPrincipalByGroupName("postgres");
        PosixFileAttributeView v = Files.getFileAttributeView(dir,
            PosixFileAttributeView.class);
        v.setOwner(pg);
        v.setGroup(pgGroup);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String version = "?";
    ServerBenchPostgres c = null;
    try {
      version = run(bin, root, dir, "postgres", "--version").strip();
      run(bin, root, dir, "initdb", "-D", dir.resolve("data").toString(), "-U", "bench",
          "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync");
      IOException last = null;
      for (int attempt = 0; attempt < 3 && c == null; attempt++) {
        int port = freePort();
        List<String> conf = new ArrayList<>(settings);
        conf.add("port = " + port);
        conf.add("unix_socket_directories = '" + dir + "'");
        Path confFile = dir.resolve("data/postgresql.conf");
        String original = Files.readString(confFile);
        Files.writeString(confFile, original + "\n# ts-bench ServerBenchmark\n"
            + String.join("\n", conf) + "\n", StandardCharsets.UTF_8);
        try {
          run(bin, root, dir, "pg_ctl", "-D", dir.resolve("data").toString(), "-l",
              dir.resolve("server.log").toString(), "-w", "-t", "60", "start");
          c = new ServerBenchPostgres(dir, bin, root, port, version);
        } catch (IOException e) {
          last = e;
          Files.writeString(confFile, original, StandardCharsets.UTF_8);
        }
      }
      if (c == null) {
        throw last;
      }
      Runtime.getRuntime().addShutdownHook(c.hook);
      return c;
    } catch (IOException | RuntimeException e) {
      if (c != null) {
        c.close();
      } else {
        ServerBenchData.deleteTree(dir);
      }
      throw new IllegalStateException("PostgreSQL setup failed: " + e.getMessage(), e);
    }
  }

  /**
   * Returns the process id of the running server (the first line of {@code postmaster.pid}).
   *
   * @return the pid
   * @throws UncheckedIOException if the file cannot be read
   */
  long pid() {
    try {
      return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The newest {@code /usr/lib/postgresql/<n>/bin}, else the binaries on the PATH. */
  static Path binaries() {
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> s = Files.list(debian)) {
        Path best = s.filter(p -> Files.isExecutable(p.resolve("bin/initdb")))
            .max(Comparator.comparingInt(p -> {
              try {
                return Integer.parseInt(p.getFileName().toString());
              } catch (NumberFormatException e) {
                return -1;
              }
            })).orElse(null);
        if (best != null) {
          return best.resolve("bin");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return Path.of("");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Runs a PostgreSQL program (as postgres when we are root); returns its output. */
  private static String run(Path bin, boolean asPostgres, Path dir, String program,
      String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (asPostgres) {
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.add(bin.toString().isEmpty() ? program : bin.resolve(program).toString());
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile("ts-bench-pg-cmd-", ".log");
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      boolean done;
      try {
        done = p.waitFor(120, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
        throw new IOException("interrupted: " + cmd, e);
      }
      String text = Files.readString(out);
      if (!done) {
        p.destroyForcibly();
        throw new IOException(cmd + " timed out: " + text);
      }
      if (p.exitValue() != 0) {
        String log = "";
        Path server = dir.resolve("server.log");
        if (Files.exists(server)) {
          log = "\nserver.log: " + Files.readString(server);
        }
        throw new IOException(cmd + " exited with " + p.exitValue() + ": " + text + log);
      }
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private void load(ServerBenchData d) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("""
          CREATE TABLE nodes (
            doc_id text NOT NULL,
            node_id text NOT NULL,
            version_id text NOT NULL,
            parent_id text,
            ordinal integer NOT NULL,
            depth integer NOT NULL,
            section_path text NOT NULL,
            title text NOT NULL,
            page_start integer,
            page_end integer,
            summary text,
            prefix_summary text,
            text text,
            attributes jsonb,
            PRIMARY KEY (doc_id, node_id)
          )""");
      c.setAutoCommit(false);
      try (PreparedStatement p = c.prepareStatement("INSERT INTO nodes (doc_id, node_id,"
          + " version_id, parent_id, ordinal, depth, section_path, title, page_start, page_end,"
          + " summary, prefix_summary, text, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
          + " ?, ?, ?, ?::jsonb)")) {
        for (ServerBenchData.Doc doc : List.of(d.real, d.synthetic)) {
          for (ServerBenchData.Row r : doc.rows) {
            DocumentApi.Node n = r.node();
            p.setString(1, r.docId());
            p.setString(2, n.nodeId());
            p.setString(3, n.versionId());
            p.setString(4, n.parentId());
            p.setInt(5, r.ordinal());
            p.setInt(6, n.depth());
            p.setString(7, n.sectionPath());
            p.setString(8, n.title());
            setInt(p, 9, n.pageStart());
            setInt(p, 10, n.pageEnd());
            p.setString(11, n.summary());
            p.setString(12, n.prefixSummary());
            p.setString(13, n.text() == null ? null : n.text().toString());
            p.setString(14, n.attributes() == null ? null
                : JSON.writeValueAsString(n.attributes()));
            p.addBatch();
          }
        }
        p.executeBatch();
      }
      s.execute("CREATE INDEX nodes_children ON nodes (doc_id, parent_id, ordinal)");
      c.commit();
      c.setAutoCommit(true);
      s.execute("VACUUM ANALYZE nodes");
    }
  }

  private static void setInt(PreparedStatement p, int i, @Nullable Integer v)
      throws SQLException {
    if (v == null) {
      p.setNull(i, Types.INTEGER);
    } else {
      p.setInt(i, v);
    }
  }

  /**
   * Opens a connection (pgjdbc defaults: server-side prepared statements from the fifth
   * execution of a statement on).
   *
   * @return the connection
   * @throws SQLException if it fails
   */
  Connection connect() throws SQLException {
    return DriverManager.getConnection(url, "bench", "");
  }

  /** One client's connection with the prepared queries; not thread-safe. */
  static final class Session implements AutoCloseable {
    private final Connection c;
    private final PreparedStatement subtreeDepth;
    private final PreparedStatement subtreeFull;
    private final PreparedStatement ancestors;
    private final PreparedStatement node;

    Session(ServerBenchPostgres pg) throws SQLException {
      this.c = pg.connect();
      this.subtreeDepth = c.prepareStatement(SUBTREE_DEPTH);
      this.subtreeFull = c.prepareStatement(SUBTREE_FULL);
      this.ancestors = c.prepareStatement(ANCESTORS);
      this.node = c.prepareStatement(NODE);
    }

    /** The subtree down to {@code depth} levels below the node (negative: all levels). */
    List<PgRow> subtree(String doc, String nodeId, int depth) throws SQLException {
      PreparedStatement p = depth < 0 ? subtreeFull : subtreeDepth;
      p.setString(1, doc);
      p.setString(2, nodeId);
      p.setString(3, doc);
      if (depth >= 0) {
        p.setInt(4, depth);
      }
      return rows(p);
    }

    List<PgRow> ancestors(String doc, String nodeId) throws SQLException {
      ancestors.setString(1, doc);
      ancestors.setString(2, nodeId);
      ancestors.setString(3, doc);
      return rows(ancestors);
    }

    List<PgRow> node(String doc, String nodeId) throws SQLException {
      node.setString(1, doc);
      node.setString(2, nodeId);
      List<PgRow> r = rows(node);
      if (r.size() != 1) {
        throw new IllegalStateException("node " + doc + "/" + nodeId + " not found");
      }
      return r;
    }

    /** Runs an arbitrary SQL text and returns its first column's values, one per row. */
    List<String> text(String sql) throws SQLException {
      List<String> out = new ArrayList<>();
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }

    private static List<PgRow> rows(PreparedStatement p) throws SQLException {
      List<PgRow> out = new ArrayList<>();
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          int ps = rs.getInt(8);
          Integer pageStart = rs.wasNull() ? null : ps;
          int pe = rs.getInt(9);
          Integer pageEnd = rs.wasNull() ? null : pe;
          out.add(new PgRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
              rs.getInt(5), rs.getString(6), rs.getString(7), pageStart, pageEnd,
              rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13)));
        }
      }
      return out;
    }

    @Override
    public void close() throws SQLException {
      c.close();
    }
  }

  /** Stops the server and deletes the cluster (idempotent). */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs
    }
    stopAndDelete();
  }

  private void stopAndDelete() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      run(bin, asPostgres, root, "pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "-t",
          "60", "stop");
    } catch (IOException e) {
      System.err.println("ServerBenchPostgres: pg_ctl stop failed: " + e.getMessage());
    } finally {
      ServerBenchData.deleteTree(root);
    }
  }
}
