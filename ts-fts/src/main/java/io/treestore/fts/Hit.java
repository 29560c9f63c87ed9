package io.treestore.fts;

import io.treestore.index.Tuple;
import org.jspecify.annotations.Nullable;

/**
 * One search result.
 *
 * @param unitKey the key the unit was indexed under
 * @param score the BM25 score, {@code > 0}
 * @param path the unit's outline path, or {@code null}
 * @param snippet the best window of the unit's text, matched terms wrapped in the marks of
 *     {@link SearchOptions}, control characters and line breaks shown as spaces, an ellipsis
 *     ({@code …}) where text was cut
 */
public record Hit(Tuple unitKey, double score, @Nullable String path, String snippet) {}
