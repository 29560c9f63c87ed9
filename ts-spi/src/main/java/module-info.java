/**
 * The {@code TreeStore} facade and the plugin SPIs: {@code StoreProvider}/{@code Store} for
 * stores and {@code TransportProvider} for transports, discovered with
 * {@link java.util.ServiceLoader} on the module path and the class path.
 *
 * <p>Status: not built yet; this module holds no types so far.
 */
@org.jspecify.annotations.NullMarked
module io.treestore.spi {
  requires static transitive org.jspecify;
  requires io.treestore.fts;
  requires io.treestore.index;
  requires io.treestore.txn;
}
