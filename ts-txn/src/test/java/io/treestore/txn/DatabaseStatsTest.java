package io.treestore.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics hooks of {@link Database#stats()} as a monitoring system reads them: active
 * transactions rise and fall, commits, conflicts and rollbacks count, the log's size and LSNs
 * move, checkpoints count with their duration, the cache hit rate stays in [0, 1], and the
 * log's group-commit counters agree with the commits made.
 */
class DatabaseStatsTest {
  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void countersFollowWhatTheDatabaseDoes() {
    try (Database db = Database.open(dir, DatabaseOptions.defaults().withCheckpoints(0, 0))) {
      DatabaseStats s0 = db.stats();
      assertEquals(0, s0.activeTransactions());
      assertEquals(0, s0.commits());
      assertEquals(0, s0.walRecords());

      Transaction open1 = db.begin();
      Transaction open2 = db.beginReadOnly();
      assertEquals(2, db.stats().activeTransactions());
      open2.close();
      assertEquals(1, db.stats().activeTransactions());

      for (int i = 0; i < 10; i++) {
        try (Transaction tx = db.begin()) {
          tx.put("t", b("k" + i), b("v" + i));
          tx.commit();
        }
      }
      open1.put("t", b("k3"), b("loser"));
      assertThrows(ConflictException.class, open1::commit);
      open1.close();
      try (Transaction tx = db.begin()) {
        tx.put("t", b("x"), b("y"));
        tx.rollback();
      }

      DatabaseStats s = db.stats();
      assertEquals(0, s.activeTransactions());
      assertEquals(10, s.commits());
      assertEquals(1, s.conflicts());
      assertEquals(2, s.rollbacks(), "the conflict's loser and the explicit rollback");
      assertEquals(10, s.lastLsn());
      assertEquals(10, s.appliedLsn());
      assertTrue(s.walBytes() > s0.walBytes(), "the log grew: " + s0.walBytes() + " -> "
          + s.walBytes());
      assertEquals(10, s.walRecords(), "one log record per commit with writes");
      assertEquals(10, s.walGroups(), "one committer: each commit is its own group");
      assertEquals(10, s.walSyncs());
      assertTrue(s.walSyncNanos() > 0);
      assertTrue(s.cacheHitRate() >= 0 && s.cacheHitRate() <= 1, "hit rate " + s.cacheHitRate());
      assertEquals(0, s.checkpoints());
      assertEquals(0, s.checkpointFailures());

      long lsn = db.checkpoint();
      DatabaseStats c = db.stats();
      assertEquals(10, lsn);
      assertEquals(1, c.checkpoints());
      assertEquals(10, c.checkpointLsn());
      assertTrue(c.lastCheckpointMillis() > 0, "checkpoint duration " + c.lastCheckpointMillis());
    }
  }
}
