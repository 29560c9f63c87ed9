package io.treestore.stores.documents;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A PageIndex tree parsed, validated and flattened in document order (pre-order): each node
 * with its parent, position among its siblings, depth and 1-based outline path.
 *
 * <p>Validation collects every problem before failing: a body that is not a JSON object, a
 * missing or mistyped {@code structure}, nodes that are not objects, missing or non-string
 * titles, non-string ids, duplicate ids, page numbers that are negative, fractional or not
 * numbers, mistyped texts or child lists, page ranges that hold more than
 * {@value #MAX_PAGES} pages over all nodes (the {@code page} index has an entry per page of
 * each node). Real output's quirks load with a warning:
 * {@code end_index < start_index} (the node covers {@code start_index} only; both raw values
 * are kept in the node's attributes) and missing {@code node_id}s (assigned in document order
 * as four-digit numbers, skipping ids in use).
 */
final class ParsedDocument {
  static final ObjectMapper JSON = JsonMapper.builder().build();
  static final int MAX_NODES = 1_000_000;
  /** The most pages all nodes' ranges may hold together (page index entries per version). */
  static final long MAX_PAGES = 1_000_000;
  private static final Set<String> KNOWN = Set.of("title", "node_id", "start_index",
      "end_index", "summary", "prefix_summary", "text", "nodes");

  /** One flattened node. */
  record FlatNode(String nodeId, @Nullable String parentId, int ordinal, int depth, int order,
      String title, @Nullable Integer pageStart, @Nullable Integer pageEnd,
      @Nullable String summary, @Nullable String prefixSummary, @Nullable String text,
      String sectionPath, List<String> childIds, @Nullable String attributes) {}

  final @Nullable String docName;
  final @Nullable String docDescription;
  final @Nullable String attributes;
  final List<FlatNode> nodes;
  final List<String> warnings;

  private ParsedDocument(@Nullable String docName, @Nullable String docDescription,
      @Nullable String attributes, List<FlatNode> nodes, List<String> warnings) {
    this.docName = docName;
    this.docDescription = docDescription;
    this.attributes = attributes;
    this.nodes = nodes;
    this.warnings = warnings;
  }

  /** What parsing found wrong. */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;
    final transient List<String> problems;

