package io.treestore.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleDescriptor.Requires;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves that each library module's compiled {@code module-info} says what DESIGN.md
 * section 2 asks: the module is named {@code io.treestore.<name>}, holds only packages under
 * its root package, exports exactly its API packages (never an {@code internal} one, never to
 * a chosen friend module), requires JSpecify for compile time only ({@code static}), and
 * requires exactly the other modules it is meant to, the TreeStore ones all below it in the
 * layering.
 *
 * <p>ts-arch runs its tests on the class path (it has no {@code module-info} of its own), so
 * the descriptors are found as the {@code module-info.class} resources of the jars (or
 * {@code target/classes} directories) on the class path, and each one is then read with a
 * {@link ModuleFinder} on its location, which also lists the module's packages. Placeholder
 * modules that hold no types yet are expected to export nothing.
 */
class ModuleDescriptorTest {
  private static final String JSPECIFY = "org.jspecify";

  /**
   * What one module's descriptor must say.
   *
   * @param artifact the Maven module
   * @param name the JPMS module name
   * @param exports the exported packages
   * @param requires the required modules other than {@code java.base} and JSpecify, each
   *     written as in {@code module-info.java}, e.g. {@code "transitive io.treestore.page"}
   */
  record Expected(String artifact, String name, Set<String> exports, Set<String> requires) {
    @Override
    public String toString() {
      return artifact;
    }
  }

  /** Layer order, lowest first; a module may require only modules earlier in this list. */
  private static final List<String> ORDER = List.of("io.treestore.page", "io.treestore.wal",
      "io.treestore.btree", "io.treestore.txn", "io.treestore.index", "io.treestore.fts",
      "io.treestore.spi", "io.treestore.stores", "io.treestore.server");

  private static Map<String, ModuleReference> modules;

  @BeforeAll
  static void findModules() {
    modules = treeStoreModulesOnClassPath();
  }

  /**
   * Returns the expected descriptor of every library module.
   *
   * @return one entry per module of the layering, lowest first
   */
  static Stream<Expected> expected() {
    return Stream.of(
        new Expected("ts-page", "io.treestore.page", Set.of("io.treestore.page"),
            Set.of("com.github.benmanes.caffeine")),
        new Expected("ts-wal", "io.treestore.wal", Set.of("io.treestore.wal"), Set.of()),
        new Expected("ts-btree", "io.treestore.btree", Set.of("io.treestore.btree"),
            Set.of("transitive io.treestore.page")),
        new Expected("ts-txn", "io.treestore.txn", Set.of("io.treestore.txn"),
            Set.of("transitive io.treestore.btree", "transitive io.treestore.wal")),
        new Expected("ts-index", "io.treestore.index", Set.of("io.treestore.index"),
            Set.of("transitive io.treestore.txn", "com.github.benmanes.caffeine")),
        new Expected("ts-fts", "io.treestore.fts", Set.of("io.treestore.fts"),
            Set.of("transitive io.treestore.index")),
        new Expected("ts-spi", "io.treestore.spi", Set.of("io.treestore.spi"),
            Set.of("transitive io.treestore.fts", "transitive io.treestore.index",
                "transitive io.treestore.txn")),
        new Expected("ts-stores", "io.treestore.stores",
            Set.of("io.treestore.stores.documents", "io.treestore.stores.metadata",
                "io.treestore.stores.prompts"),
            Set.of("transitive io.treestore.spi", "tools.jackson.databind")),
        new Expected("ts-server", "io.treestore.server", Set.of(),
            Set.of("io.treestore.spi", "jdk.httpserver", "java.net.http",
                "tools.jackson.databind", "com.fasterxml.jackson.annotation", "info.picocli", "me.tongfei.progressbar",
                "org.slf4j", "com.github.benmanes.caffeine", "io.prometheus.metrics.core", "io.prometheus.metrics.model",
                "io.prometheus.writer.text", "io.grpc", "io.grpc.stub", "io.grpc.protobuf",
                "io.grpc.services", "io.grpc.netty.shaded", "com.google.protobuf",
                "com.google.protobuf.util", "com.google.common")));
  }

