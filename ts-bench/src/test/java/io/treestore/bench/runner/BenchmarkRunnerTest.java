package io.treestore.bench.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.bench.PostgresPeer;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the comparison runner end to end on the tiny profile (the real trees, tiny key-value and
 * recovery workloads, JMH without forks) and checks what it wrote: a section with a table for
 * every workload, every engine's column, ratios equal to the measured times' quotient, valid
 * PNG charts, parseable raw JMH JSON with the resource figures. Takes about 30 seconds on an idle
 * 2-core machine.
 */
class BenchmarkRunnerTest {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  @TempDir
  Path tmp;

  @Test
  void tinyRunWritesTheWholeReport() throws Exception {
    Path out = tmp.resolve("report");
    Path work = tmp.resolve("work");
    int code = BenchmarkRunner.run("--tiny", "--out", out.toString(), "--work", work.toString());
    assertEquals(0, code, "runner exit code (logs in " + out.resolve("logs") + ")");
    assertFalse(Files.exists(work), "the work directory is deleted after the run");

    String md = Files.readString(out.resolve("report.md"));
    JsonNode summary = JSON.readTree(Files.readString(out.resolve("raw/runner.json")));
    assertEquals("tiny", summary.get("profile").asString());
    assertTrue(md.startsWith("# TreeStore against its peers: profile `tiny`"), md);
    assertTrue(md.contains("| JDK | Java " + Runtime.version()), "JDK row");
    assertTrue(md.contains("| JMH | 1.37 |"), "JMH row");
    assertTrue(md.contains("| Lucene | lucene-core 10.6.0 |"), "Lucene row");

    boolean pg = PostgresPeer.available();
    JsonNode families = summary.get("families");
    assertEquals(BenchmarkRunner.FAMILIES.size(), families.size(), "one section per workload");
    int section = 0;
    for (JsonNode f : families) {
      section++;
      String id = f.get("id").asString();
      assertEquals(BenchmarkRunner.FAMILIES.get(section - 1), id);
      assertEquals(0, f.get("failures").size(), id + " failures: " + f.get("failures"));
      String text = section(md, "## " + section + ". " + f.get("title").asString());
      assertTrue(text.contains("| operation | TreeStore p50 | TreeStore p99 | TreeStore ops/s |"),
          id + ": table header\n" + text);

      List<String> engines = new ArrayList<>();
      f.get("engines").forEach(e -> engines.add(e.asString()));
      if (List.of("ingest", "reads", "mixed").contains(id)) {
        assertEquals(pg, engines.contains("postgres"),
            id + ": PostgreSQL compared exactly when it is installed");
      }
      Set<String> measured = new HashSet<>();
      JsonNode ms = f.get("measurements");
      assertTrue(ms.size() > 0, id + " has measurements");
      for (JsonNode m : ms) {
        if (m.get("engine").isNull()) {
          continue; // context row (the raw fsync floor)
        }
        String engine = m.get("engine").asString();
        measured.add(engine);
        assertTrue(m.get("timeNs").asDouble() > 0, id + " " + engine + " time");
        assertTrue(m.get("opsPerSec").asDouble() > 0, id + " " + engine + " throughput");
        JsonNode res = m.get("resources");
        assertTrue(res.get(ResourceProfiler.HEAP).asDouble() > 0, id + " " + engine + " heap");
        assertTrue(res.get(ResourceProfiler.DISK).asDouble() > 0, id + " " + engine + " disk");
        if (engine.equals("postgres")) {
          assertTrue(res.get(ResourceProfiler.PEER).asDouble() > 0, id + " server memory");
        }
        if (engine.equals(Workload.TREESTORE)) {
          continue;
        }
        // the ratio is the peer's time over TreeStore's for the same operation and data
        JsonNode ts = find(ms, m.get("dataset").asString(), m.get("method").asString());
        double expected = m.get("timeNs").asDouble() / ts.get("timeNs").asDouble();
        double ratio = m.get("ratioToTreeStore").asDouble();
        assertEquals(expected, ratio, expected * 1e-9, id + " " + engine + " ratio");
        String row = row(text, m.get("operation").asString());
        assertTrue(row.contains("| " + Report.ratio(ratio) + " |"), id + " " + engine
            + ": ratio " + Report.ratio(ratio) + " in the row " + row);
      }
      assertEquals(new HashSet<>(engines), measured, id + ": every engine measured");
      for (String e : engines) {
        assertTrue(text.contains(Workload.engineName(e) + " p50"), id + ": column of " + e);
        if (!e.equals(Workload.TREESTORE)) {
          assertTrue(text.contains(Workload.engineName(e) + " ratio"), id + ": ratio of " + e);
        }
      }

      BufferedImage chart = ImageIO.read(out.resolve("charts/" + id + ".png").toFile());
      assertNotNull(chart, id + ": chart is a readable PNG");
      assertTrue(chart.getWidth() >= 600 && chart.getHeight() >= 400, id + ": chart size");
      assertTrue(text.contains("](charts/" + id + ".png)"), id + ": chart linked");

      assertTrue(f.get("raw").size() > 0, id + ": raw JSON");
      for (JsonNode raw : f.get("raw")) {
        assertTrue(text.contains("(" + raw.asString() + ")"), id + ": raw JSON linked");
        JsonNode jmh = JSON.readTree(Files.readString(out.resolve(raw.asString())));
        assertTrue(jmh.isArray() && jmh.size() > 0, raw + " is a JMH result array");
        for (JsonNode trial : jmh) {
          assertTrue(trial.get("benchmark").asString().startsWith("io.treestore.bench."));
          assertTrue(trial.get("primaryMetric").get("score").asDouble() > 0);
          assertTrue(trial.get("secondaryMetrics").has(ResourceProfiler.RSS), raw + " RSS");
        }
      }
    }
    assertTrue(Files.size(out.resolve("logs/reads.txt")) > 0, "JMH log kept");
    try (Stream<Path> charts = Files.list(out.resolve("charts"))) {
      assertEquals(BenchmarkRunner.FAMILIES.size(), charts.count(), "one chart per workload");
    }
  }

  private static JsonNode find(JsonNode ms, String dataset, String method) {
    for (JsonNode m : ms) {
      if (!m.get("engine").isNull() && m.get("engine").asString().equals(Workload.TREESTORE)
          && m.get("dataset").asString().equals(dataset)
          && m.get("method").asString().equals(method)) {
        return m;
      }
    }
    throw new AssertionError("no TreeStore trial for " + dataset + " " + method);
  }

  /** The text from a heading to the next heading of the same level. */
  private static String section(String md, String heading) {
    int start = md.indexOf("\n" + heading + "\n");
    assertTrue(start >= 0, "heading " + heading);
    int end = md.indexOf("\n## ", start + heading.length());
    return md.substring(start, end < 0 ? md.length() : end);
  }

  private static String row(String section, String operation) {
    for (String line : section.split("\n")) {
      if (line.startsWith("| " + operation + " |")) {
        return line;
      }
    }
    throw new AssertionError("no row " + operation + " in\n" + section);
  }
}
