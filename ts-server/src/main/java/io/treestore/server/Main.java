package io.treestore.server;

import io.treestore.spi.ErrorCode;
import io.treestore.spi.StoreException;
import io.treestore.spi.TransportProvider;
import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code treestore} command: {@code serve}, {@code ingest}, {@code get}, {@code tree},
 * {@code search}, {@code versions}, {@code check}, {@code backup}, {@code restore},
 * {@code stats}, {@code compact}. Most work on a local data directory ({@code --data}) or
 * against a server ({@code --server}); human output by default, {@code --json} for scripts.
 * Exit codes: 0 success, 1 a failed operation or, for {@code check}, problems found (the
 * message says why), 2 bad usage, 3 no suitable Java (from the launcher).
 */
@Command(name = "treestore", mixinStandardHelpOptions = true, version = "treestore 0.1.0",
    description = "TreeStore: a transactional database for PageIndex document trees.",
    subcommands = {Main.Serve.class, Main.Ingest.class, Commands.Get.class, Commands.Tree.class,
        Commands.Search.class, Commands.Versions.class, Commands.Check.class,
        Commands.Backup.class, Commands.Restore.class, Commands.Stats.class,
        Commands.Compact.class})
public final class Main implements Callable<Integer> {
  /** Creates the command (used by picocli). */
  public Main() {
    // picocli fills the fields
  }

  /**
   * Runs the command line.
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
   * @return the exit code
   */
  public static int run(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 2;
  }

