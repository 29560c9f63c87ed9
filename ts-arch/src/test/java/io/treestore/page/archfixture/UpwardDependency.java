package io.treestore.page.archfixture;

import io.treestore.btree.BTree;

/**
 * Architecture-test fixture that breaks the layering on purpose: a class in ts-page's package
 * that uses {@link BTree}, a type of ts-btree, the module above it. Never part of a build
 * artifact; read only by {@code io.treestore.arch.RulesCatchViolationsTest}.
 */
public final class UpwardDependency {
  private UpwardDependency() {}

  /**
   * Uses a tree from below it, which ts-page must never do.
   *
   * @param tree any tree
   * @return its size
   */
  public static long sizeOf(BTree tree) {
    return tree.size();
  }
}
