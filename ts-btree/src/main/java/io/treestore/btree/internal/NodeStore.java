package io.treestore.btree.internal;

import io.treestore.page.PageCache;
import io.treestore.page.PageFile;
import io.treestore.page.PageType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Loads, writes and frees the pages of B+Tree nodes and overflow chains.
 *
 * <h2>Overflow pages</h2>
 * A value too large for a leaf is stored in a chain of overflow pages, each with this payload
 * after the page header (big-endian):
 * <pre>
 * Overflow --&gt; next:u64 (0 ends the chain), length:u32 (bytes of data in this page), data
 * </pre>
 * Every page but the last is full ({@code pageSize - 36} bytes of data).
 *
 * <h2>Freeing</h2>
 * When copy-on-write replaces or drops a clean node or overflow chain, its page ids are added
 * to {@link #freed}; the free-space manager persists them at the next flush and reuses them
 * once no reader can reach them.
 *
 * <p>Reads ({@link #load}, {@link #child}, {@link #value}, {@link #sharedValue}) are
 * thread-safe. Everything that writes or frees is called by the single writer only.
 */
public final class NodeStore {
  static final int OVERFLOW_HEADER = PageFile.HEADER_SIZE + 12;

  final PageFile file;
  final PageCache cache;
  final Layout layout;
  /**
   * The generation value of nodes created since the last flush was prepared or finished (it
   * counts down from {@link Long#MAX_VALUE} at each). Such a node cannot be in any
   * captured state, so when it is replaced it is simply garbage. Writer only.
   */
  long dirtyMark = Long.MAX_VALUE - 1;
  /**
   * The dirty mark in force when the last flush finished (and assigned pages to nodes). A
   * dirty branch with a smaller mark was created afterwards: none of its in-memory children
   * has been assigned a page since, so copying it needs no {@link TreeOps#detach}. Writer only.
   */
  long lastFinishMark = Long.MAX_VALUE;
  /** Pages released since the last flush was prepared; writer only. */
  LongList freed = new LongList();
  /**
   * Dirty nodes replaced since the last flush was prepared. A flush that was writing when
   * they were replaced may have written them; the next flush frees their pages if so.
   */
  List<Retired> retiredDirty = new ArrayList<>();

  /**
   * A dirty node that copy-on-write replaced.
   *
   * @param node the node
   * @param orphanChains for a leaf: whether the copy took its values as arrays, so that
   *     overflow chains a flush writes for it are referenced by nothing else
   */
  record Retired(Node node, boolean orphanChains) {}

  /**
   * Where a flush wrote a dirty node; applied to the node once the flush is durable.
   *
   * @param id the page
   * @param generation the flush generation
   * @param stored for a leaf with large values, the values as written, else {@code null}
   */
  record Assignment(long id, long generation, Object @Nullable [] stored) {}
  private final byte[] scratch;

  /**
   * Creates a node store.
   *
   * @param file the page file
   * @param cache the page cache
   */
  public NodeStore(PageFile file, PageCache cache) {
    this.file = file;
    this.cache = cache;
    this.layout = new Layout(file.pageSize());
    this.scratch = new byte[file.pageSize()];
  }

  /**
   * Returns the layout of this store's pages.
   *
   * @return the layout
   */
  public Layout layout() {
    return layout;
  }

  /**
   * Loads a clean node through the cache.
   *
   * @param pageId the node's page
   * @param maxGeneration the generation of the referring parent; a child written by a later
   *     generation means the page was reused while still referenced (corruption)
   * @return the node
   */
  public Node load(long pageId, long maxGeneration) {
    Node n = cache.get(pageId, id -> layout.decode(file, id, file.readPage(id)));
    if (n.generation() > maxGeneration) {
      throw file.corruption(pageId, "page of generation " + n.generation()
          + " is referenced by a node of generation " + maxGeneration);
    }
    return n;
  }

  /**
   * Returns child {@code i} of a branch, loading it if it is clean.
   *
   * @param b the branch
   * @param i child index in {@code [0, b.count()]}
   * @return the child node
   */
  public Node child(Branch b, int i) {
    Node[] kids = b.kids;
    if (kids != null) {
      Node k = kids[i];
      if (k != null) {
        return k;
      }
    }
    Node k = b.loadedBranch(i);
    if (k != null) {
      return k;
    }
    k = load(b.ids[i], b.generation());
    b.rememberLoaded(i, k);
    return k;
  }

  /**
   * Returns a copy of a stored value, reading its overflow chain if needed.
   *
   * @param raw a leaf's stored value
   * @return a new array holding the value
   */
  public byte[] value(Object raw) {
    return sharedValue(raw).clone();
  }

  /**
   * Returns a stored value without copying it: a small value's array in its leaf, or a large
   * value assembled once from its overflow chain and kept in the page cache as a derived entry
   * (dropped when the chain's first page is written again). The array is shared with every
   * other reader of the value and must not be modified.
   *
   * @param raw a leaf's stored value
   * @return the value, read-only
   */
  public byte[] sharedValue(Object raw) {
    if (raw instanceof byte[] v) {
      return v;
    }
    OverflowRef r = (OverflowRef) raw;
    // Weighed as the array takes memory: its length plus an object header.
    return cache.getDerived(r.firstPage(), r.length() + 16, p -> assemble(r));
  }

  /**
   * Reads a value's overflow chain into a new array. It runs inside the cache's computation
   * of a derived entry, where the cache must not be asked to load pages (nor need it: the
   * assembled value is what stays cached).
   */
  private byte[] assemble(OverflowRef r) {
    int length = r.length();
    // Grow the buffer as pages arrive, so that a damaged length cannot demand 1 GiB at once.
    byte[] out = new byte[Math.min(length, 1 << 20)];
    long page = r.firstPage();
    int pos = 0;
    while (pos < length) {
      if (page < 2) {
        throw file.corruption(r.firstPage(), "overflow chain ends after " + pos + " of "
            + length + " bytes");
      }
      byte[] p = readOverflowPage(page);
      ByteBuffer b = ByteBuffer.wrap(p);
      long next = b.getLong(PageFile.HEADER_SIZE);
      int len = b.getInt(PageFile.HEADER_SIZE + 8);
      if (len <= 0 || len > length - pos || len > layout.pageSize - OVERFLOW_HEADER) {
        throw file.corruption(page, "overflow page length " + len + " out of range");
      }
      if (pos + len > out.length) {
        out = java.util.Arrays.copyOf(out, (int) Math.min(length, Math.max(pos + len,
            2L * out.length)));
      }
      System.arraycopy(p, OVERFLOW_HEADER, out, pos, len);
      pos += len;
      page = next;
    }
    if (page != 0) {
      throw file.corruption(r.firstPage(), "overflow chain longer than its value length "
          + length);
    }
    return out;
  }

  /**
   * Reads an overflow page from the file. Overflow pages are not cached themselves: they are
   * read to assemble a value, which the cache keeps instead ({@link #sharedValue}), or to free
   * a chain, whose pages are garbage then.
   */
  private byte[] readOverflowPage(long page) {
    byte[] p = file.readPage(page);
    if (PageFile.typeOf(p) != PageType.OVERFLOW) {
      throw file.corruption(page, "expected an overflow page, found " + PageFile.typeOf(p));
    }
    return p;
  }

  /**
   * Records that a node is no longer reachable from the current tree. A clean node's page is
   * freed now; a dirty node is remembered, since a flush in progress may write it.
   *
   * @param n the replaced node
   */
  void retire(Node n) {
    long id = n.pageId();
    if (id != 0) {
      freed.add(id);
    } else if (n.generation() != dirtyMark) {
      retiredDirty.add(new Retired(n, false));
    }
  }

  /**
   * Records that a leaf was replaced by a copy made from {@code copiedFrom}.
   *
   * @param l the replaced leaf
   * @param copiedFrom the values array the copy was made from ({@link Leaf#valsForCopy()})
   */
  void retireLeaf(Leaf l, Object[] copiedFrom) {
    long id = l.pageId();
    if (id != 0) {
      freed.add(id);
    } else if (l.generation() != dirtyMark) {
      retiredDirty.add(new Retired(l, copiedFrom == l.vals));
    }
  }

  /**
   * Frees what a finished flush wrote for nodes that were replaced meanwhile, and forgets the
   * rest (never written). Called when the next flush is prepared.
   *
   * @param retired the nodes
   * @param into receives the freed page ids
   */
  void resolveRetired(List<Retired> retired, LongList into) {
    for (Retired r : retired) {
      long id = r.node().pageId();
      if (id == 0) {
        continue;
      }
      into.add(id);
      if (r.orphanChains() && r.node() instanceof Leaf l) {
        Object[] written = l.valsForCopy();
        for (int i = 0; i < written.length; i++) {
          if (written[i] instanceof OverflowRef ref && l.vals[i] instanceof byte[]) {
            chainPages(ref, into);
          }
        }
      }
    }
  }

  /**
   * Records that a stored value is no longer reachable; frees its overflow chain.
   *
   * @param raw the replaced value
   */
  void retireValue(Object raw) {
    if (raw instanceof OverflowRef r) {
      chainPages(r, freed);
    }
  }

  private void chainPages(OverflowRef r, LongList into) {
    long page = r.firstPage();
    int pages = overflowPages(r.length());
    for (int i = 0; i < pages; i++) {
      byte[] p = readOverflowPage(page);
      into.add(page);
      page = ByteBuffer.wrap(p).getLong(PageFile.HEADER_SIZE);
    }
  }

  /**
   * Frees every page of a subtree (used when a tree is dropped or replaced).
   *
   * @param n the subtree's root
   */
  void retireSubtree(Node n) {
    if (n.isDirty()) {
      // Never written (drops wait for flushes); its clean descendants still need freeing.
      if (n instanceof Branch b) {
        for (int i = 0; i <= b.count(); i++) {
          retireSubtree(child(b, i));
        }
      } else {
        for (Object v : ((Leaf) n).vals) {
          retireValue(v);
        }
      }
      return;
    }
    if (n instanceof Leaf l) {
      for (Object v : l.valsForCopy()) {
        retireValue(v);
      }
    } else {
      Branch b = (Branch) n;
      for (int i = 0; i <= b.count(); i++) {
        retireSubtree(child(b, i));
      }
    }
    freed.add(n.pageId());
  }

  int overflowPages(int length) {
    int per = layout.pageSize - OVERFLOW_HEADER;
    return Math.max(1, (length + per - 1) / per);
  }

  /**
   * Counts the pages a write of this subtree's dirty nodes will allocate.
   *
   * @param n a subtree root
   * @return dirty nodes plus the overflow pages of their unwritten large values
   */
  int countUnwritten(Node n) {
    if (!n.isDirty()) {
      return 0;
    }
    int c = 1;
    if (n instanceof Leaf l) {
      for (int i = 0; i < l.keys.length; i++) {
        if (l.vals[i] instanceof byte[] v && !layout.inline(l.keys[i].length, v.length)) {
          c += overflowPages(v.length);
        }
      }
    } else {
      Branch b = (Branch) n;
      if (b.kids != null) {
        for (Node k : b.kids) {
          if (k != null) {
            c += countUnwritten(k);
          }
        }
      }
    }
    return c;
  }

  /**
   * Writes a subtree's dirty nodes (children first) and returns the page of its root. Clean
   * nodes are not written again. Every written node is put in the cache as a clean copy
   * (without references to in-memory children, so that the cache bounds memory).
   *
   * @param n the subtree root
   * @param generation the generation of the flush the pages belong to
   * @param alloc gives the page id for each page written
   * @param job collects where each node went, to be applied when the flush is durable; or
   *     {@code null} to mark the nodes clean at once (bulk loads)
   * @return the page id of {@code n}
   */
  long write(Node n, long generation, LongSupplier alloc, @Nullable Map<Node, Assignment> job) {
    if (!n.isDirty()) {
      return n.pageId();
    }
    long id;
    Object[] stored = null;
    if (n instanceof Leaf l) {
      Object[] vals = l.vals;
      for (int i = 0; i < vals.length; i++) {
        if (vals[i] instanceof byte[] v && !layout.inline(l.keys[i].length, v.length)) {
          if (vals == l.vals) {
            vals = vals.clone();
          }
          vals[i] = writeOverflow(v, generation, alloc);
        }
      }
      if (vals != l.vals) {
        stored = vals;
      }
      id = alloc.getAsLong();
      Leaf clean = new Leaf(id, generation, l.keys, vals, l.bytes, l.heads);
      layout.encodeLeaf(clean, scratch);
      file.writePage(id, PageType.LEAF, generation, scratch);
      cache.put(id, clean);
    } else {
      Branch b = (Branch) n;
      long[] ids = b.ids;
      if (b.kids != null) {
        ids = ids.clone();
        for (int i = 0; i < b.kids.length; i++) {
          Node k = b.kids[i];
          if (k != null) {
            ids[i] = write(k, generation, alloc, job);
          }
        }
      }
      id = alloc.getAsLong();
      layout.encodeBranch(b.keys, ids, scratch);
      file.writePage(id, PageType.BRANCH, generation, scratch);
      cache.put(id, new Branch(id, generation, b.keys, ids, null, b.bytes, b.heads));
    }
    if (job == null) {
      apply(n, new Assignment(id, generation, stored));
    } else {
      job.put(n, new Assignment(id, generation, stored));
    }
    return id;
  }

  /**
   * Marks a written node clean.
   *
   * @param n the node
   * @param a where it was written
   */
  static void apply(Node n, Assignment a) {
    if (a.stored() != null) {
      ((Leaf) n).store(a.stored());
    }
    n.assign(a.id(), a.generation());
  }

  private OverflowRef writeOverflow(byte[] v, long generation, LongSupplier alloc) {
    int per = layout.pageSize - OVERFLOW_HEADER;
    int pages = overflowPages(v.length);
    long[] ids = new long[pages];
    for (int i = 0; i < pages; i++) {
      ids[i] = alloc.getAsLong();
    }
    byte[] page = new byte[layout.pageSize];
    for (int i = 0; i < pages; i++) {
      int off = i * per;
      int len = Math.min(per, v.length - off);
      java.util.Arrays.fill(page, (byte) 0);
      ByteBuffer b = ByteBuffer.wrap(page);
      b.putLong(PageFile.HEADER_SIZE, i + 1 < pages ? ids[i + 1] : 0);
      b.putInt(PageFile.HEADER_SIZE + 8, len);
      System.arraycopy(v, off, page, OVERFLOW_HEADER, len);
      cache.invalidate(ids[i]);
      file.writePage(ids[i], PageType.OVERFLOW, generation, page);
    }
    return new OverflowRef(ids[0], v.length);
  }
}
