package io.treestore.bench.runner;

import io.treestore.bench.PostgresPeer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What the report says about the machine and the software: read from {@code /proc}, the JDK,
 * the drivers and libraries themselves (their metadata or the {@code pom.properties} their jars
 * carry), and git. Every method returns {@code "unknown"} (with the reason) rather than failing
 * when something cannot be read. Stateless and thread-safe.
 */
final class RunEnvironment {
  private RunEnvironment() {}

  /**
   * Describes the machine.
   *
   * @param dataDir the directory the benchmarks write to (its file system is reported)
   * @return ordered name to description
   */
  static Map<String, String> machine(Path dataDir) {
    Map<String, String> m = new LinkedHashMap<>();
    String model = "unknown";
    int procs = 0;
    for (String line : lines(Path.of("/proc/cpuinfo"))) {
      if (line.startsWith("model name") && model.equals("unknown")) {
        model = line.substring(line.indexOf(':') + 1).strip();
      }
      if (line.startsWith("processor")) {
        procs++;
      }
    }
    m.put("CPU", String.format(Locale.ROOT, "%s; %d logical processors in /proc/cpuinfo, %d"
        + " available to the JVM (nproc)", model, procs, Runtime.getRuntime()
        .availableProcessors()));
    String mem = "unknown";
    for (String line : lines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
        mem = String.format(Locale.ROOT, "%.1f GiB (MemTotal %,d kB)", kb / 1048576.0, kb);
      }
    }
    m.put("memory", mem);
    List<String> release = lines(Path.of("/proc/sys/kernel/osrelease"));
    m.put("kernel", System.getProperty("os.name") + " " + (release.isEmpty()
        ? System.getProperty("os.version") : release.get(0).strip()) + " ("
        + System.getProperty("os.arch") + ")");
    try {
      Files.createDirectories(dataDir);
      FileStore fs = Files.getFileStore(dataDir);
      m.put("file system of the data", String.format(Locale.ROOT, "%s (%s on %s)", dataDir,
          fs.type(), fs.name()));
    } catch (IOException e) {
      m.put("file system of the data", "unknown: " + e.getMessage());
    }
    return m;
  }

  /**
   * Describes the JDK, JMH, TreeStore's commit and every peer's version.
   *
   * @param pg the PostgreSQL cluster of the run, or {@code null} if none was started
   * @return ordered name to description
   */
  static Map<String, String> software(@Nullable PostgresPeer pg) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("JDK", "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ", "
        + System.getProperty("java.vm.name") + ", " + System.getProperty("java.home") + ")");
    m.put("JMH", org.openjdk.jmh.util.Version.getPlainVersion());
    m.put("TreeStore", "commit " + gitCommit());
    m.put("SQLite", sqlite());
    m.put("PostgreSQL", pg == null ? "not started" : safe(pg::version));
    m.put("LMDB", "lmdbjava " + pomVersion("org.lmdbjava", "lmdbjava") + ", native "
        + safe(() -> {
          org.lmdbjava.Meta.Version v = org.lmdbjava.Meta.version();
          return v.major + "." + v.minor + "." + v.patch;
        }));
    m.put("H2 MVStore", "h2-mvstore " + safe(() -> org.h2.engine.Constants.FULL_VERSION));
    m.put("Lucene", "lucene-core " + safe(() -> org.apache.lucene.util.Version.LATEST
        .toString()));
    m.put("XChart", "xchart " + pomVersion("org.knowm.xchart", "xchart"));
    return m;
  }

  private static String sqlite() {
    try (Connection c = org.sqlite.JDBC.createConnection("jdbc:sqlite::memory:",
        new Properties())) {
      DatabaseMetaData md = c.getMetaData();
      return md.getDatabaseProductVersion() + " (sqlite-jdbc " + md.getDriverVersion() + ")";
    } catch (SQLException | RuntimeException e) {
      return "unknown: " + e.getMessage();
    }
  }

  /** A computation that may fail. */
  @FunctionalInterface
  private interface Source {
    String get() throws Exception;
  }

  private static String safe(Source s) {
    try {
      return s.get();
    } catch (Exception | LinkageError e) {
      return "unknown (" + e + ")";
    }
  }

  /**
   * Reads a library's version from the {@code pom.properties} its jar carries (kept in the
   * shaded jar), else from its package's manifest.
   *
   * @return the version or {@code unknown}
   */
  static String pomVersion(String group, String artifact) {
    String res = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = RunEnvironment.class.getResourceAsStream(res)) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        if (v != null) {
          return v;
        }
      }
    } catch (IOException e) {
      // fall through to unknown
    }
    return "unknown";
  }

  /**
   * Returns the short commit of the working directory's git checkout, with a note if it has
   * uncommitted changes to tracked files.
   *
   * @return for example {@code abc1234} or {@code abc1234 + uncommitted changes}
   */
  static String gitCommit() {
    String head = command("git", "rev-parse", "--short", "HEAD");
    if (head == null || head.isBlank()) {
      return "unknown (not a git checkout)";
    }
    String status = command("git", "status", "--porcelain", "--untracked-files=no");
    return head.strip() + (status != null && !status.isBlank()
        ? " + uncommitted changes to tracked files" : "");
  }

  /**
   * Returns the load averages as {@code /proc/loadavg} gives them.
   *
   * @return {@code 1-min, 5-min, 15-min}, or {@code unknown}
   */
  static String loadAverage() {
    List<String> l = lines(Path.of("/proc/loadavg"));
    if (l.isEmpty()) {
      return "unknown";
    }
    String[] f = l.get(0).split(" ");
    return f[0] + ", " + f[1] + ", " + f[2];
  }

  /**
   * Returns this JVM's command line.
   *
   * @param args the runner's arguments (used if the OS does not tell)
   * @return the command
   */
  static String commandLine(List<String> args) {
    return ProcessHandle.current().info().commandLine()
        .orElse("java ... " + BenchmarkRunner.class.getName() + " " + String.join(" ", args));
  }

  private static @Nullable String command(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return null;
      }
      return out;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static List<String> lines(Path p) {
    try {
      return Files.readAllLines(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return List.of();
    }
  }
}
