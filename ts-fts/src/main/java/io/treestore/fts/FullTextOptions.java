package io.treestore.fts;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The configuration of a {@link FullTextIndex}.
 *
 * @param analyzer the analyzer's name ({@link Analyzers#find}); the same analyzer must be used
 *     for the lifetime of an index
 * @param fields the field names a unit may have, in the order their texts are joined with
 *     {@code "\n"} to form the unit's text; 1 to 32 names of 1 to 64 ASCII letters, digits or
 *     {@code _}; the order must not change for an existing index (postings record term
 *     frequencies per field by index)
 * @param k1 BM25's term-frequency saturation, {@code >= 0} and finite (default 1.2)
 * @param b BM25's length normalization, 0 to 1 (default 0.75)
 */
public record FullTextOptions(String analyzer, List<String> fields, double k1, double b) {
  private static final Pattern FIELD = Pattern.compile("[A-Za-z0-9_]{1,64}");

  /** The PageIndex node fields, in the design's order. */
  public static final List<String> PAGEINDEX_FIELDS = List.of("title", "summary",
      "prefix_summary", "text");

  /**
   * Validates the options.
   *
   * @throws IllegalArgumentException if a value is out of range or a field name is invalid or
   *     repeated
   */
  public FullTextOptions {
    Objects.requireNonNull(analyzer, "analyzer");
    fields = List.copyOf(fields);
    if (fields.isEmpty() || fields.size() > 32) {
      throw new IllegalArgumentException("1 to 32 fields, was " + fields.size());
    }
    if (new HashSet<>(fields).size() != fields.size()) {
      throw new IllegalArgumentException("field names repeat: " + fields);
    }
    for (String f : fields) {
      if (!FIELD.matcher(f).matches()) {
        throw new IllegalArgumentException("field name must be 1 to 64 of [A-Za-z0-9_], was '"
            + f + "'");
      }
    }
    if (!(k1 >= 0) || Double.isInfinite(k1)) {
      throw new IllegalArgumentException("k1 must be >= 0 and finite, was " + k1);
    }
    if (!(b >= 0 && b <= 1)) {
      throw new IllegalArgumentException("b must be in [0, 1], was " + b);
    }
  }

  /**
   * Returns the defaults: the {@code standard} analyzer, the PageIndex fields
   * ({@code title, summary, prefix_summary, text}), k1 = 1.2, b = 0.75.
   *
   * @return the options
   */
  public static FullTextOptions defaults() {
    return new FullTextOptions(StandardAnalyzer.NAME, PAGEINDEX_FIELDS, 1.2, 0.75);
  }

  /**
   * Returns these options with other BM25 parameters.
   *
   * @param k1 the saturation, {@code >= 0}
   * @param b the length normalization, 0 to 1
   * @return new options
   * @throws IllegalArgumentException if a value is out of range
   */
  public FullTextOptions withBm25(double k1, double b) {
    return new FullTextOptions(analyzer, fields, k1, b);
  }

  /**
   * Returns these options with other fields.
   *
   * @param fields the field names in join order
   * @return new options
   * @throws IllegalArgumentException if the names are invalid
   */
  public FullTextOptions withFields(List<String> fields) {
    return new FullTextOptions(analyzer, fields, k1, b);
  }
}
