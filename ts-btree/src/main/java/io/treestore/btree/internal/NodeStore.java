package io.treestore.btree.internal;

import io.treestore.page.PageCache;
import io.treestore.page.PageFile;
import io.treestore.page.PageType;
import java.nio.ByteBuffer;
import java.util.function.LongSupplier;

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
 * <p>Reads ({@link #load}, {@link #child}, {@link #value}) are thread-safe. Everything that
 * writes or frees is called by the single writer only.
 */
public final class NodeStore {
  static final int OVERFLOW_HEADER = PageFile.HEADER_SIZE + 12;

  final PageFile file;
  final PageCache cache;
  final Layout layout;
  /** Pages released since the last flush; writer only. */
  final LongList freed = new LongList();
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
    if (n.generation > maxGeneration) {
      throw file.corruption(pageId, "page of generation " + n.generation
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
    return load(b.ids[i], b.generation);
  }

  /**
   * Returns a copy of a stored value, reading its overflow chain if needed.
   *
   * @param raw a leaf's stored value
   * @return a new array holding the value
   */
  public byte[] value(Object raw) {
    if (raw instanceof byte[] v) {
      return v.clone();
    }
    OverflowRef r = (OverflowRef) raw;
    byte[] out = new byte[r.length()];
    long page = r.firstPage();
    int pos = 0;
    while (pos < out.length) {
      if (page < 2) {
        throw file.corruption(r.firstPage(), "overflow chain ends after " + pos + " of "
            + out.length + " bytes");
      }
      byte[] p = readOverflowPage(page);
      ByteBuffer b = ByteBuffer.wrap(p);
      long next = b.getLong(PageFile.HEADER_SIZE);
      int len = b.getInt(PageFile.HEADER_SIZE + 8);
      if (len <= 0 || len > out.length - pos || len > layout.pageSize - OVERFLOW_HEADER) {
        throw file.corruption(page, "overflow page length " + len + " out of range");
      }
      System.arraycopy(p, OVERFLOW_HEADER, out, pos, len);
      pos += len;
      page = next;
    }
    if (page != 0) {
      throw file.corruption(r.firstPage(), "overflow chain longer than its value length "
          + out.length);
    }
    return out;
  }

  private byte[] readOverflowPage(long page) {
    byte[] p = file.readPage(page);
    if (PageFile.typeOf(p) != PageType.OVERFLOW) {
      throw file.corruption(page, "expected an overflow page, found " + PageFile.typeOf(p));
    }
    return p;
  }

  /**
   * Records that a node is no longer reachable from the current tree.
   *
   * @param n the replaced node; nothing is recorded for a dirty node
   */
  void retire(Node n) {
    if (!n.isDirty()) {
      freed.add(n.pageId);
    }
  }

  /**
   * Records that a stored value is no longer reachable; frees its overflow chain.
   *
   * @param raw the replaced value
   */
  void retireValue(Object raw) {
    if (raw instanceof OverflowRef r) {
      long page = r.firstPage();
      int pages = overflowPages(r.length());
      for (int i = 0; i < pages; i++) {
        byte[] p = readOverflowPage(page);
        freed.add(page);
        page = ByteBuffer.wrap(p).getLong(PageFile.HEADER_SIZE);
      }
    }
  }

  /**
   * Frees every page of a subtree (used when a tree is dropped or replaced).
   *
   * @param n the subtree's root
   */
  void retireSubtree(Node n) {
    if (n instanceof Leaf l) {
      for (Object v : l.vals) {
        retireValue(v);
      }
    } else {
      Branch b = (Branch) n;
      for (int i = 0; i <= b.count(); i++) {
        retireSubtree(child(b, i));
      }
    }
    retire(n);
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
   * Writes a subtree's dirty nodes (children first) and returns the clean equivalent of its
   * root. Clean nodes are returned as they are. Every written node is put in the cache.
   *
   * @param n the subtree root
   * @param generation the generation of the flush the pages belong to
   * @param alloc gives the page id for each page written
   * @return a clean node with the same content
   */
  Node write(Node n, long generation, LongSupplier alloc) {
    if (!n.isDirty()) {
      return n;
    }
    Node clean;
    long id;
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
      id = alloc.getAsLong();
      clean = new Leaf(id, generation, l.keys, vals, l.bytes);
      layout.encodeLeaf((Leaf) clean, scratch);
      file.writePage(id, PageType.LEAF, generation, scratch);
    } else {
      Branch b = (Branch) n;
      long[] ids = b.ids;
      if (b.kids != null) {
        ids = ids.clone();
        for (int i = 0; i < b.kids.length; i++) {
          Node k = b.kids[i];
          if (k != null) {
            ids[i] = write(k, generation, alloc).pageId;
          }
        }
      }
      id = alloc.getAsLong();
      clean = new Branch(id, generation, b.keys, ids, null, b.bytes);
      layout.encodeBranch(b.keys, ids, scratch);
      file.writePage(id, PageType.BRANCH, generation, scratch);
    }
    cache.put(id, clean);
    return clean;
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
