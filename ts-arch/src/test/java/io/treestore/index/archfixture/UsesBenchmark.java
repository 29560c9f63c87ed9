package io.treestore.index.archfixture;

import io.treestore.bench.archfixture.BenchmarkStub;

/**
 * Architecture-test fixture in which a library module depends on ts-bench on purpose. Read
 * only by {@code io.treestore.arch.RulesCatchViolationsTest}.
 */
public final class UsesBenchmark {
  private UsesBenchmark() {}

  /**
   * Uses a benchmark class, which no library module may do.
   *
   * @param benchmark a benchmark
   * @return its name
   */
  public static String nameOf(BenchmarkStub benchmark) {
    return benchmark.name();
  }
}
