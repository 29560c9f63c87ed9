package io.treestore.stores.documents;

import io.treestore.fts.FullTextIndex;
import io.treestore.fts.FullTextOptions;
import io.treestore.fts.SearchOptions;
import io.treestore.fts.Unit;
import io.treestore.index.IndexDefinition;
import io.treestore.index.IndexEntry;
import io.treestore.index.IndexEntryIterator;
import io.treestore.index.RecordCodec;
import io.treestore.index.Row;
import io.treestore.index.RowIterator;
import io.treestore.index.Table;
import io.treestore.index.Tuple;
import io.treestore.index.TupleRange;
import io.treestore.index.Utf8Text;
import io.treestore.spi.ErrorCode;
import io.treestore.spi.StoreException;
import io.treestore.stores.documents.DocumentApi.Change;
import io.treestore.stores.documents.DocumentApi.Node;
import io.treestore.stores.documents.ParsedDocument.FlatNode;
import io.treestore.txn.Transaction;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;

/**
 * The records and indexes of documents, versions and nodes, shared by the {@code documents}
 * and {@code versions} stores. Keys (tuples):
 *
 * <ul>
 *   <li>{@code documents.doc}: (doc) → (created, next version number);
 *   <li>{@code documents.version}: (doc, version) → the version record; index
 *       {@code temporal} (doc, effective date, number);
 *   <li>{@code documents.node}: (doc, version, node) → the node record; indexes
 *       {@code parent} (doc, version, parent, ordinal), {@code page} (doc, version, page,
 *       depth, document order) with one entry per page the node covers, and unique
 *       {@code path} (doc, version, section path);
 *   <li>full-text index {@code documents.nodes}: unit (doc, version, node), path = section
 *       path, fields title, summary, prefix_summary, text;
 *   <li>{@code documents.meta}: {@code "versions-epoch"} → a 64-bit counter that every
 *       transaction changing a version record adds 1 to (see {@link VersionsInEffect}).
 * </ul>
 *
 * <p>Every version stores all its nodes, so reads of any version are direct index lookups.
 * Thread-safe: apart from immutable table declarations, the only state is the cache of
 * versions in effect, itself thread-safe.
 */
final class DocumentModel {
  static final String STORE = "documents";
  private static final int MAX_ID = 200;
  private static final java.util.regex.Pattern DATE =
      java.util.regex.Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  final Table<Tuple> docs;
  final Table<Tuple> versions;
  final Table<Tuple> nodes;
  final FullTextIndex fts;
  final Clock clock;
  private final VersionsInEffect inEffect = new VersionsInEffect();

  /** The keyspace of the model's counters. */
  static final String META = STORE + ".meta";
  private static final byte[] VERSIONS_EPOCH =
      "versions-epoch".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  /**
   * The {@code record_cache_bytes} setting's default: off. Under reads spread evenly over a
   * large store the cache rarely hits, and its admission and eviction cost more than the
   * decoding it saves (GetNode 3.2 against 2.6 us on the 1M-node benchmark store,
   * docs/benchmarks-stores.md); it pays when the same nodes are read again and again.
   */
  static final long DEFAULT_RECORD_CACHE_BYTES = 0;

