package io.treestore.bench.runner;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.util.Statistics;

/**
 * One trial's figures, normalized to nanoseconds per operation.
 *
 * <p>What a figure means depends on JMH's mode:
 * <ul>
 *   <li>{@code SampleTime}: {@link #p50Ns} and {@link #p99Ns} are percentiles of the sampled
 *       calls; the comparison time {@link #timeNs} is p50;
 *   <li>{@code AverageTime}: no percentiles (JMH times batches of calls); the time is the mean;
 *   <li>{@code SingleShotTime}: p50 is the median of the single shots (per operation when a
 *       shot holds several), p99 is left out (too few shots), the time is the median;
 *   <li>{@code Throughput}: no percentiles; the time is the inverse of the throughput.
 * </ul>
 * {@link #opsPerSec} is operations per second over all threads: threads divided by the mean
 * time (throughput mode: the score).
 *
 * @param family the workload id
 * @param dataset the data set the trial ran on
 * @param method the benchmark method
 * @param operation the operation's label
 * @param engine the {@code engine} parameter, or {@code null} for a context row
 * @param mode JMH's mode, as its short name ({@code sample}, {@code avgt}, {@code ss},
 *     {@code thrpt})
 * @param threads benchmark threads
 * @param samples samples (sample mode) or measured iterations
 * @param p50Ns median in ns, or {@code null}
 * @param p99Ns 99th percentile in ns, or {@code null}
 * @param meanNs mean in ns per operation
 * @param timeNs the time ratios compare, in ns
 * @param opsPerSec operations per second, all threads
 * @param resources the {@link ResourceProfiler} results by label, in bytes
 */
public record Measurement(String family, String dataset, String method, String operation,
    @Nullable String engine, String mode, int threads, long samples, @Nullable Double p50Ns,
    @Nullable Double p99Ns, double meanNs, double timeNs, double opsPerSec,
    Map<String, Double> resources) {

  /**
   * Reads a JMH result.
   *
   * @param w the family the result belongs to
   * @param r the result
   * @return the measurement
   * @throws IllegalArgumentException if the score unit is not a time or rate JMH produces
   */
  @SuppressWarnings("rawtypes") // JMH's secondary results are raw Results
  public static Measurement of(Workload w, RunResult r) {
    BenchmarkParams bp = r.getParams();
    String method = bp.getBenchmark().substring(bp.getBenchmark().lastIndexOf('.') + 1);
    String engine = bp.getParamsKeys().contains("engine") ? bp.getParam("engine") : null;
    String dataset = w.datasetParam() != null && bp.getParamsKeys().contains(w.datasetParam())
        ? bp.getParam(w.datasetParam()) : w.fixedDataset();
    Result<?> primary = r.getPrimaryResult();
    Statistics st = primary.getStatistics();
    String unit = primary.getScoreUnit();
    int threads = bp.getThreads();
    Mode mode = bp.getMode();
    Double p50 = null;
    Double p99 = null;
    double mean;
    double time;
    double ops;
    if (mode == Mode.Throughput) {
      ops = primary.getScore() * perSecond(unit);
      mean = threads * 1e9 / ops;
      time = 1e9 / ops;
    } else {
      double scale = nanos(unit);
      mean = st.getMean() * scale;
      ops = threads * 1e9 / mean;
      switch (mode) {
        case SampleTime -> {
          p50 = st.getPercentile(50) * scale;
          p99 = st.getPercentile(99) * scale;
          time = p50;
        }
        case SingleShotTime -> {
          p50 = st.getPercentile(50) * scale;
          time = p50;
        }
        default -> time = mean;
      }
    }
    Map<String, Double> res = new LinkedHashMap<>();
    for (var e : r.getSecondaryResults().entrySet()) {
      if (e.getKey().startsWith("·res.")) {
        res.put(e.getKey(), e.getValue().getScore());
      }
    }
    return new Measurement(w.id(), dataset, method, w.label(method), engine, mode.shortLabel(),
        threads, st.getN(), p50, p99, mean, time, ops, res);
  }

  /** Nanoseconds in one unit of a {@code time/op} score unit. */
  static double nanos(String unit) {
    String u = unit.substring(0, unit.indexOf('/'));
    return switch (u) {
      case "ns" -> 1;
      case "us" -> 1e3;
      case "ms" -> 1e6;
      case "s" -> 1e9;
      case "min" -> 60e9;
      default -> throw new IllegalArgumentException("unknown time unit " + unit);
    };
  }

  /** Multiplier turning an {@code ops/time} score into operations per second. */
  static double perSecond(String unit) {
    return 1e9 / nanos(unit.substring(unit.indexOf('/') + 1) + "/op");
  }

  /**
   * Returns a resource figure.
   *
   * @param label one of {@link ResourceProfiler}'s labels
   * @return the bytes, or {@code null} if the trial did not report it
   */
  public @Nullable Double resource(String label) {
    return resources.get(label);
  }
}
