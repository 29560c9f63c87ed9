package io.treestore.arch;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves that the production classes of every library module obey the architecture rules of
 * DESIGN.md section 2 (see {@link ArchitectureRules}).
 *
 * <p>The classes are imported from the class path, where Maven puts each module's jar (or its
 * {@code target/classes} in a reactor build). Test classes are excluded, so the violating
 * fixtures under {@code ts-arch/src/test/java} are not checked here; a failure names the
 * offending production class and the dependency that breaks the rule.
 */
class ArchitectureTest {
  private static JavaClasses production;

  @BeforeAll
  static void importProductionClasses() {
    production = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.treestore");
  }

  @Test
  void importSeesTheBuiltModules() {
    // Guards against a vacuous pass: the rules must actually see the modules that have code.
    for (String name : new String[] {"io.treestore.page.PageFile",
        "io.treestore.btree.BTreeFile"}) {
      assertTrue(production.contain(name), "class path holds no " + name);
    }
    assertTrue(production.stream().noneMatch(c -> c.getPackageName().contains("archfixture")),
        "test fixtures leaked into the production import");
  }

  /**
   * Returns the names of all rules, the arguments of {@link #ruleHolds}.
   *
   * @return the keys of {@link ArchitectureRules#ALL}
   */
  static Stream<String> ruleNames() {
    return ArchitectureRules.ALL.keySet().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ruleNames")
  void ruleHolds(String rule) {
    ArchitectureRules.ALL.get(rule).check(production);
  }
}
