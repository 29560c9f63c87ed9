package io.treestore.txn;

import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * Combines a stored value with a commutative delta (a <em>merge operand</em>), such as adding
 * to a counter. Merges never conflict with each other: concurrent transactions may merge into
 * the same key and all commit, because the operator is applied in commit order when the
 * commit is applied, not when the transaction read the value.
 *
 * <p>Contract: {@code apply} must be deterministic, and commutative and associative over
 * operands ({@code apply(apply(v, a), b) == apply(apply(v, b), a)}), since recovery replays
 * operands in log order, which may differ from the order in which transactions began. The
 * {@link #name()} is written into the log and resolved on replay, so it must never change
 * meaning. Implementations must be thread-safe (they are stateless in practice).
 */
public interface MergeOperator {
  /** Adds signed 64-bit big-endian integers, overflow wrapping; an absent value counts as 0. */
  MergeOperator INT64_ADD = new MergeOperator() {
    @Override
    public String name() {
      return "int64-add";
    }

    @Override
    public byte[] apply(byte @Nullable [] existing, byte[] operand) {
      if (operand.length != 8) {
        throw new IllegalArgumentException("int64-add operand must be 8 bytes, was "
            + operand.length);
      }
      long base = 0;
      if (existing != null) {
        if (existing.length != 8) {
          throw new IllegalArgumentException("int64-add needs an 8-byte value, found "
              + existing.length + " bytes");
        }
        base = ByteBuffer.wrap(existing).getLong();
      }
      return ByteBuffer.allocate(8).putLong(base + ByteBuffer.wrap(operand).getLong()).array();
    }

    @Override
    public byte @Nullable [] combine(byte[] first, byte[] second) {
      if (first.length != 8 || second.length != 8) {
        return null;  // apply reports the malformed operand
      }
      return ByteBuffer.allocate(8).putLong(ByteBuffer.wrap(first).getLong()
          + ByteBuffer.wrap(second).getLong()).array();
    }
  };

  /**
   * Returns the operator's stable name, recorded in the log.
   *
   * @return 1 to 64 ASCII letters, digits, '-' or '_'
   */
  String name();

  /**
   * Combines a value with an operand.
   *
   * @param existing the current value, or {@code null} if the key is absent; read-only (it
   *     may be a value other readers hold), so build the result in a new array
   * @param operand the delta; read-only
   * @return the new value
   * @throws IllegalArgumentException if the value or operand is malformed for this operator
   */
  byte[] apply(byte @Nullable [] existing, byte[] operand);

  /**
   * Combines two operands of this operator into one with the same effect, if the operator
   * can: {@code apply(apply(v, first), second) == apply(v, combine(first, second))} for every
   * {@code v} (RocksDB calls this a partial merge). A transaction that merges into a key many
   * times then logs and applies one operand instead of many. The default combines nothing.
   *
   * @param first the earlier operand
   * @param second the later operand
   * @return the combined operand, or {@code null} if these operands are not combined
   */
  default byte @Nullable [] combine(byte[] first, byte[] second) {
    return null;
  }
}
