package io.treestore.stores.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.spi.ErrorCode;
import io.treestore.spi.StoreException;
import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import io.treestore.stores.metadata.MetadataApi.CrossReference;
import io.treestore.stores.metadata.MetadataApi.Evidence;
import io.treestore.stores.metadata.MetadataApi.ToolResult;
import io.treestore.txn.DatabaseOptions;
import io.treestore.wal.Durability;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metadata store against models computed in the test. */
class MetadataStoreTest {
  private static final long SEED = Long.getLong("ts.seed", System.nanoTime());

  @TempDir Path dir;

  TreeStore open() {
    return TreeStore.open(dir, TreeStoreOptions.defaults()
        .withDatabase(DatabaseOptions.defaults().withDurability(Durability.NONE))
        .withDiscovery(false).withProviders(List.of(new MetadataStoreProvider())));
  }

  @Test
  void toolResultsFilterByToolAndWindowWithExactAggregates() {
    Random r = new Random(SEED);
    List<ToolResult> all = new ArrayList<>();
    Instant base = Instant.parse("2026-03-01T00:00:00Z");
    try (TreeStore ts = open()) {
      for (int i = 0; i < 300; i++) {
        ToolResult t = new ToolResult(r.nextBoolean() ? "case-a" : "case-b", null,
            List.of("pi_search", "facts_get", "policy_xref").get(r.nextInt(3)),
            Map.of("q", "x" + i), Map.of("n", i), base.plusSeconds(r.nextInt(10_000)),
            r.nextInt(500), r.nextInt(4) > 0, r.nextBoolean() ? r.nextDouble() : null);
        ts.call("metadata", "StoreToolResult", t);
        all.add(t);
      }
      for (int q = 0; q < 40; q++) {
        String c = r.nextBoolean() ? "case-a" : "case-b";
        String tool = r.nextBoolean() ? null : "pi_search";
        Instant from = r.nextBoolean() ? null : base.plusSeconds(r.nextInt(5000));
        Instant to = r.nextBoolean() ? null : base.plusSeconds(5000 + r.nextInt(5000));
        List<ToolResult> want = all.stream().filter(t -> t.caseId().equals(c)
            && (tool == null || t.toolName().equals(tool))
            && (from == null || !t.timestamp().isBefore(from))
            && (to == null || t.timestamp().isBefore(to))).toList();
        MetadataApi.ToolResults got = (MetadataApi.ToolResults) ts.call("metadata",
            "GetToolResults", new MetadataApi.ToolResultQuery(c, tool, from, to, 10_000));
        assertEquals(want.size(), got.results().size(), "seed " + SEED);
        assertEquals(want.size(), got.aggregate().count());
        List<Instant> times = got.results().stream().map(x -> x.result().timestamp()).toList();
        assertEquals(times.stream().sorted().toList(), times, "oldest first");
        double ok = want.stream().filter(ToolResult::success).count();
        assertEquals(want.isEmpty() ? 0 : ok / want.size(), got.aggregate().successRate(), 1e-12);
        assertEquals(want.stream().mapToLong(ToolResult::latencyMs).average().orElse(0),
            got.aggregate().meanLatencyMs(), 1e-9);
        List<Double> conf = want.stream().map(ToolResult::confidence)
            .filter(java.util.Objects::nonNull).toList();
        if (conf.isEmpty()) {
          assertNull(got.aggregate().meanConfidence());
        } else {
          assertEquals(conf.stream().mapToDouble(Double::doubleValue).average().orElseThrow(),
              got.aggregate().meanConfidence(), 1e-9);
        }
      }
      MetadataApi.ToolResults page = (MetadataApi.ToolResults) ts.call("metadata",
          "GetToolResults", new MetadataApi.ToolResultQuery("case-a", null, null, null, 3));
      assertEquals(3, page.results().size());
      assertTrue(page.aggregate().count() > 3, "the aggregate covers every match");
    }
  }

  @Test
  void crossReferencesAreFoundFromBothEndsAcrossDocuments() {
    try (TreeStore ts = open()) {
      ts.call("metadata", "StoreCrossReference", new CrossReference("d1", "0001", "d2", "0007",
          "see_also", "same topic", 0.9));
      ts.call("metadata", "StoreCrossReference", new CrossReference("d3", "0002", "d1", "0001",
          "prerequisite", null, null));
      MetadataApi.CrossReferences x = (MetadataApi.CrossReferences) ts.call("metadata",
          "GetCrossReferences", new MetadataApi.CrossReferenceQuery("d1", "0001"));
      assertEquals(List.of("d2/0007"), x.outgoing().stream()
          .map(c -> c.toDocId() + "/" + c.toNodeId()).toList());
      assertEquals(List.of("d3/0002"), x.incoming().stream()
          .map(c -> c.fromDocId() + "/" + c.fromNodeId()).toList());
      MetadataApi.CrossReferences y = (MetadataApi.CrossReferences) ts.call("metadata",
          "GetCrossReferences", new MetadataApi.CrossReferenceQuery("d2", "0007"));
      assertEquals(1, y.incoming().size());
      assertEquals("same topic", y.incoming().get(0).reason());
      StoreException self = assertThrows(StoreException.class, () -> ts.call("metadata",
          "StoreCrossReference", new CrossReference("d1", "1", "d1", "1", "related", null,
              null)));
      assertEquals(ErrorCode.INVALID_ARGUMENT, self.code());
    }
  }

