package io.treestore.bench.runner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Writes the Markdown report of a run: the run and machine, how to read the figures, a summary
 * of the ratios, then per family its description, chart, one table per data set (rows:
 * operations; columns: TreeStore's p50, p99 and throughput, then each peer's p50, p99 and
 * ratio), the memory and disk figures, the engines' settings and links to the raw JMH JSON and
 * the JMH log. Not thread-safe; one instance per report.
 */
final class Report {
  /** Everything the report says about the run itself. */
  record Run(Profile profile, String command, List<String> args, String started,
      String finished, String duration, String loadStart, String loadEnd,
      Map<String, String> machine, Map<String, String> software, List<String> jvmFlags,
      List<String> notes) {}

  /** One family's results and side information. */
  record Family(Workload workload, List<Measurement> measurements, Map<String, String> settings,
      Map<String, String> datasets, @Nullable String chart, List<String> rawFiles,
      String logFile, List<String> failures) {}

  private final StringBuilder b = new StringBuilder();

  /**
   * Returns the ratio of a peer's time to TreeStore's for the same operation and data set.
   *
   * @param peer the peer's measurement
   * @param all the family's measurements
   * @return {@code peer time / TreeStore time}, or empty if TreeStore has no such trial
   */
  static Optional<Double> ratio(Measurement peer, List<Measurement> all) {
    return all.stream().filter(m -> Workload.TREESTORE.equals(m.engine())
        && m.dataset().equals(peer.dataset()) && m.method().equals(peer.method()))
        .findFirst().map(t -> peer.timeNs() / t.timeNs());
  }

  /**
   * Renders the report.
   *
   * @param run the run
   * @param families the families in report order
   * @return the Markdown text
   */
  String render(Run run, List<Family> families) {
    line("# TreeStore against its peers: profile `" + run.profile().id + "`");
    line();
    line("Written by the comparison runner (`io.treestore.bench.runner.BenchmarkRunner`; see"
        + " `docs/benchmark-runner.md`) from one run on one machine. Short runs on a shared"
        + " machine: read the ratios rather than the absolute figures, and check the load"
        + " averages below. Raw JMH JSON for every table is in `raw/`, the JMH logs (with"
        + " each engine's settings and counters) in `logs/`.");
    line();
    summary(families);
    runTable(run);
    howToRead();
    int n = 0;
    for (Family f : families) {
      family(++n, f);
    }
    return b.toString();
  }

  private void summary(List<Family> families) {
    line("## Summary");
    line();
    line("Geometric mean over a family's operations and data sets of the ratio peer time /"
        + " TreeStore time (above 1: TreeStore is faster), and in how many of them TreeStore"
        + " is faster.");
    line();
    line("| workload | peer | compared | TreeStore faster | geometric mean of ratios |");
    line("|---|---|---:|---:|---:|");
    for (Family f : families) {
      for (String engine : f.workload().engines()) {
        if (engine.equals(Workload.TREESTORE)) {
          continue;
        }
        List<Double> ratios = new ArrayList<>();
        for (Measurement m : f.measurements()) {
          if (engine.equals(m.engine())) {
            ratio(m, f.measurements()).ifPresent(ratios::add);
          }
        }
        if (ratios.isEmpty()) {
          line("| " + f.workload().title() + " | " + Workload.engineName(engine)
              + " | 0 | — | — |");
          continue;
        }
        double logSum = 0;
        int faster = 0;
        for (double r : ratios) {
          logSum += Math.log(r);
          faster += r > 1 ? 1 : 0;
        }
        line(String.format(Locale.ROOT, "| %s | %s | %d | %d | %s |", f.workload().title(),
            Workload.engineName(engine), ratios.size(), faster,
            ratio(Math.exp(logSum / ratios.size()))));
      }
    }
    line();
  }

