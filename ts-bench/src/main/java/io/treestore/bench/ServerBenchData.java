package io.treestore.bench;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import io.treestore.stores.documents.DocumentApi;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The data of {@link ServerBenchmark}: a copy of an ingested TreeStore data directory
 * (built once per run, see {@link #TEMPLATE_PROPERTY}), opened as {@code treestore serve}
 * opens it ({@code TreeStore.open(dir, TreeStoreOptions.defaults())}, stores discovered
 * on the class path), holding two documents, both version {@value #VERSION}:
 * <ul>
 *   <li>{@value #REAL_DOC}: the largest real PageIndex tree of the shared data sets,
 *       {@code 2023-annual-report.with_text.json} (76 nodes, depths 0 to 2, every node with
 *       the text of its pages);
 *   <li>{@value #SYNTH_DOC}: a seeded synthetic tree of 4,678 nodes, depths 0 to 5
 *       (see {@link #syntheticJson}), titles and summaries only (no page text), for deeper and
 *       larger subtrees.
 * </ul>
 * After ingesting, the nodes are read back through the embedded API ({@code GetTree}), so
 * the PostgreSQL peer loads exactly what TreeStore stored (ids, titles, texts, section paths,
 * depths, ordinals).
 */
final class ServerBenchData implements AutoCloseable {
  /** Document id of the real tree. */
  static final String REAL_DOC = "annual-report-2023";
  /** Document id of the synthetic tree. */
  static final String SYNTH_DOC = "synthetic-deep";
  /** Version id of both documents. */
  static final String VERSION = "v1";
  /** Effective date of both documents (in the past, so they are in effect today). */
  static final String DATE = "2026-01-01";
  /** Seed of the synthetic tree. */
  static final long TREE_SEED = 0x5E7BE7C4L;

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /**
   * One stored node, as TreeStore returns it, with its position among its siblings.
   *
   * @param docId the document
   * @param node the node as {@code GetTree} returned it (children dropped)
   * @param ordinal 0-based position among its siblings (roots: among the roots)
   */
  record Row(String docId, DocumentApi.Node node, int ordinal) {}

  /** The node ids of one document, by what the operations draw from. */
  static final class Doc {
    /** The document id. */
    final String docId;
    /** Every node. */
    final List<Row> rows = new ArrayList<>();
    /** Ids of all nodes (GetNode draws from these). */
    String[] all = new String[0];
    /** Ids of the nodes with children (GetSubtree draws from these). */
    String[] internal = new String[0];
    /** Ids of the nodes below the roots (GetAncestorPath draws from these). */
    String[] nonRoot = new String[0];
    /** Deepest depth. */
    int maxDepth;

    Doc(String docId) {
      this.docId = docId;
    }
  }

  final Path dir;
  final TreeStore ts;
  final Doc real;
  final Doc synthetic;

  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final Thread hook;

  private ServerBenchData(Path dir, TreeStore ts, Doc real, Doc synthetic) {
    this.dir = dir;
    this.ts = ts;
    this.real = real;
    this.synthetic = synthetic;
    // deletes the directory also when the forked JVM is stopped before its teardown
    this.hook = new Thread(this::closeAndDelete, "ts-bench-data-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Creates a temporary data directory, opens TreeStore on it and ingests both documents.
   *
   * @return the data
   */
  static ServerBenchData create() {
    Path template = Path.of(System.getProperty(TEMPLATE_PROPERTY,
        Path.of(System.getProperty("java.io.tmpdir"), "ts-server-bench-template").toString()));
    Path dir;
    try {
      dir = Files.createTempDirectory("ts-server-bench-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    requestLogToFile(dir.resolve("requests.log"));
    try {
      buildTemplate(template);
    } catch (RuntimeException e) {
      deleteTree(dir);
      throw e;
    }
    TreeStore ts = null;
    try {
      long t0 = System.nanoTime();
      copyTree(template.resolve("data"), dir.resolve("data"));
      long t1 = System.nanoTime();
      ts = TreeStore.open(dir.resolve("data"), TreeStoreOptions.defaults());
      long t2 = System.nanoTime();
      ServerBenchData d = new ServerBenchData(dir, ts, read(ts, REAL_DOC), read(ts, SYNTH_DOC));
      System.out.printf(java.util.Locale.ROOT, "[data] copy %.2f s, open %.2f s, read back"
          + " %.2f s%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9, (System.nanoTime() - t2) / 1e9);
      return d;
    } catch (IOException | RuntimeException e) {
      if (ts != null) {
        ts.close();
      }
      deleteTree(dir);
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /**
   * System property naming the directory where the ingested database is kept between trials
   * (default {@code <java.io.tmpdir>/ts-server-bench-template}); delete it after a run.
   */
  static final String TEMPLATE_PROPERTY = "ts.bench.server.template";

  /**
   * Ingests both documents into {@code template/data} with {@code TreeStore.open(dir,
   * TreeStoreOptions.defaults())} and closes it, unless a complete template exists already;
   * every trial then opens its own copy (ingesting the synthetic tree takes long enough that
   * doing it in every trial would dominate the run).
   */
  private static void buildTemplate(Path template) {
    Path done = template.resolve("COMPLETE");
    if (Files.exists(done)) {
      System.out.println("[data] reusing the ingested template " + template);
      return;
    }
    deleteTree(template);
    try {
      Files.createDirectories(template);
      long t0 = System.nanoTime();
      try (TreeStore ts = TreeStore.open(template.resolve("data"),
          TreeStoreOptions.defaults())) {
        ts.call("documents", "StoreDocument", new DocumentApi.StoreDocument(REAL_DOC, VERSION,
            DATE, Files.readString(realTreeFile())));
        ts.call("documents", "StoreDocument", new DocumentApi.StoreDocument(SYNTH_DOC, VERSION,
            DATE, syntheticJson(PageIndexShape.load(), TREE_SEED)));
      }
      Files.writeString(done, "ingested " + REAL_DOC + " and " + SYNTH_DOC + "\n");
      System.out.printf(java.util.Locale.ROOT, "[data] ingested the template %s in %.1f s%n",
          template, (System.nanoTime() - t0) / 1e9);
    } catch (IOException e) {
      deleteTree(template);
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      deleteTree(template);
      throw e;
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  /**
   * Returns one of the documents by the benchmark's parameter value.
   *
   * @param dataset {@code real} or {@code synthetic}
   * @return the document
   */
  Doc doc(String dataset) {
    return switch (dataset) {
      case "real" -> real;
      case "synthetic" -> synthetic;
      default -> throw new IllegalArgumentException("dataset must be real or synthetic, was "
          + dataset);
    };
  }

  /** The largest real PageIndex tree (by file size) of the shared data sets. */
  static Path realTreeFile() throws IOException {
    Path dirOfTrees = null;
    String configured = System.getProperty(PageIndexShape.DIR_PROPERTY,
        System.getenv("TS_BENCH_PAGEINDEX"));
    for (Path p : configured != null ? List.of(Path.of(configured))
        : List.of(Path.of("../shared/datasets/pageindex"),
            Path.of("/work/shared/datasets/pageindex"))) {
      if (Files.isDirectory(p)) {
        dirOfTrees = p;
        break;
      }
    }
    if (dirOfTrees == null) {
      throw new IllegalStateException("real PageIndex trees not found; set -D"
          + PageIndexShape.DIR_PROPERTY + "=<dir>");
    }
    try (Stream<Path> s = Files.list(dirOfTrees)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".json"))
          .max(Comparator.comparingLong(p -> {
            try {
              return Files.size(p);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          })).orElseThrow();
    }
  }

  private static Doc read(TreeStore ts, String docId) {
    DocumentApi.Tree tree = (DocumentApi.Tree) ts.call("documents", "GetTree",
        new DocumentApi.TreeRef(docId, null, VERSION, null));
    Doc d = new Doc(docId);
    walk(d, tree.roots());
    List<String> all = new ArrayList<>();
    List<String> internal = new ArrayList<>();
    List<String> nonRoot = new ArrayList<>();
    for (Row r : d.rows) {
      all.add(r.node().nodeId());
      if (!r.node().childIds().isEmpty()) {
        internal.add(r.node().nodeId());
      }
      if (r.node().parentId() != null) {
        nonRoot.add(r.node().nodeId());
      }
      d.maxDepth = Math.max(d.maxDepth, r.node().depth());
    }
    d.all = all.toArray(String[]::new);
    d.internal = internal.toArray(String[]::new);
    d.nonRoot = nonRoot.toArray(String[]::new);
    return d;
  }

  private static void walk(Doc d, List<DocumentApi.Node> nodes) {
    for (int i = 0; i < nodes.size(); i++) {
      DocumentApi.Node n = nodes.get(i);
      d.rows.add(new Row(d.docId, new DocumentApi.Node(n.docId(), n.versionId(), n.nodeId(),
          n.parentId(), n.title(), n.pageStart(), n.pageEnd(), n.summary(), n.prefixSummary(),
          n.text(), n.sectionPath(), n.depth(), n.childIds(), n.attributes(), null), i));
      if (n.children() != null) {
        walk(d, n.children());
      }
    }
  }

  /**
   * The synthetic tree as PageIndex JSON. Six roots; a node at depth {@code d} has children
   * with probability 1.0, 0.9, 0.6, 0.4, 0.25 for {@code d} = 0 to 4 (none at depth 5), 3 to 8
   * of them (uniform). Titles: a real title length in words, words from the real titles;
   * summaries: a real summary length, words drawn by their real frequencies
   * ({@link PageIndexShape}); pages: a leaf spans 1 to 3 pages, a parent starts one page
   * before its first child and ends with its last.
   *
   * @param shape the statistics of the real trees
   * @param seed the seed
   * @return the JSON
   */
  static String syntheticJson(PageIndexShape shape, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    ObjectNode doc = JSON.createObjectNode();
    doc.put("doc_name", "synthetic-deep.pdf");
    doc.put("doc_description", "A seeded synthetic tree for the server benchmark.");
    ArrayNode roots = doc.putArray("structure");
    int[] counter = {0};
    int[] page = {1};
    for (int i = 0; i < 6; i++) {
      grow(shape, r, roots.addObject(), 0, counter, page);
    }
    return JSON.writeValueAsString(doc);
  }

  private static final double[] CHILDREN_P = {1.0, 0.9, 0.6, 0.4, 0.25};

  private static void grow(PageIndexShape shape, SplittableRandom r, ObjectNode n, int depth,
      int[] counter, int[] page) {
    n.put("title", words(r, shape.titleVocabulary, shape.titleWords[r.nextInt(
        shape.titleWords.length)]));
    n.put("node_id", String.format(java.util.Locale.ROOT, "%04d", counter[0]++));
    n.put("summary", text(shape, r, shape.summaryChars[r.nextInt(shape.summaryChars.length)]));
    int start = page[0];
    n.put("start_index", start);
    if (depth < CHILDREN_P.length && r.nextDouble() < CHILDREN_P[depth]) {
      page[0]++;
      int kids = 3 + r.nextInt(6);
      ArrayNode a = n.putArray("nodes");
      for (int k = 0; k < kids; k++) {
        grow(shape, r, a.addObject(), depth + 1, counter, page);
      }
      n.put("end_index", page[0] - 1);
    } else {
      int span = 1 + r.nextInt(3);
      n.put("end_index", start + span - 1);
      page[0] = start + span;
    }
  }

  private static String words(SplittableRandom r, String[] vocabulary, int count) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.max(1, count); i++) {
      if (i > 0) {
        b.append(' ');
      }
      b.append(vocabulary[r.nextInt(vocabulary.length)]);
    }
    return b.toString();
  }

  private static String text(PageIndexShape shape, SplittableRandom r, int chars) {
    StringBuilder b = new StringBuilder(chars + 16);
    long total = shape.cumulative[shape.cumulative.length - 1];
    while (b.length() < chars) {
      int i = Arrays.binarySearch(shape.cumulative, r.nextLong(total) + 1);
      b.append(shape.words[i >= 0 ? i : -i - 1]).append(b.length() % 7 == 0 ? ". " : " ");
    }
    return b.toString().trim();
  }

  /**
   * Sends the server's request log (and all other logging) to a file instead of standard
   * error: the configuration of {@code ts-server}'s {@code logback.xml} (JSON lines through
   * a non-blocking asynchronous appender, level INFO, so every HTTP request is logged as by
   * {@code treestore serve}), with a file appender in place of the console one, so the forked
   * benchmark JVM does not stream a line per request to JMH.
   */
  static void requestLogToFile(Path file) {
    String xml = """
        <configuration>
          <appender name="JSON" class="ch.qos.logback.core.FileAppender">
            <file>%s</file>
            <encoder class="ch.qos.logback.classic.encoder.JsonEncoder">
              <withFormattedMessage>true</withFormattedMessage>
              <withMessage>false</withMessage>
              <withArguments>false</withArguments>
              <withContext>false</withContext>
              <withSequenceNumber>false</withSequenceNumber>
              <withNanoseconds>false</withNanoseconds>
            </encoder>
          </appender>
          <appender name="ASYNC" class="ch.qos.logback.classic.AsyncAppender">
            <appender-ref ref="JSON"/>
            <neverBlock>true</neverBlock>
            <queueSize>8192</queueSize>
          </appender>
          <root level="INFO">
            <appender-ref ref="ASYNC"/>
          </root>
        </configuration>
        """.formatted(file.toAbsolutePath());
    LoggerContext ctx = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
    ctx.reset();
    JoranConfigurator jc = new JoranConfigurator();
    jc.setContext(ctx);
    try {
      jc.doConfigure(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    } catch (ch.qos.logback.core.joran.spi.JoranException e) {
      throw new IllegalStateException("cannot configure logging: " + e, e);
    }
  }

  /** Lines in the request log (for the run log: shows that requests were logged). */
  long requestLogLines() {
    Path f = dir.resolve("requests.log");
    try (Stream<String> s = Files.lines(f)) {
      return s.count();
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs
    }
    closeAndDelete();
  }

  private void closeAndDelete() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      ts.close();
    } finally {
      deleteTree(dir);
    }
  }

  /** Deletes a directory tree, ignoring what cannot be deleted. */
  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort
        }
      });
    } catch (IOException e) {
      // best effort
    }
  }
}
