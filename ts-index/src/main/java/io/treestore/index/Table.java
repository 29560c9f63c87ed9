package io.treestore.index;

import io.treestore.btree.Entry;
import io.treestore.btree.Range;
import io.treestore.txn.ReadView;
import io.treestore.txn.ScanIterator;
import io.treestore.txn.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A table: records keyed by a primary-key {@link Tuple} in one keyspace, plus the secondary
 * indexes declared for it. This is the index manager for that keyspace: every write through
 * it updates the record and all its index entries in the caller's transaction, so readers
 * (which see whole transactions) never see a record and its indexes disagree.
 *
 * <pre>{@code
 * Table<Tuple> nodes = Table.builder("nodes", RecordCodec.tuple())
 *     .index(IndexDefinition.nonUnique("by_parent", (pk, r) -> List.of(Tuple.of(r.get(0)))))
 *     .build();
 * try (Transaction tx = db.begin()) {
 *   nodes.put(tx, Tuple.of("doc", "0001"), Tuple.of("0000", "Intro"));
 *   tx.commit();
 * }
 * }</pre>
 *
 * <p>Keyspaces: the records live in {@code <name>}, index {@code i} in {@code <name>#<i>}
 * (layouts in {@link IndexDefinition}). A write first computes and validates every change
 * (key sizes, unique constraints, extractor errors) and only then buffers them, so a refused
 * write leaves the transaction as it was. Concurrent transactions that take the same unique
 * key write the same index entry, so the first to commit wins and the other gets a
 * {@link io.treestore.txn.ConflictException}.
 *
 * <p>Immutable and thread-safe; the transactions passed in follow their own rules.
 *
 * @param <R> the record type
 */
public final class Table<R> {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,100}");
  /** The index name used in errors about the primary key. */
  public static final String PRIMARY = "primary";

  private final String name;
  private final RecordCodec<R> codec;
  private final Map<String, IndexDefinition<R>> indexes;
  /** Decoded records by primary key, with the bytes they were decoded from; or none. */
  private final com.github.benmanes.caffeine.cache.@Nullable Cache<PrimaryKey, Decoded<R>>
      decoded;

  /** A primary key's bytes as a map key. */
  private record PrimaryKey(byte[] bytes, int hash) {
    static PrimaryKey of(byte[] b) {
      return new PrimaryKey(b, Arrays.hashCode(b));
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof PrimaryKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** A record and the stored bytes it was decoded from. */
  private record Decoded<R>(byte[] stored, R record) {}

  private Table(String name, RecordCodec<R> codec, Map<String, IndexDefinition<R>> indexes,
      long cacheBytes) {
    this.name = name;
    this.codec = codec;
    this.indexes = indexes;
    this.decoded = cacheBytes <= 0 ? null : com.github.benmanes.caffeine.cache.Caffeine
        .newBuilder()
        .maximumWeight(cacheBytes)
        .<PrimaryKey, Decoded<R>>weigher((k, d) -> 64 + k.bytes().length
            + 2 * d.stored().length)
        .build();
  }

  /**
   * Decodes a stored record, or returns the record decoded before from the same bytes. The
   * cache is keyed by primary key, and an entry is used only if its bytes equal the stored
   * ones, so every read view gets exactly what its own bytes say (a newer or older version of
   * the record in another snapshot simply misses).
   */
  private R decode(byte[] pk, byte[] stored) {
    var c = decoded;
    if (c == null) {
      return codec.decode(stored);
    }
    PrimaryKey key = PrimaryKey.of(pk);
    Decoded<R> d = c.getIfPresent(key);
    if (d != null && Arrays.equals(d.stored(), stored)) {
      return d.record();
    }
    R r = codec.decode(stored);
    c.put(key, new Decoded<>(stored, r));
    return r;
  }

  /**
   * Starts declaring a table.
   *
   * @param <R> the record type
   * @param name 1 to 100 ASCII letters, digits, {@code _ . : -}; also the primary keyspace name
   * @param codec encodes the records
   * @return a builder
   * @throws IllegalArgumentException if the name is invalid
   */
  public static <R> Builder<R> builder(String name, RecordCodec<R> codec) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("table name must be 1 to 100 of [A-Za-z0-9_.:-], was '"
          + name + "'");
    }
    return new Builder<>(name, Objects.requireNonNull(codec, "codec"));
  }

  /**
   * Collects the index definitions of a table. Not thread-safe.
   *
   * @param <R> the record type
   */
  public static final class Builder<R> {
    private final String name;
    private final RecordCodec<R> codec;
    private final Map<String, IndexDefinition<R>> indexes = new LinkedHashMap<>();
    private long cacheBytes;

    private Builder(String name, RecordCodec<R> codec) {
      this.name = name;
      this.codec = codec;
    }

    /**
     * Adds an index.
     *
     * @param definition the index
     * @return this builder
     * @throws IllegalArgumentException if an index of that name was already added
     */
    public Builder<R> index(IndexDefinition<R> definition) {
      if (indexes.putIfAbsent(definition.name(), definition) != null) {
        throw new IllegalArgumentException("table " + name + " already has an index named "
            + definition.name());
      }
      return this;
    }

    /**
     * Keeps recently read records decoded, up to about {@code bytes} of memory (twice the
     * stored size of each record is counted), so that reading a large record again skips
     * decoding it. Only for codecs whose records are immutable: the cached object is returned
     * to every reader of the same stored bytes. Reads stay exact for every snapshot: a cached
     * record is used only when its stored bytes equal the bytes read. Off by default.
     *
     * @param bytes the cache budget in bytes; 0 turns the cache off
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public Builder<R> recordCache(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("record cache bytes must be >= 0, was " + bytes);
      }
      this.cacheBytes = bytes;
      return this;
    }

    /**
     * Builds the table.
     *
     * @return the table
     */
    public Table<R> build() {
      return new Table<>(name, codec, Collections.unmodifiableMap(new LinkedHashMap<>(indexes)),
          cacheBytes);
    }
  }

  /**
   * Returns the table name.
   *
   * @return the name, which is also the primary keyspace
   */
  public String name() {
    return name;
  }

  /**
   * Returns the record codec.
   *
   * @return the codec
   */
  public RecordCodec<R> codec() {
    return codec;
  }

  /**
   * Returns the index definitions in declaration order.
   *
   * @return an unmodifiable list
   */
  public List<IndexDefinition<R>> indexes() {
    return List.copyOf(indexes.values());
  }

  /**
   * Returns the keyspace of an index.
   *
   * @param index the index name
   * @return {@code <table>#<index>}
   * @throws IllegalArgumentException if the table has no such index
   */
  public String indexKeyspace(String index) {
    definition(index);
    return name + "#" + index;
  }

  /**
   * Returns every keyspace the table uses.
   *
   * @return the primary keyspace first, then the index keyspaces
   */
  public List<String> keyspaces() {
    List<String> out = new ArrayList<>();
    out.add(name);
    for (String i : indexes.keySet()) {
      out.add(name + "#" + i);
    }
    return out;
  }

  private IndexDefinition<R> definition(String index) {
    IndexDefinition<R> d = indexes.get(Objects.requireNonNull(index, "index"));
    if (d == null) {
      throw new IllegalArgumentException("table " + name + " has no index named '" + index
          + "'; it has " + indexes.keySet());
    }
    return d;
  }

  // ------------------------------------------------------------------ reads

  /**
   * Reads a record.
   *
   * @param view a transaction or snapshot
   * @param primaryKey the key
   * @return the record, or {@code null} if absent
   * @throws IllegalArgumentException if the stored bytes do not decode
   */
  public @Nullable R get(ReadView view, Tuple primaryKey) {
    byte[] pk = primaryKey.encode();
    byte[] v = view.getShared(name, pk);
    return v == null ? null : decode(pk, v);
  }

  /**
   * Reads a record's stored bytes without decoding them: for a caller that needs only part of
   * a large record (with the tuple codec, {@link Tuple#decodeElements}) or only whether it
   * exists. The record cache is not consulted.
   *
   * @param view a transaction or snapshot
   * @param primaryKey the key
   * @return the bytes the codec wrote, read-only (shared as {@link ReadView#getShared} says:
   *     they must not be modified), or {@code null} if absent
   */
  public byte @Nullable [] getEncoded(ReadView view, Tuple primaryKey) {
    return view.getShared(name, primaryKey.encode());
  }

  /**
   * Looks a record up by a unique index key.
   *
   * @param view a transaction or snapshot
   * @param index a unique index
   * @param key the index key
   * @return the row, or {@code null} if no record has the key
   * @throws IllegalArgumentException if the index does not exist or is not unique
   * @throws IllegalStateException if the entry points to a missing record
   */
  public @Nullable Row<R> getUnique(ReadView view, String index, Tuple key) {
    IndexDefinition<R> d = definition(index);
    if (!d.unique()) {
      throw new IllegalArgumentException("index " + name + "#" + index + " is not unique");
    }
    byte[] pk = view.get(name + "#" + index, key.encode());
    return pk == null ? null : fetch(view, index, key, pk);
  }

  private Row<R> fetch(ReadView view, String index, Tuple key, byte[] pk) {
    byte[] v = view.getShared(name, pk);
    Tuple primaryKey = Tuple.decode(pk);
    if (v == null) {
      throw new IllegalStateException("index " + name + "#" + index + " entry " + key
          + " points to missing record " + primaryKey + "; run a check");
    }
    return new Row<>(key, primaryKey, decode(pk, v));
  }

  /**
   * Scans records by primary key.
   *
   * @param view a transaction or snapshot
   * @param range the primary keys, compared on prefixes ({@link TupleRange})
   * @return the rows, in primary-key order; close when stopping early
   */
  public RowIterator<R> scan(ReadView view, TupleRange range) {
    ScanIterator it = view.scan(name, range.toRange());
    return new RowIterator<>(it, e -> {
      Tuple pk = Tuple.decode(e.key());
      return new Row<>(pk, pk, decode(e.key(), e.value()));
    });
  }

  /**
   * Scans an index and returns the records it points to.
   *
   * @param view a transaction or snapshot
   * @param index the index name
   * @param range the index keys, compared on prefixes; in a non-unique index, records with the
   *     same index key come in primary-key order
   * @return the rows, in index-key order; close when stopping early
   * @throws IllegalArgumentException if the index does not exist
   */
  public RowIterator<R> scanIndex(ReadView view, String index, TupleRange range) {
    IndexDefinition<R> d = definition(index);
    ScanIterator it = view.scan(name + "#" + index, range.toRange());
    return new RowIterator<>(it, e -> fetch(view, index, indexKey(d, e.key(), e.value()),
        e.value()));
  }

  /**
   * Scans an index without reading the records.
   *
   * @param view a transaction or snapshot
   * @param index the index name
   * @param range the index keys, compared on prefixes
   * @return the entries, in index-key order; close when stopping early
   * @throws IllegalArgumentException if the index does not exist
   */
  public IndexEntryIterator scanIndexKeys(ReadView view, String index, TupleRange range) {
    IndexDefinition<R> d = definition(index);
    ScanIterator it = view.scan(name + "#" + index, range.toRange());
    return new IndexEntryIterator(it, e -> new IndexEntry(indexKey(d, e.key(), e.value()),
        Tuple.decode(e.value())));
  }

  private Tuple indexKey(IndexDefinition<R> d, byte[] k, byte[] pk) {
    if (d.unique()) {
      return Tuple.decode(k);
    }
    int n = k.length - pk.length;
    if (n < 0 || !Arrays.equals(k, n, k.length, pk, 0, pk.length)) {
      throw new IllegalStateException("index " + name + "#" + d.name() + " entry "
          + HexFormat.of().formatHex(k) + " does not end with its record's key");
    }
    return Tuple.decode(k, 0, n);
  }

  private static byte[] entryKey(IndexDefinition<?> d, byte[] indexKey, byte[] pk) {
    if (d.unique()) {
      return indexKey;
    }
    byte[] k = Arrays.copyOf(indexKey, indexKey.length + pk.length);
    System.arraycopy(pk, 0, k, indexKey.length, pk.length);
    return k;
  }

  // ------------------------------------------------------------------ writes

  /**
   * Inserts a record whose primary key must be new.
   *
   * @param tx a read-write transaction
   * @param primaryKey the key
   * @param record the record
   * @throws UniqueConstraintException if the primary key or a unique index key is taken;
   *     nothing is written
   * @throws IllegalArgumentException if a key is too large, the record does not encode or an
   *     extractor refuses it; nothing is written
   */
  public void insert(Transaction tx, Tuple primaryKey, R record) {
    write(tx, primaryKey, record, true);
  }

  /**
   * Inserts or replaces a record and updates every index: entries the old record had and the
   * new one has not are deleted, new ones added.
   *
   * @param tx a read-write transaction
   * @param primaryKey the key
   * @param record the record
   * @return the record replaced, or {@code null} if there was none
   * @throws UniqueConstraintException if another record holds a unique key of this record;
   *     nothing is written
   * @throws IllegalArgumentException if a key is too large, the record does not encode or an
   *     extractor refuses it; nothing is written
   */
  public @Nullable R put(Transaction tx, Tuple primaryKey, R record) {
    return write(tx, primaryKey, record, false);
  }

  /**
   * Deletes a record and all its index entries.
   *
   * @param tx a read-write transaction
   * @param primaryKey the key
   * @return the deleted record, or {@code null} if there was none (nothing is written then)
   * @throws IllegalArgumentException if the stored record does not decode or its extractor
   *     fails; nothing is written
   */
  public @Nullable R delete(Transaction tx, Tuple primaryKey) {
    byte[] pk = primaryKey.encode();
    byte[] oldBytes = tx.get(name, pk);
    if (oldBytes == null) {
      return null;
    }
    R old = codec.decode(oldBytes);
    Map<String, Set<Tuple>> oldKeys = keysOf(primaryKey, old);
    for (IndexDefinition<R> d : indexes.values()) {
      String ks = name + "#" + d.name();
      for (Tuple k : oldKeys.get(d.name())) {
        tx.delete(ks, entryKey(d, k.encode(), pk));
      }
    }
    tx.delete(name, pk);
    return old;
  }

  private @Nullable R write(Transaction tx, Tuple primaryKey, R record, boolean mustBeNew) {
    Objects.requireNonNull(record, "record");
    int maxKey = tx.database().maxKeySize();
    byte[] pk = primaryKey.encode();
    if (pk.length > maxKey) {
      throw new IllegalArgumentException("primary key of table " + name + " encodes to "
          + pk.length + " bytes, at most " + maxKey);
    }
    byte[] value = codec.encode(record);
    if (value.length > (1 << 30)) {
      throw new IllegalArgumentException("record encodes to " + value.length
          + " bytes, at most " + (1 << 30));
    }
    byte[] oldBytes = tx.get(name, pk);
    if (oldBytes != null && mustBeNew) {
      throw new UniqueConstraintException(name, PRIMARY, primaryKey, primaryKey);
    }
    R old = oldBytes == null ? null : codec.decode(oldBytes);
    Map<String, Set<Tuple>> newKeys = keysOf(primaryKey, record);
    Map<String, Set<Tuple>> oldKeys = old == null ? Map.of() : keysOf(primaryKey, old);
    // Validate everything before buffering anything.
    List<byte[]> deletes = new ArrayList<>();
    List<String> deleteSpaces = new ArrayList<>();
    List<byte[]> puts = new ArrayList<>();
    List<String> putSpaces = new ArrayList<>();
    for (IndexDefinition<R> d : indexes.values()) {
      String ks = name + "#" + d.name();
      Set<Tuple> before = oldKeys.getOrDefault(d.name(), Set.of());
      Set<Tuple> after = newKeys.get(d.name());
      for (Tuple k : before) {
        if (!after.contains(k)) {
          deleteSpaces.add(ks);
          deletes.add(entryKey(d, k.encode(), pk));
        }
      }
      for (Tuple k : after) {
        byte[] ek = entryKey(d, k.encode(), pk);
        if (ek.length > maxKey) {
          throw new IllegalArgumentException("index " + ks + " key " + k + " encodes to "
              + ek.length + " bytes with the record's key, at most " + maxKey);
        }
        if (d.unique()) {
          byte[] holder = tx.get(ks, ek);
          if (holder != null && !Arrays.equals(holder, pk)) {
            throw new UniqueConstraintException(name, d.name(), k, Tuple.decode(holder));
          }
        }
        if (!before.contains(k)) {
          putSpaces.add(ks);
          puts.add(ek);
        }
      }
    }
    for (int i = 0; i < deletes.size(); i++) {
      tx.delete(deleteSpaces.get(i), deletes.get(i));
    }
    for (int i = 0; i < puts.size(); i++) {
      tx.put(putSpaces.get(i), puts.get(i), pk);
    }
    tx.put(name, pk, value);
    return old;
  }

  private Map<String, Set<Tuple>> keysOf(Tuple primaryKey, R record) {
    Map<String, Set<Tuple>> out = new LinkedHashMap<>();
    for (IndexDefinition<R> d : indexes.values()) {
      List<Tuple> keys = d.extractor().keys(primaryKey, record);
      if (keys == null) {
        throw new IllegalArgumentException("key extractor of index " + name + "#" + d.name()
            + " returned null for record " + primaryKey);
      }
      Set<Tuple> set = new LinkedHashSet<>();
      for (Tuple k : keys) {
        set.add(Objects.requireNonNull(k, "key extractor returned a null key"));
      }
      out.put(d.name(), set);
    }
    return out;
  }

  // ------------------------------------------------------------------ check

  /**
   * Verifies that the table and its indexes agree: every record has exactly the entries its
   * extractors compute (a unique entry pointing to it), and every index entry decodes and
   * belongs to an existing record that produces it. Reads everything; run it on a
   * {@link io.treestore.txn.DbSnapshot} for a large table.
   *
   * @param view a transaction or snapshot
   * @param maxProblems how many problems to keep in the report (all are counted), {@code >= 0}
   * @return the report
   * @throws IllegalArgumentException if {@code maxProblems} is negative
   */
  public IndexCheckReport check(ReadView view, int maxProblems) {
    if (maxProblems < 0) {
      throw new IllegalArgumentException("maxProblems must be >= 0, was " + maxProblems);
    }
    List<IndexProblem> problems = new ArrayList<>();
    long[] count = new long[1];
    java.util.function.Consumer<IndexProblem> report = p -> {
      count[0]++;
      if (problems.size() < maxProblems) {
        problems.add(p);
      }
    };
    long records = 0;
    try (ScanIterator it = view.scan(name, Range.all())) {
      while (it.hasNext()) {
        Entry e = it.next();
        records++;
        Tuple pk;
        R record;
        try {
          pk = Tuple.decode(e.key());
          record = codec.decode(e.value());
        } catch (IllegalArgumentException ex) {
          report.accept(new IndexProblem(name, e.key(), "record does not decode: "
              + ex.getMessage()));
          continue;
        }
        Map<String, Set<Tuple>> keys;
        try {
          keys = keysOf(pk, record);
        } catch (RuntimeException ex) {
          report.accept(new IndexProblem(name, e.key(), "key extractor fails on record " + pk
              + ": " + ex));
          continue;
        }
        for (IndexDefinition<R> d : indexes.values()) {
          String ks = name + "#" + d.name();
          for (Tuple k : keys.get(d.name())) {
            byte[] ek = entryKey(d, k.encode(), e.key());
            byte[] v = view.get(ks, ek);
            if (v == null) {
              report.accept(new IndexProblem(ks, ek, "missing entry " + k + " of record "
                  + pk));
            } else if (!Arrays.equals(v, e.key())) {
              report.accept(new IndexProblem(ks, ek, "entry " + k + " of record " + pk
                  + " points to " + describeKey(v)));
            }
          }
        }
      }
    }
    long entries = 0;
    for (IndexDefinition<R> d : indexes.values()) {
      String ks = name + "#" + d.name();
      try (ScanIterator it = view.scan(ks, Range.all())) {
        while (it.hasNext()) {
          Entry e = it.next();
          entries++;
          Tuple key;
          Tuple pk;
          try {
            key = indexKey(d, e.key(), e.value());
            pk = Tuple.decode(e.value());
          } catch (RuntimeException ex) {
            report.accept(new IndexProblem(ks, e.key(), "entry does not decode: "
                + ex.getMessage()));
            continue;
          }
          byte[] v = view.get(name, e.value());
          if (v == null) {
            report.accept(new IndexProblem(ks, e.key(), "entry " + key
                + " points to missing record " + pk));
            continue;
          }
          try {
            if (!keysOf(pk, codec.decode(v)).get(d.name()).contains(key)) {
              report.accept(new IndexProblem(ks, e.key(), "stale entry " + key + ": record "
                  + pk + " does not produce it"));
            }
          } catch (RuntimeException ex) {
            // reported by the record pass
          }
        }
      }
    }
    return new IndexCheckReport(name, records, entries, count[0], problems);
  }

  private static String describeKey(byte[] encoded) {
    try {
      return "record " + Tuple.decode(encoded);
    } catch (TupleFormatException e) {
      return "undecodable key " + HexFormat.of().formatHex(encoded);
    }
  }

  @Override
  public String toString() {
    return "Table[" + name + ", indexes=" + indexes.keySet() + "]";
  }
}