  /** {@code treestore serve}: opens the data directory and serves it until stopped. */
  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Serve a data directory over HTTP/JSON and gRPC until SIGTERM or Ctrl-C.")
  static final class Serve implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "The data directory (created"
        + " if missing).")
    Path data;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen"
        + " on (default: ${DEFAULT-VALUE}, loopback only).")
    String host;

    @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port (default:"
        + " ${DEFAULT-VALUE}; 0 picks a free one).")
    int httpPort;

    @Option(names = "--grpc-port", defaultValue = "50051", description = "gRPC port"
        + " (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int grpcPort;

    @Option(names = "--max-body-bytes", defaultValue = "67108864", description = "Largest"
        + " request body (default: ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--auth-tokens-file", description = "Require bearer tokens from this"
        + " file (lines: TOKEN [read|write]); TREESTORE_TOKENS (comma-separated) adds more."
        + " Default: no authentication.")
    @Nullable Path tokensFile;

    @Option(names = "--rate-limit", defaultValue = "0", description = "Requests per second"
        + " per client (token or address); 0 = off (default).")
    double rateLimit;

    @Option(names = "--request-timeout-ms", defaultValue = "0", description = "Longest time"
        + " a request may take (writes past it are rolled back); 0 = none (default).")
    long requestTimeout;

    @Option(names = "--tls-cert", description = "PEM certificate chain; with --tls-key,"
        + " serve HTTPS.")
    @Nullable Path tlsCert;

    @Option(names = "--tls-key", description = "PEM PKCS#8 private key for --tls-cert.")
    @Nullable Path tlsKey;

    @Option(names = "--grpc-inline-reads", defaultValue = "true", arity = "1",
        description = "Run bounded reads (GetNode, GetChildren, ...) on the gRPC event loop"
        + " that read the request, saving a thread hand-off per call (default true); false"
        + " runs every call on a worker, for stores much larger than memory.")
    boolean grpcInlineReads;

    @Option(names = "--load", description = "Ingest the PageIndex *.json files of this"
        + " directory after starting (documents already present are skipped; the doc id is"
        + " the file name without .json).")
    @Nullable Path load;

    @Option(names = "--set", paramLabel = "store.NAME.KEY=VALUE", description = "A store"
        + " setting, repeatable; for example store.documents.record_cache_bytes=67108864"
        + " (decoded nodes kept in memory; default 0, off).")
    java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
      TreeStore ts = TreeStore.open(data, TreeStoreOptions.defaults().withSettings(settings));
      List<TransportProvider.Transport> running = new ArrayList<>();
      CountDownLatch stopped = new CountDownLatch(1);
      Thread hook = new Thread(() -> {
        for (TransportProvider.Transport t : running) {
          t.close();
        }
        ts.close();
        stopped.countDown();
      }, "treestore-shutdown");
      try {
        for (TransportProvider p : ServiceLoader.load(TransportProvider.class)) {
          Map<String, String> settings = new LinkedHashMap<>();
          settings.put("host", host);
          switch (p.name()) {
            case "http" -> {
              settings.put("port", String.valueOf(httpPort));
              settings.put("max-body-bytes", String.valueOf(maxBody));
              settings.put("rate-limit", String.valueOf(rateLimit));
              settings.put("request-timeout-ms", String.valueOf(requestTimeout));
              if (tokensFile != null) {
                settings.put("auth-tokens-file", tokensFile.toString());
              }
              String env = System.getenv("TREESTORE_TOKENS");
              if (env != null && !env.isBlank()) {
                settings.put("auth-tokens", env);
              }
              if (tlsCert != null || tlsKey != null) {
                settings.put("tls-cert", String.valueOf(tlsCert));
                settings.put("tls-key", String.valueOf(tlsKey));
              }
            }
            case "grpc" -> {
              settings.put("port", String.valueOf(grpcPort));
              settings.put("max-message-bytes", String.valueOf(maxBody));
              settings.put("rate-limit", String.valueOf(rateLimit));
              settings.put("inline-reads", String.valueOf(grpcInlineReads));
              if (tokensFile != null) {
                settings.put("auth-tokens-file", tokensFile.toString());
              }
              String env = System.getenv("TREESTORE_TOKENS");
              if (env != null && !env.isBlank()) {
                settings.put("auth-tokens", env);
              }
              if (tlsCert != null || tlsKey != null) {
                settings.put("tls-cert", String.valueOf(tlsCert));
                settings.put("tls-key", String.valueOf(tlsKey));
              }
            }
            default -> { }
          }
          TransportProvider.Transport t = p.start(ts, settings);
          running.add(t);
          System.out.println("treestore: " + p.name() + " listening on " + t.address());
        }
        if (running.stream().noneMatch(t -> t.address().startsWith("http:"))) {
          throw new IllegalStateException("no http transport found on the module path");
        }
        boolean loopback = java.net.InetAddress.getByName(host).isLoopbackAddress();
        String env = System.getenv("TREESTORE_TOKENS");
        if (!loopback && tokensFile == null && (env == null || env.isBlank())) {
          System.out.println("treestore: WARNING: listening on " + host
              + " without authentication (see --auth-tokens-file)");
        }
        System.out.println("treestore: data directory " + data.toAbsolutePath()
            + ", stores " + ts.stores().keySet());
        Runtime.getRuntime().addShutdownHook(hook);
      } catch (RuntimeException e) {
        for (TransportProvider.Transport t : running) {
          t.close();
        }
        ts.close();
        throw e;
      }
      if (load != null) {
        loadDirectory(ts, load);
      }
      System.out.println("treestore: ready");
      System.out.flush();
      stopped.await();
      return 0;
    }
  }

  static void loadDirectory(TreeStore ts, Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    }
    for (Path f : files) {
      String id = f.getFileName().toString().replaceFirst("\\.json$", "");
      try {
        ts.call("documents", "GetDocument", request(ts, "GetDocument", Map.of("doc_id", id)));
        System.out.println("treestore: " + id + " already loaded");
        continue;
      } catch (StoreException e) {
        if (e.code() != ErrorCode.NOT_FOUND) {
          throw e;
        }
      }
      Object answer = ts.call("documents", "StoreDocument", request(ts, "StoreDocument",
          Map.of("doc_id", id, "json", Files.readString(f))));
      System.out.println("treestore: loaded " + f.getFileName() + " -> " + answer);
    }
  }

  /** Builds a documents-store request from snake_case fields, as the HTTP transport does. */
  static Object request(TreeStore ts, String operation, Map<String, Object> fields) {
    return Json.MAPPER.convertValue(fields, ts.operation("documents", operation)
        .requestType());
  }

  /** {@code treestore ingest}: loads PageIndex files, embedded or through a server. */
  @Command(name = "ingest",
      description = "Ingest PageIndex JSON files (or directories of them) as new versions.")
  static final class Ingest implements Callable<Integer> {
    // not mixinStandardHelpOptions: its -V/--version would collide with --version below,
    // and picocli would then drop --help as well
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help"
        + " message and exit.") boolean help;

    @Parameters(arity = "1..*", description = "Files or directories.")
    List<Path> files;

    @Option(names = "--data", description = "A local data directory (embedded).")
    @Nullable Path data;

    @Option(names = "--server", description = "A server's HTTP address, such as"
        + " http://127.0.0.1:8080.")
    @Nullable URI server;

    @Option(names = "--doc-id", description = "The document id (one file only; default: the"
        + " file name without .json).")
    @Nullable String docId;

    @Option(names = "--version", description = "The version id (default: a fresh one).")
    @Nullable String version;

    @Option(names = "--effective-date", description = "YYYY-MM-DD (default: today, UTC).")
    @Nullable String effectiveDate;

    @Override
    public Integer call() throws Exception {
      if ((data == null) == (server == null)) {
        throw new CommandLine.ParameterException(new CommandLine(this),
            "give exactly one of --data and --server");
      }
      List<Path> all = new ArrayList<>();
      for (Path p : files) {
        if (Files.isDirectory(p)) {
          try (Stream<Path> s = Files.list(p)) {
            s.filter(x -> x.toString().endsWith(".json")).sorted().forEach(all::add);
          }
        } else {
          all.add(p);
        }
      }
      if (docId != null && all.size() != 1) {
        throw new CommandLine.ParameterException(new CommandLine(this),
            "--doc-id needs exactly one file, got " + all.size());
      }
      PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
      if (data != null) {
        try (TreeStore ts = TreeStore.open(data, TreeStoreOptions.defaults());
            Progress progress = new Progress(all)) {
          int i = 0;
          for (Path f : all) {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("doc_id", docId != null ? docId : stem(f));
            q.put("version_id", version);
            q.put("effective_date", effectiveDate);
            q.put("json", Files.readString(f));
            Object a = ts.call("documents", "StoreDocument", request(ts, "StoreDocument", q));
            progress.done(f, String.format("[%d/%d] %s -> %s", ++i, all.size(), f, a), out);
          }
        }
        return 0;
      }
      HttpClient http = HttpClient.newHttpClient();
      int i = 0;
      int failed = 0;
      try (Progress progress = new Progress(all)) {
        for (Path f : all) {
          StringBuilder url = new StringBuilder(server.toString().replaceAll("/+$", ""))
              .append("/v1/documents/").append(enc(docId != null ? docId : stem(f)));
          String sep = "?";
          if (version != null) {
            url.append(sep).append("version_id=").append(enc(version));
            sep = "&";
          }
          if (effectiveDate != null) {
            url.append(sep).append("effective_date=").append(enc(effectiveDate));
          }
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url.toString()))
              .header("Content-Type", "application/json")
              .PUT(HttpRequest.BodyPublishers.ofFile(f)).build(),
              HttpResponse.BodyHandlers.ofString());
          progress.done(f, String.format("[%d/%d] %s -> %d %s", ++i, all.size(), f,
              r.statusCode(), r.body()), out);
          if (r.statusCode() >= 300) {
            failed++;
          }
        }
      }
      return failed == 0 ? 0 : 1;
    }
  }

  /**
   * Shows ingest progress: a progress bar over the files' bytes on a terminal, one line per
   * file otherwise (scripts, logs); each file's answer is printed in both cases.
   */
  static final class Progress implements AutoCloseable {
    private final me.tongfei.progressbar.@Nullable ProgressBar bar;

    Progress(List<Path> files) throws java.io.IOException {
      long total = 0;
      for (Path f : files) {
        total += Files.size(f);
      }
      this.bar = System.console() == null || files.size() < 2 ? null
          : new me.tongfei.progressbar.ProgressBarBuilder().setTaskName("ingest")
              .setInitialMax(total).setUnit(" MiB", 1 << 20).showSpeed().build();
    }

    void done(Path file, String line, PrintWriter out) throws java.io.IOException {
      if (bar != null) {
        bar.stepBy(Files.size(file));
        bar.setExtraMessage(file.getFileName().toString());
      }
      out.println(line);
    }

    @Override
    public void close() {
      if (bar != null) {
        bar.close();
      }
    }
  }

  private static String stem(Path f) {
    return f.getFileName().toString().replaceFirst("\\.json$", "");
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