  /**
   * Reads the {@code record_cache_bytes} store setting (decoded nodes kept in memory; 0 turns
   * the cache off).
   *
   * @param settings the store's settings
   * @return the budget in bytes
   * @throws IllegalArgumentException if the setting is not a non-negative integer
   */
  static long recordCacheBytes(java.util.Map<String, String> settings) {
    String v = settings.get("record_cache_bytes");
    if (v == null) {
      return DEFAULT_RECORD_CACHE_BYTES;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("setting record_cache_bytes must be a number of bytes"
        + " >= 0, was '" + v + "'");
  }

  DocumentModel(Clock clock) {
    this(clock, DEFAULT_RECORD_CACHE_BYTES);
  }

  DocumentModel(Clock clock, long recordCacheBytes) {
    this.clock = clock;
    this.docs = Table.builder(STORE + ".doc", RecordCodec.tuple()).build();
    this.versions = Table.builder(STORE + ".version", RecordCodec.tuple())
        .index(IndexDefinition.nonUnique("temporal", (pk, r) -> List.of(Tuple.of(
            pk.getString(0), VersionRec.of(r).effectiveDate, VersionRec.of(r).number))))
        .build();
    this.nodes = Table.builder(STORE + ".node", RecordCodec.tuple())
        .index(IndexDefinition.nonUnique("parent", (pk, r) -> {
          NodeRec n = NodeRec.of(r);
          return List.of(Tuple.of(pk.getString(0), pk.getString(1), n.parentId, (long) n.ordinal));
        }))
        .index(IndexDefinition.nonUnique("page", (pk, r) -> {
          NodeRec n = NodeRec.of(r);
          if (n.pageStart == null || n.pageEnd == null) {
            return List.of();
          }
          List<Tuple> out = new ArrayList<>(n.pageEnd - n.pageStart + 1);
          for (long p = n.pageStart; p <= n.pageEnd; p++) {
            out.add(Tuple.of(pk.getString(0), pk.getString(1), p, (long) n.depth,
                (long) n.order));
          }
          return out;
        }))
        .index(IndexDefinition.unique("path", (pk, r) -> List.of(Tuple.of(pk.getString(0),
            pk.getString(1), NodeRec.of(r).sectionPath))))
        .recordCache(recordCacheBytes)
        .build();
    // Units are keyed (document, version, node); a version is written by one transaction, so
    // grouping its postings by (document, version) costs no concurrency.
    this.fts = new FullTextIndex(STORE + ".nodes", FullTextOptions.defaults()
        .withGroupElements(2));
  }

  // ------------------------------------------------------------------ stored forms

  /** A node as stored: the tuple (id, parent, ordinal, depth, order, title, ...). */
  record NodeRec(String nodeId, @Nullable String parentId, int ordinal, int depth, int order,
      String title, @Nullable Integer pageStart, @Nullable Integer pageEnd,
      @Nullable String summary, @Nullable String prefixSummary, @Nullable Utf8Text text,
      String sectionPath, List<String> childIds, @Nullable String attributes) {
    Tuple encode() {
      return Tuple.of(nodeId, parentId, (long) ordinal, (long) depth, (long) order, title,
          pageStart == null ? null : (long) pageStart, pageEnd == null ? null : (long) pageEnd,
          summary, prefixSummary, text, sectionPath, Tuple.fromList(childIds), attributes);
    }

    static NodeRec of(Tuple t) {
      if (t.size() != 14) {
        throw new IllegalArgumentException("node record has " + t.size() + " elements, not 14");
      }
      Tuple kids = t.getTuple(12);
      List<String> ids = new ArrayList<>(kids.size());
      for (int i = 0; i < kids.size(); i++) {
        ids.add(kids.getString(i));
      }
      return new NodeRec(t.getString(0), str(t, 1), (int) t.getLong(2), (int) t.getLong(3),
          (int) t.getLong(4), t.getString(5), integer(t, 6), integer(t, 7), str(t, 8),
          str(t, 9), textOf(t, 10), t.getString(11), ids, str(t, 13));
    }

    static NodeRec of(FlatNode f) {
      return new NodeRec(f.nodeId(), f.parentId(), f.ordinal(), f.depth(), f.order(), f.title(),
          f.pageStart(), f.pageEnd(), f.summary(), f.prefixSummary(),
          f.text() == null ? null : Utf8Text.of(f.text()), f.sectionPath(), f.childIds(),
          f.attributes());
    }

    Unit unit() {
      return Unit.of(sectionPath, "title", title, "summary", summary, "prefix_summary",
          prefixSummary, "text", textString());
    }

    /** The fields a diff compares, as a map (absent values omitted). */
    Map<String, Object> content() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("title", title);
      putIf(m, "parent_id", parentId);
      putIf(m, "page_start", pageStart);
      putIf(m, "page_end", pageEnd);
      putIf(m, "summary", summary);
      putIf(m, "prefix_summary", prefixSummary);
      putIf(m, "text", textString());
      putIf(m, "attributes", attributes);
      return m;
    }

    /** The text as a string (decoded now if it was read from the store and not yet). */
    @Nullable String textString() {
      return text == null ? null : text.toString();
    }
  }

  private static void putIf(Map<String, Object> m, String k, @Nullable Object v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  private static @Nullable String str(Tuple t, int i) {
    return t.type(i) == Tuple.Type.NULL ? null : t.getString(i);
  }

  /** A string element as UTF-8 text, not turned into a string. */
  private static @Nullable Utf8Text textOf(Tuple t, int i) {
    return t.type(i) == Tuple.Type.NULL ? null : t.getText(i);
  }

  private static @Nullable Integer integer(Tuple t, int i) {
    return t.type(i) == Tuple.Type.NULL ? null : (int) t.getLong(i);
  }

  /** A version as stored. */
  record VersionRec(String effectiveDate, @Nullable String endDate, int nodeCount, long number,
      Instant created, @Nullable String docName, @Nullable String docDescription,
      @Nullable String attributes, List<Change> diff) {
    Tuple encode() {
      List<Object> d = new ArrayList<>();
      for (Change c : diff) {
        d.add(Tuple.of(c.nodeId(), c.changeType(), c.oldValue(), c.newValue()));
      }
      return Tuple.of(effectiveDate, endDate, (long) nodeCount, number, created, docName,
          docDescription, attributes, Tuple.fromList(d));
    }

    static VersionRec of(Tuple t) {
      if (t.size() != 9) {
        throw new IllegalArgumentException("version record has " + t.size()
            + " elements, not 9");
      }
      Tuple d = t.getTuple(8);
      List<Change> diff = new ArrayList<>(d.size());
      for (int i = 0; i < d.size(); i++) {
        Tuple c = d.getTuple(i);
        diff.add(new Change(c.getString(0), c.getString(1), str(c, 2), str(c, 3)));
      }
      return new VersionRec(t.getString(0), str(t, 1), (int) t.getLong(2), t.getLong(3),
          t.getInstant(4), str(t, 5), str(t, 6), str(t, 7), diff);
    }

    /**
     * The fields of a stored version record before its diff (elements 0 to 7), the diff not
     * decoded; its diff is empty.
     */
    static VersionRec headOf(byte[] record) {
      Tuple t = Tuple.decodeElements(record, 0, 8);
      if (t.size() != 8) {
        throw new IllegalArgumentException("version record has " + t.size()
            + " leading elements, not 8");
      }
      return new VersionRec(t.getString(0), str(t, 1), (int) t.getLong(2), t.getLong(3),
          t.getInstant(4), str(t, 5), str(t, 6), str(t, 7), List.of());
    }

    VersionRec withEndDate(@Nullable String end) {
      return new VersionRec(effectiveDate, end, nodeCount, number, created, docName,
          docDescription, attributes, diff);
    }

    VersionRec withDiff(List<Change> changes) {
      return new VersionRec(effectiveDate, endDate, nodeCount, number, created, docName,
          docDescription, attributes, changes);
    }

    DocumentApi.Version api(String docId, String versionId) {
      return new DocumentApi.Version(docId, versionId, effectiveDate, endDate, nodeCount, diff);
    }
  }

  // ------------------------------------------------------------------ validation helpers

  static String checkId(@Nullable String id, String what) {
    if (id == null || id.isEmpty()) {
      throw StoreException.invalid(what + " is missing");
    }
    if (id.length() > MAX_ID) {
      throw StoreException.invalid(what + " is " + id.length() + " characters, at most "
          + MAX_ID);
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isISOControl(c) || c == '/' || Character.isSurrogate(c)
          && !(Character.isHighSurrogate(c) && i + 1 < id.length()
          && Character.isLowSurrogate(id.charAt(++i)))) {
        throw StoreException.invalid(what + " must not contain control characters, '/' or"
            + " unpaired surrogates");
      }
    }
    return id;
  }

