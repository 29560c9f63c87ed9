package io.treestore.index;

/**
 * Thrown when a write would give two records the same key in a unique index, or when
 * {@link Table#insert} finds the primary key taken. Nothing of the refused write is buffered;
 * the transaction stays usable.
 */
public final class UniqueConstraintException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The index name, or {@code "primary"} for the primary key. */
  private final String index;

  /** The key that is taken (an index key, or the primary key). */
  private final transient Tuple key;

  /** The primary key of the record that holds the key. */
  private final transient Tuple holder;

  /**
   * Creates the exception.
   *
   * @param table the table name
   * @param index the index name, or {@code "primary"}
   * @param key the key that is taken
   * @param holder the primary key of the record holding it
   */
  public UniqueConstraintException(String table, String index, Tuple key, Tuple holder) {
    super("unique index " + table + "#" + index + ": key " + key + " is already held by record "
        + holder);
    this.index = index;
    this.key = key;
    this.holder = holder;
  }

  /**
   * Returns the index whose constraint failed.
   *
   * @return the index name, or {@code "primary"}
   */
  public String index() {
    return index;
  }

  /**
   * Returns the key that is taken.
   *
   * @return the key
   */
  public Tuple key() {
    return key;
  }

  /**
   * Returns the record that holds the key.
   *
   * @return its primary key
   */
  public Tuple holder() {
    return holder;
  }
}
