package io.treestore.index;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Declares one secondary index of a {@link Table}: its name, whether its keys are unique, and
 * the extractor that computes a record's keys.
 *
 * <p>Storage: each index lives in its own keyspace, {@code <table>#<index>}. A unique index
 * maps {@code encode(indexKey)} to {@code encode(primaryKey)}; a non-unique index stores
 * {@code encode(indexKey) ++ encode(primaryKey)} (one entry per record and key, so concurrent
 * writers of different records never touch the same entry) with {@code encode(primaryKey)} as
 * the value.
 *
 * <p>Immutable and thread-safe if the extractor is.
 *
 * @param <R> the record type
 * @param name the index name: 1 to 64 ASCII letters, digits, {@code _} or {@code -}
 * @param unique whether two records may not share a key
 * @param extractor computes the keys of a record
 */
public record IndexDefinition<R>(String name, boolean unique, KeyExtractor<R> extractor) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /**
   * Validates the definition.
   *
   * @throws IllegalArgumentException if the name is invalid
   */
  public IndexDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(extractor, "extractor");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("index name must be 1 to 64 of [A-Za-z0-9_-], was '"
          + name + "'");
    }
  }

  /**
   * Declares a unique index.
   *
   * @param <R> the record type
   * @param name the index name
   * @param extractor the key extractor
   * @return the definition
   * @throws IllegalArgumentException if the name is invalid
   */
  public static <R> IndexDefinition<R> unique(String name, KeyExtractor<R> extractor) {
    return new IndexDefinition<>(name, true, extractor);
  }

  /**
   * Declares a non-unique index.
   *
   * @param <R> the record type
   * @param name the index name
   * @param extractor the key extractor
   * @return the definition
   * @throws IllegalArgumentException if the name is invalid
   */
  public static <R> IndexDefinition<R> nonUnique(String name, KeyExtractor<R> extractor) {
    return new IndexDefinition<>(name, false, extractor);
  }
}