  static LocalDate date(String value, String what) {
    try {
      // exactly YYYY-MM-DD: LocalDate.parse also takes "+10000-01-01" and "-0001-01-01",
      // whose strings do not sort by date (versions are ordered by the date string)
      if (!DATE.matcher(value).matches()) {
        throw new DateTimeParseException("not YYYY-MM-DD", value, 0);
      }
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw StoreException.invalid(what + " must be a date YYYY-MM-DD, was '" + value + "'");
    }
  }

  LocalDate today() {
    return LocalDate.now(clock);
  }

  // ------------------------------------------------------------------ versions

  /** A resolved version: its id and record. */
  record Resolved(String versionId, VersionRec rec) {}

  Tuple docRecord(Transaction tx, String docId) {
    Tuple d = docs.get(tx, Tuple.of(checkId(docId, "doc_id")));
    if (d == null) {
      throw StoreException.notFound("no document '" + docId + "'");
    }
    return d;
  }

  /** The version a read uses: the given id, the one in effect on asOf, or on today. */
  Resolved resolve(Transaction tx, String docId, @Nullable String version,
      @Nullable String asOf) {
    if (version != null && asOf != null) {
      throw StoreException.invalid("give version or as_of, not both");
    }
    LocalDate on = asOf == null ? null : date(asOf, "as_of");
    checkId(docId, "doc_id");
    // A version row exists only while its document does (they are deleted together), so the
    // document record is read only to tell "no document" from "no such version".
    if (version != null) {
      Tuple v = versions.get(tx, Tuple.of(docId, checkId(version, "version")));
      if (v == null) {
        docRecord(tx, docId);
        throw StoreException.notFound("document '" + docId + "' has no version '" + version
            + "'");
      }
      return new Resolved(version, VersionRec.of(v));
    }
    Resolved r = asOf(tx, docId, on == null ? today() : on);
    if (r == null) {
      docRecord(tx, docId);
      throw StoreException.notFound("no version of document '" + docId + "' is in effect on "
          + (on == null ? today() + " (today)" : on));
    }
    return r;
  }

  /**
   * The version a node read names. An explicit version is not looked up here: the read
   * itself finds its nodes or not, and only then ({@link #explainMissing}) is the version
   * checked, so a read that succeeds costs one lookup less. A date, or no version, is resolved
   * at once from the temporal index alone: the version record, whose node diff holds the old
   * and new values of every changed node, is read only to explain a miss.
   */
  String readVersion(Transaction tx, String docId, @Nullable String version,
      @Nullable String asOf) {
    if (version != null && asOf == null) {
      checkId(docId, "doc_id");
      return checkId(version, "version");
    }
    if (version == null) {
      checkId(docId, "doc_id");
      String id = versionIdAsOf(tx, docId, asOf == null ? today() : date(asOf, "as_of"));
      if (id != null) {
        return id;
      }
    }
    return resolve(tx, docId, version, asOf).versionId();
  }

  /**
   * Throws the error for a read that found nothing under an explicit version: no document,
   * no such version, or (if both exist) returns so that the caller reports its own miss.
   */
  void explainMissing(Transaction tx, String docId, String versionId) {
    resolve(tx, docId, versionId, null);
  }

  @Nullable Resolved asOf(Transaction tx, String docId, LocalDate on) {
    try (RowIterator<Tuple> it = versions.scanIndex(tx, "temporal", TupleRange.between(
        Tuple.of(docId), true, Tuple.of(docId, on.toString()), true).reversed())) {
      if (!it.hasNext()) {
        return null;
      }
      Row<Tuple> r = it.next();
      return new Resolved(r.primaryKey().getString(1), VersionRec.of(r.record()));
    }
  }

