package io.treestore.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.treestore.btree.BTreeFile;
import io.treestore.btree.BTreeOptions;
import io.treestore.page.ChannelFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash tests with real processes: a child JVM ({@link CrashChild}) runs random transactions
 * from four threads against a database in {@code SYNC} mode with small checkpoint and segment
 * thresholds (checkpoints every 256 KiB of log or 200 ms, 64 KiB segments, so checkpoints,
 * rotations and segment deletions happen all the time), and prints every acknowledged commit.
 * The parent kills it with SIGKILL ({@link Process#destroyForcibly()}) at a random moment
 * (also while the JVM starts or recovers), or the child halts itself at a named kill point
 * ({@link KillPoints}: before and after the log fsync, while a segment file is created, while
 * a checkpoint writes its pages, before and after the meta switch, before the log segments
 * are deleted, after they are deleted but before the directory sync). After every kill the
 * parent reopens the database and checks ({@link CrashWorkload#verify}) that every
 * acknowledged commit is there, that no transaction is partly visible (the whole state of
 * every keyspace is recomputed from the commit markers present: balances, the sum invariant,
 * items, counters), that the number of commits equals the last LSN (a prefix of the commit
 * order), that nothing recovered before is lost later, and that the data file's last
 * checkpoint passes {@link BTreeFile#check()} (checksums, key order, page accounting). The next
 * child continues on the same database.
 *
 * <p>SIGKILL loses the process, not the kernel's page cache: this proves the order of writes
 * and syncs and the recovery logic under process crashes; {@link SimulatedCrashTest} covers
 * power loss. The seed is printed and part of every failure message; rerun with {@code
 * -Dts.seed=<seed>} (timing makes a rerun close to, not identical with, the original). The
 * long variant ({@code ./mvnw -Plong}) makes 500 kills, or {@code -Dts.crash.kills=}.
 */
class ProcessCrashTest {
  private static final long DEFAULT_SEED = 0xC4A5_4001L;
  private static final int THREADS = 4;

  @TempDir Path dir;

  @Test
  void acknowledgedCommitsSurviveKillsAtRandomMomentsAndAtEveryKillPoint() throws Exception {
    long seed = Long.getLong("ts.seed", DEFAULT_SEED);
    runKills(seed, 20);
  }

  @Test
  @Tag("long")
  void acknowledgedCommitsSurvive500Kills() throws Exception {
    long seed = Long.getLong("ts.seed", DEFAULT_SEED + 1);
    runKills(seed, Integer.getInteger("ts.crash.kills", 500));
  }

  /** One kill: at a named point (halt at its n-th occurrence), or at a random moment. */
  private record Kill(KillPoints.Point point, long n, int attempt) {}

  private static long randomN(KillPoints.Point p, Random rnd) {
    return switch (p) {
      case WAL_BEFORE_FSYNC, WAL_AFTER_FSYNC -> 1 + rnd.nextInt(300);
      case CHECKPOINT_PAGES -> 1 + rnd.nextInt(100);
      case SEGMENT_CREATE, BEFORE_META, AFTER_META -> 1 + rnd.nextInt(3);
      case BEFORE_WAL_DELETE, AFTER_WAL_DELETE -> 1 + rnd.nextInt(2);
    };
  }

  private void runKills(long seed, int kills) throws Exception {
    Random rnd = new Random(seed);
    Path db = dir.resolve("db");
    Path stderr = dir.resolve("child.err");
    System.out.println("ProcessCrashTest seed=" + seed + " kills=" + kills
        + " (rerun with -Dts.seed=" + seed + ")");
    System.out.println("child command: " + String.join(" ", javaCommand(CrashChild.class,
        List.of(db.toString(), Long.toString(seed), "<run>", Integer.toString(THREADS),
            "<killPoint|none>", "<n>"))));
    KillPoints.Point[] points = KillPoints.Point.values();
    List<Kill> plan = new ArrayList<>();
    for (KillPoints.Point p : points) {
      plan.add(new Kill(p, randomN(p, rnd), 1));
    }
    while (plan.size() < kills) {
      KillPoints.Point p = rnd.nextInt(3) == 0 ? points[rnd.nextInt(points.length)] : null;
      plan.add(new Kill(p, p == null ? 0 : randomN(p, rnd), 1));
    }
    Collections.shuffle(plan, rnd);
    Map<String, Long> acked = new HashMap<>();
    Set<String> mustExist = new HashSet<>();
    Map<KillPoints.Point, Integer> hits = new EnumMap<>(KillPoints.Point.class);
    int random = 0;
    int early = 0;
    long start = System.nanoTime();
    for (int run = 0; run < plan.size(); run++) {
      Kill k = plan.get(run);
      String ctx = "seed " + seed + ", run " + run + " (" + (k.point() == null ? "random kill"
          : "kill point " + k.point() + " #" + k.n()) + ", rerun with -Dts.seed=" + seed + ")";
      Child child = Child.start(db, seed, run, k, stderr);
      try {
        if (k.point() == null) {
          random++;
          if (random == 1 || rnd.nextInt(8) == 0) {
            early++;
            Thread.sleep(rnd.nextInt(600)); // while the JVM starts or the database recovers
          } else {
            child.await(l -> l.startsWith("READY"), "READY", ctx, stderr);
            int acks = rnd.nextInt(400);
            for (int i = 0; i < acks; i++) {
              if (!child.await(l -> l.startsWith("ACK"), "ACK", ctx, stderr)) {
                break;
              }
            }
          }
          // SIGKILL through the handle: Process.destroyForcibly would also close our end of
          // the pipe and lose acknowledgements still in it
          child.process.toHandle().destroyForcibly();
        } else if (!child.process.waitFor(30, TimeUnit.SECONDS)) {
          child.process.destroyForcibly();
          System.out.println("ProcessCrashTest: " + ctx + ": the kill point was not reached "
              + "within 30 s; killed instead");
          if (k.attempt() < 3) {
            plan.add(new Kill(k.point(), 1, k.attempt() + 1));
          }
        }
      } finally {
        child.process.destroyForcibly();
      }
      List<String> lines = child.finish();
      int exit = child.process.exitValue();
      for (String l : lines) {
        if (l.startsWith("FAILED")) {
          fail(ctx + ": the child failed: " + l + "\nstderr:\n" + tail(stderr));
        }
      }
      if (exit != 137) {
        fail(ctx + ": the child exited with " + exit + ", not by a kill; last lines "
            + lines.subList(Math.max(0, lines.size() - 5), lines.size()) + "\nstderr:\n"
            + tail(stderr));
      }
      int newAcks = 0;
      for (String l : lines) {
        if (l.startsWith("ACK ")) {
          String[] p = l.split(" ", 4);
          Long prev = acked.put(p[2], Long.parseLong(p[1]));
          assertTrue(prev == null, ctx + ": transaction " + p[2] + " acknowledged twice");
          newAcks++;
        } else if (l.startsWith("KILLPOINT ")) {
          hits.merge(KillPoints.Point.valueOf(l.split(" ")[1]), 1, Integer::sum);
        }
      }
      // The data file's durable state (the last checkpoint) is sound: checksums, order, page
      // accounting (every page used once or free).
      if (Files.exists(db.resolve(Database.DATA_FILE))) { // absent if killed before creating it
        try (BTreeFile f = BTreeFile.open(db.resolve(Database.DATA_FILE),
            new BTreeOptions(4096, 1 << 20, false, true, ChannelFactory.DEFAULT))) {
          List<String> problems = f.check().problems();
          assertTrue(problems.isEmpty(), ctx + ": data file check: " + problems);
        }
      }
      try (Database d = Database.open(db, CrashChild.options().withCheckpoints(0, 0))) {
        Map<String, String> markers;
        try {
          markers = CrashWorkload.verify(d, acked, mustExist, ctx + ", " + newAcks
              + " acks in this run");
        } catch (AssertionError e) {
          keep(db, lines);
          throw new AssertionError(e.getMessage() + "\nchild stderr:\n" + tail(stderr), e);
        }
        mustExist.addAll(markers.keySet());
        if (rnd.nextBoolean()) {
          d.closeWithoutCheckpoint(); // the next child recovers from the log
        }
      }
    }
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf("ProcessCrashTest seed=%d: %d kills in %.1f s (%d random, %d of them "
        + "early), kill points hit %s, %d commits acknowledged, %d recovered%n", seed,
        plan.size(), secs, random, early, hits, acked.size(), mustExist.size());
    for (KillPoints.Point p : points) {
      assertTrue(hits.getOrDefault(p, 0) > 0, "seed " + seed + ": kill point " + p
          + " was never hit");
    }
    assertEquals(acked.size(), acked.keySet().stream().filter(mustExist::contains).count());
  }

  /** With {@code -Dts.crash.keep=DIR}, copies a failing database and the child's output. */
  private static void keep(Path db, List<String> lines) {
    String to = System.getProperty("ts.crash.keep");
    if (to == null) {
      return;
    }
    try {
      Path target = Path.of(to);
      try (var s = Files.walk(db)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          Path q = target.resolve(db.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(q);
          } else {
            Files.copy(p, q, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      Files.write(target.resolve("child.out"), lines, StandardCharsets.UTF_8);
      System.out.println("ProcessCrashTest: kept the failing database in " + target);
    } catch (IOException e) {
      System.out.println("ProcessCrashTest: cannot keep the database: " + e);
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

  /** A running child and the lines it printed. */
  private static final class Child {
    final Process process;
    final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    final Thread reader;

    private Child(Process process) {
      this.process = process;
      this.reader = Thread.ofPlatform().daemon().start(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
            process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String l; (l = r.readLine()) != null; ) {
            lines.add(l);
            queue.add(l);
          }
        } catch (IOException e) {
          queue.add("IOERROR " + e);
        }
      });
    }

    static Child start(Path db, long seed, int run, Kill k, Path stderr) {
      List<String> cmd = javaCommand(CrashChild.class, List.of(db.toString(),
          Long.toString(seed), Integer.toString(run), Integer.toString(THREADS),
          k.point() == null ? "none" : k.point().name(), Long.toString(k.n())));
      try {
        return new Child(new ProcessBuilder(cmd)
            .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())).start());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + cmd, e);
      }
    }

    /**
     * Waits for a line matching {@code p}; returns false if the child exited first (a kill
     * point may end it at any time), fails after 60 s.
     */
    boolean await(java.util.function.Predicate<String> p, String what, String ctx, Path stderr)
        throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        String l = queue.poll(20, TimeUnit.MILLISECONDS);
        if (l != null) {
          if (l.startsWith("FAILED")) {
            fail(ctx + ": the child failed: " + l + "\nstderr:\n" + tail(stderr));
          }
          if (p.test(l)) {
            return true;
          }
        } else if (!process.isAlive() && queue.isEmpty()) {
          reader.join(5_000);
          if (queue.isEmpty()) {
            return false;
          }
        }
      }
      fail(ctx + ": no " + what + " from the child within 60 s; stderr:\n" + tail(stderr));
      return false;
    }

    /** Waits for the child's end and returns everything it printed. */
    List<String> finish() throws InterruptedException {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
      reader.join(10_000);
      synchronized (lines) {
        return new ArrayList<>(lines);
      }
    }
  }

  /**
   * Returns the command that runs {@code main} in a new JVM with this JVM's module path, the
   * test classes patched into their module (as surefire does), and the class path.
   */
  static List<String> javaCommand(Class<?> main, List<String> args) {
    String java = ProcessHandle.current().info().command()
        .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
    String modulePath = System.getProperty("jdk.module.path", "");
    String classPath = System.getProperty("java.class.path", "");
    Module module = main.getModule();
    if (module.isNamed() && !modulePath.isEmpty()) {
      cmd.addAll(List.of("--module-path", modulePath));
      Path root = classRoot(main);
      if (!modulePath.contains(root.toString())) {
        cmd.addAll(List.of("--patch-module", module.getName() + "=" + root));
        // Test support (ts-testkit) is on the class path, as in the test JVM.
        cmd.addAll(List.of("--add-reads", module.getName() + "=ALL-UNNAMED"));
      }
      if (!classPath.isEmpty()) {
        cmd.addAll(List.of("--class-path", classPath));
      }
      cmd.addAll(List.of("-m", module.getName() + "/" + main.getName()));
    } else {
      cmd.addAll(List.of("-cp", classPath, main.getName()));
    }
    cmd.addAll(args);
    return cmd;
  }

  private static Path classRoot(Class<?> c) {
    String res = c.getName().replace('.', '/') + ".class";
    URL url = c.getResource("/" + res);
    if (url == null || !"file".equals(url.getProtocol())) {
      throw new IllegalStateException("cannot locate the class file of " + c + ": " + url);
    }
    try {
      String s = Path.of(url.toURI()).toString();
      return Path.of(s.substring(0, s.length() - res.length()));
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
