package io.treestore.fts;

/**
 * Thrown when a query does not parse; the message quotes the problem and its position.
 */
public final class QuerySyntaxException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Where the problem is, in {@code char}s from the start of the query. */
  private final int position;

  /**
   * Creates the exception.
   *
   * @param message what is wrong
   * @param position the {@code char} offset in the query, {@code >= 0}
   */
  public QuerySyntaxException(String message, int position) {
    super(message + " at position " + position);
    this.position = position;
  }

  /**
   * Returns where the problem is.
   *
   * @return the {@code char} offset in the query
   */
  public int position() {
    return position;
  }
}
