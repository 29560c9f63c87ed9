package io.treestore.index;

import io.treestore.btree.Range;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A range of tuples for scans, with bounds compared on <em>prefixes</em>: a tuple {@code t} is
 * at least the lower bound {@code lo} when the first {@code lo.size()} elements of {@code t}
 * are {@code >= lo} (strictly greater when the bound is exclusive), and likewise for the upper
 * bound. So {@code between(("doc", 1), true, ("doc", 5), true)} holds every tuple that starts
 * with {@code "doc"} and an int64 from 1 to 5, whatever follows, and {@code prefix(p)} holds
 * exactly the tuples that start with the elements of {@code p}.
 *
 * <p>Translated to byte ranges over encoded tuples ({@link #toRange()}) by using the fact that
 * no encoded element starts with 0xFF: the encodings of all tuples with prefix {@code p} lie in
 * {@code [enc(p), enc(p) + 0xFF)}.
 *
 * <p>Immutable and thread-safe.
 */
public final class TupleRange {
  private static final TupleRange ALL = new TupleRange(null, true, null, true, false);

  private final @Nullable Tuple lower;
  private final boolean lowerInclusive;
  private final @Nullable Tuple upper;
  private final boolean upperInclusive;
  private final boolean reverse;

  private TupleRange(@Nullable Tuple lower, boolean lowerInclusive, @Nullable Tuple upper,
      boolean upperInclusive, boolean reverse) {
    this.lower = lower;
    this.lowerInclusive = lowerInclusive;
    this.upper = upper;
    this.upperInclusive = upperInclusive;
    this.reverse = reverse;
  }

  /**
   * Returns the range of every tuple.
   *
   * @return the unbounded range, ascending
   */
  public static TupleRange all() {
    return ALL;
  }

  /**
   * Returns the tuples that start with the elements of {@code prefix} (including
   * {@code prefix} itself).
   *
   * @param prefix the prefix; {@link Tuple#EMPTY} means every tuple
   * @return the range, ascending
   */
  public static TupleRange prefix(Tuple prefix) {
    Objects.requireNonNull(prefix, "prefix");
    return new TupleRange(prefix, true, prefix, true, false);
  }

  /**
   * Returns the tuples between two bounds, compared on prefixes (see the class description).
   *
   * @param lower the lower bound
   * @param lowerInclusive whether tuples whose prefix equals {@code lower} are included
   * @param upper the upper bound
   * @param upperInclusive whether tuples whose prefix equals {@code upper} are included
   * @return the range, ascending; empty if the bounds cross
   */
  public static TupleRange between(Tuple lower, boolean lowerInclusive, Tuple upper,
      boolean upperInclusive) {
    return new TupleRange(Objects.requireNonNull(lower, "lower"), lowerInclusive,
        Objects.requireNonNull(upper, "upper"), upperInclusive, false);
  }

  /**
   * Returns the tuples whose prefix is at least {@code lower}.
   *
   * @param lower the bound, inclusive
   * @return the range, ascending
   */
  public static TupleRange atLeast(Tuple lower) {
    return new TupleRange(Objects.requireNonNull(lower, "lower"), true, null, true, false);
  }

  /**
   * Returns the tuples whose prefix is greater than {@code lower}; tuples that merely start
   * with {@code lower} are excluded.
   *
   * @param lower the bound, exclusive
   * @return the range, ascending
   */
  public static TupleRange greaterThan(Tuple lower) {
    return new TupleRange(Objects.requireNonNull(lower, "lower"), false, null, true, false);
  }

  /**
   * Returns the tuples whose prefix is at most {@code upper}, including every tuple that
   * starts with {@code upper}.
   *
   * @param upper the bound, inclusive
   * @return the range, ascending
   */
  public static TupleRange atMost(Tuple upper) {
    return new TupleRange(null, true, Objects.requireNonNull(upper, "upper"), true, false);
  }

  /**
   * Returns the tuples whose prefix is less than {@code upper}.
   *
   * @param upper the bound, exclusive
   * @return the range, ascending
   */
  public static TupleRange lessThan(Tuple upper) {
    return new TupleRange(null, true, Objects.requireNonNull(upper, "upper"), false, false);
  }

  /**
   * Returns the same tuples in the opposite direction.
   *
   * @return the reversed range
   */
  public TupleRange reversed() {
    return new TupleRange(lower, lowerInclusive, upper, upperInclusive, !reverse);
  }

  /**
   * Tells whether the scan runs from the largest tuple down.
   *
   * @return the direction
   */
  public boolean isReverse() {
    return reverse;
  }

  /**
   * Returns the same bounds over keys that start with {@code keyPrefix} followed by an encoded
   * tuple (as index and posting keys do).
   *
   * @param keyPrefix bytes put before every encoded tuple
   * @return the byte range
   */
  public Range toRange(byte[] keyPrefix) {
    byte[] lo = lower == null ? keyPrefix : concat(keyPrefix, lower.encode(),
        lowerInclusive ? -1 : 0xFF);
    byte[] hi = upper == null ? (keyPrefix.length == 0 ? null : concat(keyPrefix, new byte[0],
        0xFF)) : concat(keyPrefix, upper.encode(), upperInclusive ? 0xFF : -1);
    Range r;
    if (hi == null) {
      r = Range.atLeast(lo);
    } else if (Arrays.compareUnsigned(lo, hi) >= 0) {
      r = Range.between(lo, true, lo, false);
    } else {
      r = Range.between(lo, true, hi, false);
    }
    return reverse ? r.reversed() : r;
  }

  /**
   * Returns the byte range of the encoded tuples in this range.
   *
   * @return the range for {@link io.treestore.txn.ReadView#scan}
   */
  public Range toRange() {
    return toRange(new byte[0]);
  }

  private static byte[] concat(byte[] a, byte[] b, int last) {
    byte[] out = Arrays.copyOf(a, a.length + b.length + (last >= 0 ? 1 : 0));
    System.arraycopy(b, 0, out, a.length, b.length);
    if (last >= 0) {
      out[out.length - 1] = (byte) last;
    }
    return out;
  }

  @Override
  public String toString() {
    return (lowerInclusive ? "[" : "(") + (lower == null ? "-inf" : lower) + ", "
        + (upper == null ? "+inf" : upper) + (upperInclusive ? "]" : ")")
        + (reverse ? " reversed" : "");
  }
}
