package io.treestore.page;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * A file of fixed-size pages with checksummed headers and two alternating meta pages.
 *
 * <h2>Layout</h2>
 * Page {@code i} occupies bytes {@code [i * pageSize, (i + 1) * pageSize)}. Every page starts
 * with a 24-byte header (all integers big-endian):
 * <pre>
 *  offset size field
 *   0     4    checksum    CRC32C (RFC 3720 polynomial) of bytes [4, pageSize)
 *   4     1    type        {@link PageType#code()}
 *   5     3    reserved    zero
 *   8     8    page id     the page's own index; a page found at another index is corrupt
 *  16     8    generation  the flush generation that wrote the page
 *  24     ...  payload     owned by the upper layer
 * </pre>
 * Pages 0 and 1 are meta pages. Their payload is:
 * <pre>
 *  24     8    magic        ASCII "TREESTOR"
 *  32     4    format       {@link #FORMAT_VERSION}
 *  36     4    page size    bytes, a power of two in [4096, 65536]
 *  40     8    page count   pages of the durable state
 *  48     4    length       n, length of the upper layer's meta payload
 *  52     n    payload      see {@link Meta#payload()}
 * </pre>
 * Generation {@code g} is written to meta page {@code g % 2}. On open, the valid meta page
 * (checksum, magic, page id, page size) with the higher generation is the durable state; a
 * damaged meta page is reported in the log and the other one is used, which loses at most
 * the flush whose meta write was torn. Writing the meta page and syncing it is the atomic
 * step of a flush ({@link #commitMeta}); the pages it refers to must have been synced before
 * ({@link #sync()}).
 *
 * <h2>Failures</h2>
 * A page that fails validation raises {@link CorruptionException} with the file and offset;
 * damaged bytes are never returned. A failed {@code fsync} is not retried: the kernel may have
 * dropped the dirty pages and a later successful sync would prove nothing (PostgreSQL,
 * "fsyncgate", 2018). The file then refuses all further writes with a
 * {@link StorageException} that gives the original cause, and must be reopened.
 *
 * <h2>Thread safety</h2>
 * Reads ({@link #readPage}) may run concurrently with each other and with one writer. Writes,
 * syncs and meta commits must be serialized by the caller (one writer at a time).
 */
public final class PageFile implements AutoCloseable {
  /** Size of the header at the start of every page, in bytes. */
  public static final int HEADER_SIZE = 24;
  /** Smallest supported page size, in bytes. */
  public static final int MIN_PAGE_SIZE = 4096;
  /** Largest supported page size, in bytes. */
  public static final int MAX_PAGE_SIZE = 65536;
  /** Page size used when creating a file unless configured otherwise, in bytes. */
  public static final int DEFAULT_PAGE_SIZE = 4096;
  /** The format version this build writes and the only one it reads. */
  public static final int FORMAT_VERSION = 1;

  private static final long MAGIC = 0x5452454553544F52L; // "TREESTOR"
  private static final int META_FIXED = 52;
  private static final System.Logger LOG = System.getLogger(PageFile.class.getName());

  private final Path path;
  private final FileChannel channel;
  private final int pageSize;
  private final boolean readOnly;
  private volatile Meta meta;
  private volatile @Nullable String failure;
  private volatile @Nullable String metaDamage;

  private PageFile(Path path, FileChannel channel, int pageSize, Meta meta, boolean readOnly) {
    this.path = path;
    this.channel = channel;
    this.pageSize = pageSize;
    this.meta = meta;
    this.readOnly = readOnly;
  }

  /**
   * Opens {@code path}, creating it if it does not exist and {@code options.create()} allows.
   *
   * <p>A new file gets two meta pages of generation 0 with an empty payload and page count 2;
   * it is written under a temporary name ({@code NAME.creating}), synced, renamed into place
   * and the directory synced, so a crash never leaves a half-created file. An existing file keeps
   * its own page size; {@code options.pageSize()} only applies to creation.
   *
   * @param path the data file
   * @param options page size for creation, creation flag, read-only flag, channel factory
   * @return the open file; close it to release the channel
   * @throws CorruptionException if no meta page is valid or the file is shorter than its meta
   *     page says
   * @throws FormatVersionException if the file's format version is not {@link #FORMAT_VERSION}
   * @throws StorageException if the file does not exist and may not be created, or on an I/O
   *     error
   */
  public static PageFile open(Path path, PageFileOptions options) {
    boolean exists = Files.exists(path);
    if (!exists && (!options.create() || options.readOnly())) {
      throw new StorageException(path, "file does not exist", null);
    }
    if (!exists) {
      create(path, options);
    }
    Set<OpenOption> opts = options.readOnly()
        ? Set.of(StandardOpenOption.READ)
        : Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileChannel ch;
    try {
      ch = options.channels().open(path, opts);
    } catch (IOException e) {
      throw new StorageException(path, "cannot open: " + e, e);
    }
    try {
      long size = ch.size();
      if (size == 0) {
        throw new CorruptionException(path, 0, -1, "file is empty (0 bytes); TreeStore never "
            + "leaves an empty file, so it was truncated or is not a TreeStore file");
      }
      return load(path, ch, size, options.readOnly());
    } catch (IOException e) {
      closeQuietly(ch);
      throw new StorageException(path, "cannot open: " + e, e);
    } catch (RuntimeException e) {
      closeQuietly(ch);
      throw e;
    }
  }

  /**
   * Creates a new file atomically: both meta pages are written to a temporary file in the same
   * directory, synced, and the temporary file is renamed into place, then the directory is
   * synced. A crash leaves either no file or a complete one (plus possibly a stale temporary
   * file, replaced by the next attempt).
   */
  private static void create(Path path, PageFileOptions options) {
    Path tmp = path.resolveSibling(path.getFileName() + ".creating");
    int ps = options.pageSize();
    Meta initial = new Meta(0, 2, new byte[0]);
    try {
      Files.deleteIfExists(tmp);
      try (FileChannel ch = options.channels().open(tmp, Set.of(StandardOpenOption.READ,
          StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW))) {
        PageFile f = new PageFile(tmp, ch, ps, initial, false);
        f.writeMetaPage(0, initial);
        f.writeMetaPage(1, initial);
        ch.force(true);
      }
      Files.move(tmp, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      Path dir = path.toAbsolutePath().getParent();
      if (dir != null) {
        options.channels().syncDirectory(dir);
      }
    } catch (IOException e) {
      throw new StorageException(path, "cannot create: " + e, e);
    }
  }

  private static PageFile load(Path path, FileChannel ch, long size, boolean readOnly)
      throws IOException {
    // The page size is in page 0; if page 0 is damaged, probe page 1 at every supported size.
    ByteBuffer head = ByteBuffer.allocate(META_FIXED);
    readFully(ch, head, 0);
    int declared = head.getInt(36);
    java.util.List<Integer> sizes = new java.util.ArrayList<>();
    if (Integer.bitCount(declared) == 1 && declared >= MIN_PAGE_SIZE && declared <= MAX_PAGE_SIZE) {
      sizes.add(declared);
    }
    for (int ps = MIN_PAGE_SIZE; ps <= MAX_PAGE_SIZE; ps <<= 1) {
      if (ps != declared) {
        sizes.add(ps);
      }
    }
    StringBuilder why = new StringBuilder();
    for (int ps : sizes) {
      Meta best = null;
      String damaged = null;
      for (int slot = 0; slot < 2; slot++) {
        if ((long) (slot + 1) * ps > size) {
          damaged = "meta page " + slot + " lies beyond the end of the file";
          continue;
        }
        ByteBuffer buf = ByteBuffer.allocate(ps);
        readFully(ch, buf, (long) slot * ps);
        String err = validateMeta(buf.array(), ps, slot);
        if (err != null) {
          damaged = "meta page " + slot + " at offset " + (long) slot * ps + ": " + err;
          continue;
        }
        Meta m = decodeMeta(path, buf, ps, slot);
        if (best == null || m.generation() > best.generation()) {
          best = m;
        }
      }
      if (best == null) {
        if (ps == declared || why.isEmpty()) {
          why.append(' ').append(damaged).append(" (as ").append(ps).append("-byte pages)");
        }
        continue;
      }
      if (damaged != null) {
        LOG.log(Level.WARNING, "{0}: {1}; using the other meta page, generation {2}",
            path, damaged, best.generation());
      }
      String metaDamage = damaged;
      if (best.pageCount() > size / ps) {
        throw new CorruptionException(path, size, -1, "file is " + size + " bytes but meta "
            + "generation " + best.generation() + " says it holds " + best.pageCount()
            + " pages of " + ps + " bytes (truncated file)");
      }
      PageFile f = new PageFile(path, ch, ps, best, readOnly);
      f.metaDamage = metaDamage;
      return f;
    }
    throw new CorruptionException(path, 0, 0, "no valid meta page:" + why);
  }

  private static Meta decodeMeta(Path path, ByteBuffer b, int ps, int slot) {
    int format = b.getInt(32);
    if (format != FORMAT_VERSION) {
      throw new FormatVersionException(path, format, FORMAT_VERSION, FORMAT_VERSION);
    }
    byte[] payload = new byte[b.getInt(48)];
    b.get(52, payload);
    try {
      return new Meta(b.getLong(16), b.getLong(40), payload);
    } catch (IllegalArgumentException e) {
      throw new CorruptionException(path, (long) slot * ps, slot, e.getMessage());
    }
  }

  private static @Nullable String validateMeta(byte[] page, int ps, int slot) {
    String err = validate(page, ps, slot);
    if (err != null) {
      return err;
    }
    ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.BIG_ENDIAN);
    if (page[4] != PageType.META.code()) {
      return "not a meta page (type " + page[4] + ")";
    }
    if (b.getLong(24) != MAGIC) {
      return "bad magic";
    }
    if (b.getInt(36) != ps) {
      return "page size field " + b.getInt(36) + " does not match " + ps;
    }
    int len = b.getInt(48);
    if (len < 0 || len > ps - META_FIXED) {
      return "meta payload length " + len + " out of range";
    }
    return null;
  }

  /** Checks checksum and page id; returns null if valid, else the reason. */
  private static @Nullable String validate(byte[] page, int ps, long pageId) {
    ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.BIG_ENDIAN);
    int stored = b.getInt(0);
    int computed = checksum(page, ps);
    if (stored != computed) {
      return String.format("checksum mismatch (stored 0x%08x, computed 0x%08x)", stored, computed);
    }
    long id = b.getLong(8);
    if (id != pageId) {
      return "header names page " + id;
    }
    if (PageType.fromCode(page[4]) == null) {
      return "unknown page type " + page[4];
    }
    return null;
  }

  private static int checksum(byte[] page, int ps) {
    CRC32C crc = new CRC32C();
    crc.update(page, 4, ps - 4);
    return (int) crc.getValue();
  }

  /**
   * Returns the path this file was opened with.
   *
   * @return the data file's path
   */
  public Path path() {
    return path;
  }

  /**
   * Returns the page size of this file.
   *
   * @return bytes per page, a power of two in [{@link #MIN_PAGE_SIZE}, {@link #MAX_PAGE_SIZE}]
   */
  public int pageSize() {
    return pageSize;
  }

  /**
   * Returns the largest meta payload a {@link #commitMeta} call accepts.
   *
   * @return bytes, {@code pageSize - 52}
   */
  public int maxMetaPayload() {
    return pageSize - META_FIXED;
  }

  /**
   * Returns the durable meta state: as found on open, or as last committed.
   *
   * @return the current durable meta
   */
  public Meta meta() {
    return meta;
  }

  /**
   * Tells whether a meta page was found damaged when the file was opened (the other one was
   * used). The next meta commit to that slot repairs it.
   *
   * @return the damaged meta page, its offset and what failed; empty if both were valid or the
   *     damaged one has been rewritten since
   */
  public java.util.Optional<String> metaDamage() {
    return java.util.Optional.ofNullable(metaDamage);
  }

  /**
   * Tells whether this file refuses writes (opened read-only, or after a failed sync).
   *
   * @return {@code true} if writes are refused
   */
  public boolean isReadOnly() {
    return readOnly || failure != null;
  }

  /**
   * Reads and validates page {@code pageId}.
   *
   * @param pageId the page to read, in {@code [2, meta().pageCount())} or a page written since
   *     the last meta commit
   * @return a new array of {@link #pageSize()} bytes holding the whole page, header included
   * @throws CorruptionException if the checksum does not match, the header names another
   *     page, the type is unknown, or the page lies beyond the end of the file
   * @throws IllegalArgumentException if {@code pageId < 2}
   * @throws StorageException on an I/O error
   */
  public byte[] readPage(long pageId) {
    if (pageId < 2) {
      throw new IllegalArgumentException("page id must be >= 2 (0 and 1 are meta pages), was "
          + pageId);
    }
    if (pageId > Long.MAX_VALUE / pageSize - 1) {
      throw new CorruptionException(path, Long.MAX_VALUE, pageId,
          "page id " + pageId + " lies beyond any possible file size");
    }
    ByteBuffer buf = ByteBuffer.allocate(pageSize);
    long off = pageId * pageSize;
    try {
      int n = 0;
      while (buf.hasRemaining()) {
        int r = channel.read(buf, off + n);
        if (r < 0) {
          throw new CorruptionException(path, off, pageId,
              "page lies beyond the end of the file (read " + n + " of " + pageSize + " bytes)");
        }
        n += r;
      }
    } catch (IOException e) {
      throw new StorageException(path, "cannot read page " + pageId + " at offset " + off
          + ": " + e, e);
    }
    String err = validate(buf.array(), pageSize, pageId);
    if (err != null) {
      throw new CorruptionException(path, off, pageId, err);
    }
    return buf.array();
  }

  /**
   * Returns the type recorded in a page read by {@link #readPage}.
   *
   * @param page a validated page
   * @return its type
   */
  public static PageType typeOf(byte[] page) {
    PageType t = PageType.fromCode(page[4]);
    if (t == null) {
      throw new IllegalArgumentException("page not validated: unknown type " + page[4]);
    }
    return t;
  }

  /**
   * Returns the generation recorded in a page read by {@link #readPage}.
   *
   * @param page a validated page
   * @return the flush generation that wrote it
   */
  public static long generationOf(byte[] page) {
    return ByteBuffer.wrap(page).getLong(16);
  }

  /**
   * Builds a corruption report for a page whose content (beyond the header) is invalid.
   *
   * @param pageId the damaged page
   * @param reason what is wrong with it
   * @return the exception to throw, naming this file and the page's offset
   */
  public CorruptionException corruption(long pageId, String reason) {
    return new CorruptionException(path, pageId * pageSize, pageId, reason);
  }

  /**
   * Writes a page: fills in the header of {@code page} (type, id, generation, checksum) and
   * writes it at its offset. The write is not durable until {@link #sync()}.
   *
   * <p>Never write a page that a durable meta page or an open reader can reach; that is the
   * caller's free-space discipline.
   *
   * @param pageId the page to write, {@code >= 2}
   * @param type the page type, not {@link PageType#META}
   * @param generation the flush generation this write belongs to
   * @param page exactly {@link #pageSize()} bytes; bytes {@code [0, 24)} are overwritten with
   *     the header, the rest is the payload. The array may be reused after the call.
   * @throws IllegalArgumentException if the id, type or array length is invalid
   * @throws StorageException if the file is read-only or on an I/O error (the file stays
   *     writable: an unsynced write may be repeated)
   */
  public void writePage(long pageId, PageType type, long generation, byte[] page) {
    if (pageId < 2) {
      throw new IllegalArgumentException("page id must be >= 2, was " + pageId);
    }
    if (type == PageType.META) {
      throw new IllegalArgumentException("meta pages are written by commitMeta");
    }
    if (page.length != pageSize) {
      throw new IllegalArgumentException("page must be " + pageSize + " bytes, was "
          + page.length);
    }
    if (pageId > Long.MAX_VALUE / pageSize - 1) {
      throw new IllegalArgumentException("page id " + pageId + " is beyond any file size");
    }
    checkWritable();
    fillHeader(page, type, pageId, generation);
    long off = pageId * pageSize;
    try {
      writeFully(channel, ByteBuffer.wrap(page), off);
    } catch (IOException e) {
      throw new StorageException(path, "cannot write page " + pageId + " at offset " + off
          + ": " + e, e);
    }
  }

  private void fillHeader(byte[] page, PageType type, long pageId, long generation) {
    ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.BIG_ENDIAN);
    b.put(4, type.code());
    b.put(5, (byte) 0).put(6, (byte) 0).put(7, (byte) 0);
    b.putLong(8, pageId);
    b.putLong(16, generation);
    b.putInt(0, checksum(page, pageSize));
  }

  /**
   * Makes every page written so far durable ({@code fsync}).
   *
   * @throws StorageException if the sync fails; the file then refuses all further writes
   */
  public void sync() {
    checkWritable();
    try {
      channel.force(true);
    } catch (IOException e) {
      failure = "fsync failed: " + e;
      throw new StorageException(path, failure + "; the file is now read-only and must be "
          + "reopened (a failed fsync is never retried)", e);
    }
  }

  /**
   * Commits a new durable state: writes meta page {@code generation % 2} and syncs it. The
   * pages the payload refers to must already be synced.
   *
   * @param generation must be {@code meta().generation() + 1}
   * @param pageCount pages of the new state, {@code >= 2}
   * @param payload the upper layer's meta record, at most {@link #maxMetaPayload()} bytes
   * @return the new durable meta
   * @throws IllegalArgumentException if the generation does not follow the current one or
   *     the payload is too large
   * @throws StorageException if the file is read-only or on an I/O error; a failed sync makes
   *     the file read-only, and the durable state is then the one of the previous meta or of
   *     this one, unknown until reopened
   */
  public Meta commitMeta(long generation, long pageCount, byte[] payload) {
    Meta current = meta;
    if (generation != current.generation() + 1) {
      throw new IllegalArgumentException("generation must be " + (current.generation() + 1)
          + ", was " + generation);
    }
    if (payload.length > maxMetaPayload()) {
      throw new IllegalArgumentException("meta payload is " + payload.length
          + " bytes, at most " + maxMetaPayload());
    }
    checkWritable();
    Meta next = new Meta(generation, pageCount, payload);
    try {
      writeMetaPage((int) (generation % 2), next);
    } catch (IOException e) {
      throw new StorageException(path, "cannot write meta page: " + e, e);
    }
    sync();
    meta = next;
    String damage = metaDamage;
    if (damage != null && damage.startsWith("meta page " + (generation % 2) + " ")) {
      metaDamage = null;
    }
    return next;
  }

  private void writeMetaPage(int slot, Meta m) throws IOException {
    byte[] page = new byte[pageSize];
    ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.BIG_ENDIAN);
    b.putLong(24, MAGIC);
    b.putInt(32, FORMAT_VERSION);
    b.putInt(36, pageSize);
    b.putLong(40, m.pageCount());
    byte[] p = m.payload();
    b.putInt(48, p.length);
    b.put(52, p);
    fillHeader(page, PageType.META, slot, m.generation());
    writeFully(channel, ByteBuffer.wrap(page), (long) slot * pageSize);
  }

  /**
   * Returns the current length of the file.
   *
   * @return bytes
   * @throws StorageException on an I/O error
   */
  public long fileSize() {
    try {
      return channel.size();
    } catch (IOException e) {
      throw new StorageException(path, "cannot read size: " + e, e);
    }
  }

  /**
   * Throws if writes are refused.
   *
   * @throws StorageException if the file was opened read-only or a sync failed
   */
  public void checkWritable() {
    if (readOnly) {
      throw new StorageException(path, "opened read-only", null);
    }
    String f = failure;
    if (f != null) {
      throw new StorageException(path, "read-only after an earlier failure (" + f + ")", null);
    }
  }

  /**
   * Closes the channel. Unsynced writes are not made durable by closing.
   *
   * @throws StorageException on an I/O error
   */
  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new StorageException(path, "cannot close: " + e, e);
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long off) throws IOException {
    int n = 0;
    while (buf.hasRemaining()) {
      int r = ch.read(buf, off + n);
      if (r < 0) {
        break;
      }
      n += r;
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf, long off) throws IOException {
    long pos = off;
    while (buf.hasRemaining()) {
      pos += ch.write(buf, pos);
    }
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // the open already failed; that failure is what the caller reports
    }
  }
}