  @Test
  void everyLibraryModuleIsOnTheClassPathAndNoOther() {
    assertEquals(new TreeSet<>(ORDER), new TreeSet<>(modules.keySet()),
        "io.treestore modules found on the class path");
    assertEquals(ORDER, expected().map(Expected::name).toList());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expected")
  void descriptorMatchesTheDesign(Expected e) {
    ModuleReference ref = modules.get(e.name());
    assertNotNull(ref, e.name() + " not found on the class path");
    ModuleDescriptor d = ref.descriptor();
    String where = e.name() + " (" + ref.location().orElse(null) + ")";

    assertFalse(d.isAutomatic(), where + " is an automatic module");
    assertFalse(d.isOpen(), where + " is an open module");
    for (String pkg : d.packages()) {
      assertTrue(pkg.equals(e.name()) || pkg.startsWith(e.name() + "."),
          where + " holds package " + pkg + " outside its root package");
    }

    for (Exports x : d.exports()) {
      assertFalse(x.isQualified(), where + " has a qualified export: " + x);
      assertFalse(isInternal(x.source()), where + " exports an internal package: " + x);
    }
    Set<String> exports = d.exports().stream().map(Exports::source)
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(e.exports()), exports, where + " exports");

    // JSpecify's annotations are needed at compile time only; whether the requirement is
    // also transitive (so that readers of the API see the nullness annotations) is free.
    assertTrue(d.requires().stream().anyMatch(r -> r.name().equals(JSPECIFY)
            && r.modifiers().contains(Requires.Modifier.STATIC)),
        where + " must require " + JSPECIFY + " static (annotations only)");
    Set<String> requires = d.requires().stream()
        .filter(r -> !r.name().equals("java.base") && !r.name().equals(JSPECIFY))
        .map(ModuleDescriptorTest::render)
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(e.requires()), requires, where + " requires");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expected")
  void requiresOnlyLowerModules(Expected e) {
    ModuleReference ref = modules.get(e.name());
    assertNotNull(ref, e.name() + " not found on the class path");
    ModuleDescriptor d = ref.descriptor();
    int self = ORDER.indexOf(e.name());
    for (Requires r : d.requires()) {
      if (r.name().startsWith("io.treestore.")) {
        int other = ORDER.indexOf(r.name());
        assertTrue(other >= 0 && other < self,
            e.name() + " requires " + r.name() + ", which is not a module below it");
      }
    }
  }

  /**
   * A plugin must load from the module path and from the class path, so each service a module
   * {@code provides} must also be listed, with the same implementations, in its jar's
   * {@code META-INF/services} file, and the other way round.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("expected")
  void providesAgreesWithMetaInfServices(Expected e) throws java.io.IOException {
    ModuleReference ref = modules.get(e.name());
    assertNotNull(ref, e.name() + " not found on the class path");
    java.util.Map<String, Set<String>> declared = new java.util.TreeMap<>();
    for (ModuleDescriptor.Provides p : ref.descriptor().provides()) {
      declared.put(p.service(), new TreeSet<>(p.providers()));
    }
    java.util.Map<String, Set<String>> listed = new java.util.TreeMap<>();
    try (java.lang.module.ModuleReader reader = ref.open();
        Stream<String> names = reader.list()) {
      for (String name : names.filter(n -> n.startsWith("META-INF/services/")
          && !n.endsWith("/")).toList()) {
        try (java.io.InputStream in = reader.open(name).orElseThrow()) {
          Set<String> impls = new TreeSet<>();
          for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
              .split("\n")) {
            String l = line.replaceAll("#.*", "").trim();
            if (!l.isEmpty()) {
              impls.add(l);
            }
          }
          listed.put(name.substring("META-INF/services/".length()), impls);
        }
      }
    }
    assertEquals(declared, listed, e.name() + ": module-info provides vs META-INF/services");
  }

  private static boolean isInternal(String pkg) {
    return List.of(pkg.split("\\.")).contains("internal");
  }

  /** Writes a {@code requires} clause as in {@code module-info.java}, without the keyword. */
  private static String render(Requires r) {
    StringBuilder s = new StringBuilder();
    if (r.modifiers().contains(Requires.Modifier.STATIC)) {
      s.append("static ");
    }
    if (r.modifiers().contains(Requires.Modifier.TRANSITIVE)) {
      s.append("transitive ");
    }
    return s.append(r.name()).toString();
  }

  /**
   * Finds the {@code io.treestore.*} modules among the class path entries that carry a
   * {@code module-info.class} at their root.
   */
  private static Map<String, ModuleReference> treeStoreModulesOnClassPath() {
    Map<String, ModuleReference> found = new TreeMap<>();
    try {
      ClassLoader loader = ModuleDescriptorTest.class.getClassLoader();
      for (URL url : Collections.list(loader.getResources("module-info.class"))) {
        String name;
        try (InputStream in = url.openStream()) {
          name = ModuleDescriptor.read(in).name();
        }
        if (!name.startsWith("io.treestore.")) {
          continue;
        }
        Path location = locationOf(url);
        ModuleReference ref = ModuleFinder.of(location).find(name).orElseThrow(
            () -> new AssertionError("module " + name + " not readable at " + location));
        ModuleReference previous = found.put(name, ref);
        if (previous != null) {
          throw new AssertionError("module " + name + " is on the class path twice: "
              + previous.location().orElse(null) + " and " + location);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found;
  }

  /** Returns the jar file or class directory that holds a {@code module-info.class} URL. */
  private static Path locationOf(URL url) {
    try {
      String s = url.toString();
      if (s.startsWith("jar:")) {
        return Path.of(new java.net.URI(s.substring("jar:".length(), s.indexOf("!/"))));
      }
      return Path.of(url.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("unexpected class path URL " + url, e);
    }
  }
}
