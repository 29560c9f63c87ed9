package io.treestore.bench;

import io.treestore.index.Utf8Text;
import io.treestore.stores.documents.DocumentApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * SQLite (xerial sqlite-jdbc, in process) holding the same records as TreeStore's
 * {@code documents} store, with equivalent indexes, the way a competent SQLite user would lay
 * them out:
 *
 * <pre>
 * documents (doc_id PRIMARY KEY, doc_name, doc_description, created)  WITHOUT ROWID
 * versions  (doc_id, version_id, effective_date, end_date, node_count, created,
 *            PRIMARY KEY (doc_id, version_id))                         WITHOUT ROWID
 *   index versions_temporal (doc_id, effective_date)
 * nodes     (rowid, doc_id, version_id, node_id, parent_id, ordinal, depth, ord, title,
 *            page_start, page_end, summary, prefix_summary, text, section_path, child_ids,
 *            attributes)                                   -- rowid table: rows hold kilobytes
 *   unique index nodes_pk     (doc_id, version_id, node_id)            -- TreeStore's primary key
 *   index        nodes_parent (doc_id, version_id, parent_id, ordinal, node_id)  -- covering
 *   unique index nodes_path   (doc_id, version_id, section_path)
 * node_pages (doc_id, version_id, page, depth, ord, node_id,
 *             PRIMARY KEY (doc_id, version_id, page, depth, ord))      WITHOUT ROWID
 * nodes_fts USING fts5(doc_id, title, summary, prefix_summary, text,
 *                      content='nodes', content_rowid='rowid')  -- kept by triggers
 *   rank = bm25(0, 1, 1, 1, 1)                    -- doc_id is only a filter, never scored
 * </pre>
 *
 * <ul>
 *   <li>{@code nodes} is a rowid table with a unique index rather than a {@code WITHOUT ROWID}
 *       table, because its rows carry page texts of kilobytes (SQLite's documentation advises
 *       {@code WITHOUT ROWID} only for rows well under a twentieth of a page) and because the
 *       external-content FTS5 table needs an integer rowid. {@code child_ids} (ids joined with
 *       U+001F) is stored because TreeStore's node record stores it and every answer carries
 *       it.
 *   <li>Pages: {@code node_pages} has one row per page a node covers, exactly TreeStore's
 *       {@code page} index, clustered on its key; a page lookup is one index range. The
 *       alternative, an index on {@code (doc_id, version_id, page_start)} with
 *       {@code page_start <= ? AND page_end >= ?}, must visit every node of the document that
 *       starts before the page.
 *   <li>Subtree and ancestors are recursive CTEs over {@code nodes_parent} and
 *       {@code nodes_pk}; the subtree is assembled into nested records in Java.
 *   <li>Search: FTS5 with its default {@code unicode61} tokenizer, {@code ORDER BY rank LIMIT
 *       10} (FTS5 sorts inside the virtual table, so {@code snippet()} runs for the 10 returned
 *       rows only); one document is selected with the column filter
 *       {@code doc_id : docNNNNNN AND (...)}, which FTS5 answers by intersecting doclists,
 *       instead of filtering every match of the corpus in SQL. The ancestors' titles of each
 *       hit come from the ancestor CTE.
 *   <li>Ingest: the PageIndex JSON is parsed with Jackson (as TreeStore does), flattened in
 *       document order, and written in one {@code BEGIN IMMEDIATE ... COMMIT} with reused
 *       prepared statements and JDBC batches.
 * </ul>
 *
 * <p>Connection settings: {@code journal_mode=WAL}, {@code synchronous=FULL} (the WAL is
 * fsynced at every commit, so a committed ingest survives a power loss, as TreeStore's
 * {@code SYNC}), {@code cache_size} given in KiB (large enough for the whole database), the
 * default 4 KiB page size and automatic checkpoints every 1,000 WAL pages. The bulk load of the
 * corpus runs with {@code synchronous=OFF} on a separate connection. One connection, used by
 * one thread, with every statement prepared once.
 */
