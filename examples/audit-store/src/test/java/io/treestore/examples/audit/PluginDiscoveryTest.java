package io.treestore.examples.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.spi.OperationKind;
import io.treestore.spi.StoreOperation;
import io.treestore.spi.StoreProvider;
import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import io.treestore.txn.DatabaseOptions;
import io.treestore.wal.Durability;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin is found from the module path by the unchanged TreeStore, next to the bundled
 * stores of ts-stores, with discovery on and no explicit providers.
 */
class PluginDiscoveryTest {
  private static final String PLUGIN_MODULE = "io.treestore.examples.audit";
  private static final String BUNDLED_MODULE = "io.treestore.stores";
  private static final Set<String> BUNDLED = Set.of("documents", "versions", "metadata",
      "prompts");

  @TempDir Path dir;

  /** Discovery on (the default), no providers given: exactly what a deployment does. */
  static TreeStore open(Path dir) {
    TreeStoreOptions options = TreeStoreOptions.defaults()
        .withDatabase(DatabaseOptions.defaults().withDurability(Durability.NONE));
    assertTrue(options.discover());
    assertTrue(options.providers().isEmpty());
    return TreeStore.open(dir, options);
  }

  @Test
  void discoveryFindsThePluginNextToTheBundledStores() {
    try (TreeStore ts = open(dir)) {
      Set<String> names = ts.stores().keySet();
      assertTrue(names.contains("audit"), "stores found: " + names);
      assertTrue(names.containsAll(BUNDLED), "stores found: " + names);
      // Each store comes from its own module: the plugin's or the bundled one.
      ts.stores().forEach((name, store) -> assertEquals(
          name.equals("audit") ? PLUGIN_MODULE : BUNDLED_MODULE,
          store.getClass().getModule().getName(), name));
      assertTrue(ts.store(AuditStore.class) instanceof AuditStore);

      Map<String, StoreOperation<?, ?>> ops = ts.operations().get("audit");
      assertEquals(List.of("RecordEvent", "GetEvent", "GetEvents", "GetEventsForTarget"),
          List.copyOf(ops.keySet()));
      assertEquals(OperationKind.WRITE, ops.get("RecordEvent").kind());
      assertEquals(Set.of(OperationKind.READ), ops.entrySet().stream()
          .filter(e -> !e.getKey().equals("RecordEvent")).map(e -> e.getValue().kind())
          .collect(Collectors.toSet()));
      assertSame(AuditApi.RecordEvent.class, ops.get("RecordEvent").requestType());
      assertSame(AuditApi.Events.class, ops.get("GetEventsForTarget").responseType());
      // The bundled stores' operations are listed beside the plugin's.
      assertTrue(ts.operations().get("documents").containsKey("StoreDocument"));
      assertTrue(ts.operations().get("metadata").containsKey("StoreToolResult"));
    }
  }

  @Test
  void theTestsRunOnTheModulePath() throws IOException {
    Module plugin = AuditStoreProvider.class.getModule();
    assertTrue(plugin.isNamed(), "the plugin is in the unnamed module: class path, not"
        + " module path");
    assertEquals(PLUGIN_MODULE, plugin.getName());
    assertSame(plugin, getClass().getModule(), "tests are patched into the plugin module");
    Module spi = TreeStore.class.getModule();
    assertTrue(spi.isNamed());
    assertEquals("io.treestore.spi", spi.getName());
    assertSame(spi.getLayer(), plugin.getLayer());

    // The module declares the provider (that is what ServiceLoader uses on the module path)
    // and the jar has no META-INF/services file that class-path discovery would need.
    ModuleDescriptor.Provides provides = plugin.getDescriptor().provides().stream()
        .filter(p -> p.service().equals(StoreProvider.class.getName())).findFirst()
        .orElseThrow();
    assertEquals(List.of(AuditStoreProvider.class.getName()), provides.providers());
    try (InputStream in = plugin.getResourceAsStream("META-INF/services/"
        + StoreProvider.class.getName())) {
      assertNull(in);
    }
    assertTrue(plugin.getDescriptor().requires().stream().map(ModuleDescriptor.Requires::name)
        .collect(Collectors.toSet()).equals(Set.of("java.base", "org.jspecify",
            "io.treestore.spi")), "the plugin needs the SPI only");

    // ServiceLoader, as TreeStore.open calls it, finds the plugin in its named module and the
    // bundled stores in theirs. (Only io.treestore.spi declares `uses`; the test, running
    // inside the plugin module, adds it at run time to call ServiceLoader itself.)
    getClass().getModule().addUses(StoreProvider.class);
    List<ServiceLoader.Provider<StoreProvider>> found = ServiceLoader.load(StoreProvider.class)
        .stream().toList();
    ServiceLoader.Provider<StoreProvider> audit = found.stream()
        .filter(p -> p.type() == AuditStoreProvider.class).findFirst().orElseThrow();
    assertEquals(PLUGIN_MODULE, audit.type().getModule().getName());
    assertEquals("audit", audit.get().name());
    Set<String> bundledModules = found.stream().filter(p -> p.type() != AuditStoreProvider.class)
        .map(p -> p.type().getModule().getName()).collect(Collectors.toSet());
    assertEquals(Set.of(BUNDLED_MODULE), bundledModules);
    assertTrue(ModuleLayer.boot().findModule(BUNDLED_MODULE).isPresent(),
        "ts-stores is resolved as a named module");
  }
}
