package io.treestore.examples.pageindex;

import io.treestore.btree.BTree;
import io.treestore.btree.BTreeFile;
import io.treestore.btree.BTreeOptions;
import io.treestore.btree.CheckReport;
import io.treestore.btree.Entry;
import io.treestore.btree.EntryIterator;
import io.treestore.btree.Range;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stores the PageIndex trees of a directory in one B+Tree file using only {@code ts-btree},
 * reopens the file, verifies every node against the JSON, and answers a few structural
 * queries (children, ancestors, nodes on a page) with prefix scans.
 *
 * <p>Key layout (all in one file, four trees):
 * <pre>
 * docs      doc                                  -&gt; {"doc_name","doc_description","node_count"}
 * nodes     doc 0x00 node_id                     -&gt; node JSON (without "nodes"), plus
 *                                                   parent_id, depth, section_path, child_ids
 * children  doc 0x00 parent_id 0x00 ordinal:u32  -&gt; child node_id
 * pages     doc 0x00 page:u32 0x00 node_id        -&gt; empty
 * </pre>
 * This is a demonstration of the storage layer; the full database (versions, full-text
 * search, the HTTP API) comes with the upper modules.
 *
 * <p>Usage: {@code PageIndexDemo DATASET_DIR DATA_FILE}.
 */
public final class PageIndexDemo {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private PageIndexDemo() {}

  /** One flattened node. */
  private record Flat(String id, String parent, int depth, String path, ObjectNode json,
      int pageStart, int pageEnd) {}

