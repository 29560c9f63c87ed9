package io.treestore.bench.runner;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * How big and how long a comparison run is: the synthetic corpus (next to the real trees,
 * which every profile uses), JMH's iteration settings, forks, and the sizes of the key-value
 * and recovery workloads.
 *
 * <p>Time-based workloads run {@link #warmupIterations} iterations of {@link #warmupMillis}
 * then {@link #measurementIterations} of {@link #measurementMillis}; single-shot workloads
 * (inserts of the key-value layer, recovery) run {@link #singleShotWarmups} then
 * {@link #singleShotMeasurements} single invocations. Immutable.
 */
public enum Profile {
  /**
   * The default: 50,000 synthetic nodes without text and the real trees, short iterations
   * (1 x 1 s warmup, 2 x 1 s measurement), one fork per trial; about 10 minutes on 2 cores.
   */
  DEFAULT("default", "50k-none", 1, 1_000, 2, 1_000, 1, 3, 1, 1_000_000, 20_000, 3_000),
  /**
   * 1,000,000 synthetic nodes without text and the real trees, 2 x 2 s warmup and 3 x 2 s
   * measurement; the first run also builds the 1M stores (several minutes each).
   */
  ONE_M("1m", "1m-none", 2, 2_000, 3, 2_000, 2, 5, 1, 1_000_000, 100_000, 10_000),
  /**
   * 10,000,000 synthetic nodes without text and the real trees, 2 x 3 s warmup and 5 x 3 s
   * measurement. Not run yet: the stores are expected to take tens of minutes per engine to
   * build and over 15 GB of disk, and TreeStore's and SQLite's caches are sized to twice their
   * stores, more than {@code StoresBenchmark}'s 12 GB heap (see docs/benchmark-runner.md).
   */
  TEN_M("10m", "10m-none", 2, 3_000, 5, 3_000, 2, 8, 1, 1_000_000, 200_000, 20_000),
  /**
   * The test profile: the real trees only (200 nodes), 20,000 key-value entries, 300
   * transactions before the crash, one 60 ms iteration per trial, JMH without forks (every
   * trial in the runner's JVM), and JMH's synchronized iterations off (so that a thread
   * starved by a peer's lock does not stretch every 60 ms iteration to seconds). Its figures
   * mean nothing; it proves the runner end to end in well under a minute.
   */
  TINY("tiny", null, 1, 20, 1, 60, 1, 1, 0, 20_000, 300, 50);

  /** The name on the command line. */
  public final String id;
  /**
   * The synthetic corpus, named as {@code StoresBenchmark}'s {@code corpus} parameter, or
   * {@code null} for none.
   */
  public final @Nullable String synthetic;
  /** Warmup iterations of time-based workloads. */
  public final int warmupIterations;
  /** Length of a warmup iteration in milliseconds. */
  public final int warmupMillis;
  /** Measured iterations of time-based workloads. */
  public final int measurementIterations;
  /** Length of a measured iteration in milliseconds. */
  public final int measurementMillis;
  /** Warmup invocations of single-shot workloads. */
  public final int singleShotWarmups;
  /** Measured invocations of single-shot workloads. */
  public final int singleShotMeasurements;
  /** JMH forks per trial; 0 runs every trial in the runner's JVM. */
  public final int forks;
  /** Entries of the key-value workload (system property {@code ts.bench.kv.keys}). */
  public final int kvKeys;
  /** Transactions written before the simulated crash of the recovery workload. */
  public final int recoveryTxns;
  /** Longest time a trial's setup spends warming its targets, in milliseconds. */
  public final long warmMillis;
  /**
   * JMH's synchronized iterations: all threads start and stop measuring together, the others
   * keep working until the last one is done (JMH's default; off only in {@link #TINY}).
   */
  public final boolean syncIterations;

  Profile(String id, @Nullable String synthetic, int warmupIterations, int warmupMillis,
      int measurementIterations, int measurementMillis, int singleShotWarmups,
      int singleShotMeasurements, int forks, int kvKeys, int recoveryTxns, long warmMillis) {
    this.id = id;
    this.synthetic = synthetic;
    this.warmupIterations = warmupIterations;
    this.warmupMillis = warmupMillis;
    this.measurementIterations = measurementIterations;
    this.measurementMillis = measurementMillis;
    this.singleShotWarmups = singleShotWarmups;
    this.singleShotMeasurements = singleShotMeasurements;
    this.forks = forks;
    this.kvKeys = kvKeys;
    this.recoveryTxns = recoveryTxns;
    this.warmMillis = warmMillis;
    this.syncIterations = forks > 0;
  }

  /**
   * Returns the corpora of the document workloads: the synthetic one (if any), then the real
   * trees ({@code real}).
   *
   * @return the {@code corpus} parameter values
   */
  public List<String> corpora() {
    return synthetic == null ? List.of("real") : List.of(synthetic, "real");
  }

  /**
   * Returns the profile of a command-line name.
   *
   * @param id {@code default}, {@code 1m}, {@code 10m} or {@code tiny} (any case)
   * @return the profile
   * @throws IllegalArgumentException for another name (the message lists the names)
   */
  public static Profile of(String id) {
    for (Profile p : values()) {
      if (p.id.equalsIgnoreCase(id)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown profile '" + id + "', expected one of "
        + Arrays.stream(values()).map(p -> p.id).collect(Collectors.joining(", ")));
  }

  /**
   * Describes the iteration settings in one line, for the report.
   *
   * @return the description
   */
  public String describe() {
    return String.format(Locale.ROOT, "profile %s: corpora %s;"
        + " time-based trials %d x %d ms warmup, %d x %d ms measurement; single-shot trials %d"
        + " warmup, %d measured invocations; %s", id, String.join(" and ", corpora()),
        warmupIterations, warmupMillis,
        measurementIterations, measurementMillis, singleShotWarmups, singleShotMeasurements,
        forks == 0 ? "no forks (all trials in the runner's JVM)" : forks + " fork per trial")
        + (syncIterations ? "" : "; JMH iterations not synchronized across threads");
  }
}
