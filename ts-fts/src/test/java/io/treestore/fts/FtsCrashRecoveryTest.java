package io.treestore.fts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.treestore.index.IndexCheckReport;
import io.treestore.testkit.ChildJvm;
import io.treestore.txn.Database;
import io.treestore.txn.DatabaseOptions;
import io.treestore.txn.DbSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash recovery of the full-text index with real processes: a child JVM
 * ({@link FtsCrashChild}) indexes units transactionally from two threads in {@code SYNC} mode
 * and prints every acknowledged commit; the parent kills it with SIGKILL
 * ({@link ChildJvm#kill()}) at a random moment (sometimes while the JVM starts or the
 * database recovers), reads every acknowledgement the child wrote before it died, reopens the database and checks that every acknowledged
 * transaction's units are there and searchable by their marker word, that each thread's
 * recovered transactions are a prefix of its commits (at most one unacknowledged commit more,
 * and never fewer than an earlier recovery found), that no transaction is partly visible (the
 * next transaction's units are all absent, the thread's "latest" unit names the last one, and
 * N and the token total equal what the recovered transactions wrote), and that
 * {@link FullTextIndex#check} reports no problem. The next child continues on the same
 * database. Rerun with {@code -Dts.seed=<seed>}; {@code -Dts.fts.crash.kills=} sets the
 * number of kills (the long variant makes 100).
 */
class FtsCrashRecoveryTest {
  private static final int THREADS = 2;

  @TempDir Path dir;

  @Test
  void acknowledgedIndexingSurvivesKills() throws Exception {
    runKills(Long.getLong("ts.seed", System.nanoTime()), Integer.getInteger(
        "ts.fts.crash.kills", 8));
  }

  @Test
  @Tag("long")
  void acknowledgedIndexingSurvivesAHundredKills() throws Exception {
    runKills(Long.getLong("ts.seed", System.nanoTime()) + 1, Integer.getInteger(
        "ts.fts.crash.kills", 100));
  }

  private void runKills(long seed, int kills) throws Exception {
    Random rnd = new Random(seed);
    Path db = dir.resolve("db");
    Path stderr = dir.resolve("child.err");
    System.out.println("FtsCrashRecoveryTest seed=" + seed + " kills=" + kills
        + " (rerun with -Dts.seed=" + seed + ")");
    // per run and thread: transactions acknowledged, and transactions found after recovery
    Map<List<Integer>, Long> acked = new HashMap<>();
    Map<List<Integer>, Long> recovered = new HashMap<>();
    long start = System.nanoTime();
    int early = 0;
    long totalAcks = 0;
    for (int run = 0; run < kills; run++) {
      String ctx = "seed " + seed + ", run " + run + " (rerun with -Dts.seed=" + seed + ")";
      ChildJvm child = ChildJvm.start(ChildJvm.inModule(FtsCrashChild.class, List.of(
          db.toString(), Long.toString(seed), Integer.toString(run),
          Integer.toString(THREADS))), stderr);
      try {
        if (run > 0 && rnd.nextInt(5) == 0) {
          early++;
          Thread.sleep(rnd.nextInt(700)); // while the JVM starts or the database recovers
        } else {
          if (child.await(l -> l.startsWith("READY") || l.startsWith("FAILED"), 60_000)
              == null) {
            fail(ctx + ": the child did not start: " + tail(stderr));
          }
          int acks = rnd.nextInt(80);
          for (int i = 0; i < acks; i++) {
            String l = child.await(x -> x.startsWith("ACK") || x.startsWith("FAILED"), 60_000);
            if (l == null || l.startsWith("FAILED")) {
              break;
            }
          }
        }
        child.kill();
      } finally {
        child.kill();
      }
      List<String> lines = child.finish(60);
      for (String l : lines) {
        if (l.startsWith("FAILED")) {
          fail(ctx + ": the child failed: " + l + "\nstderr:\n" + tail(stderr));
        }
        if (l.startsWith("ACK ")) {
          String[] p = l.split(" ");
          List<Integer> rt = List.of(Integer.parseInt(p[1]), Integer.parseInt(p[2]));
          long n = Long.parseLong(p[3]);
          Long prev = acked.put(rt, n + 1);
          assertEquals(prev == null ? 0 : prev, n, ctx + ": acknowledgements out of order");
          totalAcks++;
        }
      }
      assertEquals(137, child.process.exitValue(), ctx + ": the child was not killed; "
          + tail(stderr));
      String last = "exit " + child.process.exitValue() + ", last lines of the child "
          + lines.subList(Math.max(0, lines.size() - 6), lines.size()) + " stderr " + tail(stderr);
      try (Database d = Database.open(db, DatabaseOptions.defaults())) {
        verify(d, seed, run, acked, recovered, ctx + ", " + last);
      }
    }
    double secs = (System.nanoTime() - start) / 1e9;
    long commits = recovered.values().stream().mapToLong(Long::longValue).sum();
    System.out.printf("FtsCrashRecoveryTest seed=%d: %d kills (%d early) in %.1f s, %d commits"
        + " acknowledged, %d recovered%n", seed, kills, early, secs, totalAcks, commits);
    assertTrue(totalAcks > 0, "no commit was acknowledged in " + kills + " runs");
  }

  private static void verify(Database d, long seed, int lastRun,
      Map<List<Integer>, Long> acked, Map<List<Integer>, Long> recovered, String ctx) {
    FullTextIndex fts = FtsCrashChild.FTS;
    SearchOptions all = SearchOptions.defaults().withLimit(100);
    long units = 0;
    long tokens = 0;
    StandardAnalyzer analyzer = new StandardAnalyzer();
    try (DbSnapshot s = d.snapshot()) {
      for (int run = 0; run <= lastRun; run++) {
        for (int t = 0; t < THREADS; t++) {
          List<Integer> rt = List.of(run, t);
          String where = ctx + ", transactions of run " + run + " thread " + t;
          long count = 0;
          while (fts.unit(s, FtsCrashChild.key(run, t, count, 0)) != null) {
            count++;
          }
          long a = acked.getOrDefault(rt, 0L);
          assertTrue(count >= a, where + ": " + a + " acknowledged but only " + count
              + " recovered");
          assertTrue(count <= a + 1, where + ": " + count + " recovered but only " + a
              + " acknowledged (a thread commits one at a time)");
          Long before = recovered.put(rt, count);
          assertTrue(before == null || before <= count, where + ": " + before
              + " recovered before, now " + count);
          for (long n = 0; n < count; n++) {
            int m = FtsCrashChild.size(seed, run, t, n);
            for (int i = 0; i < m; i++) {
              String text = FtsCrashChild.text(seed, run, t, n, i);
              Unit u = fts.unit(s, FtsCrashChild.key(run, t, n, i));
              assertEquals(Unit.of(run + "." + t, "title", "unit " + i, "text", text), u,
                  where + ": unit " + i + " of transaction " + n);
              units++;
              tokens += analyzer.analyze("unit " + i + "\n" + text).size();
            }
            assertNull(fts.unit(s, FtsCrashChild.key(run, t, n, m)), where + ": transaction "
                + n + " has an extra unit");
            // the last transactions of this run are searched (earlier ones were before)
            if (run == lastRun || n >= count - 2) {
              List<Hit> hits = fts.search(s, FtsCrashChild.marker(run, t, n), all).hits();
              // the thread's latest unit names its last transaction too
              assertEquals(m + (n == count - 1 ? 1 : 0), hits.size(), where
                  + ": hits for transaction " + n);
            }
          }
          // nothing of the next transaction
          for (int i = 0; i < 4; i++) {
            assertNull(fts.unit(s, FtsCrashChild.key(run, t, count, i)), where
                + ": part of transaction " + count + " is visible");
          }
          assertEquals(List.of(), fts.search(s, FtsCrashChild.marker(run, t, count), all)
              .hits(), where);
          Unit latest = fts.unit(s, FtsCrashChild.latestKey(run, t));
          if (count == 0) {
            assertNull(latest, where);
          } else {
            String text = FtsCrashChild.latest(run, t, count - 1);
            assertEquals(text, latest.fields().get("text"), where + ": latest unit");
            units++;
            tokens += analyzer.analyze(text).size();
          }
        }
      }
      assertEquals(new IndexStatistics(units, tokens), fts.statistics(s), ctx);
      IndexCheckReport r = fts.check(s, 10);
      assertTrue(r.ok(), ctx + ": " + r);
      assertEquals(units, r.records(), ctx);
    }
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