final class SqliteDocs implements DocsEngine {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
  /** Separator of the child ids in {@code child_ids}. */
  static final String SEP = "\u001f";
  /** The node columns every read selects, in the order {@link #node} reads them. */
  static final String COLS = "n.node_id, n.parent_id, n.title, n.page_start,"
      + " n.page_end, n.summary, n.prefix_summary, n.text, n.section_path, n.depth,"
      + " n.child_ids, n.attributes";

  static final String[] SCHEMA = {
      "CREATE TABLE documents (doc_id TEXT PRIMARY KEY, doc_name TEXT, doc_description TEXT,"
          + " created TEXT NOT NULL) WITHOUT ROWID",
      "CREATE TABLE versions (doc_id TEXT NOT NULL, version_id TEXT NOT NULL,"
          + " effective_date TEXT NOT NULL, end_date TEXT, node_count INTEGER NOT NULL,"
          + " created TEXT NOT NULL, PRIMARY KEY (doc_id, version_id)) WITHOUT ROWID",
      "CREATE INDEX versions_temporal ON versions (doc_id, effective_date)",
      "CREATE TABLE nodes (rowid INTEGER PRIMARY KEY, doc_id TEXT NOT NULL,"
          + " version_id TEXT NOT NULL, node_id TEXT NOT NULL, parent_id TEXT,"
          + " ordinal INTEGER NOT NULL, depth INTEGER NOT NULL, ord INTEGER NOT NULL,"
          + " title TEXT NOT NULL, page_start INTEGER, page_end INTEGER, summary TEXT,"
          + " prefix_summary TEXT, text TEXT, section_path TEXT NOT NULL, child_ids TEXT NOT NULL,"
          + " attributes TEXT)",
      "CREATE UNIQUE INDEX nodes_pk ON nodes (doc_id, version_id, node_id)",
      "CREATE INDEX nodes_parent ON nodes (doc_id, version_id, parent_id, ordinal, node_id)",
      "CREATE UNIQUE INDEX nodes_path ON nodes (doc_id, version_id, section_path)",
      "CREATE TABLE node_pages (doc_id TEXT NOT NULL, version_id TEXT NOT NULL,"
          + " page INTEGER NOT NULL, depth INTEGER NOT NULL, ord INTEGER NOT NULL,"
          + " node_id TEXT NOT NULL, PRIMARY KEY (doc_id, version_id, page, depth, ord))"
          + " WITHOUT ROWID",
      "CREATE VIRTUAL TABLE nodes_fts USING fts5(doc_id, title, summary, prefix_summary, text,"
          + " content='nodes', content_rowid='rowid')",
      "INSERT INTO nodes_fts (nodes_fts, rank) VALUES ('rank', 'bm25(0.0, 1.0, 1.0, 1.0, 1.0)')",
      "CREATE TRIGGER nodes_ai AFTER INSERT ON nodes BEGIN INSERT INTO nodes_fts (rowid, doc_id,"
          + " title, summary, prefix_summary, text) VALUES (new.rowid, new.doc_id, new.title,"
          + " new.summary, new.prefix_summary, new.text); END",
      "CREATE TRIGGER nodes_ad AFTER DELETE ON nodes BEGIN INSERT INTO nodes_fts (nodes_fts,"
          + " rowid, doc_id, title, summary, prefix_summary, text) VALUES ('delete', old.rowid,"
          + " old.doc_id, old.title, old.summary, old.prefix_summary, old.text); END",
  };

  private final Path file;
  private final Connection c;
  private final String synchronous;
  private final long cacheKib;
  private final PreparedStatement begin;
  private final PreparedStatement commit;
  private final PreparedStatement rollback;
  private final PreparedStatement insDoc;
  private final PreparedStatement insVersion;
  private final PreparedStatement insNode;
  private final PreparedStatement insPage;
  private final PreparedStatement node;
  private final PreparedStatement children;
  private final PreparedStatement subtree;
  private final PreparedStatement ancestors;
  private final PreparedStatement ancestorTitles;
  private final PreparedStatement byPage;
  private final PreparedStatement searchAll;
  private final PreparedStatement searchDoc;
  private final PreparedStatement[] deletes;
  private final List<String[]> planSql = new ArrayList<>();

