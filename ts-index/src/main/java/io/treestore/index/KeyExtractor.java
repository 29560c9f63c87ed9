package io.treestore.index;

import java.util.List;

/**
 * Computes the keys under which a record appears in one secondary index.
 *
 * <p>An extractor may return no key (the record is not in the index), one key, or several (a
 * multi-valued index, such as one entry per page a section covers). Duplicates are ignored.
 * It must be a pure function of its arguments, deterministic and thread-safe: the index
 * manager calls it again on the stored record to find the entries to remove when the record
 * changes, and the consistency checker calls it to verify entries.
 *
 * @param <R> the record type
 */
@FunctionalInterface
public interface KeyExtractor<R> {
  /**
   * Returns the record's index keys.
   *
   * @param primaryKey the record's primary key
   * @param record the record
   * @return the keys, possibly empty; never {@code null}
   * @throws IllegalArgumentException if the record cannot be indexed (the write is refused)
   */
  List<Tuple> keys(Tuple primaryKey, R record);
}