  /**
   * Returns the id of the version in effect on a date, from the temporal index alone (the
   * version record is not read), or {@code null} if none is.
   */
  @Nullable String versionIdAsOf(Transaction tx, String docId, LocalDate on) {
    try (IndexEntryIterator it = versions.scanIndexKeys(tx, "temporal", TupleRange.between(
        Tuple.of(docId), true, Tuple.of(docId, on.toString()), true).reversed())) {
      return it.hasNext() ? it.next().primaryKey().getString(1) : null;
    }
  }

  /**
   * As {@link #versionIdAsOf}, through the cache of versions in effect ({@link
   * VersionsInEffect}); only for a read-only transaction, whose epoch no other transaction
   * can share with other versions.
   *
   * @param epoch {@link #versionsEpoch} of {@code tx}
   */
  @Nullable String versionIdAsOf(Transaction tx, long epoch, String docId, LocalDate on) {
    assert tx.isReadOnly() : "the versions cache is for read-only transactions";
    return inEffect.versionIdAsOf(epoch, docId, on, d -> {
      List<VersionsInEffect.Entry> out = new ArrayList<>(1);
      try (IndexEntryIterator it = versions.scanIndexKeys(tx, "temporal",
          TupleRange.prefix(Tuple.of(d)))) {
        while (it.hasNext()) {
          IndexEntry e = it.next();
          out.add(new VersionsInEffect.Entry(LocalDate.parse(e.indexKey().getString(1)),
              e.primaryKey().getString(1)));
        }
      }
      return List.copyOf(out);
    });
  }

  /**
   * Adds 1 to the versions epoch: called by every operation that writes version records,
   * in the transaction that writes them.
   */
  private static void versionsChanged(Transaction tx) {
    tx.add(META, VERSIONS_EPOCH, 1);
  }

  /**
   * Returns the versions epoch the transaction sees: how many committed transactions (and
   * this one, if it did) changed a version record; 0 in a store written before the counter.
   */
  static long versionsEpoch(Transaction tx) {
    byte[] v = tx.get(META, VERSIONS_EPOCH);
    return v == null ? 0 : java.nio.ByteBuffer.wrap(v).getLong();
  }

