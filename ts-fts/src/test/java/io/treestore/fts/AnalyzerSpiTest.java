package io.treestore.fts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.fts.plugin.KeepCaseAnalyzer;
import io.treestore.fts.plugin.PluginMain;
import io.treestore.testkit.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analyzer SPI: the {@code standard} analyzer is always there, unknown names are refused
 * with the list of those available, and a plugin ({@link KeepCaseAnalyzer}, registered in
 * {@code src/test/resources/META-INF/services/io.treestore.fts.Analyzer}) is found by name and
 * used by a {@link FullTextIndex}.
 *
 * <p>The plugin runs in a child JVM where ts-fts is a named module on the module path and the
 * plugin sits on the class path, as a plugin jar would. In this test JVM the test classes
 * (the plugin included) are patched into the {@code io.treestore.fts} module, and
 * {@link java.util.ServiceLoader} ignores {@code META-INF/services} entries naming classes of a
 * named module (only a {@code provides} clause registers those), so the plugin cannot be found
 * here; the test checks that too.
 */
class AnalyzerSpiTest {
  @TempDir Path dir;

  @Test
  void standardIsBuiltInAndUnknownNamesListTheAvailableOnes() {
    Map<String, Analyzer> all = Analyzers.available();
    assertInstanceOf(StandardAnalyzer.class, all.get("standard"));
    assertInstanceOf(StandardAnalyzer.class, Analyzers.find("standard"));
    assertEquals("standard", Analyzers.find("standard").name());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Analyzers.find("klingon"));
    assertTrue(e.getMessage().contains("'klingon'"), e.getMessage());
    assertTrue(e.getMessage().contains("available: " + all.keySet()), e.getMessage());
    assertTrue(e.getMessage().contains("standard"), e.getMessage());
    IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
        () -> new FullTextIndex("x", new FullTextOptions("klingon", List.of("text"), 1.2,
            0.75)));
    assertTrue(f.getMessage().contains("klingon") && f.getMessage().contains("standard"),
        f.getMessage());
  }

  @Test
  void aPluginOnTheClassPathIsFoundByNameAndUsedByAnIndex() throws Exception {
    if (KeepCaseAnalyzer.class.getModule().isNamed()) {
      // patched into the named module here: a services file cannot register it in this JVM
      assertTrue(!Analyzers.available().containsKey(KeepCaseAnalyzer.NAME));
    }
    Path err = dir.resolve("child.err");
    List<String> cmd = ChildJvm.onClassPath(PluginMain.class, "io.treestore.fts",
        List.of(dir.resolve("db").toString()));
    ChildJvm child = ChildJvm.start(cmd, err);
    List<String> lines = child.finish(60);
    String stderr = Files.exists(err) ? Files.readString(err, StandardCharsets.UTF_8) : "";
    assertEquals(0, child.process.exitValue(), "child failed: " + lines + "\n" + stderr
        + "\ncommand: " + String.join(" ", cmd));
    Map<String, String> out = new HashMap<>();
    for (String l : lines) {
      int eq = l.indexOf('=');
      if (eq > 0) {
        out.put(l.substring(0, eq), l.substring(eq + 1));
      }
    }
    String ctx = "child output " + lines;
    assertEquals("[standard, test-keep-case]", out.get("available"), ctx);
    assertEquals(KeepCaseAnalyzer.class.getName() + " named-module=false", out.get("found"),
        ctx);
    assertEquals("no analyzer named 'no-such-analyzer'; available: [standard, test-keep-case]",
        out.get("unknown"), ctx);
    assertEquals(KeepCaseAnalyzer.NAME, out.get("index-analyzer"), ctx);
    // the plugin keeps case and stop words: "The" and "the" are different terms
    assertEquals("[u1]", out.get("search The"), ctx);
    assertEquals("[u2, u3]", out.get("search the"), ctx);
    assertEquals("[u2]", out.get("search cat"), ctx);
    assertEquals("[u3]", out.get("search CAT,"), ctx);
    assertEquals("[u1]", out.get("search \"The Cat\""), ctx);
    assertEquals("[u3]", out.get("search +the -cat"), ctx);
    assertEquals("IndexStatistics[units=3, tokens=9]", out.get("statistics"), ctx);
    assertEquals("true", out.get("check"), ctx);
    // the index recorded its analyzer: opening it with another one is refused
    String other = out.get("other-analyzer");
    assertTrue(other != null && other.contains("test-keep-case") && other.contains("standard"),
        ctx);
    assertTrue(lines.contains("done"), ctx);
  }
}
