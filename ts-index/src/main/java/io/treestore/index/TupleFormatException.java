package io.treestore.index;

/**
 * Thrown when bytes do not decode as a tuple: an unknown type code, a truncated element,
 * invalid UTF-8, a non-canonical encoding, trailing bytes or tuples nested deeper than
 * {@link Tuple#MAX_NESTING}. The message names the offset.
 *
 * <p>A key that fails to decode was not written by {@link Tuple#encode()}; inside a database
 * it means damage or a foreign writer, and it is never turned into a value.
 */
public final class TupleFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The offset, in bytes from the start of the input, where decoding failed. */
  private final int offset;

  /**
   * Creates the exception.
   *
   * @param message what is wrong
   * @param offset the byte offset of the problem, {@code >= 0}
   */
  public TupleFormatException(String message, int offset) {
    super(message + " at offset " + offset);
    this.offset = offset;
  }

  /**
   * Returns where decoding failed.
   *
   * @return the byte offset from the start of the decoded input
   */
  public int offset() {
    return offset;
  }
}
