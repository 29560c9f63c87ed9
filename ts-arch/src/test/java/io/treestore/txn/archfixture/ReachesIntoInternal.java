package io.treestore.txn.archfixture;

import io.treestore.btree.internal.Layout;

/**
 * Architecture-test fixture that reaches into another module's internals on purpose: ts-txn
 * may use ts-btree, but only its exported API, never {@code io.treestore.btree.internal}.
 * Read only by {@code io.treestore.arch.RulesCatchViolationsTest}.
 */
public final class ReachesIntoInternal {
  private ReachesIntoInternal() {}

  /**
   * Uses an internal class of ts-btree.
   *
   * @param layout a B+Tree page layout
   * @return its largest key size
   */
  public static int maxKeyOf(Layout layout) {
    return layout.maxKey();
  }
}
