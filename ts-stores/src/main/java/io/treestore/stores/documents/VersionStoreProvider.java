package io.treestore.stores.documents;

import io.treestore.spi.Store;
import io.treestore.spi.StoreContext;
import io.treestore.spi.StoreProvider;

/**
 * Provides the {@code versions} store ({@link VersionStore}), which reads the versions the
 * {@code documents} store writes.
 */
public final class VersionStoreProvider implements StoreProvider {
  /** Creates the provider (used by {@link java.util.ServiceLoader}). */
  public VersionStoreProvider() {
    // stateless
  }

  @Override
  public String name() {
    return VersionStore.NAME;
  }

  @Override
  public Store open(StoreContext context) {
    return new VersionStore(new DocumentModel(context.clock(),
        DocumentModel.recordCacheBytes(context.settings())));
  }
}
