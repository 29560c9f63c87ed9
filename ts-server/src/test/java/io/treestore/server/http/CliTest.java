package io.treestore.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.server.Json;
import io.treestore.server.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The {@code treestore} command line through {@link Main#run}: every subcommand on a data
 * directory (and against a server), with {@code --json} output parsed and exit codes checked:
 * 0 success, 1 a failed operation or problems found by {@code check}, 2 bad usage.
 */
class CliTest {
  @TempDir Path dir;

  /**
   * One run.
   *
   * @param code the exit code
   * @param out standard output
   * @param err standard error
   */
  record Run(int code, String out, String err) {
    JsonNode json() {
      return Json.MAPPER.readTree(out);
    }

    Run expect(int want) {
      assertEquals(want, code, () -> "exit code; out: " + Api.abbreviate(out) + "; err: "
          + Api.abbreviate(err));
      return this;
    }
  }

  static synchronized Run run(Object... args) {
    String[] a = new String[args.length];
    for (int i = 0; i < args.length; i++) {
      a[i] = args[i].toString();
    }
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = Main.run(a);
      System.out.flush();
      System.err.flush();
      return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void ingestGetTreeSearchVersionsStatsAndCheck() {
    Path data = dir.resolve("data");
    Run ingest = run("ingest", "--data", data, Trees.dir()).expect(0);
    int n = Trees.all().size();
    assertTrue(ingest.out().contains("[" + n + "/" + n + "]"), ingest.out());
    Trees.Tree em = Trees.get("earthmover");
    run("ingest", "--data", data, "--doc-id", "em2", "--version", "v7", "--effective-date",
        "2024-02-02", em.file()).expect(0);

    for (Trees.Node x : List.of(em.nodes().getFirst(), em.node("0010"))) {
      HttpRoutesTest.assertNode(em, x.id(), run("get", "--data", data, "--json",
          "earthmover", x.id()).expect(0).json(), "v1");
    }
    HttpRoutesTest.assertNode(Trees.parse("em2", null, em.raw()), "0010", run("get", "--data",
        data, "--json", "--version", "v7", "em2", "0010").expect(0).json(), "v7");
    run("get", "--data", data, "--version", "v9", "em2", "0010").expect(1);
    Run human = run("get", "--data", data, "earthmover", "0010").expect(0);
    assertTrue(human.out().contains(em.node("0010").title()), human.out());
    assertTrue(human.out().contains("[0010, version v1]"), human.out());
    assertTrue(human.out().contains("parent: " + em.node("0010").parent()), human.out());
    Run missing = run("get", "--data", data, "earthmover", "9999").expect(1);
    assertTrue(missing.err().contains("NOT_FOUND"), missing.err());
    run("get", "--data", data, "nope", "0001").expect(1);

    Trees.Tree fl = Trees.get("four-lectures");
    JsonNode tree = run("tree", "--data", data, "--json", "four-lectures").expect(0).json();
    assertEquals(fl.size(), HttpRoutesTest.count(tree.get("roots")));
    int i = 0;
    for (JsonNode r : tree.get("roots")) {
      HttpRoutesTest.assertNested(fl, fl.roots().get(i++), r, Integer.MAX_VALUE, "v1");
    }
    JsonNode top = run("tree", "--data", data, "--json", "--depth", "0", "four-lectures")
        .expect(0).json();
    assertEquals(fl.roots().size(), HttpRoutesTest.count(top.get("roots")));
    List<String> lines = run("tree", "--data", data, "four-lectures").expect(0).out().lines()
        .toList();
    assertEquals(1 + fl.size(), lines.size(), "a header and a line per node");
    for (int k = 0; k < fl.size(); k++) {
      Trees.Node x = fl.nodes().get(k);
      String l = lines.get(k + 1);
      assertTrue(l.startsWith("  ".repeat(x.depth() + 1) + x.path() + " "), l);
      assertTrue(l.contains(x.title()) && l.endsWith("[" + x.id() + "]"), l);
    }

    Bm25 bm25 = new Bm25();
    Trees.all().forEach(bm25::add);
    bm25.add(Trees.parse("em2", null, em.raw()));
    for (String[] q : new String[][] {{"revenue growth", "q1-fy25-earnings.with_text"},
        {"distance", "earthmover"}}) {
      JsonNode hits = run("search", "--data", data, "--json", "--doc", q[1], "--limit", "3",
          q[0]).expect(0).json().get("hits");
      List<Bm25.Scored> want = bm25.search(q[0], d -> d.docId().equals(q[1]));
      assertEquals(Math.min(3, want.size()), hits.size());
      for (int k = 0; k < hits.size(); k++) {
        assertEquals(want.get(k).score(), hits.get(k).get("score").asDouble(),
            1e-9 * Math.max(1, want.get(k).score()), q[0] + " rank " + k);
        assertEquals(q[1], hits.get(k).get("doc_id").asString());
      }
    }
    assertTrue(run("search", "--data", data, "zzqqxjj").expect(0).out().contains("no hits"));

    JsonNode versions = run("versions", "--data", data, "--json", "em2").expect(0).json();
    assertEquals(1, versions.get("versions").size());
    JsonNode v = versions.get("versions").get(0);
    assertEquals("v7", v.get("version_id").asString());
    assertEquals("2024-02-02", v.get("effective_date").asString());
    assertEquals(em.size(), v.get("node_count").asInt());
    assertEquals("v7", run("versions", "--data", data, "--json", "--as-of", "2024-03-01",
        "em2").expect(0).json().get("version").get("version_id").asString());
    assertTrue(run("versions", "--data", data, "em2").expect(0).out()
        .contains("effective 2024-02-02"));
    run("versions", "--data", data, "--as-of", "2024-01-01", "em2").expect(1);

    JsonNode stats = run("stats", "--data", data, "--json").expect(0).json();
    assertTrue(stats.get("stores").toString().contains("documents"), stats.toString());
    assertTrue(stats.get("database").get("commits").asLong() >= 0);
    assertTrue(run("stats", "--data", data).expect(0).out().contains("database."));

    JsonNode check = run("check", "--data", data, "--json").expect(0).json();
    assertEquals(0, check.get("problems").size(), check.toString());
    assertTrue(check.get("pages").asLong() > 2, check.toString());
    assertTrue(run("check", "--data", data).expect(0).out().startsWith("ok: "));
  }

  @Test
  void backupRestoreAndCompact() throws Exception {
    Path data = dir.resolve("data");
    Trees.Tree em = Trees.get("earthmover");
    Trees.Tree rb = Trees.get("regbi-interpretive");
    run("ingest", "--data", data, em.file(), rb.file()).expect(0);
    Path backup = dir.resolve("backup");
    JsonNode b = run("backup", "--data", data, "--json", backup).expect(0).json();
    assertEquals(backup.toAbsolutePath().toString(), b.get("target").asString());
    assertTrue(Files.isRegularFile(backup.resolve("data.ts")));
    // written after the backup: not in it
    run("ingest", "--data", data, "--doc-id", "later", em.file()).expect(0);

    Path restored = dir.resolve("restored");
    assertTrue(run("restore", backup, "--data", restored).expect(0).out().contains("restored"));
    for (Trees.Tree t : List.of(em, rb)) {
      JsonNode tree = run("tree", "--data", restored, "--json", t.docId()).expect(0).json();
      assertEquals(t.size(), HttpRoutesTest.count(tree.get("roots")));
    }
    run("get", "--data", restored, "later", "0001").expect(1);
    assertEquals(0, run("check", "--data", restored, "--json").expect(0).json().get("problems")
        .size());
    assertTrue(run("restore", backup, "--data", restored).expect(1).err()
        .contains("not empty"));
    Files.createDirectories(dir.resolve("empty"));
    assertTrue(run("restore", dir.resolve("empty"), "--data", dir.resolve("r2")).expect(1)
        .err().contains("not a backup"));

    Run compact = run("compact", "--data", data).expect(0);
    assertTrue(compact.out().contains("compacted"), compact.out());
    assertFalse(Files.exists(dir.resolve("data.compact")));
    assertFalse(Files.exists(dir.resolve("data.before-compact")));
    for (String id : List.of("earthmover", "regbi-interpretive", "later")) {
      Trees.Tree t = id.equals("regbi-interpretive") ? rb : em;
      assertEquals(t.size(), HttpRoutesTest.count(run("tree", "--data", data, "--json", id)
          .expect(0).json().get("roots")), id);
    }
    run("check", "--data", data).expect(0);
    Files.createDirectories(dir.resolve("data.compact"));
    run("compact", "--data", data).expect(1);
  }

  @Test
  void checkReportsADamagedDataFile() throws Exception {
    Path data = dir.resolve("data");
    Trees.Tree t = Trees.get("earthmover.with_text");
    run("ingest", "--data", data, t.file()).expect(0);
    run("check", "--data", data).expect(0);
    Path file = data.resolve("data.ts");
    byte[] bytes = Files.readAllBytes(file);
    byte[] needle = "Progressive Bounding".getBytes(StandardCharsets.UTF_8);
    List<Integer> hits = new ArrayList<>();
    for (int i = 0; i + needle.length <= bytes.length; i++) {
      if (java.util.Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
        hits.add(i);
      }
    }
    assertFalse(hits.isEmpty(), "the title is not in data.ts");
    for (int at : hits) {
      for (int k = 0; k < needle.length; k++) {
        bytes[at + k] ^= 0x5A;
      }
    }
    Files.write(file, bytes);
    Run check = run("check", "--data", data, "--json");
    check.expect(1);
    JsonNode problems = check.json().get("problems");
    assertFalse(problems.isEmpty());
    String all = problems.toString();
    System.out.println("check of the damaged file: " + all);
    assertTrue(all.contains("checksum mismatch"), all);
    assertTrue(all.contains(file.toString()), "names the file: " + all);
    // it names pages we damaged, with their offsets (some copies may be in free pages)
    boolean named = false;
    for (int at : hits) {
      long page = at / 4096;
      named |= all.contains("offset " + page * 4096 + " (page " + page + ")");
    }
    assertTrue(named, "names a damaged page " + hits + ": " + all);
    Run human = run("check", "--data", data).expect(1);
    assertTrue(human.out().matches("(?s)\\d+ problems?: .*"), human.out());
  }

  @Test
  void badUsageExitsWith2() {
    Path data = dir.resolve("data");
    Map<String, List<Object>> cases = new HashMap<>();
    cases.put("no subcommand", List.of());
    cases.put("unknown subcommand", List.of("frobnicate"));
    cases.put("unknown option", List.of("stats", "--data", data, "--frob"));
    cases.put("missing parameters", List.of("get", "--data", data));
    cases.put("neither --data nor --server", List.of("get", "earthmover", "0001"));
    cases.put("both --data and --server", List.of("get", "--data", data, "--server",
        "http://127.0.0.1:1", "earthmover", "0001"));
    cases.put("depth not a number", List.of("tree", "--data", data, "--depth", "x", "d"));
    cases.put("limit not a number", List.of("search", "--data", data, "--limit", "many",
        "q"));
    cases.put("search without a query", List.of("search", "--data", data));
    cases.put("ingest --doc-id with two files", List.of("ingest", "--data", data,
        "--doc-id", "x", Trees.get("earthmover").file(), Trees.get("regbi-interpretive")
            .file()));
    cases.put("ingest with neither", List.of("ingest", Trees.get("earthmover").file()));
    cases.put("compact without --data", List.of("compact"));
    cases.put("restore without --data", List.of("restore", dir));
    cases.forEach((what, args) -> {
      Run r = run(args.toArray());
      assertEquals(2, r.code(), () -> what + ": out " + r.out() + " err " + r.err());
    });
    assertFalse(Files.exists(data), "bad usage created the data directory");
    assertTrue(run("--version").expect(0).out().contains("treestore"));
    for (String c : List.of("serve", "ingest", "get", "tree", "search", "versions", "check",
        "backup", "restore", "stats", "compact")) {
      for (String h : List.of("--help", "-h")) {
        Run r = run(c, h);
        assertEquals(0, r.code(), () -> c + " " + h + ": " + r.err());
        assertTrue(r.out().startsWith("Usage: treestore " + c), r.out());
      }
    }
    assertTrue(run("get", "--help").out().contains("--version=<version>"));
    assertTrue(run("serve", "--help").out().contains("--set=store.NAME.KEY=VALUE"));
    Run bad = run("serve", "--data", dir + "/bad-setting", "--http-port", "0", "--grpc-port",
        "0", "--set", "store.documents.record_cache_bytes=lots");
    assertEquals(1, bad.code(), () -> "out " + bad.out() + " err " + bad.err());
    assertTrue(bad.err().contains("record_cache_bytes must be a number of bytes >= 0, was"
        + " 'lots'"), bad.err());
  }

  @Test
  void commandsAgainstAServer() throws Exception {
    Trees.Tree em = Trees.get("earthmover");
    try (TestServer s = TestServer.start(dir.resolve("served"))) {
      String url = s.address();
      Run ingest = run("ingest", "--server", url, "--version", "s1", "--effective-date",
          "2024-01-01", em.file()).expect(0);
      assertTrue(ingest.out().contains("201"), ingest.out());
      HttpRoutesTest.assertNode(em, "0005", run("get", "--server", url, "--json",
          "earthmover", "0005").expect(0).json(), "s1");
      assertTrue(run("get", "--server", url, "earthmover", "nope").expect(1).err()
          .contains("NOT_FOUND"));
      assertEquals(em.size(), HttpRoutesTest.count(run("tree", "--server", url, "--json",
          "earthmover").expect(0).json().get("roots")));
      assertFalse(run("search", "--server", url, "--json", "distance").expect(0).json()
          .get("hits").isEmpty());
      assertEquals("s1", run("versions", "--server", url, "--json", "--as-of", "2024-05-05",
          "earthmover").expect(0).json().get("version").get("version_id").asString());
      assertTrue(run("stats", "--server", url, "--json").expect(0).json().has("database"));
      assertEquals(0, run("check", "--server", url, "--json").expect(0).json()
          .get("problems").size());
      Path backup = dir.resolve("server-backup");
      run("backup", "--server", url, backup).expect(0);
      assertTrue(Files.isRegularFile(backup.resolve("data.ts")));
      run("ingest", "--server", url, "--version", "s1", em.file()).expect(1);
    }
    Run down = run("get", "--server", "http://127.0.0.1:1", "earthmover", "0001").expect(1);
    assertTrue(down.err().contains("UNAVAILABLE"), down.err());

    String token = "cli-token-0123456789abcdef";
    try (TestServer s = TestServer.start(dir.resolve("auth"), "auth-tokens", token)) {
      run("ingest", "--server", s.address(), em.file()).expect(1);
      if (System.getenv("TREESTORE_TOKEN") == null) {
        assertTrue(run("stats", "--server", s.address()).expect(1).err()
            .contains("UNAUTHENTICATED"));
      }
      run("stats", "--server", s.address(), "--token", token, "--json").expect(0);
    }
  }
}
