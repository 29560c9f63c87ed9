package io.treestore.fts;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Finds {@link Analyzer}s by name with {@link ServiceLoader}: those a module on the module
 * path {@code provides}, and those listed in {@code META-INF/services/io.treestore.fts.Analyzer}
 * of a jar on the class path. The {@code standard} analyzer is always present.
 *
 * <p>Thread-safe. Each call loads the providers afresh (cheap; callers keep the analyzer).
 */
public final class Analyzers {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private Analyzers() {}

  /**
   * Returns every analyzer found, by name.
   *
   * @return a sorted map; when two providers use one name, the first found wins
   * @throws java.util.ServiceConfigurationError if a provider cannot be loaded
   */
  public static Map<String, Analyzer> available() {
    Map<String, Analyzer> out = new TreeMap<>();
    out.put(StandardAnalyzer.NAME, new StandardAnalyzer());
    for (Analyzer a : ServiceLoader.load(Analyzer.class, Analyzers.class.getClassLoader())) {
      if (NAME.matcher(a.name()).matches()) {
        out.putIfAbsent(a.name(), a);
      }
    }
    return out;
  }

  /**
   * Returns the analyzer of a name.
   *
   * @param name the name, such as {@code standard}
   * @return the analyzer
   * @throws IllegalArgumentException if no analyzer has that name; the message lists those
   *     available
   */
  public static Analyzer find(String name) {
    if (StandardAnalyzer.NAME.equals(name)) {
      return new StandardAnalyzer();
    }
    Map<String, Analyzer> all = available();
    Analyzer a = all.get(name);
    if (a == null) {
      throw new IllegalArgumentException("no analyzer named '" + name + "'; available: "
          + all.keySet());
    }
    return a;
  }
}
