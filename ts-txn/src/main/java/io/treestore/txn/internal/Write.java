package io.treestore.txn.internal;

import io.treestore.txn.MergeOperator;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The net effect of a transaction on one key: a put, a delete, or merge operands to apply to
 * whatever value the key has when the commit is applied. A put or delete followed by merges
 * folds them at once into a put. Mutable; confined to the transaction's thread.
 */
public final class Write {
  /** The key's value is replaced. */
  public static final byte PUT = 1;
  /** The key is removed. */
  public static final byte DELETE = 2;
  /** Operands are applied to the value current at apply time. */
  public static final byte MERGE = 3;

  /**
   * The key order of write sets and of the conflict tracker: unsigned lexicographic. One
   * shared instance, so that sorted maps built from one another are recognised as ordered
   * alike (and copied in linear time).
   */
  public static final java.util.Comparator<byte[]> KEY_ORDER = java.util.Arrays::compareUnsigned;

  /**
   * One merge operand and its operator.
   *
   * @param operator the operator
   * @param bytes the operand
   */
  public record Operand(MergeOperator operator, byte[] bytes) {}

  private byte kind;
  private byte @Nullable [] value;
  private final List<Operand> operands = new ArrayList<>();

  private Write(byte kind, byte @Nullable [] value) {
    this.kind = kind;
    this.value = value;
  }

  /**
   * Creates a put.
   *
   * @param value the new value (owned)
   * @return the write
   */
  public static Write put(byte[] value) {
    return new Write(PUT, value);
  }

  /**
   * Creates a delete.
   *
   * @return the write
   */
  public static Write delete() {
    return new Write(DELETE, null);
  }

  /**
   * Creates a write holding one merge operand.
   *
   * @param op the operator
   * @param operand the operand (owned)
   * @return the write
   */
  public static Write merge(MergeOperator op, byte[] operand) {
    Write w = new Write(MERGE, null);
    w.operands.add(new Operand(op, operand));
    return w;
  }

  /**
   * Adds a merge operand after this write: folds it into a put or delete, or queues it.
   *
   * @param op the operator
   * @param operand the operand (owned)
   */
  public void addMerge(MergeOperator op, byte[] operand) {
    if (kind == MERGE) {
      appendOperand(operands, new Operand(op, operand));
    } else {
      value = op.apply(kind == PUT ? value : null, operand);
      kind = PUT;
    }
  }

  /**
   * Returns the write that has the effect of this one followed by {@code later} on the same
   * key. Neither argument is modified.
   *
   * @param earlier the first write
   * @param later the write that follows it
   * @return {@code later} itself if it is a put or delete; otherwise a new write: a put (or
   *     delete) of {@code later}'s operands applied to {@code earlier}'s put or delete, or a
   *     merge with the operands of both in order
   */
  public static Write then(Write earlier, Write later) {
    if (later.kind != MERGE) {
      return later;
    }
    if (earlier.kind != MERGE) {
      byte[] v = later.resolve(earlier.kind == PUT ? earlier.value : null);
      return v == null ? delete() : put(v);
    }
    Write w = new Write(MERGE, null);
    w.operands.addAll(earlier.operands);
    for (Operand o : later.operands) {
      appendOperand(w.operands, o);
    }
    return w;
  }

  /** Appends an operand, combined with the last one when their operator can combine them. */
  private static void appendOperand(List<Operand> operands, Operand o) {
    if (!operands.isEmpty()) {
      Operand last = operands.get(operands.size() - 1);
      if (last.operator() == o.operator()) {
        byte[] c = o.operator().combine(last.bytes(), o.bytes());
        if (c != null) {
          operands.set(operands.size() - 1, new Operand(o.operator(), c));
          return;
        }
      }
    }
    operands.add(o);
  }

  /**
   * Returns the kind.
   *
   * @return {@link #PUT}, {@link #DELETE} or {@link #MERGE}
   */
  public byte kind() {
    return kind;
  }

  /**
   * Returns the value of a put.
   *
   * @return the value (not to be modified), or {@code null} for other kinds
   */
  public byte @Nullable [] value() {
    return value;
  }

  /**
   * Returns the merge operands, in order.
   *
   * @return the operands (empty unless the kind is {@link #MERGE})
   */
  public List<Operand> operands() {
    return operands;
  }

  /**
   * Computes the value this write leaves, given the value before it.
   *
   * @param base the value before the write, or {@code null} if absent
   * @return the resulting value, or {@code null} if the key ends absent
   */
  public byte @Nullable [] resolve(byte @Nullable [] base) {
    return switch (kind) {
      case PUT -> value;
      case DELETE -> null;
      default -> {
        byte[] v = base;
        for (Operand o : operands) {
          v = o.operator().apply(v, o.bytes());
        }
        yield v;
      }
    };
  }
}
