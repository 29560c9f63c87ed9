package io.treestore.fts.internal;

import io.treestore.index.Tuple;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A block of one term's postings: the postings of 1 to {@value #MAX_ENTRIES} units in
 * ascending unit-key order (unsigned bytes), stored under {@code termKey ++ lastUnitKey}, the
 * key of the block's last unit. Keying a block by its last unit lets a forward seek to
 * {@code termKey ++ u} land on the block that holds {@code u} or the first unit after it.
 *
 * <p>Value layout (varints are unsigned LEB128):
 *
 * <pre>
 * block  --&gt; count, entry^count
 * entry  --&gt; shared, suffixLen, suffix, postingLen, posting
 * </pre>
 *
 * The unit keys are front coded: {@code shared} bytes are taken from the previous entry's
 * unit key, then {@code suffix} follows. The first entry's "previous" key is the block's
 * last unit key (from the B+Tree key), so units of one document share their whole prefix
 * even at the start of a block. The last entry's unit key must equal the block key's. The
 * {@code posting} is a {@link Posting} value.
 *
 * <p>Stateless helpers; a {@link Reader} is not thread-safe.
 */
public final class PostingBlock {
  /** The most units a block holds. */
  public static final int MAX_ENTRIES = 128;

  private PostingBlock() {}

  /**
   * Encodes a block.
   *
   * @param units the unit keys, strictly ascending, at least one
   * @param postings the encoded postings, parallel to {@code units}
   * @param from first index to encode
   * @param to one past the last index to encode, {@code from < to}
   * @return the value bytes; the block's key is {@code termKey ++ units[to - 1]}
   */
  public static byte[] encode(List<byte[]> units, List<byte[]> postings, int from, int to) {
    int size = 4;
    for (int i = from; i < to; i++) {
      size += 8 + postings.get(i).length;
    }
    Varint.Out out = new Varint.Out(size);
    out.varint(to - from);
    byte[] prev = units.get(to - 1);
    for (int i = from; i < to; i++) {
      byte[] u = units.get(i);
      int shared = Arrays.mismatch(prev, u);
      if (shared < 0) {
        shared = u.length;
      }
      out.varint(shared);
      out.varint(u.length - shared);
      out.bytes(u, shared, u.length - shared);
      byte[] p = postings.get(i);
      out.varint(p.length);
      out.bytes(p, 0, p.length);
      prev = u;
    }
    return out.toByteArray();
  }

  /**
   * Builds the error for a block that does not decode, naming it.
   *
   * @param keyspace the postings keyspace
   * @param key the block's key
   * @param cause what the decoder found
   * @return an exception whose message gives the keyspace, the key (as a tuple if it decodes,
   *     in hex otherwise) and the cause
   */
  public static IllegalStateException corrupt(String keyspace, byte[] key,
      IllegalArgumentException cause) {
    String k;
    try {
      k = Tuple.decode(key).toString();
    } catch (IllegalArgumentException e) {
      k = "0x" + HexFormat.of().formatHex(key);
    }
    return new IllegalStateException("posting block " + k + " of keyspace " + keyspace
        + " is corrupt: " + cause.getMessage() + "; run a check", cause);
  }

  /**
   * Returns the bytes an entry takes in a block.
   *
   * @param previous the previous entry's unit key, or {@code null} for a block's first entry
   *     (counted as sharing nothing)
   * @param unit the entry's unit key
   * @param postingLength the length of its encoded posting
   * @return bytes
   */
  public static int entrySize(byte @Nullable [] previous, byte[] unit, int postingLength) {
    int shared = previous == null ? 0 : Arrays.mismatch(previous, unit);
    if (shared < 0) {
      shared = unit.length;
    }
    int suffix = unit.length - shared;
    return varintLength(shared) + varintLength(suffix) + suffix + varintLength(postingLength)
        + postingLength;
  }

  /**
   * Returns the length of a varint.
   *
   * @param v a value {@code >= 0}
   * @return 1 to 5
   */
  public static int varintLength(int v) {
    return v < (1 << 7) ? 1 : v < (1 << 14) ? 2 : v < (1 << 21) ? 3 : v < (1 << 28) ? 4 : 5;
  }

  /**
   * Reads a block's entries in order and checks its structure as it goes: the count, the
   * front coding, ascending keys, and that the last key equals the block key's.
   */
  public static final class Reader {
    private final byte[] value;
    private final byte[] last;
    private final Varint.Reader in;
    private final int count;
    private int read;
    private byte[] unit;
    private int postingOffset;
    private int postingLength;

    /**
     * Opens a reader before the first entry.
     *
     * @param value the block's value
     * @param lastUnit the block's last unit key, taken from its B+Tree key
     * @throws IllegalArgumentException if the count is malformed or zero
     */
    public Reader(byte[] value, byte[] lastUnit) {
      this.value = value;
      this.last = lastUnit;
      this.in = new Varint.Reader(value);
      this.count = in.read();
      if (count < 1 || count > MAX_ENTRIES) {
        throw new IllegalArgumentException("posting block holds " + count + " entries, not 1 to "
            + MAX_ENTRIES);
      }
      this.unit = lastUnit;
    }

    /**
     * Returns the number of entries.
     *
     * @return 1 to {@value #MAX_ENTRIES}
     */
    public int count() {
      return count;
    }

    /**
     * Moves to the next entry.
     *
     * @return {@code false} after the last one
     * @throws IllegalArgumentException if the entry is malformed (the message gives the offset
     *     in the value), its key is not above the previous one, or the block's last key does
     *     not equal the block key's
     */
    public boolean next() {
      if (read == count) {
        if (!in.atEnd()) {
          throw new IllegalArgumentException("posting block has trailing bytes at offset "
              + in.pos());
        }
        return false;
      }
      int at = in.pos();
      int shared = in.read();
      int suffix = in.read();
      if (shared > unit.length) {
        throw new IllegalArgumentException("posting block entry at offset " + at + " shares "
            + shared + " bytes with a key of " + unit.length);
      }
      int start = in.pos();
      in.skip(suffix);
      byte[] u = Arrays.copyOf(unit, shared + suffix);
      System.arraycopy(value, start, u, shared, suffix);
      if (read > 0 && Arrays.compareUnsigned(unit, u) >= 0) {
        throw new IllegalArgumentException("posting block entry at offset " + at
            + " is not above the previous unit");
      }
      postingLength = in.read();
      postingOffset = in.pos();
      in.skip(postingLength);
      read++;
      unit = u;
      if (read == count && !Arrays.equals(u, last)) {
        throw new IllegalArgumentException("posting block's last unit differs from its key");
      }
      return true;
    }

    /**
     * Returns the current entry's unit key.
     *
     * @return a fresh array the caller may keep
     */
    public byte[] unit() {
      return unit;
    }

    /**
     * Returns the array holding the current entry's posting ({@link #postingOffset},
     * {@link #postingLength}).
     *
     * @return the block value, not a copy
     */
    public byte[] array() {
      return value;
    }

    /**
     * Returns where the current posting starts in {@link #array()}.
     *
     * @return an offset
     */
    public int postingOffset() {
      return postingOffset;
    }

    /**
     * Returns the current posting's length.
     *
     * @return bytes
     */
    public int postingLength() {
      return postingLength;
    }

    /**
     * Returns a copy of the current posting.
     *
     * @return the posting bytes
     */
    public byte[] posting() {
      return Arrays.copyOfRange(value, postingOffset, postingOffset + postingLength);
    }

    /**
     * Tells whether every entry has been read.
     *
     * @return {@code true} after the last entry
     */
    public boolean done() {
      return read == count;
    }
  }
}
