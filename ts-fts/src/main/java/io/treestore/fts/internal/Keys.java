package io.treestore.fts.internal;

import io.treestore.index.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Keyspace names and key layouts of one full-text index named {@code X}:
 *
 * <ul>
 *   <li>{@code fts:X:units}: {@code enc(unitKey)} → {@code enc((path, dl, (field, text)...))};
 *   <li>{@code fts:X:postings}: {@code termKey(t) ++ enc(lastUnitKey)} → a
 *       {@link PostingBlock} of term {@code t};
 *   <li>{@code fts:X:df}: {@code termKey(t)} → df(t), an int64 merge counter;
 *   <li>{@code fts:X:stats}: {@code enc(("units"))}, {@code enc(("tokens"))} → int64 merge
 *       counters; {@code enc(("config"))} or {@code enc(("config", nonce))} (one or more keys
 *       with that prefix, all with the same value) → the analyzer and fields the index was
 *       built with; the first transactions write a key of their own, so concurrent first
 *       ingests do not conflict;
 *   <li>{@code fts:X:groups}: {@code groupPrefix} → empty, one key per non-empty unit group
 *       (when units are grouped into posting blocks), written by every transaction that
 *       changes the group's units, so that two transactions writing the same group always
 *       conflict, even when both create the group's first blocks (the conflict is
 *       materialized, as in Kleppmann, "Designing Data-Intensive Applications", 2017, ch. 7).
 * </ul>
 *
 * <p>{@code termKey(t)} is one tuple element: the string {@code t} for terms of at most
 * {@value #MAX_TERM_BYTES} UTF-8 bytes; for a longer term (255 code points can be 1,020
 * bytes) a bytes element holding its first code points' UTF-8 and the SHA-256 of its UTF-8
 * bytes, so that posting keys stay within the page's key limit and distinct terms stay
 * distinct (the element types differ, so the two forms never collide). A posting key thus
 * decodes to the tuple {@code (termId, unitKey...)}.
 *
 * @param units the units keyspace
 * @param postings the postings keyspace
 * @param df the document-frequency keyspace
 * @param stats the statistics keyspace
 * @param groups the unit-group keyspace
 */
public record Keys(String units, String postings, String df, String stats, String groups) {
  /** Terms up to this many UTF-8 bytes are keyed by themselves. */
  public static final int MAX_TERM_BYTES = 240;
  /** The longest term key, in bytes. */
  public static final int MAX_TERM_KEY_BYTES = 2 * (MAX_TERM_BYTES / 2 + 32) + 2;

  /** The key of N. */
  public static final byte[] UNITS = Tuple.of("units").encode();
  /** The key of the total token count. */
  public static final byte[] TOKENS = Tuple.of("tokens").encode();
  /** The key of the configuration, and the prefix of its other keys. */
  public static final byte[] CONFIG = Tuple.of("config").encode();

  /**
   * Returns the keyspaces of an index.
   *
   * @param name the index name
   * @return the names
   */
  public static Keys of(String name) {
    String p = "fts:" + name + ":";
    return new Keys(p + "units", p + "postings", p + "df", p + "stats", p + "groups");
  }

  /**
   * Returns the postings-keyspace key {@code termKey ++ unitKey[0, unitLength)}: a block's key
   * when the unit is its last, or the start of a range of the term's blocks.
   *
   * @param termKey the term's key
   * @param unitKey an encoded unit key (or a prefix of one)
   * @param unitLength how many of its bytes to append, 0 to {@code unitKey.length}
   * @return a new array
   */
  public static byte[] posting(byte[] termKey, byte[] unitKey, int unitLength) {
    byte[] out = java.util.Arrays.copyOf(termKey, termKey.length + unitLength);
    System.arraycopy(unitKey, 0, out, termKey.length, unitLength);
    return out;
  }

  /**
   * Returns a term's key.
   *
   * @param term the term
   * @return its encoded key, at most {@link #MAX_TERM_KEY_BYTES} bytes
   */
  public static byte[] term(String term) {
    byte[] utf8 = term.getBytes(StandardCharsets.UTF_8);
    if (utf8.length <= MAX_TERM_BYTES) {
      return Tuple.of(term).encode();
    }
    int end = 0;
    int bytes = 0;
    while (end < term.length()) {
      int cp = term.codePointAt(end);
      int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + len > MAX_TERM_BYTES / 2) {
        break;
      }
      bytes += len;
      end += Character.charCount(cp);
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(utf8);
      byte[] id = java.util.Arrays.copyOf(term.substring(0, end).getBytes(StandardCharsets.UTF_8),
          bytes + hash.length);
      System.arraycopy(hash, 0, id, bytes, hash.length);
      return Tuple.of((Object) id).encode();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
