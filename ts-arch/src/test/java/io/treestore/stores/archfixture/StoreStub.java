package io.treestore.stores.archfixture;

/**
 * Architecture-test fixture: a store class with no dependencies, the target of
 * {@code io.treestore.server.archfixture.ServerSeesStore}. Read only by
 * {@code io.treestore.arch.RulesCatchViolationsTest}.
 */
public final class StoreStub {
  /** Creates a stub. */
  public StoreStub() {}

  /**
   * Returns the store's name.
   *
   * @return a fixed name
   */
  public String name() {
    return "documents";
  }
}
