package io.treestore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The corpora the comparison runner names: a synthetic {@code <nodes>-<text>} corpus is
 * generated again byte for byte from its seed, and {@code real} is exactly the real trees of the
 * data set directory, with structures that match their JSON.
 */
class StoresCorpusTest {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  @Test
  void syntheticCorpusIsReproducibleAndAsLargeAsNamed() {
    PageIndexShape shape = PageIndexShape.load();
    StoresCorpus a = StoresCorpus.named("2k-none", shape);
    StoresCorpus b = StoresCorpus.named("2k-none", shape);
    assertTrue(a.nodes >= 2_000, "nodes " + a.nodes);
    assertEquals(a.docs.size(), b.docs.size());
    for (int i = 0; i < a.docs.size(); i++) {
      assertEquals(a.json(i), b.json(i), "document " + i);
      assertEquals(a.docs.get(i).size(), count(JSON.readTree(a.json(i)).get("structure")));
    }
    assertNotEquals(StoresCorpus.named("2k-pages", shape).json(0), a.json(0));
  }

  @Test
  void realCorpusIsTheDatasetFiles() throws Exception {
    PageIndexShape shape = PageIndexShape.load();
    StoresCorpus c = StoresCorpus.named(StoresCorpus.REAL, shape);
    List<Path> files;
    try (Stream<Path> s = Files.list(shape.dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".with_text.json")).sorted()
          .toList();
    }
    assertEquals(files.size(), c.docs.size());
    long nodes = 0;
    int largest = 0;
    for (int i = 0; i < files.size(); i++) {
      String text = Files.readString(files.get(i));
      assertEquals(text, c.json(i), files.get(i).toString());
      int n = count(JSON.readTree(text).get("structure"));
      assertEquals(n, c.docs.get(i).size(), files.get(i) + " structure");
      nodes += n;
      if (n > c.docs.get(largest).size()) {
        largest = i;
      }
    }
    assertEquals(nodes, c.nodes);
    assertEquals(c.json(largest), c.ingestDocument(StoresBenchmark.INGEST_NODES));
    assertEquals(StoresCorpus.Text.PAGES, c.text);
    assertEquals(1, count(JSON.readTree(c.ingestTree(1)).get("structure")));
  }

  private static int count(JsonNode list) {
    int n = 0;
    for (JsonNode node : list) {
      n += 1 + (node.has("nodes") ? count(node.get("nodes")) : 0);
    }
    return n;
  }
}
