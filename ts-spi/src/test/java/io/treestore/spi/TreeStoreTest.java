package io.treestore.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.index.IndexDefinition;
import io.treestore.index.RecordCodec;
import io.treestore.index.Table;
import io.treestore.index.Tuple;
import io.treestore.txn.DatabaseOptions;
import io.treestore.wal.Durability;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facade: opening stores, calling operations, transactions across stores, errors. */
class TreeStoreTest {
  @TempDir Path dir;

  record Put(String key, String value) {}

  record Get(String key) {}

  record Value(String value) {}

  /** A small key-value store with a unique index on the value, named by the constructor. */
  static class KvProvider implements StoreProvider {
    private final String name;

    KvProvider(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Store open(StoreContext context) {
      Table<Tuple> table = context.table("kv", RecordCodec.tuple(), List.of(
          IndexDefinition.unique("by_value", (pk, r) -> List.of(Tuple.of(r.getString(0))))));
      return new Store() {
        @Override
        public String name() {
          return name;
        }

        @Override
        public List<StoreOperation<?, ?>> operations() {
          return List.of(
              StoreOperation.write("Put", Put.class, Value.class, "Stores a value.",
                  (tx, q) -> {
                    if (q.value().isEmpty()) {
                      throw StoreException.invalid("value must not be empty");
                    }
                    table.put(tx, Tuple.of(q.key()), Tuple.of(q.value()));
                    return new Value(q.value());
                  }),
              StoreOperation.read("Get", Get.class, Value.class, "Reads a value.",
                  (tx, q) -> {
                    Tuple t = table.get(tx, Tuple.of(q.key()));
                    if (t == null) {
                      throw StoreException.notFound("no key " + q.key());
                    }
                    return new Value(t.getString(0));
                  }));
        }
      };
    }
  }

  private TreeStore open() {
    return TreeStore.open(dir, TreeStoreOptions.defaults()
        .withDatabase(DatabaseOptions.defaults().withDurability(Durability.NONE))
        .withDiscovery(false)
        .withProviders(List.of(new KvProvider("alpha"), new KvProvider("beta"))));
  }

  @Test
  void onlyReadsCanBeBounded() {
    OperationHandler<String, String> echo = (tx, q) -> q;
    StoreOperation<String, String> lookup = StoreOperation.lookup("Get", String.class,
        String.class, "Echoes.", echo);
    assertEquals(OperationKind.READ, lookup.kind());
    assertTrue(lookup.bounded());
    assertFalse(StoreOperation.read("Scan", String.class, String.class, "Echoes.", echo)
        .bounded());
    assertFalse(StoreOperation.write("Put", String.class, String.class, "Echoes.", echo)
        .bounded());
    assertFalse(new StoreOperation<>("Get", OperationKind.READ, String.class, String.class,
        "Echoes.", echo).bounded());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new StoreOperation<>("Put", OperationKind.WRITE, String.class, String.class,
            "Echoes.", echo, true));
    assertTrue(e.getMessage().contains("Put writes"), e.getMessage());
  }

  @Test
  void callsReachTheStoresAndSurviveReopen() {
    try (TreeStore ts = open()) {
      assertEquals(List.of("alpha", "beta"), List.copyOf(ts.stores().keySet()));
      assertEquals(new Value("one"), ts.call("alpha", "Put", new Put("k", "one")));
      assertEquals(new Value("one"), ts.call("alpha", "Get", new Get("k")));
      StoreException e = assertThrows(StoreException.class,
          () -> ts.call("beta", "Get", new Get("k")));
      assertEquals(ErrorCode.NOT_FOUND, e.code());
      assertTrue(ts.database().keyspaces().contains("alpha.kv"));
      assertTrue(ts.database().keyspaces().contains("alpha.kv#by_value"));
    }
    try (TreeStore ts = open()) {
      assertEquals(new Value("one"), ts.call("alpha", "Get", new Get("k")));
    }
  }

