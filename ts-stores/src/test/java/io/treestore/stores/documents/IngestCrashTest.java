package io.treestore.stores.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.treestore.btree.BTreeFile;
import io.treestore.btree.BTreeOptions;
import io.treestore.index.IndexCheckReport;
import io.treestore.index.Row;
import io.treestore.index.RowIterator;
import io.treestore.index.Tuple;
import io.treestore.index.TupleRange;
import io.treestore.page.ChannelFactory;
import io.treestore.spi.TreeStore;
import io.treestore.stores.metadata.MetadataApi;
import io.treestore.testkit.ChildJvm;
import io.treestore.txn.Database;
import io.treestore.txn.Transaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process in the middle of ingests: a child JVM ({@link IngestCrashChild}) ingests
 * real trees as versions of a few documents in {@code SYNC} mode (each ingest one transaction
 * with a tool result of the metadata store), printing each acknowledged version; the parent
 * kills it with SIGKILL ({@link ChildJvm#kill()}) at random moments (mostly a few
 * milliseconds into an ingest, sometimes while the JVM starts or the database recovers),
 * reopens the database and checks all or nothing: every acknowledged version is there with
 * all its nodes as ingested (GetTree, the node table, full-text units), the right diff against
 * the version before it, and its tool result; every visible version was acknowledged or in
 * flight at the kill, and is complete; nothing seen after one recovery is lost after a later
 * one; end dates chain; the tables, their indexes and the full-text index pass their checks; the data file's last checkpoint passes
 * {@link BTreeFile#check()}. The next child continues on the same database. The seed is
 * printed; rerun with {@code -Dts.seed=<seed>} (timing makes a rerun close to, not identical
 * with, the original); {@code -Dts.crash.kills=} changes the number of kills (default 6).
 */
class IngestCrashTest {
  @TempDir Path dir;

  /** An acknowledged version. */
  record Acked(String doc, int nodes, String date) {}

  @Test
  void acknowledgedIngestsSurviveSigkillAndNoPartialVersionIsVisible() throws Exception {
    long seed = Long.getLong("ts.seed", System.nanoTime());
    int kills = Integer.getInteger("ts.crash.kills", 6);
    Random rnd = new Random(seed);
    Path db = dir.resolve("db");
    Path stderr = dir.resolve("child.err");
    System.out.println("IngestCrashTest seed=" + seed + " kills=" + kills
        + " (rerun with -Dts.seed=" + seed + ")");
    Map<String, Acked> acked = new HashMap<>();
    Set<String> inFlight = new HashSet<>();
    Set<String> lost = new HashSet<>();
    Set<String> recovered = new HashSet<>();
    Map<String, Integer> treeOf = new HashMap<>();
    List<Map<String, Trees.Want>> trees = new ArrayList<>();
    for (String b : IngestCrashChild.bodies(Trees.datasets(), seed)) {
      trees.add(Trees.expect(Trees.JSON.readTree(b)));
    }
    int early = 0;
    long start = System.nanoTime();
    for (int run = 0; run < kills; run++) {
      String ctx = "seed " + seed + ", run " + run + " (rerun with -Dts.seed=" + seed + ")";
      ChildJvm child = ChildJvm.start(ChildJvm.inModule(IngestCrashChild.class, List.of(
          db.toString(), Trees.datasets().toAbsolutePath().toString(), Long.toString(seed),
          Integer.toString(run))), stderr);
      try {
        if (run == 1 || (run > 1 && rnd.nextInt(6) == 0)) {
          early++;
          Thread.sleep(rnd.nextInt(800)); // while the JVM starts or the database recovers
        } else {
          assertNotNull(child.await(l -> l.startsWith("READY") || l.startsWith("FAILED"),
              60_000), ctx + ": the child did not start; stderr:\n" + tail(stderr));
          int acks = (run == 0 ? 3 : 1) + rnd.nextInt(8);
          for (int i = 0; i < acks; i++) {
            if (child.await(l -> l.startsWith("ACK") || l.startsWith("FAILED"), 60_000)
                == null) {
              break;
            }
          }
          Thread.sleep(rnd.nextInt(100)); // most likely in the middle of the next ingest
        }
        child.kill(); // SIGKILL, the pipe stays readable
      } finally {
        child.kill();
      }
      List<String> lines = child.finish(60);
      for (String l : lines) {
        if (l.startsWith("FAILED")) {
          fail(ctx + ": the child failed: " + l + "\nstderr:\n" + tail(stderr));
        }
      }
      int exit = child.process.exitValue();
      assertEquals(137, exit, ctx + ": the child ended by itself; last lines " + lines.subList(
          Math.max(0, lines.size() - 5), lines.size()) + "\nstderr:\n" + tail(stderr));
      Map<String, String> pending = new HashMap<>();
      for (String l : lines) {
        String[] p = l.split(" ");
        switch (p[0]) {
          case "TRY" -> {
            pending.put(p[3], p[2]);
            treeOf.put(p[3], Integer.parseInt(p[4]));
          }
          case "ACK" -> {
            pending.remove(p[3]);
            assertTrue(acked.put(p[3], new Acked(p[2], Integer.parseInt(p[4]), p[5])) == null,
                ctx + ": version " + p[3] + " acknowledged twice");
          }
          case "LOST" -> {
            pending.remove(p[3]);
            lost.add(p[3]);
          }
          default -> {
            // READY
          }
        }
      }
      assertTrue(pending.size() <= IngestCrashChild.THREADS, ctx + ": in flight " + pending);
      inFlight.addAll(pending.keySet());
      Path data = db.resolve(Database.DATA_FILE);
      if (Files.exists(data)) { // absent if killed before the database was created
        try (BTreeFile f = BTreeFile.open(data, new BTreeOptions(4096, 1 << 20, false, true,
            ChannelFactory.DEFAULT))) {
          List<String> problems = f.check().problems();
          assertTrue(problems.isEmpty(), ctx + ": data file check: " + problems);
        }
      }
      try (TreeStore ts = TreeStore.open(db, IngestCrashChild.options())) {
        Set<String> visible;
        try {
          visible = verify(ts, acked, inFlight, lost, recovered, v -> trees.get(treeOf.get(v)),
              ctx);
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "\nchild stderr:\n" + tail(stderr), e);
        }
        recovered.addAll(visible);
        if (rnd.nextBoolean()) {
          ts.database().closeWithoutCheckpoint(); // the next child recovers from the log
        }
      }
    }
    long inFlightCommitted = inFlight.stream().filter(recovered::contains).count();
    System.out.printf("IngestCrashTest seed=%d: %d kills (%d early) in %.1f s, %d versions"
        + " acknowledged, %d in flight at a kill (%d of them committed), %d lost to"
        + " conflicts%n", seed, kills, early, (System.nanoTime() - start) / 1e9, acked.size(),
        inFlight.size(), inFlightCommitted, lost.size());
    assertTrue(acked.size() >= 3, "seed " + seed + ": too few ingests acknowledged: "
        + acked.size());
  }

  /** Checks the recovered database; returns the ids of the visible versions. */
  private static Set<String> verify(TreeStore ts, Map<String, Acked> acked,
      Set<String> inFlight, Set<String> lost, Set<String> recovered,
      Function<String, Map<String, Trees.Want>> treeOf, String ctx) {
    DocumentModel m = new DocumentModel(Clock.systemUTC());
    Set<String> visible = new HashSet<>();
    long nodeRows = 0;
    try (Transaction tx = ts.database().beginReadOnly()) {
      List<DocumentApi.DocumentInfo> docs = ((DocumentApi.DocumentList) ts.call(tx,
          "documents", "ListDocuments", new DocumentApi.ListDocuments(null))).documents();
      for (DocumentApi.DocumentInfo info : docs) {
        String doc = info.docId();
        String at = ctx + ", document " + doc;
        assertTrue(IngestCrashChild.DOCS.contains(doc), at);
        List<DocumentApi.Version> vs = ((DocumentApi.VersionList) ts.call(tx, "versions",
            "ListVersions", new DocumentApi.DocumentRef(doc))).versions();
        assertTrue(!vs.isEmpty(), at + ": a document without versions");
        assertEquals(vs.size(), info.versions(), at);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < vs.size(); i++) {
          DocumentApi.Version v = vs.get(i);
          String vat = at + ", version " + v.versionId();
          assertTrue(visible.add(v.versionId()), vat + " visible twice");
          counts.put(v.versionId(), v.nodeCount());
          assertEquals(i + 1 < vs.size() ? vs.get(i + 1).effectiveDate() : null, v.endDate(),
              vat + ": end date");
          Acked a = acked.get(v.versionId());
          if (a == null) {
            assertTrue(inFlight.contains(v.versionId()), vat + " is visible but was neither"
                + " acknowledged nor in flight");
          } else {
            assertEquals(a, new Acked(doc, v.nodeCount(), v.effectiveDate()), vat);
          }
          // complete: the tree with every node as ingested, the diff against the version
          // before, the node rows and their full-text units
          Map<String, Trees.Want> want = treeOf.apply(v.versionId());
          assertEquals(want.size(), v.nodeCount(), vat + ": node_count");
          DocumentApi.Tree tree = (DocumentApi.Tree) ts.call(tx, "documents", "GetTree",
              new DocumentApi.TreeRef(doc, null, v.versionId(), null));
          List<DocumentApi.Node> nodes = Trees.flatten(tree.roots());
          assertEquals(new ArrayList<>(want.keySet()), nodes.stream()
              .map(DocumentApi.Node::nodeId).toList(), vat + ": GetTree");
          for (DocumentApi.Node n : nodes) {
            want.get(n.nodeId()).check(n, vat);
          }
          Trees.checkDiff(i == 0 ? Map.of() : Trees.diff(treeOf.apply(vs.get(i - 1)
              .versionId()), want), v.diff(), vat + ": diff");
          int rows = 0;
          try (RowIterator<Tuple> it = m.nodes.scan(tx, TupleRange.prefix(Tuple.of(doc,
              v.versionId())))) {
            while (it.hasNext()) {
              Row<Tuple> r = it.next();
              rows++;
              assertNotNull(m.fts.unit(tx, r.primaryKey()), vat + ": no full-text unit for "
                  + r.primaryKey());
            }
          }
          assertEquals(v.nodeCount(), rows, vat + ": node rows");
          nodeRows += rows;
        }
        MetadataApi.ToolResults tools = (MetadataApi.ToolResults) ts.call(tx, "metadata",
            "GetToolResults", new MetadataApi.ToolResultQuery(IngestCrashChild.caseOf(doc),
                "StoreDocument", null, null, 10_000));
        Map<String, Integer> recorded = new HashMap<>();
        for (MetadataApi.StoredToolResult t : tools.results()) {
          recorded.put((String) t.result().input().get("version_id"),
              ((Number) t.result().input().get("node_count")).intValue());
        }
        assertEquals(counts, recorded, at + ": tool results = versions (version -> nodes)");
      }
      for (Map.Entry<String, Acked> e : acked.entrySet()) {
        assertTrue(visible.contains(e.getKey()), ctx + ": acknowledged version " + e.getKey()
            + " of " + e.getValue().doc() + " is lost");
      }
      for (String v : recovered) {
        assertTrue(visible.contains(v), ctx + ": version " + v + " was recovered before and"
            + " is lost now");
      }
      for (String v : lost) {
        assertTrue(!visible.contains(v), ctx + ": version " + v + " failed but is visible");
      }
      for (String doc : IngestCrashChild.DOCS) {
        if (docs.stream().noneMatch(d -> d.docId().equals(doc))) {
          MetadataApi.ToolResults tools = (MetadataApi.ToolResults) ts.call(tx, "metadata",
              "GetToolResults", new MetadataApi.ToolResultQuery(IngestCrashChild.caseOf(doc),
                  null, null, null, 10_000));
          assertEquals(List.of(), tools.results(), ctx + ": tool results of " + doc
              + ", which has no version");
        }
      }
      assertEquals(nodeRows, m.fts.statistics(tx).units(), ctx + ": full-text units = node"
          + " rows");
      for (IndexCheckReport rep : List.of(m.docs.check(tx, 20), m.versions.check(tx, 20),
          m.nodes.check(tx, 20), m.fts.check(tx, 100))) {
        assertTrue(rep.ok(), ctx + ": " + rep);
      }
      DocumentApi.SearchResult sr = (DocumentApi.SearchResult) ts.call(tx, "documents",
          "SearchByKeyword", new DocumentApi.Search(Trees.MARK + " revenue lecture", null,
              null, "2030-01-01", null, 100));
      for (DocumentApi.Hit h : sr.hits()) {
        assertTrue(visible.contains(h.versionId()), ctx + ": hit in an invisible version " + h);
      }
    }
    return visible;
  }

  private static String tail(Path f) {
    try {
      if (!Files.exists(f)) {
        return "";
      }
      List<String> l = Files.readAllLines(f, StandardCharsets.UTF_8);
      return String.join("\n", l.subList(Math.max(0, l.size() - 40), l.size()));
    } catch (IOException e) {
      return "(cannot read " + f + ": " + e + ")";
    }
  }
}
