package io.treestore.page;

/**
 * The durable state recorded in a meta page: what a flush made durable.
 *
 * <p>Instances are immutable values; {@link #payload()} returns a copy.
 *
 * @param generation the flush generation, {@code >= 0}; each successful
 *     {@link PageFile#commitMeta commitMeta} increases it by one, and the meta page with the
 *     higher valid generation is the durable state
 * @param pageCount the number of pages the file holds for this state (pages
 *     {@code [0, pageCount)}); pages at or beyond it are unused space left by an unfinished
 *     flush
 * @param payload the upper layer's record (roots, free-space root, application data), at most
 *     {@link PageFile#maxMetaPayload()} bytes
 */
public record Meta(long generation, long pageCount, byte[] payload) {
  /**
   * Validates and copies the fields.
   *
   * @throws IllegalArgumentException if {@code generation < 0} or {@code pageCount < 2}
   */
  public Meta {
    if (generation < 0) {
      throw new IllegalArgumentException("generation must be >= 0, was " + generation);
    }
    if (pageCount < 2) {
      throw new IllegalArgumentException("pageCount must be >= 2 (the meta pages), was " + pageCount);
    }
    payload = payload.clone();
  }

  /**
   * Returns a copy of the payload.
   *
   * @return the payload bytes, possibly empty
   */
  @Override
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Meta m && m.generation == generation && m.pageCount == pageCount
        && java.util.Arrays.equals(m.payload, payload);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(generation) * 31 + java.util.Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "Meta[generation=" + generation + ", pageCount=" + pageCount + ", payload="
        + payload.length + " bytes]";
  }
}
