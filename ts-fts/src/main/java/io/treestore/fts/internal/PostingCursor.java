package io.treestore.fts.internal;

import io.treestore.btree.Entry;
import io.treestore.btree.Range;
import io.treestore.txn.ReadView;
import io.treestore.txn.ScanIterator;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Walks one term's postings in unit-key order, optionally only those whose unit key starts
 * with a prefix, and seeks forward ({@link #advance}) through the B+Tree instead of reading
 * the postings in between. Not thread-safe; close it.
 */
public final class PostingCursor implements AutoCloseable {
  private static final int STEPS_BEFORE_SEEK = 8;

  private final ReadView view;
  private final String keyspace;
  private final byte[] prefix;
  private final int termLength;
  private final byte @Nullable [] upper;
  private ScanIterator scan;
  private byte @Nullable [] unit;
  private byte @Nullable [] value;
  private boolean exhausted;

  /**
   * Opens a cursor before the first posting.
   *
   * @param view where to read
   * @param keyspace the postings keyspace
   * @param termKey the term's key
   * @param unitPrefix encoded unit-key prefix (empty for all units)
   */
  public PostingCursor(ReadView view, String keyspace, byte[] termKey, byte[] unitPrefix) {
    this.view = view;
    this.keyspace = keyspace;
    this.termLength = termKey.length;
    this.prefix = Arrays.copyOf(termKey, termKey.length + unitPrefix.length);
    System.arraycopy(unitPrefix, 0, prefix, termKey.length, unitPrefix.length);
    this.upper = Range.prefix(prefix).upper();
    this.scan = view.scan(keyspace, Range.prefix(prefix));
  }

  /**
   * Moves to the next posting.
   *
   * @return {@code false} when there is none (the cursor is exhausted)
   */
  public boolean next() {
    if (exhausted) {
      return false;
    }
    if (!scan.hasNext()) {
      exhausted = true;
      unit = null;
      value = null;
      return false;
    }
    Entry e = scan.next();
    byte[] k = e.key();
    unit = Arrays.copyOfRange(k, termLength, k.length);
    value = e.value();
    return true;
  }

  /**
   * Moves to the first posting whose unit key is {@code >= target} (unsigned bytes), unless
   * the cursor is already there or beyond.
   *
   * @param target an encoded unit key
   * @return {@code false} when no such posting exists
   */
  public boolean advance(byte[] target) {
    if (exhausted) {
      return false;
    }
    if (unit != null && Arrays.compareUnsigned(unit, target) >= 0) {
      return true;
    }
    for (int i = 0; i < STEPS_BEFORE_SEEK; i++) {
      if (!next()) {
        return false;
      }
      if (Arrays.compareUnsigned(unit, target) >= 0) {
        return true;
      }
    }
    scan.close();
    byte[] lo = Arrays.copyOf(prefix, termLength + target.length);
    System.arraycopy(target, 0, lo, termLength, target.length);
    if (Arrays.compareUnsigned(lo, prefix) < 0) {
      lo = prefix;
    }
    scan = view.scan(keyspace, upper == null ? Range.atLeast(lo)
        : Range.between(lo, true, upper, false));
    return next();
  }

  /**
   * Returns the current unit key.
   *
   * @return the encoded unit key, or {@code null} before the first move or when exhausted
   */
  public byte @Nullable [] unit() {
    return unit;
  }

  /**
   * Returns the current posting's bytes.
   *
   * @return the value, or {@code null} when there is none
   */
  public byte @Nullable [] value() {
    return value;
  }

  /**
   * Tells whether the cursor has passed the last posting.
   *
   * @return {@code true} when exhausted
   */
  public boolean exhausted() {
    return exhausted;
  }

  @Override
  public void close() {
    scan.close();
  }
}
