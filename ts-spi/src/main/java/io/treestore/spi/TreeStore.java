package io.treestore.spi;

import io.treestore.txn.ConflictException;
import io.treestore.txn.Database;
import io.treestore.txn.Isolation;
import io.treestore.txn.Transaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The TreeStore facade: one database directory, the stores found as plugins, and calls of
 * their operations in transactions.
 *
 * <pre>{@code
 * try (TreeStore ts = TreeStore.open(dir, TreeStoreOptions.defaults())) {
 *   Object answer = ts.call("documents", "GetNode", request);
 *   ts.inTransaction(tx -> {                      // one transaction across stores
 *     ts.call(tx, "documents", "StoreDocument", doc);
 *     ts.call(tx, "metadata", "StoreToolResult", result);
 *     return null;
 *   });
 * }
 * }</pre>
 *
 * <p>Discovery uses {@link ServiceLoader#load(Class)} for {@link StoreProvider}, which finds
 * providers of named modules on the module path and of {@code META-INF/services} files on the
 * class path. Two providers with one name make {@link #open} fail.
 *
 * <p>Thread-safe: any number of threads may call operations concurrently; each call without
 * a transaction runs in its own.
 */
public final class TreeStore implements AutoCloseable {
  private static final Pattern STORE_NAME = Pattern.compile("[a-z][a-z0-9-]{0,63}");

  private final Database db;
  private final Map<String, Store> stores;
  private final Map<String, Map<String, StoreOperation<?, ?>>> operations;
  private final TreeStoreOptions options;

  private TreeStore(Database db, Map<String, Store> stores, TreeStoreOptions options) {
    this.db = db;
    this.stores = stores;
    this.options = options;
    Map<String, Map<String, StoreOperation<?, ?>>> ops = new LinkedHashMap<>();
    for (Store s : stores.values()) {
      Map<String, StoreOperation<?, ?>> m = new LinkedHashMap<>();
      for (StoreOperation<?, ?> o : s.operations()) {
        if (m.putIfAbsent(o.name(), o) != null) {
          throw new IllegalStateException("store " + s.name() + " declares operation "
              + o.name() + " twice");
        }
      }
      ops.put(s.name(), Collections.unmodifiableMap(m));
    }
    this.operations = Collections.unmodifiableMap(ops);
  }

  /**
   * Opens (creating if needed) the database in {@code dir}, recovers it, and opens every
   * store.
   *
   * @param dir the data directory
   * @param options database options, discovery, providers, settings, clock
   * @return the open TreeStore
   * @throws IllegalStateException if two providers share a name or a name is invalid
   * @throws io.treestore.page.StorageException if the database cannot be opened
   * @throws RuntimeException whatever a store's {@link StoreProvider#open} throws (the
   *     database is closed again then)
   */
  public static TreeStore open(Path dir, TreeStoreOptions options) {
    List<StoreProvider> providers = new ArrayList<>(options.providers());
    if (options.discover()) {
      for (StoreProvider p : ServiceLoader.load(StoreProvider.class)) {
        providers.add(p);
      }
    }
    Map<String, StoreProvider> byName = new LinkedHashMap<>();
    for (StoreProvider p : providers) {
      String name = p.name();
      if (name == null || !STORE_NAME.matcher(name).matches()) {
        throw new IllegalStateException("store provider " + p.getClass().getName()
            + " has an invalid name '" + name + "' (want " + STORE_NAME + ")");
      }
      StoreProvider old = byName.putIfAbsent(name, p);
      if (old != null && old.getClass() != p.getClass()) {
        throw new IllegalStateException("two store providers are named '" + name + "': "
            + old.getClass().getName() + " and " + p.getClass().getName());
      }
    }
    Database db = Database.open(dir, options.database());
    Map<String, Store> stores = new LinkedHashMap<>();
    try {
      for (StoreProvider p : byName.values()) {
        Map<String, String> settings = new LinkedHashMap<>();
        String prefix = "store." + p.name() + ".";
        options.settings().forEach((k, v) -> {
          if (k.startsWith(prefix)) {
            settings.put(k.substring(prefix.length()), v);
          }
        });
        Store s = p.open(new StoreContext(p.name(), options.clock(), settings));
        if (!p.name().equals(s.name())) {
          throw new IllegalStateException("provider " + p.name() + " opened a store named "
              + s.name());
        }
        stores.put(p.name(), s);
      }
      return new TreeStore(db, Collections.unmodifiableMap(stores), options);
    } catch (RuntimeException e) {
      for (Store s : stores.values()) {
        try {
          s.close();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      db.close();
      throw e;
    }
  }

  /**
   * Returns the database, for operations (stats, checkpoint, backup) and for embedding code
   * that also keeps its own keyspaces.
   *
   * @return the database
   */
  public Database database() {
    return db;
  }

  /**
   * Returns the options this TreeStore was opened with.
   *
   * @return the options
   */
  public TreeStoreOptions options() {
    return options;
  }

  /**
   * Returns the open stores.
   *
   * @return store name to store, in discovery order
   */
  public Map<String, Store> stores() {
    return stores;
  }

  /**
   * Returns a store.
   *
   * @param name the store's name
   * @return the store
   * @throws StoreException with {@link ErrorCode#NOT_FOUND} if there is no such store
   */
  public Store store(String name) {
    Store s = stores.get(name);
    if (s == null) {
      throw StoreException.notFound("no store named '" + name + "'; stores: "
          + stores.keySet());
    }
    return s;
  }

  /**
   * Returns a store by its class, for embedding code that knows the implementation.
   *
   * @param <S> the store type
   * @param type the class
   * @return the only open store of that class
   * @throws StoreException with {@link ErrorCode#NOT_FOUND} if none is open
   */
  public <S extends Store> S store(Class<S> type) {
    for (Store s : stores.values()) {
      if (type.isInstance(s)) {
        return type.cast(s);
      }
    }
    throw StoreException.notFound("no store of type " + type.getName());
  }

  /**
   * Returns an operation's description.
   *
   * @param store the store's name
   * @param operation the operation's name
   * @return the operation
   * @throws StoreException with {@link ErrorCode#NOT_FOUND} if either is unknown
   */
  public StoreOperation<?, ?> operation(String store, String operation) {
    Map<String, StoreOperation<?, ?>> ops = operations.get(store);
    if (ops == null) {
      throw StoreException.notFound("no store named '" + store + "'; stores: "
          + stores.keySet());
    }
    StoreOperation<?, ?> op = ops.get(operation);
    if (op == null) {
      throw StoreException.notFound("store '" + store + "' has no operation '" + operation
          + "'; it has " + ops.keySet());
    }
    return op;
  }

  /**
   * Returns every operation of every store.
   *
   * @return store name to operation name to operation
   */
  public Map<String, Map<String, StoreOperation<?, ?>>> operations() {
    return operations;
  }

  /**
   * Calls an operation in a transaction of its own: a read-only one for reads, a read-write
   * one retried on conflict (up to 10 attempts) for writes, committed before returning.
   *
   * @param store the store's name
   * @param operation the operation's name
   * @param request the request, of the operation's request type
   * @return the response
   * @throws StoreException for unknown stores or operations, bad input, unknown ids; after
   *     every retry failed, with {@link ErrorCode#CONFLICT}; when the database is read-only
   *     after a failure, with {@link ErrorCode#UNAVAILABLE}
   */
  public Object call(String store, String operation, Object request) {
    return call(store, operation, request, Long.MAX_VALUE);
  }

  /**
   * As {@link #call(String, String, Object)}, with a deadline: a write operation whose
   * deadline passes before its commit is rolled back, so it writes nothing; a read whose
   * deadline passes is abandoned. The deadline is checked before the operation starts, before
   * each commit attempt, and after a read.
   *
   * @param store the store's name
   * @param operation the operation's name
   * @param request the request
   * @param deadlineNanos the deadline on the {@link System#nanoTime()} clock;
   *     {@link Long#MAX_VALUE} for none
   * @return the response
   * @throws StoreException as {@link #call(String, String, Object)}, and with
   *     {@link ErrorCode#DEADLINE_EXCEEDED} when the deadline passed
   */
  public Object call(String store, String operation, Object request, long deadlineNanos) {
    StoreOperation<?, ?> op = operation(store, operation);
    Objects.requireNonNull(request, "request");
    checkDeadline(deadlineNanos, store, operation);
    if (db.isReadOnly() && op.kind() == OperationKind.WRITE) {
      throw new StoreException(ErrorCode.UNAVAILABLE, "the database is read-only: "
          + db.failure().orElse("unknown failure"));
    }
    if (op.kind() == OperationKind.READ) {
      Object answer;
      try (Transaction tx = db.beginReadOnly()) {
        answer = op.invoke(tx, request);
      }
      checkDeadline(deadlineNanos, store, operation);
      return answer;
    }
    return inTransaction(tx -> {
      Object answer = op.invoke(tx, request);
      checkDeadline(deadlineNanos, store, operation);
      return answer;
    });
  }

  private static void checkDeadline(long deadlineNanos, String store, String operation) {
    if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0) {
      throw new StoreException(ErrorCode.DEADLINE_EXCEEDED, "the deadline passed before "
          + store + "/" + operation + " finished; nothing was written");
    }
  }

  /**
   * Calls an operation inside the caller's transaction, which the caller commits; this is
   * how one transaction spans several stores.
   *
   * @param tx the caller's transaction (read-write for write operations)
   * @param store the store's name
   * @param operation the operation's name
   * @param request the request
   * @return the response
   * @throws StoreException for unknown stores or operations, bad input, unknown ids, or a
   *     write operation in a read-only transaction
   */
  public Object call(Transaction tx, String store, String operation, Object request) {
    StoreOperation<?, ?> op = operation(store, operation);
    if (op.kind() == OperationKind.WRITE && tx.isReadOnly()) {
      throw StoreException.invalid("operation " + store + "/" + operation
          + " writes; it needs a read-write transaction");
    }
    return op.invoke(tx, request);
  }

  /**
   * Runs {@code body} in one snapshot-isolation transaction and commits it, retrying after a
   * conflict (10 attempts). The body may run more than once.
   *
   * @param <T> the result type
   * @param body the work
   * @return the result of the attempt that committed
   * @throws StoreException with {@link ErrorCode#CONFLICT} if every attempt conflicted
   */
  public <T> T inTransaction(Function<Transaction, T> body) {
    try {
      return db.inTransaction(Isolation.SNAPSHOT, body);
    } catch (ConflictException e) {
      throw new StoreException(ErrorCode.CONFLICT, e.getMessage(), List.of(), e);
    }
  }

  /**
   * Checks everything: writes a checkpoint so that the data file holds every commit, verifies
   * the data file from disk ({@link Database#check()}), then asks every store to verify its
   * indexes against its records in one snapshot. Reads the whole database.
   *
   * @param maxProblems how many problems each area describes, {@code >= 1}
   * @return the result
   * @throws IllegalArgumentException if {@code maxProblems < 1}
   * @throws io.treestore.page.StorageException on an I/O error
   */
  public CheckResult check(int maxProblems) {
    if (maxProblems < 1) {
      throw new IllegalArgumentException("maxProblems must be >= 1, was " + maxProblems);
    }
    List<String> problems = new ArrayList<>();
    long lsn = db.isReadOnly() ? db.checkpointLsn() : db.checkpoint();
    var file = db.check();
    for (String p : file.problems()) {
      problems.add("data file: " + p);
    }
    try (io.treestore.txn.DbSnapshot snap = db.snapshot()) {
      for (Store s : stores.values()) {
        try {
          for (String p : s.check(snap, maxProblems)) {
            problems.add("store " + s.name() + ": " + p);
          }
        } catch (RuntimeException e) {
          problems.add("store " + s.name() + ": check failed: " + e);
        }
      }
    }
    return new CheckResult(problems, file.pageCount(), lsn);
  }

  /**
   * Closes every store, then the database (with a final checkpoint). Idempotent.
   */
  @Override
  public void close() {
    RuntimeException failure = null;
    for (Store s : stores.values()) {
      try {
        s.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    try {
      db.close();
    } catch (RuntimeException e) {
      if (failure == null) {
        failure = e;
      } else {
        failure.addSuppressed(e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