  /**
   * Opens (creating the schema if the file is new) the database {@code dir/nodes.db}.
   *
   * @param dir the directory
   * @param durable {@code synchronous=FULL} if true, else {@code OFF} (bulk load)
   * @param cacheKib {@code cache_size} in KiB
   */
  SqliteDocs(Path dir, boolean durable, long cacheKib) {
    this.file = dir.resolve("nodes.db");
    this.cacheKib = cacheKib;
    this.synchronous = durable ? "FULL" : "OFF";
    boolean fresh = !Files.exists(file);
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(durable ? SQLiteConfig.SynchronousMode.FULL
        : SQLiteConfig.SynchronousMode.OFF);
    config.setCacheSize((int) -cacheKib);
    config.setBusyTimeout(60_000);
    Properties props = config.toProperties();
    try {
      c = org.sqlite.JDBC.createConnection("jdbc:sqlite:" + file, props);
      if (fresh) {
        try (Statement s = c.createStatement()) {
          for (String sql : SCHEMA) {
            s.executeUpdate(sql);
          }
        }
      }
      begin = c.prepareStatement("BEGIN IMMEDIATE");
      commit = c.prepareStatement("COMMIT");
      rollback = c.prepareStatement("ROLLBACK");
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
      node = prep("node", "SELECT " + COLS + " FROM nodes n WHERE n.doc_id = ?"
          + " AND n.version_id = ? AND n.node_id = ?");
      children = prep("children", "SELECT " + COLS + " FROM nodes n WHERE n.doc_id = ?"
          + " AND n.version_id = ? AND n.parent_id = ? ORDER BY n.ordinal");
      subtree = prep("subtree", "WITH RECURSIVE sub (node_id, lvl) AS ("
          + " SELECT node_id, 0 FROM nodes WHERE doc_id = ?1 AND version_id = ?2"
          + " AND node_id = ?3"
          + " UNION ALL SELECT c.node_id, s.lvl + 1 FROM sub s JOIN nodes c"
          + " ON c.doc_id = ?1 AND c.version_id = ?2 AND c.parent_id = s.node_id"
          + " WHERE s.lvl < ?4)"
          + " SELECT " + COLS + ", s.lvl FROM sub s CROSS JOIN nodes n ON n.doc_id = ?1"
          + " AND n.version_id = ?2 AND n.node_id = s.node_id ORDER BY n.ord");
      ancestors = prep("ancestors", "WITH RECURSIVE anc (node_id, parent_id) AS ("
          + " SELECT node_id, parent_id FROM nodes WHERE doc_id = ?1 AND version_id = ?2"
          + " AND node_id = ?3"
          + " UNION ALL SELECT p.node_id, p.parent_id FROM anc a JOIN nodes p"
          + " ON p.doc_id = ?1 AND p.version_id = ?2 AND p.node_id = a.parent_id)"
          + " SELECT " + COLS + " FROM anc a CROSS JOIN nodes n ON n.doc_id = ?1"
          + " AND n.version_id = ?2 AND n.node_id = a.node_id WHERE a.node_id <> ?3"
          + " ORDER BY n.depth");
      ancestorTitles = prep("ancestorTitles", "WITH RECURSIVE anc (parent_id, title, depth) AS ("
          + " SELECT parent_id, NULL, depth FROM nodes WHERE doc_id = ?1 AND version_id = ?2"
          + " AND node_id = ?3"
          + " UNION ALL SELECT p.parent_id, p.title, p.depth FROM anc a JOIN nodes p"
          + " ON p.doc_id = ?1 AND p.version_id = ?2 AND p.node_id = a.parent_id)"
          + " SELECT title FROM anc WHERE title IS NOT NULL ORDER BY depth");
      byPage = prep("byPage", "SELECT " + COLS + " FROM node_pages p JOIN nodes n"
          + " ON n.doc_id = p.doc_id AND n.version_id = p.version_id AND n.node_id = p.node_id"
          + " WHERE p.doc_id = ? AND p.version_id = ? AND p.page = ? ORDER BY p.depth, p.ord");
      String hit = "SELECT n.doc_id, n.version_id, n.node_id, -f.rank, n.title, n.page_start,"
          + " n.page_end, n.section_path, snippet(nodes_fts, -1, '<b>', '</b>', '\u2026', 32)"
          + " FROM nodes_fts f JOIN nodes n ON n.rowid = f.rowid WHERE nodes_fts MATCH ?";
      searchAll = prep("searchAll", hit + " ORDER BY f.rank LIMIT 10");
      searchDoc = prep("searchDoc", hit + " AND n.version_id = ? ORDER BY f.rank LIMIT 10");
      deletes = new PreparedStatement[] {
          c.prepareStatement("DELETE FROM nodes WHERE doc_id = ?"),
          c.prepareStatement("DELETE FROM node_pages WHERE doc_id = ?"),
          c.prepareStatement("DELETE FROM versions WHERE doc_id = ?"),
          c.prepareStatement("DELETE FROM documents WHERE doc_id = ?")};
    } catch (SQLException e) {
      throw new IllegalStateException("sqlite: cannot open " + file + ": " + e, e);
    }
  }