  @Test
  void trajectoriesAndContradictionsRoundTripInOrder() {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    try (TreeStore ts = open()) {
      for (int i = 2; i >= 0; i--) {
        ts.call("metadata", "StoreTrajectory", new MetadataApi.Trajectory("c", "query " + i,
            List.of("0001", "0003"), "because", 0.5, "llm", t0.plusSeconds(i)));
      }
      MetadataApi.Trajectories tr = (MetadataApi.Trajectories) ts.call("metadata",
          "GetTrajectories", new MetadataApi.TrajectoryQuery("c", null, null, null));
      assertEquals(List.of("query 0", "query 1", "query 2"), tr.trajectories().stream()
          .map(x -> x.trajectory().query()).toList());
      ts.call("metadata", "StoreContradiction", new MetadataApi.Contradiction("c", "k2",
          List.of(new Evidence("d", "0001", "yes", "support"),
              new Evidence("d", "0002", "no", "oppose")), List.of("dates differ"), null, t0));
      ts.call("metadata", "StoreContradiction", new MetadataApi.Contradiction("c", "k1",
          List.of(new Evidence(null, "0003", "maybe", "neutral")), null, "resolved", t0));
      MetadataApi.Contradictions all = (MetadataApi.Contradictions) ts.call("metadata",
          "GetContradictions", new MetadataApi.ContradictionQuery("c", null));
      assertEquals(List.of("k1", "k2"), all.contradictions().stream()
          .map(x -> x.contradiction().criterionId()).toList());
      MetadataApi.Contradictions k2 = (MetadataApi.Contradictions) ts.call("metadata",
          "GetContradictions", new MetadataApi.ContradictionQuery("c", "k2"));
      assertEquals(2, k2.contradictions().get(0).contradiction().evidence().size());
      StoreException badStance = assertThrows(StoreException.class, () -> ts.call("metadata",
          "StoreContradiction", new MetadataApi.Contradiction("c", "k", List.of(
              new Evidence(null, "1", "s", "agree")), null, null, null)));
      assertTrue(badStance.getMessage().contains("stance"), badStance.getMessage());
    }
  }

  @Test
  void badInputIsRefusedAndNothingIsWritten() {
    try (TreeStore ts = open()) {
      List<ToolResult> bad = List.of(
          new ToolResult("", null, "t", null, null, null, 1, true, null),
          new ToolResult("c", null, "t/x", null, null, null, 1, true, null),
          new ToolResult("c", null, "t", null, null, null, -1, true, null),
          new ToolResult("c", null, "t", null, null, null, 1, true, 1.5),
          new ToolResult("c", null, "t", null, null, null, 1, true, Double.NaN));
      for (ToolResult t : bad) {
        StoreException e = assertThrows(StoreException.class,
            () -> ts.call("metadata", "StoreToolResult", t));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), t.toString());
      }
      assertThrows(StoreException.class, () -> ts.call("metadata", "GetToolResults",
          new MetadataApi.ToolResultQuery("c", null, Instant.parse("2026-01-02T00:00:00Z"),
              Instant.parse("2026-01-01T00:00:00Z"), null)));
      assertTrue(ts.database().keyspaces().isEmpty(), ts.database().keyspaces().toString());
    }
  }

  @Test
  void concurrentWritersOfOneCaseNeverConflictAndNothingIsLost() throws Exception {
    try (TreeStore ts = open()) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> fs = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
          int id = w;
          fs.add(pool.submit(() -> {
            for (int i = 0; i < 50; i++) {
              try (var tx = ts.database().begin()) {
                ts.call(tx, "metadata", "StoreToolResult", new ToolResult("hot", null,
                    "w" + id, null, null, null, i, true, null));
                tx.commit();
              }
            }
          }));
        }
        for (Future<?> f : fs) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      MetadataApi.ToolResults r = (MetadataApi.ToolResults) ts.call("metadata",
          "GetToolResults", new MetadataApi.ToolResultQuery("hot", null, null, null, 10_000));
      assertEquals(400, r.aggregate().count());
    }
  }
}
