package io.treestore.index;

/**
 * A record returned by a scan, with the key it was found under.
 *
 * @param <R> the record type
 * @param indexKey the index key the scan matched (equal to {@code primaryKey} for scans of
 *     the primary keyspace)
 * @param primaryKey the record's primary key
 * @param record the decoded record
 */
public record Row<R>(Tuple indexKey, Tuple primaryKey, R record) {}
