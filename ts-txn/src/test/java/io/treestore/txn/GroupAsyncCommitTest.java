package io.treestore.txn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.wal.Durability;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Durability#GROUP_ASYNC} as a user of the database sees it: with every {@code fsync}
 * of the log stalled, a commit is still acknowledged at once and visible to the next
 * transaction; a checkpoint waits until the log is synced up to the LSN it covers (the
 * write-ahead rule: the data file never gets ahead of the durable log); once the disk answers,
 * the log is synced by its background thread and everything is there after reopening.
 */
class GroupAsyncCommitTest {
  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void commitsAreAcknowledgedBeforeTheirSyncAndCheckpointsWaitForIt() throws Exception {
    FaultyStorage fs = new FaultyStorage();
    DatabaseOptions o = DatabaseOptions.defaults().withDurability(Durability.GROUP_ASYNC)
        .withCheckpoints(0, 0).withChannels(fs.pages(), fs.wal());
    CountDownLatch gate = new CountDownLatch(1);
    try (Database db = Database.open(dir, o)) {
      fs.log.forceGate = gate;
      try {
        checkWhileTheDiskStalls(db, gate);
      } finally {
        gate.countDown();  // so that closing can sync the log even if a check failed
      }
    }
    try (Database db = Database.open(dir, DatabaseOptions.defaults())) {
      try (Transaction tx = db.beginReadOnly()) {
        assertArrayEquals(b("v"), tx.get("t", b("k")));
        assertArrayEquals(b("v2"), tx.get("t", b("k2")), "closing syncs the log");
      }
    }
  }

  private static void checkWhileTheDiskStalls(Database db, CountDownLatch gate)
      throws Exception {
    long lsn = CompletableFuture.supplyAsync(() -> {
      try (Transaction tx = db.begin()) {
        tx.put("t", b("k"), b("v"));
        return tx.commit();
      }
    }).get(10, TimeUnit.SECONDS);
    assertEquals(1, lsn);
    assertEquals(0, db.stats().walSyncs(), "acknowledged with no fsync of the log done");
    try (Transaction tx = db.beginReadOnly()) {
      assertArrayEquals(b("v"), tx.get("t", b("k")), "visible once acknowledged");
    }

    CompletableFuture<Long> checkpoint = CompletableFuture.supplyAsync(db::checkpoint);
    Thread.sleep(300);
    assertFalse(checkpoint.isDone(), "a checkpoint may not pass the durable log");
    assertEquals(0, db.checkpointLsn());
    gate.countDown();
    assertEquals(1, checkpoint.get(10, TimeUnit.SECONDS));
    assertTrue(db.stats().walSyncs() >= 1);
    try (Transaction tx = db.begin()) {
      tx.put("t", b("k2"), b("v2"));
      tx.commit();
    }
  }
}
