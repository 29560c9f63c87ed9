/**
 * A persistent, copy-on-write B+Tree key-value store: {@link io.treestore.btree.BTreeFile}
 * holds named {@link io.treestore.btree.BTree}s, flushed atomically, read lock-free, with
 * {@link io.treestore.btree.Snapshot}s, {@link io.treestore.btree.Cursor}s and
 * {@link io.treestore.btree.Range} scans.
 *
 * <p>The page payload formats are specified in the implementation's {@code Layout} and
 * {@code NodeStore} classes and summarized in {@code docs/architecture.md}.
 */
@org.jspecify.annotations.NullMarked
package io.treestore.btree;