  @Test
  void unknownNamesAndWrongRequestTypesAreClearErrors() {
    try (TreeStore ts = open()) {
      StoreException s = assertThrows(StoreException.class,
          () -> ts.call("gamma", "Get", new Get("k")));
      assertEquals(ErrorCode.NOT_FOUND, s.code());
      assertTrue(s.getMessage().contains("[alpha, beta]"), s.getMessage());
      StoreException o = assertThrows(StoreException.class,
          () -> ts.call("alpha", "Delete", new Get("k")));
      assertEquals(ErrorCode.NOT_FOUND, o.code());
      assertTrue(o.getMessage().contains("[Put, Get]"), o.getMessage());
      StoreException t = assertThrows(StoreException.class,
          () -> ts.call("alpha", "Get", new Put("k", "v")));
      assertEquals(ErrorCode.INVALID_ARGUMENT, t.code());
      assertEquals("Put", ts.operation("alpha", "Put").name());
      assertEquals(OperationKind.READ, ts.operation("alpha", "Get").kind());
    }
  }

  @Test
  void oneTransactionSpansStoresAndAFailureLeavesNothing() {
    try (TreeStore ts = open()) {
      ts.inTransaction(tx -> {
        ts.call(tx, "alpha", "Put", new Put("a", "1"));
        ts.call(tx, "beta", "Put", new Put("b", "2"));
        return null;
      });
      assertEquals(new Value("1"), ts.call("alpha", "Get", new Get("a")));
      assertEquals(new Value("2"), ts.call("beta", "Get", new Get("b")));
      assertThrows(StoreException.class, () -> ts.inTransaction(tx -> {
        ts.call(tx, "alpha", "Put", new Put("c", "3"));
        ts.call(tx, "beta", "Put", new Put("d", ""));
        return null;
      }));
      assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class,
          () -> ts.call("alpha", "Get", new Get("c"))).code());
      try (var tx = ts.database().beginReadOnly()) {
        StoreException ro = assertThrows(StoreException.class,
            () -> ts.call(tx, "alpha", "Put", new Put("x", "y")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, ro.code());
        assertNull(tx.get("alpha.kv", Tuple.of("x").encode()));
      }
    }
  }

  @Test
  void concurrentWritersOfOneKeyAllSucceedThroughRetries() throws Exception {
    try (TreeStore ts = open()) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Object>> fs = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
          int n = i;
          fs.add(pool.submit(() -> ts.call("alpha", "Put", new Put("hot", "v" + n))));
        }
        for (Future<Object> f : fs) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      String v = ((Value) ts.call("alpha", "Get", new Get("hot"))).value();
      assertTrue(v.startsWith("v"), v);
    }
  }

  @Test
  void duplicateOrInvalidProviderNamesRefuseToOpen() {
    StoreProvider clash = new KvProvider("alpha") {
      // a different class with the same name
    };
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> TreeStore.open(
        dir, TreeStoreOptions.defaults().withDiscovery(false)
            .withProviders(List.of(new KvProvider("alpha"), clash))));
    assertTrue(e.getMessage().contains("two store providers are named 'alpha'"),
        e.getMessage());
    assertThrows(IllegalStateException.class, () -> TreeStore.open(dir,
        TreeStoreOptions.defaults().withDiscovery(false)
            .withProviders(List.of(new KvProvider("Bad Name")))));
  }

  @Test
  void storesGetTheirSettings() {
    java.util.concurrent.atomic.AtomicReference<Map<String, String>> seen =
        new java.util.concurrent.atomic.AtomicReference<>();
    StoreProvider p = new StoreProvider() {
      @Override
      public String name() {
        return "conf";
      }

      @Override
      public Store open(StoreContext context) {
        seen.set(context.settings());
        return new Store() {
          @Override
          public String name() {
            return "conf";
          }

          @Override
          public List<StoreOperation<?, ?>> operations() {
            return List.of();
          }
        };
      }
    };
    try (TreeStore ts = TreeStore.open(dir, TreeStoreOptions.defaults().withDiscovery(false)
        .withProviders(List.of(p))
        .withSettings(Map.of("store.conf.limit", "5", "store.other.x", "1")))) {
      assertEquals(Map.of("limit", "5"), seen.get());
      assertEquals(1, ts.stores().size());
    }
  }
}
