/**
 * Full-text search: the analyzer SPI with the built-in {@code standard} analyzer, an inverted
 * index kept in the same transactions as the data, and BM25 top-k ranking with snippets.
 *
 * <p>Status: not built yet; this module holds no types so far.
 */
@org.jspecify.annotations.NullMarked
module io.treestore.fts {
  requires static transitive org.jspecify;
  requires io.treestore.index;
}
