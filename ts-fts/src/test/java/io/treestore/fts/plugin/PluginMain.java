package io.treestore.fts.plugin;

import io.treestore.fts.Analyzer;
import io.treestore.fts.Analyzers;
import io.treestore.fts.FullTextIndex;
import io.treestore.fts.FullTextOptions;
import io.treestore.fts.Hit;
import io.treestore.fts.SearchOptions;
import io.treestore.fts.Unit;
import io.treestore.index.Tuple;
import io.treestore.txn.Database;
import io.treestore.txn.DatabaseOptions;
import io.treestore.txn.Transaction;
import io.treestore.wal.Durability;
import java.nio.file.Path;
import java.util.List;

/**
 * Run by {@code AnalyzerSpiTest} in a JVM where ts-fts is a named module on the module path
 * and this package is an ordinary plugin on the class path (as a plugin jar would be): finds
 * the plugin through {@link Analyzers}, indexes and searches with it, and prints
 * {@code key=value} lines for the parent to check.
 */
public final class PluginMain {
  private PluginMain() {}

  /**
   * Runs the scenario.
   *
   * @param args the database directory
   */
  public static void main(String[] args) {
    System.out.println("available=" + Analyzers.available().keySet());
    Analyzer a = Analyzers.find(KeepCaseAnalyzer.NAME);
    System.out.println("found=" + a.getClass().getName() + " named-module="
        + a.getClass().getModule().isNamed());
    try {
      Analyzers.find("no-such-analyzer");
      System.out.println("unknown=no error");
    } catch (IllegalArgumentException e) {
      System.out.println("unknown=" + e.getMessage());
    }
    FullTextOptions keep = new FullTextOptions(KeepCaseAnalyzer.NAME, List.of("text"), 1.2,
        0.75);
    FullTextIndex fts = new FullTextIndex("plug", keep);
    System.out.println("index-analyzer=" + fts.analyzer().name());
    try (Database db = Database.open(Path.of(args[0]),
        DatabaseOptions.defaults().withDurability(Durability.NONE))) {
      try (Transaction tx = db.begin()) {
        fts.index(tx, Tuple.of("u1"), Unit.of(null, "text", "The Cat sat"));
        fts.index(tx, Tuple.of("u2"), Unit.of(null, "text", "the cat"));
        fts.index(tx, Tuple.of("u3"), Unit.of(null, "text", "THE CAT, the end"));
        tx.commit();
      }
      try (Transaction tx = db.beginReadOnly()) {
        for (String q : List.of("The", "the", "cat", "CAT,", "\"The Cat\"", "+the -cat")) {
          List<Hit> hits = fts.search(tx, q, SearchOptions.defaults()).hits();
          System.out.println("search " + q + "=" + hits.stream()
              .map(h -> h.unitKey().getString(0)).toList());
        }
        System.out.println("statistics=" + fts.statistics(tx));
        System.out.println("check=" + fts.check(tx, 10).ok());
        try {
          new FullTextIndex("plug", FullTextOptions.defaults().withFields(List.of("text")))
              .search(tx, "cat", SearchOptions.defaults());
          System.out.println("other-analyzer=no error");
        } catch (IllegalStateException e) {
          System.out.println("other-analyzer=" + e.getMessage());
        }
      }
    }
    System.out.println("done");
  }
}
