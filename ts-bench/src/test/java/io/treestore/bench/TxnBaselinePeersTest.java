package io.treestore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.wal.Wal;
import io.treestore.wal.WalOptions;
import io.treestore.wal.WalRecord;
import io.treestore.wal.WalReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two group-commit baselines of {@link TxnGroupCommitBenchmark} do what their comparison
 * assumes: with 8 threads committing at once, every commit's rows reach the file exactly once
 * (the floor's buffer hand-over loses and repeats nothing; the log's records are the
 * commits), and concurrent commits share groups.
 */
class TxnBaselinePeersTest {
  private static final int THREADS = 8;
  private static final int PER_THREAD = 300;

  @TempDir Path dir;

  @Test
  void floorWritesEveryCommitOnceAndGroupsThem() throws Exception {
    Set<String> committed = ConcurrentHashMap.newKeySet();
    String report;
    try (TxnPeer peer = TxnPeer.open(TxnPeer.FLOOR, dir)) {
      run(peer, committed);
      report = peer.report();
    }
    byte[] file = Files.readAllBytes(dir.resolve("floor.log"));
    ByteBuffer b = ByteBuffer.wrap(file);
    Set<String> found = new HashSet<>();
    for (int i = 0; i < THREADS * PER_THREAD; i++) {
      byte[] k = new byte[b.getInt()];
      b.get(k);
      int vlen = b.getInt();
      b.position(b.position() + vlen);
      assertTrue(found.add(HexFormat.of().formatHex(k)), "a row written twice, record " + i);
    }
    assertEquals(0, b.getInt(), "nothing but zeros after the last record");
    assertEquals(committed, found);
    assertGrouped(report, "floor commits=(\\d+) groups=(\\d+)");
  }

  @Test
  void walBaselineLogsOneRecordPerCommit() throws Exception {
    Set<String> committed = ConcurrentHashMap.newKeySet();
    String report;
    try (TxnPeer peer = TxnPeer.open(TxnPeer.WAL, dir)) {
      run(peer, committed);
      report = peer.report();
    }
    Set<String> found = new HashSet<>();
    try (Wal wal = Wal.open(dir, WalOptions.defaults()); WalReader r = wal.read(1)) {
      while (r.hasNext()) {
        WalRecord rec = r.next();
        ByteBuffer b = ByteBuffer.wrap(rec.payload());
        byte[] k = new byte[b.getInt()];
        b.get(k);
        assertTrue(found.add(HexFormat.of().formatHex(k)), "LSN " + rec.lsn());
      }
    }
    assertEquals(committed, found);
    assertGrouped(report, "wal records=(\\d+) groups=(\\d+)");
  }

  private static void run(TxnPeer peer, Set<String> committed) throws Exception {
    List<Future<?>> done = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
      for (int t = 0; t < THREADS; t++) {
        TxnBenchFiles.Rows rows = new TxnBenchFiles.Rows(1, 1000 + t);
        TxnPeer.Session s = peer.session();
        done.add(pool.submit(() -> {
          for (int i = 0; i < PER_THREAD; i++) {
            byte[][] keys = rows.nextKeys();
            s.commit(keys, rows.values());
            committed.add(HexFormat.of().formatHex(keys[0]));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    }
    assertEquals(THREADS * PER_THREAD, committed.size());
  }

  private static void assertGrouped(String report, String pattern) {
    Matcher m = Pattern.compile(pattern).matcher(report);
    assertTrue(m.find(), report);
    long commits = Long.parseLong(m.group(1));
    long groups = Long.parseLong(m.group(2));
    assertEquals(THREADS * PER_THREAD, commits, report);
    assertTrue(groups >= 1 && groups < commits, "concurrent commits share groups: " + report);
  }
}
