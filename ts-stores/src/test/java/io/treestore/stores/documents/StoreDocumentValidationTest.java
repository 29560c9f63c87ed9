package io.treestore.stores.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.btree.Entry;
import io.treestore.btree.Range;
import io.treestore.spi.ErrorCode;
import io.treestore.spi.StoreException;
import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import io.treestore.txn.Database;
import io.treestore.txn.DatabaseOptions;
import io.treestore.txn.ScanIterator;
import io.treestore.txn.Transaction;
import io.treestore.wal.Durability;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of invalid StoreDocument input is refused with a precise message (and, for the
 * PageIndex body, every problem listed in the details) and writes nothing: after each refusal
 * every keyspace holds exactly the entries it held before (count and SHA-256 of all keys and
 * values), the set of keyspaces is the same and no commit happened. Each case runs against
 * an empty database and against one that already holds the document.
 */
class StoreDocumentValidationTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"),
      ZoneOffset.UTC);
  private static final String NODE = "{\"node_id\": \"n\", \"title\": \"T\"%s}";
  private static final String CONTROL = " must not contain control characters, '/' or"
      + " unpaired surrogates";

  @TempDir Path dir;

  /** One invalid request and the exact refusal. */
  record Case(String what, @Nullable String docId, @Nullable String versionId,
      @Nullable String date, @Nullable String json, ErrorCode code, String message,
      List<String> details) {}

  /** The database as the test compares it: last LSN and, per keyspace, count and digest. */
  record State(long lsn, Map<String, String> keyspaces) {}

  static State state(Database db) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Transaction tx = db.beginReadOnly()) {
      for (String ks : db.keyspaces()) {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        long n = 0;
        try (ScanIterator it = tx.scan(ks, Range.all())) {
          while (it.hasNext()) {
            Entry e = it.next();
            md.update(ByteBuffer.allocate(4).putInt(e.key().length).array());
            md.update(e.key());
            md.update(ByteBuffer.allocate(4).putInt(e.value().length).array());
            md.update(e.value());
            n++;
          }
        }
        out.put(ks, n + " entries, sha256 " + HexFormat.of().formatHex(md.digest()));
      }
    }
    return new State(db.lastCommittedLsn(), out);
  }

  /** A body with one node whose JSON is {@code {"node_id": "n", "title": "T", <extra>}}. */
  private static String node(String extra) {
    return "{\"structure\": [" + String.format(NODE, extra.isEmpty() ? "" : ", " + extra)
        + "]}";
  }

  private static Case body(String what, String json, String... problems) {
    List<String> p = List.of(problems);
    String msg = p.size() + " problem" + (p.size() == 1 ? "" : "s")
        + " in the PageIndex document: " + String.join("; ", p.subList(0, Math.min(20,
        p.size()))) + (p.size() > 20 ? "; ..." : "");
    return new Case(what, "base", null, null, json, ErrorCode.INVALID_ARGUMENT, msg, p);
  }

  private static Case request(String what, @Nullable String docId, @Nullable String versionId,
      @Nullable String date, ErrorCode code, String message) {
    return new Case(what, docId, versionId, date, node(""), code, message, List.of());
  }

  static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    // the body as a whole
    c.add(new Case("no body", "base", null, null, null, ErrorCode.INVALID_ARGUMENT,
        "the PageIndex JSON body is missing", List.of()));
    for (String b : List.of("", "   ", "null", "5", "\"text\"", "true", "[]",
        "[{\"title\": \"t\"}]")) {
      c.add(body("body " + b, b, "body must be a JSON object with a \"structure\""));
    }
    for (String[] t : new String[][] {{"5", "number"}, {"true", "boolean"}, {"{}", "object"},
        {"[\"x\"]", "array"}}) {
      for (String f : List.of("doc_name", "doc_description")) {
        c.add(body(f + " " + t[1], "{\"" + f + "\": " + t[0] + ", \"structure\": ["
            + String.format(NODE, "") + "]}", "document: \"" + f + "\" must be a string, was "
            + t[1]));
      }
    }
    c.add(body("structure missing", "{\"doc_name\": \"x\"}", "\"structure\" is missing"));
    c.add(body("structure null", "{\"structure\": null}", "\"structure\" is missing"));
    for (String[] t : new String[][] {{"5", "number"}, {"\"s\"", "string"},
        {"false", "boolean"}}) {
      c.add(body("structure " + t[1], "{\"structure\": " + t[0] + "}",
          "\"structure\" must be an array of nodes or a node, was " + t[1]));
    }
    c.add(body("structure empty", "{\"structure\": []}", "\"structure\" holds no nodes"));
    // nodes
    for (String n : List.of("5", "\"x\"", "null", "[]", "true")) {
      c.add(body("node " + n, "{\"structure\": [" + n + "]}",
          "structure[0]: a node must be a JSON object"));
    }
    c.add(body("child not an object", "{\"structure\": [{\"node_id\": \"a\", \"title\": \"A\","
        + " \"nodes\": [{\"title\": \"B\"}, 7]}]}",
        "structure[0].nodes[1]: a node must be a JSON object"));
    for (String n : List.of("{}", "5", "\"x\"", "true")) {
      c.add(body("nodes " + n, node("\"nodes\": " + n),
          "structure[0]: \"nodes\" must be an array"));
    }
    for (String[] t : new String[][] {{"5", "number"}, {"1.5", "number"}, {"true", "boolean"},
        {"{}", "object"}, {"[\"a\"]", "array"}}) {
      c.add(body("node_id " + t[0], "{\"structure\": [{\"node_id\": " + t[0]
          + ", \"title\": \"T\"}]}", "structure[0]: \"node_id\" must be a string, was "
          + t[1]));
    }
    c.add(body("node_id empty", "{\"structure\": [{\"node_id\": \"\", \"title\": \"T\"}]}",
        "structure[0]: \"node_id\" must not be empty"));
    c.add(body("duplicate ids", "{\"structure\": [{\"node_id\": \"a\", \"title\": \"A\"},"
        + " {\"node_id\": \"b\", \"title\": \"B\", \"nodes\": [{\"node_id\": \"a\","
        + " \"title\": \"C\"}, {\"node_id\": \"b\", \"title\": \"D\"}]},"
        + " {\"node_id\": \"a\", \"title\": \"E\"}]}",
        "structure[1].nodes[0]: duplicate node_id \"a\" (also at structure[0])",
        "structure[1].nodes[1]: duplicate node_id \"b\" (also at structure[1])",
        "structure[2]: duplicate node_id \"a\" (also at structure[0])"));
    c.add(body("title missing", "{\"structure\": [{\"node_id\": \"n\"}]}",
        "structure[0]: \"title\" is missing"));
    c.add(body("title null", "{\"structure\": [{\"node_id\": \"n\", \"title\": null}]}",
        "structure[0]: \"title\" is missing"));
    for (String t : List.of("5", "true", "{}", "[\"T\"]")) {
      c.add(body("title " + t, "{\"structure\": [{\"node_id\": \"n\", \"title\": " + t
          + "}]}", "structure[0]: \"title\" must be a string"));
    }
    c.add(body("nested title missing", "{\"structure\": [{\"node_id\": \"a\", \"title\":"
        + " \"A\", \"nodes\": [{\"node_id\": \"b\", \"nodes\": [{\"node_id\": \"c\"}]}]}]}",
        "structure[0].nodes[0]: \"title\" is missing",
        "structure[0].nodes[0].nodes[0]: \"title\" is missing"));
    for (String v : List.of("-1", "1.5", "-0.5", "\"3\"", "true", "{}", "[1]", "2147483648",
        "1e300")) {
      String shown = v.equals("1e300") ? "1.0E300" : v;
      c.add(body("start_index " + v, node("\"start_index\": " + v),
          "structure[0]: \"start_index\" must be a non-negative integer, was " + shown));
      c.add(body("end_index " + v, node("\"start_index\": 0, \"end_index\": " + v),
          "structure[0]: \"end_index\" must be a non-negative integer, was " + shown));
    }
    c.add(body("end_index without start_index", node("\"end_index\": 3"),
        "structure[0]: \"end_index\" given without \"start_index\""));
    c.add(body("bad start_index and an end_index", node("\"start_index\": -2, \"end_index\": 3"),
        "structure[0]: \"start_index\" must be a non-negative integer, was -2",
        "structure[0]: \"end_index\" given without \"start_index\""));
    // the page index holds an entry per page of every node: at most a million in all
    c.add(body("pages 0 to 2^31 - 1", node("\"start_index\": 0, \"end_index\": 2147483647"),
        "structure[0]: pages 0 to 2147483647 are 2147483648 pages, at most 1000000 in all"));
    c.add(body("a million and one pages", node("\"start_index\": 5, \"end_index\": 1000005"),
        "structure[0]: pages 5 to 1000005 are 1000001 pages, at most 1000000 in all"));
    c.add(body("1.2 million pages in two nodes", "{\"structure\": [{\"node_id\": \"a\","
        + " \"title\": \"A\", \"start_index\": 1, \"end_index\": 600000, \"nodes\": ["
        + "{\"node_id\": \"b\", \"title\": \"B\", \"start_index\": 1,"
        + " \"end_index\": 600000}]}]}",
        "the nodes' page ranges hold 1200000 pages in all, at most 1000000"));
    for (String f : List.of("summary", "prefix_summary", "text")) {
      for (String[] t : new String[][] {{"5", "number"}, {"false", "boolean"},
          {"{\"a\": 1}", "object"}, {"[\"s\"]", "array"}}) {
        c.add(body(f + " " + t[1], node("\"" + f + "\": " + t[0]),
            "structure[0]: \"" + f + "\" must be a string, was " + t[1]));
      }
    }
    StringBuilder many = new StringBuilder("{\"structure\": [");
    String[] manyProblems = new String[25];
    for (int i = 0; i < 25; i++) {
      many.append(i == 0 ? "" : ", ").append("{\"node_id\": \"n").append(i).append("\"}");
      manyProblems[i] = "structure[" + i + "]: \"title\" is missing";
    }
    c.add(body("25 problems (the message lists 20)", many + "]}", manyProblems));
    c.add(body("one problem of each pass, in order", "{\"doc_name\": 1, \"structure\": ["
        + "{\"node_id\": \"a\", \"title\": \"A\", \"nodes\": 3}, {\"node_id\": \"a\","
        + " \"title\": 2, \"text\": []}]}",
        "document: \"doc_name\" must be a string, was number",
        "structure[0]: \"nodes\" must be an array",
        "structure[1]: duplicate node_id \"a\" (also at structure[0])",
        "structure[1]: \"title\" must be a string",
        "structure[1]: \"text\" must be a string, was array"));
    // the request's ids and date
    c.add(request("doc_id null", null, null, null, ErrorCode.INVALID_ARGUMENT,
        "doc_id is missing"));
    c.add(request("doc_id empty", "", null, null, ErrorCode.INVALID_ARGUMENT,
        "doc_id is missing"));
    c.add(request("doc_id too long", "d".repeat(201), null, null, ErrorCode.INVALID_ARGUMENT,
        "doc_id is 201 characters, at most 200"));
    c.add(request("version_id empty", "base", "", null, ErrorCode.INVALID_ARGUMENT,
        "version_id is missing"));
    c.add(request("version_id too long", "base", "v".repeat(201), null,
        ErrorCode.INVALID_ARGUMENT, "version_id is 201 characters, at most 200"));
    for (String bad : List.of("a/b", "/", "a\u0000b", "a\nb", "tab\t", "\u007f", "x\u0085",
        "a\uD800", "\uDC00a", "\uD800\uD800", "\uDBFF")) {
      String shown = bad.codePoints().mapToObj(cp -> cp < 0x20 || cp > 0x7e
          ? String.format("\\u%04x", cp) : Character.toString(cp)).reduce("", String::concat);
      c.add(request("doc_id " + shown, bad, null, null, ErrorCode.INVALID_ARGUMENT,
          "doc_id" + CONTROL));
      c.add(request("version_id " + shown, "base", bad, null, ErrorCode.INVALID_ARGUMENT,
          "version_id" + CONTROL));
    }
    for (String d : List.of("", "yesterday", "2024-13-01", "2024-00-10", "2024-02-30",
        "2023-02-29", "2024-1-05", "20240105", "2024-01-05T00:00:00Z", " 2024-01-05",
        "2024-01-05 ", "2024/01/05", "+10000-01-01", "-0001-01-01", "+2024-01-05",
        "２０２４-01-05")) {
      c.add(request("effective_date '" + d + "'", "base", null, d, ErrorCode.INVALID_ARGUMENT,
          "effective_date must be a date YYYY-MM-DD, was '" + d + "'"));
    }
    return c;
  }

  private TreeStore open(Path at) {
    return TreeStore.open(at, TreeStoreOptions.defaults()
        .withDatabase(DatabaseOptions.defaults().withDurability(Durability.NONE))
        .withDiscovery(false)
        .withProviders(List.of(new DocumentStoreProvider(), new VersionStoreProvider()))
        .withClock(CLOCK));
  }

  private static void refuse(TreeStore ts, Case k, String where) throws Exception {
    State before = state(ts.database());
    StoreException e = assertThrows(StoreException.class, () -> ts.call("documents",
        "StoreDocument", new DocumentApi.StoreDocument(k.docId(), k.versionId(), k.date(),
            k.json())), where + ": " + k.what());
    assertEquals(k.code(), e.code(), where + ": " + k.what() + ": " + e.getMessage());
    assertEquals(k.message(), e.getMessage(), where + ": " + k.what());
    assertEquals(k.details(), e.details(), where + ": " + k.what());
    assertEquals(before, state(ts.database()), where + ": " + k.what() + " wrote something");
  }

  @Test
  void everyInvalidInputIsRefusedPreciselyAndWritesNothing() throws Exception {
    List<Case> cases = cases();
    try (TreeStore ts = open(dir.resolve("empty"))) {
      for (Case k : cases) {
        refuse(ts, k, "empty database");
      }
      assertTrue(ts.database().keyspaces().stream().noneMatch(s -> s.startsWith("documents")),
          "keyspaces: " + ts.database().keyspaces());
    }
    String tree = java.nio.file.Files.readString(Trees.files().get(0));
    try (TreeStore ts = open(dir.resolve("full"))) {
      ts.call("documents", "StoreDocument", new DocumentApi.StoreDocument("base", "v1",
          "2024-01-01", tree));
      State start = state(ts.database());
      for (Case k : cases) {
        refuse(ts, k, "database holding the document");
      }
      refuse(ts, new Case("duplicate version id", "base", "v1", "2025-01-01", node(""),
          ErrorCode.ALREADY_EXISTS, "document 'base' already has a version 'v1'", List.of()),
          "database holding the document");
      assertEquals(start, state(ts.database()));
      DocumentApi.VersionList vs = (DocumentApi.VersionList) ts.call("versions",
          "ListVersions", new DocumentApi.DocumentRef("base"));
      assertEquals(List.of("v1"), vs.versions().stream().map(DocumentApi.Version::versionId)
          .toList());
      // the limits themselves are accepted
      for (String[] ok : new String[][] {{"d".repeat(200), "v".repeat(200), "2024-02-29"},
          {"emoji \uD83D\uDE00", "v \uD83D\uDE00 2", "0001-01-01"},
          {"base", "v2", "9999-12-31"}}) {
        DocumentApi.Stored st = (DocumentApi.Stored) ts.call("documents", "StoreDocument",
            new DocumentApi.StoreDocument(ok[0], ok[1], ok[2], node("\"start_index\":"
                + " 2147483647, \"end_index\": 2147483647")));
        assertEquals(ok[1], st.versionId());
      }
    }
  }
}
