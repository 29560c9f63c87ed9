package io.treestore.stores.metadata;

import io.treestore.spi.Store;
import io.treestore.spi.StoreContext;
import io.treestore.spi.StoreProvider;

/** Provides the {@code metadata} store ({@link MetadataStore}). */
public final class MetadataStoreProvider implements StoreProvider {
  /** Creates the provider (used by {@link java.util.ServiceLoader}). */
  public MetadataStoreProvider() {
    // stateless
  }

  @Override
  public String name() {
    return MetadataStore.NAME;
  }

  @Override
  public Store open(StoreContext context) {
    return new MetadataStore(context);
  }
}
