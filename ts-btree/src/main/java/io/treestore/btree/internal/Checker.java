package io.treestore.btree.internal;

import io.treestore.page.CorruptionException;
import io.treestore.page.Meta;
import io.treestore.page.PageFile;
import io.treestore.page.PageType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Verifies the durable state of a file from disk, bypassing the cache: every page's checksum,
 * node order and bounds, uniform leaf depth, fill (every node except a root at least a quarter
 * full), child generations, entry counts, overflow chains, and that every page below the page
 * count is used exactly once or free, never both and never neither.
 *
 * <p>Reads only pages reachable from the durable meta page, which no writer overwrites, so it
 * may run while the file is in use (holding the flush lock keeps the durable state fixed).
 */
public final class Checker {
  private final PageFile file;
  private final Layout layout;
  private final List<String> problems = new ArrayList<>();
  private final BitSet used = new BitSet();
  private long pageCount;
  private long nodes;
  private long overflowPages;
  private long entries;
  private long userEntries;
  private long free;

  /**
   * The outcome: problems found and what was counted.
   *
   * @param problems one line per problem
   * @param generation the durable generation checked
   * @param pageCount pages of the durable state
   * @param nodes leaf and branch pages
   * @param overflowPages overflow pages
   * @param freePages pages listed as free
   * @param entries entries of the user trees
   * @param trees number of user trees
   */
  public record Result(List<String> problems, long generation, long pageCount, long nodes,
      long overflowPages, long freePages, long entries, int trees) {}

  /**
   * Creates a checker.
   *
   * @param file the open page file
   */
  public Checker(PageFile file) {
    this.file = file;
    this.layout = new Layout(file.pageSize());
  }

  /**
   * Runs every check.
   *
   * @return the problems (empty when the file is sound) and the counts
   */
  public Result run() {
    Meta meta = file.meta();
    pageCount = meta.pageCount();
    used.set(0, 2);
    file.metaDamage().ifPresent(d -> problems.add("damaged " + d
        + " (the other meta page is in use; the next flush rewrites it)"));
    byte[] p = meta.payload();
    int trees = 0;
    free = 0;
    if (p.length > 0) {
      ByteBuffer b = ByteBuffer.wrap(p);
      long catRoot = b.getLong();
      long catCount = b.getLong();
      long freeRoot = b.getLong();
      long freeCount = b.getLong();
      int spill = b.getInt();
      for (int i = 0; i < spill && b.remaining() >= 8; i++) {
        mark(b.getLong(), "meta spill list");
        free++;
      }
      List<Leaf> catLeaves = new ArrayList<>();
      tree("catalog", catRoot, catCount, meta.generation(), catLeaves);
      for (Leaf l : catLeaves) {
        for (int i = 0; i < l.count(); i++) {
          String name = new String(l.keys[i], StandardCharsets.UTF_8);
          if (!(l.vals[i] instanceof byte[] v) || v.length != 16) {
            problems.add("catalog entry '" + name + "' is malformed");
            continue;
          }
          ByteBuffer vb = ByteBuffer.wrap(v);
          userEntries += tree("tree '" + name + "'", vb.getLong(), vb.getLong(),
              meta.generation(), null);
          trees++;
        }
      }
      List<Leaf> freeLeaves = new ArrayList<>();
      tree("free list", freeRoot, freeCount, meta.generation(), freeLeaves);
      for (Leaf l : freeLeaves) {
        for (int i = 0; i < l.count(); i++) {
          if (!(l.vals[i] instanceof byte[] v) || v.length % 8 != 0) {
            problems.add("free-list record in page " + l.pageId() + " is malformed");
            continue;
          }
          ByteBuffer vb = ByteBuffer.wrap(v);
          while (vb.hasRemaining()) {
            long id = vb.getLong();
            free++;
            mark(id, "free list");
          }
        }
      }
    }
    for (long id = 2; id < pageCount; id++) {
      if (!used.get((int) id)) {
        problems.add("page " + id + " is neither used nor free (leaked)");
      }
    }
    return new Result(List.copyOf(problems), meta.generation(), pageCount, nodes, overflowPages,
        free, userEntries, trees);
  }

  /** Marks a page used; returns false (and reports) if it is out of range or already used. */
  private boolean mark(long id, String owner) {
    if (id < 2 || id >= pageCount) {
      problems.add(owner + " refers to page " + id + " outside [2, " + pageCount + ")");
      return false;
    }
    if (used.get((int) id)) {
      problems.add("page " + id + " is used twice (again by " + owner + ")");
      return false;
    }
    used.set((int) id);
    return true;
  }

