package io.treestore.bench.runner;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.format.OutputFormat;

/**
 * JMH's output for one family: everything JMH prints (and what forked benchmark JVMs print) goes
 * to the family's log file through JMH's own format, and one line per trial goes to the
 * console: its number, operation, engine, parameters, p50 or score, and duration.
 *
 * <p>Called by JMH's runner thread only; not thread-safe.
 */
final class ProgressOutput implements OutputFormat {
  private final OutputFormat log;
  private final PrintStream console;
  private final String family;
  private final int trials;
  private int started;
  private long t0;
  private boolean open;

  /**
   * Creates the output.
   *
   * @param log JMH's format writing to the log file
   * @param console where the progress lines go
   * @param family the family's id
   * @param trials the number of trials of the family (for {@code k/n})
   * @param before the family's trials already run by earlier JMH runs
   */
  ProgressOutput(OutputFormat log, PrintStream console, String family, int trials,
      int before) {
    this.log = log;
    this.console = console;
    this.family = family;
    this.trials = trials;
    this.started = before;
  }

  @Override
  public void iteration(BenchmarkParams benchParams, IterationParams params, int iteration) {
    log.iteration(benchParams, params, iteration);
  }

  @Override
  public void iterationResult(BenchmarkParams benchParams, IterationParams params,
      int iteration, IterationResult data) {
    log.iterationResult(benchParams, params, iteration, data);
  }

  @Override
  public void startBenchmark(BenchmarkParams benchParams) {
    log.startBenchmark(benchParams);
    endUnfinished();
    open = true;
    started++;
    t0 = System.nanoTime();
    String name = benchParams.getBenchmark();
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  [%s %d/%d] %s", family,
        started, trials, name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1)));
    for (String k : benchParams.getParamsKeys()) {
      b.append(' ').append(k).append('=').append(benchParams.getParam(k));
    }
    console.print(b);
    console.flush();
  }

  @Override
  public void endBenchmark(BenchmarkResult result) {
    log.endBenchmark(result);
    double secs = (System.nanoTime() - t0) / 1e9;
    open = false;
    if (result == null) {
      console.printf(Locale.ROOT, " FAILED after %.1f s (see the log)%n", secs);
      return;
    }
    var r = result.getPrimaryResult();
    String figure = result.getParams().getMode().shortLabel().equals("sample")
        ? String.format(Locale.ROOT, "p50 %.3g %s", r.getStatistics().getPercentile(50),
            r.getScoreUnit())
        : String.format(Locale.ROOT, "%.3g %s", r.getScore(), r.getScoreUnit());
    console.printf(Locale.ROOT, ": %s (%.1f s)%n", figure, secs);
  }

  /** Ends the line of a trial JMH gave up on without reporting its end. */
  private void endUnfinished() {
    if (open) {
      open = false;
      console.printf(Locale.ROOT, " FAILED after %.1f s (see the log)%n",
          (System.nanoTime() - t0) / 1e9);
    }
  }

  @Override
  public void startRun() {
    log.startRun();
  }

  @Override
  public void endRun(Collection<RunResult> result) {
    endUnfinished();
    log.endRun(result);
  }

  @Override
  public void print(String s) {
    log.print(s);
  }

  @Override
  public void println(String s) {
    log.println(s);
  }

  @Override
  public void flush() {
    log.flush();
  }

  @Override
  public void close() {
    log.close();
  }

  @Override
  public void verbosePrintln(String s) {
    log.verbosePrintln(s);
  }

  @Override
  public void write(int b) {
    log.write(b);
  }

  @Override
  public void write(byte[] b) throws IOException {
    log.write(b);
  }
}
