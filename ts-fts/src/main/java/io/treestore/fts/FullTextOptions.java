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
 * @param groupElements how units share posting blocks, 0 to {@value #MAX_GROUP_ELEMENTS}: with
 *     {@code g > 0}, the postings of units whose keys have more than {@code g} elements and
 *     agree in the first {@code g} are kept together, a term's postings of up to 128 such
 *     units in one B+Tree entry (for keys {@code (document, node)}, {@code g = 1} groups by
 *     document); other units, and every unit when {@code g = 0} (the default), keep each
 *     term's posting in an entry of its own. Grouping makes the index several times smaller
 *     and a batch ingest ({@link FullTextIndex#indexAll}) much faster, at a price:
 *     concurrent transactions that write units of the same group conflict. Fixed for the
 *     lifetime of an index
 */
public record FullTextOptions(String analyzer, List<String> fields, double k1, double b,
    int groupElements) {
  /** The largest {@link #groupElements()}. */
  public static final int MAX_GROUP_ELEMENTS = 16;

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
    if (groupElements < 0 || groupElements > MAX_GROUP_ELEMENTS) {
      throw new IllegalArgumentException("groupElements must be in [0, " + MAX_GROUP_ELEMENTS
          + "], was " + groupElements);
    }
  }

  /**
   * Creates options without grouping ({@code groupElements = 0}).
   *
   * @param analyzer the analyzer's name
   * @param fields the field names in join order
   * @param k1 BM25's saturation, {@code >= 0}
   * @param b BM25's length normalization, 0 to 1
   * @throws IllegalArgumentException if a value is out of range or a field name is invalid or
   *     repeated
   */
  public FullTextOptions(String analyzer, List<String> fields, double k1, double b) {
    this(analyzer, fields, k1, b, 0);
  }

  /**
   * Returns the defaults: the {@code standard} analyzer, the PageIndex fields
   * ({@code title, summary, prefix_summary, text}), k1 = 1.2, b = 0.75, no grouping.
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
    return new FullTextOptions(analyzer, fields, k1, b, groupElements);
  }

  /**
   * Returns these options with another grouping of units into posting blocks.
   *
   * @param groupElements 0 (none) to {@value #MAX_GROUP_ELEMENTS} leading unit-key elements
   * @return new options
   * @throws IllegalArgumentException if the value is out of range
   */
  public FullTextOptions withGroupElements(int groupElements) {
    return new FullTextOptions(analyzer, fields, k1, b, groupElements);
  }

  /**
   * Returns these options with other fields.
   *
   * @param fields the field names in join order
   * @return new options
   * @throws IllegalArgumentException if the names are invalid
   */
  public FullTextOptions withFields(List<String> fields) {
    return new FullTextOptions(analyzer, fields, k1, b, groupElements);
  }
}
