package io.treestore.index.archfixture;

import io.treestore.fts.archfixture.CycleToIndex;

/**
 * Architecture-test fixture, the other half of a module cycle: ts-index calls back into
 * ts-fts, the module above it, through {@link CycleToIndex}. Read only by
 * {@code io.treestore.arch.RulesCatchViolationsTest}.
 */
public final class CycleToFts {
  private CycleToFts() {}

  /**
   * Calls back into ts-fts.
   *
   * @param depth recursion depth, stops at 0
   * @return 0
   */
  public static int pong(int depth) {
    return depth <= 0 ? 0 : CycleToIndex.ping(depth - 1);
  }
}
