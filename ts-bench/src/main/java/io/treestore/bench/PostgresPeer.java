package io.treestore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL peer of the document benchmarks: a private cluster of Debian's PostgreSQL
 * server on loopback, created and started by {@link ServerBenchPostgres#startEmpty} with the
 * durable settings {@link #settings()}, stopped and deleted by {@link #close()}.
 *
 * <p>The comparison runner starts one cluster for its whole run and hands its address to the
 * benchmark JVMs in the system property {@value #URL_PROPERTY} (and the server's process id in
 * {@value #PID_PROPERTY}, for memory figures); the {@code postgres} engine of
 * {@link StoresBenchmark} and {@link MixedBenchmark} connects to it ({@link PostgresDocs}).
 * A benchmark JVM started without that property starts its own cluster on first use
 * ({@link #urlForThisJvm()}), which lives until the JVM exits.
 *
 * <p>Thread-safe.
 */
public final class PostgresPeer implements AutoCloseable {
  /** System property with the JDBC URL of a running cluster (user and database included). */
  public static final String URL_PROPERTY = "ts.bench.pg.url";
  /** System property with the process id of that cluster's server. */
  public static final String PID_PROPERTY = "ts.bench.pg.pid";

  private static @Nullable PostgresPeer ownCluster;

  private final ServerBenchPostgres pg;
  private final List<String> settings;

  private PostgresPeer(ServerBenchPostgres pg, List<String> settings) {
    this.pg = pg;
    this.settings = settings;
  }

  /**
   * Tells whether PostgreSQL's server programs are installed ({@code initdb} in the newest
   * {@code /usr/lib/postgresql/<n>/bin}).
   *
   * @return {@code true} if a cluster can be started
   */
  public static boolean available() {
    Path bin = ServerBenchPostgres.binaries();
    return !bin.toString().isEmpty() && Files.isExecutable(bin.resolve("initdb"));
  }

  /**
   * The settings appended to {@code postgresql.conf}: durability as PostgreSQL ships it and
   * its documentation requires for crash safety ({@code fsync}, {@code synchronous_commit},
   * {@code full_page_writes} on: a commit returns after its WAL is flushed), and the two memory
   * settings the documentation's "Resource Consumption" chapter tells a dedicated server to
   * raise: {@code shared_buffers} a quarter of the machine's memory (at most 1 GB here, more
   * than the data of the default and 1m profiles), {@code effective_cache_size} half of it.
   *
   * @return the lines
   */
  static List<String> durableSettings() {
    long mem = memTotalBytes();
    long shared = Math.min(1L << 30, Math.max(128L << 20, mem / 4));
    List<String> s = new ArrayList<>();
    s.add("listen_addresses = '127.0.0.1'");
    s.add("max_connections = 64");
    s.add("fsync = on");
    s.add("synchronous_commit = on");
    s.add("full_page_writes = on");
    s.add("shared_buffers = " + (shared >> 20) + "MB");
    s.add("effective_cache_size = " + Math.max(256, mem / 2 >> 20) + "MB");
    s.add("logging_collector = off");
    return s;
  }

  private static long memTotalBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // fall through
    }
    return Runtime.getRuntime().maxMemory();
  }

  /**
   * Creates and starts a cluster with {@link #durableSettings()} in a new temporary directory.
   *
   * @return the running cluster
   * @throws IllegalStateException if PostgreSQL is not installed or does not start
   */
  public static PostgresPeer start() {
    if (!available()) {
      throw new IllegalStateException("PostgreSQL server programs not found in"
          + " /usr/lib/postgresql/<n>/bin (apt-get install postgresql)");
    }
    List<String> settings = durableSettings();
    return new PostgresPeer(ServerBenchPostgres.startEmpty(settings), settings);
  }

  /**
   * Returns the JDBC URL of the cluster this JVM's benchmarks use: the one named by
   * {@value #URL_PROPERTY}, else one started for this JVM on first call.
   *
   * @return the URL
   */
  static synchronized String urlForThisJvm() {
    String url = System.getProperty(URL_PROPERTY);
    if (url != null) {
      return url;
    }
    PostgresPeer own = ownCluster;
    if (own == null) {
      own = start();
      ownCluster = own; // stopped and deleted by ServerBenchPostgres's shutdown hook
    }
    return own.url();
  }

  /**
   * Returns the JDBC URL: loopback, database {@code postgres}, user {@code bench} (trust),
   * batched inserts rewritten into multi-row inserts ({@code reWriteBatchedInserts}, pgjdbc's
   * documented switch for batch loading).
   *
   * @return the URL
   */
  public String url() {
    return pg.url + "?user=bench&reWriteBatchedInserts=true";
  }

  /**
   * Returns the process id of the server.
   *
   * @return the postmaster's pid
   */
  public long pid() {
    return pg.pid();
  }

  /**
   * Returns the server's version as it reports it ({@code SHOW server_version}) and the
   * programs' ({@code postgres --version}).
   *
   * @return for example {@code 15.14 (postgres (PostgreSQL) 15.14 ...)}
   * @throws IllegalStateException if the server cannot be queried
   */
  public String version() {
    try (Connection c = pg.connect(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SHOW server_version")) {
      r.next();
      return r.getString(1) + " (" + pg.version.strip() + ", pgjdbc "
          + org.postgresql.util.DriverInfo.DRIVER_VERSION + ")";
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL: " + e.getMessage(), e);
    }
  }

  /**
   * Returns the settings this cluster was started with, as the server reports them.
   *
   * @return {@code name=value} pairs separated by spaces
   * @throws IllegalStateException if the server cannot be queried
   */
  public String settings() {
    StringBuilder b = new StringBuilder();
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      for (String name : List.of("fsync", "synchronous_commit", "full_page_writes",
          "wal_level", "shared_buffers", "effective_cache_size", "work_mem", "max_wal_size",
          "checkpoint_timeout", "jit")) {
        try (ResultSet r = s.executeQuery("SHOW " + name)) {
          r.next();
          b.append(b.isEmpty() ? "" : " ").append(name).append('=').append(r.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL: " + e.getMessage(), e);
    }
    return b.toString();
  }

  /**
   * Returns the lines appended to {@code postgresql.conf}.
   *
   * @return the lines
   */
  public List<String> configured() {
    return List.copyOf(settings);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "PostgreSQL on port %d, cluster %s", pg.port, pg.root);
  }

  /** Stops the server and deletes the cluster (idempotent). */
  @Override
  public void close() {
    pg.close();
  }
}