  private long tree(String what, long root, long count, long gen, @Nullable List<Leaf> leaves) {
    if (root == 0) {
      if (count != 0) {
        problems.add(what + " is empty but records " + count + " entries");
      }
      return 0;
    }
    long before = entries;
    int[] leafDepth = {-1};
    node(what, root, gen, null, null, 0, true, leafDepth, leaves);
    long found = entries - before;
    if (found != count) {
      problems.add(what + " records " + count + " entries but holds " + found);
    }
    return found;
  }

  private void node(String what, long id, long maxGen, byte @Nullable [] lo, byte @Nullable [] hi,
      int depth, boolean isRoot, int[] leafDepth, @Nullable List<Leaf> leaves) {
    if (depth > TreeOps.MAX_DEPTH) {
      problems.add(what + ": page " + id + " is deeper than " + TreeOps.MAX_DEPTH
          + " levels (a cycle?)");
      return;
    }
    if (!mark(id, what)) {
      return;
    }
    Node n;
    try {
      n = layout.decode(file, id, file.readPage(id));
    } catch (CorruptionException e) {
      problems.add(what + ": " + e.getMessage());
      return;
    }
    nodes++;
    if (n.generation() > maxGen) {
      problems.add(what + ": page " + id + " has generation " + n.generation()
          + " above its parent's " + maxGen);
    }
    if (!isRoot && n.bytes < layout.capacity / 4) {
      problems.add(what + ": page " + id + " is underfull (" + n.bytes + " of "
          + layout.capacity + " bytes)");
    }
    for (int i = 0; i < n.count(); i++) {
      byte[] k = n.key(i);
      if (lo != null && Arrays.compareUnsigned(k, lo) < 0
          || hi != null && Arrays.compareUnsigned(k, hi) >= 0) {
        problems.add(what + ": key " + i + " of page " + id + " is outside its parent's bounds");
      }
    }
    if (n instanceof Leaf l) {
      if (leafDepth[0] < 0) {
        leafDepth[0] = depth;
      } else if (leafDepth[0] != depth) {
        problems.add(what + ": leaf " + id + " at depth " + depth + ", others at "
            + leafDepth[0]);
      }
      if (!isRoot && l.count() == 0) {
        problems.add(what + ": empty leaf " + id);
      }
      entries += l.count();
      for (Object v : l.vals) {
        if (v instanceof OverflowRef r) {
          overflow(what, r, n.generation());
        }
      }
      if (leaves != null) {
        leaves.add(l);
      }
    } else {
      Branch b = (Branch) n;
      for (int i = 0; i <= b.count(); i++) {
        byte[] clo = i == 0 ? lo : b.keys[i - 1];
        byte[] chi = i == b.count() ? hi : b.keys[i];
        node(what, b.ids[i], n.generation(), clo, chi, depth + 1, false, leafDepth, leaves);
      }
    }
  }

  private void overflow(String what, OverflowRef r, long maxGen) {
    long page = r.firstPage();
    int remaining = r.length();
    int per = layout.pageSize - NodeStore.OVERFLOW_HEADER;
    int expected = Math.max(1, (r.length() + per - 1) / per);
    for (int i = 0; i < expected; i++) {
      if (page < 2) {
        problems.add(what + ": overflow chain from page " + r.firstPage() + " ends early");
        return;
      }
      if (!mark(page, what + " overflow")) {
        return;
      }
      overflowPages++;
      byte[] p;
      try {
        p = file.readPage(page);
      } catch (CorruptionException e) {
        problems.add(what + ": " + e.getMessage());
        return;
      }
      if (PageFile.typeOf(p) != PageType.OVERFLOW || PageFile.generationOf(p) > maxGen) {
        problems.add(what + ": page " + page + " is not an overflow page of this chain");
        return;
      }
      ByteBuffer b = ByteBuffer.wrap(p);
      int len = b.getInt(PageFile.HEADER_SIZE + 8);
      remaining -= len;
      page = b.getLong(PageFile.HEADER_SIZE);
    }
    if (remaining != 0 || page != 0) {
      problems.add(what + ": overflow chain from page " + r.firstPage()
          + " does not match its length " + r.length());
    }
  }
}
