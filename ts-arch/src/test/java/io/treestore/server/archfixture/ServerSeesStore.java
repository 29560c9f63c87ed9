package io.treestore.server.archfixture;

import io.treestore.stores.archfixture.StoreStub;

/**
 * Architecture-test fixture in which the transport uses a store's class on purpose, instead
 * of finding stores through the ts-spi. Read only by
 * {@code io.treestore.arch.RulesCatchViolationsTest}.
 */
public final class ServerSeesStore {
  private ServerSeesStore() {}

  /**
   * Uses a store class directly, which the server must never do.
   *
   * @param store a store
   * @return its name
   */
  public static String nameOf(StoreStub store) {
    return store.name();
  }
}
