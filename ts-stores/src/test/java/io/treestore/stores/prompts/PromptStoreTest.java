package io.treestore.stores.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.treestore.spi.ErrorCode;
import io.treestore.spi.StoreException;
import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import io.treestore.stores.prompts.PromptApi.Prompt;
import io.treestore.stores.prompts.PromptApi.ToolSchema;
import io.treestore.txn.DatabaseOptions;
import io.treestore.wal.Durability;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prompt versions, deployment lookups and usage. */
class PromptStoreTest {
  @TempDir Path dir;

  static Instant t(String s) {
    return Instant.parse(s + "T00:00:00Z");
  }

  TreeStore open() {
    return TreeStore.open(dir, TreeStoreOptions.defaults()
        .withDatabase(DatabaseOptions.defaults().withDurability(Durability.NONE))
        .withDiscovery(false).withProviders(List.of(new PromptStoreProvider())));
  }

  @Test
  void versionsAreImmutableAndTheDeployedOneIsFoundByTime() {
    List<ToolSchema> tools = List.of(new ToolSchema("pi_search", "search the tree",
        Map.of("type", "object", "required", List.of("q"))));
    try (TreeStore ts = open()) {
      ts.call("prompts", "StorePrompt", new Prompt("sys", "1", "You are...", tools, null,
          t("2026-01-01"), t("2026-03-01")));
      ts.call("prompts", "StorePrompt", new Prompt("sys", "2", "You are v2", tools, null,
          t("2026-03-01"), null));
      ts.call("prompts", "StorePrompt", new Prompt("sys", "3", "draft", List.of(), null, null,
          null));
      assertEquals("1", get(ts, null, t("2026-02-01")).version());
      assertEquals("2", get(ts, null, t("2026-03-01")).version());
      assertEquals("2", get(ts, null, t("2027-01-01")).version());
      assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class,
          () -> get(ts, null, t("2025-12-31"))).code());
      Prompt v1 = get(ts, "1", null);
      assertEquals(tools, v1.toolSchemas());
      ts.call("prompts", "StorePrompt", new Prompt("sys", "1", "You are...", tools, null,
          t("2026-01-01"), t("2026-03-01")));
      StoreException changed = assertThrows(StoreException.class, () -> ts.call("prompts",
          "StorePrompt", new Prompt("sys", "1", "rewritten", tools, null, null, null)));
      assertEquals(ErrorCode.ALREADY_EXISTS, changed.code());
      assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(StoreException.class,
          () -> ts.call("prompts", "StorePrompt", new Prompt("sys", "9", "x", null, null,
              t("2026-02-01"), t("2026-01-01")))).code());
    }
  }

  private static Prompt get(TreeStore ts, String version, Instant at) {
    return (Prompt) ts.call("prompts", "GetPrompt", new PromptApi.PromptQuery("sys", version,
        at));
  }

  @Test
  void usageIsListedByCaseAndByPromptVersion() {
    try (TreeStore ts = open()) {
      ts.call("prompts", "StorePrompt", new Prompt("sys", "1", "a", null, null, null, null));
      ts.call("prompts", "StorePrompt", new Prompt("sys", "2", "b", null, null, null, null));
      ts.call("prompts", "RecordPromptUsage", new PromptApi.Usage("c1", "sys", "1",
          t("2026-01-02")));
      ts.call("prompts", "RecordPromptUsage", new PromptApi.Usage("c1", "sys", "2",
          t("2026-01-03")));
      ts.call("prompts", "RecordPromptUsage", new PromptApi.Usage("c2", "sys", "2",
          t("2026-01-01")));
      PromptApi.Usages byCase = (PromptApi.Usages) ts.call("prompts", "GetPromptUsage",
          new PromptApi.UsageQuery("c1", null, null, null));
      assertEquals(List.of("1", "2"), byCase.usages().stream().map(u -> u.usage().version())
          .toList());
      PromptApi.Usages byVersion = (PromptApi.Usages) ts.call("prompts", "GetPromptUsage",
          new PromptApi.UsageQuery(null, "sys", "2", null));
      assertEquals(List.of("c1", "c2"), byVersion.usages().stream()
          .map(u -> u.usage().caseId()).toList());
      assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class, () -> ts.call(
          "prompts", "RecordPromptUsage", new PromptApi.Usage("c1", "sys", "7", null))).code());
    }
  }
}
