package io.treestore.examples.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.btree.Entry;
import io.treestore.btree.Range;
import io.treestore.examples.audit.AuditApi.AuditEvent;
import io.treestore.examples.audit.AuditApi.Events;
import io.treestore.examples.audit.AuditApi.GetEvent;
import io.treestore.examples.audit.AuditApi.GetEvents;
import io.treestore.examples.audit.AuditApi.GetEventsForTarget;
import io.treestore.examples.audit.AuditApi.RecordEvent;
import io.treestore.examples.audit.AuditApi.Recorded;
import io.treestore.spi.ErrorCode;
import io.treestore.spi.StoreException;
import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import io.treestore.stores.documents.DocumentApi;
import io.treestore.txn.DatabaseOptions;
import io.treestore.txn.ScanIterator;
import io.treestore.txn.Transaction;
import io.treestore.wal.Durability;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit store through the generic {@link TreeStore#call} API only, as a transport would
 * use it: writes and reads, one transaction with a bundled store, refused input, reopening.
 * Every TreeStore here is opened with discovery on and no explicit providers.
 */
class AuditStoreTest {
  private static final long SEED = Long.getLong("ts.seed", System.nanoTime());
  private static final Instant BASE = Instant.parse("2026-03-01T00:00:00Z");
  private static final String TREE = """
      {"doc_name": "Handbook", "structure": [
        {"node_id": "0001", "title": "Intro", "start_index": 1, "end_index": 2, "nodes": [
          {"node_id": "0002", "title": "Scope", "start_index": 2, "end_index": 2}
        ]}
      ]}""";

  static {
    // The tests are patched into the plugin module, which needs only the SPI and so does not
    // read ts-stores. These tests call the documents store with its own request types, so
    // they add that edge at run time (compilation reads it through the test class path).
    AuditStoreTest.class.getModule().addReads(ModuleLayer.boot()
        .findModule("io.treestore.stores").orElseThrow());
  }

  @TempDir Path dir;

  private TreeStore open() {
    return open(Clock.systemUTC());
  }

  private TreeStore open(Clock clock) {
    return TreeStore.open(dir, TreeStoreOptions.defaults()
        .withDatabase(DatabaseOptions.defaults().withDurability(Durability.NONE))
        .withClock(clock));
  }

  private static Recorded record(TreeStore ts, RecordEvent e) {
    return (Recorded) ts.call("audit", "RecordEvent", e);
  }

  private static Events events(TreeStore ts, Object query) {
    return (Events) ts.call("audit", query instanceof GetEvents ? "GetEvents"
        : "GetEventsForTarget", query);
  }

  /** Every key and value of every keyspace, to prove that a refused call wrote nothing. */
  private static Map<String, List<String>> contents(TreeStore ts) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    HexFormat hex = HexFormat.of();
    try (Transaction tx = ts.database().beginReadOnly()) {
      for (String ks : ts.database().keyspaces()) {
        List<String> entries = new ArrayList<>();
        try (ScanIterator it = tx.scan(ks, Range.all())) {
          while (it.hasNext()) {
            Entry e = it.next();
            entries.add(hex.formatHex(e.key()) + "=" + hex.formatHex(e.value()));
          }
        }
        out.put(ks, entries);
      }
    }
    return out;
  }

  @Test
  void recordsAndReadsThroughTheGenericCalls() {
    Clock clock = Clock.fixed(BASE, ZoneOffset.UTC);
    try (TreeStore ts = open(clock)) {
      Recorded r = record(ts, new RecordEvent("alice", "document.read", "handbook", "0002",
          Map.of("reason", "review", "via", "http"), null));
      assertEquals(BASE, r.timestamp(), "a missing timestamp means now, by the clock");
      assertTrue(r.id().matches("[0-9a-f]{16}"), r.id());
      Instant exact = BASE.plusNanos(123_456_789);
      Recorded r2 = record(ts, new RecordEvent("alice", "login", null, null, null, exact));
      assertEquals(exact, r2.timestamp());

      AuditEvent got = (AuditEvent) ts.call("audit", "GetEvent", new GetEvent(r.id()));
      assertEquals(new AuditEvent(r.id(), "alice", "document.read", "handbook", "0002",
          Map.of("reason", "review", "via", "http"), BASE), got);
      assertEquals(List.of("reason", "via"), List.copyOf(got.details().keySet()));
      AuditEvent login = (AuditEvent) ts.call("audit", "GetEvent", new GetEvent(r2.id()));
      assertEquals(Map.of(), login.details());
      assertEquals(exact, login.timestamp(), "nanoseconds are kept");

      Events byAlice = events(ts, new GetEvents("alice", null, null, null, null));
      assertEquals(List.of(r.id(), r2.id()), ids(byAlice));
      assertFalse(byAlice.more());
      assertEquals(List.of(r2.id(), r.id()), ids(events(ts, new GetEvents("alice", null,
          null, null, true))));
      assertEquals(List.of(r.id()), ids(events(ts, new GetEventsForTarget("handbook", "0002",
          null, null, null, null))));
      assertEquals(List.of(r.id()), ids(events(ts, new GetEventsForTarget("handbook", null,
          null, null, null, null))));
      assertEquals(List.of(), ids(events(ts, new GetEventsForTarget("handbook", "0001", null,
          null, null, null))));

      StoreException missing = assertThrows(StoreException.class, () -> ts.call("audit",
          "GetEvent", new GetEvent("0123456789abcdef")));
      assertEquals(ErrorCode.NOT_FOUND, missing.code());
      StoreException wrongType = assertThrows(StoreException.class, () -> ts.call("audit",
          "RecordEvent", new GetEvent(r.id())));
      assertEquals(ErrorCode.INVALID_ARGUMENT, wrongType.code());
    }
  }

  private static List<String> ids(Events e) {
    return e.events().stream().map(AuditEvent::id).toList();
  }

  @Test
  void queriesMatchAModel() {
    Random rnd = new Random(SEED);
    List<AuditEvent> all = new ArrayList<>();
    List<String> actors = List.of("alice", "bob", "agent-7");
    List<String> docs = List.of("handbook", "policy");
    List<String> nodes = List.of("0001", "0002", "0003");
    try (TreeStore ts = open()) {
      for (int i = 0; i < 400; i++) {
        String actor = actors.get(rnd.nextInt(actors.size()));
        String doc = rnd.nextInt(4) == 0 ? null : docs.get(rnd.nextInt(docs.size()));
        String node = doc == null || rnd.nextBoolean() ? null
            : nodes.get(rnd.nextInt(nodes.size()));
        Instant t = BASE.plusSeconds(rnd.nextInt(1000)); // many ties in time
        Map<String, String> details = rnd.nextBoolean() ? null : Map.of("i", "" + i);
        Recorded r = record(ts, new RecordEvent(actor, "act" + rnd.nextInt(5), doc, node,
            details, t));
        all.add(new AuditEvent(r.id(), actor, "act", doc, node, Map.of(), t));
      }
      Comparator<AuditEvent> order = Comparator.comparing(AuditEvent::timestamp)
          .thenComparing(AuditEvent::id);
      for (int q = 0; q < 200; q++) {
        Instant from = rnd.nextBoolean() ? null : BASE.plusSeconds(rnd.nextInt(600));
        Instant to = rnd.nextBoolean() ? null : BASE.plusSeconds(400 + rnd.nextInt(700));
        if (from != null && to != null && from.isAfter(to)) {
          continue;
        }
        Integer limit = rnd.nextBoolean() ? null : 1 + rnd.nextInt(60);
        boolean newest = rnd.nextBoolean();
        Object query;
        Predicate<AuditEvent> match;
        if (rnd.nextBoolean()) {
          String actor = actors.get(rnd.nextInt(actors.size()));
          query = new GetEvents(actor, from, to, limit, newest);
          match = e -> e.actor().equals(actor);
        } else {
          String doc = docs.get(rnd.nextInt(docs.size()));
          String node = rnd.nextBoolean() ? null : nodes.get(rnd.nextInt(nodes.size()));
          query = new GetEventsForTarget(doc, node, from, to, limit, newest);
          match = e -> doc.equals(e.docId()) && (node == null || node.equals(e.nodeId()));
        }
        List<String> want = all.stream().filter(match)
            .filter(e -> from == null || !e.timestamp().isBefore(from))
            .filter(e -> to == null || e.timestamp().isBefore(to))
            .sorted(newest ? order.reversed() : order).map(AuditEvent::id).toList();
        int n = limit == null ? AuditStore.DEFAULT_LIMIT : limit;
        Events got = events(ts, query);
        String where = query + ", seed " + SEED;
        assertEquals(want.subList(0, Math.min(n, want.size())), ids(got), where);
        assertEquals(want.size() > n, got.more(), where);
      }
    }
  }

  @Test
  void oneTransactionSpansTheDocumentsStoreAndThePlugin() {
    try (TreeStore ts = open()) {
      Recorded recorded = ts.inTransaction(tx -> {
        DocumentApi.Stored stored = (DocumentApi.Stored) ts.call(tx, "documents",
            "StoreDocument", new DocumentApi.StoreDocument("handbook", "v1", "2026-01-01",
                TREE));
        assertEquals(2, stored.nodeCount());
        return (Recorded) ts.call(tx, "audit", "RecordEvent", new RecordEvent("alice",
            "document.store", "handbook", null, Map.of("version", stored.versionId()), null));
      });
      DocumentApi.DocumentInfo info = (DocumentApi.DocumentInfo) ts.call("documents",
          "GetDocument", new DocumentApi.DocumentRef("handbook"));
      assertEquals("Handbook", info.docName());
      assertEquals(List.of(recorded.id()), ids(events(ts, new GetEventsForTarget("handbook",
          null, null, null, null, null))));

      // The second call fails: the first one's writes are rolled back with it.
      Map<String, List<String>> before = contents(ts);
      StoreException badAudit = assertThrows(StoreException.class, () -> ts.inTransaction(tx -> {
        ts.call(tx, "documents", "StoreDocument", new DocumentApi.StoreDocument("policy",
            "v1", "2026-01-01", TREE));
        return ts.call(tx, "audit", "RecordEvent", new RecordEvent("", "document.store",
            "policy", null, null, null));
      }));
      assertEquals(ErrorCode.INVALID_ARGUMENT, badAudit.code());
      StoreException badDocument = assertThrows(StoreException.class,
          () -> ts.inTransaction(tx -> {
            ts.call(tx, "audit", "RecordEvent", new RecordEvent("bob", "document.store",
                "policy", null, null, null));
            return ts.call(tx, "documents", "StoreDocument", new DocumentApi.StoreDocument(
                "policy", "v1", "2026-01-01", "{\"structure\": [{\"node_id\": 1}]}"));
          }));
      assertEquals(ErrorCode.INVALID_ARGUMENT, badDocument.code());
      assertEquals(before, contents(ts), "nothing of either transaction was written");
      StoreException gone = assertThrows(StoreException.class, () -> ts.call("documents",
          "GetDocument", new DocumentApi.DocumentRef("policy")));
      assertEquals(ErrorCode.NOT_FOUND, gone.code());
      assertEquals(List.of(), ids(events(ts, new GetEventsForTarget("policy", null, null,
          null, null, null))));
      assertEquals(List.of(), ids(events(ts, new GetEvents("bob", null, null, null, null))));
    }
  }

  @Test
  void badInputIsRefusedWithEveryProblemAndNothingWritten() {
    String tooLong = "x".repeat(AuditStore.MAX_ID + 1);
    String wide = "\u4e2d".repeat(AuditStore.MAX_ID); // valid alone, too long together
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("k", null);
    Map<String, String> tooMany = new HashMap<>();
    for (int i = 0; i <= AuditStore.MAX_DETAILS; i++) {
      tooMany.put("k" + i, "v");
    }
    try (TreeStore ts = open()) {
      record(ts, new RecordEvent("alice", "login", "handbook", "0001", null, BASE));
      Map<String, List<String>> before = contents(ts);
      Map<Object, List<String>> cases = new LinkedHashMap<>();
      cases.put(new RecordEvent("", "login", null, null, null, null),
          List.of("actor is missing"));
      cases.put(nulls(null, null), List.of("actor is missing", "action is missing"));
      cases.put(new RecordEvent("al/ice", "lo\ngin", null, null, null, null),
          List.of("actor must not contain control characters, '/' or unpaired surrogates",
              "action must not contain control characters, '/' or unpaired surrogates"));
      cases.put(new RecordEvent(tooLong, "login", null, null, null, null),
          List.of("actor is 201 characters, at most 200"));
      cases.put(new RecordEvent("alice", "read", null, "0001", null, null),
          List.of("node_id needs doc_id: a node is named within its document"));
      cases.put(new RecordEvent("alice", "read", "handbook", "", null, null),
          List.of("node_id is missing"));
      cases.put(new RecordEvent("alice", "read", null, null, nullValue, null),
          List.of("details key \"k\" has a null value"));
      cases.put(new RecordEvent("alice", "read", null, null, notStrings(), null),
          List.of("details key \"n\" has a Integer value, not a string"));
      cases.put(new RecordEvent("alice", "read", null, null, Map.of("k",
          "v".repeat(AuditStore.MAX_DETAIL_VALUE + 1)), null),
          List.of("details key \"k\" has a value of 4097 characters, at most 4096"));
      cases.put(new RecordEvent("alice", "read", null, null, Map.of("k", "\ud800"), null),
          List.of("details key \"k\" has a value with an unpaired surrogate (it has no"
              + " UTF-8 form)"));
      cases.put(new RecordEvent("alice", "read", null, null, Map.of("", "v"), null),
          List.of("details key \"\" is missing"));
      cases.put(new RecordEvent("alice", "read", null, null, tooMany, null),
          List.of("details has 65 entries, at most 64"));
      cases.put(new RecordEvent(wide, "read", wide, wide, null, null), List.of(
          "RecordEvent refused: actor, doc_id and node_id are too long together; the event's"
              + " longest key would take 1868 bytes, at most "
              + ts.database().maxKeySize()));
      cases.put(new GetEvents("", null, null, 0, null), List.of("actor is missing",
          "limit must be 1 to 10000, was 0"));
      cases.put(new GetEvents("alice", BASE.plusSeconds(1), BASE, 10_001, null),
          List.of("limit must be 1 to 10000, was 10001",
              "from 2026-03-01T00:00:01Z is after to 2026-03-01T00:00:00Z"));
      cases.put(new GetEventsForTarget("handbook", "a/b", null, null, null, null),
          List.of("node_id must not contain control characters, '/' or unpaired"
              + " surrogates"));
      cases.put(new GetEvent("XYZ"), List.of("id must be 16 lower-case hex digits, was"
          + " \"XYZ\""));

      cases.forEach((request, problems) -> {
        String op = request.getClass().getSimpleName();
        StoreException e = assertThrows(StoreException.class,
            () -> ts.call("audit", op, request), request.toString());
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        assertEquals(problems, e.details(), e.getMessage());
        assertTrue(e.getMessage().startsWith(op + " refused: "), e.getMessage());
        assertEquals(before, contents(ts), "nothing written by " + request);
      });
      // A refused write inside a caller's transaction leaves that transaction usable.
      ts.inTransaction(tx -> {
        assertThrows(StoreException.class, () -> ts.call(tx, "audit", "RecordEvent",
            new RecordEvent("bob", "", null, null, null, null)));
        return ts.call(tx, "audit", "RecordEvent", new RecordEvent("bob", "login", null,
            null, null, BASE));
      });
      assertEquals(1, events(ts, new GetEvents("bob", null, null, null, null)).events().size());
    }
  }

  /** A request with null where the record's type says non-null, as a transport may send. */
  private static RecordEvent nulls(@Nullable String actor, @Nullable String action) {
    return new RecordEvent(actor, action, null, null, null, null);
  }

  /** Details holding a non-string value, as a careless transport might map a JSON number. */
  @SuppressWarnings("unchecked")
  private static Map<String, String> notStrings() {
    Map<?, ?> m = Map.of("n", 5);
    return (Map<String, String>) m;
  }

  @Test
  void eventsSurviveReopening() {
    Map<String, AuditEvent> written = new LinkedHashMap<>();
    try (TreeStore ts = open()) {
      ts.call("documents", "StoreDocument", new DocumentApi.StoreDocument("handbook", "v1",
          "2026-01-01", TREE));
      for (int i = 0; i < 50; i++) {
        Instant t = BASE.plusMillis(i * 7L).plusNanos(i);
        RecordEvent e = new RecordEvent(i % 2 == 0 ? "alice" : "bob", "read", "handbook",
            i % 3 == 0 ? "0001" : null, Map.of("i", "" + i), t);
        Recorded r = record(ts, e);
        written.put(r.id(), new AuditEvent(r.id(), e.actor(), e.action(), e.docId(),
            e.nodeId(), e.details(), t));
      }
    }
    try (TreeStore ts = open()) {
      for (AuditEvent e : written.values()) {
        assertEquals(e, ts.call("audit", "GetEvent", new GetEvent(e.id())));
      }
      assertEquals(25, events(ts, new GetEvents("alice", null, null, null, null)).events()
          .size());
      assertEquals(17, events(ts, new GetEventsForTarget("handbook", "0001", null, null, null,
          null)).events().size());
      assertEquals(50, events(ts, new GetEventsForTarget("handbook", null, null, null, null,
          null)).events().size());
      assertEquals("Handbook", ((DocumentApi.DocumentInfo) ts.call("documents", "GetDocument",
          new DocumentApi.DocumentRef("handbook"))).docName());
      // Appending goes on after reopening.
      record(ts, new RecordEvent("alice", "read", "handbook", null, null, null));
      assertEquals(51, events(ts, new GetEventsForTarget("handbook", null, null, null, null,
          null)).events().size());
    }
  }

  @Test
  void concurrentWritersNeverConflict() throws Exception {
    int threads = 4;
    int each = 150;
    try (TreeStore ts = open()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
          String actor = "agent-" + w;
          done.add(pool.submit(() -> {
            for (int i = 0; i < each; i++) {
              record(ts, new RecordEvent(actor, "step", "handbook", "000" + (i % 3), null,
                  null));
            }
          }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      assertEquals(threads * each, events(ts, new GetEventsForTarget("handbook", null, null,
          null, null, null)).events().size());
      for (int w = 0; w < threads; w++) {
        assertEquals(each, events(ts, new GetEvents("agent-" + w, null, null, null, null))
            .events().size());
      }
    }
  }
}
