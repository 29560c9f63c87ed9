/**
 * Full-text search: the analyzer SPI with the built-in {@code standard} analyzer, an inverted
 * index kept in the same transactions as the data, and BM25 top-k ranking with snippets.
 */
@org.jspecify.annotations.NullMarked
module io.treestore.fts {
  requires static transitive org.jspecify;
  requires transitive io.treestore.index;

  exports io.treestore.fts;

  uses io.treestore.fts.Analyzer;

  provides io.treestore.fts.Analyzer with io.treestore.fts.StandardAnalyzer;
}
