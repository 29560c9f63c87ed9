/**
 * Page files: fixed-size, checksummed pages, alternating meta pages, a page cache and reader
 * epochs for safe page reuse.
 *
 * <h2>File format, version 1</h2>
 * <ul>
 *   <li>{@link io.treestore.page.PageFile} gives the page header and the meta page layout.
 *   <li>Page types ({@link io.treestore.page.PageType}): 1 meta, 2 leaf, 3 branch,
 *       4 overflow. The payload of leaf, branch and overflow pages is specified by
 *       {@code io.treestore.btree}.
 *   <li>All integers are big-endian; checksums are CRC32C (Castagnoli) over the page from
 *       byte 4 to its end, so the page id and generation in the header are covered.
 * </ul>
 *
 * <h2>History</h2>
 * <ul>
 *   <li>1 — first format.
 * </ul>
 */
@org.jspecify.annotations.NullMarked
package io.treestore.page;
