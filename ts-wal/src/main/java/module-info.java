/**
 * The write-ahead log of TreeStore: append-only segment files named by their first LSN,
 * records framed with length, CRC32C, LSN and type, group commit with the durability modes
 * {@code SYNC}, {@code GROUP_ASYNC} and {@code NONE}, recovery that truncates a torn tail and
 * refuses mid-log damage, segment deletion after a checkpoint, and replay from an LSN.
 *
 * <p>The API is {@link io.treestore.wal.Wal} and its companions in {@code io.treestore.wal};
 * the on-disk format is specified in the class comment of {@link io.treestore.wal.Wal} and in
 * {@code docs/adr/0003-wal-format.md}. The module depends on the JDK only.
 */
@org.jspecify.annotations.NullMarked
module io.treestore.wal {
  requires static transitive org.jspecify;

  exports io.treestore.wal;
}
