package io.treestore.bench;

import io.treestore.stores.documents.DocumentApi;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * PostgreSQL (Debian's server on loopback, pgjdbc) holding the same records as TreeStore's
 * {@code documents} store, laid out as {@link SqliteDocs} lays them out, minus full-text
 * search (PostgreSQL's {@code ts_rank} is not BM25, so search is not compared):
 *
 * <pre>
 * documents  (doc_id PRIMARY KEY, doc_name, doc_description, created)
 * versions   (doc_id, version_id, effective_date, end_date, node_count, created,
 *             PRIMARY KEY (doc_id, version_id))
 * nodes      (doc_id, version_id, node_id, parent_id, ordinal, depth, ord, title, page_start,
 *             page_end, summary, prefix_summary, text, section_path, child_ids, attributes,
 *             PRIMARY KEY (doc_id, version_id, node_id))
 *   index nodes_parent (doc_id, version_id, parent_id, ordinal)
 * node_pages (doc_id, version_id, page, depth, ord, node_id,
 *             PRIMARY KEY (doc_id, version_id, page, depth, ord))
 * </pre>
 *
 * Each corpus lives in its own schema ({@code c_<corpus>_<seed>}, see {@link #schema}),
 * built once per cluster ({@link #ensureBuilt}, which also removes documents a failed trial
 * left behind): rows loaded in transactions of about 8 MB of
 * JSON with {@code synchronous_commit = off} on the loading session, the secondary index
 * created after the load and {@code ANALYZE} run, as PostgreSQL's "Populating a Database"
 * advises; a table {@code built} marks a complete build. Reads are the same statements as
 * SQLite's: GetSubtree and GetAncestorPath are recursive CTEs over {@code nodes_parent} and the
 * primary key, the subtree assembled into nested records in Java. Ingest and delete run in one
 * transaction each and commit with the server's {@code synchronous_commit = on} (the commit
 * waits for its WAL flush), as TreeStore's {@code SYNC}.
 *
 * <p>One connection (autocommit off, so every read is its own short transaction as in
 * TreeStore), used by one thread, statements prepared once (pgjdbc switches to server-side
 * prepared statements from the fifth execution).
 */
final class PostgresDocs implements DocsEngine {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final long BATCH_CHARS = 8L << 20;
  private static final String COLS = SqliteDocs.COLS;

  private final String schema;
  private final Connection c;
  private final PreparedStatement insDoc;
  private final PreparedStatement insVersion;
  private final PreparedStatement insNode;
  private final PreparedStatement insPage;
  private final PreparedStatement node;
  private final PreparedStatement children;
  private final PreparedStatement subtree;
  private final PreparedStatement ancestors;
  private final PreparedStatement byPage;
  private final PreparedStatement[] deletes;

  /**
   * Connects to a built schema.
   *
   * @param url the cluster's JDBC URL ({@link PostgresPeer#url()})
   * @param schema the corpus's schema ({@link #schema})
   */
  PostgresDocs(String url, String schema) {
    this.schema = schema;
    try {
      c = DriverManager.getConnection(url);
      try (Statement s = c.createStatement()) {
        s.execute("SET search_path TO " + schema);
      }
      c.setAutoCommit(false);
      insDoc = c.prepareStatement("INSERT INTO documents (doc_id, doc_name, doc_description,"
          + " created) VALUES (?, ?, ?, ?)");
      insVersion = c.prepareStatement("INSERT INTO versions (doc_id, version_id,"
          + " effective_date, end_date, node_count, created) VALUES (?, ?, ?, NULL, ?, ?)");
      insNode = c.prepareStatement("INSERT INTO nodes (doc_id, version_id, node_id, parent_id,"
          + " ordinal, depth, ord, title, page_start, page_end, summary, prefix_summary, text,"
          + " section_path, child_ids, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
          + " ?, ?, ?, ?)");
      insPage = c.prepareStatement("INSERT INTO node_pages (doc_id, version_id, page, depth,"
          + " ord, node_id) VALUES (?, ?, ?, ?, ?, ?)");
      node = c.prepareStatement("SELECT " + COLS + " FROM nodes n WHERE n.doc_id = ?"
          + " AND n.version_id = ? AND n.node_id = ?");
      children = c.prepareStatement("SELECT " + COLS + " FROM nodes n WHERE n.doc_id = ?"
          + " AND n.version_id = ? AND n.parent_id = ? ORDER BY n.ordinal");
      subtree = c.prepareStatement("WITH RECURSIVE sub (node_id, lvl) AS ("
          + " SELECT node_id, 0 FROM nodes WHERE doc_id = ? AND version_id = ? AND node_id = ?"
          + " UNION ALL SELECT k.node_id, s.lvl + 1 FROM sub s JOIN nodes k"
          + " ON k.doc_id = ? AND k.version_id = ? AND k.parent_id = s.node_id"
          + " WHERE s.lvl < ?)"
          + " SELECT " + COLS + ", s.lvl FROM sub s JOIN nodes n ON n.doc_id = ?"
          + " AND n.version_id = ? AND n.node_id = s.node_id ORDER BY n.ord");
      ancestors = c.prepareStatement("WITH RECURSIVE anc (node_id, parent_id) AS ("
          + " SELECT node_id, parent_id FROM nodes WHERE doc_id = ? AND version_id = ?"
          + " AND node_id = ?"
          + " UNION ALL SELECT p.node_id, p.parent_id FROM anc a JOIN nodes p"
          + " ON p.doc_id = ? AND p.version_id = ? AND p.node_id = a.parent_id)"
          + " SELECT " + COLS + " FROM anc a JOIN nodes n ON n.doc_id = ?"
          + " AND n.version_id = ? AND n.node_id = a.node_id WHERE a.node_id <> ?"
          + " ORDER BY n.depth");
      byPage = c.prepareStatement("SELECT " + COLS + " FROM node_pages p JOIN nodes n"
          + " ON n.doc_id = p.doc_id AND n.version_id = p.version_id AND n.node_id = p.node_id"
          + " WHERE p.doc_id = ? AND p.version_id = ? AND p.page = ? ORDER BY p.depth, p.ord");
      deletes = new PreparedStatement[] {
          c.prepareStatement("DELETE FROM nodes WHERE doc_id = ?"),
          c.prepareStatement("DELETE FROM node_pages WHERE doc_id = ?"),
          c.prepareStatement("DELETE FROM versions WHERE doc_id = ?"),
          c.prepareStatement("DELETE FROM documents WHERE doc_id = ?")};
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("postgres: cannot open schema " + schema + ": " + e, e);
    }
  }

  /**
   * Returns the schema name of a corpus: {@code c_} and the corpus name with every character
   * other than a letter or digit replaced by {@code _}, then {@code _} and the seed in hex.
   *
   * @param corpusName the corpus name, e.g. {@code 50k-none}
   * @param corpus the corpus
   * @return a lower-case SQL identifier
   */
  static String schema(String corpusName, StoresCorpus corpus) {
    return ("c_" + corpusName.replaceAll("[^A-Za-z0-9]", "_") + "_"
        + Long.toHexString(corpus.seed)).toLowerCase(Locale.ROOT);
  }

  /**
   * Builds the corpus's schema on the cluster unless a complete build is there.
   *
   * @param url the cluster's JDBC URL
   * @param corpus the corpus
   * @param corpusName its name
   * @return the schema
   */
  static String ensureBuilt(String url, StoresCorpus corpus, String corpusName) {
    String schema = schema(corpusName, corpus);
    try (Connection a = DriverManager.getConnection(url); Statement s = a.createStatement()) {
      try (ResultSet r = s.executeQuery("SELECT count(*) FROM information_schema.tables"
          + " WHERE table_schema = '" + schema + "' AND table_name = 'built'")) {
        r.next();
        if (r.getInt(1) == 1) {
          // documents a failed trial may have left (benchmarks write other ids than docNNNNNN)
          for (String t : new String[] {"nodes", "node_pages", "versions", "documents"}) {
            s.executeUpdate("DELETE FROM " + schema + "." + t
                + " WHERE doc_id !~ '^doc[0-9]{6}$'");
          }
          return schema;
        }
      }
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      s.execute("CREATE SCHEMA " + schema);
      s.execute("SET search_path TO " + schema);
      for (String sql : new String[] {
          "CREATE TABLE documents (doc_id text PRIMARY KEY, doc_name text,"
              + " doc_description text, created text NOT NULL)",
          "CREATE TABLE versions (doc_id text NOT NULL, version_id text NOT NULL,"
              + " effective_date text NOT NULL, end_date text, node_count integer NOT NULL,"
              + " created text NOT NULL, PRIMARY KEY (doc_id, version_id))",
          "CREATE TABLE nodes (doc_id text NOT NULL, version_id text NOT NULL,"
              + " node_id text NOT NULL, parent_id text, ordinal integer NOT NULL,"
              + " depth integer NOT NULL, ord integer NOT NULL, title text NOT NULL,"
              + " page_start integer, page_end integer, summary text, prefix_summary text,"
              + " text text, section_path text NOT NULL, child_ids text NOT NULL,"
              + " attributes text, PRIMARY KEY (doc_id, version_id, node_id))",
          "CREATE TABLE node_pages (doc_id text NOT NULL, version_id text NOT NULL,"
              + " page integer NOT NULL, depth integer NOT NULL, ord integer NOT NULL,"
              + " node_id text NOT NULL, PRIMARY KEY (doc_id, version_id, page, depth, ord))"}) {
        s.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("postgres: cannot create schema " + schema + ": " + e, e);
    }
    long t0 = System.nanoTime();
    long chars = 0;
    try (PostgresDocs p = new PostgresDocs(url, schema)) {
      try (Statement s = p.c.createStatement()) {
        s.execute("SET synchronous_commit = off");
      }
      List<String> ids = new ArrayList<>();
      List<String> jsons = new ArrayList<>();
      long batch = 0;
      for (int i = 0; i < corpus.docs.size(); i++) {
        String json = corpus.json(i);
        ids.add(StoresCorpus.docId(i));
        jsons.add(json);
        batch += json.length();
        chars += json.length();
        if (batch >= BATCH_CHARS || i == corpus.docs.size() - 1) {
          for (int k = 0; k < ids.size(); k++) {
            p.write(ids.get(k), jsons.get(k));
          }
          p.c.commit();
          ids.clear();
          jsons.clear();
          batch = 0;
        }
      }
      try (Statement s = p.c.createStatement()) {
        s.execute("CREATE INDEX nodes_parent ON nodes (doc_id, version_id, parent_id, ordinal)");
        s.execute("CREATE TABLE built (line text NOT NULL)");
        p.c.commit();
        p.c.setAutoCommit(true);
        s.execute("ANALYZE");
        String line = String.format(Locale.ROOT, "postgres %s: %d documents, %d nodes, %.1f MB"
            + " of JSON, built in %.1f s, %.1f MB on disk", corpusName, corpus.docs.size(),
            corpus.nodes, chars / 1e6, (System.nanoTime() - t0) / 1e9, p.diskBytes() / 1e6);
        s.execute("INSERT INTO built VALUES ('" + line.replace("'", "''") + "')");
        System.out.println("\n[stores] built " + line);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("postgres: cannot load schema " + schema + ": " + e, e);
    }
    return schema;
  }

  private int write(String docId, String json) throws SQLException {
    JsonNode root = JSON.readTree(json);
    List<SqliteDocs.Flat> nodes = SqliteDocs.flatten(root.get("structure"));
    String now = Instant.now().toString();
    insDoc.setString(1, docId);
    insDoc.setString(2, SqliteDocs.text(root, "doc_name"));
    insDoc.setString(3, SqliteDocs.text(root, "doc_description"));
    insDoc.setString(4, now);
    insDoc.executeUpdate();
    insVersion.setString(1, docId);
    insVersion.setString(2, StoresCorpus.VERSION);
    insVersion.setString(3, StoresCorpus.DATE);
    insVersion.setInt(4, nodes.size());
    insVersion.setString(5, now);
    insVersion.executeUpdate();
    for (SqliteDocs.Flat f : nodes) {
      insNode.setString(1, docId);
      insNode.setString(2, StoresCorpus.VERSION);
      insNode.setString(3, f.nodeId());
      insNode.setString(4, f.parentId());
      insNode.setInt(5, f.ordinal());
      insNode.setInt(6, f.depth());
      insNode.setInt(7, f.order());
      insNode.setString(8, f.title());
      SqliteDocs.setInt(insNode, 9, f.start());
      SqliteDocs.setInt(insNode, 10, f.end());
      insNode.setString(11, f.summary());
      insNode.setString(12, f.prefixSummary());
      insNode.setString(13, f.text());
      insNode.setString(14, f.path());
      insNode.setString(15, String.join(SqliteDocs.SEP, f.childIds()));
      insNode.setString(16, f.attributes());
      insNode.addBatch();
      if (f.start() != null && f.end() != null) {
        for (int p = f.start(); p <= f.end(); p++) {
          insPage.setString(1, docId);
          insPage.setString(2, StoresCorpus.VERSION);
          insPage.setInt(3, p);
          insPage.setInt(4, f.depth());
          insPage.setInt(5, f.order());
          insPage.setString(6, f.nodeId());
          insPage.addBatch();
        }
      }
    }
    insNode.executeBatch();
    insPage.executeBatch();
    return nodes.size();
  }

  private IllegalStateException fail(SQLException e) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the original failure is the one to report
    }
    return new IllegalStateException("postgres " + schema + ": " + e, e);
  }

  @Override
  public int ingest(String docId, String json) {
    try {
      int n = write(docId, json);
      c.commit();
      return n;
    } catch (SQLException e) {
      throw fail(e);
    }
  }

  @Override
  public void delete(String docId) {
    try {
      for (PreparedStatement d : deletes) {
        d.setString(1, docId);
        d.executeUpdate();
      }
      c.commit();
    } catch (SQLException e) {
      throw fail(e);
    }
  }

  /** Runs a read query and ends its transaction. */
  private DocumentApi.NodeList list(PreparedStatement s, String docId) throws SQLException {
    DocumentApi.NodeList out = SqliteDocs.list(s, docId);
    c.commit();
    return out;
  }

  @Override
  public DocumentApi.Node getNode(String docId, String nodeId) {
    try {
      SqliteDocs.bind(node, docId, nodeId);
      DocumentApi.NodeList l = list(node, docId);
      if (l.nodes().size() != 1) {
        throw new IllegalArgumentException("no node " + docId + "/" + nodeId);
      }
      return l.nodes().get(0);
    } catch (SQLException e) {
      throw fail(e);
    }
  }

  @Override
  public DocumentApi.NodeList getChildren(String docId, String nodeId) {
    try {
      SqliteDocs.bind(children, docId, nodeId);
      return list(children, docId);
    } catch (SQLException e) {
      throw fail(e);
    }
  }

  @Override
  public DocumentApi.Node getSubtree(String docId, String nodeId, @Nullable Integer depth) {
    try {
      SqliteDocs.bind(subtree, docId, nodeId);
      subtree.setString(4, docId);
      subtree.setString(5, StoresCorpus.VERSION);
      subtree.setInt(6, depth == null ? Integer.MAX_VALUE : depth);
      subtree.setString(7, docId);
      subtree.setString(8, StoresCorpus.VERSION);
      List<DocumentApi.Node> rows = new ArrayList<>();
      List<Integer> levels = new ArrayList<>();
      try (ResultSet r = subtree.executeQuery()) {
        while (r.next()) {
          rows.add(SqliteDocs.node(r, docId, StoresCorpus.VERSION, null));
          levels.add(r.getInt(13));
        }
      }
      c.commit();
      if (rows.isEmpty()) {
        throw new IllegalArgumentException("no node " + docId + "/" + nodeId);
      }
      return assemble(rows, levels);
    } catch (SQLException e) {
      throw fail(e);
    }
  }

  /** Nests rows in document order (the root at level 0) into one node with its children. */
  private static DocumentApi.Node assemble(List<DocumentApi.Node> rows, List<Integer> levels) {
    Map<String, List<DocumentApi.Node>> kids = new HashMap<>();
    DocumentApi.Node root = null;
    for (int i = rows.size() - 1; i >= 0; i--) {
      DocumentApi.Node n = rows.get(i);
      List<DocumentApi.Node> mine = kids.remove(n.nodeId());
      if (mine == null) {
        mine = List.of();
      } else {
        Collections.reverse(mine);
      }
      DocumentApi.Node full = new DocumentApi.Node(n.docId(), n.versionId(), n.nodeId(),
          n.parentId(), n.title(), n.pageStart(), n.pageEnd(), n.summary(), n.prefixSummary(),
          n.text(), n.sectionPath(), n.depth(), n.childIds(), n.attributes(), mine);
      if (levels.get(i) == 0) {
        root = full;
      } else {
        kids.computeIfAbsent(n.parentId(), k -> new ArrayList<>()).add(full);
      }
    }
    if (root == null) {
      throw new IllegalStateException("subtree without its root");
    }
    return root;
  }

  @Override
  public DocumentApi.NodeList getAncestorPath(String docId, String nodeId) {
    try {
      SqliteDocs.bind(ancestors, docId, nodeId);
      ancestors.setString(4, docId);
      ancestors.setString(5, StoresCorpus.VERSION);
      ancestors.setString(6, docId);
      ancestors.setString(7, StoresCorpus.VERSION);
      ancestors.setString(8, nodeId);
      return list(ancestors, docId);
    } catch (SQLException e) {
      throw fail(e);
    }
  }

  @Override
  public DocumentApi.NodeList getNodesByPage(String docId, int page) {
    try {
      byPage.setString(1, docId);
      byPage.setString(2, StoresCorpus.VERSION);
      byPage.setInt(3, page);
      return list(byPage, docId);
    } catch (SQLException e) {
      throw fail(e);
    }
  }

  /**
   * Not compared: PostgreSQL's full-text ranking ({@code ts_rank}) is not BM25.
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public DocumentApi.SearchResult search(String query, @Nullable String docId) {
    throw new UnsupportedOperationException("postgres: keyword search is not compared"
        + " (ts_rank is not BM25)");
  }

  /**
   * Returns the bytes of the schema's tables with their indexes and TOAST data
   * ({@code pg_total_relation_size}); the cluster's WAL is not counted.
   *
   * @return bytes
   */
  long diskBytes() {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
        "SELECT coalesce(sum(pg_total_relation_size(k.oid)), 0) FROM pg_class k"
            + " JOIN pg_namespace ns ON ns.oid = k.relnamespace"
            + " WHERE ns.nspname = '" + schema + "' AND k.relkind = 'r'")) {
      r.next();
      long bytes = r.getLong(1);
      if (!c.getAutoCommit()) {
        c.commit();
      }
      return bytes;
    } catch (SQLException e) {
      throw fail(e);
    }
  }

  @Override
  public String settings() {
    StringBuilder b = new StringBuilder("postgres");
    try (Statement s = c.createStatement()) {
      for (String p : new String[] {"server_version", "synchronous_commit", "fsync",
          "full_page_writes", "shared_buffers", "effective_cache_size", "work_mem"}) {
        try (ResultSet r = s.executeQuery("SHOW " + p)) {
          b.append(' ').append(p).append('=').append(r.next() ? r.getString(1) : "?");
        }
      }
      c.commit();
    } catch (SQLException e) {
      throw fail(e);
    }
    return b.append(" schema=").append(schema).append(" (loopback TCP, pgjdbc)").toString();
  }

  @Override
  public void close() {
    try {
      c.close();
    } catch (SQLException e) {
      throw new IllegalStateException("postgres " + schema + ": " + e, e);
    }
  }
}
