package io.treestore.bench;

import io.treestore.wal.Durability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The corpora of {@link StoresBenchmark} and the stores built from them.
 *
 * <p>A corpus is named {@code <nodes>-<text>}: {@code 50k-pages} is 50,000 nodes whose text is
 * the text of their pages, {@code 1m-none} is 1,000,000 nodes without text (titles, pages and
 * summaries). Each engine's store of a corpus is built once (bulk load: TreeStore with
 * durability {@code NONE}, in transactions of about 8 MB of JSON, then a checkpoint; SQLite
 * with {@code synchronous=OFF} in the same batches, then a WAL checkpoint and
 * {@code ANALYZE}), closed, and kept in {@code <stores dir>/<engine>-<corpus>-<seed>} so that
 * the trials of one run, each in its own JVM, reuse it; a trial that writes (ingest) works on a
 * copy. The stores directory is the system property {@value #DIR_PROPERTY}, else
 * {@code java.io.tmpdir}/ts-bench-stores. Delete it after the run.
 */
final class StoresData {
  /** System property naming the directory that keeps the built stores. */
  static final String DIR_PROPERTY = "ts.bench.stores";
  /** The corpus seed. */
  static final long SEED = 0x5EED_7AEEL;
  private static final long BATCH_CHARS = 8L << 20;

  private StoresData() {}

  /** A parsed corpus name. */
  record Spec(String name, long nodes, StoresCorpus.Text text) {
    static Spec parse(String name) {
      String[] p = name.split("-", 2);
      String n = p[0].toLowerCase(Locale.ROOT);
      long nodes = n.endsWith("k") ? Long.parseLong(n.substring(0, n.length() - 1)) * 1000
          : n.endsWith("m") ? Long.parseLong(n.substring(0, n.length() - 1)) * 1_000_000
          : Long.parseLong(n);
      StoresCorpus.Text text = StoresCorpus.Text.valueOf(p[1].toUpperCase(Locale.ROOT));
      return new Spec(name, nodes, text);
    }
  }

  /**
   * Describes a corpus in one line for reports: documents, nodes, what the nodes carry.
   *
   * @param c the corpus
   * @param corpusName its name
   * @return the description
   */
  static String describe(StoresCorpus c, String corpusName) {
    String what = switch (c.text) {
      case PAGES -> "every node with the text of its pages";
      case NONE -> "titles, page ranges and (in some documents) summaries, no text";
      case TITLES -> "titles and page ranges only";
    };
    return String.format(Locale.ROOT, "%s: %s, %,d documents, %,d nodes, %s", corpusName,
        corpusName.equals(StoresCorpus.REAL) ? "the real PageIndex trees (*.with_text.json of "
            + c.shape.dir + ")" : "synthetic, seed 0x" + Long.toHexString(c.seed),
        c.docs.size(), c.nodes, what);
  }

  static Path storesDir() {
    return Path.of(System.getProperty(DIR_PROPERTY,
        Path.of(System.getProperty("java.io.tmpdir"), "ts-bench-stores").toString()));
  }

  /**
   * Returns the directory of the engine's built store of the corpus, building it first if no
   * complete build exists.
   *
   * @param engine {@code treestore} or {@code sqlite}
   * @param corpus the corpus
   * @return the directory (do not write to it)
   */
  static Path built(String engine, StoresCorpus corpus, String corpusName) {
    Path dir = storesDir().resolve(engine + "-" + corpusName + "-"
        + Long.toHexString(corpus.seed));
    Path done = dir.resolve("BUILT");
    if (Files.exists(done)) {
      return dir;
    }
    try {
      deleteTree(dir);
      Files.createDirectories(dir);
      long t0 = System.nanoTime();
      long chars = 0;
      List<String> ids = new ArrayList<>();
      List<String> jsons = new ArrayList<>();
      long batchChars = 0;
      if (engine.equals("treestore")) {
        try (TreeStoreDocs ts = new TreeStoreDocs(dir.resolve("db"), Durability.NONE,
            256L << 20)) {
          for (int i = 0; i < corpus.docs.size(); i++) {
            String json = corpus.json(i);
            ids.add(StoresCorpus.docId(i));
            jsons.add(json);
            batchChars += json.length();
            chars += json.length();
            if (batchChars >= BATCH_CHARS || i == corpus.docs.size() - 1) {
              ts.loadBatch(ids, jsons);
              ids.clear();
              jsons.clear();
              batchChars = 0;
            }
          }
          ts.checkpoint();
        }
      } else {
        Files.createDirectories(dir.resolve("db"));
        try (SqliteDocs s = new SqliteDocs(dir.resolve("db"), false, 256L << 10)) {
          for (int i = 0; i < corpus.docs.size(); i++) {
            String json = corpus.json(i);
            ids.add(StoresCorpus.docId(i));
            jsons.add(json);
            batchChars += json.length();
            chars += json.length();
            if (batchChars >= BATCH_CHARS || i == corpus.docs.size() - 1) {
              s.loadBatch(ids, jsons);
              ids.clear();
              jsons.clear();
              batchChars = 0;
            }
          }
          s.checkpoint();
        }
      }
      long bytes = sizeOf(dir.resolve("db"));
      String line = String.format(Locale.ROOT, "%s %s: %d documents, %d nodes, %.1f MB of"
          + " JSON, built in %.1f s, %.1f MB on disk%n", engine, corpusName,
          corpus.docs.size(), corpus.nodes, chars / 1e6, (System.nanoTime() - t0) / 1e9,
          bytes / 1e6);
      System.out.print("\n[stores] built " + line);
      Files.writeString(done, line);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Copies a built store to a fresh working directory (for trials that write).
   *
   * @param built the built store's directory
   * @return the copy's {@code db} directory
   */
  static Path copy(Path built) {
    try {
      Path work = Files.createTempDirectory(storesDir(), "work-");
      Path src = built.resolve("db");
      try (Stream<Path> s = Files.walk(src)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          Path t = work.resolve(src.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(t);
          } else {
            Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
          }
        }
      }
      return work;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The cache size a trial gives an engine for a store of {@code bytes}: twice the store, so
   * that a corpus that fits is read from memory, at least 256 MiB, and at most half of this
   * JVM's maximum heap, so that a corpus larger than memory (the 10M-node profile) is read
   * through a bounded cache instead of exhausting the heap. The same bound for every engine.
   *
   * @param bytes the store's size on disk
   * @return the cache capacity in bytes
   */
  static long cacheBytes(long bytes) {
    return Math.min(Math.max(256L << 20, 2 * bytes), Runtime.getRuntime().maxMemory() / 2);
  }

  static long sizeOf(Path dir) {
    return TxnBenchFiles.bytesUnder(dir);
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
