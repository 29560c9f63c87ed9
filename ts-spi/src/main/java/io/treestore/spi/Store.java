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

  /** Releases resources the store holds outside the database; by default nothing. */
  default void close() {}
}
