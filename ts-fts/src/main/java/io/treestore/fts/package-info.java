/**
 * Full-text search: the {@link io.treestore.fts.Analyzer} SPI with the built-in
 * {@link io.treestore.fts.StandardAnalyzer}, and {@link io.treestore.fts.FullTextIndex}, a
 * transactional inverted index with BM25 top-k ranking, MaxScore pruning, filters and
 * snippets.
 */
package io.treestore.fts;
