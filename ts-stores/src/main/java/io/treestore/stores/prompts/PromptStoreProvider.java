package io.treestore.stores.prompts;

import io.treestore.spi.Store;
import io.treestore.spi.StoreContext;
import io.treestore.spi.StoreProvider;

/** Provides the {@code prompts} store ({@link PromptStore}). */
public final class PromptStoreProvider implements StoreProvider {
  /** Creates the provider (used by {@link java.util.ServiceLoader}). */
  public PromptStoreProvider() {
    // stateless
  }

  @Override
  public String name() {
    return PromptStore.NAME;
  }

  @Override
  public Store open(StoreContext context) {
    return new PromptStore(context);
  }
}
