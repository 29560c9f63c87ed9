package io.treestore.examples.audit;

import io.treestore.examples.audit.AuditApi.AuditEvent;
import io.treestore.examples.audit.AuditApi.Events;
import io.treestore.examples.audit.AuditApi.GetEvent;
import io.treestore.examples.audit.AuditApi.GetEvents;
import io.treestore.examples.audit.AuditApi.GetEventsForTarget;
import io.treestore.examples.audit.AuditApi.RecordEvent;
import io.treestore.examples.audit.AuditApi.Recorded;
import io.treestore.index.IndexDefinition;
import io.treestore.index.Row;
import io.treestore.index.RowIterator;
import io.treestore.index.Table;
import io.treestore.index.Tuple;
import io.treestore.index.TupleRange;
import io.treestore.spi.ErrorCode;
import io.treestore.spi.Store;
import io.treestore.spi.StoreContext;
import io.treestore.spi.StoreException;
import io.treestore.spi.StoreOperation;
import io.treestore.txn.Transaction;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@code audit} store: an append-only log of who did what. Events are only ever added;
 * there is no operation that changes or removes one.
 *
 * <p>One table, {@code audit.events}, declared through the {@link StoreContext} (so its
 * keyspaces carry the store's prefix and never collide with other stores). Records are encoded
 * tuples ({@code AuditEventCodec}); keys are tuples:
 *
 * <ul>
 *   <li>primary key (actor, timestamp, id): an actor's events in time order, which is what
 *       {@code GetEvents} scans;
 *   <li>unique index {@code by_id} (id), for {@code GetEvent};
 *   <li>index {@code by_doc} (doc, timestamp, id), for events that name a document;
 *   <li>index {@code by_node} (doc, node, timestamp, id), for events that name a node.
 * </ul>
 *
 * <p>Every event is one record with fresh keys, so concurrent writers never conflict. Every
 * request is checked completely before anything is written; a refused request throws a
 * {@link StoreException} with {@link ErrorCode#INVALID_ARGUMENT} whose
 * {@link StoreException#details()} list every problem, and changes nothing.
 *
 * <p>Thread-safe: the store holds only immutable state; each operation works in the
 * transaction it is given.
 */
public final class AuditStore implements Store {
  /** The store's name, used in calls such as {@code call("audit", "RecordEvent", ...)}. */
  public static final String NAME = "audit";
  /** The longest id (actor, action, document, node, detail key), in characters. */
  public static final int MAX_ID = 200;
  /** The most entries an event's details may have. */
  public static final int MAX_DETAILS = 64;
  /** The longest detail value, in characters. */
  public static final int MAX_DETAIL_VALUE = 4096;
  /** The number of events a query returns when it sets no limit. */
  public static final int DEFAULT_LIMIT = 1000;
  /** The largest limit a query may set. */
  public static final int MAX_LIMIT = 10_000;

  private static final String BY_ID = "by_id";
  private static final String BY_DOC = "by_doc";
  private static final String BY_NODE = "by_node";
  private static final Pattern EVENT_ID = Pattern.compile("[0-9a-f]{16}");

  private final Clock clock;
  private final Table<AuditEvent> events;

  AuditStore(StoreContext context) {
    this.clock = context.clock();
    this.events = context.table("events", new AuditEventCodec(), List.of(
        IndexDefinition.unique(BY_ID, (pk, e) -> List.of(Tuple.of(e.id()))),
        IndexDefinition.nonUnique(BY_DOC, (pk, e) -> e.docId() == null ? List.of()
            : List.of(docKey(e))),
        IndexDefinition.nonUnique(BY_NODE, (pk, e) -> e.nodeId() == null ? List.of()
            : List.of(nodeKey(e)))));
  }

  private static Tuple primaryKey(AuditEvent e) {
    return Tuple.of(e.actor(), e.timestamp(), e.id());
  }

  private static Tuple docKey(AuditEvent e) {
    return Tuple.of(e.docId(), e.timestamp(), e.id());
  }

  private static Tuple nodeKey(AuditEvent e) {
    return Tuple.of(e.docId(), e.nodeId(), e.timestamp(), e.id());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<StoreOperation<?, ?>> operations() {
    return List.of(
        StoreOperation.write("RecordEvent", RecordEvent.class, Recorded.class,
            "Appends an event: an actor did an action, optionally to a document or node.",
            this::record),
        StoreOperation.lookup("GetEvent", GetEvent.class, AuditEvent.class,
            "Returns one event by its id.", this::get),
        StoreOperation.read("GetEvents", GetEvents.class, Events.class,
            "Returns an actor's events in a time window, oldest or newest first.",
            this::byActor),
        StoreOperation.read("GetEventsForTarget", GetEventsForTarget.class, Events.class,
            "Returns the events about a document or one of its nodes, by any actor.",
            this::byTarget));
  }

  // ------------------------------------------------------------------ writes

  private Recorded record(Transaction tx, RecordEvent q) {
    Problems p = new Problems("RecordEvent");
    p.id(q.actor(), "actor");
    p.id(q.action(), "action");
    if (q.docId() != null) {
      p.id(q.docId(), "doc_id");
    }
    if (q.nodeId() != null) {
      if (q.docId() == null) {
        p.add("node_id needs doc_id: a node is named within its document");
      }
      p.id(q.nodeId(), "node_id");
    }
    details(p, q.details());
    p.throwIfAny();

    Instant t = q.timestamp() == null ? clock.instant() : q.timestamp();
    Map<String, String> details = AuditEventCodec.normalize(q.details());
    AuditEvent e;
    do {
      e = new AuditEvent(newId(), q.actor(), q.action(), q.docId(), q.nodeId(), details, t);
    } while (events.getUnique(tx, BY_ID, Tuple.of(e.id())) != null);
    checkKeySizes(tx, e);
    events.insert(tx, primaryKey(e), e);
    return new Recorded(e.id(), t);
  }

  /** Checks the details map, which may hold anything at run time despite its type. */
  private static void details(Problems p, @Nullable Map<String, String> details) {
    if (details == null) {
      return;
    }
    if (details.size() > MAX_DETAILS) {
      p.add("details has " + details.size() + " entries, at most " + MAX_DETAILS);
      return;
    }
    Map<String, @Nullable Object> sorted = new TreeMap<>();
    for (Map.Entry<?, ?> d : details.entrySet()) {
      Object k = d.getKey();
      if (k instanceof String s) {
        sorted.put(s, d.getValue());
      } else {
        p.add("details has a key that is " + (k == null ? "null" : "a "
            + k.getClass().getSimpleName() + ", not a string"));
      }
    }
    sorted.forEach((k, v) -> {
      String what = "details key " + show(k);
      p.id(k, what);
      if (v == null) {
        p.add(what + " has a null value");
      } else if (!(v instanceof String s)) {
        p.add(what + " has a " + v.getClass().getSimpleName() + " value, not a string");
      } else if (s.length() > MAX_DETAIL_VALUE) {
        p.add(what + " has a value of " + s.length() + " characters, at most "
            + MAX_DETAIL_VALUE);
      } else if (hasUnpairedSurrogate(s)) {
        p.add(what + " has a value with an unpaired surrogate (it has no UTF-8 form)");
      }
    });
  }

  /**
   * Refuses ids that are valid one by one but together make a key longer than the database
   * allows (possible with long non-ASCII ids), before anything is written.
   */
  private static void checkKeySizes(Transaction tx, AuditEvent e) {
    int max = tx.database().maxKeySize();
    int pk = primaryKey(e).encode().length;
    int longest = pk;
    if (e.docId() != null) {
      longest = Math.max(longest, docKey(e).encode().length + pk);
    }
    if (e.nodeId() != null) {
      longest = Math.max(longest, nodeKey(e).encode().length + pk);
    }
    if (longest > max) {
      String msg = "RecordEvent refused: actor, doc_id and node_id are too long together;"
          + " the event's longest key would take " + longest + " bytes, at most " + max;
      throw new StoreException(ErrorCode.INVALID_ARGUMENT, msg, List.of(msg), null);
    }
  }

  private static String newId() {
    return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
  }

  // ------------------------------------------------------------------ reads

  private AuditEvent get(Transaction tx, GetEvent q) {
    Problems p = new Problems("GetEvent");
    if (q.id() == null || !EVENT_ID.matcher(q.id()).matches()) {
      p.add("id must be 16 lower-case hex digits, was " + (q.id() == null ? "null"
          : show(q.id())));
    }
    p.throwIfAny();
    Row<AuditEvent> r = events.getUnique(tx, BY_ID, Tuple.of(q.id()));
    if (r == null) {
      throw StoreException.notFound("no audit event with id " + q.id());
    }
    return r.record();
  }

  private Events byActor(Transaction tx, GetEvents q) {
    Problems p = new Problems("GetEvents");
    p.id(q.actor(), "actor");
    int limit = p.limit(q.limit());
    p.window(q.from(), q.to());
    p.throwIfAny();
    TupleRange range = window(Tuple.of(q.actor()), q.from(), q.to(), q.newestFirst());
    try (RowIterator<AuditEvent> it = events.scan(tx, range)) {
      return page(it, limit);
    }
  }

  private Events byTarget(Transaction tx, GetEventsForTarget q) {
    Problems p = new Problems("GetEventsForTarget");
    p.id(q.docId(), "doc_id");
    if (q.nodeId() != null) {
      p.id(q.nodeId(), "node_id");
    }
    int limit = p.limit(q.limit());
    p.window(q.from(), q.to());
    p.throwIfAny();
    Tuple prefix = q.nodeId() == null ? Tuple.of(q.docId()) : Tuple.of(q.docId(), q.nodeId());
    TupleRange range = window(prefix, q.from(), q.to(), q.newestFirst());
    try (RowIterator<AuditEvent> it = events.scanIndex(tx, q.nodeId() == null ? BY_DOC
        : BY_NODE, range)) {
      return page(it, limit);
    }
  }

  /** Keys starting with {@code prefix} whose next element, an instant, is in [from, to). */
  private static TupleRange window(Tuple prefix, @Nullable Instant from, @Nullable Instant to,
      @Nullable Boolean newestFirst) {
    Tuple lo = from == null ? prefix : prefix.add(from);
    Tuple hi = to == null ? prefix : prefix.add(to);
    TupleRange r = TupleRange.between(lo, true, hi, to == null);
    return Boolean.TRUE.equals(newestFirst) ? r.reversed() : r;
  }

  private static Events page(RowIterator<AuditEvent> it, int limit) {
    List<AuditEvent> out = new ArrayList<>();
    while (it.hasNext()) {
      if (out.size() == limit) {
        return new Events(List.copyOf(out), true);
      }
      out.add(it.next().record());
    }
    return new Events(List.copyOf(out), false);
  }

  // ------------------------------------------------------------------ checks

  /** Shows a client's string in a message: quoted, shortened, control characters escaped. */
  private static String show(String s) {
    StringBuilder b = new StringBuilder("\"");
    int n = Math.min(s.length(), 40);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c)
          : String.valueOf(c));
    }
    return b.append(s.length() > n ? "...\"" : "\"").toString();
  }

  private static boolean hasUnpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /** Collects every problem of one request, then refuses it with all of them at once. */
  private static final class Problems {
    private final String operation;
    private final List<String> problems = new ArrayList<>();

    Problems(String operation) {
      this.operation = operation;
    }

    void add(String problem) {
      problems.add(problem);
    }

    /** An id: 1 to MAX_ID characters, no control characters, no slash, no lone surrogates. */
    void id(@Nullable String id, String what) {
      if (id == null || id.isEmpty()) {
        add(what + " is missing");
      } else if (id.length() > MAX_ID) {
        add(what + " is " + id.length() + " characters, at most " + MAX_ID);
      } else if (id.chars().anyMatch(c -> Character.isISOControl(c) || c == '/')
          || hasUnpairedSurrogate(id)) {
        add(what + " must not contain control characters, '/' or unpaired surrogates");
      }
    }

    int limit(@Nullable Integer limit) {
      int l = limit == null ? DEFAULT_LIMIT : limit;
      if (l < 1 || l > MAX_LIMIT) {
        add("limit must be 1 to " + MAX_LIMIT + ", was " + l);
      }
      return l;
    }

    void window(@Nullable Instant from, @Nullable Instant to) {
      if (from != null && to != null && from.isAfter(to)) {
        add("from " + from + " is after to " + to);
      }
    }

    void throwIfAny() {
      if (!problems.isEmpty()) {
        throw new StoreException(ErrorCode.INVALID_ARGUMENT, operation + " refused: "
            + String.join("; ", problems), problems, null);
      }
    }
  }
}
