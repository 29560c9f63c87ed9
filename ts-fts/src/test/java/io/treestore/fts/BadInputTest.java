package io.treestore.fts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.index.Tuple;
import io.treestore.txn.Database;
import io.treestore.txn.DbSnapshot;
import io.treestore.txn.Transaction;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input gets a clear error and changes nothing: query syntax errors with their position,
 * empty queries, queries of only excluded terms, over-long queries, options out of range, and
 * units the index refuses (undeclared field, over-long key, empty path), after which the
 * transaction's view of the index is unchanged.
 */
class BadInputTest {
  @TempDir Path dir;

  private Database db;
  private final FullTextIndex fts = new FullTextIndex("bad", FullTextOptions.defaults());

  @BeforeEach
  void open() {
    db = Database.open(dir, Bm25OracleTest.fast());
    try (Transaction tx = db.begin()) {
      fts.index(tx, Tuple.of("d", "1"), Unit.of("1", "title", "Revenue growth", "text",
          "Revenue grew 12% in the first quarter."));
      fts.index(tx, Tuple.of("d", "2"), Unit.of("2", "title", "Risks", "text",
          "Interest rate risk and currency risk."));
      tx.commit();
    }
  }

  @AfterEach
  void close() {
    db.close();
  }

  private QuerySyntaxException syntax(String query, int position, String messagePart) {
    try (Transaction tx = db.beginReadOnly()) {
      QuerySyntaxException e = assertThrows(QuerySyntaxException.class,
          () -> fts.search(tx, query, SearchOptions.defaults()), "query '" + query + "'");
      assertEquals(position, e.position(), "position for '" + query + "': " + e.getMessage());
      assertTrue(e.getMessage().contains(messagePart), "message for '" + query + "': "
          + e.getMessage());
      assertTrue(e.getMessage().endsWith("at position " + position), e.getMessage());
      return e;
    }
  }

  @Test
  void syntaxErrorsNameTheProblemAndItsPosition() {
    syntax("revenue \"grew 12", 8, "unclosed phrase");
    syntax("\"", 0, "unclosed phrase");
    syntax("title:\"revenue growth", 6, "unclosed phrase");
    syntax("+", 0, "'+' must be followed by a term");
    syntax("revenue -", 8, "'-' must be followed by a term");
    syntax("revenue + growth", 8, "'+' must be followed by a term");
    syntax("revenue -\tgrowth", 8, "'-' must be followed by a term");
    syntax("title:", 6, "field 'title:' must be followed by a term or phrase");
    syntax("revenue text: growth", 13, "field 'text:' must be followed by a term or phrase");
    syntax("title^0", 6, "boost must be a number above 0 and at most 1000, was '0'");
    syntax("revenue title^x", 14, "was 'x'");
    syntax("title^", 6, "was ''");
    syntax("title^-1", 6, "was '-1'");
    syntax("title^1001", 6, "was '1001'");
    syntax("title^1e3", 6, "was '1e3'");
    syntax("title^0.0", 6, "was '0.0'");
    syntax("+title^2 revenue", 0, "a field boost takes no '+' or '-'");
    syntax("revenue \"\"", 8, "empty phrase");
    syntax("revenue \"   \"", 8, "empty phrase");
    syntax("title:\"\"", 6, "empty phrase");
    syntax("-revenue", 0, "only excluded terms");
    syntax(" -revenue -\"interest rate\" -title:risks", 1, "only excluded terms");
    // the boundary values are accepted
    try (Transaction tx = db.beginReadOnly()) {
      assertEquals(1, fts.search(tx, "revenue title^1000", SearchOptions.defaults()).hits()
          .size());
      assertEquals(1, fts.search(tx, "revenue title^0.000001", SearchOptions.defaults())
          .hits().size());
      // words whose prefix is no field are words: "foo^0" and "foo:" are not errors
      assertEquals(0, fts.search(tx, "heading^0 foo:", SearchOptions.defaults()).hits()
          .size());
    }
  }

  @Test
  void emptyQueriesAreErrorsButStopWordsOnlyFindNothing() {
    syntax("", 0, "empty query");
    syntax("   \t\n ", 0, "empty query");
    syntax("\u0000\u0001", 0, "query has no terms");
    syntax("title^2", 0, "query has no terms"); // only a boost
    try (Transaction tx = db.beginReadOnly()) {
      for (String q : List.of("the of and", "\"the of\"", "title:the", "+the", "a -revenue",
          "!!! ... ,,,", "title^2 the")) {
        SearchResult r = fts.search(tx, q, SearchOptions.defaults());
        assertEquals(List.of(), r.hits(), "'" + q + "'");
        assertEquals(0, r.matched(), "'" + q + "'");
      }
    }
  }

