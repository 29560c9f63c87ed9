package io.treestore.bench;

import io.treestore.stores.documents.DocumentApi;
import io.treestore.wal.Durability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Checks that {@link TreeStoreDocs} and {@link SqliteDocs} give the same answers on a corpus
 * (the precondition for comparing their speed), and prints the corpus statistics and build
 * figures. Not a benchmark:
 *
 * {@snippet lang="shell" :
 * java --enable-native-access=ALL-UNNAMED -cp ts-bench/target/benchmarks.jar \
 *     io.treestore.bench.StoresCheck 5k-pages /tmp/stores-check
 * }
 *
 * <p>Node, children, subtree (depth 2 and full), ancestors and page answers must be equal
 * record for record; search answers are compared by their hit sets (the engines' tokenizers
 * and BM25 statistics differ in details, see {@link SqliteDocs}), and the overlap is printed.
 */
public final class StoresCheck {
  private StoresCheck() {}

  /**
   * Runs the check.
   *
   * @param args corpus name (as {@link StoresBenchmark#corpus}), the stores directory, and
   *     optionally the number of search queries to compare (default 200)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    String corpusName = args.length > 0 ? args[0] : "5k-pages";
    Path dir = Path.of(args.length > 1 ? args[1] : "/tmp/stores-check");
    System.setProperty(StoresData.DIR_PROPERTY, dir.toString());
    Files.createDirectories(dir);
    StoresData.Spec spec = StoresData.Spec.parse(corpusName);
    PageIndexShape shape = PageIndexShape.load();
    System.out.println(shape.describe());
    long t0 = System.nanoTime();
    StoresCorpus c = new StoresCorpus(shape, StoresData.SEED, spec.nodes(), spec.text());
    int maxDepth = 0;
    int[] byDepth = new int[PageIndexShape.MAX_LEVELS];
    long internal = 0;
    int biggest = 0;
    for (StoresCorpus.Tree t : c.docs) {
      biggest = Math.max(biggest, t.size());
      for (int j = 0; j < t.size(); j++) {
        byDepth[t.depth()[j]]++;
        maxDepth = Math.max(maxDepth, t.depth()[j]);
        internal += t.kids()[j] > 0 ? 1 : 0;
      }
    }
    long chars = 0;
    for (int i = 0; i < Math.min(200, c.docs.size()); i++) {
      chars += c.json(i).length();
    }
    System.out.printf(Locale.ROOT, "corpus %s: %d documents, %d nodes (largest %d), nodes by"
        + " depth %s, %d internal, JSON %.0f chars per node (first 200 documents); structure"
        + " in %.1f s%n", corpusName, c.docs.size(), c.nodes, biggest,
        java.util.Arrays.toString(byDepth), internal, (double) chars / nodesOf(c, 200),
        (System.nanoTime() - t0) / 1e9);
    String ingest = c.ingestTree(StoresBenchmark.INGEST_NODES);
    System.out.printf(Locale.ROOT, "ingest tree: %d chars of JSON%n", ingest.length());

    Path tsDir = StoresData.built("treestore", c, corpusName);
    Path sqDir = StoresData.built("sqlite", c, corpusName);
    try (TreeStoreDocs ts = new TreeStoreDocs(tsDir.resolve("db"), Durability.SYNC,
        2 * StoresData.sizeOf(tsDir.resolve("db")));
        SqliteDocs sq = new SqliteDocs(sqDir.resolve("db"), true,
            2 * StoresData.sizeOf(sqDir.resolve("db")) / 1024)) {
      System.out.print(sq.plans());
      System.out.println(ts.settings());
      System.out.println(sq.settings());
      SplittableRandom r = new SplittableRandom(1);
      int checked = 0;
      for (int k = 0; k < 2000; k++) {
        int d = r.nextInt(c.docs.size());
        StoresCorpus.Tree t = c.docs.get(d);
        int j = r.nextInt(t.size());
        String doc = StoresCorpus.docId(d);
        String node = StoresCorpus.nodeId(j);
        same("getNode " + doc + "/" + node, ts.getNode(doc, node), sq.getNode(doc, node));
        same("getChildren " + doc + "/" + node, ts.getChildren(doc, node),
            sq.getChildren(doc, node));
        same("getSubtree2 " + doc + "/" + node, ts.getSubtree(doc, node, 2),
            sq.getSubtree(doc, node, 2));
        same("getSubtree " + doc + "/" + node, ts.getSubtree(doc, node, null),
            sq.getSubtree(doc, node, null));
        same("getAncestorPath " + doc + "/" + node, ts.getAncestorPath(doc, node),
            sq.getAncestorPath(doc, node));
        int page = 1 + r.nextInt(t.pages());
        same("getNodesByPage " + doc + "/" + page, ts.getNodesByPage(doc, page),
            sq.getNodesByPage(doc, page));
        checked++;
      }
      System.out.println("equal answers for " + checked + " x 6 reads");
      List<String> qs = c.queries(args.length > 2 ? Integer.parseInt(args[2]) : 200);
      double overlapDoc = 0;
      double overlapAll = 0;
      int n = 0;
      for (String q : qs) {
        String doc = StoresCorpus.docId(r.nextInt(c.docs.size()));
        overlapDoc += overlap(ts.search(q, doc), sq.search(q, doc), n < 2);
        overlapAll += overlap(ts.search(q, null), sq.search(q, null), n < 2);
        n++;
      }
      System.out.printf(Locale.ROOT, "search: mean top-10 overlap in one document %.2f,"
          + " over all %.2f (%d queries)%n", overlapDoc / n, overlapAll / n, n);
      // ingest round trip
      ts.ingest("check-ingest", ingest);
      sq.ingest("check-ingest", ingest);
      same("ingested subtree", ts.getSubtree("check-ingest", "0000", null),
          sq.getSubtree("check-ingest", "0000", null));
      ts.delete("check-ingest");
      sq.delete("check-ingest");
      System.out.println("ingest round trip equal");
      for (int k = 0; k < 5; k++) {
        long a = System.nanoTime();
        ts.ingest("timed" + k, ingest);
        long b = System.nanoTime();
        sq.ingest("timed" + k, ingest);
        long e = System.nanoTime();
        System.out.printf(Locale.ROOT, "ingest %d: treestore %.1f ms, sqlite %.1f ms%n", k,
            (b - a) / 1e6, (e - b) / 1e6);
      }
      for (int k = 0; k < 5; k++) {
        ts.delete("timed" + k);
        sq.delete("timed" + k);
      }
    }
  }

  private static long nodesOf(StoresCorpus c, int docs) {
    long n = 0;
    for (int i = 0; i < Math.min(docs, c.docs.size()); i++) {
      n += c.docs.get(i).size();
    }
    return n;
  }

  private static void same(String what, Object a, Object b) {
    Object x = strip(a);
    Object y = strip(b);
    if (!Objects.equals(x, y)) {
      throw new AssertionError(what + " differs:\n treestore " + a + "\n sqlite    " + b);
    }
  }

  /** TreeStore and SQLite fill every field alike; nothing to strip (kept for clarity). */
  private static Object strip(Object o) {
    return o;
  }