  List<Resolved> versionsOf(Transaction tx, String docId) {
    List<Resolved> out = new ArrayList<>();
    try (RowIterator<Tuple> it = versions.scanIndex(tx, "temporal",
        TupleRange.prefix(Tuple.of(docId)))) {
      while (it.hasNext()) {
        Row<Tuple> r = it.next();
        out.add(new Resolved(r.primaryKey().getString(1), VersionRec.of(r.record())));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ ingest

  DocumentApi.Stored store(Transaction tx, DocumentApi.StoreDocument q) {
    String docId = checkId(q.docId(), "doc_id");
    if (q.json() == null) {
      throw StoreException.invalid("the PageIndex JSON body is missing");
    }
    LocalDate effective = q.effectiveDate() == null ? today()
        : date(q.effectiveDate(), "effective_date");
    ParsedDocument parsed;
    try {
      parsed = ParsedDocument.parse(q.json());
    } catch (ParsedDocument.Invalid e) {
      throw new StoreException(ErrorCode.INVALID_ARGUMENT, e.getMessage(), e.problems, null);
    }
    return store(tx, docId, q.versionId(), effective, parsed);
  }

  DocumentApi.Stored store(Transaction tx, String docId, @Nullable String versionId,
      LocalDate effective, ParsedDocument parsed) {
    Tuple doc = docs.get(tx, Tuple.of(docId));
    long number = doc == null ? 1 : doc.getLong(1);
    String vid;
    if (versionId == null) {
      vid = "v" + number;
      for (int k = 1; versions.get(tx, Tuple.of(docId, vid)) != null; k++) {
        vid = "v" + number + "-" + k;
      }
    } else {
      vid = checkId(versionId, "version_id");
      if (versions.get(tx, Tuple.of(docId, vid)) != null) {
        throw new StoreException(ErrorCode.ALREADY_EXISTS, "document '" + docId
            + "' already has a version '" + vid + "'");
      }
    }
    String date = effective.toString();
    // the version before (same date counts: it was ingested earlier) and after this one
    Resolved before = asOf(tx, docId, effective);
    String endDate = null;
    Resolved next = null;
    try (RowIterator<Tuple> it = versions.scanIndex(tx, "temporal", TupleRange.between(
        Tuple.of(docId, date), false, Tuple.of(docId), true))) {
      if (it.hasNext()) {
        Row<Tuple> r = it.next();
        next = new Resolved(r.primaryKey().getString(1), VersionRec.of(r.record()));
        endDate = next.rec.effectiveDate;
      }
    }
    List<NodeRec> fresh = new ArrayList<>(parsed.nodes.size());
    for (FlatNode f : parsed.nodes) {
      fresh.add(NodeRec.of(f));
    }
    List<Change> diff = before == null ? List.of() : diff(nodesOf(tx, docId,
        before.versionId), fresh);
    if (next != null) {
      // a back-dated version: the next version now follows this one, so its diff is against
      // this one (not against the version that was in effect before it when it was stored)
      Map<String, NodeRec> mine = new LinkedHashMap<>();
      for (NodeRec n : fresh) {
        mine.put(n.nodeId, n);
      }
      List<NodeRec> theirs = new ArrayList<>(nodesOf(tx, docId, next.versionId).values());
      theirs.sort(Comparator.comparingInt(NodeRec::order));
      versions.put(tx, Tuple.of(docId, next.versionId), next.rec.withDiff(diff(mine, theirs))
          .encode());
    }
    if (before != null && (before.rec.endDate == null
        || before.rec.endDate.compareTo(date) > 0)) {
      versions.put(tx, Tuple.of(docId, before.versionId), before.rec.withEndDate(date)
          .encode());
    }
    Instant now = clock.instant();
    versionsChanged(tx);
    versions.insert(tx, Tuple.of(docId, vid), new VersionRec(date, endDate,
        parsed.nodes.size(), number, now, parsed.docName, parsed.docDescription,
        parsed.attributes, diff).encode());
    docs.put(tx, Tuple.of(docId), Tuple.of(doc == null ? now : doc.getInstant(0), number + 1));
    Map<Tuple, Unit> units = new LinkedHashMap<>();
    for (FlatNode f : parsed.nodes) {
      NodeRec n = NodeRec.of(f);
      Tuple pk = Tuple.of(docId, vid, f.nodeId());
      nodes.insert(tx, pk, n.encode());
      units.put(pk, n.unit());
    }
    fts.indexAll(tx, units);
    return new DocumentApi.Stored(docId, vid, parsed.nodes.size(), parsed.warnings);
  }

  private Map<String, NodeRec> nodesOf(Transaction tx, String docId, String versionId) {
    Map<String, NodeRec> out = new LinkedHashMap<>();
    try (RowIterator<Tuple> it = nodes.scan(tx, TupleRange.prefix(Tuple.of(docId,
        versionId)))) {
      while (it.hasNext()) {
        NodeRec n = NodeRec.of(it.next().record());
        out.put(n.nodeId, n);
      }
    }
    return out;
  }

  private static List<Change> diff(Map<String, NodeRec> old, List<NodeRec> now) {
    List<Change> out = new ArrayList<>();
    Map<String, NodeRec> seen = new HashMap<>();
    for (NodeRec n : now) {
      seen.put(n.nodeId, n);
      NodeRec o = old.get(n.nodeId);
      if (o == null) {
        out.add(new Change(n.nodeId, "added", null, json(n.content())));
      } else {
        Map<String, Object> a = o.content();
        Map<String, Object> b = n.content();
        Map<String, Object> was = new LinkedHashMap<>();
        Map<String, Object> is = new LinkedHashMap<>();
        for (String k : union(a, b)) {
          if (!Objects.equals(a.get(k), b.get(k))) {
            was.put(k, a.get(k));
            is.put(k, b.get(k));
          }
        }
        if (!was.isEmpty()) {
          out.add(new Change(n.nodeId, "modified", json(was), json(is)));
        }
      }
    }
    for (NodeRec o : old.values()) {
      if (!seen.containsKey(o.nodeId)) {
        out.add(new Change(o.nodeId, "deleted", json(o.content()), null));
      }
    }
    return out;
  }

  private static List<String> union(Map<String, Object> a, Map<String, Object> b) {
    List<String> keys = new ArrayList<>(a.keySet());
    for (String k : b.keySet()) {
      if (!a.containsKey(k)) {
        keys.add(k);
      }
    }
    return keys;
  }

  private static String json(Map<String, Object> m) {
    return ParsedDocument.JSON.writeValueAsString(m);
  }

  DocumentApi.Stored batchInsert(Transaction tx, DocumentApi.BatchInsertNodes q) {
    String docId = checkId(q.docId(), "doc_id");
    if (q.nodes() == null || q.nodes().isEmpty()) {
      throw StoreException.invalid("nodes is missing or empty");
    }
    if (q.nodes().size() > 100_000) {
      throw StoreException.invalid("at most 100000 nodes per batch, got " + q.nodes().size());
    }
    LocalDate effective = q.effectiveDate() == null ? today()
        : date(q.effectiveDate(), "effective_date");
    Resolved base = resolve(tx, docId, q.baseVersion(), null);
    // rebuild the base version as PageIndex JSON, add the nodes, and ingest that
    tools.jackson.databind.node.ObjectNode root = ParsedDocument.JSON.createObjectNode();
    if (base.rec.attributes() != null) {
      root.setAll((tools.jackson.databind.node.ObjectNode) ParsedDocument.JSON.readTree(
          base.rec.attributes()));
    }
    if (base.rec.docName() != null) {
      root.put("doc_name", base.rec.docName());
    }
    if (base.rec.docDescription() != null) {
      root.put("doc_description", base.rec.docDescription());
    }
    tools.jackson.databind.node.ArrayNode roots = root.putArray("structure");
    Map<String, tools.jackson.databind.node.ObjectNode> byId = new HashMap<>();
    try (RowIterator<Tuple> it = nodes.scan(tx, TupleRange.prefix(Tuple.of(docId,
        base.versionId)))) {
      List<NodeRec> all = new ArrayList<>();
      it.forEachRemaining(r -> all.add(NodeRec.of(r.record())));
      all.sort(Comparator.comparingInt(NodeRec::order));
      for (NodeRec n : all) {
        tools.jackson.databind.node.ObjectNode o = ParsedDocument.JSON.createObjectNode();
        o.put("node_id", n.nodeId);
        o.put("title", n.title);
        if (n.pageStart != null) {
          o.put("start_index", n.pageStart);
          o.put("end_index", n.pageEnd);
        }
        putText(o, "summary", n.summary);
        putText(o, "prefix_summary", n.prefixSummary);
        putText(o, "text", n.textString());
        if (n.attributes != null) {
          // raw page numbers of a quirky node come back as they were given
          o.setAll((tools.jackson.databind.node.ObjectNode) ParsedDocument.JSON.readTree(
              n.attributes));
        }
        attach(o, n.parentId, roots, byId);
        byId.put(n.nodeId, o);
      }
    }
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < q.nodes().size(); i++) {
      DocumentApi.NodeInput in = q.nodes().get(i);
      if (in == null) {
        problems.add("nodes[" + i + "] is null");
        continue;
      }
      tools.jackson.databind.node.ObjectNode o = ParsedDocument.JSON.createObjectNode();
      if (in.attributes() != null) {
        o.setAll((tools.jackson.databind.node.ObjectNode) ParsedDocument.JSON.valueToTree(
            in.attributes()));
      }
      if (in.nodeId() != null) {
        o.put("node_id", in.nodeId());
      }
      if (in.title() != null) {
        o.put("title", in.title());
      }
      if (in.pageStart() != null) {
        o.put("start_index", in.pageStart());
      }
      if (in.pageEnd() != null) {
        o.put("end_index", in.pageEnd());
      }
      putText(o, "summary", in.summary());
      putText(o, "prefix_summary", in.prefixSummary());
      putText(o, "text", in.text());
      if (in.parentId() != null && !byId.containsKey(in.parentId())) {
        problems.add("nodes[" + i + "]: parent \"" + in.parentId() + "\" is neither in"
            + " version " + base.versionId + " nor earlier in the batch");
        continue;
      }
      attach(o, in.parentId(), roots, byId);
      if (in.nodeId() != null) {
        byId.putIfAbsent(in.nodeId(), o);
      }
    }
    if (!problems.isEmpty()) {
      throw new StoreException(ErrorCode.INVALID_ARGUMENT, problems.size() + " problem"
          + (problems.size() == 1 ? "" : "s") + " in the batch: " + String.join("; ",
          problems.subList(0, Math.min(20, problems.size()))), problems, null);
    }
    ParsedDocument parsed;
    try {
      parsed = ParsedDocument.parse(root);
    } catch (ParsedDocument.Invalid e) {
      throw new StoreException(ErrorCode.INVALID_ARGUMENT, e.getMessage(), e.problems, null);
    }
    return store(tx, docId, q.versionId(), effective, parsed);
  }

  private static void putText(tools.jackson.databind.node.ObjectNode o, String k,
      @Nullable String v) {
    if (v != null) {
      o.put(k, v);
    }
  }

  private static void attach(tools.jackson.databind.node.ObjectNode o, @Nullable String parent,
      tools.jackson.databind.node.ArrayNode roots,
      Map<String, tools.jackson.databind.node.ObjectNode> byId) {
    if (parent == null) {
      roots.add(o);
    } else {
      tools.jackson.databind.node.ObjectNode p = byId.get(parent);
      tools.jackson.databind.node.ArrayNode kids = p.has("nodes")
          ? (tools.jackson.databind.node.ArrayNode) p.get("nodes") : p.putArray("nodes");
      kids.add(o);
    }
  }

  DocumentApi.Deleted delete(Transaction tx, String docId) {
    docRecord(tx, docId);
    int nodeCount = 0;
    List<Tuple> pks = new ArrayList<>();
    try (RowIterator<Tuple> it = nodes.scan(tx, TupleRange.prefix(Tuple.of(docId)))) {
      while (it.hasNext()) {
        pks.add(it.next().primaryKey());
      }
    }
    for (Tuple pk : pks) {
      nodes.delete(tx, pk);
      nodeCount++;
    }
    fts.removeAll(tx, pks);
    List<Resolved> vs = versionsOf(tx, docId);
    for (Resolved r : vs) {
      versions.delete(tx, Tuple.of(docId, r.versionId));
    }
    if (!vs.isEmpty()) {
      versionsChanged(tx);
    }
    docs.delete(tx, Tuple.of(docId));
    return new DocumentApi.Deleted(docId, vs.size(), nodeCount);
  }

  // ------------------------------------------------------------------ reads

  Node node(String docId, String versionId, NodeRec n, @Nullable List<Node> children) {
    Map<String, Object> attrs = n.attributes == null ? null
        : ParsedDocument.JSON.readValue(n.attributes, MAP);
    return new Node(docId, versionId, n.nodeId, n.parentId, n.title, n.pageStart, n.pageEnd,
        n.summary, n.prefixSummary, n.text, n.sectionPath, n.depth, n.childIds, attrs,
        children);
  }

  NodeRec nodeRec(Transaction tx, String docId, String versionId, String nodeId) {
    Tuple t = nodes.get(tx, Tuple.of(docId, versionId, checkId(nodeId, "node_id")));
    if (t == null) {
      explainMissing(tx, docId, versionId);
      throw StoreException.notFound("document '" + docId + "' version '" + versionId
          + "' has no node '" + nodeId + "'");
    }
    return NodeRec.of(t);
  }

  /**
   * A node's stored record, undecoded: for reads that need only its parent or its child list,
   * so that its text (tens of kilobytes near the root of a tree with page texts) is not
   * decoded for nothing.
   */
  byte[] nodeBytes(Transaction tx, String docId, String versionId, String nodeId) {
    byte[] b = nodes.getEncoded(tx, Tuple.of(docId, versionId, checkId(nodeId, "node_id")));
    if (b == null) {
      explainMissing(tx, docId, versionId);
      throw StoreException.notFound("document '" + docId + "' version '" + versionId
          + "' has no node '" + nodeId + "'");
    }
    return b;
  }

  /**
   * The leading fields of a stored node record ({@link NodeRec} elements 0 to 7), decoded
   * without its summaries and text.
   */
  record NodeHead(String nodeId, @Nullable String parentId, String title,
      @Nullable Integer pageStart, @Nullable Integer pageEnd) {
    static NodeHead of(byte[] record) {
      Tuple t = Tuple.decodeElements(record, 0, 8);
      if (t.size() != 8) {
        throw new StoreException(ErrorCode.INTERNAL, "a stored node record has " + t.size()
            + " leading elements, not 8; run a check");
      }
      return new NodeHead(t.getString(0), str(t, 1), t.getString(5), integer(t, 6),
          integer(t, 7));
    }
  }

  /** The section path of a stored node record ({@link NodeRec} element 11). */
  static String sectionPathOf(byte[] record) {
    return storedElement(record, 11).getString(0);
  }

  /** The parent id of a stored node record ({@link NodeRec} element 1), nothing else decoded. */
  static @Nullable String parentIdOf(byte[] record) {
    return str(storedElement(record, 1), 0);
  }

  /** The child ids of a stored node record ({@link NodeRec} element 12), in order. */
  static List<String> childIdsOf(byte[] record) {
    Tuple kids = storedElement(record, 12).getTuple(0);
    List<String> ids = new ArrayList<>(kids.size());
    for (int i = 0; i < kids.size(); i++) {
      ids.add(kids.getString(i));
    }
    return ids;
  }

  private static Tuple storedElement(byte[] record, int i) {
    Tuple t = Tuple.decodeElements(record, i, i + 1);
    if (t.size() != 1) {
      throw new StoreException(ErrorCode.INTERNAL, "a stored node record has no element " + i
          + "; run a check");
    }
    return t;
  }

  List<NodeRec> children(Transaction tx, String docId, String versionId,
      @Nullable String parentId) {
    List<NodeRec> out = new ArrayList<>();
    try (RowIterator<Tuple> it = nodes.scanIndex(tx, "parent", TupleRange.prefix(
        Tuple.of(docId, versionId, parentId)))) {
      while (it.hasNext()) {
        out.add(NodeRec.of(it.next().record()));
      }
    }
    return out;
  }

  /**
   * A node's children in document order, read by the ids its record lists (one lookup each,
   * no index scan; the parent index holds the same children in the same order).
   */
  List<NodeRec> children(Transaction tx, String docId, String versionId, NodeRec parent) {
    return children(tx, docId, versionId, parent.nodeId, parent.childIds);
  }

  /** As {@link #children(Transaction, String, String, NodeRec)}, from the parent's ids. */
  List<NodeRec> children(Transaction tx, String docId, String versionId, String parentId,
      List<String> childIds) {
    List<NodeRec> out = new ArrayList<>(childIds.size());
    for (String id : childIds) {
      Tuple t = nodes.get(tx, Tuple.of(docId, versionId, id));
      if (t == null) {
        throw new StoreException(ErrorCode.INTERNAL, "node '" + parentId + "' of document '"
            + docId + "' version '" + versionId + "' lists a child '" + id + "' that is not"
            + " stored; run a check");
      }
      out.add(NodeRec.of(t));
    }
    return out;
  }

  Node subtree(Transaction tx, String docId, String versionId, NodeRec root,
      @Nullable Integer depth) {
    return node(docId, versionId, root, childTrees(tx, docId, versionId, root, depth));
  }

  /**
   * The subtrees under a node (or, for {@code null}, the document's roots), down to a depth.
   */
  List<Node> childTrees(Transaction tx, String docId, String versionId,
      @Nullable NodeRec parent, @Nullable Integer depth) {
    if (depth != null && depth <= 0) {
      return List.of();
    }
    List<Node> out = new ArrayList<>();
    List<NodeRec> kids = parent == null ? children(tx, docId, versionId, (String) null)
        : children(tx, docId, versionId, parent);
    for (NodeRec c : kids) {
      out.add(node(docId, versionId, c, childTrees(tx, docId, versionId, c,
          depth == null ? null : depth - 1)));
    }
    return out;
  }

  List<NodeRec> ancestors(Transaction tx, String docId, String versionId, NodeRec n) {
    return ancestors(tx, docId, versionId, n.nodeId, n.parentId);
  }

  /** The ancestors of a node given by its id and its parent's id, root first. */
  List<NodeRec> ancestors(Transaction tx, String docId, String versionId, String nodeId,
      @Nullable String parentId) {
    return parentChain(nodeId, parentId, id -> nodeRec(tx, docId, versionId, id),
        a -> a.parentId);
  }

  /**
   * Walks up from a node's parent to its root, reading each ancestor with {@code read};
   * returns them root first.
   */
  private static <T> List<T> parentChain(String nodeId, @Nullable String parentId,
      java.util.function.Function<String, T> read,
      java.util.function.Function<T, @Nullable String> parentOf) {
    List<T> out = new ArrayList<>();
    String p = parentId;
    int guard = 0;
    while (p != null) {
      T a = read.apply(p);
      out.addFirst(a);
      p = parentOf.apply(a);
      if (++guard > 100_000) {
        throw new StoreException(ErrorCode.INTERNAL, "parent chain of node " + nodeId
            + " does not end");
      }
    }
    return out;
  }

  List<NodeRec> byPage(Transaction tx, String docId, String versionId, int page) {
    List<NodeRec> out = new ArrayList<>();
    try (RowIterator<Tuple> it = nodes.scanIndex(tx, "page", TupleRange.prefix(
        Tuple.of(docId, versionId, (long) page)))) {
      while (it.hasNext()) {
        out.add(NodeRec.of(it.next().record()));
      }
    }
    return out;
  }

  NodeRec byPath(Transaction tx, String docId, String versionId, String path) {
    Row<Tuple> r = nodes.getUnique(tx, "path", Tuple.of(docId, versionId, path));
    if (r == null) {
      explainMissing(tx, docId, versionId);
      throw StoreException.notFound("document '" + docId + "' version '" + versionId
          + "' has no section '" + path + "'");
    }
    return NodeRec.of(r.record());
  }

  DocumentApi.SearchResult search(Transaction tx, DocumentApi.Search q) {
    if (q.query() == null) {
      throw StoreException.invalid("query is missing");
    }
    int limit = q.limit() == null ? 10 : q.limit();
    if (limit < 1 || limit > 1000) {
      throw StoreException.invalid("limit must be 1 to 1000, was " + limit);
    }
    if (q.docId() == null && (q.version() != null || q.sectionPath() != null)) {
      throw StoreException.invalid("version and section_path need doc_id");
    }
    SearchOptions base = SearchOptions.defaults().withLimit(limit)
        .withPathPrefix(q.sectionPath());
    List<io.treestore.fts.Hit> best;
    try {
      if (q.docId() != null) {
        // one document: its version's units are one key range of the postings
        String scope = readVersion(tx, q.docId(), q.version(), q.asOf());
        if (q.version() != null
            && versions.getEncoded(tx, Tuple.of(q.docId(), scope)) == null) {
          explainMissing(tx, q.docId(), scope); // throws: no such document or version
        }
        best = fts.search(tx, q.query(), base.withKeyPrefix(Tuple.of(q.docId(), scope)))
            .hits();
      } else {
        // every document at its version in effect on the date: one search, units of other
        // versions filtered out before scoring, so the top hits are exact. The filter is on
        // a unit's group, (document, version), asked once per run of the group's candidates;
        // a document's version is looked up when its first candidate comes up (documents the
        // query's terms never reach cost nothing), from memory once a search has read it.
        LocalDate on = q.asOf() == null ? today() : date(q.asOf(), "as_of");
        long epoch = versionsEpoch(tx);
        java.util.function.Function<String, @Nullable String> versionOf;
        if (tx.isReadOnly()) {
          versionOf = d -> versionIdAsOf(tx, epoch, d, on);
        } else {
          Map<String, Optional<String>> selected = new HashMap<>();
          versionOf = d -> selected.computeIfAbsent(d,
              k -> Optional.ofNullable(versionIdAsOf(tx, k, on))).orElse(null);
        }
        best = fts.searchGroups(tx, q.query(), base, group -> group.size() == 2
            && group.getString(1).equals(versionOf.apply(group.getString(0)))).hits();
      }
    } catch (IllegalArgumentException e) {
      throw StoreException.invalid(e.getMessage());
    }
    List<io.treestore.fts.Hit> hits = best;
    List<DocumentApi.Hit> out = new ArrayList<>();
    for (io.treestore.fts.Hit h : hits) {
      String d = h.unitKey().getString(0);
      String v = h.unitKey().getString(1);
      // A hit carries titles, pages and outline positions, no texts: none is decoded.
      byte[] rec = nodeBytes(tx, d, v, h.unitKey().getString(2));
      NodeHead n = NodeHead.of(rec);
      List<String> titles = parentChain(n.nodeId(), n.parentId(),
          id -> NodeHead.of(nodeBytes(tx, d, v, id)), NodeHead::parentId).stream()
          .map(NodeHead::title).toList();
      out.add(new DocumentApi.Hit(d, v, n.nodeId(), h.score(), n.title(), n.pageStart(),
          n.pageEnd(), sectionPathOf(rec), titles, h.snippet()));
    }
    return new DocumentApi.SearchResult(out);
  }
}
