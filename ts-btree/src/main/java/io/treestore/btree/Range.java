package io.treestore.btree;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A key range with optional lower and upper bounds, each inclusive or exclusive, and a
 * direction. Keys compare as unsigned bytes, lexicographically (a proper prefix sorts first).
 * Immutable; bound arrays are copied.
 *
 * <p>Examples: {@code Range.all()}, {@code Range.prefix(p)},
 * {@code Range.between(a, true, b, false)} for {@code [a, b)},
 * {@code Range.atLeast(a).reversed()} for the keys {@code >= a} from the largest down.
 */
public final class Range {
  private static final Range ALL = new Range(null, true, null, true, false);

  private final byte @Nullable [] lower;
  private final boolean lowerInclusive;
  private final byte @Nullable [] upper;
  private final boolean upperInclusive;
  private final boolean reverse;

  private Range(byte @Nullable [] lower, boolean lowerInclusive, byte @Nullable [] upper,
      boolean upperInclusive, boolean reverse) {
    this.lower = lower == null ? null : lower.clone();
    this.lowerInclusive = lowerInclusive;
    this.upper = upper == null ? null : upper.clone();
    this.upperInclusive = upperInclusive;
    this.reverse = reverse;
  }

  /**
   * Returns the range of all keys, ascending.
   *
   * @return the unbounded range
   */
  public static Range all() {
    return ALL;
  }

  /**
   * Returns the keys that start with {@code prefix}, ascending.
   *
   * @param prefix the prefix; empty means all keys
   * @return the range {@code [prefix, successor(prefix))}, where the successor is the smallest
   *     key greater than every key with the prefix (unbounded if the prefix is all 0xFF)
   */
  public static Range prefix(byte[] prefix) {
    byte[] up = null;
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xFF) {
        up = Arrays.copyOf(prefix, i + 1);
        up[i]++;
        break;
      }
    }
    return new Range(prefix, true, up, false, false);
  }

  /**
   * Returns the keys between two bounds, ascending.
   *
   * @param lower the lower bound
   * @param lowerInclusive whether {@code lower} itself is in the range
   * @param upper the upper bound
   * @param upperInclusive whether {@code upper} itself is in the range
   * @return the range; empty if {@code lower > upper}
   */
  public static Range between(byte[] lower, boolean lowerInclusive, byte[] upper,
      boolean upperInclusive) {
    return new Range(lower, lowerInclusive, upper, upperInclusive, false);
  }

  /**
   * Returns the keys {@code >= lower}, ascending.
   *
   * @param lower the inclusive lower bound
   * @return the range
   */
  public static Range atLeast(byte[] lower) {
    return new Range(lower, true, null, true, false);
  }

  /**
   * Returns the keys {@code > lower}, ascending.
   *
   * @param lower the exclusive lower bound
   * @return the range
   */
  public static Range greaterThan(byte[] lower) {
    return new Range(lower, false, null, true, false);
  }

  /**
   * Returns the keys {@code <= upper}, ascending.
   *
   * @param upper the inclusive upper bound
   * @return the range
   */
  public static Range atMost(byte[] upper) {
    return new Range(null, true, upper, true, false);
  }

  /**
   * Returns the keys {@code < upper}, ascending.
   *
   * @param upper the exclusive upper bound
   * @return the range
   */
  public static Range lessThan(byte[] upper) {
    return new Range(null, true, upper, false, false);
  }

  /**
   * Returns the same keys in the opposite direction.
   *
   * @return the reversed range
   */
  public Range reversed() {
    return new Range(lower, lowerInclusive, upper, upperInclusive, !reverse);
  }

  /**
   * Returns whether the range runs from the largest key down.
   *
   * @return {@code true} for descending order
   */
  public boolean isReverse() {
    return reverse;
  }

  /**
   * Returns the lower bound.
   *
   * @return a copy of the bound, or {@code null} if unbounded below
   */
  public byte @Nullable [] lower() {
    return lower == null ? null : lower.clone();
  }

  /**
   * Returns the upper bound.
   *
   * @return a copy of the bound, or {@code null} if unbounded above
   */
  public byte @Nullable [] upper() {
    return upper == null ? null : upper.clone();
  }

  /**
   * Returns whether the lower bound is in the range.
   *
   * @return {@code true} for an inclusive (or absent) lower bound
   */
  public boolean lowerInclusive() {
    return lowerInclusive;
  }

  /**
   * Returns whether the upper bound is in the range.
   *
   * @return {@code true} for an inclusive (or absent) upper bound
   */
  public boolean upperInclusive() {
    return upperInclusive;
  }

  boolean aboveLower(byte[] key) {
    if (lower == null) {
      return true;
    }
    int c = Arrays.compareUnsigned(key, lower);
    return c > 0 || (c == 0 && lowerInclusive);
  }

  boolean belowUpper(byte[] key) {
    if (upper == null) {
      return true;
    }
    int c = Arrays.compareUnsigned(key, upper);
    return c < 0 || (c == 0 && upperInclusive);
  }

  byte @Nullable [] lowerRef() {
    return lower;
  }

  byte @Nullable [] upperRef() {
    return upper;
  }
}