  private static double overlap(DocumentApi.SearchResult a, DocumentApi.SearchResult b,
      boolean print) {
    Set<String> x = new HashSet<>();
    for (DocumentApi.Hit h : a.hits()) {
      x.add(h.docId() + "/" + h.nodeId());
    }
    List<String> y = new ArrayList<>();
    for (DocumentApi.Hit h : b.hits()) {
      y.add(h.docId() + "/" + h.nodeId());
    }
    if (print) {
      System.out.println("  treestore " + a.hits().stream().map(h -> h.docId() + "/"
          + h.nodeId() + String.format(Locale.ROOT, "(%.2f) %s", h.score(), h.ancestors()))
          .toList());
      System.out.println("  sqlite    " + b.hits().stream().map(h -> h.docId() + "/"
          + h.nodeId() + String.format(Locale.ROOT, "(%.2f) %s", h.score(), h.ancestors()))
          .toList());
      if (!a.hits().isEmpty()) {
        System.out.println("  snippets: " + a.hits().get(0).snippet() + "\n            "
            + b.hits().get(0).snippet());
      }
    }
    if (x.isEmpty() && y.isEmpty()) {
      return 1;
    }
    int common = 0;
    for (String s : y) {
      common += x.contains(s) ? 1 : 0;
    }
    return (double) common / Math.max(x.size(), y.size());
  }
}
