/**
 * The comparison runner: one command that runs TreeStore's benchmarks against their peer
 * engines through JMH's Java API and writes a report (Markdown tables, PNG charts, the raw JMH
 * JSON). {@link io.treestore.bench.runner.BenchmarkRunner} is the entry point; see
 * {@code docs/benchmark-runner.md}.
 */
@NullMarked
package io.treestore.bench.runner;

import org.jspecify.annotations.NullMarked;
