package io.treestore.stores.documents;

import io.treestore.spi.Store;
import io.treestore.spi.StoreContext;
import io.treestore.spi.StoreProvider;

/** Provides the {@code documents} store ({@link DocumentStore}). */
public final class DocumentStoreProvider implements StoreProvider {
  /** Creates the provider (used by {@link java.util.ServiceLoader}). */
  public DocumentStoreProvider() {
    // stateless
  }

  @Override
  public String name() {
    return DocumentStore.NAME;
  }

  @Override
  public Store open(StoreContext context) {
    return new DocumentStore(new DocumentModel(context.clock(),
        DocumentModel.recordCacheBytes(context.settings())));
  }
}