  @Test
  void overLongQueriesAreRefusedNamingTheLimit() {
    try (Transaction tx = db.beginReadOnly()) {
      String ok = "revenue " + "x".repeat(4096 - 8);
      assertEquals(4096, ok.length());
      assertEquals(1, fts.search(tx, ok, SearchOptions.defaults()).hits().size());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> fts.search(tx, ok + " ", SearchOptions.defaults()));
      assertFalse(e instanceof QuerySyntaxException);
      assertEquals("query is 4097 characters, at most 4096", e.getMessage());

      String terms256 = IntStream.range(0, 256).mapToObj(i -> "w" + i)
          .collect(Collectors.joining(" "));
      assertEquals(0, fts.search(tx, terms256, SearchOptions.defaults()).hits().size());
      IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
          () -> fts.search(tx, terms256 + " revenue", SearchOptions.defaults()));
      assertTrue(c.getMessage().contains("256"), c.getMessage());
      // a word of several tokens counts each; duplicates count once
      String many = IntStream.range(0, 129).mapToObj(i -> "a" + i + "-b" + i)
          .collect(Collectors.joining(" "));
      assertThrows(IllegalArgumentException.class, () -> fts.search(tx, many,
          SearchOptions.defaults()));
      String dup = "revenue ".repeat(500);
      assertEquals(1, fts.search(tx, dup, SearchOptions.defaults()).hits().size());
    }
  }

  @Test
  void optionsOutOfRangeAreRefused() {
    SearchOptions d = SearchOptions.defaults();
    assertThrows(IllegalArgumentException.class, () -> d.withLimit(0));
    assertThrows(IllegalArgumentException.class, () -> d.withLimit(-1));
    assertThrows(IllegalArgumentException.class, () -> d.withLimit(SearchOptions.MAX_LIMIT
        + 1));
    assertEquals(SearchOptions.MAX_LIMIT, d.withLimit(SearchOptions.MAX_LIMIT).limit());
    assertEquals("limit must be 1 to 10000, was 0", assertThrows(
        IllegalArgumentException.class, () -> d.withLimit(0)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> d.withSnippetChars(15));
    assertThrows(IllegalArgumentException.class, () -> d.withSnippetChars(10_001));
    assertEquals(16, d.withSnippetChars(16).snippetChars());
    assertThrows(IllegalArgumentException.class, () -> d.withPathPrefix(""));
    assertThrows(NullPointerException.class, () -> new SearchOptions(10, null, null, 200, null,
        "</b>", true));
    try (DbSnapshot s = db.snapshot()) {
      assertThrows(IllegalArgumentException.class, () -> fts.check(s, -1));
    }
    // index options
    FullTextOptions o = FullTextOptions.defaults();
    assertThrows(IllegalArgumentException.class, () -> o.withBm25(-0.1, 0.75));
    assertThrows(IllegalArgumentException.class, () -> o.withBm25(Double.NaN, 0.75));
    assertThrows(IllegalArgumentException.class, () -> o.withBm25(Double.POSITIVE_INFINITY,
        0.75));
    assertThrows(IllegalArgumentException.class, () -> o.withBm25(1.2, 1.01));
    assertThrows(IllegalArgumentException.class, () -> o.withBm25(1.2, -0.01));
    assertThrows(IllegalArgumentException.class, () -> o.withFields(List.of()));
    assertThrows(IllegalArgumentException.class, () -> o.withFields(List.of("a", "a")));
    assertThrows(IllegalArgumentException.class, () -> o.withFields(List.of("a b")));
    assertThrows(IllegalArgumentException.class, () -> o.withFields(IntStream.range(0, 33)
        .mapToObj(i -> "f" + i).toList()));
    assertThrows(IllegalArgumentException.class, () -> new FullTextIndex("", o));
    assertThrows(IllegalArgumentException.class, () -> new FullTextIndex("a:b", o));
    assertThrows(IllegalArgumentException.class, () -> new FullTextIndex("x".repeat(65), o));
  }

  @Test
  void refusedUnitsWriteNothing() {
    int max = db.maxKeySize() - 306;
    try (Transaction tx = db.begin()) {
      // a change earlier in the same transaction stays; the refused calls add nothing
      fts.index(tx, Tuple.of("d", "3"), Unit.of("3", "text", "Cash flow from operations"));
      IndexStatistics stats = fts.statistics(tx);
      List<String> before = Raw.contents(fts, tx);
      assertEquals(new IndexStatistics(3, 17), stats);

      IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
          () -> fts.index(tx, Tuple.of("d", "4"), Unit.of("4", "title", "Fine", "heading",
              "not a field")));
      assertEquals("field 'heading' is not one of the index's fields [title, summary,"
          + " prefix_summary, text]", f.getMessage());
      // replacing an existing unit with an undeclared field leaves the old one
      assertThrows(IllegalArgumentException.class, () -> fts.index(tx, Tuple.of("d", "1"),
          Unit.of("1", "body", "other text")));

      String longest = "k".repeat(max - Tuple.of("").encode().length);
      assertEquals(max, Tuple.of(longest).encode().length);
      IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
          () -> fts.index(tx, Tuple.of(longest + "k"), Unit.of(null, "text", "long key")));
      assertEquals("unit key encodes to " + (max + 1) + " bytes, at most " + max
          + " with this page size", k.getMessage());
      assertThrows(IllegalArgumentException.class, () -> fts.index(tx, Tuple.of("d", "5"),
          Unit.of("", "text", "empty path")));
      assertThrows(NullPointerException.class, () -> fts.index(tx, Tuple.of("d", "6"), null));

      assertEquals(stats, fts.statistics(tx));
      assertEquals(before, Raw.contents(fts, tx));
      assertTrue(fts.check(tx, 10).ok(), fts.check(tx, 10).toString());
      assertNull(fts.unit(tx, Tuple.of("d", "4")));
      assertEquals("Revenue growth", fts.unit(tx, Tuple.of("d", "1")).fields().get("title"));

      // the longest key allowed works, including with a term of the longest key form
      String longTerm = "t".repeat(255);
      fts.index(tx, Tuple.of(longest), Unit.of(null, "text", "long key " + longTerm));
      assertEquals(1, fts.search(tx, longTerm, SearchOptions.defaults()).hits().size());
      assertTrue(fts.check(tx, 10).ok(), fts.check(tx, 10).toString());
      tx.commit();
    }
    try (Transaction tx = db.beginReadOnly()) {
      assertEquals(new IndexStatistics(4, 20), fts.statistics(tx));
      assertTrue(fts.check(tx, 10).ok());
    }
  }

  @Test
  void anIndexIsRefusedWithAnotherAnalyzerOrOtherFields() {
    FullTextIndex other = new FullTextIndex("bad", FullTextOptions.defaults().withFields(
        List.of("title", "text")));
    try (Transaction tx = db.begin()) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> other.search(tx, "revenue", SearchOptions.defaults()));
      assertEquals("full-text index bad was built with " + Tuple.of("blocks-1", "standard", 0L,
          "title", "summary", "prefix_summary", "text") + " (layout, analyzer, group elements,"
          + " fields...), not " + Tuple.of("blocks-1", "standard", 0L, "title", "text"),
          e.getMessage());
      List<String> before = Raw.contents(fts, tx);
      assertThrows(IllegalStateException.class, () -> other.index(tx, Tuple.of("d", "9"),
          Unit.of(null, "text", "x")));
      assertThrows(IllegalStateException.class, () -> other.remove(tx, Tuple.of("d", "1")));
      assertEquals(before, Raw.contents(fts, tx));
    }
    // the configuration stored under the plain ("config") key is honoured as well
    FullTextIndex fresh = new FullTextIndex("fresh", FullTextOptions.defaults());
    try (Transaction tx = db.begin()) {
      tx.put(fresh.keyspaces().get(3), Tuple.of("config").encode(), Tuple.of("blocks-1",
          "standard", 0L, "text").encode());
      assertThrows(IllegalStateException.class, () -> fresh.index(tx, Tuple.of(1L),
          Unit.of(null, "text", "x")));
      // another grouping is another index
      tx.put(fresh.keyspaces().get(3), Tuple.of("config").encode(), Tuple.of("blocks-1",
          "standard", 1L, "title", "summary", "prefix_summary", "text").encode());
      assertThrows(IllegalStateException.class, () -> fresh.index(tx, Tuple.of(1L),
          Unit.of(null, "text", "x")));
      // an index written by an earlier release, one posting per key, is refused by name
      tx.put(fresh.keyspaces().get(3), Tuple.of("config").encode(), Tuple.of("standard",
          "title", "summary", "prefix_summary", "text").encode());
      IllegalStateException old = assertThrows(IllegalStateException.class,
          () -> fresh.search(tx, "x", SearchOptions.defaults()));
      assertEquals("full-text index fresh was written by an earlier release, with one posting"
          + " per key (configuration " + Tuple.of("standard", "title", "summary",
          "prefix_summary", "text") + "); this release reads block postings only: rebuild the"
          + " index by indexing its units again into a new database", old.getMessage());
      tx.put(fresh.keyspaces().get(3), Tuple.of("config").encode(), Tuple.of("blocks-1",
          "standard", 0L, "title", "summary", "prefix_summary", "text").encode());
      fresh.index(tx, Tuple.of(1L), Unit.of(null, "text", "x"));
      assertEquals(3, Raw.count(tx, fresh.keyspaces().get(3)), "the configuration, N and the"
          + " token total: no second configuration key");
    }
  }
}
