package io.treestore.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The statistics of the real PageIndex trees ({@code ../shared/datasets/pageindex/*.with_text.json})
 * that {@link StoresCorpus} draws its synthetic trees from: roots per document, the share of
 * nodes with children at each depth, fan-outs, page spans of leaves and of parents, the page
 * step from one node to the next in document order, the text length of one page, title
 * lengths, the share of documents with summaries and the summary lengths, and the words of
 * titles and texts with their frequencies.
 *
 * <p>Every statistic is an empirical list sampled uniformly (so the synthetic values follow the
 * real distribution, value for value), except the share of internal nodes at depths the real
 * trees do not reach (see {@link #internalShare}).
 *
 * <p>The directory is the system property {@value #DIR_PROPERTY}, else the project's
 * {@value #DATASET_PROPERTY}, else the environment variable {@code TS_BENCH_PAGEINDEX}, else
 * {@code ../shared/datasets/pageindex} or {@code /work/shared/datasets/pageindex}, whichever
 * exists. The statistics of a directory are computed once per JVM.
 */
final class PageIndexShape {
  /** System property naming the directory of the real trees. */
  static final String DIR_PROPERTY = "ts.bench.pageindex";
  /** The project's system property naming the directory of the real trees. */
  static final String DATASET_PROPERTY = "ts.dataset.dir";
  /** The most levels a synthetic tree has (depths 0 to 4). */
  static final int MAX_LEVELS = 5;

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /** Roots per document, one entry per real document. */
  final int[] roots;
  /** Fan-out of each real internal node. */
  final int[] fanout;
  /** Share of nodes with children, by depth; extrapolated beyond the real depths. */
  final double[] internalShare;
  /** {@code end - start + 1} of each real leaf (a quirky {@code end < start} counts as 1). */
  final int[] leafSpan;
  /** The same for each real internal node. */
  final int[] parentSpan;
  /** {@code start - previous end} for each real node after the first, in document order. */
  final int[] pageStep;
  /** Characters of one page's text (the texts of the real one-page nodes). */
  final int[] pageChars;
  /** Words in each real title. */
  final int[] titleWords;
  /** Characters of each real summary. */
  final int[] summaryChars;
  /** Share of real documents whose nodes carry summaries. */
  final double summaryDocShare;
  /** Share of real documents with a {@code doc_description}. */
  final double descriptionShare;
  /** Text words (lower case) by descending frequency. */
  final String[] words;
  /** Cumulative frequencies of {@link #words}. */
  final long[] cumulative;
  /** Title words (original case), one entry per occurrence. */
  final String[] titleVocabulary;
  /** Nodes of each real document. */
  final int[] docNodes;
  /** The directory the statistics were read from. */
  final Path dir;

  private static @Nullable PageIndexShape last;

  private PageIndexShape(Path dir) throws IOException {
    this.dir = dir;
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".with_text.json")).sorted()
          .toList();
    }
    if (files.isEmpty()) {
      throw new IllegalStateException("no *.with_text.json PageIndex trees in " + dir);
    }
    List<Integer> rootsL = new ArrayList<>();
    List<Integer> fanoutL = new ArrayList<>();
    List<Integer> leafSpanL = new ArrayList<>();
    List<Integer> parentSpanL = new ArrayList<>();
    List<Integer> stepL = new ArrayList<>();
    List<Integer> pageCharsL = new ArrayList<>();
    List<Integer> titleWordsL = new ArrayList<>();
    List<Integer> summaryL = new ArrayList<>();
    List<Integer> docNodesL = new ArrayList<>();
    List<String> titleVocab = new ArrayList<>();
    Map<String, Long> freq = new HashMap<>();
    int[] atDepth = new int[MAX_LEVELS];
    int[] internalAtDepth = new int[MAX_LEVELS];
    int summaryDocs = 0;
    int descDocs = 0;
    for (Path f : files) {
      JsonNode root = JSON.readTree(Files.readString(f));
      if (root.has("doc_description")) {
        descDocs++;
      }
      List<JsonNode> order = new ArrayList<>();
      List<Integer> depths = new ArrayList<>();
      JsonNode structure = root.get("structure");
      rootsL.add(structure.size());
      flatten(structure, 0, order, depths);
      docNodesL.add(order.size());
      boolean summaries = false;
      int prevEnd = -1;
      for (int i = 0; i < order.size(); i++) {
        JsonNode n = order.get(i);
        int d = depths.get(i);
        int kids = n.has("nodes") ? n.get("nodes").size() : 0;
        atDepth[d]++;
        if (kids > 0) {
          internalAtDepth[d]++;
          fanoutL.add(kids);
        }
        int start = n.get("start_index").asInt();
        int end = n.get("end_index").asInt();
        int span = Math.max(1, end - start + 1);
        (kids > 0 ? parentSpanL : leafSpanL).add(span);
        if (prevEnd >= 0) {
          stepL.add(Math.max(0, start - prevEnd));
        }
        prevEnd = Math.max(start, end);
        String text = n.has("text") ? n.get("text").asString() : "";
        if (span == 1 && !text.isEmpty()) {
          pageCharsL.add(text.length());
        }
        for (String w : tokens(text)) {
          freq.merge(w.toLowerCase(Locale.ROOT), 1L, Long::sum);
        }
        List<String> tw = tokens(n.get("title").asString());
        titleWordsL.add(Math.max(1, tw.size()));
        titleVocab.addAll(tw);
        if (n.has("summary")) {
          summaries = true;
          summaryL.add(n.get("summary").asString().length());
        }
      }
      if (summaries) {
        summaryDocs++;
      }
    }
    this.roots = ints(rootsL);
    this.fanout = ints(fanoutL);
    this.leafSpan = ints(leafSpanL);
    this.parentSpan = ints(parentSpanL);
    this.pageStep = ints(stepL);
    this.pageChars = ints(pageCharsL);
    this.titleWords = ints(titleWordsL);
    this.summaryChars = ints(summaryL);
    this.docNodes = ints(docNodesL);
    this.summaryDocShare = (double) summaryDocs / files.size();
    this.descriptionShare = (double) descDocs / files.size();
    this.titleVocabulary = titleVocab.toArray(String[]::new);
    // real depths: measured; deeper: half the share of the level above, none at the last
    this.internalShare = new double[MAX_LEVELS];
    for (int d = 0; d < MAX_LEVELS - 1; d++) {
      if (atDepth[d] > 0 && internalAtDepth[d] > 0) {
        internalShare[d] = (double) internalAtDepth[d] / atDepth[d];
      } else {
        internalShare[d] = d == 0 ? 0 : internalShare[d - 1] / 2;
      }
    }
    List<Map.Entry<String, Long>> byFreq = new ArrayList<>(new TreeMap<>(freq).entrySet());
    byFreq.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
    this.words = new String[byFreq.size()];
    this.cumulative = new long[byFreq.size()];
    long sum = 0;
    for (int i = 0; i < byFreq.size(); i++) {
      words[i] = byFreq.get(i).getKey();
      sum += byFreq.get(i).getValue();
      cumulative[i] = sum;
    }
  }

  /**
   * Loads the statistics from the directory named as the class comment says.
   *
   * @return the statistics
   * @throws IllegalStateException if no directory with real trees is found
   */
  static synchronized PageIndexShape load() {
    String configured = System.getProperty(DIR_PROPERTY, System.getProperty(DATASET_PROPERTY,
        System.getenv("TS_BENCH_PAGEINDEX")));
    List<Path> candidates = configured != null ? List.of(Path.of(configured))
        : List.of(Path.of("../shared/datasets/pageindex"),
            Path.of("/work/shared/datasets/pageindex"));
    for (Path p : candidates) {
      if (Files.isDirectory(p)) {
        PageIndexShape known = last;
        if (known != null && known.dir.equals(p)) {
          return known;
        }
        try {
          PageIndexShape shape = new PageIndexShape(p);
          last = shape;
          return shape;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    throw new IllegalStateException("real PageIndex trees not found in " + candidates
        + "; set -D" + DIR_PROPERTY + "=<dir>");
  }

  private static void flatten(JsonNode list, int depth, List<JsonNode> out,
      List<Integer> depths) {
    for (JsonNode n : list) {
      out.add(n);
      depths.add(depth);
      if (n.has("nodes")) {
        flatten(n.get("nodes"), depth + 1, out, depths);
      }
    }
  }

  /** Runs of letters and digits, as both engines' tokenizers split them. */
  static List<String> tokens(String s) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      if (Character.isLetterOrDigit(cp)) {
        int j = i;
        while (j < s.length() && Character.isLetterOrDigit(s.codePointAt(j))) {
          j += Character.charCount(s.codePointAt(j));
        }
        out.add(s.substring(i, j));
        i = j;
      } else {
        i += Character.charCount(cp);
      }
    }
    return out;
  }

  private static int[] ints(List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Returns a one-line description of the statistics, for the run log.
   *
   * @return the description
   */
  String describe() {
    return String.format(Locale.ROOT, "real trees: %d documents, nodes %s, roots %s,"
        + " internal share by depth %s, %d fan-outs (mean %.1f), %d leaf spans (mean %.2f),"
        + " %d parent spans (mean %.2f), %d page texts (mean %.0f chars), %d distinct words,"
        + " summaries in %.0f%% of documents (mean %.0f chars)", docNodes.length,
        java.util.Arrays.toString(docNodes), java.util.Arrays.toString(roots),
        java.util.Arrays.toString(internalShare), fanout.length, mean(fanout), leafSpan.length,
        mean(leafSpan), parentSpan.length, mean(parentSpan), pageChars.length, mean(pageChars),
        words.length, summaryDocShare * 100, mean(summaryChars));
  }

  private static double mean(int[] a) {
    return a.length == 0 ? 0 : java.util.Arrays.stream(a).average().orElse(0);
  }
}
