package io.treestore.page;

/**
 * The type stored in byte 4 of every page header.
 *
 * <p>Codes are part of the file format: never renumber them.
 */
public enum PageType {
  /** One of the two meta pages (page ids 0 and 1). */
  META(1),
  /** A B+Tree leaf: sorted keys with their values or overflow references. */
  LEAF(2),
  /** A B+Tree branch: separator keys and child page ids. */
  BRANCH(3),
  /** One page of a chain holding a value too large to store in a leaf. */
  OVERFLOW(4);

  private final byte code;

  PageType(int code) {
    this.code = (byte) code;
  }

  /**
   * Returns the on-disk code of this type.
   *
   * @return the byte stored in the page header
   */
  public byte code() {
    return code;
  }

  /**
   * Returns the type with the given on-disk code.
   *
   * @param code the byte read from a page header
   * @return the type, or {@code null} if no type has that code (a corrupt page)
   */
  public static @org.jspecify.annotations.Nullable PageType fromCode(byte code) {
    return switch (code) {
      case 1 -> META;
      case 2 -> LEAF;
      case 3 -> BRANCH;
      case 4 -> OVERFLOW;
      default -> null;
    };
  }
}
