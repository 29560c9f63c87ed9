package io.treestore.btree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.treestore.btree.CrashChild.ModelSink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety under {@code kill -9}: a real child JVM ({@link CrashChild}) runs a seeded
 * workload of puts, deletes, runs of deletes, large (overflow) values, tree drops and bulk
 * loads against a {@link BTreeFile}, flushing after every round, and is killed with SIGKILL
 * at seeded random moments: while the JVM starts or the file is recovered, while it writes,
 * and just after it announced a flush. After each kill the file is reopened and must hold
 * exactly the content of the last acknowledged flush, or of the flush that was in progress
 * when the process died (never a mix of two, never anything older), at the generation of that
 * flush, and {@link BTreeFile#check()} must find no problem (page accounting included). The
 * next child then continues from the recovered state on the same file.
 *
 * <p>SIGKILL loses the process, not the kernel's page cache, so this proves the ordering of
 * the writes of a flush and the recovery logic, not the behaviour under power loss.
 *
 * <p>The seed is printed and part of every failure message; rerun one with
 * {@code -Dts.seed=<seed>}. Timing makes a rerun close to, not identical with, the original.
 */
class CrashTest {
  private static final long DEFAULT_SEED = 0xC2A5_0000L;

  @TempDir Path dir;

  @Test
  void recoversTheAcknowledgedStateAfterEveryKill() {
    long seed = Long.getLong("ts.seed", DEFAULT_SEED);
    runKills(seed, 20, 4096);
  }

  /**
   * 500 kills (or {@code -Dts.crash.kills}) over 4, 8 and 64 KiB pages; run with
   * {@code -Plong}. Seeds {@code s}, {@code s + 1}, {@code s + 2} for the three files.
   */
  @Test
  @Tag("long")
  void recoversTheAcknowledgedStateAfter500Kills() {
    long seed = Long.getLong("ts.seed", DEFAULT_SEED + 100);
    int kills = Integer.getInteger("ts.crash.kills", 500);
    runKills(seed, kills * 2 / 5, 4096);
    runKills(seed + 1, kills * 3 / 10, 8192);
    runKills(seed + 2, kills - kills * 2 / 5 - kills * 3 / 10, 65536);
  }

  /**
   * {@code PageFile.open} creates a file under a temporary name ({@code NAME.creating}), writes
   * and syncs both meta pages, and renames it into place. A process killed before the rename
   * leaves only a partial temporary file: nothing had been acknowledged, so opening creates
   * the file afresh. A real file of one page can no longer arise and is refused as truncated.
   */
  @Test
  void killDuringCreationLeavesAnOpenableFile() throws IOException {
    Path file = dir.resolve("created.ts");
    Path partial = dir.resolve("created.ts.creating");
    // What a kill between the two meta writes of a creation leaves behind.
    BTreeFile.open(dir.resolve("model.ts")).closeWithoutFlush();
    java.nio.file.Files.copy(dir.resolve("model.ts"), partial);
    try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
      ch.truncate(4096);
    }
    try (BTreeFile f = BTreeFile.open(file)) {
      assertEquals(0, f.generation());
      assertEquals(List.of(), f.check().problems());
      assertTrue(!java.nio.file.Files.exists(partial), "the partial file was replaced");
      f.tree("t").put(new byte[] {1}, new byte[] {2});
      f.flush();
    }
    Path onePage = dir.resolve("one-page.ts");
    java.nio.file.Files.copy(dir.resolve("model.ts"), onePage);
    try (FileChannel ch = FileChannel.open(onePage, StandardOpenOption.WRITE)) {
      ch.truncate(4096);
    }
    assertThrows(io.treestore.page.CorruptionException.class,
        () -> BTreeFile.open(onePage).closeWithoutFlush());
    try (BTreeFile f = BTreeFile.open(file)) {
      assertEquals(1, f.tree("t").size());
      assertEquals(List.of(), f.check().problems());
    }
  }

  /**
   * The crash workload in this JVM, without kills: every round is flushed, and the file must
   * match the model after each flush and pass {@code check()} at the end. A flush that throws
   * here is a bug of the engine, not of crash recovery. The default seed is the one with
   * which the long crash run first met such a flush ("free-space bookkeeping did not
   * converge" in round 113); {@code -Dts.seed} and {@code -Dts.crash.rounds} change them.
   */
  @Test
  void workloadWithoutKillsFlushesEveryRound() {
    long seed = Long.getLong("ts.seed", DEFAULT_SEED + 1);
    long rounds = Long.getLong("ts.crash.rounds", 120);
    Path file = dir.resolve("nokill-" + seed + ".ts");
    ModelSink model = new ModelSink();
    try (BTreeFile f = BTreeFile.open(file, BTreeOptions.defaults().withCacheBytes(1 << 20))) {
      CrashChild.FileSink sink = new CrashChild.FileSink(f);
      for (long r = 1; r <= rounds; r++) {
        CrashChild.round(seed, r, sink);
        CrashChild.round(seed, r, model);
        try {
          assertEquals(r, f.flush(CrashChild.roundData(r)));
        } catch (RuntimeException e) {
          throw new AssertionError("seed " + seed + " (rerun with -Dts.seed=" + seed
              + "): flush of round " + r + " failed: " + e, e);
        }
        if (r % 10 == 0 || r == rounds) {
          assertSameContent(CrashChild.entries(model), CrashChild.read(f), r);
        }
      }
      assertEquals(List.of(), f.check().problems(), "seed " + seed);
    }
  }

  // ------------------------------------------------------------------ the kill loop

  private void runKills(long seed, int kills, int pageSize) {
    System.out.println("CrashTest seed=" + seed + " kills=" + kills + " pageSize=" + pageSize
        + " (rerun with -Dts.seed=" + seed + ")");
    Random rnd = new Random(seed);
    Path file = dir.resolve("crash-" + seed + ".ts");
    System.out.println("child command: " + String.join(" ", javaCommand(CrashChild.class,
        List.of(file.toString(), Long.toString(seed), "<maxRounds> <cacheBytes>",
            Integer.toString(pageSize)))));
    Path stderr = dir.resolve("child-" + seed + ".err");
    ModelSink durable = new ModelSink();
    long durableRound = 0;
    int inFlush = 0;
    int newer = 0;
    long start = System.nanoTime();
    for (int kill = 0; kill < kills; kill++) {
      String ctx = "seed " + seed + ", kill " + kill + " (rerun with -Dts.seed=" + seed + ")";
      long cacheBytes = rnd.nextBoolean() ? 64 * 1024 : 16L << 20;
      Child child = Child.start(file, seed, cacheBytes, pageSize, stderr);
      String how;
      try {
        how = killSomewhen(child, rnd);
      } catch (RuntimeException | Error e) {
        child.process.destroyForcibly();
        throw new AssertionError(ctx + ": " + e + "\nchild stderr:\n" + read(stderr), e);
      }
      List<String> lines = child.finish();
      int exit = child.process.exitValue();
      if (exit != 137) {
        fail(ctx + ": child exited with " + exit + " before it was killed (" + how + ")\n"
            + "stdout: " + lines + "\nstderr:\n" + read(stderr));
      }
      Outcome o;
      try {
        o = verify(file, seed, durable, durableRound, lines);
      } catch (RuntimeException | Error e) {
        throw new AssertionError(ctx + ", killed " + how + ", last child lines "
            + lines.subList(Math.max(0, lines.size() - 4), lines.size()) + ": " + e, e);
      }
      if (o.flushInProgress) {
        inFlush++;
      }
      if (o.round > o.acked) {
        newer++;
      }
      durable = o.model;
      durableRound = o.round;
    }
    System.out.printf("CrashTest seed=%d: %d kills in %.1f s, %d during a flush (%d of them "
        + "durable), %d rounds done, file %d KiB%n", seed, kills,
        (System.nanoTime() - start) / 1e9, inFlush, newer, durableRound,
        file.toFile().length() / 1024);
  }

  /** Kills the child at a seeded moment; returns a description of when. */
  private static String killSomewhen(Child child, Random rnd) {
    int mode = rnd.nextInt(100);
    if (mode < 20) {
      // While the JVM starts or the file is being opened and recovered.
      long ms = rnd.nextInt(450);
      sleepMillis(ms);
      child.kill();
      return ms + " ms after start";
    }
    child.await(l -> l.startsWith("READY"), "READY");
    if (mode < 55) {
      long ms = rnd.nextInt(700);
      sleepMillis(ms);
      child.kill();
      return ms + " ms after READY";
    }
    int k = 1 + rnd.nextInt(4);
    for (int i = 0; i < k; i++) {
      child.await(l -> l.startsWith("FLUSHING"), "FLUSHING");
    }
    long micros = rnd.nextInt(3000);
    long until = System.nanoTime() + micros * 1000;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    child.kill();
    return micros + " us after FLUSHING #" + k;
  }

  /** What the reopened file held. */
  private record Outcome(long round, long acked, boolean flushInProgress, ModelSink model) {}

  /**
   * Replays the workload from the previous durable round, cross-checks the digests the child
   * printed, then reopens the file and compares it with the round it must be at.
   */
  private static Outcome verify(Path file, long seed, ModelSink durable, long durableRound,
      List<String> lines) {
    long acked = durableRound;
    long flushing = -1;
    Map<Long, String> digests = new java.util.HashMap<>();
    for (String line : lines) {
      String[] w = line.split(" ");
      switch (w[0]) {
        case "READY" -> {
          assertEquals(durableRound, Long.parseLong(w[2]), "round the child recovered");
          assertEquals(durableRound, Long.parseLong(w[1]), "generation the child recovered");
        }
        case "FLUSHING" -> flushing = Long.parseLong(w[1]);
        case "FLUSHED" -> {
          long r = Long.parseLong(w[1]);
          assertEquals(acked + 1, r, "flushed rounds are consecutive");
          assertEquals(r, Long.parseLong(w[2]), "generation of round " + r);
          acked = r;
        }
        case "DIGEST" -> digests.put(Long.parseLong(w[1]), w[2]);
        default -> fail("unexpected child output: " + line);
      }
    }
    boolean inProgress = flushing == acked + 1;
    // Recompute the models of the acknowledged round and of the one in progress.
    ModelSink m = durable.copy();
    ModelSink ackedModel = durable;
    for (long r = durableRound + 1; r <= (inProgress ? flushing : acked); r++) {
      CrashChild.round(seed, r, m);
      String d = digests.get(r);
      if (d != null) {
        assertEquals(CrashChild.digest(CrashChild.entries(m)), d,
            "the live file after flush " + r + " differs from the model");
      }
      if (r == acked) {
        ackedModel = m.copy();
      }
    }
    if (durableRound == 0 && file.toFile().length() == 0) {
      // Killed before the file was created, or before its first write: a new file again.
      assertEquals(0, acked, "a round was acknowledged but the file is empty or missing");
      return new Outcome(0, 0, false, durable);
    }
    BTreeOptions ro = BTreeOptions.defaults().withReadOnly(true).withCacheBytes(256 * 1024);
    try (BTreeFile f = BTreeFile.open(file, ro)) {
      long round = CrashChild.roundOf(f.userData());
      if (round != acked && !(inProgress && round == flushing)) {
        fail("file reopened at round " + round + ", expected the acknowledged round " + acked
            + (inProgress ? " or the round " + flushing + " whose flush was in progress" : ""));
      }
      assertEquals(round, f.generation(), "generation of round " + round);
      CheckReport report = f.check();
      assertEquals(List.of(), report.problems(), "check() after the kill: " + report);
      for (String name : f.treeNames()) {
        assertTrue(CrashChild.TREES.contains(name), "unexpected tree " + name);
      }
      ModelSink expected = round == acked ? ackedModel : m;
      assertSameContent(CrashChild.entries(expected), CrashChild.read(f), round);
      return new Outcome(round, acked, inProgress, expected);
    }
  }

  private static void assertSameContent(Map<String, List<Entry>> expected,
      Map<String, List<Entry>> actual, long round) {
    HexFormat hex = HexFormat.of();
    for (String t : CrashChild.TREES) {
      List<Entry> e = expected.get(t);
      List<Entry> a = actual.get(t);
      for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
        Entry x = e.get(i);
        Entry y = a.get(i);
        if (!Arrays.equals(x.key(), y.key()) || !Arrays.equals(x.value(), y.value())) {
          fail("round " + round + ", tree " + t + ", entry " + i + ": expected key "
              + new String(x.key(), StandardCharsets.US_ASCII) + " (" + x.value().length
              + " bytes), found key " + hex.formatHex(y.key()) + " (" + y.value().length
              + " bytes)" + (Arrays.equals(x.key(), y.key()) ? ", different value" : ""));
        }
      }
      assertEquals(e.size(), a.size(), "round " + round + ", entries of tree " + t);
    }
  }

  // ------------------------------------------------------------------ the child process

  /** A running {@link CrashChild} and the lines it printed. */
  private static final class Child {
    final Process process;
    final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
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

    static Child start(Path file, long seed, long cacheBytes, int pageSize, Path stderr) {
      List<String> cmd = javaCommand(CrashChild.class, List.of(file.toString(),
          Long.toString(seed), Long.toString(Long.MAX_VALUE), Long.toString(cacheBytes),
          Integer.toString(pageSize)));
      try {
        return new Child(new ProcessBuilder(cmd)
            .redirectError(ProcessBuilder.Redirect.to(stderr.toFile()))
            .start());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + cmd, e);
      }
    }

    /** Waits for a line; fails if the child dies or nothing comes within 60 s. */
    void await(Predicate<String> p, String what) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        String l;
        try {
          l = queue.poll(50, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
        if (l != null && p.test(l)) {
          return;
        }
        if (l == null && !process.isAlive() && queue.isEmpty()) {
          throw new AssertionError("child exited with " + process.exitValue()
              + " while waiting for " + what + "; output " + lines);
        }
      }
      throw new AssertionError("no " + what + " from the child within 60 s; output " + lines);
    }

    void kill() {
      // SIGKILL through the handle: Process.destroyForcibly would also close our end of the
      // pipe and lose acknowledgements still in it
      process.toHandle().destroyForcibly();
    }

    /** Waits for the killed child and returns everything it printed. */
    List<String> finish() {
      try {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          throw new AssertionError("killed child did not exit");
        }
        reader.join(TimeUnit.SECONDS.toMillis(60));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      return List.copyOf(lines);
    }
  }

  /**
   * Builds the command that runs {@code main} in a new JVM with the module path and class
   * path of this test JVM. Under surefire's module path the test classes are patched into
   * module {@code io.treestore.btree}; the child gets the same patch and runs the class as
   * {@code -m module/class}. On a plain class path it gets the same class path.
   */
  static List<String> javaCommand(Class<?> main, List<String> args) {
    String java = ProcessHandle.current().info().command()
        .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
    String modulePath = System.getProperty("jdk.module.path", "");
    String classPath = System.getProperty("java.class.path", "");
    Module module = main.getModule();
    if (module.isNamed() && !modulePath.isEmpty()) {
      cmd.addAll(List.of("--module-path", modulePath));
      Path root = classRoot(main);
      if (!modulePath.contains(root.toString())) {
        cmd.addAll(List.of("--patch-module", module.getName() + "=" + root));
      }
      cmd.addAll(List.of("-m", module.getName() + "/" + main.getName()));
    } else {
      cmd.addAll(List.of("-cp", classPath, main.getName()));
    }
    cmd.addAll(args);
    return cmd;
  }

  /** The directory (or jar) a class was loaded from, found through its own resource. */
  private static Path classRoot(Class<?> c) {
    String res = c.getName().replace('.', '/') + ".class";
    URL url = c.getResource("/" + res);
    if (url == null || !"file".equals(url.getProtocol())) {
      throw new IllegalStateException("cannot locate the class file of " + c + ": " + url);
    }
    try {
      Path p = Path.of(url.toURI());
      String s = p.toString();
      return Path.of(s.substring(0, s.length() - res.length()));
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleepMillis(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "(cannot read " + p + ": " + e + ")";
    }
  }
}
