package io.treestore.examples.audit;

import io.treestore.spi.Store;
import io.treestore.spi.StoreContext;
import io.treestore.spi.StoreProvider;

/**
 * Provides the {@code audit} store ({@link AuditStore}). The module declares
 * {@code provides io.treestore.spi.StoreProvider with} this class, so
 * {@link io.treestore.spi.TreeStore#open} finds it on the module path with
 * {@link java.util.ServiceLoader}, next to the bundled stores, without any change to TreeStore.
 */
public final class AuditStoreProvider implements StoreProvider {
  /** Creates the provider (used by {@link java.util.ServiceLoader}). */
  public AuditStoreProvider() {
    // stateless
  }

  @Override
  public String name() {
    return AuditStore.NAME;
  }

  @Override
  public Store open(StoreContext context) {
    return new AuditStore(context);
  }
}
