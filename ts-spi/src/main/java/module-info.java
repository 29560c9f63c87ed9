/**
 * The {@code TreeStore} facade and the plugin SPIs: {@code StoreProvider}/{@code Store} for
 * stores and {@code TransportProvider} for transports, discovered with
 * {@link java.util.ServiceLoader} on the module path and the class path.
 */
@org.jspecify.annotations.NullMarked
module io.treestore.spi {
  requires static transitive org.jspecify;
  requires transitive io.treestore.fts;
  requires transitive io.treestore.index;
  requires transitive io.treestore.txn;

  exports io.treestore.spi;

  uses io.treestore.spi.StoreProvider;
  uses io.treestore.spi.TransportProvider;
}
