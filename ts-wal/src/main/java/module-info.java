/**
 * The write-ahead log of TreeStore: append-only segment files named by their first LSN,
 * records framed with length, CRC32C, LSN and type, group commit with the durability modes
 * {@code SYNC}, {@code GROUP_ASYNC} and {@code NONE}, and replay from an LSN.
 *
 * <p>Status: the API is specified in the project's design (section 3, ts-wal) and is not
 * built yet; this module holds no types so far.
 */
@org.jspecify.annotations.NullMarked
module io.treestore.wal {
  requires static transitive org.jspecify;
}
