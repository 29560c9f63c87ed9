package io.treestore.btree.internal;

/**
 * Where a large value lives: a chain of overflow pages.
 *
 * @param firstPage the first page of the chain, {@code >= 2}
 * @param length the value's length in bytes
 */
public record OverflowRef(long firstPage, int length) {}
