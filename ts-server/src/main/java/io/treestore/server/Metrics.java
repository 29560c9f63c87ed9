package io.treestore.server;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.treestore.spi.TreeStore;
import io.treestore.txn.DatabaseStats;
import io.treestore.txn.DbSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The server's Prometheus metrics, with the names the design asks for:
 *
 * <ul>
 *   <li>{@code treestore_query_duration_seconds} (histogram; labels {@code transport},
 *       {@code operation}): time to answer a request, from parsing to the answer;
 *   <li>{@code treestore_transaction_duration_seconds} (histogram; label {@code operation}):
 *       time of write operations, which each run one transaction (with its retries);
 *   <li>{@code treestore_requests_total} and {@code treestore_errors_total} (counters; labels
 *       {@code transport}, {@code operation}, and {@code code} for errors);
 *   <li>gauges read at scrape time from the database: {@code treestore_cache_hit_rate},
 *       {@code treestore_wal_size_bytes}, {@code treestore_active_transactions},
 *       {@code treestore_commits}, {@code treestore_conflicts} (counts since start, exposed
 *       as gauges because they are read from the database),
 *       {@code treestore_checkpoint_lsn}, {@code treestore_checkpoint_failures},
 *       {@code treestore_wal_groups},
 *       {@code treestore_wal_records}, {@code treestore_wal_syncs},
 *       {@code treestore_wal_sync_seconds} (the log's group commit, since start),
 *       {@code treestore_documents_total} (the documents store's documents).
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class Metrics {
  private static final java.util.Map<TreeStore, Metrics> ALL = new java.util.WeakHashMap<>();

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Histogram queries;
  private final Histogram transactions;
  private final Counter requests;
  private final Counter errors;
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  /**
   * Registers the metrics of a TreeStore.
   *
   * @param ts the TreeStore whose database the gauges read
   */
  public Metrics(TreeStore ts) {
    double[] bounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
        0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    queries = Histogram.builder().name("treestore_query_duration_seconds")
        .help("Time to answer a request, by transport and operation.")
        .labelNames("transport", "operation").classicOnly().classicUpperBounds(bounds)
        .register(registry);
    transactions = Histogram.builder().name("treestore_transaction_duration_seconds")
        .help("Time of write operations, each one transaction with its retries.")
        .labelNames("operation").classicOnly().classicUpperBounds(bounds).register(registry);
    requests = Counter.builder().name("treestore_requests_total")
        .help("Requests answered, by transport and operation.")
        .labelNames("transport", "operation").register(registry);
    errors = Counter.builder().name("treestore_errors_total")
        .help("Requests answered with an error, by transport, operation and error code.")
        .labelNames("transport", "operation", "code").register(registry);
    gauge("treestore_cache_hit_rate", "Page cache hits per lookup since start, 0 to 1.",
        ts, s -> s.cacheHitRate());
    gauge("treestore_wal_size_bytes", "Bytes in the write-ahead log's segment files.", ts,
        s -> s.walBytes());
    gauge("treestore_active_transactions", "Transactions begun and not finished.", ts,
        s -> s.activeTransactions());
    gauge("treestore_commits", "Commits with writes since start.", ts, s -> s.commits());
    gauge("treestore_conflicts", "Commits refused by a conflict since start.", ts,
        s -> s.conflicts());
    gauge("treestore_checkpoint_lsn", "The LSN the last checkpoint covers.", ts,
        s -> s.checkpointLsn());
    gauge("treestore_checkpoint_failures", "Background checkpoints whose data-file write "
        + "failed since start (each is retried; a full data disk shows here).", ts,
        s -> s.checkpointFailures());
    gauge("treestore_wal_groups", "Groups of log records written since start (group commit:"
        + " records per group = treestore_wal_records / treestore_wal_groups).", ts,
        s -> s.walGroups());
    gauge("treestore_wal_records", "Log records written since start.", ts,
        s -> s.walRecords());
    gauge("treestore_wal_syncs", "Group fsyncs of the log since start.", ts,
        s -> s.walSyncs());
    gauge("treestore_wal_sync_seconds", "Time spent in group fsyncs of the log since start.",
        ts, s -> s.walSyncNanos() / 1e9);
    GaugeWithCallback.builder().name("treestore_documents_total")
        .help("Documents in the documents store.")
        .callback(cb -> {
          if (ts.stores().containsKey("documents") && !ts.database().isReadOnly()) {
            try (DbSnapshot snap = ts.database().snapshot()) {
              cb.call(snap.size("documents.doc"));
            }
          }
        }).register(registry);
  }

  /**
   * Returns the metrics of a TreeStore, registering them on first use, so that every
   * transport of one TreeStore counts into the same registry.
   *
   * @param ts the TreeStore
   * @return its metrics
   */
  public static Metrics of(TreeStore ts) {
    synchronized (ALL) {
      return ALL.computeIfAbsent(ts, Metrics::new);
    }
  }

  private interface Stat {
    double of(DatabaseStats s);
  }

  private void gauge(String name, String help, TreeStore ts, Stat stat) {
    GaugeWithCallback.builder().name(name).help(help)
        .callback(cb -> cb.call(stat.of(ts.database().stats()))).register(registry);
  }

  /**
   * Records one answered request.
   *
   * @param transport {@code http} or {@code grpc}
   * @param operation the operation or route name
   * @param seconds the time taken
   * @param errorCode the error code, or {@code null} for success
   * @param write whether the operation writes
   */
  public void record(String transport, String operation, double seconds,
      @org.jspecify.annotations.Nullable String errorCode, boolean write) {
    queries.labelValues(transport, operation).observe(seconds);
    requests.labelValues(transport, operation).inc();
    if (errorCode != null) {
      errors.labelValues(transport, operation, errorCode).inc();
    } else if (write) {
      transactions.labelValues(operation).observe(seconds);
    }
  }

  /**
   * Writes every metric in the Prometheus text format 0.0.4.
   *
   * @return the exposition bytes
   */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Returns the content type of {@link #scrape()}.
   *
   * @return the Prometheus text format's content type
   */
  public String contentType() {
    return writer.getContentType();
  }
}
