package io.treestore.fts.archfixture;

import io.treestore.index.archfixture.CycleToFts;

/**
 * Architecture-test fixture, one half of a module cycle: ts-fts uses ts-index (allowed) and
 * {@link CycleToFts} in ts-index uses it back (not allowed). Read only by
 * {@code io.treestore.arch.RulesCatchViolationsTest}.
 */
public final class CycleToIndex {
  private CycleToIndex() {}

  /**
   * Calls into ts-index.
   *
   * @param depth recursion depth, stops at 0
   * @return 0
   */
  public static int ping(int depth) {
    return depth <= 0 ? 0 : CycleToFts.pong(depth - 1);
  }
}
