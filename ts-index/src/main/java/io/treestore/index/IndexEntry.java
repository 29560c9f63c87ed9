package io.treestore.index;

/**
 * An index entry: an index key and the primary key of the record it points to.
 *
 * @param indexKey the key the extractor computed
 * @param primaryKey the record's primary key
 */
public record IndexEntry(Tuple indexKey, Tuple primaryKey) {}
