package io.treestore.fts;

import io.treestore.index.Tuple;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to run a search: how many hits, which units (filters), the snippet shape, and whether
 * to prune.
 *
 * @param limit the number of hits, 1 to {@value #MAX_LIMIT}
 * @param keyPrefix only units whose key starts with these elements (for PageIndex keys
 *     {@code (doc, version, node)}: {@code (doc)} filters by document, {@code (doc, version)}
 *     by version), or {@code null} for all
 * @param pathPrefix only units whose path is this path or below it (a subtree), or
 *     {@code null} for all
 * @param snippetChars the snippet window, 16 to 10,000 {@code char}s of the unit text
 * @param markStart put before each matched token in snippets
 * @param markEnd put after each matched token in snippets
 * @param pruning whether to skip units that cannot reach the top hits (MaxScore); turning it
 *     off scores every matching posting and gives the same hits
 */
public record SearchOptions(int limit, @Nullable Tuple keyPrefix, @Nullable String pathPrefix,
    int snippetChars, String markStart, String markEnd, boolean pruning) {
  /** The largest {@code limit}. */
  public static final int MAX_LIMIT = 10_000;

  /**
   * Validates the options.
   *
   * @throws IllegalArgumentException if a value is out of range
   */
  public SearchOptions {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + ", was " + limit);
    }
    if (snippetChars < 16 || snippetChars > 10_000) {
      throw new IllegalArgumentException("snippetChars must be 16 to 10000, was "
          + snippetChars);
    }
    Objects.requireNonNull(markStart, "markStart");
    Objects.requireNonNull(markEnd, "markEnd");
    if (pathPrefix != null && pathPrefix.isEmpty()) {
      throw new IllegalArgumentException("pathPrefix must not be empty (use null for all)");
    }
  }

  /**
   * Returns the defaults: 10 hits, no filter, 200-char snippets marked with {@code <b>} and
   * {@code </b>}, pruning on.
   *
   * @return the options
   */
  public static SearchOptions defaults() {
    return new SearchOptions(10, null, null, 200, "<b>", "</b>", true);
  }

  /**
   * Returns these options with another limit.
   *
   * @param limit 1 to {@value #MAX_LIMIT}
   * @return new options
   * @throws IllegalArgumentException if out of range
   */
  public SearchOptions withLimit(int limit) {
    return new SearchOptions(limit, keyPrefix, pathPrefix, snippetChars, markStart, markEnd,
        pruning);
  }

  /**
   * Returns these options restricted to unit keys with a prefix.
   *
   * @param prefix the key prefix, or {@code null} for none
   * @return new options
   */
  public SearchOptions withKeyPrefix(@Nullable Tuple prefix) {
    return new SearchOptions(limit, prefix, pathPrefix, snippetChars, markStart, markEnd,
        pruning);
  }

  /**
   * Returns these options restricted to a subtree.
   *
   * @param path the subtree's root path, or {@code null} for none
   * @return new options
   * @throws IllegalArgumentException if the path is empty
   */
  public SearchOptions withPathPrefix(@Nullable String path) {
    return new SearchOptions(limit, keyPrefix, path, snippetChars, markStart, markEnd, pruning);
  }

  /**
   * Returns these options with another snippet window.
   *
   * @param chars 16 to 10,000
   * @return new options
   * @throws IllegalArgumentException if out of range
   */
  public SearchOptions withSnippetChars(int chars) {
    return new SearchOptions(limit, keyPrefix, pathPrefix, chars, markStart, markEnd, pruning);
  }

  /**
   * Returns these options with pruning on or off.
   *
   * @param on whether to prune
   * @return new options
   */
  public SearchOptions withPruning(boolean on) {
    return new SearchOptions(limit, keyPrefix, pathPrefix, snippetChars, markStart, markEnd,
        on);
  }
}
