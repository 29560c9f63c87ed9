package io.treestore.bench.runner;

import io.treestore.bench.PostgresPeer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;
import org.openjdk.jmh.runner.IterationType;

/**
 * A JMH profiler that reports, once per trial, the memory and disk the engine under test uses,
 * as secondary results kept in the JMH JSON next to the timings.
 *
 * <p>Right before the last measured iteration (untimed: JMH calls profilers between
 * iterations), while the trial's engine is open (JMH tears a trial down before it calls the
 * profilers after the last iteration), reported with that iteration:
 * <ul>
 *   <li>{@value #HEAP}: bytes of Java heap in use after two {@code System.gc()} calls (the
 *       engine's live objects: caches, indexes, the benchmark's targets; the same for every
 *       engine of a trial, so differences are the engines');
 *   <li>{@value #RSS} and {@value #RSS_PEAK}: the JVM's resident set ({@code VmRSS}) and its
 *       peak ({@code VmHWM}) from {@code /proc/self/status}, which include native memory such
 *       as SQLite's page cache and LMDB's mapped pages, and also the JVM itself;
 *   <li>{@value #PEER}: for the {@code postgres} engine, the proportional set size
 *       ({@code Pss} of {@code /proc/<pid>/smaps_rollup}) summed over the PostgreSQL server
 *       process named by {@link PostgresPeer#PID_PROPERTY} and all its descendants (shared
 *       buffers counted once);
 *   <li>{@value #DISK}: the bytes the benchmark registered with {@link TrialFacts#diskUsage}.
 * </ul>
 * Values that cannot be read (no {@code /proc}, nothing registered) are left out.
 *
 * <p>Used by one JMH benchmark thread at a time (JMH calls profilers from its control thread);
 * not thread-safe.
 */
public final class ResourceProfiler implements InternalProfiler {
  /** Label of the on-disk size in bytes. */
  public static final String DISK = "·res.disk";
  /** Label of the heap in use after GC, in bytes. */
  public static final String HEAP = "·res.heap";
  /** Label of the resident set of the JVM in bytes. */
  public static final String RSS = "·res.rss";
  /** Label of the peak resident set of the JVM in bytes. */
  public static final String RSS_PEAK = "·res.rss.peak";
  /** Label of the peer server's memory in bytes. */
  public static final String PEER = "·res.peer";

  private @Nullable String current;
  private int measured;
  private List<ScalarResult> taken = List.of();

  /** Creates the profiler (JMH does, by class name). */
  public ResourceProfiler() {
    // state is per trial, reset in beforeIteration
  }

  @Override
  public String getDescription() {
    return "TreeStore runner: heap after GC, RSS, peer server memory and on-disk size";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    boolean newTrial = !benchmarkParams.id().equals(current)
        || (iterationParams.getType() == IterationType.WARMUP && measured > 0);
    if (newTrial) {
      current = benchmarkParams.id();
      measured = 0;
      taken = List.of();
    }
    if (iterationParams.getType() == IterationType.MEASUREMENT
        && measured + 1 == iterationParams.getCount()) {
      taken = measure(benchmarkParams);
    }
  }

  @Override
  @SuppressWarnings("rawtypes") // JMH's signature
  public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
      IterationParams iterationParams, IterationResult result) {
    if (iterationParams.getType() != IterationType.MEASUREMENT
        || ++measured < iterationParams.getCount()) {
      return List.of();
    }
    TrialFacts.forget();
    List<ScalarResult> out = taken;
    taken = List.of();
    return out;
  }

  /** Takes the figures (before the last measured iteration, while the trial's engine is open). */
  private static List<ScalarResult> measure(BenchmarkParams benchmarkParams) {
    List<ScalarResult> out = new ArrayList<>();
    try {
      OptionalLong disk = TrialFacts.diskBytes();
      if (disk.isPresent()) {
        out.add(bytes(DISK, disk.getAsLong()));
      }
    } catch (RuntimeException e) {
      System.err.println("[resources] on-disk size not measured: " + e);
    }
    System.gc();
    System.gc();
    out.add(bytes(HEAP, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()));
    Map<String, Long> status = procStatus(Path.of("/proc/self/status"));
    if (status.containsKey("VmRSS")) {
      out.add(bytes(RSS, status.get("VmRSS")));
    }
    if (status.containsKey("VmHWM")) {
      out.add(bytes(RSS_PEAK, status.get("VmHWM")));
    }
    String pid = System.getProperty(PostgresPeer.PID_PROPERTY);
    if (pid != null && "postgres".equals(param(benchmarkParams, "engine"))) {
      long pss = treePss(Long.parseLong(pid));
      if (pss > 0) {
        out.add(bytes(PEER, pss));
      }
    }
    return out;
  }

  private static @Nullable String param(BenchmarkParams p, String name) {
    return p.getParamsKeys().contains(name) ? p.getParam(name) : null;
  }

  private static ScalarResult bytes(String label, long value) {
    return new ScalarResult(label, value, "bytes", AggregationPolicy.MAX);
  }

  /**
   * Reads the {@code kB} lines of a {@code /proc/<pid>/status} or {@code smaps_rollup} file.
   *
   * @return name to bytes; empty if the file cannot be read
   */
  static Map<String, Long> procStatus(Path file) {
    Map<String, Long> out = new HashMap<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return out;
    }
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.endsWith(" kB")) {
        String v = line.substring(colon + 1, line.length() - 3).strip();
        try {
          out.put(line.substring(0, colon), Long.parseLong(v) * 1024);
        } catch (NumberFormatException e) {
          // not a size line
        }
      }
    }
    return out;
  }

  /** Sums {@code Pss} over a process and its descendants; 0 if unreadable. */
  static long treePss(long root) {
    Map<Long, List<Long>> children = new HashMap<>();
    try (Stream<Path> s = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        String stat;
        try {
          stat = Files.readString(p.resolve("stat"));
        } catch (IOException e) {
          continue; // the process ended
        }
        // pid (comm) state ppid ...: comm may hold spaces and parentheses
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        children.computeIfAbsent(Long.parseLong(f[1]), k -> new ArrayList<>())
            .add(Long.parseLong(name));
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    long sum = 0;
    ArrayDeque<Long> todo = new ArrayDeque<>(List.of(root));
    while (!todo.isEmpty()) {
      long pid = todo.pop();
      Long pss = procStatus(Path.of("/proc/" + pid + "/smaps_rollup")).get("Pss");
      if (pss != null) {
        sum += pss;
      }
      todo.addAll(children.getOrDefault(pid, List.of()));
    }
    return sum;
  }
}
