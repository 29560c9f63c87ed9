package io.treestore.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.treestore.bench.archfixture.BenchmarkStub;
import io.treestore.btree.BTree;
import io.treestore.btree.internal.Layout;
import io.treestore.common.archfixture.StrayClass;
import io.treestore.fts.archfixture.CycleToIndex;
import io.treestore.index.archfixture.CycleToFts;
import io.treestore.index.archfixture.UsesBenchmark;
import io.treestore.page.PageFile;
import io.treestore.page.StorageException;
import io.treestore.page.archfixture.UpwardDependency;
import io.treestore.server.archfixture.ServerSeesStore;
import io.treestore.stores.archfixture.StoreStub;
import io.treestore.stores.archfixture.StoreUsesBTree;
import io.treestore.txn.archfixture.LegalDownwardDependency;
import io.treestore.txn.archfixture.ReachesIntoInternal;
import io.treestore.wal.archfixture.WalUsesPage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves that the architecture rules really fail on violating classes, so that the passing
 * {@link ArchitectureTest} means something.
 *
 * <p>The fixtures are test classes placed in packages named like the real modules' packages
 * (for example {@code io.treestore.page.archfixture.UpwardDependency} is "ts-page code" that
 * uses {@link BTree}). Each case imports one fixture together with the production classes it
 * uses and evaluates the <em>same rule objects</em> that {@link ArchitectureTest} checks
 * against production ({@link ArchitectureRules#ALL}): exactly the expected rules must fail,
 * their failure report must name the offending fixture class, and {@link ArchRule#check}
 * must throw the {@link AssertionError} that would fail the build. The other rules must pass,
 * which shows each rule is precise. The production import of {@link ArchitectureTest}
 * excludes these fixtures because they are test classes.
 */
class RulesCatchViolationsTest {

  /**
   * One deliberate violation.
   *
   * @param name what the fixture does wrong
   * @param classes the classes to import: the fixture and the production classes it uses
   * @param offender the class the failure report must name
   * @param failing the names of the rules ({@link ArchitectureRules#ALL}) that must fail
   */
  record Case(String name, List<Class<?>> classes, Class<?> offender, Set<String> failing) {
    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * Returns the violations, one per rule at least.
   *
   * @return the cases
   */
  static Stream<Case> violations() {
    return Stream.of(
        new Case("ts-page uses ts-btree (upward)", List.of(UpwardDependency.class, BTree.class),
            UpwardDependency.class, Set.of("LAYERS")),
        new Case("ts-wal uses ts-page (wal is JDK only)",
            List.of(WalUsesPage.class, PageFile.class), WalUsesPage.class, Set.of("LAYERS")),
        new Case("ts-txn uses io.treestore.btree.internal",
            List.of(ReachesIntoInternal.class, Layout.class), ReachesIntoInternal.class,
            Set.of("NO_FOREIGN_INTERNALS")),
        new Case("ts-stores uses ts-btree directly", List.of(StoreUsesBTree.class, BTree.class),
            StoreUsesBTree.class, Set.of("LAYERS", "STORES_AND_SERVER_USE_SPI")),
        new Case("ts-server uses a ts-stores class",
            List.of(ServerSeesStore.class, StoreStub.class), ServerSeesStore.class,
            Set.of("LAYERS", "SERVER_NEVER_SEES_STORES")),
        new Case("ts-index uses ts-bench", List.of(UsesBenchmark.class, BenchmarkStub.class),
            UsesBenchmark.class, Set.of("LAYERS", "NOTHING_DEPENDS_ON_BENCH")),
        new Case("ts-fts and ts-index form a cycle",
            List.of(CycleToIndex.class, CycleToFts.class), CycleToFts.class,
            Set.of("LAYERS", "NO_CYCLES")),
        new Case("class outside every module's package", List.of(StrayClass.class),
            StrayClass.class, Set.of("LAYERS")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("violations")
  void exactlyTheExpectedRulesFailAndNameTheOffender(Case c) {
    assertTrue(ArchitectureRules.ALL.keySet().containsAll(c.failing()), "unknown rule name");
    JavaClasses classes = new ClassFileImporter().importClasses(c.classes());
    for (Map.Entry<String, ArchRule> e : ArchitectureRules.ALL.entrySet()) {
      ArchRule rule = e.getValue();
      EvaluationResult result = rule.evaluate(classes);
      String report = result.getFailureReport().toString();
      if (!c.failing().contains(e.getKey())) {
        assertFalse(result.hasViolation(), e.getKey() + " should pass but reported:\n" + report);
        continue;
      }
      assertTrue(result.hasViolation(), e.getKey() + " did not catch: " + c.name());
      String offender = c.offender().getName();
      assertTrue(result.getFailureReport().getDetails().stream()
          .anyMatch(d -> d.contains(offender)), e.getKey() + " does not name " + offender
          + ":\n" + report);
      AssertionError thrown = assertThrows(AssertionError.class, () -> rule.check(classes),
          e.getKey() + ".check() did not fail the test");
      assertTrue(thrown.getMessage().contains(offender), thrown.getMessage());
      assertTrue(thrown.getMessage().contains(rule.getDescription()), thrown.getMessage());
    }
  }

  @Test
  void everyRuleIsShownToFail() {
    Set<String> shown = violations().flatMap(c -> c.failing().stream())
        .collect(java.util.stream.Collectors.toSet());
    assertEquals(ArchitectureRules.ALL.keySet(), shown);
  }

  @Test
  void legalDownwardDependencyPassesEveryRule() {
    JavaClasses classes = new ClassFileImporter().importClasses(
        LegalDownwardDependency.class, BTree.class, StorageException.class);
    for (Map.Entry<String, ArchRule> e : ArchitectureRules.ALL.entrySet()) {
      EvaluationResult result = e.getValue().evaluate(classes);
      assertFalse(result.hasViolation(),
          e.getKey() + ":\n" + result.getFailureReport());
    }
  }

  /**
   * The production import of {@link ArchitectureTest} plus the fixtures, all imported the same
   * way: every rule fails, and only because of the fixtures (every violation names one).
   */
  @Test
  void fixturesImportedWithProductionClassesBreakEveryRule() {
    JavaClasses all = new ClassFileImporter()
        .withImportOption(location -> !location.contains("/io/treestore/arch/"))
        .importPackages("io.treestore");
    assertTrue(all.contain(UpwardDependency.class) && all.contain(PageFile.class));
    for (Map.Entry<String, ArchRule> e : ArchitectureRules.ALL.entrySet()) {
      EvaluationResult result = e.getValue().evaluate(all);
      assertTrue(result.hasViolation(), e.getKey() + " passed despite the fixtures");
      for (String detail : result.getFailureReport().getDetails()) {
        assertTrue(detail.contains(".archfixture."),
            e.getKey() + " reports a violation that is not a fixture's:\n" + detail);
      }
    }
  }
}