  private void runTable(Run run) {
    line("## Run, machine and software");
    line();
    line("| | |");
    line("|---|---|");
    row("command", code(run.command()));
    row("runner arguments", code(String.join(" ", run.args())));
    row("profile", run.profile().describe());
    row("started", run.started() + "; load average (1, 5, 15 min) " + run.loadStart());
    row("finished", run.finished() + "; load average " + run.loadEnd());
    row("duration", run.duration());
    row("benchmark JVM flags", code(String.join(" ", run.jvmFlags()))
        + " before each benchmark's own `@Fork(jvmArgsAppend)` flags");
    for (Map.Entry<String, String> e : run.machine().entrySet()) {
      row(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, String> e : run.software().entrySet()) {
      row(e.getKey(), e.getValue());
    }
    line();
    for (String note : run.notes()) {
      line("- " + note);
    }
    if (!run.notes().isEmpty()) {
      line();
    }
  }

  private void howToRead() {
    line("## How to read the tables");
    line();
    line("- **p50, p99**: percentiles of the individually timed calls (JMH `SampleTime`)."
        + " Average-time trials (JMH `AverageTime`, key-value gets and scans) have no"
        + " percentiles: their p50 column holds the mean, marked *avg*. Single-shot trials"
        + " (key-value inserts, recovery) give the median of the shots, marked *med*.");
    line("- **ratio** = the peer's time / TreeStore's time for the same operation on the same"
        + " data, the time being p50 (or the mean, or the median of single shots, as"
        + " marked). **Above 1 means TreeStore is faster.**");
    line("- **ops/s**: calls per second of all benchmark threads together (threads / mean"
        + " latency).");
    line("- **on disk**: the engine's files (or PostgreSQL's tables with indexes and TOAST)"
        + " right before the last measured iteration. **heap**: Java heap in use after a full"
        + " GC at that point; **RSS**: the benchmark JVM's resident set then (and its peak),"
        + " which includes native caches (SQLite), mapped files (LMDB, Lucene) and the JVM"
        + " itself, including however far it grew its heap (up to the benchmark's `-Xmx`), so"
        + " compare Java engines by heap; **server**: PostgreSQL's processes' proportional set"
        + " size. With the `tiny` profile every trial shares one JVM, so heap and RSS say"
        + " little.");
    line();
  }

  private void family(int n, Family f) {
    Workload w = f.workload();
    line("## " + n + ". " + w.title());
    line();
    line(w.intro());
    line();
    if (f.chart() != null) {
      line("![" + w.title() + "](" + f.chart() + ")");
      line();
    }
    if (f.measurements().isEmpty()) {
      line("**No results.**");
      line();
    }
    Set<String> datasets = new LinkedHashSet<>();
    for (Measurement m : f.measurements()) {
      datasets.add(m.dataset());
    }
    List<String> engines = new ArrayList<>();
    for (String e : w.engines()) {
      if (f.measurements().stream().anyMatch(m -> e.equals(m.engine()))) {
        engines.add(e);
      }
    }
    for (String d : datasets) {
      line("### " + f.datasets().getOrDefault(d, d));
      line();
      table(f, d, engines);
    }
    resources(f, engines);
    if (!f.settings().isEmpty()) {
      line("Settings, as each engine reported them in the run:");
      line();
      for (String e : engines) {
        String s = f.settings().get(e);
        if (s != null) {
          line("- **" + Workload.engineName(e) + "**: " + code(s));
        }
      }
      line();
    }
    for (String fail : f.failures()) {
      line("- **Failed**: " + fail);
    }
    List<String> links = new ArrayList<>();
    for (String raw : f.rawFiles()) {
      links.add("[" + raw + "](" + raw + ")");
    }
    line("Raw JMH JSON: " + String.join(", ", links) + "; JMH log: [" + f.logFile() + "]("
        + f.logFile() + ").");
    line();
  }

  private void table(Family f, String dataset, List<String> engines) {
    List<String> ops = new ArrayList<>();
    for (Measurement m : f.measurements()) {
      if (m.dataset().equals(dataset) && m.engine() != null && !ops.contains(m.operation())) {
        ops.add(m.operation());
      }
    }
    StringBuilder head = new StringBuilder("| operation |");
    StringBuilder rule = new StringBuilder("|---|");
    for (String e : engines) {
      String name = Workload.engineName(e);
      if (e.equals(Workload.TREESTORE)) {
        head.append(' ').append(name).append(" p50 | ").append(name).append(" p99 | ")
            .append(name).append(" ops/s |");
        rule.append("---:|---:|---:|");
      } else {
        head.append(' ').append(name).append(" p50 | ").append(name).append(" p99 | ")
            .append(name).append(" ratio |");
        rule.append("---:|---:|---:|");
      }
    }
    if (!ops.isEmpty()) {
      line(head.toString());
      line(rule.toString());
    }
    for (String op : ops) {
      StringBuilder r = new StringBuilder("| ").append(op).append(" |");
      for (String e : engines) {
        Measurement m = find(f.measurements(), dataset, op, e);
        if (m == null) {
          r.append(" — | — | — |");
          continue;
        }
        r.append(' ').append(p50(m)).append(" | ").append(m.p99Ns() == null ? "—"
            : time(m.p99Ns())).append(" | ");
        if (e.equals(Workload.TREESTORE)) {
          r.append(ops(m.opsPerSec())).append(" |");
        } else {
          r.append(ratio(m, f.measurements()).map(Report::ratio).orElse("—")).append(" |");
        }
      }
      line(r.toString());
    }
    line();
    for (Measurement m : f.measurements()) {
      if (m.dataset().equals(dataset) && m.engine() == null) {
        line("Context, same run: " + m.operation() + ": p50 " + p50(m)
            + (m.p99Ns() == null ? "" : ", p99 " + time(m.p99Ns())) + ".");
        line();
      }
    }
  }

  private void resources(Family f, List<String> engines) {
    if (f.measurements().stream().allMatch(m -> m.resources().isEmpty())) {
      return;
    }
    line("Memory and disk (largest value over the family's trials of each engine and data"
        + " set):");
    line();
    line("| engine | data set | on disk | heap after GC | JVM RSS (peak) | server |");
    line("|---|---|---:|---:|---:|---:|");
    Set<String> datasets = new LinkedHashSet<>();
    for (Measurement m : f.measurements()) {
      datasets.add(m.dataset());
    }
    for (String e : engines) {
      for (String d : datasets) {
        List<Measurement> ms = f.measurements().stream().filter(m -> e.equals(m.engine())
            && m.dataset().equals(d)).toList();
        if (ms.isEmpty()) {
          continue;
        }
        Double rss = max(ms, ResourceProfiler.RSS);
        Double peak = max(ms, ResourceProfiler.RSS_PEAK);
        line("| " + Workload.engineName(e) + " | " + d + " | "
            + bytes(max(ms, ResourceProfiler.DISK)) + " | "
            + bytes(max(ms, ResourceProfiler.HEAP)) + " | " + bytes(rss)
            + (peak == null ? "" : " (" + bytes(peak) + ")") + " | "
            + bytes(max(ms, ResourceProfiler.PEER)) + " |");
      }
    }
    line();
  }

  private static @Nullable Double max(List<Measurement> ms, String label) {
    return ms.stream().map(m -> m.resource(label)).filter(Objects::nonNull)
        .max(Double::compare).orElse(null);
  }

  private static @Nullable Measurement find(List<Measurement> ms, String dataset, String op,
      String engine) {
    for (Measurement m : ms) {
      if (m.dataset().equals(dataset) && m.operation().equals(op)
          && engine.equals(m.engine())) {
        return m;
      }
    }
    return null;
  }

  private static String p50(Measurement m) {
    return switch (m.mode()) {
      case "sample" -> m.p50Ns() == null ? "—" : time(m.p50Ns());
      case "ss" -> time(m.timeNs()) + " *med*";
      default -> time(m.timeNs()) + " *avg*";
    };
  }

  /**
   * Formats a time with a unit chosen by its size, three significant digits.
   *
   * @param ns nanoseconds
   * @return for example {@code 812 ns}, {@code 45.2 µs}, {@code 3.10 ms}, {@code 1.25 s}
   */
  static String time(double ns) {
    if (ns < 1e3) {
      return String.format(Locale.ROOT, "%.0f ns", ns);
    }
    if (ns < 1e6) {
      return sig(ns / 1e3) + " µs";
    }
    if (ns < 1e9) {
      return sig(ns / 1e6) + " ms";
    }
    return sig(ns / 1e9) + " s";
  }

  private static String sig(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10
        ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
  }

  /**
   * Formats a ratio with two decimals.
   *
   * @param r the ratio
   * @return for example {@code 2.31}
   */
  static String ratio(double r) {
    return String.format(Locale.ROOT, "%.2f", r);
  }

  private static String ops(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : sig(v);
  }

  /**
   * Formats a byte count in decimal units.
   *
   * @param v bytes, or {@code null}
   * @return for example {@code 12.3 MB}, or {@code —}
   */
  static String bytes(@Nullable Double v) {
    if (v == null) {
      return "—";
    }
    if (v < 1e6) {
      return sig(v / 1e3) + " kB";
    }
    if (v < 1e9) {
      return sig(v / 1e6) + " MB";
    }
    return sig(v / 1e9) + " GB";
  }

  private static String code(String s) {
    return "`" + s.replace('`', '\'').replace('|', '/') + "`";
  }

  private void row(String k, String v) {
    line("| " + k + " | " + v.replace("|", "/") + " |");
  }

  private void line(String s) {
    b.append(s).append('\n');
  }

  private void line() {
    b.append('\n');
  }

  /**
   * Returns the JSON form of the run's figures (the runner's summary file), with ratios.
   *
   * @param run the run
   * @param families the families
   * @return maps and lists for a JSON writer
   */
  static Map<String, Object> json(Run run, List<Family> families) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("profile", run.profile().id);
    root.put("profileDescription", run.profile().describe());
    root.put("command", run.command());
    root.put("arguments", run.args());
    root.put("started", run.started());
    root.put("finished", run.finished());
    root.put("loadAverageStart", run.loadStart());
    root.put("loadAverageEnd", run.loadEnd());
    root.put("machine", run.machine());
    root.put("software", run.software());
    root.put("jvmFlags", run.jvmFlags());
    root.put("notes", run.notes());
    List<Object> fams = new ArrayList<>();
    for (Family f : families) {
      Map<String, Object> fm = new LinkedHashMap<>();
      fm.put("id", f.workload().id());
      fm.put("title", f.workload().title());
      fm.put("engines", f.workload().engines());
      fm.put("datasets", f.datasets());
      fm.put("settings", f.settings());
      fm.put("raw", f.rawFiles());
      fm.put("failures", f.failures());
      List<Object> ms = new ArrayList<>();
      for (Measurement m : f.measurements()) {
        Map<String, Object> mm = new LinkedHashMap<>();
        mm.put("dataset", m.dataset());
        mm.put("method", m.method());
        mm.put("operation", m.operation());
        mm.put("engine", m.engine());
        mm.put("mode", m.mode());
        mm.put("threads", m.threads());
        mm.put("samples", m.samples());
        mm.put("p50Ns", m.p50Ns());
        mm.put("p99Ns", m.p99Ns());
        mm.put("meanNs", m.meanNs());
        mm.put("timeNs", m.timeNs());
        mm.put("opsPerSec", m.opsPerSec());
        mm.put("ratioToTreeStore", m.engine() == null
            || m.engine().equals(Workload.TREESTORE) ? null
            : ratio(m, f.measurements()).orElse(null));
        mm.put("resources", m.resources());
        ms.add(mm);
      }
      fm.put("measurements", ms);
      fams.add(fm);
    }
    root.put("families", fams);
    return root;
  }
}
