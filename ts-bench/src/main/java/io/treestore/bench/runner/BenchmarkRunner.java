package io.treestore.bench.runner;

import io.treestore.bench.PostgresPeer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

/**
 * The comparison runner: runs TreeStore's benchmarks against SQLite, PostgreSQL, LMDB,
 * H2 MVStore and Lucene through JMH's Java API and writes a report from that one run.
 *
 * <p>One command ({@code bin/bench}, or {@code java ... -cp benchmarks.jar
 * io.treestore.bench.runner.BenchmarkRunner --profile default}) does everything:
 * <ol>
 *   <li>starts the peers that are servers (a private PostgreSQL cluster on loopback,
 *       {@link PostgresPeer}) and hands their addresses to the benchmark JVMs in system
 *       properties; the embedded peers are libraries in the benchmark jar;
 *   <li>runs each family of {@link Workload#all} as one or two JMH runs with the
 *       {@link Profile}'s iteration settings and {@link ResourceProfiler}, printing a line per
 *       family and per trial; JMH's own output goes to {@code logs/<family>.txt};
 *   <li>writes {@code report.md} ({@link Report}), {@code charts/<family>.png}
 *       ({@link Charts}), the raw JMH JSON {@code raw/<family>.json} and the runner's summary
 *       with ratios {@code raw/runner.json} into the output directory.
 * </ol>
 * Built stores, logs of transactions and indexes go to a work directory (deleted at the end
 * unless {@code --keep-work}; kept, it lets the next run reuse the built corpora). Exit code
 * 0 when every trial produced a result, 1 when some failed (the report says which) or when
 * another JMH run holds JMH's lock (nothing is run then; the runner holds that lock for its
 * whole run), 2 for bad usage.
 *
 * <p>Not thread-safe: one run per instance.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    version = "TreeStore comparison runner 0.1.0",
    description = "Runs TreeStore against SQLite, PostgreSQL, LMDB, H2 MVStore and Lucene and"
        + " writes a report: Markdown tables, PNG charts and the raw JMH JSON.")
public final class BenchmarkRunner implements Callable<Integer> {
  /** The families, by id, in report order. */
  static final List<String> FAMILIES = List.of("ingest", "reads", "search", "mixed", "commit",
      "recovery", "kv");

  @Option(names = "--profile", defaultValue = "default",
      description = "default (about 10 min on 2 cores), 1m, 10m or tiny (default: "
          + "${DEFAULT-VALUE})")
  private String profile = "default";

  @Option(names = "--tiny", description = "Same as --profile tiny: a tiny corpus, no forks.")
  private boolean tiny;

  @Option(names = "--out", description = "Report directory (default:"
      + " docs/benchmark-report/<profile>).")
  private @Nullable Path out;

  @Option(names = "--work", description = "Work directory for built stores and temporary"
      + " files, on a disk (default: <java.io.tmpdir>/ts-bench-runner-<profile>).")
  private @Nullable Path work;

  @Option(names = "--dataset-dir", description = "The real PageIndex trees (default: system"
      + " property ts.dataset.dir, else ../shared/datasets/pageindex or"
      + " /work/shared/datasets/pageindex).")
  private @Nullable Path datasetDir;

  @Option(names = "--only", split = ",", description = "Families to run, comma-separated:"
      + " ingest, reads, search, mixed, commit, recovery, kv (default: all).")
  private List<String> only = new ArrayList<>();

  @Option(names = "--keep-work", description = "Keep the work directory (built stores are"
      + " reused by the next run).")
  private boolean keepWork;

  @Option(names = "--no-postgres", description = "Do not start PostgreSQL; leave it out.")
  private boolean noPostgres;

  private List<String> args = List.of();

  /** Creates the command (used by picocli). */
  public BenchmarkRunner() {
    // picocli fills the fields
  }

  /**
   * Runs the command line and exits with its code.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs the command line and returns the exit code (for tests).
   *
   * @param args the arguments
   * @return 0 if every trial produced a result, 1 if some failed, 2 for bad usage
   */
  public static int run(String... args) {
    BenchmarkRunner r = new BenchmarkRunner();
    r.args = List.of(args);
    return new CommandLine(r).execute(args);
  }

  @Override
  public Integer call() throws IOException {
    System.setProperty("java.awt.headless", "true");
    PrintStream console = System.out;
    Profile p = tiny ? Profile.TINY : Profile.of(profile);
    for (String o : only) {
      if (!FAMILIES.contains(o)) {
        throw new CommandLine.ParameterException(new CommandLine(this), "unknown family '" + o
            + "' in --only, expected some of " + String.join(", ", FAMILIES));
      }
    }
    if (p.forks == 0 || Boolean.getBoolean("jmh.ignoreLock")) {
      return run(p, console);
    }
    // hold JMH's lock for the whole run (not only while each JMH run is going), so that no
    // other benchmark starts between two workloads; our own JMH runs then ignore it
    try (FileChannel ch = FileChannel.open(JMH_LOCK, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock lock = ch.tryLock()) {
      if (lock == null) {
        console.println("[runner] another JMH run holds " + JMH_LOCK + ": benchmarks on this"
            + " machine must not overlap; run again when it has finished");
        return 1;
      }
      System.setProperty("jmh.ignoreLock", "true");
      try {
        return run(p, console);
      } finally {
        System.clearProperty("jmh.ignoreLock");
      }
    } catch (OverlappingFileLockException e) {
      console.println("[runner] this JVM already holds " + JMH_LOCK);
      return 1;
    }
  }

  private int run(Profile p, PrintStream console) throws IOException {
    Path dataset = dataset();
    Path outDir = (out != null ? out : Path.of("docs", "benchmark-report", p.id))
        .toAbsolutePath().normalize();
    Path workDir = (work != null ? work : Path.of(System.getProperty("java.io.tmpdir"),
        "ts-bench-runner-" + p.id)).toAbsolutePath().normalize();
    prepare(outDir, workDir);
    Instant start = Instant.now();
    String loadStart = RunEnvironment.loadAverage();
    console.printf(Locale.ROOT, "[runner] %s%n[runner] data set %s; work %s; report %s%n",
        p.describe(), dataset, workDir, outDir);
    List<String> notes = new ArrayList<>();
    List<Workload> selected = select(Workload.all(p, true));
    PostgresPeer pg = null;
    if (selected.stream().anyMatch(w -> w.engines().contains("postgres"))) {
      if (noPostgres) {
        notes.add("PostgreSQL left out (--no-postgres).");
      } else if (!PostgresPeer.available()) {
        notes.add("PostgreSQL left out: its server programs are not installed"
            + " (apt-get install postgresql).");
      } else {
        try {
          pg = PostgresPeer.start();
          console.println("[runner] started " + pg);
          notes.add("PostgreSQL cluster started by the runner for the whole run ("
              + pg.version() + "); postgresql.conf additions: "
              + String.join("; ", pg.configured()) + "; server reports: " + pg.settings()
              + ".");
        } catch (RuntimeException e) {
          notes.add("PostgreSQL left out: it did not start: " + e.getMessage());
          pg = null;
        }
      }
      if (pg == null) {
        console.println("[runner] " + notes.get(notes.size() - 1));
      }
    }
    if (pg == null) {
      selected = select(Workload.all(p, false));
    }
    List<Report.Family> families = new ArrayList<>();
    Map<String, String> machine;
    Map<String, String> software;
    List<String> jvmFlags = jvmFlags(p, dataset, workDir, pg);
    boolean failed = false;
    try {
      machine = RunEnvironment.machine(workDir);
      software = RunEnvironment.software(pg);
      int k = 0;
      for (Workload w : selected) {
        k++;
        console.printf(Locale.ROOT, "[runner] workload %d/%d: %s (%d trials)%n", k,
            selected.size(), w.title(), w.trials());
        long t0 = System.nanoTime();
        Report.Family f = runFamily(p, w, outDir, workDir, jvmFlags, console);
        failed |= !f.failures().isEmpty();
        families.add(f);
        console.printf(Locale.ROOT, "[runner] workload %d/%d: %s done in %s, %d of %d trials"
            + " with results%s%n", k, selected.size(), w.title(), duration(System.nanoTime()
            - t0), f.measurements().size(), w.trials(), f.failures().isEmpty() ? ""
            : "; FAILURES: " + String.join("; ", f.failures()));
      }
    } finally {
      if (pg != null) {
        pg.close();
      }
    }
    Instant end = Instant.now();
    Report.Run run = new Report.Run(p, RunEnvironment.commandLine(args), args,
        start.truncatedTo(ChronoUnit.SECONDS).toString(),
        end.truncatedTo(ChronoUnit.SECONDS).toString(),
        duration(Duration.between(start, end).toNanos()), loadStart,
        RunEnvironment.loadAverage(), machine, software, jvmFlags, notes);
    Files.writeString(outDir.resolve("report.md"), new Report().render(run, families),
        StandardCharsets.UTF_8);
    Files.writeString(outDir.resolve("raw/runner.json"), JsonMapper.builder().build()
        .writerWithDefaultPrettyPrinter().writeValueAsString(Report.json(run, families)),
        StandardCharsets.UTF_8);
    if (!keepWork) {
      deleteTree(workDir);
    }
    console.printf(Locale.ROOT, "[runner] finished in %s: %s%n", run.duration(),
        outDir.resolve("report.md"));
    return failed ? 1 : 0;
  }

  /** JMH's lock file: a JMH run holds it while it runs. */
  static final Path JMH_LOCK = Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock");

  private List<Workload> select(List<Workload> all) {
    return all.stream().filter(w -> only.isEmpty() || only.contains(w.id())).toList();
  }

  private Path dataset() {
    Path d = datasetDir;
    if (d == null) {
      String prop = System.getProperty("ts.dataset.dir");
      if (prop != null) {
        d = Path.of(prop);
      } else {
        for (String c : List.of("../shared/datasets/pageindex",
            "/work/shared/datasets/pageindex")) {
          if (Files.isDirectory(Path.of(c))) {
            d = Path.of(c);
            break;
          }
        }
      }
    }
    boolean ok = false;
    if (d != null && Files.isDirectory(d)) {
      try (Stream<Path> s = Files.list(d)) {
        ok = s.anyMatch(f -> f.getFileName().toString().endsWith(".with_text.json"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (d == null || !ok) {
      throw new CommandLine.ParameterException(new CommandLine(this), "no real PageIndex"
          + " trees (*.with_text.json) found" + (d == null ? "" : " in " + d)
          + "; give --dataset-dir");
    }
    return d.toAbsolutePath().normalize();
  }

  /** Clears the outputs this runner writes and the work directory's per-run parts. */
  private static void prepare(Path outDir, Path workDir) throws IOException {
    Files.createDirectories(outDir);
    Files.deleteIfExists(outDir.resolve("report.md"));
    for (String sub : List.of("raw", "charts", "logs")) {
      deleteTree(outDir.resolve(sub));
      Files.createDirectories(outDir.resolve(sub));
    }
    for (String sub : List.of("facts", "txn", "tmp")) {
      deleteTree(workDir.resolve(sub));
      Files.createDirectories(workDir.resolve(sub));
    }
    Files.createDirectories(workDir.resolve("stores"));
  }

  /** The flags every benchmark JVM gets before its own (system properties for the trials). */
  private static List<String> jvmFlags(Profile p, Path dataset, Path workDir,
      @Nullable PostgresPeer pg) {
    Map<String, String> props = properties(p, dataset, workDir, pg);
    List<String> flags = new ArrayList<>();
    props.forEach((k, v) -> flags.add("-D" + k + "=" + v));
    flags.add("-Djava.io.tmpdir=" + workDir.resolve("tmp"));
    flags.add("-Djava.awt.headless=true");
    flags.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
    flags.add("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
    return flags;
  }

  private static Map<String, String> properties(Profile p, Path dataset, Path workDir,
      @Nullable PostgresPeer pg) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("ts.bench.stores", workDir.resolve("stores").toString());
    m.put("ts.bench.dir", workDir.resolve("txn").toString());
    m.put(TrialFacts.DIR_PROPERTY, workDir.resolve("facts").toString());
    m.put("ts.bench.pageindex", dataset.toString());
    m.put("ts.dataset.dir", dataset.toString());
    m.put("ts.bench.warmMillis", Long.toString(p.warmMillis));
    m.put("ts.bench.kv.keys", Integer.toString(p.kvKeys));
    if (pg != null) {
      m.put(PostgresPeer.URL_PROPERTY, pg.url());
      m.put(PostgresPeer.PID_PROPERTY, Long.toString(pg.pid()));
    }
    return m;
  }

  private Report.Family runFamily(Profile p, Workload w, Path outDir, Path workDir,
      List<String> jvmFlags, PrintStream console) throws IOException {
    List<Measurement> ms = new ArrayList<>();
    List<String> raw = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    Path notesFile = workDir.resolve("facts").resolve(TrialFacts.NOTES_FILE);
    long notesBefore = Files.exists(notesFile) ? Files.size(notesFile) : 0;
    String logName = "logs/" + w.id() + ".txt"; // .log files are git-ignored
    int done = 0;
    for (int i = 0; i < w.parts().size(); i++) {
      Workload.Part part = w.parts().get(i);
      String rawName = "raw/" + w.id() + (w.parts().size() > 1 ? "-" + (i + 1) : "") + ".json";
      ChainedOptionsBuilder o = new OptionsBuilder().include(part.include()).forks(p.forks)
          .shouldFailOnError(false).addProfiler(ResourceProfiler.class)
          .result(outDir.resolve(rawName).toString()).resultFormat(ResultFormatType.JSON)
          .jvmArgsPrepend(jvmFlags.toArray(String[]::new)).timeout(TimeValue.minutes(30))
          .syncIterations(p.syncIterations);
      if (part.singleShot()) {
        o.warmupIterations(p.singleShotWarmups).measurementIterations(p.singleShotMeasurements)
            .warmupBatchSize(1).measurementBatchSize(1);
      } else {
        o.warmupIterations(p.warmupIterations)
            .warmupTime(TimeValue.milliseconds(p.warmupMillis))
            .measurementIterations(p.measurementIterations)
            .measurementTime(TimeValue.milliseconds(p.measurementMillis));
      }
      for (Map.Entry<String, List<String>> e : part.params().entrySet()) {
        o.param(e.getKey(), e.getValue().toArray(String[]::new));
      }
      try {
        for (RunResult r : runJmh(p, o, outDir.resolve(logName), console, w, done)) {
          ms.add(Measurement.of(w, r));
        }
        if (Files.exists(outDir.resolve(rawName))) {
          raw.add(rawName);
        }
      } catch (RunnerException | RuntimeException e) {
        failures.add(part.benchmark() + ": " + e);
      }
      done += part.trials();
    }
    ms.sort(Comparator.comparingInt((Measurement m) -> order(p.corpora(), m.dataset()))
        .thenComparingInt(m -> order(methods(w), m.method()))
        .thenComparingInt(m -> m.engine() == null ? Integer.MAX_VALUE
            : order(w.engines(), m.engine())));
    if (ms.size() < w.trials()) {
      failures.add((w.trials() - ms.size()) + " of " + w.trials() + " trials produced no"
          + " result (see " + logName + ")");
    }
    Map<String, String> settings = new LinkedHashMap<>();
    Map<String, String> datasets = new LinkedHashMap<>();
    if (Files.exists(notesFile)) {
      byte[] all = Files.readAllBytes(notesFile);
      String mine = new String(all, (int) notesBefore, all.length - (int) notesBefore,
          StandardCharsets.UTF_8);
      for (String line : mine.split("\n")) {
        String[] f = line.split("\t", 3);
        if (f.length == 3) {
          (f[0].equals(TrialFacts.SETTINGS) ? settings : datasets).putIfAbsent(f[1], f[2]);
        }
      }
    }
    String chart = "charts/" + w.id() + ".png";
    boolean drawn = Charts.write(w, ms, outDir.resolve(chart));
    return new Report.Family(w, ms, settings, datasets, drawn ? chart : null, raw, logName,
        failures);
  }

  private static List<String> methods(Workload w) {
    List<String> out = new ArrayList<>();
    for (Workload.Part part : w.parts()) {
      out.addAll(part.methods());
    }
    return out;
  }

  private static int order(List<String> list, String value) {
    int i = list.indexOf(value);
    return i < 0 ? list.size() : i;
  }

  /** Runs one JMH run: output to the log, progress to the console. */
  private static Collection<RunResult> runJmh(Profile p, ChainedOptionsBuilder options,
      Path log, PrintStream console, Workload w, int before)
      throws RunnerException, IOException {
    PrintStream logStream = new PrintStream(Files.newOutputStream(log,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND), true, StandardCharsets.UTF_8);
    OutputFormat format = new ProgressOutput(OutputFormatFactory.createFormatInstance(
        logStream, VerboseMode.NORMAL), console, w.id(), w.trials(), before);
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    Map<String, @Nullable String> savedProps = new LinkedHashMap<>();
    if (p.forks == 0) {
      // every trial runs in this JVM: give it the benchmark JVMs' properties and output
      Map<String, String> props = new LinkedHashMap<>();
      for (String flag : options.build().getJvmArgsPrepend().orElse(List.of())) {
        int eq = flag.indexOf('=');
        if (flag.startsWith("-D") && eq > 0 && !flag.startsWith("-Djava.")) {
          props.put(flag.substring(2, eq), flag.substring(eq + 1));
        }
      }
      props.put("jmh.ignoreLock", "true");
      props.forEach((k, v) -> savedProps.put(k, System.setProperty(k, v)));
    }
    // what the benchmarks print (JMH copies a forked JVM's output to this JVM's) goes to the log
    System.setOut(logStream);
    System.setErr(logStream);
    try {
      return new Runner(options.build(), format).run();
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
      savedProps.forEach((k, v) -> {
        if (v == null) {
          System.clearProperty(k);
        } else {
          System.setProperty(k, v);
        }
      });
      logStream.close();
    }
  }

  private static String duration(long nanos) {
    long s = Math.round(nanos / 1e9);
    return s >= 60 ? String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60)
        : String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
