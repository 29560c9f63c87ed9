package io.treestore.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.treestore.wal.Durability;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every durable commit is applied and its {@code commit()} returns even when nothing follows
 * it: threads commit in rounds and wait for each other after every round, so a commit left
 * behind by the apply hand-off (made durable while another committer held the apply lock,
 * whose committer then parked) would never be applied by a later commit, and the round would
 * never end. With checkpoints off, nothing else wakes such a committer either. Runs a bounded
 * number of rounds of 100-row transactions (a long apply widens the window); a round that does
 * not end within 10 seconds fails the test with the database's applied and last LSN. Before
 * the fix, the NONE-mode run hung within a few hundred rounds.
 */
class CommitWakeupTest {
  private static final int THREADS = 8;
  private static final int ROUNDS = 1500;

  @TempDir Path dir;

  @Test
  void everyDurableCommitIsAppliedWhenNothingFollowsIt() throws Exception {
    for (Durability mode : new Durability[] {Durability.NONE, Durability.SYNC}) {
      run(mode, mode == Durability.NONE ? ROUNDS : ROUNDS / 5);
    }
  }

  private void run(Durability mode, int rounds) throws Exception {
    Path d = dir.resolve(mode.name());
    try (Database db = Database.open(d, DatabaseOptions.defaults().withDurability(mode)
        .withCheckpoints(0, 0))) {
      CyclicBarrier barrier = new CyclicBarrier(THREADS);
      AtomicReference<Throwable> error = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int id = t;
        threads.add(Thread.ofPlatform().daemon().name("committer-" + t).start(() -> {
          try {
            for (int r = 0; r < rounds; r++) {
              try (Transaction tx = db.begin()) {
                for (int j = 0; j < 100; j++) {
                  tx.put("ks", ("k" + id + "-" + j + "-" + (r % 100))
                      .getBytes(StandardCharsets.UTF_8), new byte[16]);
                }
                tx.commit();
              }
              barrier.await(10, TimeUnit.SECONDS);
            }
          } catch (TimeoutException | BrokenBarrierException e) {
            error.compareAndSet(null, e);
            barrier.reset();
          } catch (Throwable e) {
            error.compareAndSet(null, e);
            barrier.reset();
          }
        }));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (Thread t : threads) {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      }
      Throwable e = error.get();
      boolean stuck = threads.stream().anyMatch(Thread::isAlive);
      if (e != null || stuck) {
        fail(mode + ": a round did not end: applied LSN " + db.lastCommittedLsn()
            + ", last LSN " + db.stats().lastLsn() + " (a durable commit was left unapplied,"
            + " its committer parked)", e);
      }
      assertEquals((long) THREADS * rounds, db.lastCommittedLsn(), mode + ": every commit");
    }
  }
}
