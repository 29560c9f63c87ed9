package io.treestore.spi;

/**
 * A store plugin, found with {@link java.util.ServiceLoader}: a module declares
 * {@code provides io.treestore.spi.StoreProvider with ...}, or a jar on the class path lists
 * the class in {@code META-INF/services/io.treestore.spi.StoreProvider}.
 *
 * <p>Implementations need a public no-argument constructor (or a public static
 * {@code provider()} method on the module path) and must be thread-safe.
 */
public interface StoreProvider {
  /**
   * Returns the store's name, used in routes such as {@code /v1/stores/{store}/{operation}}.
   *
   * @return 1 to 64 ASCII lower-case letters, digits or {@code -}, starting with a letter
   */
  String name();

  /**
   * Opens the store over a database. Called once per {@link TreeStore#open}; declare the
   * store's tables and full-text indexes through the context here.
   *
   * @param context the store's view of the database
   * @return the open store
   * @throws RuntimeException if the store cannot start; the TreeStore does not open then
   */
  Store open(StoreContext context);
}
