package io.treestore.stores.archfixture;

import io.treestore.btree.BTree;

/**
 * Architecture-test fixture that bypasses ts-spi on purpose: a store that uses a ts-btree
 * {@link BTree} directly. Read only by {@code io.treestore.arch.RulesCatchViolationsTest}.
 */
public final class StoreUsesBTree {
  private StoreUsesBTree() {}

  /**
   * Uses a B+Tree directly, which stores must never do.
   *
   * @param tree any tree
   * @return its size
   */
  public static long sizeOf(BTree tree) {
    return tree.size();
  }
}
