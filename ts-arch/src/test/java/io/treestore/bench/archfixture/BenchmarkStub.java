package io.treestore.bench.archfixture;

/**
 * Architecture-test fixture: a class in ts-bench's package, the target of
 * {@code io.treestore.index.archfixture.UsesBenchmark}. Read only by
 * {@code io.treestore.arch.RulesCatchViolationsTest}.
 */
public final class BenchmarkStub {
  /** Creates a stub. */
  public BenchmarkStub() {}

  /**
   * Returns a benchmark's name.
   *
   * @return a fixed name
   */
  public String name() {
    return "put";
  }
}