    Invalid(List<String> problems) {
      super(problems.size() + " problem" + (problems.size() == 1 ? "" : "s")
          + " in the PageIndex document: " + String.join("; ", problems.subList(0,
          Math.min(20, problems.size()))) + (problems.size() > 20 ? "; ..." : ""));
      this.problems = List.copyOf(problems);
    }
  }

  private static final class Raw {
    final JsonNode node;
    final String where;
    @Nullable String id;
    final @Nullable Raw parent;
    final int ordinal;
    final int depth;
    final String path;
    final List<Raw> children = new ArrayList<>();

    Raw(JsonNode node, String where, @Nullable Raw parent, int ordinal, int depth, String path) {
      this.node = node;
      this.where = where;
      this.parent = parent;
      this.ordinal = ordinal;
      this.depth = depth;
      this.path = path;
    }
  }

  static ParsedDocument parse(String json) throws Invalid {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new Invalid(List.of("body is not valid JSON: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr())));
    }
    return parse(root);
  }

  static ParsedDocument parse(@Nullable JsonNode root) throws Invalid {
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    if (root == null || !root.isObject()) {
      throw new Invalid(List.of("body must be a JSON object with a \"structure\""));
    }
    String docName = optionalString(root, "doc_name", "document", problems);
    String docDescription = optionalString(root, "doc_description", "document", problems);
    JsonNode structure = root.get("structure");
    List<JsonNode> roots = new ArrayList<>();
    if (structure == null || structure.isNull()) {
      problems.add("\"structure\" is missing");
    } else if (structure.isArray()) {
      structure.forEach(roots::add);
    } else if (structure.isObject()) {
      roots.add(structure);
    } else {
      problems.add("\"structure\" must be an array of nodes or a node, was "
          + structure.getNodeType().name().toLowerCase());
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      if (!Set.of("doc_name", "doc_description", "structure").contains(e.getKey())) {
        extra.put(e.getKey(), e.getValue());
      }
    }
    // walk (iteratively, so deep trees cannot overflow the stack)
    List<Raw> order = new ArrayList<>();
    ArrayList<Raw> stack = new ArrayList<>();
    for (int i = roots.size() - 1; i >= 0; i--) {
      stack.add(new Raw(roots.get(i), "structure[" + i + "]", null, i + 1, 0,
          String.valueOf(i + 1)));
    }
    while (!stack.isEmpty()) {
      Raw r = stack.remove(stack.size() - 1);
      if (order.size() >= MAX_NODES) {
        problems.add("more than " + MAX_NODES + " nodes");
        break;
      }
      order.add(r);
      if (r.parent != null) {
        r.parent.children.add(r);
      }
      if (!r.node.isObject()) {
        problems.add(r.where + ": a node must be a JSON object");
        continue;
      }
      JsonNode kids = r.node.get("nodes");
      if (kids != null && !kids.isNull()) {
        if (!kids.isArray()) {
          problems.add(r.where + ": \"nodes\" must be an array");
        } else {
          for (int i = kids.size() - 1; i >= 0; i--) {
            stack.add(new Raw(kids.get(i), r.where + ".nodes[" + i + "]", r, i + 1,
                r.depth + 1, r.path + "." + (i + 1)));
          }
        }
      }
    }
    // ids
    Set<String> used = new HashSet<>();
    Map<String, String> firstAt = new HashMap<>();
    boolean anyMissing = false;
    for (Raw r : order) {
      if (!r.node.isObject()) {
        continue;
      }
      JsonNode id = r.node.get("node_id");
      if (id == null || id.isNull()) {
        anyMissing = true;
      } else if (!id.isString()) {
        problems.add(r.where + ": \"node_id\" must be a string, was "
            + id.getNodeType().name().toLowerCase());
      } else if (id.asString().isEmpty()) {
        problems.add(r.where + ": \"node_id\" must not be empty");
      } else {
        String prev = firstAt.putIfAbsent(id.asString(), r.where);
        if (prev != null) {
          problems.add(r.where + ": duplicate node_id \"" + id.asString() + "\" (also at "
              + prev + ")");
        }
        used.add(id.asString());
        r.id = id.asString();
      }
    }
    if (anyMissing) {
      int assigned = 0;
      for (int i = 0; i < order.size(); i++) {
        Raw r = order.get(i);
        if (r.node.isObject() && r.id == null && (r.node.get("node_id") == null
            || r.node.get("node_id").isNull())) {
          String id = String.format("%04d", i);
          for (int k = 1; used.contains(id); k++) {
            id = String.format("%04d-%d", i, k);
          }
          used.add(id);
          r.id = id;
          assigned++;
        }
      }
      warnings.add(assigned + " node" + (assigned == 1 ? " had" : "s had")
          + " no node_id; ids were assigned in document order");
    }
    List<FlatNode> out = new ArrayList<>(order.size());
    long pages = 0;
    for (int i = 0; i < order.size(); i++) {
      Raw r = order.get(i);
      if (!r.node.isObject()) {
        continue;
      }
      JsonNode n = r.node;
      String title = null;
      JsonNode t = n.get("title");
      if (t == null || t.isNull()) {
        problems.add(r.where + ": \"title\" is missing");
      } else if (!t.isString()) {
        problems.add(r.where + ": \"title\" must be a string");
      } else {
        title = t.asString();
      }
      Integer start = page(n, "start_index", r.where, problems);
      Integer end = page(n, "end_index", r.where, problems);
      Map<String, Object> attrs = new LinkedHashMap<>();
      if (start == null && end != null) {
        problems.add(r.where + ": \"end_index\" given without \"start_index\"");
      } else if (start != null && end == null) {
        end = start;
      } else if (start != null && end < start) {
        warnings.add("node " + r.id + ": end_index " + end + " < start_index " + start
            + "; it covers page " + start + " only");
        attrs.put("start_index", start);
        attrs.put("end_index", end);
        end = start;
      }
      if (start != null && end != null) {
        long span = (long) end - start + 1;
        if (span > MAX_PAGES) {
          problems.add(r.where + ": pages " + start + " to " + end + " are " + span
              + " pages, at most " + MAX_PAGES + " in all");
        } else {
          pages += span;
        }
      }
      String summary = optionalString(n, "summary", r.where, problems);
      String prefix = optionalString(n, "prefix_summary", r.where, problems);
      String text = optionalString(n, "text", r.where, problems);
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        if (!KNOWN.contains(e.getKey())) {
          attrs.put(e.getKey(), e.getValue());
        }
      }
      List<String> kids = new ArrayList<>();
      for (Raw c : r.children) {
        if (c.id != null) {
          kids.add(c.id);
        }
      }
      if (r.id == null || title == null) {
        continue;
      }
      out.add(new FlatNode(r.id, r.parent == null ? null : r.parent.id, r.ordinal, r.depth,
          out.size(), title, start, end, summary, prefix, text, r.path, List.copyOf(kids),
          attrs.isEmpty() ? null : JSON.writeValueAsString(attrs)));
    }
    if (pages > MAX_PAGES) {
      problems.add("the nodes' page ranges hold " + pages + " pages in all, at most "
          + MAX_PAGES);
    }
    if (order.isEmpty() && problems.isEmpty()) {
      problems.add("\"structure\" holds no nodes");
    }
    if (!problems.isEmpty()) {
      throw new Invalid(problems);
    }
    return new ParsedDocument(docName, docDescription, extra.isEmpty() ? null
        : JSON.writeValueAsString(extra), List.copyOf(out), List.copyOf(warnings));
  }

  private static @Nullable String optionalString(JsonNode n, String field, String where,
      List<String> problems) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isString()) {
      problems.add(where + ": \"" + field + "\" must be a string, was "
          + v.getNodeType().name().toLowerCase());
      return null;
    }
    return v.asString();
  }

  private static @Nullable Integer page(JsonNode n, String field, String where,
      List<String> problems) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber() || !v.canConvertToExactIntegral() || !v.canConvertToInt()) {
      problems.add(where + ": \"" + field + "\" must be a non-negative integer, was " + v);
      return null;
    }
    int p = v.asInt();
    if (p < 0) {
      problems.add(where + ": \"" + field + "\" must be a non-negative integer, was " + p);
      return null;
    }
    return p;
  }
}
