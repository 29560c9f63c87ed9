package io.treestore.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The real server process under SIGKILL: a child JVM runs {@code treestore serve} (the
 * {@code Main} of this module, on this JVM's module path, default SYNC durability) on a free
 * port; four client threads PUT real trees concurrently; the child is killed with SIGKILL
 * ({@link Process#destroyForcibly()}) while they write, then restarted on the same data
 * directory. Every acknowledged (201) document must be there, complete (its tree has exactly
 * the nodes of its JSON file); any other document present (committed, its answer lost with
 * the process) must be complete too; nothing partial. The seed is printed; rerun with
 * {@code -Dts.seed=}.
 */
class ServerCrashTest {
  private static final Pattern LISTENING =
      Pattern.compile("treestore: http listening on (http://\\S+)");

  @TempDir Path dir;

  /** A running {@code treestore serve} child process. */
  static final class Child {
    final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = new java.util.concurrent.CopyOnWriteArrayList<>();

    Child(Process process) {
      this.process = process;
      Thread.ofPlatform().daemon().start(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
            process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String l; (l = r.readLine()) != null; ) {
            all.add(l);
            lines.add(l);
          }
        } catch (IOException e) {
          lines.add("IOERROR " + e);
        }
      });
    }

    static Child serve(Path data, Path stderr) {
      List<String> cmd = command(List.of("serve", "--data", data.toString(), "--host",
          "127.0.0.1", "--http-port", "0", "--grpc-port", "0"));
      try {
        return new Child(new ProcessBuilder(cmd)
            .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())).start());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + cmd, e);
      }
    }

    /** Waits for {@code treestore: ready} and returns the HTTP address. */
    String awaitReady(Path stderr) throws Exception {
      String address = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        String l = lines.poll(50, TimeUnit.MILLISECONDS);
        if (l == null) {
          if (!process.isAlive()) {
            fail("the server exited with " + process.exitValue() + "; output " + all
                + "; stderr " + tail(stderr));
          }
          continue;
        }
        Matcher m = LISTENING.matcher(l);
        if (m.find()) {
          address = m.group(1);
        }
        if (l.startsWith("treestore: ready")) {
          assertNotNull(address, "no address in " + all);
          return address;
        }
      }
      fail("the server was not ready in 60 s; output " + all + "; stderr " + tail(stderr));
      return null;
    }

    void kill() throws InterruptedException {
      process.destroyForcibly();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the killed server did not end");
    }
  }

  static String tail(Path f) {
    try {
      String s = Files.exists(f) ? Files.readString(f) : "";
      return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** {@code java ... -m io.treestore.server/io.treestore.server.Main args}, as this JVM runs. */
  static List<String> command(List<String> args) {
    String java = ProcessHandle.current().info().command()
        .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
    String modulePath = System.getProperty("jdk.module.path", "");
    String classPath = System.getProperty("java.class.path", "");
    if (modulePath.isEmpty()) {
      cmd.addAll(List.of("-cp", classPath, "io.treestore.server.Main"));
    } else {
      cmd.addAll(List.of("--module-path", modulePath));
      if (!classPath.isEmpty()) {
        cmd.addAll(List.of("--class-path", classPath));
      }
      cmd.addAll(List.of("-m", "io.treestore.server/io.treestore.server.Main"));
    }
    cmd.addAll(args);
    return cmd;
  }

  @Test
  void acknowledgedDocumentsSurviveSigkillAndNoneIsPartial() throws Exception {
    long seed = Long.getLong("ts.seed", 0x5E21_C4A5L);
    Random rnd = new Random(seed);
    Path data = dir.resolve("data");
    Path stderr = dir.resolve("server.err");
    List<Trees.Tree> trees = Trees.bySize().subList(0, 3);
    System.out.println("ServerCrashTest seed=" + seed + " (rerun with -Dts.seed=" + seed
        + "); child: " + String.join(" ", command(List.of("serve", "..."))));
    Map<String, Integer> acked = new ConcurrentHashMap<>();
    int rounds = 3;
    long start = System.nanoTime();
    for (int round = 0; round < rounds; round++) {
      Child child = Child.serve(data, stderr);
      try {
        String address = child.awaitReady(stderr);
        verify(address, acked, trees, "before round " + round + " (seed " + seed + ")");
        int target = 8 + rnd.nextInt(25);
        AtomicInteger ackedThisRound = new AtomicInteger();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
          int writer = w;
          int r = round;
          writers.add(Thread.ofPlatform().start(() -> {
            try (Api api = new Api(address)) {
              for (int i = 0; ; i++) {
                int which = (i + writer) % trees.size();
                String id = "r" + r + "-w" + writer + "-" + i + "-t" + which;
                Api.Resp resp;
                try {
                  resp = api.put("/v1/documents/" + id, trees.get(which).raw());
                } catch (UncheckedIOException e) {
                  return; // the server is gone
                }
                if (resp.status() != 201) {
                  throw new AssertionError(id + ": " + resp.status() + " " + resp.body());
                }
                acked.put(id, trees.get(which).size());
                ackedThisRound.incrementAndGet();
              }
            }
          }));
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ackedThisRound.get() < target && System.nanoTime() < until) {
          Thread.sleep(5);
        }
        Thread.sleep(rnd.nextInt(40));
        child.kill();
        for (Thread t : writers) {
          t.join(60_000);
          assertTrue(!t.isAlive(), "a writer hangs");
        }
        assertTrue(ackedThisRound.get() >= target, "round " + round + ": only "
            + ackedThisRound.get() + " acknowledged; stderr " + tail(stderr));
      } finally {
        child.process.destroyForcibly();
      }
    }
    Child last = Child.serve(data, stderr);
    try {
      String address = last.awaitReady(stderr);
      int present = verify(address, acked, trees, "after the last kill (seed " + seed + ")");
      try (Api api = new Api(address)) {
        JsonNode check = api.post("/v1/admin/check", Map.of("max_problems", 20)).expect(200);
        assertEquals(0, check.get("problems").size(), "check: " + check);
      }
      System.out.println("ServerCrashTest: " + rounds + " SIGKILLs, " + acked.size()
          + " acknowledged documents, " + present + " present, in "
          + (System.nanoTime() - start) / 1_000_000 + " ms");
      last.process.destroy(); // SIGTERM: the shutdown hook closes the database
      assertTrue(last.process.waitFor(30, TimeUnit.SECONDS), "no exit after SIGTERM");
    } finally {
      last.process.destroyForcibly();
    }
  }

  /**
   * Checks that every acknowledged document is present and that every present document is
   * complete; returns how many are present.
   */
  private static int verify(String address, Map<String, Integer> acked,
      List<Trees.Tree> trees, String ctx) {
    try (Api api = new Api(address)) {
      Set<String> present = new TreeSet<>();
      for (JsonNode d : api.get("/v1/documents?limit=100000").expect(200).get("documents")) {
        present.add(d.get("doc_id").asString());
      }
      Set<String> lost = new TreeSet<>(acked.keySet());
      lost.removeAll(present);
      assertEquals(Set.of(), lost, ctx + ": acknowledged documents lost");
      for (String id : present) {
        @Nullable Integer want = acked.get(id);
        if (want == null) {
          want = trees.get(Integer.parseInt(id.substring(id.lastIndexOf("-t") + 2))).size();
        }
        JsonNode info = api.get("/v1/documents/" + id).expect(200);
        assertEquals(want, info.get("node_count").asInt(), ctx + ": " + id + " node_count");
        assertEquals(1, info.get("versions").asInt(), ctx + ": " + id + " versions");
        assertEquals(want, HttpRoutesTest.count(api.get("/v1/documents/" + id + "/tree")
            .expect(200).get("roots")), ctx + ": " + id + " nodes in its tree");
      }
      return present.size();
    }
  }
}
