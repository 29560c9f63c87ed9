package io.treestore.stores.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.stores.documents.DocumentApi.Node;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Test support: the real PageIndex trees, what the store should make of a tree (computed
 * here from the JSON, independently of the store's code), node-level diffs between two trees
 * as {@link DocumentApi.Change} documents them, and deterministic mutations of a tree.
 */
final class Trees {
  static final ObjectMapper JSON = new ObjectMapper();
  /** The word every mutation puts into the texts it touches (found by keyword search). */
  static final String MARK = "zqxmark";
  private static final Set<String> KNOWN = Set.of("title", "node_id", "start_index",
      "end_index", "summary", "prefix_summary", "text", "nodes");
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{Nd}]+");
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Trees() {}

  static Path datasets() {
    String d = System.getProperty("ts.dataset.dir");
    return d != null ? Path.of(d) : Path.of("../../shared/datasets/pageindex");
  }

  /** Every tree of the dataset directory, by file name. */
  static List<Path> files() {
    try (Stream<Path> s = Files.list(datasets())) {
      List<Path> out = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
      assertTrue(out.size() >= 10, "trees found in " + datasets() + ": " + out);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String docId(Path p) {
    return p.getFileName().toString().replace(".json", "");
  }

  static ObjectNode read(Path p) {
    try {
      return (ObjectNode) JSON.readTree(Files.readString(p));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A node as the store must keep it, derived from the JSON.
   *
   * @param attributes the node's other fields (and the raw page numbers of a node with
   *     {@code end_index < start_index}) as compact JSON, or {@code null}
   */
  record Want(String id, @Nullable String parent, int depth, String path, int order,
      List<String> kids, String title, @Nullable Integer start, @Nullable Integer end,
      @Nullable String summary, @Nullable String prefix, @Nullable String text,
      @Nullable String attributes) {

    /** The fields a diff compares ({@code DocumentModel.NodeRec#content}), absent if null. */
    ObjectNode content() {
      ObjectNode o = F.objectNode();
      o.put("title", title);
      if (parent != null) {
        o.put("parent_id", parent);
      }
      if (start != null) {
        o.put("page_start", start.intValue());
      }
      if (end != null) {
        o.put("page_end", end.intValue());
      }
      putIf(o, "summary", summary);
      putIf(o, "prefix_summary", prefix);
      putIf(o, "text", text);
      putIf(o, "attributes", attributes);
      return o;
    }

    /** Whether the keyword {@link #MARK} is one of the indexed words of the node. */
    boolean marked() {
      for (String s : new String[] {title, summary, prefix, text}) {
        if (s != null) {
          Matcher m = WORD.matcher(s);
          while (m.find()) {
            if (m.group().toLowerCase(Locale.ROOT).equals(MARK)) {
              return true;
            }
          }
        }
      }
      return false;
    }

    /** Asserts that a node read from the store is this one. */
    void check(Node n, String where) {
      String w = where + " node " + id;
      assertEquals(id, n.nodeId(), w);
      assertEquals(parent, n.parentId(), w + " parent");
      assertEquals(title, n.title(), w + " title");
      assertEquals(start, n.pageStart(), w + " page_start");
      assertEquals(end, n.pageEnd(), w + " page_end");
      assertEquals(summary, n.summary(), w + " summary");
      assertEquals(prefix, n.prefixSummary(), w + " prefix_summary");
      assertEquals(text, n.text() == null ? null : n.text().toString(), w + " text");
      assertEquals(path, n.sectionPath(), w + " section_path");
      assertEquals(depth, n.depth(), w + " depth");
      assertEquals(kids, n.childIds(), w + " child_ids");
      assertEquals(attributes == null ? null : JSON.readTree(attributes),
          n.attributes() == null ? null : JSON.valueToTree(n.attributes()), w + " attributes");
    }
  }

  private static void putIf(ObjectNode o, String k, @Nullable String v) {
    if (v != null) {
      o.put(k, v);
    }
  }

  /** The nodes of a valid tree in document order (pre-order), by id. */
  static LinkedHashMap<String, Want> expect(JsonNode tree) {
    JsonNode s = tree.get("structure");
    List<JsonNode> roots = new ArrayList<>();
    if (s.isArray()) {
      s.forEach(roots::add);
    } else {
      roots.add(s);
    }
    LinkedHashMap<String, Want> out = new LinkedHashMap<>();
    walk(roots, null, 0, "", out);
    return out;
  }

  private static void walk(List<JsonNode> nodes, @Nullable String parent, int depth,
      String prefix, Map<String, Want> out) {
    int i = 0;
    for (JsonNode n : nodes) {
      i++;
      String path = prefix.isEmpty() ? String.valueOf(i) : prefix + "." + i;
      List<JsonNode> kids = new ArrayList<>();
      if (n.has("nodes") && n.get("nodes").isArray()) {
        n.get("nodes").forEach(kids::add);
      }
      assertTrue(n.hasNonNull("node_id"), "test trees give every node an id: " + n);
      String id = n.get("node_id").asString();
      List<String> kidIds = new ArrayList<>();
      for (JsonNode k : kids) {
        kidIds.add(k.get("node_id").asString());
      }
      Integer start = n.hasNonNull("start_index") ? n.get("start_index").asInt() : null;
      Integer end = n.hasNonNull("end_index") ? Integer.valueOf(n.get("end_index").asInt())
          : start;
      ObjectNode attrs = F.objectNode();
      if (start != null && end < start) {
        attrs.put("start_index", start.intValue());
        attrs.put("end_index", end.intValue());
        end = start;
      }
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        if (!KNOWN.contains(e.getKey())) {
          attrs.set(e.getKey(), e.getValue());
        }
      }
      out.put(id, new Want(id, parent, depth, path, out.size(), List.copyOf(kidIds),
          n.get("title").asString(), start, end, text(n, "summary"), text(n, "prefix_summary"),
          text(n, "text"), attrs.isEmpty() ? null : attrs.toString()));
      walk(kids, id, depth + 1, path, out);
    }
  }

  /** The warnings an ingest of a valid tree (every node with an id) reports, in order. */
  static List<String> warnings(JsonNode tree) {
    List<String> out = new ArrayList<>();
    for (Want w : expect(tree).values()) {
      if (w.attributes() != null) {
        JsonNode a = JSON.readTree(w.attributes());
        if (a.has("start_index") && a.has("end_index")) {
          out.add("node " + w.id() + ": end_index " + a.get("end_index").asInt()
              + " < start_index " + a.get("start_index").asInt() + "; it covers page "
              + w.start() + " only");
        }
      }
    }
    return out;
  }

  private static @Nullable String text(JsonNode n, String field) {
    return n.hasNonNull(field) ? n.get(field).asString() : null;
  }

  /**
   * A change as the store must report it.
   *
   * @param type {@code added}, {@code modified} or {@code deleted}
   * @param was the changed fields before ({@code null} for added); absent fields are JSON
   *     {@code null}
   * @param is the changed fields after ({@code null} for deleted)
   */
  record WantChange(String type, @Nullable JsonNode was, @Nullable JsonNode is) {}

  /** The node-level changes from {@code before} to {@code after}, by node id. */
  static Map<String, WantChange> diff(Map<String, Want> before, Map<String, Want> after) {
    Map<String, WantChange> out = new LinkedHashMap<>();
    for (Want n : after.values()) {
      Want o = before.get(n.id());
      if (o == null) {
        out.put(n.id(), new WantChange("added", null, n.content()));
        continue;
      }
      ObjectNode a = o.content();
      ObjectNode b = n.content();
      Set<String> keys = new LinkedHashSet<>(a.propertyNames());
      keys.addAll(b.propertyNames());
      ObjectNode was = F.objectNode();
      ObjectNode is = F.objectNode();
      for (String k : keys) {
        JsonNode x = a.has(k) ? a.get(k) : F.nullNode();
        JsonNode y = b.has(k) ? b.get(k) : F.nullNode();
        if (!x.equals(y)) {
          was.set(k, x);
          is.set(k, y);
        }
      }
      if (!was.isEmpty()) {
        out.put(n.id(), new WantChange("modified", was, is));
      }
    }
    for (Want o : before.values()) {
      if (!after.containsKey(o.id())) {
        out.put(o.id(), new WantChange("deleted", o.content(), null));
      }
    }
    return out;
  }

  /** Asserts that a version's diff is exactly {@code want}. */
  static void checkDiff(Map<String, WantChange> want, List<DocumentApi.Change> got,
      String where) {
    Map<String, DocumentApi.Change> byId = new LinkedHashMap<>();
    for (DocumentApi.Change c : got) {
      assertTrue(byId.put(c.nodeId(), c) == null, where + ": node " + c.nodeId()
          + " changes twice in " + got);
    }
    assertEquals(new java.util.TreeSet<>(want.keySet()), new java.util.TreeSet<>(
        byId.keySet()), where + ": changed node ids");
    for (Map.Entry<String, WantChange> e : want.entrySet()) {
      DocumentApi.Change c = byId.get(e.getKey());
      WantChange w = e.getValue();
      String at = where + ": change of node " + e.getKey();
      assertEquals(w.type(), c.changeType(), at + " " + c);
      assertEquals(w.was(), c.oldValue() == null ? null : JSON.readTree(c.oldValue()),
          at + " old_value");
      assertEquals(w.is(), c.newValue() == null ? null : JSON.readTree(c.newValue()),
          at + " new_value");
    }
  }

  /** Flattens a tree answer to its nodes in document order. */
  static List<Node> flatten(List<Node> roots) {
    List<Node> out = new ArrayList<>();
    ArrayList<Node> stack = new ArrayList<>(roots.reversed());
    while (!stack.isEmpty()) {
      Node n = stack.remove(stack.size() - 1);
      out.add(n);
      stack.addAll(n.children().reversed());
    }
    return out;
  }

  // ------------------------------------------------------------------ mutations

  /** A node of a tree being edited, with the array that holds it. */
  private record Slot(ObjectNode node, ArrayNode container, @Nullable ObjectNode parent,
      int depth) {}

  private static List<Slot> slots(ObjectNode root) {
    List<Slot> out = new ArrayList<>();
    collect((ArrayNode) root.get("structure"), null, 0, out);
    return out;
  }

  private static void collect(ArrayNode container, @Nullable ObjectNode parent, int depth,
      List<Slot> out) {
    for (JsonNode n : container) {
      ObjectNode o = (ObjectNode) n;
      out.add(new Slot(o, container, parent, depth));
      if (o.get("nodes") instanceof ArrayNode kids) {
        collect(kids, o, depth + 1, out);
      }
    }
  }

  private static int size(JsonNode n) {
    int s = 1;
    if (n.get("nodes") instanceof ArrayNode kids) {
      for (JsonNode k : kids) {
        s += size(k);
      }
    }
    return s;
  }

  private static ArrayNode kids(ObjectNode n) {
    return n.get("nodes") instanceof ArrayNode a ? a : n.putArray("nodes");
  }

  private static int page(ObjectNode n) {
    return n.hasNonNull("start_index") ? n.get("start_index").asInt() : 1;
  }

  /**
   * Returns a deterministically edited copy of a tree: a subtree deleted, a leaf moved to
   * another parent, some titles, summaries, prefix summaries, texts and page ranges changed
   * (one page range inverted, a quirk the store accepts), an attribute added, and new nodes
   * (a leaf, a subtree of two, a first child that shifts its siblings' outline positions and
   * a root without pages). New ids start with {@code tag}; touched texts get {@link #MARK}.
   */
  static ObjectNode mutate(JsonNode tree, Random r, String tag) {
    ObjectNode root = (ObjectNode) tree.deepCopy();
    if (!root.get("structure").isArray()) {
      ArrayNode a = F.arrayNode();
      a.add(root.get("structure"));
      root.set("structure", a);
    }
    List<Slot> all = slots(root);
    int total = all.size();
    // delete a subtree (an inner node below the roots if there is one), at most half the tree
    List<Slot> cands = all.stream().filter(s -> s.depth() > 0 && size(s.node()) > 1
        && 2 * size(s.node()) <= total).toList();
    if (cands.isEmpty()) {
      cands = all.stream().filter(s -> s.depth() > 0).toList();
    }
    if (!cands.isEmpty()) {
      Slot victim = cands.get(r.nextInt(cands.size()));
      remove(victim);
    }
    all = slots(root);
    // move a leaf to another parent
    List<Slot> leaves = all.stream().filter(s -> s.depth() > 0 && size(s.node()) == 1)
        .toList();
    if (!leaves.isEmpty() && all.size() > 2) {
      Slot leaf = leaves.get(r.nextInt(leaves.size()));
      List<Slot> targets = all.stream().filter(s -> s.node() != leaf.node()
          && s.node() != leaf.parent()).toList();
      if (!targets.isEmpty()) {
        Slot to = targets.get(r.nextInt(targets.size()));
        remove(leaf);
        kids(to.node()).add(leaf.node());
      }
    }
    all = slots(root);
    boolean titled = false;
    boolean inverted = false;
    for (Slot s : all) {
      ObjectNode n = s.node();
      if (r.nextInt(5) == 0 || (!titled && s == all.get(all.size() - 1))) {
        n.put("title", n.get("title").asString() + " " + MARK + " " + tag);
        titled = true;
      }
      if (r.nextInt(7) == 0) {
        if (n.hasNonNull("summary")) {
          if (r.nextBoolean()) {
            n.put("summary", n.get("summary").asString() + " (revised " + MARK + ")");
          } else {
            n.remove("summary");
          }
        } else {
          n.put("summary", "Added summary " + MARK + " " + tag);
        }
      }
      if (n.hasNonNull("text") && r.nextInt(10) == 0) {
        n.put("text", n.get("text").asString() + "\nAppended " + MARK + ".");
      }
      if (n.hasNonNull("start_index") && r.nextInt(7) == 0) {
        int st = n.get("start_index").asInt();
        int en = n.hasNonNull("end_index") ? n.get("end_index").asInt() : st;
        switch (r.nextInt(4)) {
          case 0 -> {
            n.put("start_index", st + 1);
            n.put("end_index", Math.max(st, en) + 1);
          }
          case 1 -> n.put("end_index", Math.max(st, en) + 2);
          case 2 -> n.put("end_index", st);
          default -> {
            if (!inverted && st > 0) {
              n.put("end_index", st - 1); // end < start: kept raw in attributes
              inverted = true;
            } else {
              n.remove("end_index"); // end defaults to start
            }
          }
        }
      }
    }
    Slot p = all.get(r.nextInt(all.size()));
    p.node().put("prefix_summary", "Prefix " + MARK + " " + tag);
    Slot a = all.get(r.nextInt(all.size()));
    ObjectNode review = a.node().putObject("review");
    review.put("round", tag);
    review.putArray("by").add("test").add(r.nextInt(100));
    // new nodes
    Slot under = all.get(r.nextInt(all.size()));
    int pg = page(under.node());
    ObjectNode leaf = kids(under.node()).addObject();
    leaf.put("node_id", tag + "-leaf");
    leaf.put("title", "Added leaf " + MARK);
    leaf.put("start_index", pg);
    leaf.put("end_index", pg + 1);
    ArrayNode roots = (ArrayNode) root.get("structure");
    ObjectNode host = (ObjectNode) roots.get(r.nextInt(roots.size()));
    ObjectNode sub = kids(host).addObject();
    sub.put("node_id", tag + "-sub");
    sub.put("title", "Added subtree");
    sub.put("start_index", page(host));
    sub.put("end_index", page(host) + 2);
    ObjectNode child = sub.putArray("nodes").addObject();
    child.put("node_id", tag + "-sub-1");
    child.put("title", "Added child");
    child.put("summary", "Child summary " + MARK);
    child.put("start_index", page(host) + 1);
    Slot first = all.get(r.nextInt(all.size()));
    ObjectNode ins = kids(first.node()).insertObject(0);
    ins.put("node_id", tag + "-first");
    ins.put("title", "Inserted first");
    ins.put("start_index", page(first.node()));
    ins.put("end_index", page(first.node()));
    ObjectNode newRoot = roots.addObject();
    newRoot.put("node_id", tag + "-root");
    newRoot.put("title", "Added root " + MARK);
    return root;
  }

  private static void remove(Slot s) {
    for (int i = 0; i < s.container().size(); i++) {
      if (s.container().get(i) == s.node()) {
        s.container().remove(i);
        return;
      }
    }
    throw new AssertionError("node not in its container");
  }
}
