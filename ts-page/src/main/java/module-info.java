/**
 * Pages on disk: one data file of fixed-size pages read and written with positional
 * {@link java.nio.channels.FileChannel} I/O, a page header with type, page id, generation
 * and CRC32C checksum, two alternating meta pages whose switch is the atomic step of a
 * flush, a byte-weighted Caffeine cache of decoded immutable pages, and the reader table
 * (epochs) that tells when a page freed by copy-on-write may be reused. Which pages are free
 * is recorded by the upper layer (ts-btree keeps its free list in a B+Tree; see ADR 0001).
 *
 * <p>The API is {@link io.treestore.page.PageFile} and its companions in
 * {@code io.treestore.page}; the on-disk format is specified in that package's documentation.
 */
@org.jspecify.annotations.NullMarked
module io.treestore.page {
  requires static transitive org.jspecify;
  requires com.github.benmanes.caffeine;

  exports io.treestore.page;
}
