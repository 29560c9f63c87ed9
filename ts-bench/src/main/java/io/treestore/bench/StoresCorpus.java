package io.treestore.bench;

import io.treestore.fts.StandardAnalyzer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A seeded synthetic corpus of PageIndex trees shaped like the real ones
 * ({@link PageIndexShape}), for {@link StoresBenchmark}.
 *
 * <p>Each document {@code i} is generated from its own random stream (seed and {@code i}), so
 * any document can be generated again, alone, with the same bytes:
 * <ul>
 *   <li>structure: the number of roots is drawn from the real documents' root counts; a node
 *       at depth {@code d} has children with the real share of internal nodes at that depth
 *       (extrapolated, halving per level, below the real trees' depth 2; none at depth 4, so
 *       at most {@value PageIndexShape#MAX_LEVELS} levels), and then a fan-out drawn from the
 *       real fan-outs;
 *   <li>pages: in document order each node starts a real page step after the previous node's
 *       last page, and spans a real leaf or parent span;
 *   <li>titles: a real title length in words, words drawn from the real titles' words;
 *       summaries on every node of a document with the real share of such documents, each of
 *       a real summary length;
 *   <li>text ({@link Text#PAGES}): as in the real {@code .with_text} trees, a node's text is
 *       the concatenation of the texts of its pages; a page has a real page length, its words
 *       drawn from the real texts' word frequencies (97 %) or from a Zipf-distributed tail of
 *       a million synthetic rare words (3 %, so that the vocabulary keeps growing with the
 *       corpus as real text does), with sentence and line breaks. {@link Text#NONE} leaves
 *       the text out, like the published PageIndex output.
 * </ul>
 * Node ids are four-digit numbers in document order (as PageIndex assigns them); document ids
 * are {@code doc000000}, {@code doc000001}, ...; every document is stored as version
 * {@value #VERSION}. Documents are generated until the corpus holds at least the requested
 * number of nodes.
 *
 * <p>The corpus named {@value #REAL} ({@link #named}) is not generated: it is the real
 * {@code *.with_text.json} trees of the data set directory ({@link PageIndexShape#dir}), in
 * file name order, as documents {@code doc000000}, {@code doc000001}, ..., their JSON stored
 * byte for byte; its seed is a CRC-32 of the files, so that a changed data set is built
 * again.
 */
final class StoresCorpus {
  /** Whether nodes carry the text of their pages. */
  enum Text {
    /** Every node has the text of its pages (as the real {@code .with_text} trees). */
    PAGES,
    /** No text (titles, pages and summaries only, as the published PageIndex output). */
    NONE,
    /** Titles and pages only (as three of the five published trees). */
    TITLES
  }

  /** The name of the corpus of the real trees. */
  static final String REAL = "real";
  /** The version id every corpus document is stored under. */
  static final String VERSION = "v1";
  /** The effective date of every corpus document. */
  static final String DATE = "2026-01-01";

  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final int TAIL_WORDS = 1_000_000;
  private static final double TAIL_SHARE = 0.03;

  /** One generated tree's structure, without texts. */
  record Tree(int[] depth, int[] parent, int[] kids, int[] start, int[] end, int pages) {
    int size() {
      return depth.length;
    }
  }

  final PageIndexShape shape;
  final long seed;
  final Text text;
  /** Structure of every document, by document index. */
  final List<Tree> docs = new ArrayList<>();
  /** Total nodes. */
  final long nodes;
  /** The real corpus last read, reused while the statistics object is the same. */
  private static @Nullable StoresCorpus lastReal;

  /** The JSON of the real trees by document index, or {@code null} for a synthetic corpus. */
  private final @Nullable List<String> realJson;

  StoresCorpus(PageIndexShape shape, long seed, long targetNodes, Text text) {
    this.shape = shape;
    this.seed = seed;
    this.text = text;
    long n = 0;
    while (n < targetNodes) {
      Tree t = tree(docs.size());
      docs.add(t);
      n += t.size();
    }
    this.nodes = n;
    this.realJson = null;
  }

  /** The real trees: see the class comment. */
  private StoresCorpus(PageIndexShape shape) {
    this.shape = shape;
    this.text = Text.PAGES;
    List<String> jsons = new ArrayList<>();
    CRC32 crc = new CRC32();
    long n = 0;
    try (Stream<Path> s = Files.list(shape.dir)) {
      for (Path f : s.filter(p -> p.getFileName().toString().endsWith(".with_text.json"))
          .sorted().toList()) {
        byte[] bytes = Files.readAllBytes(f);
        crc.update(bytes);
        String json = new String(bytes, StandardCharsets.UTF_8);
        Tree t = realTree(f, JSON.readTree(json).get("structure"));
        docs.add(t);
        jsons.add(json);
        n += t.size();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (jsons.isEmpty()) {
      throw new IllegalStateException("no *.with_text.json PageIndex trees in " + shape.dir);
    }
    this.seed = crc.getValue();
    this.nodes = n;
    this.realJson = jsons;
  }

  /**
   * Returns the corpus of a name: {@value #REAL} for the real trees (read once per JVM and
   * statistics object), else a synthetic corpus named as {@link StoresData.Spec#parse} reads
   * it, from {@link StoresData#SEED}.
   *
   * @param corpus the name
   * @param shape the statistics of the real trees
   * @return the corpus
   */
  static StoresCorpus named(String corpus, PageIndexShape shape) {
    if (corpus.equals(REAL)) {
      synchronized (StoresCorpus.class) {
        StoresCorpus known = lastReal;
        if (known == null || known.shape != shape) {
          known = new StoresCorpus(shape);
          lastReal = known;
        }
        return known;
      }
    }
    StoresData.Spec spec = StoresData.Spec.parse(corpus);
    return new StoresCorpus(shape, StoresData.SEED, spec.nodes(), spec.text());
  }

  /** The structure of a real tree, checking that its node ids are {@link #nodeId} order. */
  private static Tree realTree(Path file, JsonNode structure) {
    List<int[]> out = new ArrayList<>(); // {depth, parent, kids, start, end}
    realNodes(file, structure, 0, -1, out);
    int size = out.size();
    int[] depth = new int[size];
    int[] parent = new int[size];
    int[] kids = new int[size];
    int[] start = new int[size];
    int[] end = new int[size];
    int pages = 1;
    for (int j = 0; j < size; j++) {
      int[] r = out.get(j);
      depth[j] = r[0];
      parent[j] = r[1];
      kids[j] = r[2];
      start[j] = r[3];
      end[j] = r[4];
      pages = Math.max(pages, r[4]);
    }
    return new Tree(depth, parent, kids, start, end, pages);
  }

  private static void realNodes(Path file, JsonNode list, int depth, int parent,
      List<int[]> out) {
    for (JsonNode n : list) {
      int me = out.size();
      String id = n.path("node_id").asString("");
      if (!id.equals(nodeId(me))) {
        throw new IllegalStateException(file + ": node " + me + " in document order has id '"
            + id + "', expected " + nodeId(me));
      }
      int start = n.path("start_index").asInt(1);
      int end = Math.max(start, n.path("end_index").asInt(start));
      JsonNode kids = n.get("nodes");
      int[] rec = {depth, parent, kids == null ? 0 : kids.size(), start, end};
      out.add(rec);
      if (kids != null) {
        realNodes(file, kids, depth + 1, me, out);
      }
    }
  }

  static String docId(int i) {
    return String.format(Locale.ROOT, "doc%06d", i);
  }

  static String nodeId(int i) {
    return String.format(Locale.ROOT, "%04d", i);
  }

  private SplittableRandom random(long stream, long salt) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ stream * 0xC2B2AE3D27D4EB4FL
        ^ salt * 0x165667B19E3779F9L);
  }

  private static int pick(SplittableRandom r, int[] values) {
    return values[r.nextInt(values.length)];
  }

  private static String pick(SplittableRandom r, String[] values) {
    return values[r.nextInt(values.length)];
  }

  /** The structure of document {@code i} (depth-first, document order). */
  Tree tree(int i) {
    return tree(random(i, 1), pick(random(i, 2), shape.roots), Integer.MAX_VALUE);
  }

  /**
   * Generates a structure with {@code roots} roots, or with exactly {@code exactNodes} nodes
   * (then roots are added until that many nodes exist and the last one is cut short).
   */
  Tree tree(SplittableRandom r, int roots, int exactNodes) {
    List<int[]> out = new ArrayList<>(); // {depth, parent, kids}
    int made = 0;
    for (int k = 0; exactNodes == Integer.MAX_VALUE ? k < roots : made < exactNodes; k++) {
      made = grow(r, out, 0, -1, exactNodes);
    }
    int size = out.size();
    int[] depth = new int[size];
    int[] parent = new int[size];
    int[] kids = new int[size];
    int[] start = new int[size];
    int[] end = new int[size];
    int prevEnd = 1;
    for (int j = 0; j < size; j++) {
      depth[j] = out.get(j)[0];
      parent[j] = out.get(j)[1];
      kids[j] = out.get(j)[2];
    }
    for (int j = 0; j < size; j++) {
      start[j] = j == 0 ? 1 : prevEnd + pick(r, shape.pageStep);
      end[j] = start[j] + pick(r, kids[j] > 0 ? shape.parentSpan : shape.leafSpan) - 1;
      prevEnd = end[j];
    }
    return new Tree(depth, parent, kids, start, end, prevEnd);
  }

  private int grow(SplittableRandom r, List<int[]> out, int depth, int parent, int limit) {
    if (out.size() >= limit) {
      return out.size();
    }
    int me = out.size();
    int[] rec = {depth, parent, 0};
    out.add(rec);
    if (depth < PageIndexShape.MAX_LEVELS - 1 && r.nextDouble() < shape.internalShare[depth]) {
      int fan = pick(r, shape.fanout);
      for (int c = 0; c < fan && out.size() < limit; c++) {
        grow(r, out, depth + 1, me, limit);
        rec[2]++;
      }
    }
    return out.size();
  }

  /**
   * Returns document {@code i} as PageIndex JSON.
   *
   * @param i the document index
   * @return the JSON
   */
  String json(int i) {
    List<String> real = realJson;
    return real != null ? real.get(i) : json(i, docs.get(i), random(i, 3));
  }

  /**
   * Returns the tree the ingest benchmarks store: for the real corpus, the real tree with the
   * most nodes (its JSON as in the file); otherwise {@link #ingestTree} of {@code size}.
   *
   * @param size the node count of a synthetic tree
   * @return the JSON
   */
  String ingestDocument(int size) {
    List<String> real = realJson;
    if (real == null) {
      return ingestTree(size);
    }
    int best = 0;
    for (int i = 1; i < docs.size(); i++) {
      if (docs.get(i).size() > docs.get(best).size()) {
        best = i;
      }
    }
    return real.get(best);
  }

  /**
   * Returns a separate tree of exactly {@code size} nodes, drawn like the corpus trees, as
   * PageIndex JSON (the ingest benchmark's tree).
   *
   * @param size the node count
   * @return the JSON
   */
  String ingestTree(int size) {
    SplittableRandom r = random(-1, 1);
    Tree t = tree(r, Integer.MAX_VALUE, size);
    if (t.size() != size) {
      throw new IllegalStateException("ingest tree has " + t.size() + " nodes, not " + size);
    }
    return json(-1, t, random(-1, 3));
  }

  private String json(int doc, Tree t, SplittableRandom r) {
    boolean summaries = r.nextDouble() < shape.summaryDocShare && text != Text.TITLES;
    boolean description = r.nextDouble() < shape.descriptionShare && text != Text.TITLES;
    StringBuilder b = new StringBuilder(text == Text.PAGES ? t.size() * 8192 : t.size() * 256);
    b.append("{\"doc_name\": ");
    str(b, "synthetic-" + (doc < 0 ? "ingest" : docId(doc)) + ".pdf");
    if (description) {
      b.append(", \"doc_description\": ");
      str(b, words(r, pick(r, shape.summaryChars) / 4));
    }
    b.append(", \"structure\": [");
    Map<Integer, String> pages = new HashMap<>();
    int j = 0;
    while (j < t.size()) {
      if (j > 0) {
        b.append(", ");
      }
      j = node(b, doc, t, j, r, summaries, pages);
    }
    b.append("]}");
    return b.toString();
  }

  /** Writes node {@code j} and its subtree; returns the index after the subtree. */
  private int node(StringBuilder b, int doc, Tree t, int j, SplittableRandom r,
      boolean summaries, Map<Integer, String> pages) {
    b.append("{\"title\": ");
    str(b, title(r));
    b.append(", \"start_index\": ").append(t.start[j]).append(", \"end_index\": ")
        .append(t.end[j]);
    if (summaries) {
      b.append(", \"summary\": ");
      str(b, words(r, pick(r, shape.summaryChars)));
    }
    int next = j + 1;
    if (t.kids[j] > 0) {
      b.append(", \"nodes\": [");
      for (int c = 0; c < t.kids[j]; c++) {
        if (c > 0) {
          b.append(", ");
        }
        next = node(b, doc, t, next, r, summaries, pages);
      }
      b.append(']');
    }
    b.append(", \"node_id\": \"").append(nodeId(j)).append('"');
    if (text == Text.PAGES) {
      b.append(", \"text\": \"");
      for (int p = t.start[j]; p <= t.end[j]; p++) {
        b.append(pages.computeIfAbsent(p, k -> escape(page(doc, k))));
      }
      b.append('"');
    }
    b.append('}');
    return next;
  }

  private String title(SplittableRandom r) {
    int n = pick(r, shape.titleWords);
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < n; k++) {
      if (k > 0) {
        b.append(' ');
      }
      b.append(pick(r, shape.titleVocabulary));
    }
    return b.toString();
  }

  private String page(int doc, int page) {
    SplittableRandom r = random(doc, 1_000_000L + page);
    return words(r, pick(r, shape.pageChars)) + "\n";
  }

  /** Sentences of corpus words, about {@code chars} characters. */
  private String words(SplittableRandom r, int chars) {
    StringBuilder b = new StringBuilder(chars + 32);
    int inSentence = 0;
    int sentence = 8 + r.nextInt(20);
    while (b.length() < chars) {
      String w = word(r);
      if (inSentence == 0) {
        w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
      }
      b.append(w);
      if (++inSentence == sentence) {
        b.append(r.nextInt(4) == 0 ? ".\n" : ". ");
        inSentence = 0;
        sentence = 8 + r.nextInt(20);
      } else {
        b.append(r.nextInt(12) == 0 ? ", " : " ");
      }
    }
    return b.toString();
  }

  private String word(SplittableRandom r) {
    if (r.nextDouble() < TAIL_SHARE) {
      int k = (int) Math.pow(TAIL_WORDS, r.nextDouble());
      return "zq" + Integer.toString(k, 26).replace('0', 'w').replace('1', 'x')
          .replace('2', 'y').replace('3', 'z').replace('4', 'u').replace('5', 'v')
          .replace('6', 'r').replace('7', 's').replace('8', 't').replace('9', 'o');
    }
    long x = r.nextLong(shape.cumulative[shape.cumulative.length - 1]);
    int i = Arrays.binarySearch(shape.cumulative, x + 1);
    return shape.words[i >= 0 ? i : -i - 1];
  }

  /**
   * Returns {@code count} two-word queries of real words: for corpora with text or summaries,
   * words of frequency ranks 50 to 2,000 in the real texts; for {@link Text#TITLES}, words of
   * the real titles (all but the 10 most frequent, since titles are all there is to find).
   * Only words of at least three letters a-z that are neither stop words nor FTS5 operators.
   *
   * @param count how many
   * @return the queries, words separated by a space
   */
  List<String> queries(int count) {
    List<String> ranked = new ArrayList<>();
    int from;
    int to;
    if (text == Text.TITLES) {
      Map<String, Integer> freq = new HashMap<>();
      for (String w : shape.titleVocabulary) {
        freq.merge(w.toLowerCase(Locale.ROOT), 1, Integer::sum);
      }
      List<Map.Entry<String, Integer>> e = new ArrayList<>(new java.util.TreeMap<>(freq)
          .entrySet());
      e.sort((a, b) -> Integer.compare(b.getValue(), a.getValue()));
      for (Map.Entry<String, Integer> x : e) {
        ranked.add(x.getKey());
      }
      from = 10;
      to = ranked.size();
    } else {
      ranked.addAll(Arrays.asList(shape.words));
      from = 50;
      to = Math.min(2000, ranked.size());
    }
    List<String> pool = new ArrayList<>();
    for (int i = from; i < to; i++) {
      String w = ranked.get(i);
      if (w.length() >= 3 && w.chars().allMatch(c -> c >= 'a' && c <= 'z')
          && !StandardAnalyzer.STOP_WORDS.contains(w) && !FTS5_KEYWORDS.contains(w)) {
        pool.add(w);
      }
    }
    SplittableRandom r = random(-2, 1);
    List<String> out = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      String a = pool.get(r.nextInt(pool.size()));
      String b;
      do {
        b = pool.get(r.nextInt(pool.size()));
      } while (b.equals(a));
      out.add(a + " " + b);
    }
    return out;
  }

  private static final java.util.Set<String> FTS5_KEYWORDS = java.util.Set.of("and", "or",
      "not", "near");

  private static void str(StringBuilder b, String s) {
    b.append('"').append(escape(s)).append('"');
  }

  private static String escape(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String rep = switch (c) {
        case '"' -> "\\\"";
        case '\\' -> "\\\\";
        case '\n' -> "\\n";
        case '\r' -> "\\r";
        case '\t' -> "\\t";
        default -> c < 0x20 ? String.format(Locale.ROOT, "\\u%04x", (int) c) : null;
      };
      if (rep != null && b == null) {
        b = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (b != null) {
        if (rep != null) {
          b.append(rep);
        } else {
          b.append(c);
        }
      }
    }
    return b == null ? s : b.toString();
  }
}
