package io.treestore.bench;

import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import io.treestore.stores.documents.DocumentApi;
import io.treestore.txn.DatabaseOptions;
import io.treestore.wal.Durability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * GetNode on a document with versions: the largest real PageIndex tree with page texts
 * ({@link ServerBenchData#realTreeFile()}) ingested as {@code v1} (effective 2020-01-01) and
 * again as {@code v2} (2021-01-01) with every "the" of its texts spelled with a Cyrillic
 * "е", so that {@code v2}'s node diff holds the old and the new value of almost every text.
 * Each call reads a random node of the version in effect today ({@link #current}, the
 * version resolved from the {@code temporal} index) or of {@code v2} named explicitly
 * ({@link #named}); both return the same nodes. A node read must not pay for the version
 * record's diff, so the two should take the same time (docs/benchmarks-stores.md, round 6).
 *
 * <h2>Run</h2>
 * {@snippet lang="shell" :
 * java -jar ts-bench/target/benchmarks.jar VersionedReadBenchmark
 * }
 * Default mode {@code SampleTime} (p50, p99), one thread; about 40 seconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g",
    "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"})
public class VersionedReadBenchmark {
  private Path dir;
  private TreeStore ts;
  private String[] ids = new String[0];
  private final SplittableRandom random = new SplittableRandom(0x7E45_1045L);

  /** Creates the state (used by JMH). */
  public VersionedReadBenchmark() {
    // filled by setUp
  }

  /**
   * Ingests the two versions.
   *
   * @throws IOException if the tree cannot be read or the directory created
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    String json = Files.readString(ServerBenchData.realTreeFile());
    dir = TxnBenchFiles.createDir("versioned-read-");
    ts = TreeStore.open(dir, TreeStoreOptions.defaults()
        .withDatabase(DatabaseOptions.defaults().withDurability(Durability.NONE)));
    ts.call("documents", "StoreDocument",
        new DocumentApi.StoreDocument("doc", "v1", "2020-01-01", json));
    ts.call("documents", "StoreDocument",
        new DocumentApi.StoreDocument("doc", "v2", "2021-01-01", json.replace("the", "thе")));
    DocumentApi.Tree tree = (DocumentApi.Tree) ts.call("documents", "GetTree",
        new DocumentApi.TreeRef("doc", null, null, null));
    List<String> all = new ArrayList<>();
    collect(tree.roots(), all);
    ids = all.toArray(String[]::new);
    DocumentApi.VersionList versions = (DocumentApi.VersionList) ts.call("versions",
        "ListVersions", new DocumentApi.DocumentRef("doc"));
    System.out.printf("%n[versioned] %d nodes; v2 changes %d of them%n", ids.length,
        versions.versions().get(1).diff().size());
  }

  private static void collect(List<DocumentApi.Node> nodes, List<String> out) {
    for (DocumentApi.Node n : nodes) {
      out.add(n.nodeId());
      if (n.children() != null) {
        collect(n.children(), out);
      }
    }
  }

  /** Closes the store and deletes its directory. */
  @TearDown(Level.Trial)
  public void tearDown() {
    ts.close();
    TxnBenchFiles.deleteDir(dir);
  }

  /**
   * GetNode of a random node, version resolved as of today.
   *
   * @return the node
   */
  @Benchmark
  public DocumentApi.Node current() {
    return (DocumentApi.Node) ts.call("documents", "GetNode",
        new DocumentApi.NodeRef("doc", ids[random.nextInt(ids.length)], null, null));
  }

  /**
   * GetNode of a random node of {@code v2}, named.
   *
   * @return the node
   */
  @Benchmark
  public DocumentApi.Node named() {
    return (DocumentApi.Node) ts.call("documents", "GetNode",
        new DocumentApi.NodeRef("doc", ids[random.nextInt(ids.length)], "v2", null));
  }
}
