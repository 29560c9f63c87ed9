package io.treestore.txn;

import io.treestore.btree.Entry;
import io.treestore.btree.Range;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * The workload of the process-crash tests ({@link CrashChild} runs it, {@link
 * ProcessCrashTest} verifies it), written so that the state after a crash can be checked
 * without knowing which unacknowledged commits made it:
 * <ul>
 *   <li>every transaction writes a marker {@code txns/<id>} whose value describes it
 *       completely, and adds 1 to the counter {@code counters/n};
 *   <li>a transfer ({@code "T fk fa tk ta amount"}) moves an amount between two accounts of
 *       the keyspaces {@code checking} and {@code savings} (read-modify-write, retried after
 *       conflicts): the sum over both keyspaces never changes, and each balance is the initial
 *       one plus the amounts of the transfers whose markers exist, in whatever order;
 *   <li>an insert ({@code "I n size"}) writes {@code n} new keys {@code items/<id>/<k>} with
 *       values computed from the id;
 *   <li>a counter update ({@code "C key:delta,..."}) adds deltas with merge operands.
 * </ul>
 * So the recovered state is fully determined by the set of markers it holds: {@link #verify}
 * recomputes it from the markers and compares every keyspace, which proves that no
 * transaction is partly visible, and checks that every acknowledged transaction's marker
 * exists. Since LSNs have no gaps and every commit writes exactly one marker, the number of
 * markers must equal the last committed LSN (the state is a prefix of the commit order).
 */
final class CrashWorkload {
  static final String[] ACCOUNT_KS = {"checking", "savings"};
  static final int ACCOUNTS = 16;
  static final long INITIAL = 1_000;
  static final String SETUP = "setup";
  static final Set<String> KEYSPACES = Set.of("txns", "checking", "savings", "items",
      "counters");

  private CrashWorkload() {}

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  static byte[] acct(int i) {
    return b(String.format("acct/%02d", i));
  }

  static byte[] enc(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  static byte[] itemValue(String id, int k, int size) {
    byte[] unit = b(id + "/" + k + ";");
    byte[] v = new byte[size];
    for (int i = 0; i < size; i++) {
      v[i] = unit[i % unit.length];
    }
    return v;
  }

  /** Creates the accounts unless they exist; returns whether it committed. */
  static boolean setup(Database db) {
    try (Transaction tx = db.begin()) {
      if (tx.get("txns", b(SETUP)) != null) {
        return false;
      }
      apply(tx, SETUP, "S");
      tx.commit();
      return true;
    }
  }

  /** Draws a random transaction description. */
  static String draw(Random rnd) {
    int kind = rnd.nextInt(10);
    if (kind < 5) {
      int fk = rnd.nextInt(2);
      int fa = rnd.nextInt(ACCOUNTS);
      int tk = rnd.nextInt(2);
      int ta = rnd.nextInt(ACCOUNTS);
      if (fk == tk && fa == ta) {
        ta = (ta + 1) % ACCOUNTS;
      }
      return "T " + fk + " " + fa + " " + tk + " " + ta + " " + (1 + rnd.nextInt(100));
    } else if (kind < 8) {
      return "I " + (1 + rnd.nextInt(6)) + " " + (20 + rnd.nextInt(600));
    } else {
      StringBuilder sb = new StringBuilder("C ");
      int n = 1 + rnd.nextInt(3);
      for (int i = 0; i < n; i++) {
        sb.append(i == 0 ? "" : ",").append("c").append(rnd.nextInt(8)).append(':')
            .append(rnd.nextInt(2001) - 1000);
      }
      return sb.toString();
    }
  }

  /** Runs transaction {@code id} until it commits (retrying conflicts); returns its LSN. */
  static long run(Database db, String id, String desc) {
    while (true) {
      try (Transaction tx = db.begin()) {
        apply(tx, id, desc);
        return tx.commit();
      } catch (ConflictException e) {
        Thread.onSpinWait();
      }
    }
  }

  /** Performs the writes of transaction {@code id} in {@code tx}. */
  static void apply(Transaction tx, String id, String desc) {
    String[] p = desc.split(" ");
    switch (p[0]) {
      case "S" -> {
        for (String ks : ACCOUNT_KS) {
          for (int i = 0; i < ACCOUNTS; i++) {
            tx.put(ks, acct(i), enc(INITIAL));
          }
        }
      }
      case "T" -> {
        String fk = ACCOUNT_KS[Integer.parseInt(p[1])];
        byte[] fa = acct(Integer.parseInt(p[2]));
        String tk = ACCOUNT_KS[Integer.parseInt(p[3])];
        byte[] ta = acct(Integer.parseInt(p[4]));
        long amount = Long.parseLong(p[5]);
        tx.put(fk, fa, enc(tx.getLong(fk, fa) - amount));
        tx.put(tk, ta, enc(tx.getLong(tk, ta) + amount));
      }
      case "I" -> {
        int n = Integer.parseInt(p[1]);
        int size = Integer.parseInt(p[2]);
        for (int k = 0; k < n; k++) {
          tx.put("items", b(id + "/" + k), itemValue(id, k, size));
        }
      }
      case "C" -> {
        for (String c : p[1].split(",")) {
          String[] kv = c.split(":");
          tx.add("counters", b(kv[0]), Long.parseLong(kv[1]));
        }
      }
      default -> throw new IllegalArgumentException("bad description " + desc);
    }
    tx.put("txns", b(id), b(desc));
    tx.add("counters", b("n"), 1);
  }

  /**
   * Checks the state of a recovered database; returns the markers found (id to description).
   *
   * @param acked acknowledged transactions: id to LSN
   * @param mustExist ids whose markers were seen by an earlier verification
   * @throws AssertionError naming what is wrong
   */
  static Map<String, String> verify(Database db, Map<String, Long> acked, Set<String> mustExist,
      String ctx) {
    long last = db.lastCommittedLsn();
    try (Transaction tx = db.beginReadOnly()) {
      Map<String, String> markers = new TreeMap<>();
      try (ScanIterator it = tx.scan("txns", Range.all())) {
        while (it.hasNext()) {
          Entry e = it.next();
          markers.put(s(e.key()), s(e.value()));
        }
      }
      for (var a : acked.entrySet()) {
        check(markers.containsKey(a.getKey()), ctx, "acknowledged commit " + a.getKey()
            + " at LSN " + a.getValue() + " is lost (recovered up to LSN " + last + ")");
        check(a.getValue() <= last, ctx, "acknowledged LSN " + a.getValue() + " > last LSN "
            + last);
      }
      for (String id : mustExist) {
        check(markers.containsKey(id), ctx, "commit " + id + " was recovered before and is "
            + "now lost");
      }
      check(markers.size() == last, ctx, markers.size() + " markers but the last committed "
          + "LSN is " + last + " (a commit without its marker, or a gap)");
      check(KEYSPACES.containsAll(db.keyspaces()), ctx, "unexpected keyspaces "
          + db.keyspaces());
      // Recompute the whole state from the markers.
      long[][] balances = new long[2][ACCOUNTS];
      boolean setup = markers.containsKey(SETUP);
      check(setup || markers.isEmpty(), ctx, "markers without the setup commit");
      Map<String, byte[]> items = new TreeMap<>();
      Map<String, Long> counters = new HashMap<>();
      if (setup) {
        for (long[] ks : balances) {
          Arrays.fill(ks, INITIAL);
        }
      }
      for (var m : markers.entrySet()) {
        String id = m.getKey();
        String[] p = m.getValue().split(" ");
        switch (p[0]) {
          case "S" -> {
            // the initial balances, set above
          }
          case "T" -> {
            long amount = Long.parseLong(p[5]);
            balances[Integer.parseInt(p[1])][Integer.parseInt(p[2])] -= amount;
            balances[Integer.parseInt(p[3])][Integer.parseInt(p[4])] += amount;
          }
          case "I" -> {
            int n = Integer.parseInt(p[1]);
            int size = Integer.parseInt(p[2]);
            for (int k = 0; k < n; k++) {
              items.put(id + "/" + k, itemValue(id, k, size));
            }
          }
          case "C" -> {
            for (String c : p[1].split(",")) {
              String[] kv = c.split(":");
              counters.merge(kv[0], Long.parseLong(kv[1]), Long::sum);
            }
          }
          default -> throw new AssertionError(ctx + ": bad marker " + m);
        }
        counters.merge("n", 1L, Long::sum);
      }
      long sum = 0;
      for (int k = 0; k < 2; k++) {
        for (int i = 0; i < ACCOUNTS; i++) {
          byte[] v = tx.get(ACCOUNT_KS[k], acct(i));
          if (!setup) {
            check(v == null, ctx, "an account exists without the setup commit");
            continue;
          }
          check(v != null && v.length == 8, ctx, "account " + ACCOUNT_KS[k] + "/" + i
              + " missing");
          long got = ByteBuffer.wrap(v).getLong();
          check(got == balances[k][i], ctx, "balance of " + ACCOUNT_KS[k] + "/" + i + " is "
              + got + ", the transfers whose markers exist make it " + balances[k][i]
              + " (a partial or lost transfer)");
          sum += got;
        }
      }
      check(!setup || sum == 2L * ACCOUNTS * INITIAL, ctx, "sum invariant broken: " + sum);
      for (String ks : ACCOUNT_KS) {
        check(count(tx, ks) == (setup ? ACCOUNTS : 0), ctx, "extra keys in " + ks);
      }
      int n = 0;
      try (ScanIterator it = tx.scan("items", Range.all())) {
        while (it.hasNext()) {
          Entry e = it.next();
          byte[] exp = items.get(s(e.key()));
          check(exp != null, ctx, "item " + s(e.key()) + " exists without its marker "
              + "(a partial transaction)");
          check(Arrays.equals(exp, e.value()), ctx, "item " + s(e.key()) + " has a wrong "
              + "value");
          n++;
        }
      }
      check(n == items.size(), ctx, (items.size() - n) + " items of present markers are "
          + "missing (a partial transaction)");
      int c = 0;
      try (ScanIterator it = tx.scan("counters", Range.all())) {
        while (it.hasNext()) {
          Entry e = it.next();
          Long exp = counters.get(s(e.key()));
          long got = ByteBuffer.wrap(e.value()).getLong();
          check(exp != null && exp == got, ctx, "counter " + s(e.key()) + " is " + got
              + ", the markers make it " + exp);
          c++;
        }
      }
      check(c == counters.size(), ctx, "counters missing: expected " + counters.keySet());
      return markers;
    }
  }

  private static int count(Transaction tx, String ks) {
    int n = 0;
    try (ScanIterator it = tx.scan(ks, Range.all())) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  private static void check(boolean ok, String ctx, String what) {
    if (!ok) {
      throw new AssertionError(ctx + ": " + what);
    }
  }
}
