package io.treestore.server;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** The {@code treestore} subcommands that read, check and maintain a database. */
final class Commands {
  private Commands() {}

  /** Where to run and how to print: {@code --data} or {@code --server}, {@code --json}. */
  static final class Target {
    @Option(names = "--data", description = "A local data directory (embedded; the server"
        + " must not be running on it).")
    @Nullable Path data;

    @Option(names = "--server", description = "A server's HTTP address, such as"
        + " http://127.0.0.1:8080.")
    @Nullable URI server;

    @Option(names = "--token", description = "Bearer token for --server (default:"
        + " $TREESTORE_TOKEN).")
    @Nullable String token;

    @Option(names = "--json", description = "Print the answer as JSON (for scripts).")
    boolean json;

    Backend open(CommandLine.Model.CommandSpec spec) {
      if ((data == null) == (server == null)) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "give exactly one of --data and --server");
      }
      if (data != null) {
        return Backend.embedded(data);
      }
      String t = token != null ? token : System.getenv("TREESTORE_TOKEN");
      return Backend.remote(server, t);
    }
  }

  /** Runs a command body, mapping failures to exit code 1 with the message on stderr. */
  static int run(Target target, CommandLine.Model.CommandSpec spec, Body body) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    try (Backend b = target.open(spec)) {
      JsonNode answer = body.run(b);
      if (target.json) {
        out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
      } else {
        body.print(answer, out);
      }
      return body.exitCode(answer);
    } catch (Backend.Failure e) {
      System.err.println("treestore: " + e.code + ": " + e.getMessage());
      return 1;
    }
  }

  /** A command's work and its human output. */
  interface Body {
    JsonNode run(Backend b);

    void print(JsonNode answer, PrintWriter out);

    default int exitCode(JsonNode answer) {
      return 0;
    }
  }

  static Map<String, Object> fields(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i + 1] != null) {
        m.put((String) kv[i], kv[i + 1]);
      }
    }
    return m;
  }

  static String pages(JsonNode n) {
    if (!n.has("page_start")) {
      return "";
    }
    int a = n.get("page_start").asInt();
    int b = n.path("page_end").asInt(a);
    return a == b ? " (p. " + a + ")" : " (pp. " + a + "-" + b + ")";
  }

  /** {@code treestore get DOC NODE}. */
  // get, tree, search and ingest declare --version (a version id), which collides with the
  // standard help mixin's -V/--version: picocli then drops the whole mixin, --help included
  @Command(name = "get", description = "Show one node.")
  static final class Get implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help"
        + " message and exit.") boolean help;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin Target target;
    @Parameters(index = "0", description = "Document id.") String doc;
    @Parameters(index = "1", description = "Node id.") String node;
    @Option(names = "--version", description = "Version id.") @Nullable String version;
    @Option(names = "--as-of", description = "YYYY-MM-DD.") @Nullable String asOf;

    @Override
    public Integer call() {
      return run(target, spec, new Body() {
        @Override
        public JsonNode run(Backend b) {
          return b.call("documents", "GetNode", fields("doc_id", doc, "node_id", node,
              "version", version, "as_of", asOf));
        }

        @Override
        public void print(JsonNode n, PrintWriter out) {
          out.println(n.path("section_path").asString() + " " + n.path("title").asString()
              + pages(n) + " [" + n.path("node_id").asString() + ", version "
              + n.path("version_id").asString() + "]");
          if (n.hasNonNull("parent_id")) {
            out.println("parent: " + n.get("parent_id").asString());
          }
          if (n.path("child_ids").size() > 0) {
            out.println("children: " + n.get("child_ids"));
          }
          for (String f : new String[] {"summary", "prefix_summary", "text"}) {
            if (n.hasNonNull(f)) {
              out.println(f + ":\n  " + n.get(f).asString().replace("\n", "\n  "));
            }
          }
        }
      });
    }
  }

  /** {@code treestore tree DOC}. */
  @Command(name = "tree", description = "Print a document's outline with page ranges.")
  static final class Tree implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help"
        + " message and exit.") boolean help;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin Target target;
    @Parameters(index = "0", description = "Document id.") String doc;
    @Option(names = "--depth", description = "Levels below the roots (default: all).")
    @Nullable Integer depth;
    @Option(names = "--version", description = "Version id.") @Nullable String version;
    @Option(names = "--as-of", description = "YYYY-MM-DD.") @Nullable String asOf;

    @Override
    public Integer call() {
      return run(target, spec, new Body() {
        @Override
        public JsonNode run(Backend b) {
          return b.call("documents", "GetTree", fields("doc_id", doc, "depth", depth,
              "version", version, "as_of", asOf));
        }

        @Override
        public void print(JsonNode t, PrintWriter out) {
          out.println(t.path("doc_id").asString() + " (version "
              + t.path("version_id").asString() + ")");
          for (JsonNode r : t.path("roots")) {
            outline(r, out, 1);
          }
        }
      });
    }

    private static void outline(JsonNode n, PrintWriter out, int level) {
      out.println("  ".repeat(level) + n.path("section_path").asString() + " "
          + n.path("title").asString() + pages(n) + "  [" + n.path("node_id").asString() + "]");
      for (JsonNode c : n.path("children")) {
        outline(c, out, level + 1);
      }
    }
  }

  /** {@code treestore search QUERY}. */
  @Command(name = "search",
      description = "BM25 keyword search (words, +must, -not, \"phrases\", title:word).")
  static final class Search implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help"
        + " message and exit.") boolean help;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin Target target;
    @Parameters(index = "0", description = "The query.") String query;
    @Option(names = "--doc", description = "Only this document.") @Nullable String doc;
    @Option(names = "--section", description = "Only this subtree (a section path, needs"
        + " --doc).") @Nullable String section;
    @Option(names = "--limit", defaultValue = "10", description = "Hits (default:"
        + " ${DEFAULT-VALUE}).") int limit;
    @Option(names = "--version", description = "Version id (needs --doc).")
    @Nullable String version;
    @Option(names = "--as-of", description = "YYYY-MM-DD.") @Nullable String asOf;

    @Override
    public Integer call() {
      return run(target, spec, new Body() {
        @Override
        public JsonNode run(Backend b) {
          return b.call("documents", "SearchByKeyword", fields("query", query, "doc_id", doc,
              "version", version, "as_of", asOf, "section_path", section, "limit", limit));
        }

        @Override
        public void print(JsonNode r, PrintWriter out) {
          if (r.path("hits").isEmpty()) {
            out.println("no hits");
          }
          for (JsonNode h : r.path("hits")) {
            out.printf("%8.4f  %s/%s  %s %s%s%n", h.path("score").asDouble(),
                h.path("doc_id").asString(), h.path("node_id").asString(),
                h.path("section_path").asString(), h.path("title").asString(), pages(h));
            out.println("          " + h.path("snippet").asString());
          }
        }
      });
    }
  }

  /** {@code treestore versions DOC}. */
  @Command(name = "versions", mixinStandardHelpOptions = true,
      description = "List a document's versions, or the one in effect on a date.")
  static final class Versions implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin Target target;
    @Parameters(index = "0", description = "Document id.") String doc;
    @Option(names = "--as-of", description = "YYYY-MM-DD.") @Nullable String asOf;

    @Override
    public Integer call() {
      return run(target, spec, new Body() {
        @Override
        public JsonNode run(Backend b) {
          return asOf == null ? b.call("versions", "ListVersions", fields("doc_id", doc))
              : b.call("versions", "GetVersionAsOf", fields("doc_id", doc, "as_of", asOf));
        }

        @Override
        public void print(JsonNode r, PrintWriter out) {
          JsonNode list = r.has("version") ? Json.MAPPER.createArrayNode().add(r.get("version"))
              : r.path("versions");
          for (JsonNode v : list) {
            out.printf("%-20s effective %s  end %s  %d nodes  %d changes%n",
                v.path("version_id").asString(), v.path("effective_date").asString(),
                v.path("end_date").asString("-"), v.path("node_count").asInt(),
                v.path("diff").size());
          }
        }
      });
    }
  }

  /** {@code treestore stats}. */
  @Command(name = "stats", mixinStandardHelpOptions = true, description = "Show counters.")
  static final class Stats implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin Target target;

    @Override
    public Integer call() {
      return run(target, spec, new Body() {
        @Override
        public JsonNode run(Backend b) {
          return b.stats();
        }

        @Override
        public void print(JsonNode r, PrintWriter out) {
          flatten("", r, out);
        }
      });
    }

    private static void flatten(String prefix, JsonNode n, PrintWriter out) {
      if (n.isObject()) {
        for (Map.Entry<String, JsonNode> e : n.properties()) {
          flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(),
              out);
        }
      } else {
        out.println(prefix + ": " + (n.isString() ? n.asString() : n.toString()));
      }
    }
  }

  /** {@code treestore check}. */
  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Verify checksums, B+Tree invariants, indexes and full-text indexes."
          + " Exit code 1 when anything is wrong.")
  static final class Check implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin Target target;
    @Option(names = "--max-problems", defaultValue = "100", description = "Problems to"
        + " describe per area (default: ${DEFAULT-VALUE}).") int max;

    @Override
    public Integer call() {
      return run(target, spec, new Body() {
        @Override
        public JsonNode run(Backend b) {
          return b.check(max);
        }

        @Override
        public void print(JsonNode r, PrintWriter out) {
          JsonNode p = r.path("problems");
          out.println((p.isEmpty() ? "ok" : p.size() + " problem" + (p.size() == 1 ? "" : "s"))
              + ": " + r.path("pages").asLong() + " pages read, state at LSN "
              + r.path("checkpoint_lsn").asLong());
          for (JsonNode x : p) {
            out.println("  " + x.asString());
          }
        }

        @Override
        public int exitCode(JsonNode r) {
          return r.path("problems").isEmpty() ? 0 : 1;
        }
      });
    }
  }

  /** {@code treestore backup DIR}. */
  @Command(name = "backup", mixinStandardHelpOptions = true, description = "Write a"
      + " consistent online backup to an empty directory (on the server's machine with"
      + " --server); it opens as a data directory.")
  static final class Backup implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin Target target;
    @Parameters(index = "0", description = "The backup directory (empty or missing).")
    Path dir;

    @Override
    public Integer call() {
      return run(target, spec, new Body() {
        @Override
        public JsonNode run(Backend b) {
          return b.backup(dir);
        }

        @Override
        public void print(JsonNode r, PrintWriter out) {
          out.println("backup of LSN " + r.path("lsn").asLong() + " written to "
              + r.path("target").asString());
        }
      });
    }
  }

  /** {@code treestore restore BACKUP --data DIR}. */
  @Command(name = "restore", mixinStandardHelpOptions = true, description = "Copy a backup"
      + " into a new data directory (offline), then open and check it.")
  static final class Restore implements Callable<Integer> {
    @Parameters(index = "0", description = "The backup directory.") Path backup;
    @Option(names = "--data", required = true, description = "The new data directory"
        + " (empty or missing).") Path data;

    @Override
    public Integer call() throws IOException {
      if (!Files.isRegularFile(backup.resolve("data.ts"))) {
        System.err.println("treestore: " + backup + " is not a backup (no data.ts)");
        return 1;
      }
      if (Files.exists(data)) {
        try (Stream<Path> s = Files.list(data)) {
          if (s.findAny().isPresent()) {
            System.err.println("treestore: " + data + " is not empty");
            return 1;
          }
        }
      }
      copyTree(backup, data);
      try (Backend b = Backend.embedded(data)) {
        JsonNode r = b.check(20);
        if (!r.path("problems").isEmpty()) {
          System.err.println("treestore: the restored database has problems: "
              + r.path("problems"));
          return 1;
        }
      }
      System.out.println("restored " + backup + " into " + data + " (checked)");
      return 0;
    }
  }

  /** {@code treestore compact --data DIR}. */
  @Command(name = "compact", mixinStandardHelpOptions = true, description = "Rewrite a data"
      + " directory (offline) into a compact copy that keeps only live pages, and swap it in.")
  static final class Compact implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "The data directory.") Path data;

    @Override
    public Integer call() throws IOException {
      Path tmp = data.resolveSibling(data.getFileName() + ".compact");
      Path old = data.resolveSibling(data.getFileName() + ".before-compact");
      if (Files.exists(tmp) || Files.exists(old)) {
        System.err.println("treestore: remove " + tmp + " and " + old + " first");
        return 1;
      }
      long before = size(data);
      try (Backend b = Backend.embedded(data)) {
        b.backup(tmp);
      }
      Files.move(data, old, StandardCopyOption.ATOMIC_MOVE);
      Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE);
      try (Backend b = Backend.embedded(data)) {
        JsonNode r = b.check(20);
        if (!r.path("problems").isEmpty()) {
          Files.move(data, tmp, StandardCopyOption.ATOMIC_MOVE);
          Files.move(old, data, StandardCopyOption.ATOMIC_MOVE);
          System.err.println("treestore: the compacted copy has problems; kept the original: "
              + r.path("problems"));
          return 1;
        }
      }
      deleteTree(old);
      System.out.println("compacted " + data + ": " + before + " -> " + size(data) + " bytes");
      return 0;
    }
  }

  static long size(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        Files.createDirectories(to.resolve(from.relativize(dir)));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.copy(file, to.resolve(from.relativize(file)));
        return FileVisitResult.CONTINUE;
      }
    });
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