  /**
   * Runs the demo.
   *
   * @param args dataset directory and data file
   * @throws IOException if the dataset cannot be read
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: PageIndexDemo DATASET_DIR DATA_FILE");
      System.exit(2);
    }
    Path datasets = Path.of(args[0]);
    Path data = Path.of(args[1]);
    Files.createDirectories(data.toAbsolutePath().getParent());
    Files.deleteIfExists(data);
    List<Path> files;
    try (Stream<Path> s = Files.list(datasets)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    if (files.isEmpty()) {
      System.err.println("no PageIndex JSON files in " + datasets.toAbsolutePath());
      System.exit(1);
    }
    System.out.printf("Loading %d PageIndex trees from %s into %s%n", files.size(),
        datasets.toAbsolutePath().normalize(), data.toAbsolutePath().normalize());
    long t0 = System.nanoTime();
    List<String> docs = new ArrayList<>();
    int total = 0;
    try (BTreeFile f = BTreeFile.open(data)) {
      BTree docTree = f.tree("docs");
      BTree nodes = f.tree("nodes");
      BTree children = f.tree("children");
      BTree pages = f.tree("pages");
      for (Path file : files) {
        String doc = file.getFileName().toString().replaceFirst("\\.json$", "");
        JsonNode root = JSON.readTree(file.toFile());
        List<Flat> flat = new ArrayList<>();
        int[] auto = {0};
        JsonNode structure = root.path("structure");
        flatten(structure, "", 0, "", flat, auto);
        for (Flat n : flat) {
          nodes.put(key(doc, n.id()), JSON.writeValueAsBytes(n.json()));
          for (int p = n.pageStart(); p <= n.pageEnd(); p++) {
            pages.put(key(doc, page(p), n.id()), new byte[0]);
          }
        }
        for (Flat n : flat) {
          JsonNode kids = n.json().path("child_ids");
          for (int i = 0; i < kids.size(); i++) {
            children.put(key(doc, n.id(), ordinal(i)), utf8(kids.get(i).asString()));
          }
        }
        int top = structure.size();
        for (int i = 0; i < top; i++) {
          children.put(key(doc, "", ordinal(i)), utf8(flat.stream()
              .filter(x -> x.depth() == 0).toList().get(i).id()));
        }
        ObjectNode meta = JSON.createObjectNode();
        meta.put("doc_name", root.path("doc_name").asString(doc));
        if (root.has("doc_description")) {
          meta.set("doc_description", root.get("doc_description"));
        }
        meta.put("node_count", flat.size());
        docTree.put(utf8(doc), JSON.writeValueAsBytes(meta));
        docs.add(doc);
        total += flat.size();
        System.out.printf("  %-36s %4d nodes%n", doc, flat.size());
      }
      f.flush();
    }
    long loadMs = (System.nanoTime() - t0) / 1_000_000;

    // Reopen from disk, verify, and query.
    try (BTreeFile f = BTreeFile.open(data, BTreeOptions.defaults().withReadOnly(true))) {
      BTree nodes = f.tree("nodes");
      int verified = 0;
      for (Path file : files) {
        String doc = file.getFileName().toString().replaceFirst("\\.json$", "");
        List<Flat> flat = new ArrayList<>();
        flatten(JSON.readTree(file.toFile()).path("structure"), "", 0, "", flat, new int[1]);
        for (Flat n : flat) {
          byte[] stored = nodes.get(key(doc, n.id()));
          if (stored == null || !JSON.readTree(stored).equals(n.json())) {
            throw new IllegalStateException("node " + doc + "/" + n.id() + " differs after reopen");
          }
          verified++;
        }
      }
      CheckReport check = f.check();
      System.out.printf("%nStored %d documents, %d nodes in %d ms; reopened and verified %d "
          + "nodes; file %d KiB, %d pages; check: %s%n", docs.size(), total, loadMs, verified,
          Files.size(data) / 1024, check.pageCount(), check.ok() ? "OK" : check.problems());

      String doc = docs.contains("earthmover") ? "earthmover" : docs.get(0);
      System.out.printf("%nTop-level sections of %s:%n", doc);
      try (EntryIterator it = f.tree("children").scan(Range.prefix(key(doc, "", new byte[0])))) {
        while (it.hasNext()) {
          String id = str(it.next().value());
          System.out.printf("  %s  %s%n", id, title(nodes, doc, id));
        }
      }
      int pageNo = 3;
      System.out.printf("%nNodes covering page %d of %s (prefix scan of 'pages'):%n", pageNo,
          doc);
      try (EntryIterator it = f.tree("pages").scan(Range.prefix(key(doc, page(pageNo))))) {
        while (it.hasNext()) {
          Entry e = it.next();
          byte[] k = e.key();
          String id = new String(k, lastZero(k) + 1, k.length - lastZero(k) - 1,
              StandardCharsets.UTF_8);
          System.out.printf("  %s  %s%n", id, title(nodes, doc, id));
        }
      }
      String deep = deepest(nodes, doc);
      System.out.printf("%nPath from the root to the deepest node %s of %s:%n", deep, doc);
      List<String> chain = new ArrayList<>();
      for (String id = deep; !id.isEmpty(); ) {
        chain.add(0, id);
        id = JSON.readTree(nodes.get(key(doc, id))).path("parent_id").asString("");
      }
      for (int i = 0; i < chain.size(); i++) {
        System.out.printf("  %s%s  %s%n", "  ".repeat(i), chain.get(i), title(nodes, doc,
            chain.get(i)));
      }
    }
    System.out.printf("%nThe data file stays at %s; run again to rebuild it.%n", data);
  }

  private static void flatten(JsonNode list, String parent, int depth, String pathPrefix,
      List<Flat> out, int[] auto) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode n = list.get(i);
      ObjectNode json = ((ObjectNode) n).deepCopy();
      json.remove("nodes");
      String id = n.has("node_id") ? n.get("node_id").asString() : String.format("auto-%04d",
          auto[0]);
      auto[0]++;
      String path = pathPrefix.isEmpty() ? Integer.toString(i + 1) : pathPrefix + "." + (i + 1);
      int start = n.path("start_index").asInt(0);
      int end = Math.max(start, n.path("end_index").asInt(start));
      json.put("node_id", id);
      json.put("parent_id", parent);
      json.put("depth", depth);
      json.put("section_path", path);
      Flat f = new Flat(id, parent, depth, path, json, start, end);
      out.add(f);
      ids.add(id);
      List<Flat> sub = new ArrayList<>();
      flatten(n.path("nodes"), id, depth + 1, path, sub, auto);
      var kids = json.putArray("child_ids");
      for (Flat s : sub) {
        if (s.parent().equals(id)) {
          kids.add(s.id());
        }
      }
      out.addAll(sub);
    }
  }

  private static String deepest(BTree nodes, String doc) {
    String best = "";
    int depth = -1;
    try (EntryIterator it = nodes.scan(Range.prefix(key(doc, "")))) {
      while (it.hasNext()) {
        JsonNode n = JSON.readTree(it.next().value());
        if (n.path("depth").asInt() > depth) {
          depth = n.path("depth").asInt();
          best = n.path("node_id").asString();
        }
      }
    }
    return best;
  }

  private static String title(BTree nodes, String doc, String id) {
    byte[] v = nodes.get(key(doc, id));
    return v == null ? "?" : JSON.readTree(v).path("title").asString("").strip();
  }

  private static int lastZero(byte[] k) {
    for (int i = k.length - 1; i >= 0; i--) {
      if (k[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  /** Joins parts with 0x00 separators; string parts are UTF-8, byte[] parts raw. */
  private static byte[] key(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        out.write(0);
      }
      byte[] b = parts[i] instanceof byte[] raw ? raw : utf8((String) parts[i]);
      out.write(b, 0, b.length);
    }
    return out.toByteArray();
  }

  private static byte[] page(int p) {
    return ByteBuffer.allocate(4).putInt(p).array();
  }

  private static byte[] ordinal(int i) {
    return ByteBuffer.allocate(4).putInt(i).array();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