  private PreparedStatement prep(String name, String sql) throws SQLException {
    planSql.add(new String[] {name, sql});
    return c.prepareStatement(sql);
  }

  /** One node flattened for insertion (also used by {@link PostgresDocs}). */
  record Flat(String nodeId, @Nullable String parentId, int ordinal, int depth,
      int order, String title, @Nullable Integer start, @Nullable Integer end,
      @Nullable String summary, @Nullable String prefixSummary, @Nullable String text,
      String path, List<String> childIds, @Nullable String attributes) {}

  private static final java.util.Set<String> KNOWN = java.util.Set.of("title", "node_id",
      "start_index", "end_index", "summary", "prefix_summary", "text", "nodes");

  /**
   * Flattens a PageIndex {@code structure} array in document order.
   *
   * @param structure the array of roots
   * @return the nodes, parents before children
   */
  static List<Flat> flatten(JsonNode structure) {
    List<Flat> out = new ArrayList<>();
    flatten(structure, null, 0, "", out);
    return out;
  }

  private static List<String> flatten(JsonNode list, @Nullable String parent, int depth,
      String prefix, List<Flat> out) {
    List<String> ids = new ArrayList<>();
    int ordinal = 0;
    for (JsonNode n : list) {
      String id = n.has("node_id") ? n.get("node_id").asString()
          : String.format(java.util.Locale.ROOT, "%04d", out.size());
      ids.add(id);
      String path = prefix + (ordinal + 1);
      Integer start = n.has("start_index") ? n.get("start_index").asInt() : null;
      Integer end = n.has("end_index") ? n.get("end_index").asInt() : start;
      String attributes = null;
      if (start != null && end != null && end < start) {
        end = start;
      }
      ObjectNode extra = null;
      for (var e : n.properties()) {
        if (!KNOWN.contains(e.getKey())) {
          if (extra == null) {
            extra = JSON.createObjectNode();
          }
          extra.set(e.getKey(), e.getValue());
        }
      }
      if (extra != null) {
        attributes = JSON.writeValueAsString(extra);
      }
      int at = out.size();
      out.add(null);
      List<String> kids = n.has("nodes") ? flatten(n.get("nodes"), id, depth + 1, path + ".",
          out) : List.of();
      out.set(at, new Flat(id, parent, ordinal, depth, at, n.get("title").asString(), start,
          end, text(n, "summary"), text(n, "prefix_summary"), text(n, "text"), path, kids,
          attributes));
      ordinal++;
    }
    return ids;
  }

  /** A JSON field as text, or {@code null} if absent or null (shared with PostgresDocs). */
  static @Nullable String text(JsonNode n, String k) {
    JsonNode v = n.get(k);
    return v == null || v.isNull() ? null : v.asString();
  }

  /**
   * Loads documents in one transaction (the bulk load of the corpus).
   *
   * @param docIds the ids
   * @param jsons the PageIndex JSON of each
   */
  void loadBatch(List<String> docIds, List<String> jsons) {
    try {
      begin.execute();
      for (int i = 0; i < docIds.size(); i++) {
        write(docIds.get(i), jsons.get(i));
      }
      commit.execute();
    } catch (SQLException e) {
      throw fail(e);
    }
  }

