package io.treestore.spi;

import java.util.List;

/**
 * An open store: a named set of operations over the records it keeps. Made by a
 * {@link StoreProvider}; closed by {@link TreeStore#close()}.
 *
 * <p>Implementations must be thread-safe: operations run concurrently, each in its own
 * transaction.
 */
public interface Store {
  /**
   * Returns the store's name (its provider's name).
   *
   * @return the name
   */
  String name();

  /**
   * Describes the operations.
   *
   * @return the operations, names unique within the store
   */
  List<StoreOperation<?, ?>> operations();

  /**
   * Verifies the store's records against its indexes (and full-text indexes) in a consistent
   * view, for {@code treestore check}. By default nothing is checked.
   *
   * @param view a snapshot of the database
   * @param maxProblems how many problems to describe (all are counted in the messages'
   *     totals)
   * @return one line per problem found, naming the keyspace and key; empty when consistent
   */
  default List<String> check(io.treestore.txn.ReadView view, int maxProblems) {
    return List.of();
  }

  /** Releases resources the store holds outside the database; by default nothing. */
  default void close() {}
}
