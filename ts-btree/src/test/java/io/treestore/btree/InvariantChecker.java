package io.treestore.btree;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Asserts that {@link BTreeFile#check()} finds no problem. */
final class InvariantChecker {
  private InvariantChecker() {}

  static CheckReport check(BTreeFile f) {
    CheckReport r = f.check();
    assertEquals(java.util.List.of(), r.problems(), "invariant violations: " + r);
    return r;
  }
}
