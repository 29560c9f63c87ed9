package io.treestore.stores.documents;

import io.treestore.spi.ErrorCode;
import io.treestore.spi.StoreException;
import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import io.treestore.stores.metadata.MetadataApi;
import io.treestore.stores.metadata.MetadataStoreProvider;
import io.treestore.txn.DatabaseOptions;
import io.treestore.wal.Durability;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * The process {@link IngestCrashTest} kills: opens a TreeStore in {@code SYNC} mode with small
 * checkpoint and log segment thresholds and the documents, versions and metadata stores, and
 * ingests real trees (and edits of them) as new versions of a few documents from two threads
 * until it is killed. Each ingest is one transaction that also records a tool result naming
 * the version and its node count. Before each commit it prints {@code TRY <thread> <doc>
 * <version> <tree>} (the tree's index in {@link #bodies}), after it {@code ACK <thread>
 * <doc> <version> <nodes> <date>} (or {@code LOST <thread> <doc> <version>} if every attempt
 * conflicted).
 *
 * <p>Usage: {@code IngestCrashChild <dir> <datasetDir> <seed> <run>}. Prints {@code READY}
 * once open. Exits with 3 if not killed within two minutes.
 */
final class IngestCrashChild {
  static final int THREADS = 2;
  static final List<String> DOCS = List.of("k0", "k1", "k2");

  private IngestCrashChild() {}

  static TreeStoreOptions options() {
    return TreeStoreOptions.defaults()
        .withDatabase(DatabaseOptions.defaults().withDurability(Durability.SYNC)
            .withCheckpoints(256 * 1024, 200).withWalSegments(128 * 1024, 0)
            .withCacheBytes(8L << 20))
        .withDiscovery(false)
        .withProviders(List.of(new DocumentStoreProvider(), new VersionStoreProvider(),
            new MetadataStoreProvider()));
  }

  static String caseOf(String doc) {
    return "crash-" + doc;
  }

  /** The trees the child ingests: the real ones but the largest, and an edit of each. */
  static List<String> bodies(Path datasets, long seed) throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(datasets)) {
      files = s.filter(p -> p.toString().endsWith(".json")
          && !p.toString().contains("2023-annual-report")).sorted().toList();
    }
    Random r = new Random(seed);
    List<String> out = new ArrayList<>();
    for (Path f : files) {
      JsonNode t = Trees.read(f);
      out.add(t.toString());
      out.add(Trees.mutate(t, r, "e").toString());
    }
    return out;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Path datasets = Path.of(args[1]);
    long seed = Long.parseLong(args[2]);
    int run = Integer.parseInt(args[3]);
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false,
        StandardCharsets.UTF_8);
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
      synchronized (out) {
        out.println("FAILED " + t.getName() + " " + e);
        out.flush();
      }
      e.printStackTrace();
      Runtime.getRuntime().halt(4);
    });
    List<String> bodies = bodies(datasets, seed);
    TreeStore ts = TreeStore.open(dir, options());
    synchronized (out) {
      out.println("READY");
      out.flush();
    }
    for (int t = 0; t < THREADS; t++) {
      Random rnd = new Random(seed * 1_000_003L + run * 101L + t);
      int me = t;
      Thread.ofPlatform().name("ingest-" + t).start(() -> {
        for (int n = 0; ; n++) {
          String doc = DOCS.get(rnd.nextInt(DOCS.size()));
          String vid = "r" + run + "-t" + me + "-" + n;
          String date = LocalDate.parse("2024-01-01").plusDays(rnd.nextInt(500)).toString();
          int b = rnd.nextInt(bodies.size());
          String body = bodies.get(b);
          synchronized (out) {
            out.println("TRY " + me + " " + doc + " " + vid + " " + b);
            out.flush();
          }
          DocumentApi.Stored st;
          try {
            st = ts.inTransaction(tx -> {
              DocumentApi.Stored s = (DocumentApi.Stored) ts.call(tx, "documents",
                  "StoreDocument", new DocumentApi.StoreDocument(doc, vid, date, body));
              ts.call(tx, "metadata", "StoreToolResult", new MetadataApi.ToolResult(
                  caseOf(doc), null, "StoreDocument", Map.of("version_id", vid, "node_count",
                  s.nodeCount()), Map.of(), null, 1, true, null));
              return s;
            });
          } catch (StoreException e) {
            if (e.code() != ErrorCode.CONFLICT) {
              throw e;
            }
            synchronized (out) {
              out.println("LOST " + me + " " + doc + " " + vid); // every attempt conflicted
              out.flush();
            }
            continue;
          }
          synchronized (out) {
            out.println("ACK " + me + " " + doc + " " + vid + " " + st.nodeCount() + " "
                + date);
            out.flush();
          }
        }
      });
    }
    Thread.sleep(120_000);
    System.err.println("IngestCrashChild: not killed within two minutes");
    Runtime.getRuntime().halt(3);
  }
}
