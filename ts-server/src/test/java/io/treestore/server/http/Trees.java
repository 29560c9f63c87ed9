package io.treestore.server.http;

import io.treestore.server.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The real PageIndex trees of the shared dataset ({@code -Dts.dataset.dir}), read with plain
 * Jackson and flattened here, independently of the server: each node's parent, depth,
 * 1-based section path, children and page range, in document order.
 */
public final class Trees {
  private static volatile @Nullable List<Tree> all;

  private Trees() {}

  /**
   * One node as the test expects it.
   *
   * @param id node_id
   * @param parent the parent's id or null
   * @param depth 0 for roots
   * @param path section path such as {@code 2.1.3}
   * @param children child ids in order
   * @param json the node object of the file
   * @param order position in document order
   */
  public record Node(String id, @Nullable String parent, int depth, String path, List<String> children,
      JsonNode json, int order) {
    /**
     * Returns the title.
     *
     * @return {@code title}
     */
    public String title() {
      return json.get("title").asString();
    }

    /**
     * Returns the first page.
     *
     * @return {@code start_index}
     */
    public int start() {
      return json.get("start_index").asInt();
    }

    /**
     * The page end as stored: a range with end before start covers its start page only.
     *
     * @return the last page
     */
    public int end() {
      return Math.max(start(), json.get("end_index").asInt());
    }

    /**
     * Returns a string field of the node.
     *
     * @param field the JSON field name
     * @return its value, or null if absent or null
     */
    public @Nullable String text(String field) {
      JsonNode v = json.get(field);
      return v == null || v.isNull() ? null : v.asString();
    }
  }

  /**
   * One file.
   *
   * @param docId the file name without {@code .json}
   * @param file the file
   * @param raw its text
   * @param json its tree
   * @param nodes every node in document order
   * @param byId nodes by id
   * @param roots root ids in order
   */
  public record Tree(String docId, Path file, String raw, JsonNode json, List<Node> nodes,
      Map<String, Node> byId, List<String> roots) {
    /**
     * Returns the number of nodes.
     *
     * @return the node count
     */
    public int size() {
      return nodes.size();
    }

    /**
     * Returns a node by id.
     *
     * @param id the node id
     * @return the node
     * @throws IllegalArgumentException if the tree has no such node
     */
    public Node node(String id) {
      Node n = byId.get(id);
      if (n == null) {
        throw new IllegalArgumentException(docId + " has no node " + id);
      }
      return n;
    }

    /** Ancestor ids, root first, the node excluded. */
    List<String> ancestors(String id) {
      List<String> out = new ArrayList<>();
      for (String p = node(id).parent(); p != null; p = node(p).parent()) {
        out.add(p);
      }
      Collections.reverse(out);
      return out;
    }

    int lastPage() {
      return nodes.stream().mapToInt(Node::end).max().orElse(0);
    }

    /** Nodes whose range holds {@code page}, outermost first, then in document order. */
    List<String> onPage(int page) {
      return nodes.stream().filter(n -> n.start() <= page && page <= n.end())
          .sorted(Comparator.comparingInt(Node::depth).thenComparingInt(Node::order))
          .map(Node::id).toList();
    }

    @Nullable String field(String name) {
      JsonNode v = json.get(name);
      return v == null || v.isNull() ? null : v.asString();
    }
  }

  static Path dir() {
    String d = System.getProperty("ts.dataset.dir");
    if (d == null) {
      throw new IllegalStateException("system property ts.dataset.dir is not set");
    }
    return Path.of(d);
  }

  /** Every tree of the dataset, by file name. */
  static List<Tree> all() {
    List<Tree> a = all;
    if (a == null) {
      try (Stream<Path> s = Files.list(dir())) {
        a = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted()
            .map(Trees::load).toList();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (a.size() < 5) {
        throw new IllegalStateException("expected the PageIndex dataset in " + dir());
      }
      all = a;
    }
    return a;
  }

  /**
   * Returns a tree of the dataset by its file name without {@code .json}.
   *
   * @param docId the name, such as {@code earthmover}
   * @return the tree
   * @throws java.util.NoSuchElementException if the dataset has no such file
   */
  public static Tree get(String docId) {
    return all().stream().filter(t -> t.docId().equals(docId)).findFirst().orElseThrow();
  }

  /** The smallest trees first. */
  static List<Tree> bySize() {
    return all().stream().sorted(Comparator.comparingInt(Tree::size)
        .thenComparing(Tree::docId)).toList();
  }

  static Tree load(Path file) {
    try {
      String raw = Files.readString(file);
      return parse(file.getFileName().toString().replaceFirst("\\.json$", ""), file, raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Tree parse(String docId, @Nullable Path file, String raw) {
    JsonNode json = Json.MAPPER.readTree(raw);
    List<Node> nodes = new ArrayList<>();
    JsonNode s = json.get("structure");
    List<JsonNode> top = new ArrayList<>();
    if (s.isArray()) {
      s.forEach(top::add);
    } else {
      top.add(s);
    }
    List<String> roots = walk(top, null, 0, "", nodes);
    Map<String, Node> byId = new LinkedHashMap<>();
    for (Node n : nodes) {
      if (byId.put(n.id(), n) != null) {
        throw new IllegalStateException(docId + ": duplicate node id " + n.id());
      }
    }
    return new Tree(docId, file, raw, json, List.copyOf(nodes), byId, roots);
  }

  private static List<String> walk(List<JsonNode> list, @Nullable String parent, int depth,
      String prefix, List<Node> out) {
    List<String> ids = new ArrayList<>();
    int i = 0;
    for (JsonNode n : list) {
      i++;
      String path = prefix.isEmpty() ? String.valueOf(i) : prefix + "." + i;
      String id = n.get("node_id").asString();
      ids.add(id);
      int at = out.size();
      out.add(null);
      List<JsonNode> kids = new ArrayList<>();
      JsonNode k = n.get("nodes");
      if (k != null && k.isArray()) {
        k.forEach(kids::add);
      }
      List<String> childIds = walk(kids, id, depth + 1, path, out);
      out.set(at, new Node(id, parent, depth, path, childIds, n, at));
    }
    return ids;
  }
}
