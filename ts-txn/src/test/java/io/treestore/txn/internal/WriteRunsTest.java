package io.treestore.txn.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.treestore.txn.MergeOperator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link WriteRuns} against a model that applies the commits one by one to a {@link TreeMap}:
 * keys shorter than, equal to and longer than 8 bytes, keys that share their first 8 bytes,
 * bytes above 0x7F (unsigned order), the same key written by many commits (puts, deletes and
 * merge operands, whose order matters), and several keyspaces.
 */
class WriteRunsTest {
  private static byte[] key(Random rnd) {
    return switch (rnd.nextInt(4)) {
      case 0 -> new byte[] {(byte) rnd.nextInt(4)};
      case 1 -> {
        byte[] k = new byte[1 + rnd.nextInt(8)];
        for (int i = 0; i < k.length; i++) {
          k[i] = (byte) (0x7E + rnd.nextInt(4));
        }
        yield k;
      }
      case 2 -> ("prefix12" + rnd.nextInt(50)).getBytes();
      default -> {
        byte[] k = new byte[8 + rnd.nextInt(3)];
        Arrays.fill(k, 0, 8, (byte) 0xF0);
        for (int i = 8; i < k.length; i++) {
          k[i] = (byte) rnd.nextInt(3);
        }
        yield k;
      }
    };
  }

  @Test
  void combinedRunsEqualApplyingCommitsInOrder() {
    MergeOperator add = MergeOperator.INT64_ADD;
    for (int seed = 0; seed < 200; seed++) {
      Random rnd = new Random(seed);
      List<Map<String, NavigableMap<byte[], Write>>> commits = new ArrayList<>();
      Map<String, NavigableMap<byte[], byte[]>> model = new HashMap<>();
      for (int c = rnd.nextInt(60); c >= 0; c--) {
        Map<String, NavigableMap<byte[], Write>> commit = new HashMap<>();
        for (int w = rnd.nextInt(20); w >= 0; w--) {
          String ks = "ks" + rnd.nextInt(2);
          byte[] k = key(rnd);
          NavigableMap<byte[], Write> ws =
              commit.computeIfAbsent(ks, x -> new TreeMap<>(Arrays::compareUnsigned));
          NavigableMap<byte[], byte[]> m =
              model.computeIfAbsent(ks, x -> new TreeMap<>(Arrays::compareUnsigned));
          if (ws.containsKey(k)) {
            continue;  // a commit holds one write per key
          }
          int what = rnd.nextInt(3);
          if (what == 0) {
            byte[] v = ByteBuffer.allocate(8).putLong(rnd.nextInt(1000)).array();
            ws.put(k, Write.put(v));
            m.put(k, v);
          } else if (what == 1) {
            ws.put(k, Write.delete());
            m.remove(k);
          } else {
            byte[] op = ByteBuffer.allocate(8).putLong(1 + rnd.nextInt(9)).array();
            ws.put(k, Write.merge(add, op));
            m.put(k, add.apply(m.get(k), op));
          }
        }
        commits.add(commit);
      }
      Map<String, WriteRuns.Run> runs = WriteRuns.of(commits);
      for (var ks : model.keySet()) {
        WriteRuns.Run run = runs.get(ks);
        NavigableMap<byte[], byte[]> base = new TreeMap<>(Arrays::compareUnsigned);
        for (int i = 0; i < run.keys().length; i++) {
          if (i > 0) {
            assertEquals(-1, Integer.signum(Arrays.compareUnsigned(run.keys()[i - 1],
                run.keys()[i])), "seed " + seed + ": keys ascend");
          }
          byte[] v = run.merges()[i] != null ? run.merges()[i].resolve(null) : run.values()[i];
          if (v != null) {
            base.put(run.keys()[i], v);
          }
        }
        NavigableMap<byte[], byte[]> expected = model.get(ks);
        assertEquals(expected.size(), base.size(), "seed " + seed + " " + ks);
        for (var e : expected.entrySet()) {
          assertArrayEquals(e.getValue(), base.get(e.getKey()), "seed " + seed);
        }
      }
    }
  }
}
