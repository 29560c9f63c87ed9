package io.treestore.txn.archfixture;

import io.treestore.btree.BTree;
import io.treestore.page.StorageException;

/**
 * Architecture-test fixture that obeys every rule: ts-txn uses the exported API of ts-btree
 * and of ts-page (which ts-btree re-exports), both below it. It shows that the rules reject
 * violations, not every dependency. Read only by
 * {@code io.treestore.arch.RulesCatchViolationsTest}.
 */
public final class LegalDownwardDependency {
  private LegalDownwardDependency() {}

  /**
   * Reads a tree's size, reporting a storage failure as absent.
   *
   * @param tree any tree
   * @return its size, or -1 if it could not be read
   */
  public static long sizeOrMinusOne(BTree tree) {
    try {
      return tree.size();
    } catch (StorageException e) {
      return -1;
    }
  }
}
