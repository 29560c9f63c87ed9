package io.treestore.spi;

import io.treestore.fts.FullTextIndex;
import io.treestore.fts.FullTextOptions;
import io.treestore.index.IndexDefinition;
import io.treestore.index.RecordCodec;
import io.treestore.index.Table;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a store gets from TreeStore: tables and full-text indexes in its own namespace (names
 * are prefixed with the store's name, so stores never collide), a clock, and its settings.
 * Stores reach data only through these and the transactions handed to their operations, never
 * through the page, B+Tree or log layers.
 *
 * <p>Thread-safe.
 */
public final class StoreContext {
  private final String store;
  private final Clock clock;
  private final Map<String, String> settings;

  StoreContext(String store, Clock clock, Map<String, String> settings) {
    this.store = store;
    this.clock = clock;
    this.settings = Map.copyOf(settings);
  }

  /**
   * Returns the store's name.
   *
   * @return the provider's name
   */
  public String storeName() {
    return store;
  }

  /**
   * Declares a table named {@code <store>.<name>}.
   *
   * @param <R> the record type
   * @param name the table's name within the store
   * @param codec the record codec
   * @param indexes its secondary indexes
   * @return the table
   * @throws IllegalArgumentException if a name is invalid
   */
  public <R> Table<R> table(String name, RecordCodec<R> codec, List<IndexDefinition<R>> indexes) {
    Table.Builder<R> b = Table.builder(store + "." + Objects.requireNonNull(name, "name"), codec);
    for (IndexDefinition<R> d : indexes) {
      b.index(d);
    }
    return b.build();
  }

  /**
   * Declares a full-text index named {@code <store>.<name>}.
   *
   * @param name the index's name within the store
   * @param options analyzer, fields and BM25 parameters
   * @return the index
   * @throws IllegalArgumentException if the name is invalid or the analyzer unknown
   */
  public FullTextIndex fullTextIndex(String name, FullTextOptions options) {
    return new FullTextIndex(store + "." + Objects.requireNonNull(name, "name"), options);
  }

  /**
   * Returns the clock for timestamps and defaults such as "today".
   *
   * @return the clock of {@link TreeStoreOptions#clock()}
   */
  public Clock clock() {
    return clock;
  }

  /**
   * Returns the store's settings ({@code store.<name>.<key>} entries of the options, without
   * the prefix).
   *
   * @return an unmodifiable map
   */
  public Map<String, String> settings() {
    return settings;
  }
}
