package io.treestore.fts;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import io.treestore.index.Tuple;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/** Test corpora: the real PageIndex trees and seeded random ones. */
final class Corpus {
  /** One unit to index: its key, its field texts in field order, its outline path. */
  record Doc(Tuple key, Map<String, String> fields, String path) {
    Unit unit() {
      return new Unit(fields, path);
    }
  }

  private Corpus() {}

  static Path datasetDir() {
    String d = System.getProperty("ts.dataset.dir");
    Path p = d != null ? Path.of(d) : Path.of("../../shared/datasets/pageindex");
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException("dataset directory missing: " + p.toAbsolutePath());
    }
    return p;
  }

  /** Every node of every {@code *.with_text.json} tree, keyed (file stem, node id). */
  static List<Doc> pageIndex() throws IOException {
    List<Doc> out = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    List<Path> files;
    try (Stream<Path> s = Files.list(datasetDir())) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".with_text.json")).sorted()
          .toList();
    }
    for (Path f : files) {
      String doc = f.getFileName().toString().replace(".with_text.json", "");
      JsonNode root = json.readTree(f.toFile());
      JsonNode structure = root.has("structure") ? root.get("structure") : root;
      int[] counter = {0};
      walk(doc, structure, "", out, counter);
    }
    return out;
  }

  private static void walk(String doc, JsonNode nodes, String parentPath, List<Doc> out,
      int[] counter) {
    if (nodes == null || !nodes.isArray()) {
      return;
    }
    int ordinal = 0;
    for (JsonNode n : nodes) {
      ordinal++;
      String path = parentPath.isEmpty() ? String.valueOf(ordinal) : parentPath + "." + ordinal;
      String id = n.hasNonNull("node_id") ? n.get("node_id").asString()
          : String.format("gen%05d", counter[0]);
      counter[0]++;
      Map<String, String> fields = new LinkedHashMap<>();
      for (String f : FullTextOptions.PAGEINDEX_FIELDS) {
        if (n.hasNonNull(f)) {
          fields.put(f, n.get(f).asString());
        }
      }
      out.add(new Doc(Tuple.of(doc, id), fields, path));
      walk(doc, n.get("nodes"), path, out, counter);
    }
  }

  /**
   * A random corpus: Zipf-distributed words from a vocabulary of {@code vocabulary} words,
   * stop words mixed in, units of 1 to {@code maxLength} words over 1 to 4 fields.
   */
  static List<Doc> random(long seed, int units, int vocabulary, int maxLength) {
    Random r = new Random(seed);
    String[] words = new String[vocabulary];
    for (int i = 0; i < vocabulary; i++) {
      words[i] = word(r, i);
    }
    double[] cdf = new double[vocabulary];
    double sum = 0;
    for (int i = 0; i < vocabulary; i++) {
      sum += 1.0 / (i + 1);
      cdf[i] = sum;
    }
    List<String> stops = new ArrayList<>(StandardAnalyzer.STOP_WORDS);
    stops.sort(null);
    List<Doc> out = new ArrayList<>();
    for (int u = 0; u < units; u++) {
      Map<String, String> fields = new LinkedHashMap<>();
      for (String f : FullTextOptions.PAGEINDEX_FIELDS) {
        if (f.equals("title") || r.nextInt(3) > 0) {
          int len = 1 + r.nextInt(f.equals("title") ? 6 : maxLength);
          StringBuilder sb = new StringBuilder();
          for (int w = 0; w < len; w++) {
            if (w > 0) {
              sb.append(r.nextInt(10) == 0 ? ", " : " ");
            }
            if (r.nextInt(5) == 0) {
              sb.append(stops.get(r.nextInt(stops.size())));
            } else {
              double x = r.nextDouble() * sum;
              int idx = java.util.Arrays.binarySearch(cdf, x);
              idx = idx < 0 ? -idx - 1 : idx;
              String word = words[Math.min(idx, vocabulary - 1)];
              sb.append(r.nextInt(8) == 0 ? word.toUpperCase(java.util.Locale.ROOT) : word);
            }
          }
          fields.put(f, sb.toString());
        }
      }
      out.add(new Doc(Tuple.of("d" + (u % 7), (long) u), fields, (1 + u % 5) + "."
          + (1 + u % 3)));
    }
    return out;
  }

  private static String word(Random r, int i) {
    String letters = "abcdefghijklmnopqrstuvwxyz";
    StringBuilder sb = new StringBuilder();
    int len = 2 + r.nextInt(7);
    for (int k = 0; k < len; k++) {
      sb.append(letters.charAt(r.nextInt(letters.length())));
    }
    if (i % 50 == 0) {
      sb.append("é");
    }
    return sb.append(i % 10 == 0 ? String.valueOf(i) : "").toString();
  }
}