  @Override
  public int ingest(String docId, String json) {
    try {
      begin.execute();
      try {
        int n = write(docId, json);
        commit.execute();
        return n;
      } catch (SQLException | RuntimeException e) {
        rollback.execute();
        throw e;
      }
    } catch (SQLException e) {
      throw fail(e);
    }
  }

  private int write(String docId, String json) throws SQLException {
    JsonNode root = JSON.readTree(json);
    List<Flat> nodes = flatten(root.get("structure"));
    String now = Instant.now().toString();
    insDoc.setString(1, docId);
    insDoc.setString(2, text(root, "doc_name"));
    insDoc.setString(3, text(root, "doc_description"));
    insDoc.setString(4, now);
    insDoc.executeUpdate();
    insVersion.setString(1, docId);
    insVersion.setString(2, StoresCorpus.VERSION);
    insVersion.setString(3, StoresCorpus.DATE);
    insVersion.setInt(4, nodes.size());
    insVersion.setString(5, now);
    insVersion.executeUpdate();
    for (Flat f : nodes) {
      insNode.setString(1, docId);
      insNode.setString(2, StoresCorpus.VERSION);
      insNode.setString(3, f.nodeId);
      insNode.setString(4, f.parentId);
      insNode.setInt(5, f.ordinal);
      insNode.setInt(6, f.depth);
      insNode.setInt(7, f.order);
      insNode.setString(8, f.title);
      setInt(insNode, 9, f.start);
      setInt(insNode, 10, f.end);
      insNode.setString(11, f.summary);
      insNode.setString(12, f.prefixSummary);
      insNode.setString(13, f.text);
      insNode.setString(14, f.path);
      insNode.setString(15, String.join(SEP, f.childIds));
      insNode.setString(16, f.attributes);
      insNode.addBatch();
      if (f.start != null && f.end != null) {
        for (int p = f.start; p <= f.end; p++) {
          insPage.setString(1, docId);
          insPage.setString(2, StoresCorpus.VERSION);
          insPage.setInt(3, p);
          insPage.setInt(4, f.depth);
          insPage.setInt(5, f.order);
          insPage.setString(6, f.nodeId);
          insPage.addBatch();
        }
      }
    }
    insNode.executeBatch();
    insPage.executeBatch();
    return nodes.size();
  }

  /** Binds an integer or SQL NULL (shared with PostgresDocs). */
  static void setInt(PreparedStatement s, int i, @Nullable Integer v)
      throws SQLException {
    if (v == null) {
      s.setNull(i, java.sql.Types.INTEGER);
    } else {
      s.setInt(i, v);
    }
  }

  @Override
  public void delete(String docId) {
    try {
      begin.execute();
      for (PreparedStatement d : deletes) {
        d.setString(1, docId);
        d.executeUpdate();
      }
      commit.execute();
    } catch (SQLException e) {
      throw fail(e);
    }
  }

  /**
   * Reads a node from the current row, whose first 12 columns are {@link #COLS} (also used
   * by {@link PostgresDocs}). The text column is read as its UTF-8 bytes into a
   * {@link Utf8Text} (checked, not decoded), as TreeStore's answer holds it; the other
   * columns as strings.
   */
  static DocumentApi.Node node(ResultSet r, String docId, String versionId,
      @Nullable List<DocumentApi.Node> kids) throws SQLException {
    String attrs = r.getString(12);
    String childIds = r.getString(11);
    byte[] text = r.getBytes(8);
    return new DocumentApi.Node(docId, versionId, r.getString(1), r.getString(2),
        r.getString(3), integer(r, 4), integer(r, 5), r.getString(6), r.getString(7),
        text == null ? null : Utf8Text.ofUtf8(text), r.getString(9), r.getInt(10),
        childIds.isEmpty() ? List.of() : Arrays.asList(childIds.split(SEP, -1)),
        attrs == null ? null : JSON.readValue(attrs, MAP), kids);
  }

  private static @Nullable Integer integer(ResultSet r, int i) throws SQLException {
    int v = r.getInt(i);
    return r.wasNull() ? null : v;
  }

