package io.treestore.common.archfixture;

/**
 * Architecture-test fixture that sits outside every module's root package on purpose
 * ({@code io.treestore.common} belongs to no module), so no layering rule would govern it.
 * Read only by {@code io.treestore.arch.RulesCatchViolationsTest}.
 */
public final class StrayClass {
  private StrayClass() {}

  /**
   * Does nothing useful.
   *
   * @return a constant
   */
  public static int answer() {
    return 42;
  }
}
