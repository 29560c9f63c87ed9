package io.treestore.fts.internal;

import io.treestore.btree.Entry;
import io.treestore.btree.Range;
import io.treestore.txn.ReadView;
import io.treestore.txn.ScanIterator;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Walks one term's postings in unit-key order, optionally only those whose unit key starts
 * with a prefix, expanding the term's {@link PostingBlock}s, and seeks forward
 * ({@link #advance}) through the B+Tree instead of reading the blocks in between. Not
 * thread-safe; close it.
 */
public final class PostingCursor implements AutoCloseable {
  /** Blocks read one after another before an advance re-seeks through the tree. */
  private static final int BLOCKS_BEFORE_SEEK = 4;

  private final ReadView view;
  private final String keyspace;
  private final byte[] termKey;
  private final byte[] prefix;
  private final byte @Nullable [] termUpper;
  private ScanIterator scan;
  private PostingBlock.@Nullable Reader block;
  private byte[] blockKey = new byte[0];
  private byte[] blockLast = new byte[0];
  private byte @Nullable [] unit;
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
    this.termKey = termKey;
    this.prefix = unitPrefix;
    this.termUpper = Range.prefix(termKey).upper();
    this.scan = open(unitPrefix);
  }

  /** Scans the term's blocks whose last unit is {@code >= from}. */
  private ScanIterator open(byte[] from) {
    byte[] lo = Keys.posting(termKey, from, from.length);
    return view.scan(keyspace, termUpper == null ? Range.atLeast(lo)
        : Range.between(lo, true, termUpper, false));
  }

  private boolean load() {
    if (!scan.hasNext()) {
      return false;
    }
    Entry e = scan.next();
    blockKey = e.key();
    blockLast = Arrays.copyOfRange(blockKey, termKey.length, blockKey.length);
    try {
      block = new PostingBlock.Reader(e.value(), blockLast);
    } catch (IllegalArgumentException ex) {
      throw corrupt(ex);
    }
    return true;
  }

  private IllegalStateException corrupt(IllegalArgumentException ex) {
    return PostingBlock.corrupt(keyspace, blockKey, ex);
  }

  private boolean exhaust() {
    exhausted = true;
    unit = null;
    block = null;
    return false;
  }

  /**
   * Moves to the next posting.
   *
   * @return {@code false} when there is none (the cursor is exhausted)
   * @throws IllegalStateException if a block is corrupt (the message names it)
   */
  public boolean next() {
    if (exhausted) {
      return false;
    }
    while (true) {
      PostingBlock.Reader b = block;
      if (b == null || b.done()) {
        if (!load()) {
          return exhaust();
        }
        b = block;
      }
      try {
        b.next();
      } catch (IllegalArgumentException ex) {
        throw corrupt(ex);
      }
      byte[] u = b.unit();
      if (u.length >= prefix.length && Arrays.equals(u, 0, prefix.length, prefix, 0,
          prefix.length)) {
        unit = u;
        return true;
      }
      if (Arrays.compareUnsigned(u, prefix) > 0) {
        return exhaust();
      }
    }
  }

  /**
   * Moves to the first posting whose unit key is {@code >= target} (unsigned bytes), unless
   * the cursor is already there or beyond.
   *
   * @param target an encoded unit key
   * @return {@code false} when no such posting exists
   * @throws IllegalStateException if a block is corrupt (the message names it)
   */
  public boolean advance(byte[] target) {
    if (exhausted) {
      return false;
    }
    if (unit != null && Arrays.compareUnsigned(unit, target) >= 0) {
      return true;
    }
    if (block == null || Arrays.compareUnsigned(target, blockLast) > 0) {
      boolean found = false;
      for (int i = 0; i < BLOCKS_BEFORE_SEEK && !found; i++) {
        if (!load()) {
          return exhaust();
        }
        found = Arrays.compareUnsigned(target, blockLast) <= 0;
      }
      if (!found) {
        scan.close();
        scan = open(Arrays.compareUnsigned(target, prefix) < 0 ? prefix : target);
        block = null;
      }
    }
    while (next()) {
      if (Arrays.compareUnsigned(java.util.Objects.requireNonNull(unit), target) >= 0) {
        return true;
      }
    }
    return false;
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
   * Decodes the current posting.
   *
   * @param fields the index's field count
   * @return the posting
   * @throws IllegalStateException if there is no current posting, or it is corrupt (the
   *     message names its block)
   */
  public Posting posting(int fields) {
    PostingBlock.Reader b = current();
    try {
      return Posting.decode(b.array(), b.postingOffset(), b.postingLength(), fields);
    } catch (IllegalArgumentException ex) {
      throw corrupt(ex);
    }
  }

  /**
   * Reads the current posting's path.
   *
   * @return the unit's path, or {@code null}
   * @throws IllegalStateException if there is no current posting, or it is corrupt
   */
  public @Nullable String path() {
    PostingBlock.Reader b = current();
    try {
      return Posting.path(b.array(), b.postingOffset(), b.postingLength());
    } catch (IllegalArgumentException ex) {
      throw corrupt(ex);
    }
  }

  private PostingBlock.Reader current() {
    PostingBlock.Reader b = block;
    if (unit == null || b == null) {
      throw new IllegalStateException("posting cursor is not on a posting");
    }
    return b;
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
