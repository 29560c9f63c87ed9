package io.treestore.index;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TupleRange} together with the model of what it holds, written from the class
 * description of {@link TupleRange}: a tuple is at least the lower bound {@code lo} when its
 * first {@code lo.size()} elements compare {@code >= lo} ({@code >} if exclusive), and likewise
 * for the upper bound; {@code prefix(p)} holds exactly the tuples that start with {@code p}.
 *
 * @param range the range under test
 * @param lower the lower bound, or null
 * @param lowerInclusive whether the lower bound is inclusive
 * @param upper the upper bound, or null
 * @param upperInclusive whether the upper bound is inclusive
 * @param prefix the prefix of a {@code prefix} range, or null
 * @param reverse whether the scan runs backwards
 */
record RangeModel(TupleRange range, @Nullable Tuple lower, boolean lowerInclusive,
    @Nullable Tuple upper, boolean upperInclusive, @Nullable Tuple prefix, boolean reverse) {

  /** Whether the range holds {@code t}, by the model. */
  boolean contains(Tuple t) {
    List<@Nullable Object> m = TupleModel.toModel(t);
    if (prefix != null) {
      List<@Nullable Object> p = TupleModel.toModel(prefix);
      return m.size() >= p.size() && TupleModel.equal(m.subList(0, p.size()), p);
    }
    if (lower != null) {
      int c = TupleModel.comparePrefix(m, TupleModel.toModel(lower));
      if (lowerInclusive ? c < 0 : c <= 0) {
        return false;
      }
    }
    if (upper != null) {
      int c = TupleModel.comparePrefix(m, TupleModel.toModel(upper));
      if (upperInclusive ? c > 0 : c >= 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * What a scan of the range over {@code sorted} (ascending, by the model's order) returns.
   *
   * @param key the tuple of an item that the range is applied to
   */
  <T> List<T> filter(List<T> sorted, Function<T, Tuple> key) {
    List<T> out = new ArrayList<>();
    for (T x : sorted) {
      if (contains(key.apply(x))) {
        out.add(x);
      }
    }
    if (reverse) {
      Collections.reverse(out);
    }
    return out;
  }

  @Override
  public String toString() {
    return range + (prefix != null ? " prefix " + prefix : "");
  }

  /** A random range of every kind, with bounds from {@code bounds}. */
  static RangeModel random(Random rnd, Supplier<Tuple> bounds) {
    Tuple a = bounds.get();
    Tuple b = bounds.get();
    boolean li = rnd.nextBoolean();
    boolean ui = rnd.nextBoolean();
    RangeModel m = switch (rnd.nextInt(7)) {
      case 0 -> new RangeModel(TupleRange.all(), null, true, null, true, null, false);
      case 1 -> new RangeModel(TupleRange.prefix(a), null, true, null, true, a, false);
      case 2 -> {
        // Mostly ordered bounds; crossed ones must give an empty range.
        if (rnd.nextInt(5) != 0 && a.compareTo(b) > 0) {
          Tuple t = a;
          a = b;
          b = t;
        }
        yield new RangeModel(TupleRange.between(a, li, b, ui), a, li, b, ui, null, false);
      }
      case 3 -> new RangeModel(TupleRange.atLeast(a), a, true, null, true, null, false);
      case 4 -> new RangeModel(TupleRange.greaterThan(a), a, false, null, true, null, false);
      case 5 -> new RangeModel(TupleRange.atMost(a), null, true, a, true, null, false);
      default -> new RangeModel(TupleRange.lessThan(a), null, true, a, false, null, false);
    };
    if (rnd.nextBoolean()) {
      m = new RangeModel(m.range.reversed(), m.lower, m.lowerInclusive, m.upper,
          m.upperInclusive, m.prefix, true);
    }
    return m;
  }
}
