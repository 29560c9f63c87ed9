package io.treestore.fts;

import io.treestore.btree.Entry;
import io.treestore.btree.Range;
import io.treestore.fts.internal.Keys;
import io.treestore.fts.internal.ParsedQuery;
import io.treestore.fts.internal.Posting;
import io.treestore.fts.internal.PostingBlock;
import io.treestore.fts.internal.PostingWriter;
import io.treestore.fts.internal.Searcher;
import io.treestore.fts.internal.Snippets;
import io.treestore.index.IndexCheckReport;
import io.treestore.index.IndexProblem;
import io.treestore.index.Tuple;
import io.treestore.txn.ReadView;
import io.treestore.txn.ScanIterator;
import io.treestore.txn.Transaction;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A durable BM25 full-text index kept in the database's keyspaces and updated in the caller's
 * transactions: a search sees exactly the units committed before its read view (plus, in a
 * transaction, that transaction's own changes), never half of an update, and statistics
 * that agree with the postings.
 *
 * <pre>{@code
 * FullTextIndex fts = new FullTextIndex("nodes", FullTextOptions.defaults());
 * try (Transaction tx = db.begin()) {
 *   fts.index(tx, Tuple.of("annual-report", "v1", "0007"),
 *       Unit.of("1.2", "title", "Revenue", "text", "Revenue grew 12%..."));
 *   tx.commit();
 * }
 * try (Transaction tx = db.beginReadOnly()) {
 *   SearchResult r = fts.search(tx, "+revenue \"grew 12\" title^2", SearchOptions.defaults());
 * }
 * }</pre>
 *
 * <p>What is stored (keyspaces {@code fts:<name>:units|postings|df|stats}): per unit its
 * texts, path and length; per (term, unit) a posting with the unit's length and path, the
 * term frequency per field and the positions; per term its document frequency; N and the
 * total token count. The counters are merge operands ({@code int64-add}), so concurrent
 * transactions that index different units never conflict. The units' texts are kept so that
 * an update can remove the old postings and hits can carry snippets.
 *
 * <p>Queries: words (OR), {@code +required}, {@code -excluded}, {@code "exact phrase"},
 * {@code field:word}, {@code field:"phrase"} and field boosts {@code field^2}; see
 * {@link #search}. Scores are BM25 exactly as the design states (see
 * {@link io.treestore.fts.internal.Searcher} for formulas and sources).
 *
 * <p>Immutable and thread-safe; transactions follow their own rules.
 */
public final class FullTextIndex {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  /** The posting layout, the first element of the stored configuration. */
  private static final String LAYOUT = "blocks-1";

  private final String name;
  private final FullTextOptions options;
  private final Analyzer analyzer;
  private final Keys keys;
  private final byte[] config;

  /**
   * Describes an index; nothing is read or written until it is used.
   *
   * @param name 1 to 64 ASCII letters, digits, {@code _ . -}
   * @param options analyzer, fields and BM25 parameters
   * @throws IllegalArgumentException if the name is invalid or the analyzer is unknown
   */
  public FullTextIndex(String name, FullTextOptions options) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("full-text index name must be 1 to 64 of"
          + " [A-Za-z0-9_.-], was '" + name + "'");
    }
    this.name = name;
    this.options = Objects.requireNonNull(options, "options");
    this.analyzer = Analyzers.find(options.analyzer());
    this.keys = Keys.of(name);
    List<Object> c = new ArrayList<>();
    c.add(LAYOUT);
    c.add(analyzer.name());
    c.add((long) options.groupElements());
    c.addAll(options.fields());
    this.config = Tuple.fromList(c).encode();
  }

  /**
   * Returns the index name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the options.
   *
   * @return the options given at construction
   */
  public FullTextOptions options() {
    return options;
  }

  /**
   * Returns the analyzer.
   *
   * @return the analyzer named in the options
   */
  public Analyzer analyzer() {
    return analyzer;
  }

  /**
   * Returns the keyspaces the index uses.
   *
   * @return units, postings, df, stats and groups keyspace names
   */
  public List<String> keyspaces() {
    return List.of(keys.units(), keys.postings(), keys.df(), keys.stats(), keys.groups());
  }

  private void checkConfig(ReadView view, @Nullable Transaction tx) {
    // Stored under ("config") or ("config", nonce): a transaction that finds none writes its
    // own key, so that concurrent first ingests into an empty index never write the same key
    // (they would conflict); every copy must agree.
    boolean found = false;
    try (ScanIterator it = view.scan(keys.stats(), Range.prefix(Keys.CONFIG))) {
      while (it.hasNext()) {
        byte[] c = it.next().value();
        if (!Arrays.equals(c, config)) {
          Tuple stored = Tuple.decode(c);
          if (stored.size() == 0 || !LAYOUT.equals(stored.get(0))) {
            throw new IllegalStateException("full-text index " + name + " was written by an"
                + " earlier release, with one posting per key (configuration " + stored
                + "); this release reads block postings only: rebuild the index by indexing"
                + " its units again into a new database");
          }
          throw new IllegalStateException("full-text index " + name + " was built with "
              + stored + " (layout, analyzer, group elements, fields...), not "
              + Tuple.decode(config));
        }
        found = true;
      }
    }
    if (!found && tx != null) {
      byte[] nonce = new byte[16];
      ThreadLocalRandom.current().nextBytes(nonce);
      tx.put(keys.stats(), Tuple.of("config", nonce).encode(), config);
    }
  }

  // ------------------------------------------------------------------ analysis

  /** A unit's analysis: joined text, tokens, and per term the posting. */
  private record Analysis(List<Token> tokens, Map<String, Posting> postings) {}

  /** One term's occurrences in a unit: frequency per field and positions, ascending. */
  private static final class Occurrences {
    final int[] tf;
    int[] positions = new int[4];
    int count;

    Occurrences(int fields) {
      tf = new int[fields];
    }

    void add(int field, int position) {
      tf[field]++;
      if (count == positions.length) {
        positions = Arrays.copyOf(positions, count * 2);
      }
      positions[count++] = position;
    }
  }

  /**
   * Joins a unit's texts in field order with a line break between them, as they are analyzed;
   * {@code spans}, if given, receives {field, start, end} of each text in the result.
   */
  private static String join(Map<Integer, String> texts, @Nullable List<int[]> spans) {
    if (texts.size() == 1 && spans == null) {
      return texts.values().iterator().next();
    }
    StringBuilder sb = new StringBuilder();
    boolean first = true;
    for (Map.Entry<Integer, String> e : texts.entrySet()) {
      if (!first) {
        sb.append('\n');
      }
      first = false;
      int start = sb.length();
      sb.append(e.getValue());
      if (spans != null) {
        spans.add(new int[] {e.getKey(), start, sb.length()});
      }
    }
    return sb.toString();
  }

  private Analysis analyze(Map<Integer, String> texts, @Nullable String path) {
    List<int[]> spans = new ArrayList<>();
    String text = join(texts, spans);
    List<Token> tokens = analyzer.analyze(text);
    int nf = options.fields().size();
    // sized for every token distinct, so that neither map is ever resized
    Map<String, Occurrences> terms = HashMap.newHashMap(tokens.size());
    int span = 0;
    int field = spans.isEmpty() ? 0 : spans.get(0)[0];
    int spanEnd = spans.isEmpty() ? Integer.MAX_VALUE : spans.get(0)[2];
    for (Token t : tokens) {
      while (span < spans.size() - 1 && t.start() >= spanEnd) {
        span++;
        field = spans.get(span)[0];
        spanEnd = spans.get(span)[2];
      }
      Occurrences o = terms.get(t.term());
      if (o == null) {
        o = new Occurrences(nf);
        terms.put(t.term(), o);
      }
      o.add(field, t.position());
    }
    Map<String, Posting> out = HashMap.newHashMap(terms.size());
    for (Map.Entry<String, Occurrences> e : terms.entrySet()) {
      // positions are grouped by field, then ascending: fields occupy ascending position
      // ranges because texts are joined in field order
      Occurrences o = e.getValue();
      out.put(e.getKey(), new Posting(path, tokens.size(), o.tf, Arrays.copyOf(o.positions,
          o.count)));
    }
    return new Analysis(tokens, out);
  }

  private Map<Integer, String> fieldTexts(Unit unit) {
    Map<Integer, String> texts = new TreeMap<>();
    for (Map.Entry<String, String> e : unit.fields().entrySet()) {
      int f = options.fields().indexOf(e.getKey());
      if (f < 0) {
        throw new IllegalArgumentException("field '" + e.getKey() + "' is not one of the"
            + " index's fields " + options.fields());
      }
      texts.put(f, e.getValue());
    }
    return texts;
  }

  private record Stored(@Nullable String path, long dl, Map<Integer, String> texts) {}

  private static byte[] encodeUnit(@Nullable String path, long dl, Map<Integer, String> texts) {
    List<Object> fields = new ArrayList<>();
    for (Map.Entry<Integer, String> e : texts.entrySet()) {
      fields.add((long) e.getKey());
      fields.add(e.getValue());
    }
    return Tuple.of(path, dl, Tuple.fromList(fields)).encode();
  }

  private Stored decodeUnit(byte[] bytes) {
    Tuple t = Tuple.decode(bytes);
    if (t.size() != 3 || t.type(1) != Tuple.Type.INT64 || t.type(2) != Tuple.Type.TUPLE
        || (t.type(0) != Tuple.Type.NULL && t.type(0) != Tuple.Type.STRING)) {
      throw new IllegalArgumentException("unit record of index " + name + " is malformed: "
          + t);
    }
    Tuple f = t.getTuple(2);
    Map<Integer, String> texts = new TreeMap<>();
    for (int i = 0; i + 1 < f.size(); i += 2) {
      long idx = f.getLong(i);
      if (idx < 0 || idx >= options.fields().size()) {
        throw new IllegalArgumentException("unit record of index " + name
            + " names field " + idx + " of " + options.fields().size());
      }
      texts.put((int) idx, f.getString(i + 1));
    }
    return new Stored(t.type(0) == Tuple.Type.NULL ? null : t.getString(0), t.getLong(1), texts);
  }

  // ------------------------------------------------------------------ writes

  /**
   * Adds a unit, or replaces the unit indexed under the same key, in a transaction. To index
   * many units of one group (see {@link FullTextOptions#groupElements()}), use
   * {@link #indexAll}: it writes each posting block once.
   *
   * @param tx a read-write transaction
   * @param unitKey the unit's key; its encoding must leave room for a term in a posting key
   *     ({@link io.treestore.txn.Database#maxKeySize()} minus 306 bytes)
   * @param unit the texts and path
   * @return {@code true} if a unit was replaced
   * @throws IllegalArgumentException if the key is too long, a field is not declared or the
   *     path is empty; nothing is written
   * @throws IllegalStateException if the stored index was built with other options, or a
   *     posting block it reads is corrupt
   */
  public boolean index(Transaction tx, Tuple unitKey, Unit unit) {
    Objects.requireNonNull(unitKey, "unitKey");
    Objects.requireNonNull(unit, "unit");
    return indexAll(tx, Map.of(unitKey, unit)) == 1;
  }

  /** A unit to index, checked. */
  private record Prepared(Tuple key, byte[] encoded, Unit unit, Map<Integer, String> texts) {}

  /**
   * Adds or replaces units in a transaction, as {@link #index} does for each, writing each
   * posting block they touch once. Every unit is checked before anything is written.
   *
   * @param tx a read-write transaction
   * @param units the units by key (keys as for {@link #index})
   * @return how many units were replaced
   * @throws IllegalArgumentException if a key is too long, a field is not declared or a path
   *     is empty; nothing is written
   * @throws IllegalStateException if the stored index was built with other options, or a
   *     posting block it reads is corrupt
   */
  public int indexAll(Transaction tx, Map<Tuple, Unit> units) {
    List<Prepared> prepared = new ArrayList<>(units.size());
    for (Map.Entry<Tuple, Unit> e : units.entrySet()) {
      Tuple key = Objects.requireNonNull(e.getKey(), "unit key");
      Unit unit = Objects.requireNonNull(e.getValue(), "unit");
      byte[] uk = checkKey(tx, key);
      if (unit.path() != null && unit.path().isEmpty()) {
        throw new IllegalArgumentException("unit path must not be empty (use null for none)");
      }
      prepared.add(new Prepared(key, uk, unit, fieldTexts(unit)));
    }
    if (prepared.isEmpty()) {
      return 0;
    }
    checkConfig(tx, tx);
    // in key order, so that each term's changes are collected sorted
    prepared.sort((a, b) -> Arrays.compareUnsigned(a.encoded(), b.encoded()));
    Changes changes = new Changes();
    int replaced = 0;
    for (Prepared p : prepared) {
      Analysis now = analyze(p.texts(), p.unit().path());
      byte[] oldBytes = tx.get(keys.units(), p.encoded());
      Map<String, Posting> before = Map.of();
      long oldDl = 0;
      if (oldBytes != null) {
        Stored old = decodeUnit(oldBytes);
        before = analyze(old.texts(), old.path()).postings();
        oldDl = old.dl();
        replaced++;
      } else {
        changes.units++;
      }
      int group = groupLength(p.key(), p.encoded());
      changes.touch(p.encoded(), group);
      for (String term : before.keySet()) {
        if (!now.postings().containsKey(term)) {
          changes.add(term, new PostingWriter.Change(p.encoded(), group, null), -1);
        }
      }
      for (Map.Entry<String, Posting> e : now.postings().entrySet()) {
        byte[] posting = e.getValue().encode();
        Posting old = before.get(e.getKey());
        if (old == null) {
          changes.add(e.getKey(), new PostingWriter.Change(p.encoded(), group, posting), 1);
        } else if (!Arrays.equals(old.encode(), posting)) {
          changes.add(e.getKey(), new PostingWriter.Change(p.encoded(), group, posting), 0);
        }
      }
      changes.tokens += now.tokens().size() - oldDl;
      tx.put(keys.units(), p.encoded(), encodeUnit(p.unit().path(), now.tokens().size(),
          p.texts()));
    }
    changes.write(tx);
    return replaced;
  }

  /** The length of a unit key's group prefix in its encoding, or -1 if it has no group. */
  private int groupLength(Tuple key, byte[] encoded) {
    int g = options.groupElements();
    if (g == 0 || key.size() <= g) {
      return -1;
    }
    // a tuple's encoding starts with the encoding of its first elements
    return Tuple.prefixLength(encoded, g);
  }

  /** One term's posting changes, in unit-key order, and its document-frequency change. */
  private static final class TermChanges {
    final List<PostingWriter.Change> changes = new ArrayList<>(4);
    long df;
  }

  /**
   * A transaction's changes to postings, document frequencies and statistics. Units must be
   * added in ascending key order (unsigned bytes), so that each term's changes are sorted.
   */
  private final class Changes {
    private final Map<String, TermChanges> terms = new HashMap<>();
    private final Set<ByteBuffer> groups = new HashSet<>();
    long units;
    long tokens;

    void touch(byte[] unit, int group) {
      if (group >= 0) {
        groups.add(ByteBuffer.wrap(Arrays.copyOf(unit, group)));
      }
    }

    void add(String term, PostingWriter.Change change, int dfDelta) {
      TermChanges t = terms.get(term);
      if (t == null) {
        t = new TermChanges();
        terms.put(term, t);
      }
      t.changes.add(change);
      t.df += dfDelta;
    }

    void write(Transaction tx) {
      // a group without a marker has no units, hence no blocks to merge with
      Set<ByteBuffer> fresh = new HashSet<>();
      for (ByteBuffer g : groups) {
        if (tx.get(keys.groups(), g.array()) == null) {
          fresh.add(g);
        }
      }
      PostingWriter writer = new PostingWriter(tx, keys.postings(), fresh);
      List<Map.Entry<String, TermChanges>> sorted = new ArrayList<>(terms.entrySet());
      // in term order, so that the blocks are read and written in key order
      sorted.sort(Map.Entry.comparingByKey());
      for (Map.Entry<String, TermChanges> e : sorted) {
        byte[] tk = Keys.term(e.getKey());
        TermChanges t = e.getValue();
        writer.apply(tk, t.changes);
        if (t.df != 0) {
          tx.add(keys.df(), tk, t.df);
        }
      }
      for (ByteBuffer g : groups) {
        byte[] prefix = g.array();
        byte[] upper = Range.prefix(prefix).upper();
        boolean live;
        try (ScanIterator it = tx.scan(keys.units(), upper == null
            ? Range.greaterThan(prefix) : Range.between(prefix, false, upper, false))) {
          live = it.hasNext();
        }
        if (live) {
          tx.put(keys.groups(), prefix, new byte[0]);
        } else {
          tx.delete(keys.groups(), prefix);
        }
      }
      if (units != 0) {
        tx.add(keys.stats(), Keys.UNITS, units);
      }
      if (tokens != 0) {
        tx.add(keys.stats(), Keys.TOKENS, tokens);
      }
    }
  }

  private static byte[] checkKey(Transaction tx, Tuple unitKey) {
    byte[] uk = unitKey.encode();
    int max = tx.database().maxKeySize() - Keys.MAX_TERM_KEY_BYTES;
    if (uk.length > max) {
      throw new IllegalArgumentException("unit key encodes to " + uk.length
          + " bytes, at most " + max + " with this page size");
    }
    return uk;
  }

  /**
   * Removes a unit and its postings in a transaction.
   *
   * @param tx a read-write transaction
   * @param unitKey the unit's key
   * @return {@code true} if the unit was indexed (nothing is written otherwise)
   * @throws IllegalStateException if the stored index was built with other options, or a
   *     posting block it reads is corrupt
   */
  public boolean remove(Transaction tx, Tuple unitKey) {
    Objects.requireNonNull(unitKey, "unitKey");
    return removeAll(tx, List.of(unitKey)) == 1;
  }

  /**
   * Removes units and their postings in a transaction, writing each posting block they touch
   * once. Keys of units that are not indexed are ignored.
   *
   * @param tx a read-write transaction
   * @param unitKeys the units' keys
   * @return how many of them were indexed (nothing is written if none was)
   * @throws IllegalStateException if the stored index was built with other options, or a
   *     posting block it reads is corrupt
   */
  public int removeAll(Transaction tx, Collection<Tuple> unitKeys) {
    List<Map.Entry<byte[], Tuple>> ordered = new ArrayList<>(unitKeys.size());
    for (Tuple key : unitKeys) {
      ordered.add(Map.entry(Objects.requireNonNull(key, "unit key").encode(), key));
    }
    // in key order, so that each term's changes are collected sorted
    ordered.sort((a, b) -> Arrays.compareUnsigned(a.getKey(), b.getKey()));
    Changes changes = new Changes();
    int removed = 0;
    for (Map.Entry<byte[], Tuple> k : ordered) {
      byte[] uk = k.getKey();
      Tuple key = k.getValue();
      byte[] oldBytes = tx.get(keys.units(), uk);
      if (oldBytes == null) {
        continue;
      }
      if (removed == 0) {
        checkConfig(tx, null);
      }
      removed++;
      Stored old = decodeUnit(oldBytes);
      int group = groupLength(key, uk);
      changes.touch(uk, group);
      Set<String> terms = new HashSet<>();
      for (Token t : analyzer.analyze(join(old.texts(), null))) {
        if (terms.add(t.term())) {
          changes.add(t.term(), new PostingWriter.Change(uk, group, null), -1);
        }
      }
      changes.units--;
      changes.tokens -= old.dl();
      tx.delete(keys.units(), uk);
    }
    changes.write(tx);
    return removed;
  }

  // ------------------------------------------------------------------ reads

  /**
   * Reads an indexed unit back.
   *
   * @param view a transaction or snapshot
   * @param unitKey the unit's key
   * @return the unit, or {@code null} if none is indexed under the key
   * @throws IllegalArgumentException if the stored record is malformed
   */
  public @Nullable Unit unit(ReadView view, Tuple unitKey) {
    byte[] b = view.get(keys.units(), unitKey.encode());
    if (b == null) {
      return null;
    }
    Stored s = decodeUnit(b);
    Map<String, String> fields = new LinkedHashMap<>();
    s.texts().forEach((f, t) -> fields.put(options.fields().get(f), t));
    return new Unit(fields, s.path());
  }

  /**
   * Returns the collection statistics.
   *
   * @param view a transaction or snapshot
   * @return N and the total token count
   */
  public IndexStatistics statistics(ReadView view) {
    return new IndexStatistics(Searcher.counter(view, keys.stats(), Keys.UNITS),
        Searcher.counter(view, keys.stats(), Keys.TOKENS));
  }

  /**
   * Returns a term's document frequency.
   *
   * @param view a transaction or snapshot
   * @param term an analyzed term (as the analyzer produces it)
   * @return the number of units containing it
   */
  public long documentFrequency(ReadView view, String term) {
    return Searcher.counter(view, keys.df(), Keys.term(term));
  }

  /**
   * Searches.
   *
   * <p>Query syntax (whitespace separates clauses): {@code word} (optional: a unit needs at
   * least one optional or required clause), {@code +word} (required), {@code -word}
   * (excluded), {@code "a phrase"} (the words at their relative positions; may take
   * {@code +}/{@code -}), {@code field:word} and {@code field:"a phrase"} (only occurrences in
   * that field count), {@code field^2} (occurrences in that field weigh 2; weights above 0 up
   * to 1000). Words are analyzed like the texts, so stop words vanish and a query of only
   * stop words finds nothing (it is not an error). A phrase scores
   * {@code Σ idf(t) · pf / (pf + k1 · norm)} over its distinct terms, {@code pf} being the
   * number of places the phrase occurs.
   *
   * @param view a transaction or snapshot (a search in a transaction sees its own changes)
   * @param query the query, at most 4,096 chars and 256 clauses
   * @param searchOptions limit, filters, snippet shape, pruning
   * @return the hits, best first, ties by unit key
   * @throws QuerySyntaxException if the query is empty, has only excluded clauses, or does
   *     not parse (the message gives the position)
   * @throws IllegalArgumentException if the query is too long
   * @throws IllegalStateException if the stored index was built with another analyzer or
   *     fields
   */
  public SearchResult search(ReadView view, String query, SearchOptions searchOptions) {
    return search(view, query, searchOptions, null);
  }

  /**
   * Searches, keeping only the units a filter accepts, as {@link #search(ReadView, String,
   * SearchOptions)} does otherwise. The filter runs on each candidate before it is scored, so
   * the top hits are exact among the accepted units (for example: every document, each at
   * the version in effect on a date).
   *
   * @param view a transaction or snapshot
   * @param query the query
   * @param searchOptions limit, filters, snippet shape, pruning
   * @param unitFilter decides on a unit key, or {@code null} for all
   * @return the hits, best first, ties by unit key
   * @throws QuerySyntaxException if the query does not parse
   * @throws IllegalArgumentException if the query is too long
   * @throws IllegalStateException if the stored index was built with another analyzer or
   *     fields
   */
  public SearchResult search(ReadView view, String query, SearchOptions searchOptions,
      java.util.function.@Nullable Predicate<Tuple> unitFilter) {
    return run(view, query, searchOptions, unitFilter == null ? null
        : uk -> unitFilter.test(Tuple.decode(uk)));
  }

  /**
   * Searches, keeping only units whose group passes a filter: as {@link #search(ReadView,
   * String, SearchOptions, java.util.function.Predicate)} with a filter that depends only on
   * a unit key's first {@link FullTextOptions#groupElements()} elements. The filter is asked
   * once for a run of candidates of the same group (candidates come in key order, so a
   * group's units come one after another), and a unit key is decoded only when its group
   * differs from the last one's: a search over many units of few groups skips most of the
   * decoding. A unit key with no more elements than that is its own group.
   *
   * @param view a transaction or snapshot (a search in a transaction sees its own changes)
   * @param query the query
   * @param searchOptions limit, filters, snippet shape, pruning
   * @param groupFilter decides on a group: the tuple of a unit key's first elements
   * @return the hits, best first, ties by unit key
   * @throws QuerySyntaxException if the query does not parse
   * @throws IllegalArgumentException if the query is too long
   * @throws IllegalStateException if the index is not grouped ({@code groupElements} 0), or
   *     the stored index was built with another analyzer or fields
   */
  public SearchResult searchGroups(ReadView view, String query, SearchOptions searchOptions,
      java.util.function.Predicate<Tuple> groupFilter) {
    Objects.requireNonNull(groupFilter, "groupFilter");
    int g = options.groupElements();
    if (g == 0) {
      throw new IllegalStateException("full-text index " + name + " is not grouped; use a "
          + "unit filter");
    }
    return run(view, query, searchOptions, new java.util.function.Predicate<byte[]>() {
      private byte @Nullable [] group;
      private boolean verdict;

      @Override
      public boolean test(byte[] uk) {
        byte[] last = group;
        // The encoding is self-delimiting: a key that starts with a group's encoding has
        // that group's elements first.
        if (last != null && uk.length >= last.length
            && Arrays.equals(uk, 0, last.length, last, 0, last.length)) {
          return verdict;
        }
        int length = Tuple.prefixLength(uk, g);
        if (length < uk.length) {
          // more elements than the group's: decode only the group
          group = Arrays.copyOf(uk, length);
          verdict = groupFilter.test(Tuple.decode(uk, 0, length));
          return verdict;
        }
        Tuple key = Tuple.decode(uk);
        // a key shorter than a group is no group's prefix: nothing to remember
        group = key.size() < g ? null : uk;
        verdict = groupFilter.test(key);
        return verdict;
      }
    });
  }

  private SearchResult run(ReadView view, String query, SearchOptions searchOptions,
      java.util.function.@Nullable Predicate<byte[]> rawFilter) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(searchOptions, "searchOptions");
    ParsedQuery q = ParsedQuery.parse(query, analyzer, options.fields());
    checkConfig(view, null);
    Searcher.Outcome o = new Searcher(view, keys, options.fields().size(), options.k1(),
        options.b(), q.boosts()).run(q, searchOptions, rawFilter);
    Set<String> terms = new HashSet<>();
    for (ParsedQuery.Clause c : q.clauses()) {
      if (c.occur() != ParsedQuery.Occur.MUST_NOT) {
        terms.addAll(c.terms());
      }
    }
    List<Hit> hits = new ArrayList<>();
    for (Searcher.Scored s : o.hits()) {
      byte[] b = view.get(keys.units(), s.unit());
      if (b == null) {
        throw new IllegalStateException("full-text index " + name + ": posting for missing unit "
            + Tuple.decode(s.unit()) + "; run a check");
      }
      // A snippet needs the matched tokens only, not the postings an update builds.
      String text = join(decodeUnit(b).texts(), null);
      hits.add(new Hit(Tuple.decode(s.unit()), s.score(), s.path(), Snippets.make(text,
          analyzer.analyzeMatching(text, terms), terms, searchOptions.snippetChars(),
          searchOptions.markStart(), searchOptions.markEnd())));
    }
    return new SearchResult(hits, o.matched(), o.postingsScored());
  }

  // ------------------------------------------------------------------ check

  /**
   * Verifies that postings, document frequencies and statistics agree with the indexed
   * units: every unit's analysis has exactly its postings (same path, length, frequencies
   * and positions), no posting exists without its unit and term, every df equals the number
   * of postings of its term, and N and the token total equal the sums over the units. Posting
   * blocks must be well formed (count, order, last key, units of one group), and the group
   * markers must be exactly those of the groups that have units.
   *
   * @param view a transaction or snapshot (use a snapshot for a large index)
   * @param maxProblems how many problems to keep in the report (all are counted)
   * @return the report ({@code records} = units, {@code entries} = postings)
   * @throws IllegalArgumentException if {@code maxProblems} is negative
   */
  public IndexCheckReport check(ReadView view, int maxProblems) {
    if (maxProblems < 0) {
      throw new IllegalArgumentException("maxProblems must be >= 0, was " + maxProblems);
    }
    List<IndexProblem> problems = new ArrayList<>();
    long[] count = {0};
    java.util.function.Consumer<IndexProblem> report = p -> {
      count[0]++;
      if (problems.size() < maxProblems) {
        problems.add(p);
      }
    };
    Map<ByteBuffer, byte[]> expected = new HashMap<>();
    Map<ByteBuffer, Long> df = new HashMap<>();
    long units = 0;
    long tokens = 0;
    Set<ByteBuffer> groups = new HashSet<>();
    try (ScanIterator it = view.scan(keys.units(), Range.all())) {
      while (it.hasNext()) {
        Entry e = it.next();
        units++;
        Stored st;
        try {
          int group = groupLength(Tuple.decode(e.key()), e.key());
          if (group >= 0) {
            groups.add(ByteBuffer.wrap(Arrays.copyOf(e.key(), group)));
          }
          st = decodeUnit(e.value());
        } catch (IllegalArgumentException ex) {
          report.accept(new IndexProblem(keys.units(), e.key(), "unit does not decode: "
              + ex.getMessage()));
          continue;
        }
        Analysis a = analyze(st.texts(), st.path());
        tokens += st.dl();
        if (st.dl() != a.tokens().size()) {
          report.accept(new IndexProblem(keys.units(), e.key(), "stored length " + st.dl()
              + " but the text has " + a.tokens().size() + " tokens"));
        }
        for (Map.Entry<String, Posting> p : a.postings().entrySet()) {
          byte[] tk = Keys.term(p.getKey());
          expected.put(ByteBuffer.wrap(Keys.posting(tk, e.key(), e.key().length)),
              p.getValue().encode());
          df.merge(ByteBuffer.wrap(tk), 1L, Long::sum);
        }
      }
    }
    long postings = 0;
    try (ScanIterator it = view.scan(keys.postings(), Range.all())) {
      while (it.hasNext()) {
        Entry e = it.next();
        byte[] tk;
        Tuple lastUnit;
        try {
          Tuple t = Tuple.decode(e.key());
          tk = Tuple.of(t.get(0)).encode();
          lastUnit = t.subTuple(1, t.size());
        } catch (IllegalArgumentException | IndexOutOfBoundsException ex) {
          report.accept(new IndexProblem(keys.postings(), e.key(),
              "posting block key does not decode: " + ex.getMessage()));
          continue;
        }
        byte[] last = Arrays.copyOfRange(e.key(), tk.length, e.key().length);
        int group = groupLength(lastUnit, last);
        try {
          PostingBlock.Reader b = new PostingBlock.Reader(e.value(), last);
          if (group < 0 && b.count() != 1) {
            report.accept(new IndexProblem(keys.postings(), e.key(), "posting block of a"
                + " unit without a group holds " + b.count() + " units"));
          }
          while (b.next()) {
            postings++;
            byte[] u = b.unit();
            if (group >= 0 && (u.length <= group
                || !Arrays.equals(u, 0, group, last, 0, group))) {
              report.accept(new IndexProblem(keys.postings(), e.key(), "posting block holds"
                  + " unit " + Tuple.decode(u) + " of another group"));
            }
            byte[] want = expected.remove(ByteBuffer.wrap(Keys.posting(tk, u, u.length)));
            if (want == null) {
              report.accept(new IndexProblem(keys.postings(), e.key(), "posting of term "
                  + termName(tk) + " for unit " + Tuple.decode(u)
                  + " belongs to no indexed unit's text"));
            } else if (!Arrays.equals(want, b.posting())) {
              report.accept(new IndexProblem(keys.postings(), e.key(), "posting of term "
                  + termName(tk) + " for unit " + Tuple.decode(u)
                  + " differs from the unit's text"));
            }
          }
        } catch (IllegalArgumentException ex) {
          report.accept(new IndexProblem(keys.postings(), e.key(), "posting block does not"
              + " decode: " + ex.getMessage()));
        }
      }
    }
    try (ScanIterator it = view.scan(keys.groups(), Range.all())) {
      while (it.hasNext()) {
        Entry e = it.next();
        if (!groups.remove(ByteBuffer.wrap(e.key()))) {
          report.accept(new IndexProblem(keys.groups(), e.key(), "group marker of a group"
              + " without units"));
        }
      }
    }
    for (ByteBuffer g : groups) {
      report.accept(new IndexProblem(keys.groups(), g.array(), "group marker missing; units"
          + " of the group are indexed (a write to the group would not find its blocks)"));
    }
    for (ByteBuffer k : expected.keySet()) {
      Tuple t = Tuple.decode(k.array());
      report.accept(new IndexProblem(keys.postings(), k.array(), "missing posting of term "
          + termName(Tuple.of(t.get(0)).encode()) + " for unit " + t.subTuple(1, t.size())));
    }
    try (ScanIterator it = view.scan(keys.df(), Range.all())) {
      while (it.hasNext()) {
        Entry e = it.next();
        long want = df.getOrDefault(ByteBuffer.wrap(e.key()), 0L);
        long have = e.value().length == 8 ? ByteBuffer.wrap(e.value()).getLong() : -1;
        df.remove(ByteBuffer.wrap(e.key()));
        if (have != want) {
          report.accept(new IndexProblem(keys.df(), e.key(), "document frequency " + have
              + " but " + want + " units hold the term"));
        }
      }
    }
    for (Map.Entry<ByteBuffer, Long> e : df.entrySet()) {
      byte[] k = new byte[e.getKey().remaining()];
      e.getKey().duplicate().get(k);
      report.accept(new IndexProblem(keys.df(), k, "document frequency missing; "
          + e.getValue() + " units hold the term"));
    }
    IndexStatistics s = statistics(view);
    if (s.units() != units) {
      report.accept(new IndexProblem(keys.stats(), Keys.UNITS, "N is " + s.units() + " but "
          + units + " units are indexed"));
    }
    if (s.tokens() != tokens) {
      report.accept(new IndexProblem(keys.stats(), Keys.TOKENS, "token total is " + s.tokens()
          + " but the units hold " + tokens));
    }
    return new IndexCheckReport("fts:" + name, units, postings, count[0], problems);
  }

  /** A term key for a message: the term in quotes, or its hashed form's tuple. */
  private static String termName(byte[] termKey) {
    Object t = Tuple.decode(termKey).get(0);
    return t instanceof String str ? "'" + str + "'" : Tuple.decode(termKey).toString();
  }

  @Override
  public String toString() {
    return "FullTextIndex[" + name + ", " + options + "]";
  }
}
