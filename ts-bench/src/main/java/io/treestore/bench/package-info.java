/**
 * JMH benchmarks of TreeStore's modules and of peer engines measured in the same run.
 *
 * <p>Each benchmark class states its workload, the production code path it models and the exact
 * command that runs it, pins its warmup, measurement and fork settings, and compares peers
 * through a {@code @Param}. {@link io.treestore.bench.KvBenchmark} compares TreeStore's B+Tree
 * with LMDB (lmdbjava) and H2 MVStore on random point gets, random and sequential inserts and
 * 1,000-entry range scans, through one small package-private adapter per engine
 * ({@code KvEngine}: {@code TreeStoreKv}, {@code LmdbKv}, {@code MvStoreKv}) over a shared,
 * seeded data set ({@code KvData}).
 *
 * <p>See {@code docs/benchmarks.md} for the commands, the machine and the recorded figures; raw
 * JMH JSON output is kept under {@code docs/benchmarks/}.
 */
@NullMarked
package io.treestore.bench;

import org.jspecify.annotations.NullMarked;
