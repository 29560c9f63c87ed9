package io.treestore.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers running while a writer appends across many segment rotations.
 *
 * <p>Proves that a reader never sees a partial, out-of-order or wrong record while appends
 * and rotations happen under it: every pass from LSN 1 returns a gap-free prefix of the log
 * with the right payloads, at least as long as what was written (durable, in {@link
 * Durability#NONE} mode) when the pass started, and a
 * reader that follows the log reaches the last record. Seeded by LSN: payloads are a function
 * of the LSN.
 */
class ConcurrentReadTest {
  private static final long SEED = Long.getLong("ts.seed", 0x5EED_0006L);
  private static final int RECORDS = 3000;

  @TempDir Path dir;

  @Test
  void readersSeeGapFreePrefixesWhileAppendsRotate() throws Exception {
    WalOptions opts = Logs.none().withSegmentBytes(16 << 10);
    try (Wal wal = Wal.open(dir, opts);
        ExecutorService pool = Executors.newFixedThreadPool(4,
            Thread.ofPlatform().name("reader-", 0).factory())) {
      AtomicBoolean done = new AtomicBoolean();
      List<Future<Integer>> readers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        readers.add(pool.submit(() -> {
          int passes = 0;
          while (!done.get()) {
            long floor = wal.durableLsn(); // in NONE mode: written, so visible

            long lsn = 0;
            try (WalReader r = wal.read(1)) {
              while (r.hasNext()) {
                WalRecord rec = r.next();
                lsn++;
                assertEquals(lsn, rec.lsn(), "seed=" + SEED);
                assertArrayEquals(payload(lsn), rec.payload(), "seed=" + SEED + " LSN " + lsn);
              }
            }
            assertTrue(lsn >= floor, "pass saw " + lsn + " records, " + floor + " written");
            passes++;
          }
          return passes;
        }));
      }
      Future<Long> follower = pool.submit(() -> {
        long lsn = 0;
        try (WalReader r = wal.read(1)) {
          while (lsn < RECORDS && !done.get()) {
            if (r.hasNext()) {
              WalRecord rec = r.next();
              assertEquals(++lsn, rec.lsn());
              assertArrayEquals(payload(lsn), rec.payload());
            } else {
              Thread.onSpinWait();
            }
          }
        }
        return lsn;
      });
      try {
        for (long lsn = 1; lsn <= RECORDS; lsn++) {
          assertEquals(lsn, wal.append((byte) 1, payload(lsn)));
        }
        assertEquals(RECORDS, follower.get(60, TimeUnit.SECONDS));
      } finally {
        done.set(true); // also on failure, so that closing the pool does not hang
      }
      for (Future<Integer> f : readers) {
        assertTrue(f.get() > 0);
      }
    }
  }

  private static byte[] payload(long lsn) {
    return Logs.payload(SEED, lsn, (int) (lsn * 37 % 1500));
  }
}