  /** Binds (document, version, node) to parameters 1-3 (shared with PostgresDocs). */
  static void bind(PreparedStatement s, String docId, String nodeId)
      throws SQLException {
    s.setString(1, docId);
    s.setString(2, StoresCorpus.VERSION);
    s.setString(3, nodeId);
  }

  @Override
  public DocumentApi.Node getNode(String docId, String nodeId) {
    try {
      bind(node, docId, nodeId);
      try (ResultSet r = node.executeQuery()) {
        if (!r.next()) {
          throw new IllegalArgumentException("no node " + docId + "/" + nodeId);
        }
        return node(r, docId, StoresCorpus.VERSION, null);
      }
    } catch (SQLException e) {
      throw fail(e);
    }
  }

  /** Runs a bound node query and reads every row as a node (shared with PostgresDocs). */
  static DocumentApi.NodeList list(PreparedStatement s, String docId) throws SQLException {
    List<DocumentApi.Node> out = new ArrayList<>();
    try (ResultSet r = s.executeQuery()) {
      while (r.next()) {
        out.add(node(r, docId, StoresCorpus.VERSION, null));
      }
    }
    return new DocumentApi.NodeList(out);
  }

  @Override
  public DocumentApi.NodeList getChildren(String docId, String nodeId) {
    try {
      bind(children, docId, nodeId);
      return list(children, docId);
    } catch (SQLException e) {
      throw fail(e);
    }
  }

  @Override
  public DocumentApi.Node getSubtree(String docId, String nodeId, @Nullable Integer depth) {
    try {
      bind(subtree, docId, nodeId);
      subtree.setInt(4, depth == null ? Integer.MAX_VALUE : depth);
      // rows in document order: build each node after its descendants (reverse order)
      List<String[]> parents = new ArrayList<>();
      List<DocumentApi.Node> leafForms = new ArrayList<>();
      List<Integer> levels = new ArrayList<>();
      try (ResultSet r = subtree.executeQuery()) {
        while (r.next()) {
          leafForms.add(node(r, docId, StoresCorpus.VERSION, null));
          levels.add(r.getInt(13));
          parents.add(new String[] {r.getString(1), r.getString(2)});
        }
      }
      if (leafForms.isEmpty()) {
        throw new IllegalArgumentException("no node " + docId + "/" + nodeId);
      }
      Map<String, List<DocumentApi.Node>> kids = new HashMap<>();
      DocumentApi.Node root = null;
      for (int i = leafForms.size() - 1; i >= 0; i--) {
        DocumentApi.Node n = leafForms.get(i);
        List<DocumentApi.Node> mine = kids.remove(n.nodeId());
        if (mine == null) {
          mine = List.of();
        } else {
          java.util.Collections.reverse(mine);
        }
        DocumentApi.Node full = new DocumentApi.Node(n.docId(), n.versionId(), n.nodeId(),
            n.parentId(), n.title(), n.pageStart(), n.pageEnd(), n.summary(),
            n.prefixSummary(), n.text(), n.sectionPath(), n.depth(), n.childIds(),
            n.attributes(), mine);
        if (levels.get(i) == 0) {
          root = full;
        } else {
          kids.computeIfAbsent(n.parentId(), k -> new ArrayList<>()).add(full);
        }
      }
      return root;
    } catch (SQLException e) {
      throw fail(e);
    }
  }

