package io.treestore.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The architecture rules of TreeStore (DESIGN.md, section 2), as ArchUnit rule objects.
 *
 * <p>The same objects are checked against the production classes of every library module
 * ({@link ArchitectureTest}) and against deliberately violating fixture classes
 * ({@link RulesCatchViolationsTest}), so the test that proves a rule fails on a violation
 * exercises exactly the rule the build enforces.
 *
 * <p>Most modules hold no classes yet. The rules therefore accept empty layers and empty
 * class sets ({@code withOptionalLayers(true)}, {@code allowEmptyShould(true)}): they pass
 * now and bite as soon as a module gets its first class.
 */
final class ArchitectureRules {
  /** Module names in layer order, lowest first; each owns {@code io.treestore.<name>..}. */
  static final List<String> MODULES = List.of(
      "page", "wal", "btree", "txn", "index", "fts", "spi", "stores", "server", "bench");

  /**
   * The module layering: each module may use only the modules below it, stores and the
   * server transport only through ts-spi and the API types it re-exports (ts-txn, ts-index,
   * ts-fts), and no module may use ts-bench. Every class under {@code io.treestore} must
   * belong to one module's root package. Only dependencies between TreeStore classes count;
   * the JDK, Caffeine and JSpecify are not layers.
   */
  static final ArchRule LAYERS = layeredArchitecture()
      .consideringOnlyDependenciesInLayers()
      .withOptionalLayers(true)
      .layer("ts-page").definedBy("io.treestore.page..")
      .layer("ts-wal").definedBy("io.treestore.wal..")
      .layer("ts-btree").definedBy("io.treestore.btree..")
      .layer("ts-txn").definedBy("io.treestore.txn..")
      .layer("ts-index").definedBy("io.treestore.index..")
      .layer("ts-fts").definedBy("io.treestore.fts..")
      .layer("ts-spi").definedBy("io.treestore.spi..")
      .layer("ts-stores").definedBy("io.treestore.stores..")
      .layer("ts-server").definedBy("io.treestore.server..")
      .layer("ts-bench").definedBy("io.treestore.bench..")
      .whereLayer("ts-page").mayNotAccessAnyLayer()
      .whereLayer("ts-wal").mayNotAccessAnyLayer()
      .whereLayer("ts-btree").mayOnlyAccessLayers("ts-page")
      .whereLayer("ts-txn").mayOnlyAccessLayers("ts-btree", "ts-wal", "ts-page")
      .whereLayer("ts-index").mayOnlyAccessLayers("ts-txn", "ts-btree", "ts-wal", "ts-page")
      .whereLayer("ts-fts")
      .mayOnlyAccessLayers("ts-index", "ts-txn", "ts-btree", "ts-wal", "ts-page")
      .whereLayer("ts-spi")
      .mayOnlyAccessLayers("ts-fts", "ts-index", "ts-txn", "ts-btree", "ts-wal", "ts-page")
      .whereLayer("ts-stores").mayOnlyAccessLayers("ts-spi", "ts-fts", "ts-index", "ts-txn")
      .whereLayer("ts-server").mayOnlyAccessLayers("ts-spi", "ts-fts", "ts-index", "ts-txn")
      .whereLayer("ts-stores").mayNotBeAccessedByAnyLayer()
      .whereLayer("ts-server").mayNotBeAccessedByAnyLayer()
      .whereLayer("ts-bench").mayNotBeAccessedByAnyLayer()
      .ensureAllClassesAreContainedInArchitecture()
      .as("modules depend only on the modules below them (DESIGN.md section 2)");

  /** No two modules depend on each other, directly or through others. */
  static final ArchRule NO_CYCLES = slices()
      .matching("io.treestore.(*)..")
      .namingSlices("ts-$1")
      .should().beFreeOfCycles()
      .allowEmptyShould(true)
      .as("modules are free of cycles");

  /** No module reaches into another module's {@code internal} packages. */
  static final ArchRule NO_FOREIGN_INTERNALS = noForeignInternals();

  /** Stores and the transport use the engine only through ts-spi. */
  static final ArchRule STORES_AND_SERVER_USE_SPI = noClasses()
      .that().resideInAnyPackage("io.treestore.stores..", "io.treestore.server..")
      .should().dependOnClassesThat()
      .resideInAnyPackage("io.treestore.page..", "io.treestore.wal..", "io.treestore.btree..")
      .allowEmptyShould(true)
      .because("stores and transports use the engine through ts-spi and the transaction, "
          + "index and full-text API types it re-exports (DESIGN.md section 2)");

  /** The transport sees stores only through the SPI, never their classes. */
  static final ArchRule SERVER_NEVER_SEES_STORES = noClasses()
      .that().resideInAPackage("io.treestore.server..")
      .should().dependOnClassesThat().resideInAPackage("io.treestore.stores..")
      .allowEmptyShould(true)
      .because("the transport finds stores through the ts-spi ServiceLoader discovery");

  /** ts-bench is not a library. */
  static final ArchRule NOTHING_DEPENDS_ON_BENCH = noClasses()
      .that().resideOutsideOfPackage("io.treestore.bench..")
      .should().dependOnClassesThat().resideInAPackage("io.treestore.bench..")
      .allowEmptyShould(true)
      .because("ts-bench holds benchmarks, not a library");

  /** Every rule by a short name, in the order the tests report them. */
  static final Map<String, ArchRule> ALL = all();

  private ArchitectureRules() {}

  private static ArchRule noForeignInternals() {
    List<ArchRule> rules = new ArrayList<>();
    for (String module : MODULES) {
      String root = "io.treestore." + module;
      rules.add(noClasses()
          .that().resideOutsideOfPackage(root + "..")
          .should().dependOnClassesThat().resideInAPackage(root + "..internal..")
          .allowEmptyShould(true)
          .as("no class outside " + root + " depends on its internal packages"));
    }
    return CompositeArchRule.of(rules)
        .as("no module depends on another module's internal packages");
  }

  private static Map<String, ArchRule> all() {
    Map<String, ArchRule> m = new LinkedHashMap<>();
    m.put("LAYERS", LAYERS);
    m.put("NO_CYCLES", NO_CYCLES);
    m.put("NO_FOREIGN_INTERNALS", NO_FOREIGN_INTERNALS);
    m.put("STORES_AND_SERVER_USE_SPI", STORES_AND_SERVER_USE_SPI);
    m.put("SERVER_NEVER_SEES_STORES", SERVER_NEVER_SEES_STORES);
    m.put("NOTHING_DEPENDS_ON_BENCH", NOTHING_DEPENDS_ON_BENCH);
    return java.util.Collections.unmodifiableMap(m);
  }
}
