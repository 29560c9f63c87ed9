package io.treestore.txn.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.treestore.txn.MergeOperator;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Merge operands of one key: combined where the operator allows it, in order otherwise. */
class WriteTest {
  private static byte[] n(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  /** Appends its operand; does not combine, so operands must stay separate and in order. */
  private static final MergeOperator APPEND = new MergeOperator() {
    @Override
    public String name() {
      return "append";
    }

    @Override
    public byte[] apply(byte[] existing, byte[] operand) {
      byte[] base = existing == null ? new byte[0] : existing;
      byte[] r = java.util.Arrays.copyOf(base, base.length + operand.length);
      System.arraycopy(operand, 0, r, base.length, operand.length);
      return r;
    }
  };

  @Test
  void counterOperandsCombineIntoOne() {
    Write w = Write.merge(MergeOperator.INT64_ADD, n(1));
    for (int i = 2; i <= 1000; i++) {
      w.addMerge(MergeOperator.INT64_ADD, n(i));
    }
    assertEquals(1, w.operands().size(), "one operand in the log instead of 1000");
    assertArrayEquals(n(500_500 + 7), w.resolve(n(7)));
    Write later = Write.merge(MergeOperator.INT64_ADD, n(-500_500));
    Write both = Write.then(w, later);
    assertEquals(1, both.operands().size());
    assertArrayEquals(n(7), both.resolve(n(7)));
    assertEquals(1, w.operands().size(), "then() leaves its arguments unchanged");
  }

  @Test
  void otherOperatorsKeepEveryOperandInOrder() {
    Write w = Write.merge(APPEND, new byte[] {1});
    w.addMerge(APPEND, new byte[] {2});
    w.addMerge(APPEND, new byte[] {3});
    assertEquals(3, w.operands().size());
    assertArrayEquals(new byte[] {0, 1, 2, 3}, w.resolve(new byte[] {0}));
  }
}
