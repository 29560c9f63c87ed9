package io.treestore.fts;

/**
 * One token produced by an {@link Analyzer}.
 *
 * @param term the normalized term (for example lower-cased), at least one character
 * @param position the token's position in the analyzed text, counting from 0; positions
 *     strictly increase along a token list and may skip numbers where tokens were dropped
 *     (stop words), so that phrase queries keep their distances
 * @param start the offset of the token's first {@code char} in the analyzed text
 * @param end the offset just after the token's last {@code char}
 */
public record Token(String term, int position, int start, int end) {}
