package io.treestore.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.QueryBuilder;
import org.apache.lucene.util.Version;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Lucene (lucene-core) indexing the same node texts as TreeStore's and SQLite's full-text
 * indexes, for {@link SearchBenchmark}.
 *
 * <p>One Lucene document per node: {@code doc} (the document id, a {@link StringField},
 * stored, used as a filter), {@code node} (the node id, stored only) and {@code body} (a
 * {@link TextField}, not stored: title, summary, prefix summary and text joined by line
 * breaks, so that a node is scored as one bag of words, as TreeStore scores a unit whose
 * fields all weigh 1). Analysis by Lucene's {@link StandardAnalyzer} (Unicode word breaks,
 * lower case, no stop words). Scoring is Lucene's default {@code BM25Similarity} (k1 = 1.2,
 * b = 0.75, as TreeStore's and SQLite's).
 *
 * <p>Built once per corpus into {@code <stores dir>/lucene-<corpus>-<seed>/index}
 * ({@link #built}), with the defaults Lucene's documentation gives for bulk indexing: one
 * {@link IndexWriter}, a 256 MB RAM buffer (the {@code IndexWriterConfig} javadoc advises a
 * larger buffer for faster indexing), the default merge policy, no force-merge, one
 * {@code commit()} (which fsyncs) at the end. Searching: {@link FSDirectory#open} (memory
 * mapped on 64-bit Linux), one {@link DirectoryReader} and one {@link IndexSearcher} for the
 * whole trial, as Lucene advises (open a searcher once and share it); top 10 with
 * {@link IndexSearcher#search(Query, int)}, which counts hits only up to 1,000 and can skip
 * non-competitive blocks; then the stored ids of the 10 hits.
 *
 * <p>Searching is thread-safe (Lucene's searcher is); building is not.
 */
final class LuceneIndex implements AutoCloseable {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final Path path;
  private final Directory dir;
  private final DirectoryReader reader;
  private final IndexSearcher searcher;
  private final Analyzer analyzer = new StandardAnalyzer();
  private final QueryBuilder queries = new QueryBuilder(analyzer);

  /** One hit: the document, the node and the score. */
  record Hit(String docId, String nodeId, double score) {}

  /**
   * Opens a built index.
   *
   * @param path the index directory
   */
  LuceneIndex(Path path) {
    this.path = path;
    try {
      this.dir = FSDirectory.open(path);
      this.reader = DirectoryReader.open(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.searcher = new IndexSearcher(reader);
  }

  /**
   * Returns the index directory of the corpus, building it first if no complete build exists.
   *
   * @param corpus the corpus
   * @param corpusName its name
   * @return the index directory (do not write to it)
   */
  static Path built(StoresCorpus corpus, String corpusName) {
    Path root = StoresData.storesDir().resolve("lucene-" + corpusName + "-"
        + Long.toHexString(corpus.seed));
    Path index = root.resolve("index");
    Path done = root.resolve("BUILT");
    if (Files.exists(done)) {
      return index;
    }
    StoresData.deleteTree(root);
    long t0 = System.nanoTime();
    long nodes = 0;
    try {
      Files.createDirectories(index);
      IndexWriterConfig config = new IndexWriterConfig(new StandardAnalyzer())
          .setOpenMode(IndexWriterConfig.OpenMode.CREATE).setRAMBufferSizeMB(256);
      try (Directory d = FSDirectory.open(index); IndexWriter w = new IndexWriter(d, config)) {
        for (int i = 0; i < corpus.docs.size(); i++) {
          String docId = StoresCorpus.docId(i);
          for (SqliteDocs.Flat f : SqliteDocs.flatten(JSON.readTree(corpus.json(i))
              .get("structure"))) {
            Document doc = new Document();
            doc.add(new StringField("doc", docId, Field.Store.YES));
            doc.add(new StoredField("node", f.nodeId()));
            doc.add(new TextField("body", join(f.title(), f.summary(), f.prefixSummary(),
                f.text()), Field.Store.NO));
            w.addDocument(doc);
            nodes++;
          }
        }
        w.commit();
      }
      String line = String.format(Locale.ROOT, "lucene %s: %d documents, %d nodes, built in"
          + " %.1f s, %.1f MB on disk%n", corpusName, corpus.docs.size(), nodes,
          (System.nanoTime() - t0) / 1e9, StoresData.sizeOf(index) / 1e6);
      System.out.print("\n[search] built " + line);
      Files.writeString(done, line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return index;
  }

  private static String join(@Nullable String... parts) {
    StringBuilder b = new StringBuilder();
    for (String p : parts) {
      if (p != null) {
        b.append(p).append('\n');
      }
    }
    return b.toString();
  }

  /**
   * Returns the 10 best nodes for words of which any may match.
   *
   * @param query words separated by spaces
   * @param docId only this document, or {@code null} for all
   * @return the hits, best first
   */
  List<Hit> search(String query, @Nullable String docId) {
    Query q = queries.createBooleanQuery("body", query);
    if (q == null) {
      q = new BooleanQuery.Builder().build(); // no terms: matches nothing
    }
    if (docId != null) {
      q = new BooleanQuery.Builder().add(q, BooleanClause.Occur.MUST)
          .add(new TermQuery(new Term("doc", docId)), BooleanClause.Occur.FILTER).build();
    }
    try {
      TopDocs top = searcher.search(q, 10);
      StoredFields stored = searcher.storedFields();
      List<Hit> out = new ArrayList<>(top.scoreDocs.length);
      for (ScoreDoc sd : top.scoreDocs) {
        Document d = stored.document(sd.doc, Set.of("doc", "node"));
        out.add(new Hit(d.get("doc"), d.get("node"), sd.score));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Returns the index's settings, for the report.
   *
   * @return one line
   */
  String settings() {
    return "lucene " + Version.LATEST + " " + dir.getClass().getSimpleName() + " segments="
        + reader.leaves().size() + " docs=" + reader.numDocs() + " similarity="
        + searcher.getSimilarity() + " analyzer=StandardAnalyzer field=body";
  }

  /**
   * Returns the bytes of the index files.
   *
   * @return bytes
   */
  long diskBytes() {
    return StoresData.sizeOf(path);
  }

  @Override
  public void close() {
    try {
      reader.close();
      dir.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