  @Override
  public DocumentApi.NodeList getAncestorPath(String docId, String nodeId) {
    try {
      bind(ancestors, docId, nodeId);
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

  @Override
  public DocumentApi.SearchResult search(String query, @Nullable String docId) {
    String words = String.join(" OR ", query.split(" "));
    try {
      PreparedStatement s;
      if (docId == null) {
        s = searchAll;
        s.setString(1, words);
      } else {
        s = searchDoc;
        s.setString(1, "doc_id : " + docId + " AND (" + words + ")");
        s.setString(2, StoresCorpus.VERSION);
      }
      List<DocumentApi.Hit> hits = new ArrayList<>(10);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          String d = r.getString(1);
          String v = r.getString(2);
          String n = r.getString(3);
          hits.add(new DocumentApi.Hit(d, v, n, r.getDouble(4), r.getString(5), integer(r, 6),
              integer(r, 7), r.getString(8), List.of(), r.getString(9)));
        }
      }
      List<DocumentApi.Hit> out = new ArrayList<>(hits.size());
      for (DocumentApi.Hit h : hits) {
        ancestorTitles.setString(1, h.docId());
        ancestorTitles.setString(2, h.versionId());
        ancestorTitles.setString(3, h.nodeId());
        List<String> titles = new ArrayList<>();
        try (ResultSet r = ancestorTitles.executeQuery()) {
          while (r.next()) {
            titles.add(r.getString(1));
          }
        }
        out.add(new DocumentApi.Hit(h.docId(), h.versionId(), h.nodeId(), h.score(), h.title(),
            h.pageStart(), h.pageEnd(), h.sectionPath(), titles, h.snippet()));
      }
      return new DocumentApi.SearchResult(out);
    } catch (SQLException e) {
      throw fail(e);
    }
  }

  /**
   * Returns the query plans of the read statements, for the run log.
   *
   * @return the plans
   */
  String plans() {
    StringBuilder b = new StringBuilder();
    try (Statement s = c.createStatement()) {
      for (String[] q : planSql) {
        b.append(q[0]).append(':');
        try (ResultSet r = s.executeQuery("EXPLAIN QUERY PLAN " + q[1])) {
          while (r.next()) {
            b.append(" [").append(r.getString(4)).append(']');
          }
        }
        b.append('\n');
      }
    } catch (SQLException e) {
      throw fail(e);
    }
    return b.toString();
  }

  /** Reads every table and index once, so that the page cache holds the whole database. */
  void warm() {
    try (Statement s = c.createStatement()) {
      for (String q : new String[] {
          "SELECT count(*), sum(length(title)), sum(length(text)), sum(length(summary)),"
              + " sum(length(child_ids)) FROM nodes",
          "SELECT count(*) FROM nodes INDEXED BY nodes_pk WHERE doc_id > ''",
          "SELECT count(*) FROM nodes INDEXED BY nodes_parent WHERE doc_id > ''",
          "SELECT count(*) FROM nodes INDEXED BY nodes_path WHERE doc_id > ''",
          "SELECT count(*), sum(node_id > '') FROM node_pages",
          "SELECT count(*), sum(length(block)) FROM nodes_fts_data",
          "SELECT count(*) FROM nodes_fts_idx",
          "SELECT count(*) FROM nodes_fts_docsize",
          "SELECT count(*) FROM versions", "SELECT count(*) FROM documents"}) {
        try (ResultSet r = s.executeQuery(q)) {
          r.next();
        }
      }
    } catch (SQLException e) {
      throw fail(e);
    }
  }

  /** Bytes of the database file and its WAL. */
  long fileBytes() {
    try {
      long n = Files.size(file);
      Path wal = file.resolveSibling(file.getFileName() + "-wal");
      return n + (Files.exists(wal) ? Files.size(wal) : 0);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Runs a full checkpoint and truncates the WAL (after the bulk load). */
  void checkpoint() {
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      s.execute("ANALYZE");
    } catch (SQLException e) {
      throw fail(e);
    }
  }

  @Override
  public String settings() {
    StringBuilder b = new StringBuilder("sqlite");
    try (Statement s = c.createStatement()) {
      for (String p : new String[] {"sqlite_version()", "journal_mode", "synchronous",
          "cache_size", "page_size", "wal_autocheckpoint", "mmap_size", "temp_store"}) {
        String q = p.endsWith("()") ? "SELECT " + p : "PRAGMA " + p;
        try (ResultSet r = s.executeQuery(q)) {
          b.append(' ').append(p).append('=').append(r.next() ? r.getString(1) : "?");
        }
      }
    } catch (SQLException e) {
      throw fail(e);
    }
    return b.append(" (synchronous requested ").append(synchronous).append(", cache ")
        .append(cacheKib).append(" KiB)").toString();
  }

  private IllegalStateException fail(SQLException e) {
    return new IllegalStateException("sqlite " + file + ": " + e, e);
  }

  @Override
  public void close() {
    try {
      c.close();
    } catch (SQLException e) {
      throw fail(e);
    }
  }
}
