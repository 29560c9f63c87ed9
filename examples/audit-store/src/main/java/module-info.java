/**
 * An example store plugin built outside TreeStore: the {@code audit} store, an append-only
 * log of who did what. It needs nothing but the SPI; TreeStore finds it with
 * {@link java.util.ServiceLoader} once the jar is on the module path.
 */
@org.jspecify.annotations.NullMarked
module io.treestore.examples.audit {
  requires static transitive org.jspecify;
  requires transitive io.treestore.spi;

  exports io.treestore.examples.audit;

  provides io.treestore.spi.StoreProvider with
      io.treestore.examples.audit.AuditStoreProvider;
}
