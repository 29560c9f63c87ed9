package io.treestore.fts.internal;

import io.treestore.btree.Entry;
import io.treestore.btree.Range;
import io.treestore.txn.ScanIterator;
import io.treestore.txn.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * Applies one transaction's posting changes of one term to the term's {@link PostingBlock}s.
 *
 * <p>Units are grouped by a prefix of their keys (for the document stores: document and
 * version). A block holds units of one group only, so transactions that write different
 * groups never write the same block key and never conflict. A unit without a group is
 * stored alone, in a block of one entry. For a run of changes within one group the writer
 * reads only the blocks the run touches (from the block holding the run's first unit to the
 * one holding its last, or the group's last block when the run lies beyond it), merges the
 * changes in, and cuts the result into blocks again, each filled up to
 * {@value PostingBlock#MAX_ENTRIES} entries or the value budget, so that appends in key
 * order leave full blocks. Unchanged blocks are not rewritten.
 *
 * <p>Not thread-safe; one per transaction and index.
 */
public final class PostingWriter {
  /**
   * One unit's new posting of a term, or its removal.
   *
   * @param unit the encoded unit key
   * @param group the length in bytes of the unit key's group prefix, or {@code -1} if the unit
   *     is stored alone
   * @param posting the encoded posting, or {@code null} to remove the unit's posting
   */
  public record Change(byte[] unit, int group, byte @Nullable [] posting) {}

  private final Transaction tx;
  private final String keyspace;
  private final int valueBudget;
  private final Set<ByteBuffer> newGroups;

  /**
   * Creates a writer.
   *
   * @param tx the read-write transaction to write in
   * @param keyspace the postings keyspace
   * @param newGroups the group prefixes (encoded unit-key prefixes) known to have no units
   *     and therefore no blocks yet, whose blocks need not be looked for
   */
  public PostingWriter(Transaction tx, String keyspace, Set<ByteBuffer> newGroups) {
    this.tx = tx;
    this.keyspace = keyspace;
    this.newGroups = newGroups;
    // A leaf entry of at most a quarter page is kept inline; maxKeySize is about that size.
    this.valueBudget = tx.database().maxKeySize();
  }

  /**
   * Applies a term's changes.
   *
   * @param termKey the term's key
   * @param changes the changes, sorted by unit key (unsigned bytes), at most one per unit
   * @throws IllegalStateException if a block read is corrupt (the message names it)
   */
  public void apply(byte[] termKey, List<Change> changes) {
    int i = 0;
    while (i < changes.size()) {
      Change c = changes.get(i);
      if (c.group() < 0) {
        byte[] key = Keys.posting(termKey, c.unit(), c.unit().length);
        if (c.posting() == null) {
          tx.delete(keyspace, key);
        } else {
          tx.put(keyspace, key, PostingBlock.encode(List.of(c.unit()), List.of(c.posting()), 0,
              1));
        }
        i++;
        continue;
      }
      int j = i + 1;
      while (j < changes.size() && changes.get(j).group() == c.group()
          && Arrays.equals(changes.get(j).unit(), 0, c.group(), c.unit(), 0, c.group())) {
        j++;
      }
      applyGroup(termKey, changes.subList(i, j));
      i = j;
    }
  }

  private void applyGroup(byte[] termKey, List<Change> run) {
    byte[] first = run.get(0).unit();
    int groupLength = run.get(0).group();
    List<Entry> blocks = new ArrayList<>(2);
    if (!newGroups.isEmpty() && newGroups.contains(ByteBuffer.wrap(first, 0, groupLength))) {
      write(termKey, run, blocks);
      return;
    }
    byte[] last = run.get(run.size() - 1).unit();
    byte[] group = Keys.posting(termKey, first, groupLength);
    byte[] groupUpper = Range.prefix(group).upper();
    byte[] lo = Keys.posting(termKey, first, first.length);
    try (ScanIterator it = tx.scan(keyspace, groupUpper == null ? Range.atLeast(lo)
        : Range.between(lo, true, groupUpper, false))) {
      while (it.hasNext()) {
        Entry e = it.next();
        blocks.add(e);
        if (Arrays.compareUnsigned(e.key(), termKey.length, e.key().length, last, 0,
            last.length) >= 0) {
          break;
        }
      }
    }
    if (blocks.isEmpty()) {
      // the run lies beyond the group's blocks: it extends the group's last block, if any
      try (ScanIterator it = tx.scan(keyspace, Range.between(group, false, lo, false)
          .reversed())) {
        if (it.hasNext()) {
          blocks.add(it.next());
        }
      }
    }
    write(termKey, run, blocks);
  }

  /** Merges a run into the blocks read for it and writes the blocks that change. */
  private void write(byte[] termKey, List<Change> run, List<Entry> blocks) {
    List<byte[]> units = new ArrayList<>();
    List<byte[]> postings = new ArrayList<>();
    int r = 0;
    for (Entry e : blocks) {
      byte[] blockLast = Arrays.copyOfRange(e.key(), termKey.length, e.key().length);
      PostingBlock.Reader b;
      try {
        b = new PostingBlock.Reader(e.value(), blockLast);
        while (b.next()) {
          byte[] u = b.unit();
          while (r < run.size() && Arrays.compareUnsigned(run.get(r).unit(), u) < 0) {
            add(run.get(r++), units, postings);
          }
          if (r < run.size() && Arrays.equals(run.get(r).unit(), u)) {
            add(run.get(r++), units, postings);
          } else {
            units.add(u);
            postings.add(b.posting());
          }
        }
      } catch (IllegalArgumentException ex) {
        throw PostingBlock.corrupt(keyspace, e.key(), ex);
      }
    }
    while (r < run.size()) {
      add(run.get(r++), units, postings);
    }
    Map<ByteBuffer, byte[]> old = new HashMap<>();
    for (Entry e : blocks) {
      old.put(ByteBuffer.wrap(e.key()), e.value());
    }
    int budget = valueBudget - termKey.length;
    int start = 0;
    while (start < units.size()) {
      int end = start + 1;
      int bytes = 1 + PostingBlock.entrySize(null, units.get(start),
          postings.get(start).length);
      while (end < units.size() && end - start < PostingBlock.MAX_ENTRIES) {
        byte[] u = units.get(end);
        int size = PostingBlock.entrySize(units.get(end - 1), u, postings.get(end).length);
        if (bytes + size > budget - u.length) {
          break;
        }
        bytes += size;
        end++;
      }
      byte[] last = units.get(end - 1);
      byte[] key = Keys.posting(termKey, last, last.length);
      byte[] value = PostingBlock.encode(units, postings, start, end);
      byte[] before = old.remove(ByteBuffer.wrap(key));
      if (before == null || !Arrays.equals(before, value)) {
        tx.put(keyspace, key, value);
      }
      start = end;
    }
    for (ByteBuffer k : old.keySet()) {
      tx.delete(keyspace, k.array());
    }
  }

  private static void add(Change c, List<byte[]> units, List<byte[]> postings) {
    byte[] p = c.posting();
    if (p != null) {
      units.add(c.unit());
      postings.add(p);
    }
  }
}
